package dsp

import (
	"math"
	"math/rand"
	"testing"

	"voicedesk/backend/audio"
)

func tone(hz float64, rate, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return out
}

func TestResampler(t *testing.T) {
	for _, tc := range []struct{ in, out int }{{44100, 48000}, {48000, 44100}, {48000, 8000}, {8000, 48000}, {48000, 16000}} {
		r, err := NewResampler(tc.in, tc.out)
		if err != nil {
			t.Fatal(err)
		}
		src := tone(1000, tc.in, tc.in) // one second
		var dst []int16
		// In 10 ms pieces, as a sound card delivers it.
		for i := 0; i < len(src); i += tc.in / 100 {
			dst = r.Process(dst, src[i:min(i+tc.in/100, len(src))])
		}
		r.Close()
		// The filter delay (skipped at the start) is a few ms of output.
		if d := len(dst) - tc.out; d < -tc.out/100*3 || d > 10 {
			t.Errorf("%d → %d Hz: %d samples out of one second, want about %d", tc.in, tc.out, len(dst), tc.out)
		}
		hz, share := audio.DominantFrequency(dst[len(dst)/4:], tc.out)
		if hz < 980 || hz > 1020 || share < 0.9 {
			t.Errorf("%d → %d Hz: dominant %d Hz (share %.2f), want 1000", tc.in, tc.out, hz, share)
		}
	}
	if _, err := NewResampler(0, 8000); err == nil {
		t.Error("a zero rate was accepted")
	}
}

func energy(s []int16) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return e / float64(len(s))
}

// The speaker plays speech-like noise; the microphone hears it 30 ms later
// at half amplitude. With the canceller and its residual suppression the
// echo left after convergence is at least 20 dB down.
func TestEchoCancellation(t *testing.T) {
	const rate, frame = 48000, 480
	ec, err := NewEchoCanceller(frame, rate/5, rate)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	pp, err := NewPreprocessor(frame, rate, true, ec)
	if err != nil {
		t.Fatal(err)
	}
	defer pp.Close()
	rng := rand.New(rand.NewSource(1))
	delay := rate * 30 / 1000
	far := make([]int16, rate*8)
	for i := range far {
		far[i] = int16(rng.NormFloat64() * 3000)
	}
	var inE, outE float64
	out := make([]int16, frame)
	for f := 0; f+frame <= len(far); f += frame {
		mic := make([]int16, frame)
		for i := range mic {
			if j := f + i - delay; j >= 0 {
				mic[i] = far[j] / 2
			}
		}
		ec.Playback(far[f : f+frame])
		ec.Capture(mic, out)
		pp.Run(out)
		if f > len(far)/2 { // converged
			inE += energy(mic)
			outE += energy(out)
		}
	}
	db := 10 * math.Log10(inE/math.Max(outE, 1e-9))
	t.Logf("echo attenuated by %.1f dB", db)
	if db < 20 {
		t.Fatalf("echo attenuated by %.1f dB, want ≥ 20", db)
	}
}
