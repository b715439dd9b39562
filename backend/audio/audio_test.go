package audio

import "testing"

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
