// Command voicedesk is the VoiceDesk desktop softphone. main only wires:
// flags, logging, the backend, and the Wails window.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"voicedesk/backend/instance"
	"voicedesk/backend/media"
	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sip"
	"voicedesk/backend/soundcard"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

// desktopEntry is the shipped desktop entry: the template of the one the
// settings write to make VoiceDesk the app for phone links.
//
//go:embed build/linux/voicedesk.desktop
var desktopEntry []byte

func main() {
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
	flag.Usage = usage
	flag.Parse()

	// A second launch (a clicked link, "voicedesk call ...") hands over to
	// the running app and exits; so does a plain one, which brings its
	// window forward.
	req, err := parseCommand(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(2)
	}
	handed := req
	if handed.Command == "" {
		handed.Command = cmdShow
	}
	if code, ran := handOver(*control, handed, os.Stdout, os.Stderr); ran {
		os.Exit(code)
	}
	switch req.Command {
	case cmdAnswer, cmdHangup, cmdStatus:
		fmt.Fprintln(os.Stderr, "voicedesk:", instance.ErrNotRunning)
		os.Exit(1)
	}

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)

	policy, err := settings.LoadPolicy(*policyPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(2)
	}
	kiosk := *kioskFlag || policy.Kiosk
	if policy.DiscoveryURL != "" {
		*discovery = policy.DiscoveryURL
	}
	if *headless && *bridgeAddr == "" {
		fmt.Fprintln(os.Stderr, "voicedesk: --headless needs --bridge (nothing could reach the phone)")
		os.Exit(2)
	}
	if *keepalive <= 0 || *giveUp <= 0 {
		fmt.Fprintln(os.Stderr, "voicedesk: --sip-keepalive and --sip-give-up must be positive durations (e.g. 25s, 5m)")
		os.Exit(2)
	}
	if kiosk && os.Getenv(supervisedEnv) == "" {
		// The kiosk's guard: this process only restarts the app after a
		// crash (a few MB); the app is its child.
		os.Exit(superviseKiosk(log))
	}

	if *settingsPath == "" {
		p, err := settings.DefaultPath()
		if err != nil {
			log.Warn("no settings folder; preferences will not persist", "error", err)
		}
		*settingsPath = p
	}
	var prefs *settings.Store
	saved := settings.Settings{}
	if *settingsPath != "" {
		prefs = settings.Open(*settingsPath)
		s, err := prefs.Load()
		if err != nil {
			log.Warn("settings unreadable; using defaults", "error", err)
		}
		saved = s
	}

	app := (&App{desk: desk{kiosk: kiosk, prefs: prefs, log: log}, started: make(chan struct{})}).withWindow()
	// Without a sound system the phone still signals calls; the UI is told
	// (phone-error audio-device-unavailable) when a call or ring needs sound.
	card, err := soundcard.Open(log)
	if err != nil {
		log.Warn("no sound", "error", err)
		card = nil
	}
	app.sound = sound{prefs: prefs, log: log, m: soundcard.NewManager(card, choiceOf(saved.Audio), func(kind, id string, fallback bool) {
		name := phone.ErrorAudioDeviceRestored
		if fallback {
			name = phone.ErrorAudioDeviceLost
		}
		log.Info("audio device", "kind", kind, "id", id, "event", name)
		emitter{app}.Emit(phone.EventPhoneError, name)
	})}
	app.phone = phone.New(phone.Config{DiscoveryURL: *discovery, Language: saved.Language, Log: log, Settings: prefs,
		Secrets:    secrets.Keyring{},
		Sound:      app.sound.m,
		Connection: sip.MaintainConfig{Check: *keepalive, GiveUpAfter: *giveUp},
		// Against a loopback platform (the lab) media must stay on loopback too.
		Media: media.Config{LoopbackOnly: isLoopbackURL(*discovery), Log: log}},
		platform.New(platform.Config{UserAgent: "VoiceDesk"}), emitter{app})
	app.phone.SetPhoneAlerts(settings.On(saved.Audio.Alerts))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app.desk.signalled = ctx
	// This is the running app: later launches hand over to it.
	ctl, err := instance.Listen(*control, app.command, log)
	if errors.Is(err, instance.ErrRunning) { // another launch got there first
		if code, ran := handOver(*control, handed, os.Stdout, os.Stderr); ran {
			os.Exit(code)
		}
	}
	controlDone := make(chan struct{})
	if err != nil {
		log.Warn("no instance socket: a second launch will start a second app", "error", err)
		close(controlDone)
	} else {
		go func() {
			defer close(controlDone)
			if err := ctl.Serve(ctx); err != nil {
				log.Warn("instance socket", "error", err)
			}
		}()
	}
	if req.Command == cmdCall {
		go app.dialAtLaunch(ctx, req.Arg, log)
	}
	ui, _ := fs.Sub(assets, "frontend/dist")
	app.api = &integrationAPI{app: app, ui: ui, log: log, secrets: secrets.Keyring{},
		envToken: os.Getenv("VOICEDESK_BRIDGE_TOKEN"), fixed: *bridgeAddr != ""}
	if *bridgeAddr != "" {
		link, err := app.api.start(*bridgeAddr, splitList(*bridgeOrigins))
		if err != nil {
			fmt.Fprintln(os.Stderr, "voicedesk:", err)
			os.Exit(1)
		}
		// The launching program (a test, a script) reads the address here.
		fmt.Println("bridge", link)
	} else if !*headless {
		if link, err := app.api.startSaved(saved.Integration); err == nil && link != "" {
			fmt.Println("bridge", link)
		}
	}
	if *headless {
		app.startup(ctx)
		<-ctx.Done()
		log.Info("stopping")
		<-controlDone
		app.shutdown(ctx)
		app.api.stop()
		return
	}

	app.window = true
	if n, err := notify.Open(log, app.onNotificationAction); err != nil {
		log.Info("incoming calls will not show as desktop notifications", "error", err)
	} else {
		app.notes = n
	}
	if !kiosk {
		app.startTray(log)
	}
	win := &options.App{
		Title:            "VoiceDesk",
		Width:            400,
		Height:           680,
		MinWidth:         340,
		MinHeight:        520,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 244, G: 246, B: 249, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		OnBeforeClose:    app.beforeClose,
		Bind:             []interface{}{app, app.win},
		ErrorFormatter:   formatError,
		Linux: &linux.Options{
			Icon:        icon,
			ProgramName: "voicedesk",
			// No GPU on kiosk boxes, VMs or Xvfb; software rendering also
			// keeps WebKit's memory down.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	}
	switch {
	case kiosk:
		win.WindowStartState = options.Fullscreen
	case *minimized || saved.Desktop.StartMinimized:
		// In the tray when one shows the icon; else minimized, never lost.
		if app.desk.tray != nil && app.desk.tray.Hosted() {
			win.StartHidden = true
		} else {
			win.WindowStartState = options.Minimised
		}
	}
	// SIGTERM and Ctrl+C end the app as its Quit does.
	ran := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-app.started:
				app.quit()
			case <-ran:
			}
		case <-ran:
		}
	}()
	err = wails.Run(win)
	close(ran)
	stop()
	if app.desk.tray != nil {
		app.desk.tray.Close()
	}
	<-controlDone
	app.api.stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(1)
	}
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
	fmt.Fprintf(flag.CommandLine.Output(), `VoiceDesk, a desktop softphone.

  voicedesk [flags]                 start the app (or bring the running one forward)
  voicedesk [flags] LINK            dial a tel:, callto:, sip: or sips: link or a number
  voicedesk [flags] call NUMBER     the same, from a script
  voicedesk [flags] answer          answer the call that is ringing
  voicedesk [flags] hangup          end the call you are on
  voicedesk [flags] status          the phone's state and calls, as JSON
  voicedesk [flags] integration     the integration API's address and token (while it is on)
  voicedesk --kiosk [flags]         an unattended station (or "kiosk": true in the policy file)

A running app takes the link or command; without one, "call" and a link
start the app, which dials once signed in.

Flags:
`)
	flag.PrintDefaults()
}
