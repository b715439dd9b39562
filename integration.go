package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"voicedesk/backend/bridge"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
)

// The integration API is the phone's bridge (JSON-RPC 2.0 over a loopback
// WebSocket) opened to other programs: a CRM page, a script. --bridge
// turns it on for one run at a given address; else Settings → Integration
// API turns it on and off, kept in the settings file.

// defaultIntegrationPort is the port the settings view offers first.
const defaultIntegrationPort = 7788

// integrationAPI runs the bridge: it owns the server's goroutine, which
// start and stop (and close, at exit) end.
type integrationAPI struct {
	app     *App
	ui      fs.FS
	log     *slog.Logger
	secrets secrets.Store
	// envToken is VOICEDESK_BRIDGE_TOKEN: it replaces the kept token.
	envToken string
	// fixed: --bridge turned it on for this run; the settings do not apply.
	fixed bool

	mu       sync.Mutex
	srv      *bridge.Server
	stopSrv  context.CancelFunc
	done     chan error
	info     integration
	runToken string // without a keyring: this run's token
	lastErr  string // why the saved setting could not start it
}

// token is the token integrations connect with: VOICEDESK_BRIDGE_TOKEN,
// else this installation's from the OS keyring (kept across restarts),
// else, with no keyring, one for this run.
func (g *integrationAPI) token() (string, error) {
	if g.envToken != "" {
		return g.envToken, nil
	}
	if g.secrets != nil {
		tok, err := secrets.IntegrationToken(g.secrets)
		if err == nil {
			return tok, nil
		}
		g.log.Warn("no OS keyring for the integration token: one for this run only", "error", err)
	}
	if g.runToken == "" {
		tok, err := secrets.NewToken()
		if err != nil {
			return "", fmt.Errorf("integration token: %w", err)
		}
		g.runToken = tok
	}
	return g.runToken, nil
}

// start serves the API on addr (a running one is stopped first) and
// returns the UI's URL with its token.
func (g *integrationAPI) start(addr string, origins []string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.startLocked(addr, origins)
}

func (g *integrationAPI) startLocked(addr string, origins []string) (string, error) {
	tok, err := g.token()
	if err != nil {
		return "", err
	}
	// Moving to another port, the old one serves until the new one
	// listens: a port in use leaves the API as it was.
	if g.srv != nil && g.srv.Addr() == addr {
		g.stopLocked()
	}
	b, err := bridge.Listen(bridge.Config{Addr: addr, Token: tok, Origins: origins, Methods: g.app, Own: g.app.win, ErrorData: errorData,
		Files: g.ui, EventMethod: eventChannel, Log: g.log})
	if err != nil {
		return "", err
	}
	g.stopLocked()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx) }()
	g.srv, g.stopSrv, g.done = b, cancel, done
	g.info = integration{RPC: "ws://" + b.Addr() + "/rpc", Token: tok, Origins: origins}
	g.lastErr = ""
	g.app.bridge.Store(b)
	g.log.Info("integration API on", "address", b.Addr(), "origins", origins)
	return "http://" + b.Addr() + "/?token=" + url.QueryEscape(tok), nil
}

// stop ends the API: its connections close, new ones are refused.
func (g *integrationAPI) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopLocked()
}

func (g *integrationAPI) stopLocked() {
	if g.srv == nil {
		return
	}
	g.app.bridge.Store(nil)
	g.stopSrv()
	if err := <-g.done; err != nil {
		g.log.Warn("integration API", "error", err)
	}
	g.log.Info("integration API off", "address", g.srv.Addr())
	g.srv, g.stopSrv, g.done, g.info = nil, nil, nil, integration{}
}

// current is the address and token while on ("" RPC while off).
func (g *integrationAPI) current() integration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.info
}

// startSaved starts the API as the settings keep it, at launch; a port
// in use is logged and shown in the settings view, not fatal.
func (g *integrationAPI) startSaved(s settings.Integration) (string, error) {
	if !s.Enabled {
		return "", nil
	}
	link, err := g.start(integrationAddr(s.Port), s.Origins)
	if err != nil {
		g.mu.Lock()
		g.lastErr = err.Error()
		g.mu.Unlock()
		g.log.Warn("the integration API is on in the settings but cannot start", "error", err)
	}
	return link, err
}

