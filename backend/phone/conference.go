package phone

import (
	"context"
	"fmt"
	"slices"

	"voicedesk/backend/conference"
)

// A local three-way call (a VoiceDesk addition): the agent's two connected
// calls merged on this desk (backend/conference mixes them), each far end
// hearing the agent and the other, the agent hearing both. Mute silences
// the agent's voice only; hanging up one call leaves the other connected;
// split puts one back on hold. conference-started and conference-ended
// tell the window and integrations.

// Conference events.
const (
	EventConferenceStarted = "conference-started"
	EventConferenceEnded   = "conference-ended"
)

// Why a conference ended (ConferenceEvent.Reason).
const (
	ConferenceSplit  = "split"  // SplitCall, or a merged call put on hold
	ConferenceHangup = "hangup" // one of its calls ended
)

// ConferenceEvent is the detail of conference-started and -ended.
type ConferenceEvent struct {
	// CallIDs are the merged calls, the one whose sound device is used
	// first.
	CallIDs []string `json:"callIds"`
	Reason  string   `json:"reason,omitempty"`
}

// Errors of merging and splitting.
var (
	ErrNothingToMerge = coded("nothing-to-merge", "Merging takes two connected calls (one of them may be on hold)")
	ErrAlreadyMerged  = coded("already-merged", "The calls are already merged")
	ErrNotMerged      = coded("not-merged", "No calls are merged")
	ErrTransferMerged = coded("transfer-merged", "Split the merged calls before transferring one")
)

// localConference is the merge under way (Phone.conf, under Phone.mu).
type localConference struct {
	mixer *conference.Mixer
	// legs: the primary (its sound device is the conference's) first.
	legs []*call
}

func (lc *localConference) ids() []string {
	ids := make([]string, len(lc.legs))
	for i, c := range lc.legs {
		ids[i] = c.ev.CallID
	}
	return ids
}

func (lc *localConference) has(c *call) bool { return slices.Contains(lc.legs, c) }

// MergeCalls merges the agent's two connected calls into a local
// conference: a held one is taken off hold first. It returns the merged
// calls' ids.
func (p *Phone) MergeCalls(ctx context.Context) ([]string, error) {
	legs, err := p.mergeable()
	if err != nil {
		return nil, err
	}
	for _, c := range legs {
		c.mu.Lock()
		held := c.localHold
		c.mu.Unlock()
		if held {
			if err := p.hold(ctx, c.ev.CallID, false); err != nil {
				return nil, fmt.Errorf("merge the calls: %w", err)
			}
		}
	}
	p.mu.Lock()
	if p.conf != nil {
		p.mu.Unlock()
		return nil, ErrAlreadyMerged
	}
	// The primary's own sound is the conference's microphone and speaker.
	legs[0].mu.Lock()
	patch := legs[0].patch
	legs[0].mu.Unlock()
	if patch == nil {
		p.mu.Unlock()
		return nil, ErrNothingToMerge
	}
	mic, speaker := patch.Own()
	lc := &localConference{mixer: conference.New(mic, speaker), legs: legs}
	muted := false
	for _, c := range legs {
		c.mu.Lock()
		muted = muted || c.muted
		c.mu.Unlock()
	}
	lc.mixer.SetMuted(muted)
	for _, c := range legs {
		leg := lc.mixer.Add()
		c.mu.Lock()
		m, pt := c.media, c.patch
		c.mu.Unlock()
		// Mute is the mixer's now: the session sends what the mixer gives.
		m.SetMuted(false)
		pt.Route(leg, leg)
	}
	p.conf = lc
	if p.consultation != nil && lc.has(p.consultation.consult) {
		p.consultation = nil // the consulted transfer became a conference
	}
	p.mu.Unlock()
	if muted {
		for _, c := range legs {
			c.mu.Lock()
			m := c.muted
			c.mu.Unlock()
			if !m {
				p.step(c, inputMute, nil) // the agent is muted for everyone
			}
		}
	}
	ids := lc.ids()
	p.log.Info("calls merged", "callIds", ids, "muted", muted)
	p.emit.Emit(EventConferenceStarted, ConferenceEvent{CallIDs: ids})
	return ids, nil
}

