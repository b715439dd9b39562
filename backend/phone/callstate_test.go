package phone

import (
	"errors"
	"slices"
	"testing"
)

// The call model, move by move: each row names the reference's behaviour
// (the events of a call's life, "Events" in voice-for-browser) it holds.
func TestCallModel(t *testing.T) {
	rows := []struct {
		rule string
		from CallState
		in   callInput
		to   CallState
		emit []string // nil with to == from: refused, nothing emitted
	}{
		{"call() emits call-started as the call is placed", CallNew, inputDial, CallDialing, []string{EventCallStarted}},
		{"an incoming call emits call-incoming", CallNew, inputOffered, CallRinging, []string{EventCallIncoming}},
		{"a supervision call is not announced (startCallSupervision: the phone answers it)", CallNew, inputSupervision, CallRinging, []string{}},
		{"the far end ringing emits call-in-progress", CallDialing, inputProvisional, CallFarRinging, []string{EventCallInProgress}},
		{"call-in-progress is emitted once, not per 1xx (180 then 183)", CallFarRinging, inputProvisional, CallFarRinging, nil},
		{"an outbound call answered emits call-confirmed", CallFarRinging, inputConnected, CallConnected, []string{EventCallConfirmed}},
		{"a 200 OK with no 1xx before it still confirms", CallDialing, inputConnected, CallConnected, []string{EventCallConfirmed}},
		{"answerCall() emits call-answered, then call-confirmed", CallRinging, inputConnected, CallConnected, []string{EventCallAnswered, EventCallConfirmed}},
		{"a provisional answer after the call is up emits nothing", CallConnected, inputProvisional, CallConnected, nil},
		{"an established call ended emits call-ended", CallConnected, inputEnded, CallEnded, []string{EventCallEnded}},
		{"endCall() while dialing emits call-ended (cancelled)", CallDialing, inputEnded, CallEnded, []string{EventCallEnded}},
		{"endCall() while the far end rings emits call-ended", CallFarRinging, inputEnded, CallEnded, []string{EventCallEnded}},
		{"rejectCall(), or the caller's CANCEL, emits call-ended", CallRinging, inputEnded, CallEnded, []string{EventCallEnded}},
		{"call-ended is emitted once", CallEnded, inputEnded, CallEnded, nil},
		{"a 200 OK after the hang-up confirms nothing", CallEnded, inputConnected, CallEnded, nil},
		{"a 1xx after the hang-up emits nothing", CallEnded, inputProvisional, CallEnded, nil},
		{"an answer racing a CANCEL that won emits nothing", CallEnded, inputConnected, CallEnded, nil},
		{"a call never placed cannot end (no call-ended without call-started)", CallNew, inputEnded, CallNew, nil},
		{"a call is placed once", CallDialing, inputDial, CallDialing, nil},
		{"an incoming call is not placed", CallRinging, inputDial, CallRinging, nil},
		{"an outbound call is not offered", CallDialing, inputOffered, CallDialing, nil},
		{"a call is confirmed once", CallConnected, inputConnected, CallConnected, nil},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			m, err := next(r.from, r.in)
			if r.emit == nil { // refused
				if !errors.Is(err, errNoMove) {
					t.Fatalf("%s on %s: moved to %s emitting %v, want refused", r.in, r.from, m.to, m.emit)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s on %s: %v", r.in, r.from, err)
			}
			if m.to != r.to || !slices.Equal(m.emit, r.emit) {
				t.Fatalf("%s on %s: to %s emitting %v, want %s emitting %v", r.in, r.from, m.to, m.emit, r.to, r.emit)
			}
		})
	}
}

// A connected call's flags: each row names the reference's rule.
func TestConnectedCallFlags(t *testing.T) {
	rows := []struct {
		rule  string
		st    CallState
		from  flags
		in    callInput
		to    flags
		event string // "": refused
	}{
		{"pauseCall() holds a connected call: call-paused", CallConnected, flags{}, inputHold, flags{held: true}, EventCallPaused},
		{"resumeCall() takes it off hold: call-resumed", CallConnected, flags{held: true}, inputResume, flags{}, EventCallResumed},
		{"muteCall() mutes: call-muted", CallConnected, flags{}, inputMute, flags{muted: true}, EventCallMuted},
		{"unmuteCall() unmutes: call-unmuted", CallConnected, flags{muted: true}, inputUnmute, flags{}, EventCallUnmuted},
		{"a held call can be muted, and stays held", CallConnected, flags{held: true}, inputMute, flags{held: true, muted: true}, EventCallMuted},
		{"a muted call can be held, and stays muted", CallConnected, flags{muted: true}, inputHold, flags{held: true, muted: true}, EventCallPaused},
		{"holding a held call emits nothing", CallConnected, flags{held: true}, inputHold, flags{held: true}, ""},
		{"resuming a call not held emits nothing", CallConnected, flags{}, inputResume, flags{}, ""},
		{"muting a muted call emits nothing", CallConnected, flags{muted: true}, inputMute, flags{muted: true}, ""},
		{"a ringing call is not held", CallRinging, flags{}, inputHold, flags{}, ""},
		{"a call being dialled is not muted", CallDialing, flags{}, inputMute, flags{}, ""},
		{"an ended call is not resumed", CallEnded, flags{held: true}, inputResume, flags{held: true}, ""},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			f, name, err := nextFlags(r.st, r.from, r.in)
			if r.event == "" {
				if !errors.Is(err, errNoMove) || name != "" || f != r.from {
					t.Fatalf("%s on %s %+v: %+v %q %v, want refused", r.in, r.st, r.from, f, name, err)
				}
				return
			}
			if err != nil || f != r.to || name != r.event {
				t.Fatalf("%s on %s %+v: %+v %q %v, want %+v %q", r.in, r.st, r.from, f, name, err, r.to, r.event)
			}
		})
	}
}

// Every state and input has an answer (a move or errNoMove), and every
// state but new and ended can end: no call is left without its call-ended.
func TestCallModelIsTotal(t *testing.T) {
	for s := CallNew; s <= CallEnded; s++ {
		for in := inputDial; in <= inputSupervision; in++ { // the flags' inputs: TestConnectedCallFlags
			if _, err := next(s, in); err != nil && !errors.Is(err, errNoMove) {
				t.Errorf("%s on %s: %v", in, s, err)
			}
		}
		if s == CallNew || s == CallEnded {
			continue
		}
		if m, err := next(s, inputEnded); err != nil || m.to != CallEnded {
			t.Errorf("a %s call cannot end: %v", s, err)
		}
	}
}
