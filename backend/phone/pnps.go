package phone

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EventPNPSQuery (VoiceDesk's own) asks the UI to show a due PNPS query;
// its detail is the query (platform.PNPSQuery). The reference's phone shows
// these as notifications of its own UI.
const EventPNPSQuery = "pnps-query"

// PNPSMissionTypes are the reference's PNPSMissionTypeEnum values.
var PNPSMissionTypes = []string{"default", "standalone", "salesforce", "d365"}

// Errors of the PNPS methods.
var (
	ErrPNPSMissionType = coded("pnps-mission-type", "Unsupported PNPS mission type. Use 'default', 'standalone', 'salesforce' or 'd365'")
	ErrPNPSAfterLogin  = coded("pnps-after-login", "PNPS mission type must be set before login")
	ErrPNPSScore       = coded("pnps-score", "PNPS score must be a whole number from 0 to 10")
	ErrPNPSComment     = coded("pnps-comment", "PNPS comment may be at most 1000 characters")
	ErrNoPNPSQuery     = coded("no-pnps-query", "No such PNPS query is waiting for an answer")
)

// When the phone looks for a due PNPS query after login, and how often.
const (
	pnpsFirst = 2 * time.Minute
	pnpsEvery = time.Hour
)

// SetPNPSMissionType is the reference's setPNPSMissionType(type): the
// context of the PNPS queries; only before login.
func (p *Phone) SetPNPSMissionType(t string) error {
	// The reference's values exactly ('salesforce', not 'Salesforce').
	ok := false
	for _, m := range PNPSMissionTypes {
		ok = ok || m == t
	}
	if !ok {
		return fmt.Errorf("%w (got %q)", ErrPNPSMissionType, t)
	}
	p.mu.Lock()
	in := p.session != nil || p.loggingIn
	p.mu.Unlock()
	if in {
		return ErrPNPSAfterLogin
	}
	p.pres.setPNPS(t, nil)
	return nil
}

// DisablePNPSQuery is the disable-pnps-query attribute: no PNPS queries
// are asked. Like the mission type it takes effect at the next login.
func (p *Phone) DisablePNPSQuery(off bool) {
	p.pres.setPNPS("", &off)
}

// pollPNPS looks for a due PNPS query after first, then every every, until
// ctx ends; each new query is emitted once.
func (p *Phone) pollPNPS(ctx context.Context, first, every time.Duration) {
	wait := first
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = every
		s, err := p.sessionOrErr()
		if err != nil {
			return
		}
		mission, shown, _ := p.pres.pnps()
		q, err := p.api.DuePNPSQuery(ctx, s, mission)
		if err != nil {
			p.apiFailed(err)
			p.log.Info("pnps query", "error", err)
			continue
		}
		if q == nil || q.ID == shown {
			continue
		}
		p.pres.showPNPS(q.ID)
		p.emit.Emit(EventPNPSQuery, *q)
	}
}

// AnswerPNPS answers the shown PNPS query: a score 0..10 and an optional
// comment (VoiceDesk's surface for its own UI).
func (p *Phone) AnswerPNPS(ctx context.Context, queryID string, score int, comment string) error {
	if score < 0 || score > 10 {
		return fmt.Errorf("%w (got %d)", ErrPNPSScore, score)
	}
	if utf8.RuneCountInString(comment) > 1000 {
		return ErrPNPSComment
	}
	return p.finishPNPS(ctx, queryID, &score, strings.TrimSpace(comment))
}

// DismissPNPS dismisses the shown PNPS query.
func (p *Phone) DismissPNPS(ctx context.Context, queryID string) error {
	return p.finishPNPS(ctx, queryID, nil, "")
}

func (p *Phone) finishPNPS(ctx context.Context, queryID string, score *int, comment string) error {
	s, err := p.sessionOrErr()
	if err != nil {
		return err
	}
	_, shown, _ := p.pres.pnps()
	if queryID == "" || queryID != shown {
		return ErrNoPNPSQuery
	}
	if err := p.api.AnswerPNPS(ctx, s, queryID, score, comment); err != nil {
		p.apiFailed(err)
		return err
	}
	return nil
}