// mergeable finds the two calls to merge: connected (held or not), not
// being transferred, not a supervision; the one not on hold first.
func (p *Phone) mergeable() ([]*call, error) {
	p.mu.Lock()
	signedIn, merged := p.session != nil, p.conf != nil
	p.mu.Unlock()
	if !signedIn {
		return nil, ErrNotLoggedIn
	}
	if merged {
		return nil, ErrAlreadyMerged
	}
	var active, held []*call
	// Each call under its own lock, never under the phone's (the lock
	// order); the oldest first among the active ones.
	calls := p.activeCalls()
	slices.SortFunc(calls, func(a, b *call) int { return a.ev.StartTime.Compare(b.ev.StartTime) })
	for _, c := range calls {
		c.mu.Lock()
		ok := c.state == CallConnected && c.sv == nil && !c.transferring && c.media != nil
		onHold := c.localHold
		c.mu.Unlock()
		switch {
		case !ok:
		case onHold:
			held = append(held, c)
		default:
			active = append(active, c)
		}
	}
	legs := append(active, held...)
	if len(legs) != 2 {
		return nil, fmt.Errorf("%w (%d connected)", ErrNothingToMerge, len(legs))
	}
	return legs, nil
}

// SplitCall ends the conference: keepCallID ("" for the first merged)
// stays connected, the other goes on hold.
func (p *Phone) SplitCall(ctx context.Context, keepCallID string) error {
	p.mu.Lock()
	lc := p.conf
	p.mu.Unlock()
	if lc == nil {
		return ErrNotMerged
	}
	keep := lc.legs[0]
	if keepCallID != "" {
		keep = nil
		for _, c := range lc.legs {
			if c.ev.CallID == keepCallID {
				keep = c
			}
		}
		if keep == nil {
			return fmt.Errorf("%w: %q is not one of the merged calls", ErrNoSuchCall, keepCallID)
		}
	}
	if !p.dissolve(lc, ConferenceSplit) {
		return ErrNotMerged
	}
	for _, c := range lc.legs {
		if c != keep {
			if err := p.hold(ctx, c.ev.CallID, true); err != nil {
				return fmt.Errorf("split the calls: %w", err)
			}
		}
	}
	return nil
}

// dissolve ends lc if it is the conference under way: each call is back
// on its own sound, muted as the conference was. False when it was over
// already.
func (p *Phone) dissolve(lc *localConference, reason string) bool {
	p.mu.Lock()
	if p.conf != lc || lc == nil {
		p.mu.Unlock()
		return false
	}
	p.conf = nil
	p.mu.Unlock()
	muted := lc.mixer.Muted()
	for _, c := range lc.legs {
		c.mu.Lock()
		m, pt := c.media, c.patch
		c.mu.Unlock()
		pt.Restore()
		if m != nil {
			m.SetMuted(muted)
		}
	}
	lc.mixer.Close()
	ids := lc.ids()
	p.log.Info("merged calls split", "callIds", ids, "reason", reason)
	p.emit.Emit(EventConferenceEnded, ConferenceEvent{CallIDs: ids, Reason: reason})
	return true
}

// conferenceOf is the conference c is merged in, or nil.
func (p *Phone) conferenceOf(c *call) *localConference {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conf != nil && p.conf.has(c) {
		return p.conf
	}
	return nil
}

// muteMerged mutes or unmutes the agent in c's conference: every merged
// call says so. False when c is not merged.
func (p *Phone) muteMerged(c *call, on bool) bool {
	lc := p.conferenceOf(c)
	if lc == nil {
		return false
	}
	lc.mixer.SetMuted(on)
	in := inputUnmute
	if on {
		in = inputMute
	}
	for _, l := range lc.legs {
		l.mu.Lock()
		m := l.muted
		l.mu.Unlock()
		if m != on {
			p.step(l, in, nil)
		}
	}
	return true
}
