package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"voicedesk/backend/bridge"
	"voicedesk/backend/integration"
	"voicedesk/backend/phone"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/test/desktop"
)

// dialAPI connects as an integration would; status is the HTTP answer
// (0 when nothing listens).
func dialAPI(rpc, token, origin string) (*websocket.Conn, int, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: 2 * time.Second}
	c, resp, err := d.Dial(rpc+"?token="+token, h)
	if resp != nil {
		return c, resp.StatusCode, err
	}
	return c, 0, err
}

// call sends one JSON-RPC request and returns its error message ("" for
// a result).
func call(t *testing.T, c *websocket.Conn, method string) string {
	t.Helper()
	if err := c.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method}); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		var out struct {
			ID    json.RawMessage           `json:"id"`
			Error *struct{ Message string } `json:"error"`
		}
		if err := c.ReadJSON(&out); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if out.ID == nil {
			continue // a notification (the greeting's init, an event), not the answer
		}
		if out.Error != nil {
			return out.Error.Message
		}
		return ""
	}
}

// The settings view turns the integration API on and off, moves it,
// limits its web pages and renews its token; every change takes effect at
// once and is kept for the next start.
func TestIntegrationSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	prefs := settings.Open(path)
	keyring := &secrets.Memory{}
	app := (&App{window: true, desk: desk{prefs: prefs}}).withWindow()
	app.api = app.newIntegrationAPI(integration.Config{Log: slog.Default(), Secrets: keyring, Prefs: prefs})
	defer app.api.Stop()

	if v := app.win.IntegrationSettings(); v.Enabled || v.RPC != "" || v.Port != integration.DefaultPort || !v.Available {
		t.Fatalf("at first %+v, want off, available, on port %d", v, integration.DefaultPort)
	}

	port := desktop.FreePort(t)
	v, err := app.win.SetIntegrationSettings(integration.Settings{Enabled: true, Port: port,
		Origins: []string{" https://crm.example.com/ ", "", "HTTPS://crm.example.com", "http://localhost:8080"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"https://crm.example.com", "http://localhost:8080"}; !slices.Equal(v.Origins, want) {
		t.Errorf("origins kept %q, want %q", v.Origins, want)
	}
	if !v.Enabled || v.RPC != "ws://127.0.0.1:"+itoa(port)+"/rpc" || len(v.Token) != 48 {
		t.Fatalf("turned on: %+v", v)
	}
	if kept, _ := keyring.Get(":integration-token"); kept != v.Token {
		t.Errorf("the token is not the keyring's")
	}
	c, status, err := dialAPI(v.RPC, v.Token, "https://crm.example.com")
	if err != nil {
		t.Fatalf("an allowed page cannot connect: %d %v", status, err)
	}
	// The phone surface is found by the reference's names (this App has
	// no phone behind it: found is what is checked)...
	if msg := call(t, c, "getUserStatus"); strings.Contains(msg, "method not found") {
		t.Errorf("getUserStatus over the API: %q", msg)
	}
	// ...and fail-closed: every method of the window surface, whatever its
	// name, is unknown to a CRM page.
	wt := reflect.TypeOf(app.win)
	for i := 0; i < wt.NumMethod(); i++ {
		m := wt.Method(i).Name
		if msg := call(t, c, bridge.ReferenceName(m)); !strings.Contains(msg, "method not found") {
			t.Errorf("%s over the API answered %q; it is the window's only", m, msg)
		}
	}
	if _, status, _ := dialAPI(v.RPC, v.Token, "https://evil.example.com"); status != http.StatusForbidden {
		t.Errorf("a foreign page got %d, want 403", status)
	}
	if _, status, _ := dialAPI(v.RPC, strings.Repeat("0", 48), ""); status != http.StatusUnauthorized {
		t.Errorf("a wrong token got %d, want 401", status)
	}
	if got := app.api.Current(); got.RPC != v.RPC || got.Token != v.Token {
		t.Errorf("voicedesk integration would print %+v", got)
	}

	// Bad input is refused and changes nothing.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name string
		in   integration.Settings
		want string
	}{
		{"a system port", integration.Settings{Enabled: true, Port: 80}, "port 80: choose one from 1024 to 65535"},
		{"no such port", integration.Settings{Enabled: true, Port: 70000}, "port 70000"},
		{"an origin without a scheme", integration.Settings{Enabled: true, Port: port, Origins: []string{"crm.example.com"}}, `web page "crm.example.com"`},
		{"an origin with a path", integration.Settings{Enabled: true, Port: port, Origins: []string{"https://crm.example.com/app"}}, "https://crm.example.com/app"},
		{"not a web page", integration.Settings{Enabled: true, Port: port, Origins: []string{"ftp://files.example.com"}}, "ftp://"},
		{"a port in use", integration.Settings{Enabled: true, Port: busyPort}, "cannot start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := app.win.SetIntegrationSettings(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to say %q", err, tc.want)
			}
			if got.RPC != v.RPC || !got.Enabled || got.Port != port {
				t.Fatalf("after the refusal %+v, want it still on at %s", got, v.RPC)
			}
		})
	}
	// Still connected: it is answered (call fails the test on a closed
	// connection), and still refused the window's methods.
	if msg := call(t, c, "desktopSettings"); !strings.Contains(msg, "method not found") {
		t.Fatalf("after refused changes DesktopSettings answered %q, want method not found", msg)
	}

	// A new token: the connected integration is dropped, the old token
	// refused, the new one taken, on the same address.
	renewed, err := app.win.RenewIntegrationToken()
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token == v.Token || renewed.RPC != v.RPC {
		t.Fatalf("renewed %+v, want a new token at %s", renewed, v.RPC)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Error("the old token's connection is still open")
	}
	if _, status, _ := dialAPI(v.RPC, v.Token, ""); status != http.StatusUnauthorized {
		t.Errorf("the old token got %d, want 401", status)
	}
	c2, status, err := dialAPI(renewed.RPC, renewed.Token, "")
	if err != nil {
		t.Fatalf("the new token: %d %v", status, err)
	}
	defer c2.Close()

	// Kept: the next start serves it again, with the same token.
	saved, err := prefs.Load()
	if err != nil || !saved.Integration.Enabled || saved.Integration.Port != port {
		t.Fatalf("kept %+v, %v", saved.Integration, err)
	}
	app.api.Stop()
	next := (&App{window: true, desk: desk{prefs: prefs}}).withWindow()
	next.api = next.newIntegrationAPI(integration.Config{Log: slog.Default(), Secrets: keyring, Prefs: prefs})
	defer next.api.Stop()
	if _, err := next.api.StartSaved(saved.Integration); err != nil {
		t.Fatal(err)
	}
	if got := next.win.IntegrationSettings(); got.RPC != v.RPC || got.Token != renewed.Token {
		t.Fatalf("the next start serves %+v, want %s with the renewed token", got, v.RPC)
	}

	// Off: nothing listens, and it stays off.
	if off, err := next.win.SetIntegrationSettings(integration.Settings{Enabled: false, Port: port}); err != nil || off.Enabled || off.RPC != "" {
		t.Fatalf("turned off: %+v, %v", off, err)
	}
	if _, _, err := dialAPI(v.RPC, renewed.Token, ""); err == nil {
		t.Fatal("the API answers after it was turned off")
	}
	if s, _ := prefs.Load(); s.Integration.Enabled {
		t.Fatal("off is not kept")
	}
}

