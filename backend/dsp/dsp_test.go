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
// at half amplitude. However the sound card's two threads take turns — in
// step, in bursts as on a loaded machine, one starting first — the echo
// left after convergence is at least 20 dB down.
func TestEchoCancellation(t *testing.T) {
	const rate, frame = 48000, 480
	cases := []struct {
		name string
		// order says, per step, how many playback and capture callbacks run
		order func(rng *rand.Rand, step int) (play, capture int)
	}{
		{"in step", func(*rand.Rand, int) (int, int) { return 1, 1 }},
		{"capture first", func(_ *rand.Rand, step int) (int, int) { return 1, 1 }},
		{"bursts of up to five frames", func(rng *rand.Rand, step int) (int, int) {
			if step%5 == 0 {
				return 5, 5
			}
			return 0, 0
		}},
		{"playback late by a varying 0-4 frames", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out [][]int16
			var pp *Preprocessor
			ec, err := NewEchoCanceller(frame, rate/5, rate, func(clean []int16) {
				pp.Run(clean)
				out = append(out, append([]int16(nil), clean...))
			})
			if err != nil {
				t.Fatal(err)
			}
			defer ec.Close()
			if pp, err = NewPreprocessor(frame, rate, true, ec); err != nil {
				t.Fatal(err)
			}
			defer pp.Close()
			rng := rand.New(rand.NewSource(1))
			delay := rate * 30 / 1000
			far := make([]int16, rate*10)
			for i := range far {
				far[i] = int16(rng.NormFloat64() * 3000)
			}
			frames := len(far) / frame
			// Microphone frame k holds the echo of played frame k-3-lead
			// and is captured only once that frame has been played.
			const echo = 3
			lead := 0
			if c.name == "capture first" {
				lead = 5
			}
			var mics [][]int16
			played, captured := 0, 0
			for ; captured < lead; captured++ { // before playback starts
				ec.Capture(make([]int16, frame))
				mics = append(mics, make([]int16, frame))
			}
			for step := 0; played < frames; step++ {
				var p, k int
				if c.order != nil {
					p, k = c.order(rng, step)
				} else { // both on one clock, the playback thread 0-4 frames late
					p, k = max(0, step+1-rng.Intn(5)-played), step+1+lead-captured
				}
				for ; p > 0 && played < frames; p-- {
					ec.Playback(far[played*frame : (played+1)*frame])
					played++
				}
				for ; k > 0 && captured-lead-echo < played; k-- {
					mic := make([]int16, frame)
					start := (captured-lead)*frame - delay
					for i := range mic {
						if j := start + i; j >= 0 && j < len(far) {
							mic[i] = far[j] / 2
						}
					}
					mics = append(mics, mic)
					ec.Capture(mic)
					captured++
				}
			}
			if len(out) < len(mics)-6 {
				t.Fatalf("%d microphone frames in, %d out: frames held back", len(mics), len(out))
			}
			var inE, outE float64
			for i := len(out) / 2; i < len(out); i++ { // converged
				inE += energy(mics[i])
				outE += energy(out[i])
			}
			db := 10 * math.Log10(inE/math.Max(outE, 1e-9))
			t.Logf("echo attenuated by %.1f dB", db)
			if db < 20 {
				t.Fatalf("echo attenuated by %.1f dB, want ≥ 20", db)
			}
		})
	}
}

// With nothing played yet (no speaker) the microphone gets through at
// once; once the speaker has played, a microphone frame waits for its
// reference at most micDepth frames.
func TestEchoCancellerWithoutPlayback(t *testing.T) {
	const frame = 160
	n := 0
	ec, err := NewEchoCanceller(frame, 1600, 16000, func([]int16) { n++ })
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	for i := 0; i < 100; i++ {
		ec.Capture(make([]int16, frame))
		if n != i+1 {
			t.Fatalf("nothing played: after %d frames in, %d out, want all", i+1, n)
		}
	}
	ec.Playback(make([]int16, frame))
	for i := 0; i < 100; i++ { // the speaker stalled after one frame
		ec.Capture(make([]int16, frame))
		if held := 100 + i + 1 - n; held > micDepth {
			t.Fatalf("speaker stalled: %d frames held, want at most %d", held, micDepth)
		}
	}
}
