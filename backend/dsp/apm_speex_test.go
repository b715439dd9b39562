//go:build windows || speexaec

package dsp

import (
	"testing"

	"voicedesk/backend/dsp/aecsim"
)

// The speexdsp face (apm_speex.c, the Windows build's canceller) is weaker
// than the webrtc library's and these rows say by how much (measured
// 2026-12-07 with go test -tags speexaec: 36 dB over a plain 40 ms room,
// 10-16 dB where the echo is long or moves, against webrtc's ≥ 30 dB in every
// 100 ms window; see README "Install", Windows). They hold it to what it does,
// so a change that makes it worse fails.
func TestSpeexFaceCancelsEcho(t *testing.T) {
	far := aecsim.Loop(farSpeech(t), simRate*20)
	cases := []struct {
		rule  string
		path  aecsim.Path
		minDB float64 // over 2-20 s
	}{
		{"a laptop's short echo (40 ms) is cancelled", aecsim.Path{DelayMs: 40, GainDB: -6, Reverb: true}, 30},
		{"a sound server's deep buffers (150 ms): the bulk delay is the Go side's", aecsim.Path{DelayMs: 150, GainDB: -6, Reverb: true}, 12},
		{"a Bluetooth headset's long delay (330 ms)", aecsim.Path{DelayMs: 330, GainDB: -6, Reverb: true}, 12},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000, Far: far, Echo: &c.path})
			if err != nil {
				t.Fatal(err)
			}
			got := r.ERLE(2000, 20000)
			t.Logf("echo down %.1f dB over 2-20 s, at worst %.1f dB in a 100 ms window from 5 s", got, r.WorstERLE(5000, 20000))
			if got < c.minDB {
				t.Errorf("echo only %.1f dB down over 2-20 s, want ≥ %.0f", got, c.minDB)
			}
		})
	}
}

// With no acoustic path (a headset) the far end's tone must stay far below
// what anyone hears, and the near end's must get through (above -40 dBFS,
// as for the webrtc library: speex's noise suppressor takes 15 dB off a
// steady tone, which it counts as noise).
func TestSpeexFaceAddsLittleWithoutEcho(t *testing.T) {
	n := simRate * 20
	r, err := aecsim.Play(apmFactory, aecsim.Scenario{Rate: simRate, Ms: 20000,
		Far: aecsim.Tone(440, simRate, n, -12), Near: aecsim.Tone(1000, simRate, n, -12)})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.MaxToneLevel(440, 0, 20000); l > -50 {
		t.Errorf("the far end's 440 Hz reached the output at %.1f dBFS, want ≤ -50", l)
	}
	if l := aecsim.ToneLevel(r.Out[simRate*10:simRate*11], simRate, 1000); l < -40 {
		t.Errorf("the near end's 1000 Hz at 10 s: %.1f dBFS, want it heard", l)
	}
}
