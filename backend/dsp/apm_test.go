//go:build !windows && !speexaec

// The webrtc library's figures; apm_speex_test.go has the speexdsp face's.

package dsp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"voicedesk/backend/audio"
	"voicedesk/backend/dsp/aecsim"
)

// The canceller takes the echo of the far end's speech out of the
// microphone, whatever the echo's delay and however it moves, and whatever
// order the card's two threads hand their frames over in.
func TestAPMCancelsEcho(t *testing.T) {
	far := aecsim.Loop(farSpeech(t), simRate*20)
	bursts := func(_ *rand.Rand, step int) (int, int) {
		if step%5 == 0 {
			return 5, 5 // a loaded machine: each thread runs late, five frames at once
		}
		return 0, 0
	}
	cases := []struct {
		rule string
		path aecsim.Path
		// from (ms) the echo must be at least minDB down in every 100 ms
		// window that holds echo
		from  int
		minDB float64
		order func(*rand.Rand, int) (int, int)
	}{
		{"a laptop's short echo (40 ms) is cancelled", aecsim.Path{DelayMs: 40, GainDB: -6, Reverb: true}, 5000, 30, nil},
		{"a sound server's deep buffers (150 ms)", aecsim.Path{DelayMs: 150, GainDB: -6, Reverb: true}, 5000, 30, nil},
		{"a Bluetooth headset's long delay (330 ms)", aecsim.Path{DelayMs: 330, GainDB: -6, Reverb: true}, 5000, 30, nil},
		{"a starved speaker moves the echo 60 ms later: back within 2 s", aecsim.Path{DelayMs: 150, GainDB: -6, Reverb: true, JumpAtMs: 10000, JumpMs: 60}, 12000, 30, nil},
		{"a reset buffer moves it 60 ms earlier: back within 2 s", aecsim.Path{DelayMs: 200, GainDB: -6, Reverb: true, JumpAtMs: 10000, JumpMs: -60}, 12000, 30, nil},
		{"a long delay that moves: back within 2 s", aecsim.Path{DelayMs: 330, GainDB: -6, Reverb: true, JumpAtMs: 10000, JumpMs: 60}, 12000, 30, nil},
		{"threads in bursts of five frames", aecsim.Path{DelayMs: 60, GainDB: -6, Reverb: true}, 5000, 30, bursts},
		{"threads taking turns at random", aecsim.Path{DelayMs: 60, GainDB: -6, Reverb: true}, 5000, 30, aecsim.RandomTurns()},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000, Far: far, Echo: &c.path, Order: c.order})
			if err != nil {
				t.Fatal(err)
			}
			worst := r.WorstERLE(c.from, 20000)
			t.Logf("echo down %.1f dB over 2-20 s, at worst %.1f dB in a 100 ms window from %d ms", r.ERLE(2000, 20000), worst, c.from)
			if worst < c.minDB {
				t.Errorf("echo only %.1f dB down in a window from %d ms, want ≥ %.0f", worst, c.from, c.minDB)
			}
		})
	}
}

// With no acoustic path at all (a headset), the canceller must never put
// the far end's voice into what the far end hears: its 440 Hz stays below
// -60 dBFS in every 100 ms window of 20 s while the near end's 1000 Hz
// gets through.
func TestAPMAddsNothingWithoutEcho(t *testing.T) {
	n := simRate * 20
	r, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000,
		Far: aecsim.Tone(440, simRate, n, -12), Near: aecsim.Tone(1000, simRate, n, -12)})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.MaxToneLevel(440, 0, 20000); l > -60 {
		t.Errorf("the far end's 440 Hz reached the output at %.1f dBFS, want ≤ -60", l)
	}
	for at := 0; at+100 <= 20000; at += 100 {
		if l := aecsim.ToneLevel(r.Out[simRate*at/1000:simRate*(at+100)/1000], simRate, 1000); l < -40 {
			t.Fatalf("the near end's 1000 Hz at %d ms: %.1f dBFS, want it heard", at, l)
		}
	}
}

