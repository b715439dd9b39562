package phone

import (
	"context"
	"encoding/json"
	"errors"
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

// Changes to the availability and the role made elsewhere (another phone,
// the platform's UI, a supervisor) reach the phone on the platform's event
// channel (the discovery answer's rteEndpoint) within moments. The poll
// stays for what the channel cannot tell: every 15 s while the channel is
// down or the platform has none (every minute while requests fail), and
// every 5 minutes while it is open, in case an event was lost. The channel
// is opened again after 1 s, doubling to a minute while it keeps failing.
const (
	statusPoll         = 15 * time.Second
	statusPollOnError  = time.Minute
	statusResync       = 5 * time.Minute
	eventsRetryFirst   = time.Second
	eventsRetryLongest = time.Minute
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

// pollStatus reads the availability, and a V2 user's role, until ctx ends
// (logout, Close): at once, then as often as the event channel's state asks,
// and again whenever kick fires (the channel was lost).
func (p *Phone) pollStatus(ctx context.Context, kick <-chan struct{}) {
	wait := time.Duration(0)
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-kick:
			timer.Stop()
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := p.pollOnce(rctx)
		cancel()
		wait = p.statusEvery
		if p.pres.eventsOpen() {
			wait = max(wait, statusResync)
		}
		if err != nil && ctx.Err() == nil {
			p.log.Debug("poll availability", "error", err)
			wait = max(wait, statusPollOnError)
		}
	}
}

// pollOnce reads the availability, and a V2 user's role; an answer that
// an event of the channel overtook is dropped (the event is newer).
func (p *Phone) pollOnce(ctx context.Context) error {
	s, err := p.sessionOrErr()
	if err != nil {
		return err
	}
	asOf := p.pres.heardSoFar()
	st, err := p.api.Status(ctx, s)
	if err != nil {
		p.apiFailed(err)
		return err
	}
	if p.pres.noteStatusAsOf(st, &asOf, false) {
		p.emit.Emit(EventUserStatusChanged, st)
	}
	if p.pres.selectedRole() == nil {
		return nil // a V1 user: no roles
	}
	asOf = p.pres.heardSoFar()
	r, err := p.api.CurrentRole(ctx, s)
	if err != nil {
		return err
	}
	p.noteRoleAsOf(r, &asOf, false)
	return nil
}

// followEvents keeps the platform's event channel open for session s
// until ctx ends, and turns its events into user-status-changed and
// user-role-changed. As the channel opens it reads the availability and
// role (what changed while it was closed); when it is lost it kicks the
// poll, which takes over.
func (p *Phone) followEvents(ctx context.Context, s *platform.Session, kick chan<- struct{}) {
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	backoff := eventsRetryFirst
	for {
		var opened time.Time
		err := p.api.FollowEvents(ctx, s, func() {
			opened = p.now()
			p.pres.setEventsOpen(true)
			p.log.Info("event channel open")
			// What changed while the channel was closed, read before its
			// first event is handled (events are read after this returns).
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if err := p.pollOnce(rctx); err != nil && ctx.Err() == nil {
				p.log.Debug("read availability as the event channel opened", "error", err)
			}
			cancel()
		}, func(ev platform.Event) { p.onPlatformEvent(s, ev) })
		p.pres.setEventsOpen(false)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, platform.ErrNoEventChannel) {
			p.log.Info("the platform offers no event channel: availability and role are polled", "every", p.statusEvery.String(), "detail", err)
			return
		}
		poke()
		if !opened.IsZero() && p.now().Sub(opened) > eventsRetryLongest {
			backoff = eventsRetryFirst // it was up a good while: a new outage
		}
		p.log.Warn("event channel lost; polling until it is back", "retryIn", backoff.String(), "error", err)
		timer := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		backoff = min(2*backoff, eventsRetryLongest)
	}
}

// onPlatformEvent handles one event of the channel: the signed-in user's
// own, and the directory's news of colleagues; only well-formed ones.
func (p *Phone) onPlatformEvent(s *platform.Session, ev platform.Event) {
	if ev.Type == platform.EventColleagueStatus {
		p.onColleagueEvent(ev) // anyone's
		return
	}
	if ev.UserID != s.UserID {
		return
	}
	switch ev.Type {
	case platform.EventUserStatus:
		var st platform.UserStatus
		if err := json.Unmarshal(ev.Data, &st); err != nil || st.EventTypeID == 0 {
			p.log.Warn("event channel: a malformed availability was ignored", "error", err)
			return
		}
		if p.pres.noteStatusAsOf(st, nil, true) {
			p.emit.Emit(EventUserStatusChanged, st)
		}
	case platform.EventUserRole:
		var r platform.UserRole
		if err := json.Unmarshal(ev.Data, &r); err != nil || r.Name == "" {
			p.log.Warn("event channel: a malformed role was ignored", "error", err)
			return
		}
		p.noteRoleAsOf(r, nil, true)
	}
}
