package audio_test

import (
	"math"
	"testing"

	"voicedesk/backend/audio"
	"voicedesk/backend/dsp/aecsim"
)

// lowPass runs s through a 4th-order Butterworth-like low-pass (two
// biquads) at fc: what a narrowband codec leaves of speech.
func lowPass(s []int16, rate int, fc float64) []int16 {
	w := 2 * math.Pi * fc / float64(rate)
	alpha := math.Sin(w) / (2 * 0.7071)
	cw := math.Cos(w)
	b0, b1, b2 := (1-cw)/2, 1-cw, (1-cw)/2
	a0, a1, a2 := 1+alpha, -2*cw, 1-alpha
	x := make([]float64, len(s))
	for i, v := range s {
		x[i] = float64(v)
	}
	for pass := 0; pass < 4; pass++ {
		var x1, x2, y1, y2 float64
		for i, v := range x {
			y := (b0*v + b1*x1 + b2*x2 - a1*y1 - a2*y2) / a0
			x2, x1, y2, y1 = x1, v, y1, y
			x[i] = y
		}
	}
	out := make([]int16, len(s))
	for i, v := range x {
		out[i] = int16(max(-32767, min(32767, v)))
	}
	return out
}

func scaled(s []int16, db float64) []int16 {
	g := math.Pow(10, db/20)
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = int16(float64(v) * g)
	}
	return out
}

// The speech measures see what a listener hears change and ignore what a
// path changes without changing the voice: rows name the rule.
func TestSpeechEnvelope(t *testing.T) {
	s, rate, err := aecsim.Speech("Hello, this is Alice from support. How can I help you today?", "en-us")
	if err != nil {
		t.Fatal(err)
	}
	padded := append(make([]int16, rate), s...) // a second of silence first: a late recording
	padded = append(padded, make([]int16, rate)...)
	for _, c := range []struct {
		rule             string
		b                []int16
		minDist, maxDist float64
		levelDiff        float64 // b's SpeechLevel minus s's, ±0.5 dB
	}{
		{"the same speech is at distance 0", s, 0, 0.01, 0},
		{"a quieter copy has the same envelope, 10 dB less level", scaled(s, -10), 0, 0.1, -10},
		{"silence around it changes neither", padded, 0, 0.3, 0},
		{"a narrowband path (3.4 kHz low-pass) is far from it", lowPass(s, rate, 3400), 4, 100, math.NaN()},
	} {
		if d := audio.EnvelopeDistance(s, rate, c.b, rate); d < c.minDist || d > c.maxDist {
			t.Errorf("%s: distance %.2f dB, want %.2f..%.2f", c.rule, d, c.minDist, c.maxDist)
		}
		if !math.IsNaN(c.levelDiff) {
			if d := audio.SpeechLevel(c.b, rate) - audio.SpeechLevel(s, rate); math.Abs(d-c.levelDiff) > 0.5 {
				t.Errorf("%s: level differs by %.2f dB, want %.1f", c.rule, d, c.levelDiff)
			}
		}
	}
	if d := audio.EnvelopeDistance(s, rate, make([]int16, rate), rate); !math.IsInf(d, 1) {
		t.Errorf("speech against silence: distance %.2f, want +Inf", d)
	}
}
