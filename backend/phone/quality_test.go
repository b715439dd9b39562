package phone_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
)

// A connected call's line quality is taken every 2 s on the phone's clock
// and announced (call-quality-changed) only when the verdict changes; the
// checks stop when the call ends. Each row is the figures at one check and
// what the window is told then.
func TestCallQualityChanges(t *testing.T) {
	good := media.Stats{PacketsReceived: 1000}
	rows := []struct {
		rule  string
		stats media.Stats
		want  string // the quality announced, "" for none
	}{
		{"no audio yet: nothing to say", media.Stats{}, ""},
		{"the first verdict is announced", good, "good"},
		{"an unchanged verdict is not announced again", media.Stats{PacketsReceived: 2000}, ""},
		{"2% of the interval's packets lost is fair", media.Stats{PacketsReceived: 2980, PacketsLost: 20}, "fair"},
		{"70 ms of jitter is poor", media.Stats{PacketsReceived: 3980, PacketsLost: 20, Jitter: 70}, "poor"},
		{"a round trip of 700 ms stays poor, unannounced", media.Stats{PacketsReceived: 4980, PacketsLost: 20, RTT: 700 * time.Millisecond}, ""},
		{"a clean interval is good again, though the call lost packets before", media.Stats{PacketsReceived: 5980, PacketsLost: 20, RTT: 20 * time.Millisecond}, "good"},
		{"no packet in the interval (an outage) is poor", media.Stats{PacketsReceived: 5980, PacketsLost: 20}, "poor"},
		{"the audio back is good", media.Stats{PacketsReceived: 6980, PacketsLost: 20}, "good"},
	}
	ts := &timers{}
	r := newRig(t, func(c *phone.Config) { c.After = ts.after })
	id, dlg := r.connected()
	m := r.medias.Last()
	for _, row := range rows {
		live := ts.live()
		if len(live) != 1 || live[0].d != 2*time.Second {
			t.Fatalf("%s: timers %+v, want one quality check in 2 s", row.rule, live)
		}
		m.SetStats(row.stats)
		before := len(r.ev.from(phone.EventCallConfirmed + " " + id))
		live[0].stopped = true // fired
		live[0].f()
		got := r.ev.from(phone.EventCallConfirmed + " " + id)[before:]
		var want []string
		if row.want != "" {
			want = []string{phone.EventCallQualityChanged + " " + id + " " + row.want}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: emitted %q, want %q", row.rule, got, want)
		}
	}
	dlg.HangUp()
	r.ev.await(t, id, phone.EventCallEnded)
	if live := ts.live(); len(live) != 0 {
		t.Errorf("after the call ended %d quality checks are pending, want none", len(live))
	}
}

// TestRTPTimeout: a connected call whose far end's audio stopped ends as
// media-failed (with a BYE) after RTPTimeout of silence, counted on the
// phone's clock; a held call, which no audio is due on, never does.
func TestRTPTimeout(t *testing.T) {
	rows := []struct {
		rule string
		// received: the far end's packet count at each check, 2 s apart.
		received []uint32
		hold     bool // the far end holds the call first
		endsAt   int  // the check after which the call has ended (-1: none)
	}{
		{"audio flowing: the call goes on", []uint32{100, 200, 300, 400, 500, 600}, false, -1},
		{"a 6 s gap is a hiccup, not a dead call", []uint32{100, 100, 100, 100, 200, 300}, false, -1},
		{"8 s without audio ends the call", []uint32{100, 100, 100, 100, 100, 100}, false, 4},
		{"no audio ever: 8 s from the start", []uint32{0, 0, 0, 0, 0}, false, 3},
		{"a held call gets no audio and goes on", []uint32{100, 100, 100, 100, 100, 100, 100}, true, -1},
	}
	for _, row := range rows {
		t.Run(row.rule, func(t *testing.T) {
			ts := &timers{}
			var mu sync.Mutex
			now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			r := newRig(t, func(c *phone.Config) { c.After = ts.after; c.Now = clock; c.RTPTimeout = 8 * time.Second })
			id, dlg := r.connected()
			m := r.medias.Last()
			if row.hold {
				if _, err := r.agent.Reinvite(dlg, "sendonly"); err != nil {
					t.Fatal(err)
				}
			}
			endedAt := -1
			for i, n := range row.received {
				live := ts.live()
				if len(live) != 1 {
					t.Fatalf("check %d: %d timers pending, want the quality check", i, len(live))
				}
				mu.Lock()
				now = now.Add(2 * time.Second)
				mu.Unlock()
				m.SetStats(media.Stats{PacketsReceived: n})
				live[0].stopped = true
				live[0].f()
				if len(ts.live()) == 0 { // no next check: the call is ending
					endedAt = i
					break
				}
			}
			if endedAt != row.endsAt {
				t.Fatalf("the call ended after check %d, want %d", endedAt, row.endsAt)
			}
			if row.endsAt < 0 {
				dlg.HangUp()
				r.ev.await(t, id, phone.EventCallEnded)
				return
			}
			r.ev.await(t, id, phone.EventCallEnded)
			if reason := r.ev.endReason(id); reason != phone.EndMediaFailed {
				t.Fatalf("endReason %q, want %q", reason, phone.EndMediaFailed)
			}
			if dlg.Hangups() != 1 {
				t.Fatalf("%d BYEs sent, want 1", dlg.Hangups())
			}
		})
	}
}
