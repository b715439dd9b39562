package phone

import (
	"context"
	"errors"
	"time"
)

// Recovery is how StaySignedIn retries a sign-in that failed: after First,
// doubling up to Max.
type Recovery struct {
	First, Max time.Duration
}

// DefaultRecovery retries after 1 s, then 2, 4, ... up to 15 s: a kiosk
// whose network or platform comes back is in service again within 15 s.
var DefaultRecovery = Recovery{First: time.Second, Max: 15 * time.Second}

func (p *Phone) staysSignedIn() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.staySignedIn
}

// StaySignedIn keeps an unattended phone (a kiosk station) in service
// until ctx ends: it signs in with the remembered login, retrying with
// backoff while the platform or the network is away; after the connection
// is given up on (connection-failed, restart-phone) it signs out and in
// again, as the reference asks of its host. Every login from then on is
// remembered, so that a person signs in once. Without a remembered login
// it waits for that person.
func (p *Phone) StaySignedIn(ctx context.Context, r Recovery) {
	if r.First <= 0 || r.Max < r.First {
		r = DefaultRecovery
	}
	p.mu.Lock()
	p.staySignedIn = true
	p.mu.Unlock()
	wait := r.First
	for {
		retry := (<-chan time.Time)(nil)
		if !p.State().LoggedIn {
			_, err := p.Resume(ctx)
			switch {
			case err == nil, errors.Is(err, ErrAlreadyLoggedIn): // signed in (by a person, meanwhile)
				wait = r.First
			case errors.Is(err, ErrNothingRemembered):
				p.log.Info("kiosk: no remembered login; waiting for a person to sign in once")
			case ctx.Err() != nil:
				return
			default:
				p.log.Warn("kiosk: sign-in failed; trying again", "in", wait.String(), "error", err)
				retry = time.After(wait)
				wait = min(2*wait, r.Max)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-retry:
		case <-p.connFailed:
			p.log.Warn("kiosk: the connection was given up on; signing in again")
			p.signOut(true)
		}
	}
}
