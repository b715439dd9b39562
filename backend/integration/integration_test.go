package integration

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"voicedesk/backend/bridge"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type phoneSurface struct{}

func (phoneSurface) State() string { return "ok" }

type windowSurface struct{}

func (windowSurface) MicLevel() float64 { return -20 }

func TestCleanOrigins(t *testing.T) {
	tests := []struct {
		rule string
		in   []string
		want []string
		err  bool
	}{
		{"spaces, a trailing slash and empty lines go", []string{" https://crm.example.com/ ", ""}, []string{"https://crm.example.com"}, false},
		{"a page named twice in other case is kept once", []string{"https://crm.example.com", "HTTPS://crm.example.com"}, []string{"https://crm.example.com"}, false},
		{"a port is part of the origin", []string{"http://localhost:8080"}, []string{"http://localhost:8080"}, false},
		{"no scheme is refused", []string{"crm.example.com"}, nil, true},
		{"a path is refused (a browser never sends one)", []string{"https://crm.example.com/app"}, nil, true},
		{"another scheme is refused", []string{"ftp://crm.example.com"}, nil, true},
		{"credentials are refused", []string{"https://u:p@crm.example.com"}, nil, true},
		{"none is an empty list, not nil (the view shows an empty box)", nil, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := CleanOrigins(tt.in)
			if (err != nil) != tt.err || (!tt.err && !slices.Equal(got, tt.want)) || (!tt.err && got == nil) {
				t.Errorf("CleanOrigins(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	prefs := func(t *testing.T) *settings.Store { return settings.Open(filepath.Join(t.TempDir(), "s.json")) }
	tests := []struct {
		rule string
		cfg  func(t *testing.T) Config
		do   func(g *API) error
		want error
	}{
		{"--bridge fixes the API for the run: the settings cannot change it", func(t *testing.T) Config { return Config{Fixed: true, Prefs: prefs(t)} },
			func(g *API) error { _, err := g.Apply(Settings{Enabled: true}, true); return err }, ErrFixed},
		{"without a settings file the setting cannot be kept", func(t *testing.T) Config { return Config{} },
			func(g *API) error { _, err := g.Apply(Settings{Enabled: true}, true); return err }, ErrNotKept},
		{"VOICEDESK_BRIDGE_TOKEN cannot be renewed from the window", func(t *testing.T) Config { return Config{EnvToken: strings.Repeat("t", 32)} },
			func(g *API) error { _, err := g.RenewToken(true); return err }, ErrTokenFixed},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			g := New(tt.cfg(t))
			defer g.Stop()
			if err := tt.do(g); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// The token is the keyring's, kept across starts; renewed, the API goes
// on with the new one and the server in use is the one the app is told.
func TestTokenAndServer(t *testing.T) {
	keys := &secrets.Memory{}
	var serving *bridge.Server
	g := New(Config{Phone: phoneSurface{}, Window: windowSurface{}, Secrets: keys, Prefs: settings.Open(filepath.Join(t.TempDir(), "s.json")),
		OnServer: func(s *bridge.Server) { serving = s }})
	defer g.Stop()
	if _, err := g.Start("127.0.0.1:0", nil); err != nil {
		t.Fatal(err)
	}
	first := g.Current()
	if kept, _ := secrets.IntegrationToken(keys); kept != first.Token || len(first.Token) != 48 || serving == nil {
		t.Fatalf("token %q (keyring %q), server %v", first.Token, kept, serving)
	}
	v, err := g.RenewToken(true)
	if err != nil {
		t.Fatal(err)
	}
	if v.Token == first.Token || v.RPC != first.RPC {
		t.Errorf("renewed: %+v, want a new token on the same address %s", v, first.RPC)
	}
	g.Stop()
	if serving != nil || g.Current().RPC != "" {
		t.Errorf("stopped, yet serving %v / %+v", serving, g.Current())
	}
}
