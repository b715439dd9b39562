package calls

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/apiserver"
	"voicedesk/lab/labctl"
)

var peerURI = regexp.MustCompile(`sip:[^\s\\"<>]+`)

// tonePeer is who the tone phone sees calling it: the From of its call
// (baresip's listcalls), once it has one.
func tonePeer(t *testing.T, ctx context.Context) string {
	t.Helper()
	for ctx.Err() == nil {
		out, err := labctl.Ctrl(ctx, lab.Tone.Ctrl, "listcalls", "")
		if err == nil && strings.Contains(out, "Active calls (1)") {
			if m := peerURI.FindString(out); m != "" {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the tone phone has no call")
	return ""
}

func loggedInPhone(t *testing.T, ctx context.Context, username, password string, options ...func(*phone.Config)) (*phone.Phone, *events) {
	t.Helper()
	ev := newEvents()
	cfg := phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1}
	for _, o := range options {
		o(&cfg)
	}
	p := phone.New(cfg, platform.New(platform.Config{}), ev)
	t.Cleanup(p.Close)
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: username, Password: password}); !ok {
		t.Fatalf("login %s: %v", username, err)
	}
	ev.wait(t, ctx, phone.EventLoggedIn)
	return p, ev
}

// Outbound service calls: the queue or callback request and the CLI reach
// the platform's proxy, which checks them and shows the CLI to the far end.
func TestOutboundServiceCalls(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	sales := apiserver.SalesQueueID
	callback := phone.OutboundServiceCallData{CallbackListID: apiserver.CallbackList1, CallbackRequestID: "a014b3ba-1569-4798-b699-000000000301"}

	t.Run("validation", func(t *testing.T) {
		for _, tc := range []struct {
			rule string
			data phone.OutboundServiceCallData
			want error
		}{
			{"a queue and a callback request are not given together", phone.OutboundServiceCallData{QueueID: sales, CallbackListID: "l", CallbackRequestID: "r"}, phone.ErrServiceCallBoth},
			{"a callback list needs its request", phone.OutboundServiceCallData{CallbackListID: "l"}, phone.ErrCallbackIDs},
			{"a callback request needs its list", phone.OutboundServiceCallData{CallbackRequestID: "r"}, phone.ErrCallbackIDs},
			{"the CLI is a phone number", phone.OutboundServiceCallData{QueueID: sales, CLI: "Sales"}, phone.ErrBadCLI},
			{"ids carry no header syntax", phone.OutboundServiceCallData{QueueID: "q\r\nX-Evil: 1"}, phone.ErrServiceCallID},
		} {
			if _, err := p.CallService(lab.Tone.Number, tc.data); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
			}
		}
		if _, err := p.CallOutboundQueue(lab.Tone.Number, " ", ""); !errors.Is(err, phone.ErrQueueIDMissing) {
			t.Errorf("callOutboundQueue without a queue id: %v", err)
		}
		if _, err := p.CallOutboundCallback(lab.Tone.Number, "", "", ""); !errors.Is(err, phone.ErrCallbackIDsEmpty) {
			t.Errorf("callOutboundCallback without ids: %v", err)
		}
	})

	// wantWrapUp is the queue's wrap-up time the platform answers with
	// (lab/API.md: Sales 60 s, Support 30 s; none for a personal call).
	connected := func(t *testing.T, call func() (string, error), wantPeer, wantWrapUp string) {
		t.Helper()
		id, err := call()
		if err != nil {
			t.Fatal(err)
		}
		confirmed := ev.wait(t, ctx, phone.EventCallConfirmed).call
		if got := tonePeer(t, ctx); got != wantPeer {
			t.Errorf("the far end sees the call from %s, want %s", got, wantPeer)
		}
		if err := p.EndCall(id); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded).call
		if confirmed.WrapUpDuration != wantWrapUp || ended.WrapUpDuration != wantWrapUp {
			t.Errorf("wrapUpDuration %q at call-confirmed, %q at call-ended; want %q", confirmed.WrapUpDuration, ended.WrapUpDuration, wantWrapUp)
		}
		fmt.Printf("e2e: service call: the far end saw %s\n", wantPeer)
	}
	from := func(number string) string { return "sip:" + number + "@" + lab.Domain }

	t.Run("queue call with a CLI", func(t *testing.T) {
		connected(t, func() (string, error) {
			return p.CallService(lab.Tone.Number, phone.OutboundServiceCallData{QueueID: sales, CLI: "+358201000101"})
		}, from("+358201000101"), "60")
	})
	t.Run("queue call shows the queue's number by default", func(t *testing.T) {
		connected(t, func() (string, error) { return p.CallOutboundQueue(lab.Tone.Number, sales, "") }, from("+358201000100"), "60")
	})
	t.Run("callback call shows its list's queue number", func(t *testing.T) {
		connected(t, func() (string, error) { return p.CallService(lab.Tone.Number, callback) }, from("+358201000100"), "60")
	})
	t.Run("a call without data is made as the role selected in the UI", func(t *testing.T) {
		if ok, err := p.SetUserRole(ctx, apiserver.SupportQID, ""); !ok {
			t.Fatalf("select the Support role: %v", err)
		}
		connected(t, func() (string, error) { return p.Call(lab.Tone.Number) }, from("+358201000200"), "30")
		if ok, err := p.SetUserRole(ctx, "", ""); !ok {
			t.Fatalf("back to the personal role: %v", err)
		}
		connected(t, func() (string, error) { return p.Call(lab.Tone.Number) }, from("alice"), "")
	})

	refused := func(t *testing.T, p *phone.Phone, ev *events, data phone.OutboundServiceCallData) {
		t.Helper()
		if _, err := p.CallService(lab.Tone.Number, data); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndForbidden {
			t.Fatalf("call-ended %+v, want endReason %s", ended.call, phone.EndForbidden)
		}
	}
	t.Run("a CLI the user was not granted is refused", func(t *testing.T) {
		refused(t, p, ev, phone.OutboundServiceCallData{CLI: "+358401000002"})
	})
	t.Run("a queue the user is not a member of is refused", func(t *testing.T) {
		bob, bobEv := loggedInPhone(t, ctx, "bob@voicedesk.lab", "bob-secret")
		refused(t, bob, bobEv, phone.OutboundServiceCallData{QueueID: sales})
	})
}

// A call to a queue's number reaches its agent as a service call: queue id,
// name and arrival time in the call events.
func TestIncomingQueueCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	before := time.Now().UTC().Add(-2 * time.Second)
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:+358201000100@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	arrived, err := time.Parse(time.RFC3339, in.QueueArrivalTime)
	if in.QueueID != apiserver.SalesQueueID || in.QueueName != "Sales" || err != nil || arrived.Before(before) || arrived.After(time.Now().Add(2*time.Second)) {
		t.Fatalf("call-incoming of a queue call: %+v (arrival %v)", in, err)
	}
	if in.WrapUpDuration != "60" {
		t.Errorf("call-incoming from Sales: wrapUpDuration %q, want the queue's 60", in.WrapUpDuration)
	}
	if in.PhoneNumber != lab.Caller.Number && in.PhoneNumber != "caller" {
		t.Errorf("caller %q", in.PhoneNumber)
	}
	if err := p.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	answered := ev.wait(t, ctx, phone.EventCallAnswered).call
	if answered.QueueName != "Sales" {
		t.Errorf("call-answered lost the queue: %+v", answered)
	}
	if err := p.EndCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	callerIdle(t, ctx)
	fmt.Printf("e2e: queue call to +358201000100 reached Alice as Sales, arrived %s\n", in.QueueArrivalTime)
}