// --bridge fixes the API for the run: the settings view cannot move it.
func TestIntegrationFixedByTheCommandLine(t *testing.T) {
	prefs := settings.Open(filepath.Join(t.TempDir(), "s.json"))
	app := (&App{window: true, desk: desk{prefs: prefs}}).withWindow()
	app.api = app.newIntegrationAPI(integration.Config{Log: slog.Default(), Secrets: &secrets.Memory{}, Prefs: prefs, Fixed: true, EnvToken: strings.Repeat("t", 32)})
	defer app.api.Stop()
	if _, err := app.api.Start("127.0.0.1:0", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := app.win.SetIntegrationSettings(integration.Settings{Enabled: false}); err == nil || !strings.Contains(err.Error(), "--bridge") {
		t.Fatalf("turning off a --bridge API: %v", err)
	}
	if _, err := app.win.RenewIntegrationToken(); err == nil || !strings.Contains(err.Error(), "VOICEDESK_BRIDGE_TOKEN") {
		t.Fatalf("renewing a token given by the environment: %v", err)
	}
	v := app.win.IntegrationSettings()
	if !v.Fixed || !v.TokenFixed || !v.Enabled || v.Token != strings.Repeat("t", 32) {
		t.Fatalf("%+v", v)
	}
	b, _ := json.Marshal(v)
	if !strings.Contains(string(b), `"fixed":true`) {
		t.Fatalf("JSON %s", b)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Both surfaces reject with the phone's stable code beside its message:
// the window's promise ({message, code}) and the API's JSON-RPC error data.
func TestRejectionsCarryTheCode(t *testing.T) {
	err := fmt.Errorf("%w (callId %q)", phone.ErrNoSuchCall, "x")
	if got := formatError(err).(rejection); got.Code != "no-such-call" || got.Message != err.Error() {
		t.Errorf("the window's rejection %+v, want the message and code no-such-call", got)
	}
	if got, _ := errorData(err).(map[string]string); got["code"] != "no-such-call" {
		t.Errorf("the API's error data %v, want code no-such-call", errorData(err))
	}
	if got := errorData(errors.New("disk full")); got != nil {
		t.Errorf("an error without a code has data %v, want none", got)
	}
}
