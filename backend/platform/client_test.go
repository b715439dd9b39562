package platform_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/platform"
	"voicedesk/lab/apiserver"
)

// startLabAPI runs the lab's real API server (not a fake) on loopback.
func startLabAPI(t *testing.T) *httptest.Server {
	t.Helper()
	return startLabAPIAt(t, time.Now)
}

// startLabAPIAt runs it with the clock its tokens expire by.
func startLabAPIAt(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	store, err := apiserver.OpenStore(filepath.Join(t.TempDir(), "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// The server must know its own address for discovery, so listen first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	api := apiserver.New(apiserver.Config{BaseURL: base, WebSocketURL: "ws://127.0.0.1:1/", SIPProxy: "127.0.0.1:2", Now: now}, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: api.Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscoverAndLogin(t *testing.T) {
	srv := startLabAPI(t)
	c := platform.New(platform.Config{})
	ctx := context.Background()
	discovery := srv.URL + "/api/user/"

	tests := []struct {
		name     string
		user     string
		password string
		wantErr  error
	}{
		{name: "known user, right password", user: "alice@voicedesk.lab", password: "alice-secret"},
		{name: "user name is case-insensitive", user: "Alice@VoiceDesk.lab", password: "alice-secret"},
		{name: "wrong password", user: "alice@voicedesk.lab", password: "nope", wantErr: platform.ErrUnauthorized},
		{name: "unknown user", user: "mallory@voicedesk.lab", password: "x", wantErr: platform.ErrUnknownUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			silos, err := c.Discover(ctx, discovery, tt.user)
			if err == nil {
				silo, _ := platform.PickSilo(silos, "")
				{
					var s *platform.Session
					s, err = c.LoginCredentials(ctx, silo, tt.user, tt.password)
					if err == nil {
						me, merr := c.Me(ctx, s)
						if merr != nil {
							t.Fatalf("Me: %v", merr)
						}
						if me.ID != apiserver.AliceID || me.DisplayName != "Alice Agent" {
							t.Fatalf("Me = %+v, want Alice", me)
						}
						sip, serr := c.SIPSettings(ctx, s)
						if serr != nil || sip.AuthUser != "alice" || sip.Password == "" {
							t.Fatalf("SIPSettings = %+v, %v", sip, serr)
						}
					}
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDiscoveryRejectsBadURL(t *testing.T) {
	c := platform.New(platform.Config{})
	for _, u := range []string{"", "ftp://x/", "not a url", "/relative"} {
		if _, err := c.Discover(context.Background(), u, "a@b"); err == nil {
			t.Errorf("Discover(%q) succeeded, want error", u)
		}
	}
}

func TestPickSilo(t *testing.T) {
	silos := []platform.Silo{{SiloName: "A"}, {SiloName: "B"}}
	if s, ok := platform.PickSilo(silos, "b"); !ok || s.SiloName != "B" {
		t.Fatalf("PickSilo(b) = %v, %v", s, ok)
	}
	// The reference's "if possible": another silo is the user's first.
	if s, ok := platform.PickSilo(silos, "C"); ok || s.SiloName != "A" {
		t.Fatalf("PickSilo(C) = %v, %v; want A, not matched", s, ok)
	}
}

func TestAPIErrorsAreJSON(t *testing.T) {
	srv := startLabAPI(t)
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/user/", "{", http.StatusBadRequest},
		{"POST", "/api/user/", `{"user":""}`, http.StatusBadRequest},
		{"POST", "/authuser/alice@voicedesk.lab", `{"UserName":"alice@voicedesk.lab"}`, http.StatusBadRequest},
		{"GET", "/users/me", "", http.StatusUnauthorized},
		{"GET", "/no/such/thing", "", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s %s: %d %q, want %d JSON", tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), tc.want)
		}
	}
}

// An impersonation token (the lab's endpoint) works as an AuthHeader
// session until it expires; then calls fail with ErrDenied.
func TestHeaderSession(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	srv := startLabAPIAt(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	c := platform.New(platform.Config{})
	ctx := context.Background()
	silos, err := c.Discover(ctx, srv.URL+"/api/user/", "alice@voicedesk.lab")
	if err != nil {
		t.Fatal(err)
	}
	alice, err := c.LoginCredentials(ctx, silos[0], "alice@voicedesk.lab", "alice-secret")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.Call(ctx, alice, "POST", "users/me/impersonationtoken", map[string]int{"ExpiresIn": 120}, &tok); err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 120 || tok.AccessToken == "" {
		t.Fatalf("token %+v", tok)
	}
	// An agent may not impersonate someone else.
	if err := c.Call(ctx, alice, "POST", "users/"+apiserver.BobID+"/impersonationtoken", nil, nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("agent impersonating bob: %v, want 403", err)
	}
	s, err := platform.NewHeaderSession(silos[0], "alice@voicedesk.lab", apiserver.AliceID, "Bearer "+tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx, s)
	if err != nil || me.ID != apiserver.AliceID {
		t.Fatalf("Me with the token: %+v, %v", me, err)
	}
	mu.Lock()
	now = now.Add(121 * time.Second)
	mu.Unlock()
	if _, err := c.Me(ctx, s); !errors.Is(err, platform.ErrDenied) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("Me with an expired token: %v, want ErrDenied (expired)", err)
	}
	s.SetHeader("Bearer not-a-token")
	if _, err := c.Me(ctx, s); !errors.Is(err, platform.ErrDenied) {
		t.Fatalf("Me with a made-up token: %v, want ErrDenied", err)
	}
}
