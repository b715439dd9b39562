package calls

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
)

func kamcmd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("kamcmd", append([]string{"-s", "unix:" + filepath.Join(lab.Dir, "kamailio-ctl.sock")}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kamcmd %v: %v: %s", args, err, out)
	}
	return string(out)
}

var wsID = regexp.MustCompile(`(?m)^\s*(\d+): ws`)

// closeWebSockets makes Kamailio drop every WebSocket, as a network cut
// would: the phones must reconnect.
func closeWebSockets(t *testing.T) {
	t.Helper()
	for _, m := range wsID.FindAllStringSubmatch(kamcmd(t, "ws.dump"), -1) {
		kamcmd(t, "ws.close", m[1])
	}
}

func fakeJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(fmt.Sprintf(`{"sub":"x","exp":%d}`, exp.Unix()))) + "." + enc([]byte("not-signed"))
}

// The SIP WebSocket needs the SDK token the platform issued; updateJWT
// renews it, and the phone reconnects with the renewed one.
func TestSDKTokenAndUpdateJWT(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	sdk := lab.WebSocketURL + "sdk"
	for _, tc := range []struct {
		rule  string
		token string
	}{
		{"a WebSocket to /sdk without a token is refused", ""},
		{"a token the platform did not issue is refused", fakeJWT(time.Now().Add(time.Hour))},
	} {
		tok := tc.token
		a, err := sip.New(sip.Config{Server: sdk, User: lab.Probe.Username, Domain: lab.Domain, Password: lab.Probe.Password,
			Token: func() string { return tok }})
		if err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithTimeout(ctx, 3*time.Second)
		if err := a.Register(rctx); err == nil {
			t.Errorf("%s: registered", tc.rule)
		}
		rcancel()
		a.Close()
	}

	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, StatusPoll: -1, PNPSFirst: -1,
		Connection: sip.MaintainConfig{Check: 300 * time.Millisecond, GiveUpAfter: 40 * time.Second, MaxBackoff: 500 * time.Millisecond}},
		platform.New(platform.Config{}), ev)
	defer p.Close()
	if err := p.UpdateJWT(fakeJWT(time.Now().Add(time.Hour))); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("updateJWT before login: %v", err)
	}
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login (registers over /sdk with the platform's token): %v", err)
	}
	for _, tc := range []struct {
		rule  string
		token string
		want  error
	}{
		{"the token is a JWT", "abc", phone.ErrBadJWT},
		{"the JWT's parts are base64url JSON", "a.b.c", phone.ErrBadJWT},
		{"an expired token is refused", fakeJWT(time.Now().Add(-time.Minute)), phone.ErrExpiredJWT},
	} {
		if err := p.UpdateJWT(tc.token); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}

	// A token the platform never issued: the next connection is refused.
	if err := p.UpdateJWT(fakeJWT(time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	closeWebSockets(t)
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionLost)
	time.Sleep(2 * time.Second)
	ev.mu.Lock()
	for _, e := range ev.all {
		if e.name == phone.EventPhoneError && e.detail == phone.ErrorConnectionRestored {
			t.Error("reconnected with a token the platform did not issue")
		}
	}
	ev.mu.Unlock()
	// The host renews it (the reference's GetJWTFromAPI + updateJWT).
	res, err := p.MakeAPICall(ctx, "POST", "users/[me]/sdktoken", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := res.(map[string]any)["Token"].(string)
	renewed := time.Now()
	if err := p.UpdateJWT(tok); err != nil {
		t.Fatalf("updateJWT with the platform's new token: %v", err)
	}
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionRestored)
	if err := labctl.Ping(ctx, lab, "sip:alice@"+lab.Domain); err != nil {
		t.Fatalf("alice not reachable after updateJWT: %v", err)
	}
	fmt.Printf("e2e: SDK token: /sdk refused without one; updateJWT with a renewed token reconnected in %v\n", time.Since(renewed).Round(time.Millisecond))
}
