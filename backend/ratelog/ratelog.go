// Package ratelog lets a log line through at most once a period, counting
// the ones it held back: what a flood (of INVITEs, of malformed messages)
// would otherwise write a line each for.
package ratelog

import (
	"sync"
	"time"
)

// Limiter passes one line a period. The zero value is not usable: make it
// with New.
type Limiter struct {
	every time.Duration

	mu      sync.Mutex
	last    time.Time
	skipped int
}

// New returns a Limiter that passes a line every period.
func New(every time.Duration) *Limiter { return &Limiter{every: every} }

// Allow tells whether a line at now is written; when it is, skipped is the
// number held back since the last one written (for that line to say).
func (l *Limiter) Allow(now time.Time) (ok bool, skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.skipped++
		return false, 0
	}
	skipped, l.skipped, l.last = l.skipped, 0, now
	return true, skipped
}
