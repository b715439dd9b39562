package audio

import "math"

// DominantFrequency returns the frequency, in whole hertz from 50 to
// sampleRate/2, with the most energy in samples, and its share of the total
// energy (0..1). It scans with the Goertzel filter, in 1 Hz steps around the
// best 10 Hz bin: enough to tell call-test tones apart without an FFT library.
func DominantFrequency(samples []int16, sampleRate int) (hz int, share float64) {
	if len(samples) == 0 || sampleRate <= 0 {
		return 0, 0
	}
	x := make([]float64, len(samples))
	var total float64
	for i, s := range samples {
		x[i] = float64(s)
		total += x[i] * x[i]
	}
	if total == 0 {
		return 0, 0
	}
	best, bestP := 0, 0.0
	scan := func(from, to, step int) {
		for f := from; f <= to; f += step {
			if p := goertzel(x, float64(f), float64(sampleRate)); p > bestP {
				best, bestP = f, p
			}
		}
	}
	scan(50, sampleRate/2-10, 10)
	scan(max(50, best-10), min(sampleRate/2, best+10), 1)
	// Goertzel power of a pure tone is (N*A/2)^2 while the energy is N*A^2/2,
	// so 2*power/(N*energy) is 1 for a pure tone.
	share = 2 * bestP / (float64(len(x)) * total)
	return best, min(share, 1)
}

func goertzel(x []float64, f, rate float64) float64 {
	w := 2 * math.Pi * f / rate
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}
