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

// A direct transfer: the lab's caller phone (baresip A) calls Alice, she
// transfers it to the tone phone (baresip B) with a REFER, and A and B then
// talk, each hearing the other's tone.
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

	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	if err := p.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	time.Sleep(500 * time.Millisecond)

	t.Run("to a number that does not exist, the call stays", func(t *testing.T) {
		_, err := p.TransferCall(ctx, "direct", "+358409999999")
		if err == nil {
			t.Fatal("the transfer to an unknown number succeeded")
		}
		t.Logf("refused: %v", err)
		ev.wait(t, ctx, phone.EventCallTransferStarted)
		if _, err := p.GetCallExtraData(); err != nil {
			t.Fatalf("the call did not stay: %v", err)
		}
	})

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
		hz, share := audio.DominantFrequency(s[len(s)/2:], rate)
		t.Logf("%s heard %d Hz (share %.2f)", x.who, hz, share)
		if hz < x.want-5 || hz > x.want+5 || share < 0.5 {
			t.Errorf("%s heard %d Hz (share %.2f), want %d Hz", x.who, hz, share, x.want)
		}
	}
	fmt.Printf("e2e: direct transfer: caller (A) -> Alice -> REFER to the tone phone (B); A heard %d Hz, B heard %d Hz\n", lab.Tone.ToneHz, lab.Caller.ToneHz)
}
