package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// directSearch is the search by its definition, a sum per lag: the FFT
// search must find the same lag and correlation.
func directSearch(d *delayEstimator) (int, float64) {
	end := d.micN
	start := end - d.window
	size := len(d.mic)
	var mm float64
	for t := start; t < end; t++ {
		mm += float64(d.mic[t%size]) * float64(d.mic[t%size])
	}
	best, bestC := 0, 0.0
	for lag := 0; lag <= d.maxLag; lag++ {
		if start-lag < 0 || d.refN-(start-lag) > size || end-lag > d.refN {
			continue
		}
		var xy, rr float64
		for t := start; t < end; t++ {
			r := float64(d.ref[(t-lag)%size])
			xy += float64(d.mic[t%size]) * r
			rr += r * r
		}
		if rr == 0 {
			continue
		}
		if c := xy / math.Sqrt(mm*rr); c > bestC {
			best, bestC = lag, c
		}
	}
	return best, bestC
}

// The estimator finds an echo's delay, as the sum over every lag would,
// whether the reference began before the microphone, with it, or has
// wrapped round its ring; rows name the case.
func TestDelaySearchMatchesItsDefinition(t *testing.T) {
	const rate, frame = 48000, 480
	for _, c := range []struct {
		rule    string
		delayMs int
		frames  int // frames fed before searching
		gain    float64
	}{
		{"a short echo, early in the call", 40, 150, 0.5},
		{"a long echo", 330, 150, 0.5},
		{"the rings have wrapped round", 150, 900, 0.3},
		{"no echo at all finds no strong peak", -1, 300, 0},
	} {
		t.Run(c.rule, func(t *testing.T) {
			d := newDelayEstimator(rate, frame)
			rng := rand.New(rand.NewPCG(1, 2))
			far := make([]int16, c.frames*frame)
			for i := range far {
				far[i] = int16(rng.NormFloat64() * 3000)
			}
			for f := 0; f < c.frames; f++ {
				d.played(far[f*frame : (f+1)*frame])
				mic := make([]int16, frame)
				for i := range mic {
					at := f*frame + i - c.delayMs*rate/1000
					if c.delayMs >= 0 && at >= 0 {
						mic[i] = int16(c.gain * float64(far[at]))
					}
					mic[i] += int16(rng.NormFloat64() * 100)
				}
				d.decimate(d.mic, d.micN, mic)
				d.micN += frame / d.dec
			}
			lag, corr := d.search()
			wantLag, wantCorr := directSearch(d)
			if lag != wantLag || math.Abs(corr-wantCorr) > 1e-6 {
				t.Errorf("FFT search: lag %d corr %.6f; by definition: lag %d corr %.6f", lag, corr, wantLag, wantCorr)
			}
			if c.delayMs >= 0 {
				if got := lag * 1000 / decimatedRate; math.Abs(float64(got-c.delayMs)) > 2 || corr < minCorr {
					t.Errorf("found %d ms at corr %.2f, want %d ms above %.2f", got, corr, c.delayMs, minCorr)
				}
			} else if corr >= minCorr {
				t.Errorf("no echo, yet a peak of %.2f at %d ms", corr, lag*1000/decimatedRate)
			}
		})
	}
}

// An echo whose delay wavers by a few ms about a frame boundary (the card's
// period and the sound server's jitter do that) must not move the alignment
// back and forth: every move makes the canceller's filter converge again,
// about a second of 10-15 dB less (test/sound saw it). A real move (a
// starved speaker, a reset buffer: tens of ms) must still be followed.
func TestDelayEstimateHoldsAtAFrameBoundary(t *testing.T) {
	const rate, frame = 48000, 480
	d := newDelayEstimator(rate, frame)
	rng := rand.New(rand.NewPCG(3, 4))
	far := make([]int16, 0, 20*rate)
	delayAt := func(f int) int { // ms; 10 ms frames
		switch {
		case f >= 1200: // from 12 s: the echo moved 60 ms later
			return 105
		case (f/100)%2 == 0: // each second, 44 or 46 ms: about the 45 ms boundary
			return 44
		default:
			return 46
		}
	}
	moves, movedAfterJump := 0, -1
	for f := 0; f < 1600; f++ {
		out := make([]int16, frame)
		for i := range out {
			out[i] = int16(rng.NormFloat64() * 3000)
		}
		far = append(far, out...)
		d.played(out)
		mic := make([]int16, frame)
		for i := range mic {
			if at := f*frame + i - delayAt(f)*rate/1000; at >= 0 {
				mic[i] = int16(0.5 * float64(far[at]))
			}
			mic[i] += int16(rng.NormFloat64() * 100)
		}
		if d.captured(mic) {
			moves++
			if f >= 1200 && movedAfterJump < 0 {
				movedAfterJump = f - 1200
			}
		}
	}
	if movedAfterJump < 0 || movedAfterJump > 200 {
		t.Fatalf("the 60 ms move was followed after %d frames, want within 2 s (200)", movedAfterJump)
	}
	if moves != 2 {
		t.Fatalf("the alignment moved %d times, want 2: once found, once after the real move (not with each 2 ms waver)", moves)
	}
}
