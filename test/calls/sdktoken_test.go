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

// The phone renews the SDK token itself before it expires (issue 19): the
// lab issues Bob's tokens for 10 s, so the token of the login has expired
// at Kamailio when the WebSocket is cut 11 s later, and only the renewed
// one lets the phone back in. The test's own token, issued at the same
// time as the login's and never renewed, is refused by then: without the
// renewal the phone would be too.
func TestSDKTokenRenewedByThePhone(t *testing.T) {
	const lifetime = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if err := labctl.SetSDKTokenLifetime(ctx, lab, "bob", lifetime); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := labctl.SetSDKTokenLifetime(context.Background(), lab, "bob", 0); err != nil {
			t.Error(err)
		}
	}()
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, StatusPoll: -1, PNPSFirst: -1,
		Connection: sip.MaintainConfig{Check: 300 * time.Millisecond, GiveUpAfter: 40 * time.Second, MaxBackoff: 500 * time.Millisecond}},
		platform.New(platform.Config{}), ev)
	defer p.Close()
	loggedIn := time.Now()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "bob@voicedesk.lab", Password: "bob-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	// A token issued with the login's, that nobody renews.
	res, err := p.MakeAPICall(ctx, "GET", "users/[me]/sipsettings", nil)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := res.(map[string]any)
	stale, _ := set["Token"].(string)
	if got, _ := set["TokenExpiresIn"].(float64); time.Duration(got)*time.Second != lifetime {
		t.Fatalf("the lab issued a token for %v s, want %v", got, lifetime)
	}

	time.Sleep(time.Until(loggedIn.Add(lifetime + time.Second)))
	// Bob's own SIP password: only the token can make it fail.
	password, _ := set["Password"].(string)
	a, err := sip.New(sip.Config{Server: lab.WebSocketURL + "sdk", User: "bob", Domain: lab.Domain, Password: password,
		Token: func() string { return stale }})
	if err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 3*time.Second)
	if err := a.Register(rctx); err == nil {
		t.Error("a token past its lifetime still opens the SIP WebSocket: the test cannot tell a renewal from none")
	}
	rcancel()
	a.Close()

	cut := time.Now()
	closeWebSockets(t)
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionLost)
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionRestored)
	if err := labctl.Ping(ctx, lab, "sip:bob@"+lab.Domain); err != nil {
		t.Fatalf("bob not reachable after the reconnection: %v", err)
	}
	fmt.Printf("e2e: SDK token of %v renewed by the phone: the login's token refused %v after it was issued, the phone back in %v after the cut\n",
		lifetime, time.Since(loggedIn).Round(time.Second), time.Since(cut).Round(time.Millisecond))
}