// Double talk: while the far end talks and echoes, the near end's speech
// reaches the far end within 3 dB of its level without echo; and speech
// keeps its level through the noise suppressor (within 3 dB).
func TestAPMKeepsTheNearEndsSpeech(t *testing.T) {
	near := nearSpeech(t)
	n := simRate * 20
	nearAt := make([]int16, n)
	copy(nearAt[8*simRate:], near)
	far := aecsim.Loop(farSpeech(t), n)
	solo, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000, Near: nearAt})
	if err != nil {
		t.Fatal(err)
	}
	both, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000, Near: nearAt, Far: far,
		Echo: &aecsim.Path{DelayMs: 60, GainDB: -6, Reverb: true}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := 8*simRate, 8*simRate+len(near)
	in, alone, talk := audio.Level(nearAt[a:b]), audio.Level(solo.Out[a:b]), audio.Level(both.Out[a:b])
	t.Logf("near end's speech: %.1f dBFS said, %.1f dBFS sent alone, %.1f dBFS sent over the far end's echo", in, alone, talk)
	if alone < in-3 || alone > in+3 {
		t.Errorf("speech alone sent at %.1f dBFS, said at %.1f: more than 3 dB apart", alone, in)
	}
	if talk < alone-3 {
		t.Errorf("speech over echo sent at %.1f dBFS, %.1f alone: more than 3 dB lost to double talk", talk, alone)
	}
}

// The automatic gain raises a quiet microphone's speech and leaves a
// normal one near its level, without colouring it: rows name the rule
// (speech over a microphone's -70 dBFS self-noise, noise suppression on as
// shipped).
func TestAPMGain(t *testing.T) {
	near := nearSpeech(t)
	gain := func(rate int, emit func([]int16)) (aecsim.Canceller, error) {
		return NewAPM(APMConfig{Rate: rate, Denoise: true, Gain: true}, emit)
	}
	for _, c := range []struct {
		rule             string
		saidDB           float64
		minSent, maxSent float64
	}{
		{"a quiet headset (-45 dBFS) is raised by 10 dB or more", -45, -35, -15},
		{"a soft voice (-35 dBFS) is raised toward -20", -35, -25, -15},
		{"a normal voice (-18 dBFS) stays within 3 dB", -18, -21, -15},
	} {
		g := math.Pow(10, (c.saidDB-audio.SpeechLevel(near, simRate))/20)
		at := make([]int16, simRate*20)
		// The sentence three times: the gain adapts over the first.
		for k := 0; k < 3; k++ {
			for i, v := range near {
				at[k*6*simRate+i] = int16(float64(v) * g)
			}
		}
		run, err := aecsim.Play(gain, aecsim.Scenario{Rate: simRate, Ms: 20000, Near: at, NoiseDB: -70})
		if err != nil {
			t.Fatal(err)
		}
		a, b := 12*simRate, 12*simRate+len(near)
		sent := audio.SpeechLevel(run.Out[a:b], simRate)
		dist := audio.EnvelopeDistance(at[a:b], simRate, run.Out[a:b], simRate)
		t.Logf("%s: said %.1f dBFS, sent %.1f dBFS, envelope distance %.2f dB", c.rule, c.saidDB, sent, dist)
		if sent < c.minSent || sent > c.maxSent {
			t.Errorf("%s: sent at %.1f dBFS, want %.0f..%.0f", c.rule, sent, c.minSent, c.maxSent)
		}
		if dist > 2 {
			t.Errorf("%s: envelope %.2f dB from what was said, want ≤ 2", c.rule, dist)
		}
	}
}

// One second of a call's processing (100 frames of 10 ms: the far end's
// audio as the reference, the microphone's through the canceller, the
// noise suppressor and the delay estimator) at 48 kHz and at 16 kHz, the
// rate the sound card's stream processes at: what the rate costs.
func BenchmarkAPMSecond(b *testing.B) {
	for _, rate := range []int{48000, 16000} {
		b.Run(fmt.Sprintf("%dHz", rate), func(b *testing.B) {
			p, err := NewAPM(APMConfig{Rate: rate, EchoCancel: true, Denoise: true, Gain: true}, func([]int16) {})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			n := rate / 100
			far, mic := make([]int16, n), make([]int16, n)
			for b.Loop() {
				for f := 0; f < 100; f++ {
					for i := range far {
						t := float64(f*n+i) / float64(rate)
						far[i] = int16(4000 * math.Sin(2*math.Pi*440*t))
						mic[i] = int16(1000*math.Sin(2*math.Pi*440*(t-0.04)) + 800*math.Sin(2*math.Pi*1200*t))
					}
					p.Playback(far)
					p.Capture(mic)
				}
			}
		})
	}
}
