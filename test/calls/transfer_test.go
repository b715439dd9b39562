package calls

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/phone"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// VoiceDesk's attended option (phone.Config.AttendedTransfer): a direct
// transfer waits for the target's answer, and when the target does not
// exist the call stays with Alice and the promise says why.
func TestAttendedTransferKeepsTheCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret", func(c *phone.Config) { c.AttendedTransfer = true })
	in := answerCaller(t, ctx, p, ev)
	time.Sleep(500 * time.Millisecond)
	_, err := p.TransferCall(ctx, "direct", "+358409999999")
	if err == nil {
		t.Fatal("the transfer to an unknown number succeeded")
	}
	t.Logf("refused: %v", err)
	ev.wait(t, ctx, phone.EventCallTransferStarted)
	if calls := p.Calls(); len(calls) != 1 || calls[0].CallID != in.CallID {
		t.Fatalf("the call did not stay: %+v", calls)
	}
	if err := p.EndCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
}

// answerCaller has the lab's caller phone call Alice and answers it.
func answerCaller(t *testing.T, ctx context.Context, p *phone.Phone, ev *events) phone.CallEvent {
	t.Helper()
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	if err := p.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	return in
}

// A direct transfer, blind as the reference's: the lab's caller phone
// (baresip A) calls Alice, she transfers it to the tone phone (baresip B)
// with a REFER, her call ends once A accepts it, and A and B then talk,
// each hearing the other's tone.
func TestDirectTransferThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	for _, tc := range []struct {
		rule, kind, number string
		want               error
	}{
		{"the type is direct or consulted", "blind", lab.Tone.Number, phone.ErrTransferType},
		{"the number is given", "direct", " ", phone.ErrMissingNumber},
		{"the number has no markup", "direct", "<b>", phone.ErrBadNumber},
		{"there is a call to transfer", "direct", lab.Tone.Number, phone.ErrNoCallToTransfer},
	} {
		if _, err := p.TransferCall(ctx, tc.kind, tc.number); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}

	in := answerCaller(t, ctx, p, ev)
	time.Sleep(500 * time.Millisecond)

	st, err := p.TransferCall(ctx, "direct", lab.Tone.Number)
	if err != nil {
		t.Fatalf("transferCall: %v", err)
	}
	if st.CallID != in.CallID || !st.Confirmed || st.TransferredTo != lab.Tone.Number {
		t.Errorf("transfer state %+v", st)
	}
	ended := ev.wait(t, ctx, phone.EventCallEnded).call
	if ended.EndReason != phone.EndTransferred || ended.TransferredTo != lab.Tone.Number {
		t.Errorf("call-ended %+v, want endReason transferred to %s", ended, lab.Tone.Number)
	}
	// A and B talk: each records the other's tone (the recordings are
	// complete once their call ends).
	time.Sleep(2500 * time.Millisecond)
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	callerIdle(t, ctx)
	time.Sleep(300 * time.Millisecond)
	bothHeard(t)
	fmt.Printf("e2e: direct transfer: caller (A) -> Alice -> REFER to the tone phone (B); A heard %d Hz, B heard %d Hz\n", lab.Tone.ToneHz, lab.Caller.ToneHz)
}

// bothHeard checks, once their call has ended, that the caller and the tone
// phone each recorded the other's tone.
func bothHeard(t *testing.T) {
	t.Helper()
	for _, x := range []struct {
		who, dir string
		want     int
	}{{"the tone phone (B)", lab.Tone.Recordings, lab.Caller.ToneHz}, {"the caller (A)", lab.Caller.Recordings, lab.Tone.ToneHz}} {
		path, err := labtest.NewestRecording(x.dir, "dec")
		if err != nil {
			t.Fatal(err)
		}
		s, rate, err := labtest.ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) < rate {
			t.Fatalf("%s recorded %d samples", x.who, len(s))
		}
		hz, _ := audio.DominantFrequency(s[len(s)/2:], rate)
		share := audio.ToneShare(s[len(s)/2:], rate, x.want) // by 20 ms blocks: a phase jump costs one
		t.Logf("%s heard %d Hz (share %.2f)", x.who, hz, share)
		if hz < x.want-5 || hz > x.want+5 || share < 0.5 {
			t.Errorf("%s heard %d Hz (share %.2f), want %d Hz", x.who, hz, share, x.want)
		}
	}
}

