// Package webview lets the hidden window cost almost nothing: while the
// window is hidden to the tray (the agent's usual state) its page's web
// process is ended after a while, which frees what WebKit holds for it
// (the page's heap, caches, its rendering: most of the app's memory), and
// the page is loaded again as the window is shown. The phone runs in Go
// throughout; the page keeps nothing of its own but the recent calls,
// which are in the browser storage WebKit keeps in its network process,
// and it reads the rest (the user, the calls in progress) from the
// backend as it starts, as after a reload mid-call.
package webview

import (
	"os"
	"sync"
	"time"
)

// Sleeper decides when the hidden page is released and brought back.
type Sleeper struct {
	// After is how long the window stays hidden before its page is
	// released: a window shown again soon after is not reloaded.
	After time.Duration
	// Release ends the page's process; Reload loads the page again.
	Release, Reload func()
	// Trim, when set, runs TrimAfter after a release unless the window was
	// shown first: it gives back what the window's side of the process
	// held for the page (Trim in this package), once the ended page's
	// memory was freed.
	Trim      func()
	TrimAfter time.Duration
	// AfterFunc is time.AfterFunc, or a test's clock.
	AfterFunc func(time.Duration, func()) Stopper

	mu       sync.Mutex
	pending  Stopper
	released bool
	// generation tells a timer that fired late from the one pending.
	generation int
}

// Stopper is a pending timer (*time.Timer).
type Stopper interface{ Stop() bool }

// Hidden is told that the window was hidden: the page is released After
// from now unless the window is shown first.
func (s *Sleeper) Hidden() {
	if s == nil || s.After <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != nil || s.released {
		return // a release (or its trim) is pending, or done
	}
	after := s.AfterFunc
	if after == nil {
		after = func(d time.Duration, f func()) Stopper { return time.AfterFunc(d, f) }
	}
	s.generation++
	gen := s.generation
	s.pending = after(s.After, func() {
		s.mu.Lock()
		if gen != s.generation || s.pending == nil {
			s.mu.Unlock()
			return // shown meanwhile
		}
		s.pending, s.released = nil, true
		if s.Trim != nil {
			s.pending = after(s.TrimAfter, func() {
				s.mu.Lock()
				trim := gen == s.generation && s.pending != nil
				s.pending = nil
				s.mu.Unlock()
				if trim {
					s.Trim()
				}
			})
		}
		s.mu.Unlock()
		s.Release()
	})
}

// Shown is told that the window is about to be shown: a pending release
// is cancelled, and a released page is loaded again.
func (s *Sleeper) Shown() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.generation++
	if s.pending != nil {
		s.pending.Stop()
		s.pending = nil
	}
	reload := s.released
	s.released = false
	s.mu.Unlock()
	if reload {
		s.Reload()
	}
}

// Tune sets, for the web processes WebKit starts from now on (they inherit
// this process's environment), what makes the page lighter. JavaScriptCore
// runs the page without its JIT compilers: the page's script is small and
// runs on events (a render when the phone's state changes), and the JIT's
// code and compiler threads cost memory for nothing there. Measured with
// bench/callbench -app-only: PSS of the open window 226 MB instead of
// 236-243 MB, launch to the login screen 285-321 ms (unchanged), idle and
// call CPU inside their spread. A JSC_useJIT the user set is kept.
func Tune() {
	if _, set := os.LookupEnv("JSC_useJIT"); !set {
		_ = os.Setenv("JSC_useJIT", "false")
	}
}
