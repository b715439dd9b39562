package phone_test

import (
	"regexp"
	"slices"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/sip"
)

// referenceStyle is the reference's example callId's form
// ('ahmh78im1qstcilmif6n'): what the phone makes when it names a call.
var referenceStyle = regexp.MustCompile(`^[a-z0-9]{20}$`)

// The reference's callId is the platform's id of the call; VoiceDesk
// adds sipCallId, its own leg's SIP Call-ID, so that a CRM can match a
// call with SIP traces (lab/API.md says how the lab's platform carries
// its id).
func TestCallIDs(t *testing.T) {
	for _, tc := range []struct {
		rule string
		// run places or rings a call, ends it, and returns its callId
		// and the SIP Call-ID the far end knows it by.
		run func(r *rig) (callID, sipCallID string)
		// want checks the callId (beside the rules every row holds).
		want func(t *testing.T, callID, sipCallID string)
	}{
		{
			rule: "a call the phone places is named by the phone, and that name is its SIP Call-ID, which the platform adopts",
			run: func(r *rig) (string, string) {
				id, d := r.dial("200")
				dlg := d.Answer()
				r.ev.await(r.t, id, phone.EventCallConfirmed)
				r.must(r.p.EndCall(id), "end the call")
				r.ev.await(r.t, id, phone.EventCallEnded)
				return id, dlg.CallID()
			},
			want: func(t *testing.T, callID, sipCallID string) {
				if !referenceStyle.MatchString(callID) || callID != sipCallID {
					t.Errorf("callId %q, SIP Call-ID %q: want the same id, 20 lowercase letters and digits", callID, sipCallID)
				}
			},
		},
		{
			rule: "a call to the phone carries the platform's id, and that is its callId",
			run: func(r *rig) (string, string) {
				dlg := r.agent.Ring("+358401000091", phone.Offer{PlatformCallID: "fs-5d0c1e2a-77"})
				r.ev.await(r.t, "fs-5d0c1e2a-77", phone.EventCallIncoming)
				r.must(r.p.AnswerCall("fs-5d0c1e2a-77"), "answer")
				r.ev.await(r.t, "fs-5d0c1e2a-77", phone.EventCallConfirmed)
				dlg.HangUp()
				r.ev.await(r.t, "fs-5d0c1e2a-77", phone.EventCallEnded)
				return "fs-5d0c1e2a-77", dlg.CallID()
			},
			want: func(t *testing.T, callID, sipCallID string) {
				if callID == sipCallID {
					t.Errorf("callId is the SIP Call-ID %q, not the platform's id", sipCallID)
				}
			},
		},
		{
			rule: "a call to the phone without the platform's id gets one the phone makes",
			run: func(r *rig) (string, string) {
				id, dlg := r.incoming("+358401000091")
				r.must(r.p.RejectCall(id), "reject")
				r.ev.await(r.t, id, phone.EventCallEnded)
				return id, dlg.CallID()
			},
			want: func(t *testing.T, callID, _ string) {
				if !referenceStyle.MatchString(callID) {
					t.Errorf("callId %q: want 20 lowercase letters and digits", callID)
				}
			},
		},
		{
			rule: "a platform's id already in use here is not given to a second call",
			run: func(r *rig) (string, string) {
				first := r.agent.Ring("+358401000091", phone.Offer{PlatformCallID: "same"})
				r.ev.await(r.t, "same", phone.EventCallIncoming)
				second := r.agent.Ring("+358401000092", phone.Offer{PlatformCallID: "same"})
				var id string
				for _, c := range r.p.Calls() {
					if c.Number == "+358401000092" {
						id = c.CallID
					}
				}
				r.ev.await(r.t, id, phone.EventCallIncoming)
				first.Cancel()
				second.Cancel()
				r.ev.await(r.t, id, phone.EventCallEnded)
				return id, second.CallID()
			},
			want: func(t *testing.T, callID, _ string) {
				if callID == "same" || !referenceStyle.MatchString(callID) {
					t.Errorf("the second call's callId is %q: want one of the phone's own", callID)
				}
			},
		},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := newRig(t)
			callID, sipCallID := tc.run(r)
			tc.want(t, callID, sipCallID)
			r.ev.mu.Lock()
			defer r.ev.mu.Unlock()
			seen := 0
			for _, ev := range r.ev.details {
				if ev.CallID != callID {
					continue
				}
				seen++
				// The id does not change in the call's life, and every event
				// names the SIP Call-ID the far end knows the call by.
				if ev.SIPCallID != sipCallID {
					t.Errorf("an event of %s has sipCallId %q, want %q", callID, ev.SIPCallID, sipCallID)
				}
			}
			if got := r.ev.byCall[callID]; seen < 2 || !slices.Contains(got, phone.EventCallEnded) {
				t.Errorf("events of %s: %v; want its whole life under that one id", callID, got)
			}
		})
	}
}

