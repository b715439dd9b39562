package calls

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// incoming registers Alice and returns the calls she receives.
func incoming(t *testing.T) (*sip.Agent, <-chan *sip.Incoming) {
	t.Helper()
	agent := alice(t)
	ch := make(chan *sip.Incoming, 1)
	agent.OnIncoming(func(in *sip.Incoming) { ch <- in })
	return agent, ch
}

// callerDials makes the lab's caller phone call Alice.
func callerDials(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
}

func waitIncoming(t *testing.T, ctx context.Context, ch <-chan *sip.Incoming) *sip.Incoming {
	t.Helper()
	select {
	case in := <-ch:
		return in
	case <-ctx.Done():
		t.Fatal("no incoming call")
		return nil
	}
}

// callerIdle waits until the caller phone has no call.
func callerIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	for ctx.Err() == nil {
		out, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "listcalls", "")
		if err == nil && !strings.Contains(out, "Active calls (1)") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the caller phone still has a call")
}

func TestInboundAnsweredAudioBothWays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, calls := incoming(t)
	callerDials(t, ctx)
	in := waitIncoming(t, ctx, calls)
	if in.From != "caller" {
		t.Errorf("incoming call from %q, want caller", in.From)
	}
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	sess, err := media.NewSession(media.Config{LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	answer, err := sess.Answer(ctx, string(in.Offer))
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Answer([]byte(answer)); err != nil {
		t.Fatal(err)
	}
	if err := in.Answer([]byte(answer)); err == nil {
		t.Error("a second answer was accepted")
	}
	heard := talk(t, ctx, sess)
	if err := in.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	sess.Close()
	select {
	case <-in.Done():
	case <-ctx.Done():
		t.Fatal("call not ended after hang-up")
	}
	got, rate := heard.Samples()
	// The frequency by one bin; the share by 20 ms blocks, which a jump
	// of the tone's phase (a late packet, a hiccup) costs only a block.
	hz, _ := audio.DominantFrequency(got, rate)
	share := audio.ToneShare(got, rate, lab.Caller.ToneHz)
	var farHz int
	for i := 0; i < 20 && farHz == 0; i++ {
		time.Sleep(100 * time.Millisecond)
		if path, err := labtest.NewestRecording(lab.Caller.Recordings, "dec"); err == nil {
			if s, r, err := labtest.ReadWAV(path); err == nil && len(s) > r {
				farHz, _ = audio.DominantFrequency(s[len(s)/4:], r)
			}
		}
	}
	fmt.Printf("e2e: inbound %s answered: engine->baresip: sent 1000 Hz, baresip heard %d Hz | baresip->engine: sent %d Hz, engine heard %d Hz\n",
		sess.Codec(), farHz, lab.Caller.ToneHz, hz)
	if abs(hz-lab.Caller.ToneHz) > 5 || share < 0.5 {
		t.Errorf("engine heard %d Hz (share %.2f), want %d", hz, share, lab.Caller.ToneHz)
	}
	if abs(farHz-1000) > 5 {
		t.Errorf("caller heard %d Hz, want 1000", farHz)
	}
	callerIdle(t, ctx)
}

func TestInboundRejected(t *testing.T) {
	for _, tc := range []struct {
		status int
		reason string
	}{{486, "Busy Here"}, {603, "Decline"}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			_, calls := incoming(t)
			callerDials(t, ctx)
			in := waitIncoming(t, ctx, calls)
			if err := in.Reject(tc.status, tc.reason); err != nil {
				t.Fatal(err)
			}
			select {
			case <-in.Done():
			case <-ctx.Done():
				t.Fatal("rejected call did not end")
			}
			callerIdle(t, ctx)
			fmt.Printf("e2e: inbound rejected with %d: caller's call ended\n", tc.status)
		})
	}
}

func TestInboundCancelledByCaller(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, calls := incoming(t)
	callerDials(t, ctx)
	in := waitIncoming(t, ctx, calls)
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.Done():
	case <-ctx.Done():
		t.Fatal("cancelled call did not end")
	}
	if err := in.Answer([]byte("v=0\r\n")); err == nil {
		t.Error("answering a cancelled call succeeded")
	}
	fmt.Println("e2e: inbound cancelled by the caller: call ended, answer refused")
}

// callerRinging waits until the lab's caller phone (manual answer) rings.
func callerRinging(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := labctl.Ctrl(ctx, lab.Caller.Ctrl, "listcalls", "")
		if strings.Contains(out, "INCOMING") || strings.Contains(out, "Active calls (1)") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the caller phone is not ringing: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