func integrationAddr(port int) string {
	if port == 0 {
		port = defaultIntegrationPort
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// IntegrationSettings is the settings view's Integration API section.
type IntegrationSettings struct {
	// Available: the app has a window (the section is the window's).
	Available bool     `json:"available"`
	Enabled   bool     `json:"enabled"`
	Port      int      `json:"port"`
	Origins   []string `json:"origins"`
	// Fixed: --bridge turned the API on for this run; the settings
	// apply when VoiceDesk starts without it.
	Fixed bool `json:"fixed"`
	// TokenFixed: VOICEDESK_BRIDGE_TOKEN sets the token.
	TokenFixed bool `json:"tokenFixed"`
	// RPC and Token are what an integration connects with, while on.
	RPC   string `json:"rpc,omitempty"`
	Token string `json:"token,omitempty"`
	// Error says why the saved setting could not start the API (a port
	// another program holds).
	Error string `json:"error,omitempty"`
}

// IntegrationSettings returns the integration API's setting and, while
// it is on, its address and token.
func (w *Window) IntegrationSettings() IntegrationSettings {
	var saved settings.Integration
	if w.app.desk.prefs != nil {
		s, _ := w.app.desk.prefs.Load()
		saved = s.Integration
	}
	g := w.app.api
	g.mu.Lock()
	defer g.mu.Unlock()
	v := IntegrationSettings{Available: w.app.window, Enabled: saved.Enabled, Port: saved.Port, Origins: saved.Origins,
		Fixed: g.fixed, TokenFixed: g.envToken != "", RPC: g.info.RPC, Token: g.info.Token, Error: g.lastErr}
	if v.Port == 0 {
		v.Port = defaultIntegrationPort
	}
	if v.Origins == nil {
		v.Origins = []string{}
	}
	if g.fixed {
		v.Enabled = g.srv != nil
	}
	return v
}

// SetIntegrationSettings turns the integration API on (at 127.0.0.1:port,
// for the origins given) or off, now and for the next starts. Turned off
// or moved, its connections close.
func (w *Window) SetIntegrationSettings(s IntegrationSettings) (IntegrationSettings, error) {
	g := w.app.api
	if g.fixed {
		return w.IntegrationSettings(), errors.New("the integration API is set by --bridge for this run; start VoiceDesk without it to set it here")
	}
	if w.app.desk.prefs == nil {
		return w.IntegrationSettings(), errors.New("the integration API setting cannot be kept: no settings file (see --settings)")
	}
	if s.Port == 0 {
		s.Port = defaultIntegrationPort
	}
	if s.Port < 1024 || s.Port > 65535 {
		return w.IntegrationSettings(), fmt.Errorf("port %d: choose one from 1024 to 65535", s.Port)
	}
	origins, err := cleanOrigins(s.Origins)
	if err != nil {
		return w.IntegrationSettings(), err
	}
	if s.Enabled {
		if _, err := g.start(integrationAddr(s.Port), origins); err != nil {
			return w.IntegrationSettings(), fmt.Errorf("the integration API cannot start: %w", err)
		}
	} else {
		g.stop()
		g.mu.Lock()
		g.lastErr = ""
		g.mu.Unlock()
	}
	err = w.app.desk.prefs.Update(func(st *settings.Settings) {
		st.Integration = settings.Integration{Enabled: s.Enabled, Port: s.Port, Origins: origins}
	})
	if err != nil {
		return w.IntegrationSettings(), fmt.Errorf("keep the integration API setting: %w", err)
	}
	return w.IntegrationSettings(), nil
}

// RenewIntegrationToken replaces the integration API's token: integrations
// holding the old one are disconnected and refused from now on.
func (w *Window) RenewIntegrationToken() (IntegrationSettings, error) {
	g := w.app.api
	g.mu.Lock()
	if g.envToken != "" {
		g.mu.Unlock()
		return w.IntegrationSettings(), errors.New("the integration token is set by VOICEDESK_BRIDGE_TOKEN; change it there")
	}
	g.runToken = ""
	if g.secrets != nil {
		if _, err := secrets.RenewIntegrationToken(g.secrets); err != nil {
			g.log.Warn("no OS keyring for the integration token: a new one for this run only", "error", err)
		}
	}
	var err error
	if g.srv != nil {
		addr, origins := g.srv.Addr(), g.info.Origins
		if _, err = g.startLocked(addr, origins); err != nil {
			err = fmt.Errorf("the integration API cannot start again with the new token: %w", err)
			g.lastErr = err.Error()
		}
	}
	g.mu.Unlock()
	return w.IntegrationSettings(), err
}

// cleanOrigins trims the origins, drops empty lines and checks each is
// scheme://host[:port] (what a browser sends), without a trailing slash.
func cleanOrigins(in []string) ([]string, error) {
	out := []string{}
	for _, o := range in {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("web page %q: write it as https://host or http://host:port, as the browser's address bar shows it", o)
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, o) }) {
			out = append(out, o)
		}
	}
	return out, nil
}
