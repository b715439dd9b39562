// Package links tests the desktop's own ways in against the lab: a second
// launch with a tel: link dials in the running app, and the command line
// (voicedesk call, status, answer, hangup) drives it. It needs VOICEDESK_APP
// (the built app; make test sets it).
package links

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"voicedesk/backend/linkhandler"
	"voicedesk/backend/phone"
	"voicedesk/test/desktop"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// crmOrigin is the page the integration API lets in besides programs.
const crmOrigin = "http://crm.example.test"

type status struct {
	LoggedIn bool                `json:"loggedIn"`
	Calls    []phone.CallSummary `json:"calls"`
}

func TestSecondLaunchDialsInTheFirst(t *testing.T) {
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pulse.Start(t)
	lab := labtest.Start(ctx, t)
	home := t.TempDir()
	control := filepath.Join(home, "control.sock")
	const token = "links-test-token-0123456789"
	extra := []string{"HOME=" + home, "VOICEDESK_BRIDGE_TOKEN=" + token}
	env := append(os.Environ(), extra...)

	// voicedesk runs a second launch and returns what it printed and its
	// exit code.
	voicedesk := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.CommandContext(ctx, app, append([]string{"--control", control}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("voicedesk %v: %v", args, err)
		}
		// "voicedesk integration" shows the token to whoever runs it; the
		// test's log (kept, and scanned for secrets) does not.
		t.Logf("voicedesk %s -> exit %d: %s", strings.Join(args, " "), code, strings.ReplaceAll(strings.TrimSpace(string(out)), token, "<the token>"))
		return string(out), code
	}
	state := func() status {
		t.Helper()
		out, code := voicedesk("status")
		var s status
		if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
			t.Fatalf("status: exit %d, %q", code, out)
		}
		return s
	}

	// noCalls waits up to 10 s for the first instance to have no call.
	noCalls := func(failure string) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); len(state().Calls) != 0; time.Sleep(300 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatal(failure)
			}
		}
	}

	// Nothing runs yet: the commands say so.
	if out, code := voicedesk("status"); code != 1 || !strings.Contains(out, "not running") {
		t.Fatalf("status with no app: exit %d, %q", code, out)
	}

	// The first instance, headless, signed in as Alice through its bridge.
	first := desktop.StartApp(t, app, filepath.Join(home, "app.log"), control, extra,
		"--headless", "--bridge", "127.0.0.1:0", "--bridge-origins", crmOrigin, "--discovery-url", lab.DiscoveryURL,
		"--settings", filepath.Join(home, "settings.json"))
	u := first.Bridge(t, 20*time.Second)
	rpc, err := desktop.DialBridge(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer rpc.Close()
	if _, err := rpc.Call("login", map[string]any{"type": "Credentials", "username": lab.Demo[0].Username, "password": lab.Demo[0].Password}); err != nil {
		t.Fatal(err)
	}

	// A clicked link: a second launch hands it over and exits at once.
	link := "tel:" + lab.Tone.Number
	if out, code := voicedesk(link); code != 0 || !strings.HasPrefix(out, "call: call ") {
		t.Fatalf("second launch with %s: exit %d, %q", link, code, out)
	}
	// The first instance's call reaches the lab's tone phone, which answers.
	connected := func(number string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second) // the call connects
		for {
			s := state()
			if len(s.Calls) == 1 && s.Calls[0].State == phone.StateConnected && s.Calls[0].Number == number {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no connected call to %s in the first instance: %+v", number, s)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	connected(lab.Tone.Number)
	if _, err := labtest.NewestRecording(lab.Tone.Recordings, "dec"); err != nil {
		t.Fatalf("the tone phone has no recording of the call: %v", err)
	}

	// The command line: bad input gets a clear error, hangup ends the call.
	for _, tc := range []struct{ args []string }{
		{[]string{"tel:+358401234567;ext=12"}},  // an extension would reach someone else
		{[]string{"sip:bob@elsewhere.example"}}, // not this phone's domain
		{[]string{"answer"}},                    // nothing rings
		{[]string{"call"}},                      // no number
		{[]string{"dial", "123"}},               // no such command
	} {
		if out, code := voicedesk(tc.args...); code == 0 || strings.TrimSpace(out) == "" {
			t.Errorf("voicedesk %v: exit %d, %q; want an error", tc.args, code, out)
		}
	}
	if out, code := voicedesk("hangup"); code != 0 || !strings.HasPrefix(out, "hangup: call ") {
		t.Fatalf("hangup: exit %d, %q", code, out)
	}
	noCalls("the call is still there after hangup")
	// "voicedesk call" with the number in pieces, as typed.
	if out, code := voicedesk("call", lab.Tone.Number[:1], lab.Tone.Number[1:]); code != 0 {
		t.Fatalf("call: exit %d, %q", code, out)
	}
	if out, code := voicedesk("hangup"); code != 0 {
		t.Fatalf("hangup: exit %d, %q", code, out)
	}
	// Hung up while dialling: it ends (a 200 OK crossing the CANCEL is
	// answered with a BYE), unconfirmed.
	noCalls("the call hung up while dialling is still there")
	// A plain second launch brings the first forward and exits.
	if _, code := voicedesk(); code != 0 {
		t.Fatalf("a plain second launch: exit %d", code)
	}
	if !state().LoggedIn {
		t.Fatal("the first instance is no longer signed in")
	}

	// A link clicked in a browser: the desktop (xdg-open, its generic
	// way, in a fresh XDG tree) finds VoiceDesk as the tel: app, made so
	// as the settings do from the shipped desktop entry, and runs it with
	// the link; that launch hands it over.
	for k, v := range map[string]string{"XDG_DATA_HOME": filepath.Join(home, "data"), "XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_DATA_DIRS": filepath.Join(home, "system"), "XDG_CONFIG_DIRS": filepath.Join(home, "etc"), "XDG_CURRENT_DESKTOP": "",
		"DESKTOP_SESSION": "", "BROWSER": "", "DISPLAY": ":404", // xdg-open opens links only with a display; nothing is drawn
		"HOME": home, "VOICEDESK_CONTROL": control} {
		t.Setenv(k, v)
	}
	template, err := os.ReadFile("../../build/linux/voicedesk.desktop")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := linkhandler.Register(ctx, app, template); err != nil || !st.Ours {
		t.Fatalf("make VoiceDesk the app for phone links: %+v, %v", st, err)
	}
	if out, err := exec.CommandContext(ctx, "xdg-open", "tel:"+lab.Tone.Number).CombinedOutput(); err != nil {
		t.Fatalf("xdg-open tel:%s: %v: %s", lab.Tone.Number, err, out)
	}
	connected(lab.Tone.Number)
	if out, code := voicedesk("hangup"); code != 0 {
		t.Fatalf("hangup after xdg-open: exit %d, %q", code, out)
	}
	noCalls("the call from xdg-open is still there after hangup")

	// The integration API (the same bridge): who gets in.
	rpcURL := strings.Replace(strings.Replace(u, "http://", "ws://", 1), "/?token=", "/rpc?token=", 1)
	bare, _, _ := strings.Cut(rpcURL, "?")
	for _, tc := range []struct {
		name, url, origin string
		want              int
	}{
		{"no token", bare, "", http.StatusUnauthorized},
		{"a wrong token", bare + "?token=wrong-token-0123456789abcdef", "", http.StatusUnauthorized},
		{"a foreign page", rpcURL, "http://evil.example", http.StatusForbidden},
		{"a foreign page without a token", bare, "http://evil.example", http.StatusUnauthorized},
		{"the allowed CRM page", rpcURL, crmOrigin, http.StatusSwitchingProtocols},
		{"a program (no Origin)", rpcURL, "", http.StatusSwitchingProtocols},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		c, resp, _ := websocket.DefaultDialer.DialContext(ctx, tc.url, h)
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		if c != nil {
			c.Close()
		}
		if got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
	}
	// The token is this installation's, and the running app tells it.
	if out, code := voicedesk("integration"); code != 0 || !strings.Contains(out, token) || !strings.Contains(out, crmOrigin) {
		t.Errorf("integration: exit %d, the token shown: %v, the origin: %v", code, strings.Contains(out, token), strings.Contains(out, crmOrigin))
	}

	// A CRM's JSON-RPC client places and ends a lab call and hears of it.
	crm, err := desktop.DialBridgeFrom(ctx, u, crmOrigin)
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	for _, tc := range []struct {
		method string
		params []any
		want   string
	}{
		{"noSuchMethod", nil, "method not found"},
		// The window's settings are not a CRM page's to change (fail-closed:
		// the bridge serves it the phone surface only).
		{"setDesktopSettings", []any{map[string]any{"keepRunning": false}}, "method not found"},
		{"setIntegrationSettings", []any{map[string]any{"enabled": false}}, "method not found"},
		{"call", []any{42, nil}, "invalid params"},
		{"endCall", []any{"no-such-call"}, "Call not found"},
	} {
		if _, err := crm.Call(tc.method, tc.params...); err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)) {
			t.Errorf("%s%v: %v, want %q", tc.method, tc.params, err, tc.want)
		}
	}
	res, err := crm.Call("call", lab.Tone.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	var callID string
	_ = json.Unmarshal(res, &callID)
	for _, ev := range []string{phone.EventCallStarted, phone.EventCallConfirmed} {
		if err := crm.WaitEvent(ev, 15*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := crm.Call("endCall", callID); err != nil {
		t.Fatal(err)
	}
	if err := crm.WaitEvent(phone.EventCallEnded, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("the CRM client heard %v", crm.Events)
	if len(crm.Events) == 0 || crm.Events[0] != phone.EventInit {
		t.Errorf("the CRM client heard %v first, want the reference's init as it connected", crm.Events)
	}
	if n := strings.Count(strings.Join(crm.Events, " "), phone.EventCallConfirmed); n != 1 {
		t.Errorf("the CRM client heard call-confirmed %d times, want once: %v", n, crm.Events)
	}
}
