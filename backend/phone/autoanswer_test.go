package phone_test

import (
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/sip"
)

// An auto-answered call rings first (at least a second), then is answered
// as if the agent had clicked Answer; with a call up it waits for the
// agent.
func TestAutoAnswerAnswersAfterTheRing(t *testing.T) {
	r := newRig(t)
	if err := r.p.SetAutoAnswer(phone.AutoAnswer{Mode: phone.AutoAnswerQueue}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	d := r.agent.Ring("+358401000123", phone.Offer{Queue: sip.Queue{ID: "q1", Name: "Sales"}})
	if got := d.Status(); got != 180 {
		t.Fatalf("at once: %d, want it ringing (180)", got)
	}
	waitStatus(t, d, 200, 5*time.Second)
	if rang := time.Since(start); rang < 900*time.Millisecond {
		t.Errorf("answered after %v: it must ring a second first", rang)
	}

	// With that call up, a second queue call rings until the agent acts.
	d2 := r.agent.Ring("+358401000124", phone.Offer{Queue: sip.Queue{ID: "q1", Name: "Sales"}})
	time.Sleep(1500 * time.Millisecond)
	if got := d2.Status(); got != 180 {
		t.Errorf("a second call while on a call: %d, want it left ringing (180)", got)
	}
	d2.Cancel()

	if err := r.p.SetAutoAnswer(phone.AutoAnswer{Mode: "always"}); err == nil {
		t.Error("an unknown mode was accepted")
	}
	if got := r.p.AutoAnswerSetting(); got.Mode != phone.AutoAnswerQueue {
		t.Errorf("a refused setting changed it: %+v", got)
	}
}

func waitStatus(t *testing.T, d interface{ Status() int }, want int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); d.Status() != want; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the INVITE's answer is %d, want %d within %v", d.Status(), want, within)
		}
	}
}