// A consulted transfer: the caller's call goes on hold, Alice consults the
// tone phone, and confirming hands the caller to it (REFER with Replaces);
// a consultation hung up instead takes the caller off hold.
func TestConsultedTransferThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	if _, err := p.ConfirmTransfer(ctx); !errors.Is(err, phone.ErrNoConsultation) {
		t.Errorf("confirmTransfer without a consultation: %v", err)
	}
	answer := func() phone.CallEvent { return answerCaller(t, ctx, p, ev) }
	consult := func(in phone.CallEvent) phone.CallEvent {
		st, err := p.TransferCall(ctx, "consulted", lab.Tone.Number)
		if err != nil {
			t.Fatalf("consulted transferCall: %v", err)
		}
		if st.CallID != in.CallID || st.Confirmed || st.TransferredTo != lab.Tone.Number {
			t.Errorf("consultation state %+v", st)
		}
		ev.wait(t, ctx, phone.EventCallPaused)
		for {
			e := ev.wait(t, ctx, phone.EventCallConfirmed).call
			if e.IsConsulted {
				return e
			}
		}
	}

	t.Run("cancelled: the consultation hangs up and the caller is back", func(t *testing.T) {
		in := answer()
		k := consult(in)
		if _, err := p.TransferCall(ctx, "consulted", lab.Tone.Number); err == nil {
			t.Error("a second consultation started")
		}
		if err := p.EndCall(k.CallID); err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallTransferCancel)
		if r := ev.wait(t, ctx, phone.EventCallResumed).call; r.CallID != in.CallID {
			t.Errorf("resumed %s, want the caller's call %s", r.CallID, in.CallID)
		}
		if err := p.EndCall(in.CallID); err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallEnded)
		callerIdle(t, ctx)
	})

	t.Run("confirmed: the caller and the tone phone talk", func(t *testing.T) {
		in := answer()
		consult(in)
		time.Sleep(500 * time.Millisecond)
		st, err := p.ConfirmTransfer(ctx)
		if err != nil {
			t.Fatalf("confirmTransfer: %v", err)
		}
		if st.CallID != in.CallID || !st.Confirmed || st.TransferredTo != lab.Tone.Number {
			t.Errorf("confirmed state %+v", st)
		}
		ev.wait(t, ctx, phone.EventCallTransferSuccess)
		time.Sleep(2500 * time.Millisecond)
		if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
			t.Fatal(err)
		}
		callerIdle(t, ctx)
		time.Sleep(300 * time.Millisecond)
		bothHeard(t)
		fmt.Println("e2e: consulted transfer: the caller held, the tone phone consulted, confirmed with REFER/Replaces; the caller and the tone phone heard each other")
	})
}

// Call waiting: a second call during a call rings, answering it puts the
// first on hold, and rejecting another leaves the first as it is.
func TestCallWaitingThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	first, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)

	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	second := ev.wait(t, ctx, phone.EventCallIncoming).call
	if err := p.RejectCall(second.CallID); err != nil {
		t.Fatal(err)
	}
	if e := ev.wait(t, ctx, phone.EventCallEnded).call; e.CallID != second.CallID {
		t.Fatalf("call-ended for %s, want the rejected %s", e.CallID, second.CallID)
	}
	callerIdle(t, ctx)
	if err := p.MuteCall(first); err != nil {
		t.Fatalf("the first call did not stay after rejecting the second: %v", err)
	}
	if err := p.UnmuteCall(first); err != nil {
		t.Fatal(err)
	}

	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	second = ev.wait(t, ctx, phone.EventCallIncoming).call
	if err := p.AnswerCall(second.CallID); err != nil {
		t.Fatal(err)
	}
	if paused := ev.wait(t, ctx, phone.EventCallPaused).call; paused.CallID != first {
		t.Errorf("call-paused for %s, want the first call %s", paused.CallID, first)
	}
	if a := ev.wait(t, ctx, phone.EventCallAnswered).call; a.CallID != second.CallID {
		t.Errorf("answered %s, want %s", a.CallID, second.CallID)
	}
	if err := p.EndCall(second.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	callerIdle(t, ctx)
	if err := p.ResumeCall(ctx, first); err != nil {
		t.Fatalf("back to the first call: %v", err)
	}
	if err := p.EndCall(first); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	fmt.Println("e2e: call waiting: a second call rejected (the first stayed), another answered (the first went on hold), then back to the first")
}
