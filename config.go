package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"voicedesk/backend/instance"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
)

// config is a run's settings: the command line, the environment and the
// administrator's policy, checked.
type config struct {
	discovery     string
	settingsPath  string
	bridgeAddr    string
	bridgeOrigins string
	headless      bool
	control       string
	kiosk         bool
	minimized     bool
	keepalive     time.Duration
	giveUp        time.Duration
	policyPath    string
	// attended: a direct transfer waits for the target's answer (VoiceDesk's
	// option; the reference's is blind).
	attended bool
	// releaseHidden is how long the window stays hidden to the tray before
	// its page's process is ended (backend/webview); 0 never.
	releaseHidden time.Duration
	// req is the command or link given after the flags.
	req instance.Request
	// version: print the version and exit.
	version bool
	// autoAnswer is the policy's auto-answer (nil: the user's own).
	autoAnswer *settings.AutoAnswer
}

// errUsage is a command line refused: exit status 2.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// parseConfig reads the flags (of os.Args) and the environment, and the
// command or link after them; a bad one is an errUsage. The policy file is
// applied later (applyPolicy), after a second launch has handed over.
func parseConfig() (config, error) {
	discovery := flag.String("discovery-url", os.Getenv("VOICEDESK_DISCOVERY_URL"),
		"discovery service URL (default: the platform's, "+platform.DefaultDiscoveryURL+")")
	settingsPath := flag.String("settings", "", "settings file (default: the user config folder)")
	bridgeAddr := flag.String("bridge", os.Getenv("VOICEDESK_BRIDGE"),
		"serve the integration API (the phone's JSON-RPC bridge) and the UI for a browser on this loopback address (e.g. 127.0.0.1:7788); off when empty")
	bridgeOrigins := flag.String("bridge-origins", os.Getenv("VOICEDESK_BRIDGE_ORIGINS"),
		"browser pages (comma-separated origins, e.g. https://crm.example.com) allowed to use the integration API")
	headless := flag.Bool("headless", false, "no window: the phone is driven through the bridge only (browser mode, tests)")
	control := flag.String("control", envOr("VOICEDESK_CONTROL", instance.DefaultPath()),
		"the running app's socket: a second launch hands its link or command to it")
	kioskFlag := flag.Bool("kiosk", false, "run as an unattended kiosk station: full screen, no settings or sign-out, signed in by itself, restarted after a crash (an administrator can lock it on in the policy file)")
	policyPath := flag.String("policy", envOr("VOICEDESK_POLICY", settings.DefaultPolicyPath), "the administrator's policy file (kiosk mode, discovery URL)")
	minimized := flag.Bool("minimized", false, "start in the tray (minimized without one), e.g. from the desktop's autostart")
	keepalive := flag.Duration("sip-keepalive", 25*time.Second, "how often the registration's path is checked with an OPTIONS (a closed connection is noticed within a second; a path that dies silently within this)")
	giveUp := flag.Duration("sip-give-up", 5*time.Minute, "how long a lost connection is retried before the phone restarts (connection-failed, restart-phone; a kiosk then signs in again)")
	attended := flag.Bool("attended-transfer", os.Getenv("VOICEDESK_ATTENDED_TRANSFER") == "1",
		"a direct transfer waits for the target's answer and keeps the call if there is none (the reference's is blind: the call ends once the far end accepts it)")
	releaseHidden := flag.Duration("release-hidden-after", envDuration("VOICEDESK_RELEASE_HIDDEN_AFTER", 30*time.Second),
		"how long the window stays hidden to the tray before its page is released to free memory (loaded again when shown); 0 keeps it")
	showVersion := flag.Bool("version", false, "print the version and the source's revision, and exit")
	flag.Usage = usage
	flag.Parse()

	req, err := parseCommand(flag.Args())
	cfg := config{discovery: *discovery, settingsPath: *settingsPath, bridgeAddr: *bridgeAddr, bridgeOrigins: *bridgeOrigins,
		headless: *headless, control: *control, kiosk: *kioskFlag, policyPath: *policyPath, minimized: *minimized,
		keepalive: *keepalive, giveUp: *giveUp, attended: *attended, releaseHidden: *releaseHidden, req: req, version: *showVersion}
	if err != nil {
		return cfg, errUsage{err.Error()}
	}
	return cfg, nil
}

// applyPolicy applies the administrator's policy file (a kiosk, the
// discovery URL: they win over the flags) and checks the combination.
func (c *config) applyPolicy() error {
	policy, err := settings.LoadPolicy(c.policyPath)
	if err != nil {
		return errUsage{err.Error()}
	}
	c.kiosk = c.kiosk || policy.Kiosk
	if policy.DiscoveryURL != "" {
		c.discovery = policy.DiscoveryURL
	}
	if a := policy.AutoAnswer; a != nil {
		if err := (phone.AutoAnswer{Mode: phone.AutoAnswerMode(a.Mode), DelaySeconds: a.DelaySeconds}).Validate(); err != nil {
			return errUsage{fmt.Sprintf("policy file %s: %v", c.policyPath, err)}
		}
		c.autoAnswer = a
	}
	if c.headless && c.bridgeAddr == "" {
		return errUsage{"--headless needs --bridge (nothing could reach the phone)"}
	}
	if c.keepalive <= 0 || c.giveUp <= 0 {
		return errUsage{"--sip-keepalive and --sip-give-up must be positive durations (e.g. 25s, 5m)"}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func usage() {
	_, _ = fmt.Fprintf(flag.CommandLine.Output(), `VoiceDesk, a desktop softphone.

  voicedesk [flags]                 start the app (or bring the running one forward)
  voicedesk [flags] LINK            dial a tel:, callto:, sip: or sips: link or a number
  voicedesk [flags] call NUMBER     the same, from a script
  voicedesk [flags] answer          answer the call that is ringing
  voicedesk [flags] hangup          end the call you are on
  voicedesk [flags] status          the phone's state and calls, as JSON
  voicedesk [flags] integration     the integration API's address and token (while it is on)
  voicedesk --kiosk [flags]         an unattended station (or "kiosk": true in the policy file)
  voicedesk --version               the version and the source's revision

A running app takes the link or command; without one, "call" and a link
start the app, which dials once signed in.

Flags:
`)
	flag.PrintDefaults()
}

// envDuration is the environment variable name as a duration, or def when
// it is unset or not one.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d >= 0 {
		return d
	}
	return def
}
