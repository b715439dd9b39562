package ratelog

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	l := New(time.Second)
	rows := []struct {
		rule    string
		at      time.Duration
		ok      bool
		skipped int
	}{
		{"the first line passes", 0, true, 0},
		{"one within the second is held back", 300 * time.Millisecond, false, 0},
		{"so is another", 900 * time.Millisecond, false, 0},
		{"a second later one passes, counting the two held back", 1100 * time.Millisecond, true, 2},
		{"the count starts again", 2200 * time.Millisecond, true, 0},
	}
	for _, r := range rows {
		ok, skipped := l.Allow(t0.Add(r.at))
		if ok != r.ok || skipped != r.skipped {
			t.Errorf("%s: Allow = %v, %d; want %v, %d", r.rule, ok, skipped, r.ok, r.skipped)
		}
	}
}