// The reference's wrapUpDuration ("wrap-up time in seconds after call
// ends") comes with a service call from the platform: on the INVITE of a
// call from a queue, on the answer of an agent's call for a queue.
func TestWrapUpDuration(t *testing.T) {
	for _, tc := range []struct {
		rule string
		run  func(r *rig) string
		// want is the wrapUpDuration of each event of the call, by name.
		want map[string]string
	}{
		{
			rule: "a call from a queue carries the queue's wrap-up in every event",
			run: func(r *rig) string {
				dlg := r.agent.Ring("+358401000091", phone.Offer{PlatformCallID: "q1", Queue: sip.Queue{ID: "sales", Name: "Sales", WrapUp: "60"}})
				r.ev.await(r.t, "q1", phone.EventCallIncoming)
				r.must(r.p.AnswerCall("q1"), "answer")
				r.ev.await(r.t, "q1", phone.EventCallConfirmed)
				dlg.HangUp()
				r.ev.await(r.t, "q1", phone.EventCallEnded)
				return "q1"
			},
			want: map[string]string{phone.EventCallIncoming: "60", phone.EventCallConfirmed: "60", phone.EventCallEnded: "60"},
		},
		{
			rule: "an agent's call for a queue carries it from the answer on",
			run: func(r *rig) string {
				id, d := r.dial("200")
				d.AnswerWrapUp("30")
				r.ev.await(r.t, id, phone.EventCallConfirmed)
				r.must(r.p.EndCall(id), "end")
				r.ev.await(r.t, id, phone.EventCallEnded)
				return id
			},
			want: map[string]string{phone.EventCallStarted: "", phone.EventCallConfirmed: "30", phone.EventCallEnded: "30"},
		},
		{
			rule: "a basic call has none",
			run: func(r *rig) string {
				id, dlg := r.incoming("+358401000091")
				r.must(r.p.AnswerCall(id), "answer")
				r.ev.await(r.t, id, phone.EventCallConfirmed)
				dlg.HangUp()
				r.ev.await(r.t, id, phone.EventCallEnded)
				return id
			},
			want: map[string]string{phone.EventCallIncoming: "", phone.EventCallConfirmed: "", phone.EventCallEnded: ""},
		},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := newRig(t)
			id := tc.run(r)
			r.ev.mu.Lock()
			defer r.ev.mu.Unlock()
			names := r.ev.byCall[id]
			seen := map[string]bool{}
			i := 0
			for _, ev := range r.ev.details {
				if ev.CallID != id {
					continue
				}
				name := names[i]
				i++
				if want, ok := tc.want[name]; ok {
					seen[name] = true
					if ev.WrapUpDuration != want {
						t.Errorf("%s: wrapUpDuration %q, want %q", name, ev.WrapUpDuration, want)
					}
				}
			}
			if len(seen) != len(tc.want) {
				t.Errorf("events %v; want %v among them", names, tc.want)
			}
		})
	}
}
