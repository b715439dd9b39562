package phone

import (
	"log/slog"
	"sync"
	"time"
)

// refusals logs the INVITEs the phone declines before they ring (offers it
// cannot take, calls beyond call waiting): one line a second at most, the
// next one counting those left out, so that a flood of INVITEs (a
// misrouted dialer, an attack through the proxy) cannot flood the log.
type refusals struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

const refusalLogEvery = time.Second

func (r *refusals) note(log *slog.Logger, now time.Time, msg string, args ...any) {
	r.mu.Lock()
	if !r.last.IsZero() && now.Sub(r.last) < refusalLogEvery {
		r.skipped++
		r.mu.Unlock()
		return
	}
	skipped := r.skipped
	r.last, r.skipped = now, 0
	r.mu.Unlock()
	if skipped > 0 {
		args = append(args, "alsoDeclinedSinceLastLine", skipped)
	}
	log.Warn(msg, args...)
}
