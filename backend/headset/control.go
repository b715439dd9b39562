package headset

import (
	"log/slog"
	"sync"
)

// Calls is what the headset follows of the phone: the calls ringing (ids,
// oldest first), the call the agent is on (connected and not held; "" for
// none), whether a call is held, and whether the microphone is muted.
type Calls struct {
	Ringing []string
	Active  string
	Held    bool
	Muted   bool
}

// Actions are what the headset's buttons do to the phone.
type Actions interface {
	Answer(callID string) error // holds the call in progress first (call waiting)
	HangUp(callID string) error
	SetMuted(callID string, on bool) error
}

// Writer sends an output report to the device.
type Writer interface {
	Write(report []byte) error
}

// Controller is one headset's call control: Input takes the device's
// reports, Update the phone's calls. Safe for concurrent use.
type Controller struct {
	m   Layout
	w   Writer
	act Actions
	log *slog.Logger

	mu     sync.Mutex
	calls  Calls
	last   State
	lights map[Light]bool
	sent   bool
}

// NewController drives the device laid out as m.
func NewController(m Layout, w Writer, act Actions, log *slog.Logger) *Controller {
	if log == nil {
		log = slog.Default()
	}
	return &Controller{m: m, w: w, act: act, log: log, last: State{}}
}

// Input handles one input report. What the buttons do:
//   - off-hook (the hook switch's level going on) while a call rings and
//     none is up answers the oldest ringing call; on-hook while a call is up
//     hangs it up;
//   - a hook that reports presses: a press answers the ringing call (the
//     one in progress goes on hold: call waiting), else hangs up;
//   - flash while a call rings and another is up answers the ringing one,
//     which puts the other on hold (call waiting);
//   - a mute press toggles the call's mute (a mute level sets it).
//
// The level the phone itself caused (the headset reporting off-hook
// after the app lit its off-hook light for a call answered in the window)
// finds the state already so and does nothing.
func (c *Controller) Input(report []byte) {
	st, ok := c.m.Read(report)
	if !ok {
		return
	}
	c.mu.Lock()
	prev := c.last
	c.last = st
	calls := c.calls
	c.mu.Unlock()
	pressed := func(ctl Control) bool { return st[ctl] && !prev[ctl] }
	changed := func(ctl Control) bool { return st[ctl] != prev[ctl] }
	ringing := ""
	if len(calls.Ringing) > 0 {
		ringing = calls.Ringing[0]
	}
	do := func(what string, err error) {
		if err != nil {
			c.log.Warn("headset button", "action", what, "error", err)
		}
	}
	if c.m.Has(Hook) {
		offHook, onHook := false, false
		if c.m.IsRelative(Hook) {
			// A hook that reports presses: a press answers what rings
			// (holding a call in progress, as call waiting does), else hangs
			// up the call in progress.
			if pressed(Hook) {
				switch {
				case ringing != "":
					do("answer", c.act.Answer(ringing))
				case calls.Active != "":
					do("hang up", c.act.HangUp(calls.Active))
				}
			}
		} else if changed(Hook) {
			offHook, onHook = st[Hook], !st[Hook]
		}
		switch {
		case offHook && ringing != "" && calls.Active == "":
			do("answer", c.act.Answer(ringing))
		case onHook && calls.Active != "":
			do("hang up", c.act.HangUp(calls.Active))
		}
	}
	if pressed(Flash) && ringing != "" && calls.Active != "" {
		do("answer the waiting call", c.act.Answer(ringing))
	}
	if c.m.Has(Mute) && calls.Active != "" {
		switch {
		case c.m.IsRelative(Mute) && pressed(Mute):
			do("mute", c.act.SetMuted(calls.Active, !calls.Muted))
		case !c.m.IsRelative(Mute) && changed(Mute) && st[Mute] != calls.Muted:
			do("mute", c.act.SetMuted(calls.Active, st[Mute]))
		}
	}
}

// Update follows the phone's calls: the lights are set when they change.
func (c *Controller) Update(calls Calls) {
	want := map[Light]bool{
		LightRing:    len(calls.Ringing) > 0,
		LightOffHook: calls.Active != "" || calls.Held,
		LightMute:    calls.Active != "" && calls.Muted,
		LightHold:    calls.Held && calls.Active == "",
	}
	c.mu.Lock()
	c.calls = calls
	same := c.sent && equalLights(c.lights, want)
	c.lights = want
	c.sent = true
	c.mu.Unlock()
	if same || c.w == nil {
		return
	}
	for _, r := range c.m.Reports(want) {
		if err := c.w.Write(r); err != nil {
			c.log.Warn("headset lights", "error", err)
			return
		}
	}
}

func equalLights(a, b map[Light]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
