// Package integration is the integration API: the phone's bridge
// (JSON-RPC 2.0 over a loopback WebSocket, backend/bridge) opened to other
// programs, a CRM page or a script. It owns the API's policy: its token
// (VOICEDESK_BRIDGE_TOKEN, else the OS keyring's, else one per run), its
// address (127.0.0.1 only, ports 1024-65535), the web pages allowed, and
// the setting kept in the settings file; and it runs the server (one at a
// time, moved without a gap, stopped at exit).
package integration

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

// DefaultPort is the port the settings view offers first.
const DefaultPort = 7788

// Config says what the API serves and how it is set.
type Config struct {
	// Phone is the surface every client may call (app.go's App); Window
	// the one only the API's own page may (window.go's Window).
	Phone, Window any
	// ErrorData is a JSON-RPC error's data (the phone's stable code).
	ErrorData func(error) any
	// EventMethod is the notification events arrive as.
	EventMethod string
	// UI is the phone's page, served at / to a browser.
	UI  fs.FS
	Log *slog.Logger
	// Secrets keeps the token across restarts (nil: one per run).
	Secrets secrets.Store
	// EnvToken is VOICEDESK_BRIDGE_TOKEN: it replaces the kept token.
	EnvToken string
	// Fixed: --bridge turned the API on for this run; the setting in the
	// settings file does not apply.
	Fixed bool
	// Prefs keeps the setting (nil: it cannot be kept).
	Prefs *settings.Store
	// OnServer is told the server now serving, or nil when the API goes
	// off: the app gives it the phone's events.
	OnServer func(*bridge.Server)
}

// Info is what an integration connects with, while the API is on.
type Info struct {
	RPC     string   `json:"rpc"`
	Token   string   `json:"token"`
	Origins []string `json:"origins,omitempty"`
}

// Settings is the settings view's Integration API section.
type Settings struct {
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

// API runs the bridge: it owns the server's goroutine, which Start and
// Stop end.
type API struct {
	cfg Config

	mu       sync.Mutex
	srv      *bridge.Server
	stopSrv  context.CancelFunc
	done     chan error
	info     Info
	runToken string // without a keyring: this run's token
	lastErr  string // why the saved setting could not start it
}

// New returns the API, off.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.OnServer == nil {
		cfg.OnServer = func(*bridge.Server) {}
	}
	return &API{cfg: cfg}
}

// Errors of the settings; the messages say what to do.
var (
	ErrFixed      = errors.New("the integration API is set by --bridge for this run; start VoiceDesk without it to set it here")
	ErrNotKept    = errors.New("the integration API setting cannot be kept: no settings file (see --settings)")
	ErrTokenFixed = errors.New("the integration token is set by VOICEDESK_BRIDGE_TOKEN; change it there")
)

// token is the token integrations connect with: VOICEDESK_BRIDGE_TOKEN,
// else this installation's from the OS keyring (kept across restarts),
// else, with no keyring, one for this run.
func (g *API) token() (string, error) {
	if g.cfg.EnvToken != "" {
		return g.cfg.EnvToken, nil
	}
	if g.cfg.Secrets != nil {
		tok, err := secrets.IntegrationToken(g.cfg.Secrets)
		if err == nil {
			return tok, nil
		}
		g.cfg.Log.Warn("no OS keyring for the integration token: one for this run only", "error", err)
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

// Start serves the API on addr (a running one is stopped first) and
// returns the UI's URL with its token.
func (g *API) Start(addr string, origins []string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.startLocked(addr, origins)
}

func (g *API) startLocked(addr string, origins []string) (string, error) {
	tok, err := g.token()
	if err != nil {
		return "", err
	}
	// Moving to another port, the old one serves until the new one
	// listens: a port in use leaves the API as it was.
	if g.srv != nil && g.srv.Addr() == addr {
		g.stopLocked()
	}
	b, err := bridge.Listen(bridge.Config{Addr: addr, Token: tok, Origins: origins, Methods: g.cfg.Phone, Own: g.cfg.Window,
		ErrorData: g.cfg.ErrorData, Files: g.cfg.UI, EventMethod: g.cfg.EventMethod, Greeting: "init", Log: g.cfg.Log})
	if err != nil {
		return "", err
	}
	g.stopLocked()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx) }()
	g.srv, g.stopSrv, g.done = b, cancel, done
	g.info = Info{RPC: "ws://" + b.Addr() + "/rpc", Token: tok, Origins: origins}
	g.lastErr = ""
	g.cfg.OnServer(b)
	g.cfg.Log.Info("integration API on", "address", b.Addr(), "origins", origins)
	return "http://" + b.Addr() + "/?token=" + url.QueryEscape(tok), nil
}

