package audio

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestToneIsDetected(t *testing.T) {
	for _, tc := range []struct {
		hz   float64
		rate int
	}{{1000, 8000}, {700, 8000}, {550, 48000}, {3000, 16000}} {
		tone := &Tone{Hz: tc.hz}
		rec := &Recorder{}
		frame := make([]int16, tc.rate/50)
		for i := 0; i < 25; i++ { // 0.5 s in 20 ms frames
			_ = tone.Read(frame, tc.rate)
			_ = rec.Write(frame, tc.rate)
		}
		s, rate := rec.Samples()
		hz, share := DominantFrequency(s, rate)
		if hz < int(tc.hz)-2 || hz > int(tc.hz)+2 || share < 0.9 {
			t.Errorf("tone %v Hz at %d: detected %d Hz, share %.2f", tc.hz, tc.rate, hz, share)
		}
	}
	if hz, _ := DominantFrequency(make([]int16, 800), 8000); hz != 0 {
		t.Errorf("silence detected as %d Hz", hz)
	}
}

// ToneShare holds through jumps of the tone's phase that cancel a single
// bin over the whole, and tells the tone from others and from noise.
func TestToneShare(t *testing.T) {
	const rate = 48000
	tone := func(hz float64, jumps bool) []int16 {
		s := make([]int16, rate) // 1 s
		phase := 0.0
		for i := range s {
			if jumps && i%(rate/10) == rate/20 { // half a turn, ten times
				phase += math.Pi
			}
			s[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/rate+phase))
		}
		return s
	}
	noise := make([]int16, rate)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = int16(r.IntN(16000) - 8000)
	}
	for _, tc := range []struct {
		name     string
		s        []int16
		hz       int
		min, max float64
	}{
		{"a steady tone", tone(700, false), 700, 0.95, 1},
		{"a tone whose phase jumps ten times", tone(700, true), 700, 0.75, 1},
		{"another tone", tone(523, false), 700, 0, 0.05},
		{"noise", noise, 700, 0, 0.05},
		{"silence", make([]int16, rate), 700, 0, 0},
		{"too short", tone(700, false)[:100], 700, 0, 0},
	} {
		if got := ToneShare(tc.s, rate, tc.hz); got < tc.min || got > tc.max {
			t.Errorf("%s: share %.3f, want %.2f..%.2f", tc.name, got, tc.min, tc.max)
		}
	}
}
