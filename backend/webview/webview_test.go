package webview

import (
	"os"
	"testing"
	"time"
)

// fakeTimer is a timer the test fires.
type fakeTimer struct {
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func TestSleeper(t *testing.T) {
	for _, tc := range []struct {
		rule string
		// steps: "hide", "show", "fire" (the newest timer fires, even if
		// stopped: a timer that fired as it was stopped).
		steps                    []string
		releases, reloads, trims int
	}{
		{"a window hidden long enough releases its page", []string{"hide", "fire"}, 1, 0, 0},
		{"shown again, the released page is loaded again", []string{"hide", "fire", "show"}, 1, 1, 0},
		{"shown before the delay, nothing is released or reloaded", []string{"hide", "show", "fire"}, 0, 0, 0},
		{"a window shown that was never hidden is not reloaded", []string{"show"}, 0, 0, 0},
		{"hidden twice, one release", []string{"hide", "hide", "fire"}, 1, 0, 0},
		{"hidden again after a reload, released again", []string{"hide", "fire", "show", "hide", "fire", "show"}, 2, 2, 0},
		{"shown twice after a release, one reload", []string{"hide", "fire", "show", "show"}, 1, 1, 0},
		{"a release is followed by the trim", []string{"hide", "fire", "fire"}, 1, 0, 1},
		{"hidden again while the trim is pending, one trim", []string{"hide", "fire", "hide", "fire"}, 1, 0, 1},
		{"shown before the trim, nothing is trimmed", []string{"hide", "fire", "show", "fire"}, 1, 1, 0},
		{"trimmed, shown and hidden again: released and trimmed again", []string{"hide", "fire", "fire", "show", "hide", "fire", "fire"}, 2, 1, 2},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var timers []*fakeTimer
			releases, reloads, trims := 0, 0, 0
			s := &Sleeper{After: time.Minute, Release: func() { releases++ }, Reload: func() { reloads++ },
				Trim: func() { trims++ }, TrimAfter: time.Second,
				AfterFunc: func(d time.Duration, f func()) Stopper {
					if d != time.Minute && d != time.Second {
						t.Errorf("timer of %v, want the configured minute or second", d)
					}
					ft := &fakeTimer{f: f}
					timers = append(timers, ft)
					return ft
				}}
			for _, step := range tc.steps {
				switch step {
				case "hide":
					s.Hidden()
				case "show":
					s.Shown()
				case "fire":
					if len(timers) > 0 {
						timers[len(timers)-1].f()
					}
				}
			}
			if releases != tc.releases || reloads != tc.reloads || trims != tc.trims {
				t.Errorf("%v: %d releases, %d reloads, %d trims; want %d, %d and %d", tc.steps, releases, reloads, trims, tc.releases, tc.reloads, tc.trims)
			}
		})
	}
}

func TestSleeperOff(t *testing.T) {
	s := &Sleeper{Release: func() { t.Error("released with no delay set") }, Reload: func() { t.Error("reloaded") }}
	s.Hidden()
	s.Shown()
	var none *Sleeper
	none.Hidden()
	none.Shown()
}

func TestTune(t *testing.T) {
	for _, tc := range []struct {
		rule, user string
		set        bool
		want       string
	}{
		{"the page runs without the JIT", "", false, "false"},
		{"a JSC_useJIT the user set is kept", "true", true, "true"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Setenv("JSC_useJIT", tc.user)
			if !tc.set {
				_ = os.Unsetenv("JSC_useJIT")
			}
			Tune()
			if got := os.Getenv("JSC_useJIT"); got != tc.want {
				t.Errorf("JSC_useJIT %q, want %q", got, tc.want)
			}
		})
	}
}
