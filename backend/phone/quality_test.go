package phone_test

import (
	"slices"
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
		{"2% loss is fair", media.Stats{PacketsReceived: 980, PacketsLost: 20}, "fair"},
		{"70 ms of jitter is poor", media.Stats{PacketsReceived: 3000, Jitter: 70}, "poor"},
		{"a round trip of 700 ms stays poor, unannounced", media.Stats{PacketsReceived: 3000, RTT: 700 * time.Millisecond}, ""},
		{"back to good", media.Stats{PacketsReceived: 4000, RTT: 20 * time.Millisecond}, "good"},
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
