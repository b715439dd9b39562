package calls

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
)

// The platform's extra data of a queue call (what its IVR learnt: strong
// authentication) reaches the agent through getCallExtraData.
func TestCallExtraDataOfAQueueCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	// The reference answers a list: with no ongoing call, an empty one.
	if got, err := p.GetCallExtraData(); err != nil || got == nil || len(got) != 0 {
		t.Errorf("getCallExtraData without a call: %v, %v; want [] and no error", got, err)
	}
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:+358201000100@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	if got, err := p.GetCallExtraData(); err != nil || len(got) != 0 {
		t.Errorf("getCallExtraData of a call not yet answered: %v, %v; want []", got, err)
	}
	if err := p.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	got, err := p.GetCallExtraData()
	if err != nil {
		t.Fatal(err)
	}
	want := []phone.CallExtraData{
		{CallID: in.CallID, ExtraDataType: phone.StrongAuth, Keyword: "AUTH.FamilyName", Value: "Caller"},
		{CallID: in.CallID, ExtraDataType: phone.StrongAuth, Keyword: "AUTH.GivenName", Value: "Carla"},
		{CallID: in.CallID, ExtraDataType: phone.StrongAuth, Keyword: "AUTH.Method", Value: "bankid"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("getCallExtraData = %+v, want %+v", got, want)
	}
	if err := p.EndCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	callerIdle(t, ctx)
	fmt.Printf("e2e: getCallExtraData of a queue call: %d strong-authentication items\n", len(got))
}

// User data set by a transferring agent arrives in the target's call
// events. The sender here is a SIP client of the lab standing in for the
// transferring phone (transfers themselves are issue 6).
func TestUserDataReachesTheCallee(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	for _, tc := range []struct {
		rule string
		data any
		want error
	}{
		{"the data is an object", []any{"a"}, phone.ErrUserDataNotObject},
		{"the data is not null", nil, phone.ErrUserDataNotObject},
		{"the data serializes under 491 characters", map[string]any{"k": string(make([]byte, 490))}, phone.ErrUserDataTooLong},
	} {
		if _, err := p.SetUserData(tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}
	if ok, err := p.SetUserData(map[string]any{"WorkspaceId": "928374912321"}); !ok {
		t.Fatal(err)
	}

	probe := registeredProbe(t, ctx)
	sess, err := media.NewSession(media.Config{LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	offer, err := sess.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dialed := make(chan error, 1)
	go func() {
		call, err := probe.DialWithHooks(ctx, "alice", []byte(offer), sip.DialHooks{
			Headers: []sip.Header{{Name: sip.HeaderUserData, Value: `{"WorkspaceId":"928374912321","Ticket":42}`}}})
		if err == nil {
			<-call.Done()
		}
		dialed <- err
	}()
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	want := map[string]any{"WorkspaceId": "928374912321", "Ticket": float64(42)}
	if !reflect.DeepEqual(in.UserData, want) {
		t.Errorf("call-incoming userData = %#v, want %#v", in.UserData, want)
	}
	if err := p.RejectCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	if err := <-dialed; err == nil {
		t.Error("the rejected call connected")
	}
	fmt.Println("e2e: userData in an INVITE reached the callee's call-incoming")
}
