package calls

import (
	"context"
	"fmt"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/phone"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// TestRTPEngineKilledMidCall: the platform's media relay dies under a
// connected call. No audio comes any more, so the phone ends the call as
// media-failed after its RTP timeout (8 s, checked every 2 s) rather than
// leave the agent in a dead call; with rtpengine back, the next call has
// its audio.
func TestRTPEngineKilledMidCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ev := newEvents()
	heard := &audio.Recorder{}
	p := aliceHearing(t, ctx, phone.Config{}, ev, heard)
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, ctx, phone.EventCallConfirmed, nil)
	time.Sleep(time.Second)

	if err := labctl.StopComponent(lab, "rtpengine"); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	restarted := false
	defer func() {
		if !restarted {
			_ = labctl.StartComponent(context.Background(), lab, "rtpengine")
		}
	}()
	var ended phoneEvent
	for {
		ended = ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.CallID == id {
			break
		}
	}
	took := time.Since(killed)
	if ended.call.EndReason != phone.EndMediaFailed {
		t.Fatalf("the call ended as %q, want %q", ended.call.EndReason, phone.EndMediaFailed)
	}
	// A hang detector, not a speed goal: the timeout is 8 s on a 2 s check.
	if took > 12*time.Second {
		t.Errorf("the call ended %v after rtpengine died, want within the RTP timeout's 8-10 s", took)
	}

	if err := labctl.StartComponent(ctx, lab, "rtpengine"); err != nil {
		t.Fatal(err)
	}
	restarted = true
	back := time.Now()
	// Kamailio takes the relay up again on its next offer; the next call
	// connects and the tone phone is heard.
	before := len(samplesOf(heard))
	id2, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	for {
		e := ev.wait(t, ctx, phone.EventCallConfirmed)
		if e.call.CallID == id2 {
			break
		}
	}
	time.Sleep(1500 * time.Millisecond)
	all, rate := heard.Samples()
	last := all[max(before, len(all)-rate/2):]
	if share := audio.ToneShare(last, rate, lab.Tone.ToneHz); share < 0.8 {
		t.Fatalf("the next call's last 500 ms: %d Hz at share %.2f, want the tone phone's", lab.Tone.ToneHz, share)
	}
	fmt.Printf("e2e: rtpengine killed mid-call: the call ended as %s %.1f s later; the next call (%.1f s after rtpengine was back) heard the tone\n",
		ended.call.EndReason, took.Seconds(), time.Since(back).Seconds())
	if err := p.EndCall(id2); err != nil {
		t.Fatal(err)
	}
}

// TestKamailioKilledMidCall: the SIP proxy dies and comes back under a
// connected call. The phone says connection-lost and connection-restored;
// the call's media, which never went through Kamailio, goes on: the tone
// phone is heard at its level in every 100 ms from before the kill to
// after the return, and the call is still connected.
func TestKamailioKilledMidCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ev := newEvents()
	heard := &audio.Recorder{}
	p := aliceHearing(t, ctx, phone.Config{Connection: sip.MaintainConfig{Check: 30 * time.Second, GiveUpAfter: 30 * time.Second, MaxBackoff: time.Second}}, ev, heard)
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, ctx, phone.EventCallConfirmed, nil)
	time.Sleep(time.Second)
	all, rate := heard.Samples()
	refLevel := dbfs(all[len(all)-rate/2:])
	from := len(all)

	if err := labctl.StopComponent(lab, "kamailio"); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionLost)
	time.Sleep(2 * time.Second) // the call without its proxy
	if err := labctl.StartComponent(ctx, lab, "kamailio"); err != nil {
		t.Fatal(err)
	}
	defer labtest.RestartPhones(ctx, t, lab)
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionRestored)
	time.Sleep(time.Second)
	all, _ = heard.Samples()
	bad, windows, _ := toneWindows(all[from:], rate, refLevel)
	if bad > 0 {
		t.Errorf("%d of %d 100 ms windows from Kamailio's kill to after its return lacked the tone at its level", bad, windows)
	}
	if calls := p.State().Calls; len(calls) != 1 || calls[0].Detail.CallID != id || calls[0].State != "connected" {
		t.Fatalf("the call after Kamailio's return: %+v", calls)
	}
	fmt.Printf("e2e: Kamailio killed under a call and back: connection-lost and -restored; the tone in all %d windows of 100 ms\n", windows)
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, ctx, phone.EventCallEnded, nil)
}
