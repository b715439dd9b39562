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

// ToneShare is the share (0..1) of the energy of samples that is a tone of
// hz, measured over 20 ms blocks and summed across them (Welch's way):
// unlike DominantFrequency's one bin over the whole, a click or a jump of
// the tone's phase (a scheduling hiccup, a trimmed buffer) costs only its
// own block. A block's 50 Hz bins tell test tones apart (523, 700, 1000 Hz),
// not a tone from one a few hertz off.
func ToneShare(samples []int16, sampleRate, hz int) float64 {
	block := sampleRate / 50
	if block == 0 || len(samples) < block {
		return 0
	}
	x := make([]float64, block)
	var tone, total float64
	for at := 0; at+block <= len(samples); at += block {
		var e float64
		for i, s := range samples[at : at+block] {
			x[i] = float64(s)
			e += x[i] * x[i]
		}
		total += e
		tone += 2 * goertzel(x, float64(hz), float64(sampleRate)) / float64(block)
	}
	if total == 0 {
		return 0
	}
	return min(tone/total, 1)
}
