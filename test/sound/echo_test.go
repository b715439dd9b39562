package sound

import (
	"context"
	"fmt"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/soundcard"
	"voicedesk/test/pulse"
)

// The speaker's output is looped into the microphone, as from a laptop's
// speakers; the far end's 700 Hz comes back to it as echo. With the echo
// canceller alone the echo it receives is at least 15 dB down on the same
// call without, and with the canceller and noise suppression (as shipped)
// at least 25 dB. (A broken canceller takes nothing off. The loop here is
// PulseAudio's module-loopback, whose adaptive resampling keeps changing
// the echo's delay a little: the canceller alone measures 20-35 dB in it.)
func TestEchoCancellation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := setUp(t, ctx, soundcard.Choice{Mic: pulse.Mic, Speaker: pulse.Speaker})
	if err := r.pulse.Ctl("load-module", "module-loopback", "source=speaker.monitor", "sink=micfeed", "latency_msec=30"); err != nil {
		t.Fatal(err)
	}
	once := func(cancelEcho, denoise bool) float64 {
		c := r.sound.Choice()
		c.EchoCancel, c.NoiseSuppression = cancelEcho, denoise
		if err := r.sound.Set(c); err != nil {
			t.Fatal(err)
		}
		id, err := r.phone.Call(r.lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		r.ev.wait(t, ctx, phone.EventCallConfirmed, nil)
		time.Sleep(10 * time.Second) // the canceller converges in the first seconds
		if err := r.phone.EndCall(id); err != nil {
			t.Fatal(err)
		}
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
		s, rate := r.farEndHeard(t)
		last := s[max(0, len(s)-2*rate):]
		level := pulse.Level(last)
		t.Logf("echo cancellation %v, noise suppression %v: far end received %.1f dBFS", cancelEcho, denoise, level)
		return level
	}
	// A call whose far end got exact silence measured nothing: its
	// microphone path delivered no audio at all (a rare capture stall, see
	// the issue notes). Such a call is repeated, at most twice, and said.
	echo := func(cancelEcho, denoise bool) float64 {
		for try := 1; ; try++ {
			level := once(cancelEcho, denoise)
			if level > -120 || try == 3 {
				return level
			}
			t.Logf("the far end got exact silence (try %d): repeating the call", try)
		}
	}
	off := echo(false, false)
	if off < -50 {
		t.Fatalf("without cancellation the far end got %.1f dBFS: the loop does not echo", off)
	}
	// The canceller alone, so that noise suppression (which also works on
	// a steady tone) does not take the credit; then both, as shipped.
	aec := echo(true, false)
	if off-aec < 15 {
		// One more call tells a bad call (a sound-server stall while the
		// filter converged) from a broken canceller.
		t.Logf("the canceller took only %.1f dB off this call: repeating it once", off-aec)
		aec = echo(true, false)
	}
	both := echo(true, true)
	fmt.Printf("e2e: echo loop: far end received %.1f dBFS without cancellation; %.1f dBFS with it (%.1f dB down), %.1f dBFS with noise suppression too (%.1f dB down)\n",
		off, aec, off-aec, both, off-both)
	if off-aec < 15 {
		t.Fatalf("echo %.1f dB down with cancellation alone, want at least 15", off-aec)
	}
	if off-both < 25 {
		t.Fatalf("echo %.1f dB down with cancellation and noise suppression, want at least 25", off-both)
	}
}
