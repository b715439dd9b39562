// Package callcontrol joins a headset's call control (backend/headset) to
// the phone: the phone's calls light the headset, the headset's buttons
// answer, hang up and mute. It is the app's glue, as backend/presenter is
// for the tray and notifications: headset knows nothing of the phone.
package callcontrol

import (
	"voicedesk/backend/events"
	"voicedesk/backend/headset"
	"voicedesk/backend/phone"
)

// Phone is what call control uses of backend/phone's Phone.
type Phone interface {
	State() phone.State
	AnswerCall(callID string) error
	EndCall(callID string) error
	MuteCall(callID string) error
	UnmuteCall(callID string) error
}

// CallsOf is what the headset follows of the phone's calls: the incoming
// ones ringing (oldest first), the connected one not on hold, a held one,
// and that call's mute.
func CallsOf(views []phone.CallView) headset.Calls {
	var c headset.Calls
	for _, v := range views {
		switch {
		case v.State == "incoming":
			c.Ringing = append(c.Ringing, v.Detail.CallID)
		case v.State == "connected" && v.Held:
			c.Held = true
		case v.State == "connected" && c.Active == "":
			c.Active, c.Muted = v.Detail.CallID, v.Muted
		}
	}
	return c
}

// Actions are the headset's buttons done to the phone.
func Actions(p Phone) headset.Actions { return actions{p} }

type actions struct{ p Phone }

func (a actions) Answer(id string) error { return a.p.AnswerCall(id) }
func (a actions) HangUp(id string) error { return a.p.EndCall(id) }
func (a actions) SetMuted(id string, on bool) error {
	if on {
		return a.p.MuteCall(id)
	}
	return a.p.UnmuteCall(id)
}

// Follow updates the headset's lights from the phone's state at once and
// after every phone event, until stream closes.
func Follow(p Phone, ctl *headset.Controller, stream <-chan events.Event) {
	ctl.Update(CallsOf(p.State().Calls))
	for range stream {
		ctl.Update(CallsOf(p.State().Calls))
	}
}
