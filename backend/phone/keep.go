package phone

import (
	"context"
	"errors"
	"time"
)

// ErrorSignInAgain is phone-error's detail (VoiceDesk's own) when the
// connection was given up on and no remembered login can sign in again:
// the user is at the login screen and is told why.
const ErrorSignInAgain = "sign-in-again"

// KeepInService is the host's part the reference asks for on every desk:
// when the connection is given up on (connection-failed, restart-phone),
// the phone signs out and in again. With a remembered login it signs in
// silently, retrying with backoff while the platform or the network is
// away (a person signing in by hand meanwhile ends the retries); with
// none the user is back at the login screen, told why (phone-error
// sign-in-again after logged-out). It runs until ctx ends. A kiosk runs
// StaySignedIn instead, which does this and more.
func (p *Phone) KeepInService(ctx context.Context, r Recovery) {
	if r.First <= 0 || r.Max < r.First {
		r = DefaultRecovery
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.connFailed:
		}
		p.log.Warn("the connection was given up on; signing out and in again")
		p.signOut(true)
		if !p.signInAgain(ctx, r) {
			return
		}
	}
}

// signInAgain signs in with the remembered login, retrying with backoff;
// false when ctx ended first.
func (p *Phone) signInAgain(ctx context.Context, r Recovery) bool {
	wait := r.First
	for {
		_, err := p.Resume(ctx)
		switch {
		case err == nil, errors.Is(err, ErrAlreadyLoggedIn):
			return true
		case errors.Is(err, ErrNothingRemembered):
			p.emit.Emit(EventPhoneError, ErrorSignInAgain)
			return true
		case ctx.Err() != nil:
			return false
		}
		p.log.Warn("signing in again failed; trying again", "in", wait.String(), "error", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, r.Max)
	}
}
