package phone

import (
	"sort"
	"time"
)

// CallView is a call in progress as a (re)attaching UI shows it: the
// detail of its events, where it is, whether it is held or muted, and since
// when it is connected. A window reloaded, or a browser-mode page whose
// bridge reconnected, mid-call reads these from State instead of an empty
// list.
type CallView struct {
	Detail CallEvent `json:"detail"`
	// State in the element's words: calling (dialing), ringing (the far
	// end rings), incoming (rings here), connected.
	State       string     `json:"state"`
	Held        bool       `json:"held,omitempty"`
	Muted       bool       `json:"muted,omitempty"`
	ConnectedAt *time.Time `json:"connectedAt,omitempty"`
	// Merged: the call is in a local conference (conference.go).
	Merged bool `json:"merged,omitempty"`
}

// elementStates names the call model's states as the element does.
var elementStates = map[CallState]string{
	CallDialing:    "calling",
	CallFarRinging: "ringing",
	CallRinging:    "incoming",
	CallConnected:  "connected",
}

// callViews are the calls in progress, oldest first.
func (p *Phone) callViews() []CallView {
	var out []CallView
	p.mu.Lock()
	lc := p.conf
	p.mu.Unlock()
	for _, c := range p.activeCalls() {
		merged := lc != nil && lc.has(c)
		c.mu.Lock()
		st, ok := elementStates[c.state]
		v := CallView{Detail: c.ev, State: st, Held: c.localHold, Muted: c.muted, Merged: merged}
		if !c.connectedAt.IsZero() {
			at := c.connectedAt
			v.ConnectedAt = &at
		}
		c.mu.Unlock()
		if ok {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detail.StartTime.Before(out[j].Detail.StartTime) })
	return out
}

// activeCalls are the calls in progress, in no order; each is read after
// under its own lock, never under the phone's (the lock order).
func (p *Phone) activeCalls() []*call {
	p.mu.Lock()
	defer p.mu.Unlock()
	calls := make([]*call, 0, len(p.active))
	for _, c := range p.active {
		calls = append(calls, c)
	}
	return calls
}
