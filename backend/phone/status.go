package phone

import (
	"context"
	"fmt"
	"strings"
	"time"

	"voicedesk/backend/platform"
)

// EventUserStatusChanged is the reference's user-status-changed; its detail
// is the new status (PublicUserStatusInterface).
const EventUserStatusChanged = "user-status-changed"

// ErrBadStatus is SetUserStatus's error for an unknown availability type.
var ErrBadStatus = coded("bad-status", "Availability must be 1 (Available), 2 (Busy), 3 (Do not disturb), 4 (Off work), 5 (Be right back) or 6 (Away)")

// Default polling of the availability: the lab's (and, as far as its public
// documents say, the platform's) API has no event stream the phone may use,
// so it asks, gently: every 15 s, and every minute while requests fail.
const (
	statusPoll        = 15 * time.Second
	statusPollOnError = time.Minute
)

// GetUserStatus is the reference's getUserStatus.
func (p *Phone) GetUserStatus(ctx context.Context) (platform.UserStatus, error) {
	s, err := p.sessionOrErr()
	if err != nil {
		return platform.UserStatus{}, err
	}
	st, err := p.api.Status(ctx, s)
	if err != nil {
		p.apiFailed(err)
		return platform.UserStatus{}, err
	}
	p.noteStatus(st)
	return st, nil
}

// SetUserStatus changes the availability (a VoiceDesk addition for its own
// UI: the reference has no setter); user-status-changed follows.
func (p *Phone) SetUserStatus(ctx context.Context, eventTypeID int, note string) (platform.UserStatus, error) {
	if eventTypeID < platform.StatusAvailable || eventTypeID > platform.StatusAway {
		return platform.UserStatus{}, fmt.Errorf("%w (got %d)", ErrBadStatus, eventTypeID)
	}
	s, err := p.sessionOrErr()
	if err != nil {
		return platform.UserStatus{}, err
	}
	st, err := p.api.SetStatus(ctx, s, eventTypeID, strings.TrimSpace(note))
	if err != nil {
		p.apiFailed(err)
		return platform.UserStatus{}, err
	}
	p.noteStatus(st)
	return st, nil
}

// noteStatus remembers the last status seen and emits user-status-changed
// when it differs.
func (p *Phone) noteStatus(st platform.UserStatus) {
	if p.pres.noteStatus(st) {
		p.emit.Emit(EventUserStatusChanged, st)
	}
}

// pollStatus follows the availability until ctx ends (logout, Close).
func (p *Phone) pollStatus(ctx context.Context) {
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := p.GetUserStatus(rctx)
		cancel()
		wait = p.statusEvery
		if err != nil && ctx.Err() == nil {
			p.log.Debug("poll availability", "error", err)
			wait = max(wait, statusPollOnError)
		}
	}
}