// Stop ends the API: its connections close, new ones are refused.
func (g *API) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopLocked()
}

func (g *API) stopLocked() {
	if g.srv == nil {
		return
	}
	g.cfg.OnServer(nil)
	g.stopSrv()
	if err := <-g.done; err != nil {
		g.cfg.Log.Warn("integration API", "error", err)
	}
	g.cfg.Log.Info("integration API off", "address", g.srv.Addr())
	g.srv, g.stopSrv, g.done, g.info = nil, nil, nil, Info{}
}

// Current is the address and token while on ("" RPC while off).
func (g *API) Current() Info {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.info
}

// StartSaved starts the API as the settings keep it, at launch; a port
// in use is logged and shown in the settings view, not fatal.
func (g *API) StartSaved(s settings.Integration) (string, error) {
	if !s.Enabled {
		return "", nil
	}
	link, err := g.Start(Addr(s.Port), s.Origins)
	if err != nil {
		g.mu.Lock()
		g.lastErr = err.Error()
		g.mu.Unlock()
		g.cfg.Log.Warn("the integration API is on in the settings but cannot start", "error", err)
	}
	return link, err
}

// Addr is the API's address for a port (0: DefaultPort): loopback only.
func Addr(port int) string {
	if port == 0 {
		port = DefaultPort
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// Settings returns the setting and, while the API is on, its address and
// token; available says the app has a window to show them in.
func (g *API) Settings(available bool) Settings {
	var saved settings.Integration
	if g.cfg.Prefs != nil {
		s, _ := g.cfg.Prefs.Load()
		saved = s.Integration
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	v := Settings{Available: available, Enabled: saved.Enabled, Port: saved.Port, Origins: saved.Origins,
		Fixed: g.cfg.Fixed, TokenFixed: g.cfg.EnvToken != "", RPC: g.info.RPC, Token: g.info.Token, Error: g.lastErr}
	if v.Port == 0 {
		v.Port = DefaultPort
	}
	if v.Origins == nil {
		v.Origins = []string{}
	}
	if g.cfg.Fixed {
		v.Enabled = g.srv != nil
	}
	return v
}

// Apply turns the API on (at 127.0.0.1:port, for the origins given) or
// off, now and for the next starts. Turned off or moved, its connections
// close. It returns the setting in force, also on an error.
func (g *API) Apply(s Settings, available bool) (Settings, error) {
	if g.cfg.Fixed {
		return g.Settings(available), ErrFixed
	}
	if g.cfg.Prefs == nil {
		return g.Settings(available), ErrNotKept
	}
	if s.Port == 0 {
		s.Port = DefaultPort
	}
	if s.Port < 1024 || s.Port > 65535 {
		return g.Settings(available), fmt.Errorf("port %d: choose one from 1024 to 65535", s.Port)
	}
	origins, err := CleanOrigins(s.Origins)
	if err != nil {
		return g.Settings(available), err
	}
	if s.Enabled {
		if _, err := g.Start(Addr(s.Port), origins); err != nil {
			return g.Settings(available), fmt.Errorf("the integration API cannot start: %w", err)
		}
	} else {
		g.Stop()
		g.mu.Lock()
		g.lastErr = ""
		g.mu.Unlock()
	}
	err = g.cfg.Prefs.Update(func(st *settings.Settings) {
		st.Integration = settings.Integration{Enabled: s.Enabled, Port: s.Port, Origins: origins}
	})
	if err != nil {
		return g.Settings(available), fmt.Errorf("keep the integration API setting: %w", err)
	}
	return g.Settings(available), nil
}

// RenewToken replaces the token: integrations holding the old one are
// disconnected and refused from now on.
func (g *API) RenewToken(available bool) (Settings, error) {
	g.mu.Lock()
	if g.cfg.EnvToken != "" {
		g.mu.Unlock()
		return g.Settings(available), ErrTokenFixed
	}
	g.runToken = ""
	if g.cfg.Secrets != nil {
		if _, err := secrets.RenewIntegrationToken(g.cfg.Secrets); err != nil {
			g.cfg.Log.Warn("no OS keyring for the integration token: a new one for this run only", "error", err)
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
	return g.Settings(available), err
}

// CleanOrigins trims the origins, drops empty lines and duplicates, and
// checks each is scheme://host[:port] (what a browser sends), without a
// trailing slash.
func CleanOrigins(in []string) ([]string, error) {
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
