package phone_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

// timers is phone.Config.After by hand: the test fires what was scheduled.
type timers struct {
	mu  sync.Mutex
	all []*timer
}

type timer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ts *timers) after(d time.Duration, f func()) func() {
	t := &timer{d: d, f: f}
	ts.mu.Lock()
	ts.all = append(ts.all, t)
	ts.mu.Unlock()
	return func() { ts.mu.Lock(); t.stopped = true; ts.mu.Unlock() }
}

// live returns the timers not stopped.
func (ts *timers) live() []*timer {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []*timer
	for _, t := range ts.all {
		if !t.stopped {
			out = append(out, t)
		}
	}
	return out
}

// The SIP WebSocket's SDK token is renewed by the phone before it expires
// (at 80% of its life), from the platform, with no host involved; the
// next connection uses the new one. Signing out stops the renewal.
func TestSDKTokenIsRenewedBeforeItExpires(t *testing.T) {
	ts := &timers{}
	agent := phonetest.NewAgent()
	p := phone.New(phone.Config{NewUserAgent: agent.New(), NewMedia: (&phonetest.Medias{}).New, StatusPoll: -1, PNPSFirst: -1, After: ts.after},
		phonetest.NewPlatform(100), newEvents())
	defer p.Close()
	ctx := context.Background()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"}); !ok {
		t.Fatal(err)
	}
	if got := agent.Token(); got != "sdk-0" {
		t.Fatalf("the first connection's token %q, want the SIP settings' sdk-0", got)
	}
	for round, want := range []string{"sdk-1", "sdk-2"} {
		live := ts.live()
		if len(live) != 1 || live[0].d != 80*time.Second {
			t.Fatalf("round %d: timers %+v, want one at 80 s (80%% of 100 s)", round, live)
		}
		live[0].stopped = true // fired
		live[0].f()
		if got := agent.Token(); got != want {
			t.Errorf("round %d: the next connection's token %q, want %s", round, got, want)
		}
	}
	p.Logout(true)
	if live := ts.live(); len(live) != 0 {
		t.Errorf("after sign-out %d renewal timers are live, want none", len(live))
	}
}
