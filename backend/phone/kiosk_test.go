package phone

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sip"
)

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestStaySignedIn(t *testing.T) {
	prefs := settings.Open(filepath.Join(t.TempDir(), "settings.json"))
	keys := &secrets.Memory{}
	api := &fakePlatform{password: "pw"}
	rec := &recorder{}
	newPhone := func() *Phone {
		return New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/", Settings: prefs, Secrets: keys}, api, rec)
	}
	fast := Recovery{First: time.Millisecond, Max: 4 * time.Millisecond}

	// Nothing remembered: it waits for a person, whose login is kept
	// although "remember me" was not ticked.
	p := newPhone()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.StaySignedIn(ctx, fast) }()
	waitFor(t, "stay-signed-in mode", p.staysSignedIn)
	if p.State().LoggedIn {
		t.Fatal("signed in with nothing remembered")
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw"}); !ok {
		t.Fatal(err)
	}
	if got, _ := keys.Get("alice@x"); got != "secret-key-of-alice@x" {
		t.Fatalf("a kiosk's login was not kept: keyring holds %q", got)
	}
	if st := p.State(); st.Connection != ConnectionRegistered {
		t.Fatalf("connection %q after login", st.Connection)
	}

	// The connection is given up on while the platform is away for three
	// tries: it signs out, and in again once the platform answers.
	api.mu.Lock()
	api.meFails, api.meCalls = 3, 0
	api.mu.Unlock()
	p.onConnState(sip.ConnLost)
	if st := p.State(); st.Connection != ConnectionReconnecting {
		t.Fatalf("connection %q after connection-lost", st.Connection)
	}
	p.onConnState(sip.ConnFailed)
	// restart-phone, logged-out, then logged-in again.
	signedInAgain := func() bool {
		names := rec.names()
		i := slices.Index(names, EventRestart)
		if i < 0 {
			return false
		}
		out := slices.Index(names[i:], EventLoggedOut)
		return out >= 0 && slices.Contains(names[i+out:], EventLoggedIn)
	}
	waitFor(t, "restart-phone, logged-out, then logged-in", signedInAgain)
	api.mu.Lock()
	tries := api.meCalls
	api.mu.Unlock()
	if tries != 4 {
		t.Fatalf("%d sign-in tries, want 4 (three failed while the platform was away)", tries)
	}
	if st := p.State(); st.Connection != ConnectionRegistered {
		t.Fatalf("connection %q after the new sign-in", st.Connection)
	}
	stop()
	<-done
	p.Close()

	// A restart (the crash a supervisor restarts from) signs in by itself.
	p = newPhone()
	defer p.Close()
	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	go p.StaySignedIn(ctx, fast)
	waitFor(t, "the sign-in from the keyring", func() bool { return p.State().LoggedIn })
}
