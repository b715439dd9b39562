package phone

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"voicedesk/backend/links"
)

// What the desktop's own controls (the command line, a second launch, the
// tray) ask of the phone without knowing call ids: the calls in progress,
// answer the one ringing, hang up the one the agent is on.

// Call states of a CallSummary: the call model's (CallState), as the
// desktop's controls and the command line name them.
const (
	StateRinging   = "ringing"   // incoming, not answered yet
	StateDialing   = "dialing"   // outbound, not answered yet
	StateConnected = "connected" // talking
	StateOnHold    = "on-hold"   // connected, held by this side
)

// CallSummary is a call in progress.
type CallSummary struct {
	CallID    string    `json:"callId"`
	Direction string    `json:"callDirection"`
	Number    string    `json:"phoneNumber"`
	Name      string    `json:"displayName,omitempty"`
	State     string    `json:"state"`
	StartTime time.Time `json:"startTime"`
}

// Calls lists the calls in progress, oldest first.
func (p *Phone) Calls() []CallSummary {
	calls := p.activeCalls()
	out := make([]CallSummary, 0, len(calls))
	for _, c := range calls {
		s := CallSummary{CallID: c.ev.CallID, Direction: c.ev.CallDirection, Number: c.ev.PhoneNumber, Name: c.ev.DisplayName, StartTime: c.ev.StartTime}
		c.mu.Lock()
		// The call model's state (callstate.go), as the desktop names it.
		switch {
		case c.state == CallConnected && c.localHold:
			s.State = StateOnHold
		case c.state == CallConnected:
			s.State = StateConnected
		case c.state == CallRinging:
			s.State = StateRinging
		default: // dialing, the far end ringing
			s.State = StateDialing
		}
		c.mu.Unlock()
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartTime.Before(out[j].StartTime) })
	return out
}

// AnswerRinging answers the incoming call that has rung longest and
// returns its id.
func (p *Phone) AnswerRinging() (string, error) {
	if !p.State().LoggedIn {
		return "", ErrNotLoggedIn
	}
	for _, c := range p.Calls() {
		if c.State == StateRinging {
			if err := p.AnswerCall(c.CallID); err != nil {
				return "", err
			}
			return c.CallID, nil
		}
	}
	return "", fmt.Errorf("%w: no incoming call is ringing", ErrNoSuchCall)
}

// HangUp ends the call the agent is on and returns its id: the connected
// call not on hold, else the newest call being dialled, else the newest
// held call. A ringing call is left to answer or reject by its id.
func (p *Phone) HangUp() (string, error) {
	if !p.State().LoggedIn {
		return "", ErrNotLoggedIn
	}
	calls := p.Calls()
	for _, want := range []string{StateConnected, StateDialing, StateOnHold} {
		for i := len(calls) - 1; i >= 0; i-- {
			if calls[i].State == want {
				return calls[i].CallID, p.EndCall(calls[i].CallID)
			}
		}
	}
	return "", fmt.Errorf("%w: no call to hang up", ErrNoSuchCall)
}

// DialLink dials what a click-to-dial link or the command line hands the
// app (a tel:, callto:, sip: or sips: link, or a number as typed; see
// backend/links): a SIP link only within the phone's own domain.
func (p *Phone) DialLink(link string) (string, error) {
	t, err := links.Parse(link)
	if err != nil {
		return "", err
	}
	if t.Domain != "" {
		p.mu.Lock()
		agent, in := p.agent, p.session != nil
		p.mu.Unlock()
		switch {
		case !in:
			return "", ErrNotLoggedIn
		case agent == nil:
			return "", ErrPhoneNotReady
		case !strings.EqualFold(t.Domain, agent.Domain()):
			return "", fmt.Errorf("%w: %s is another domain than this phone's (%s)", links.ErrNotDialable, t.Domain, agent.Domain())
		}
	}
	return p.Call(t.Number)
}

// DialLinkWhenReady is DialLink once the phone is signed in: a link that
// launched the app waits for the sign-in (by hand, or the keyring's
// silent one) until ctx ends. It waits on the sign-in itself, not a poll.
func (p *Phone) DialLinkWhenReady(ctx context.Context, link string) (string, error) {
	for {
		p.mu.Lock()
		ready := p.ready
		p.mu.Unlock()
		id, err := p.DialLink(link)
		if !errors.Is(err, ErrNotLoggedIn) && !errors.Is(err, ErrPhoneNotReady) {
			return id, err
		}
		select {
		case <-ready:
			// Signed in when DialLink looked: signed out since (look
			// again, the next ready is open), or signed in without a
			// registration to wait for.
			if errors.Is(err, ErrPhoneNotReady) {
				return "", err
			}
			continue
		default:
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return "", fmt.Errorf("%w (waited for the phone to sign in)", err)
		}
	}
}
