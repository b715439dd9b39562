package phone

import (
	"log/slog"
	"time"

	"voicedesk/backend/ratelog"
)

// refusals logs the INVITEs the phone declines before they ring (offers it
// cannot take, calls beyond call waiting): one line a second at most, the
// next one counting those left out, so that a flood of INVITEs (a
// misrouted dialer, an attack through the proxy) cannot flood the log.
type refusals struct{ limit *ratelog.Limiter }

func newRefusals() refusals { return refusals{ratelog.New(time.Second)} }

func (r refusals) note(log *slog.Logger, now time.Time, msg string, args ...any) {
	ok, skipped := r.limit.Allow(now)
	if !ok {
		return
	}
	if skipped > 0 {
		args = append(args, "alsoDeclinedSinceLastLine", skipped)
	}
	log.Warn(msg, args...)
}
