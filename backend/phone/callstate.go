package phone

import (
	"errors"
	"fmt"
)

// CallState is where a call is in its life. The moves between states are
// one table (next); Phone.step applies them under the call's lock and is
// the only place that emits a call's life-cycle events, so they are
// emitted once each, in the state's order, and a late input (a 200 OK
// crossing the hang-up, a second provisional answer) emits nothing.
type CallState int

const (
	// CallNew: created, nothing emitted yet.
	CallNew CallState = iota
	// CallDialing: an outbound call, its INVITE sent (call-started).
	CallDialing
	// CallFarRinging: an outbound call the far end has answered
	// provisionally (180, 183: call-in-progress).
	CallFarRinging
	// CallRinging: an incoming call ringing here (call-incoming).
	CallRinging
	// CallConnected: the call is up (call-confirmed; an incoming call's
	// call-answered first).
	CallConnected
	// CallEnded: over, whichever way (call-ended).
	CallEnded
)

func (s CallState) String() string {
	switch s {
	case CallNew:
		return "new"
	case CallDialing:
		return "dialing"
	case CallFarRinging:
		return "far-ringing"
	case CallRinging:
		return "ringing"
	case CallConnected:
		return "connected"
	case CallEnded:
		return "ended"
	}
	return fmt.Sprintf("CallState(%d)", int(s))
}

// callInput is what moves a call.
type callInput int

const (
	inputDial        callInput = iota // an outbound call placed (its INVITE goes out)
	inputOffered                      // an INVITE for this phone
	inputProvisional                  // the far end's 1xx to our INVITE
	inputConnected                    // the call is up: a 200 OK to our INVITE, or ours sent
	inputEnded                        // over: hung up, cancelled, rejected, failed
	inputSupervision                  // the platform's supervision call, which the phone answers itself
	// A connected call's flags (nextFlags).
	inputHold   // held here (pauseCall)
	inputResume // taken off hold (resumeCall)
	inputMute   // muted (muteCall)
	inputUnmute // unmuted (unmuteCall)
)

func (in callInput) String() string {
	switch in {
	case inputDial:
		return "dial"
	case inputOffered:
		return "offered"
	case inputProvisional:
		return "provisional"
	case inputConnected:
		return "connected"
	case inputEnded:
		return "ended"
	case inputSupervision:
		return "supervision"
	case inputHold:
		return "hold"
	case inputResume:
		return "resume"
	case inputMute:
		return "mute"
	case inputUnmute:
		return "unmute"
	}
	return fmt.Sprintf("callInput(%d)", int(in))
}

// errNoMove: the input does not move the call from its state (a late or
// repeated input); nothing is emitted.
var errNoMove = errors.New("no move")

// move is a transition: the state reached and the events it emits, in order.
type move struct {
	to   CallState
	emit []string
}

// next is the call model: from a state, an input moves the call (and emits
// events) or is refused with errNoMove.
func next(from CallState, in callInput) (move, error) {
	switch {
	case from == CallNew && in == inputDial:
		return move{CallDialing, []string{EventCallStarted}}, nil
	case from == CallNew && in == inputOffered:
		return move{CallRinging, []string{EventCallIncoming}}, nil
	case from == CallNew && in == inputSupervision:
		// It rings nowhere: no call-incoming; answered, it is confirmed
		// as any incoming call.
		return move{CallRinging, nil}, nil
	case from == CallDialing && in == inputProvisional:
		return move{CallFarRinging, []string{EventCallInProgress}}, nil
	case (from == CallDialing || from == CallFarRinging) && in == inputConnected:
		return move{CallConnected, []string{EventCallConfirmed}}, nil
	case from == CallRinging && in == inputConnected:
		return move{CallConnected, []string{EventCallAnswered, EventCallConfirmed}}, nil
	case from != CallNew && from != CallEnded && in == inputEnded:
		return move{CallEnded, []string{EventCallEnded}}, nil
	}
	return move{}, fmt.Errorf("%w: %s from %s", errNoMove, in, from)
}

// flags are what a connected call has besides its state: held by this
// side, muted.
type flags struct{ held, muted bool }

// nextFlags is the connected call's half of the model: only a connected
// call is held or muted, each change once, each with its event.
func nextFlags(st CallState, f flags, in callInput) (flags, string, error) {
	if st != CallConnected {
		return f, "", fmt.Errorf("%w: %s on a %s call", errNoMove, in, st)
	}
	switch {
	case in == inputHold && !f.held:
		f.held = true
		return f, EventCallPaused, nil
	case in == inputResume && f.held:
		f.held = false
		return f, EventCallResumed, nil
	case in == inputMute && !f.muted:
		f.muted = true
		return f, EventCallMuted, nil
	case in == inputUnmute && f.muted:
		f.muted = false
		return f, EventCallUnmuted, nil
	}
	return f, "", fmt.Errorf("%w: %s with held=%t muted=%t", errNoMove, in, f.held, f.muted)
}

// step moves c by in and emits what the move emits, detail being the
// events' payload (c's CallEvent when nil). It is the only emitter of a
// call's life-cycle events; a refused input (errNoMove) emits nothing and
// is logged at debug level. stepMu keeps one call's moves and their
// events in order when two goroutines step it (the API's EndCall path and
// the call's own). The events are emitted holding stepMu, which is why an
// Emitter only queues (the app's is backend/events' Hub: its readers run
// on their own goroutines and may call the phone).
func (p *Phone) step(c *call, in callInput, detail *CallEvent) bool {
	c.stepMu.Lock()
	defer c.stepMu.Unlock()
	c.mu.Lock()
	if in >= inputHold {
		f, name, err := nextFlags(c.state, flags{held: c.localHold, muted: c.muted}, in)
		if err != nil {
			c.mu.Unlock()
			p.log.Debug("call input without a move", "callId", c.ev.CallID, "error", err)
			return false
		}
		c.localHold, c.muted = f.held, f.muted
		ev := c.ev
		c.mu.Unlock()
		p.emit.Emit(name, ev)
		return true
	}
	m, err := next(c.state, in)
	if err != nil {
		c.mu.Unlock()
		p.log.Debug("call input without a move", "callId", c.ev.CallID, "error", err)
		return false
	}
	switch m.to {
	case CallConnected:
		c.connectedAt = p.now()
		close(c.up)
	case CallEnded:
		defer close(c.over) // after call-ended
	}
	c.state = m.to
	ev := c.ev
	c.mu.Unlock()
	if detail != nil {
		ev = *detail
	}
	for _, name := range m.emit {
		p.emit.Emit(name, ev)
	}
	return true
}
