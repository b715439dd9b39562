package audio

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Speech through a call is judged against what was sent by two numbers:
// its level (SpeechLevel) and its spectral envelope (EnvelopeDistance).
//
// The envelope is the long-term average spectrum of the speech's active
// frames in third-octave bands, 160 Hz to 6.3 kHz (the Speech
// Intelligibility Index's bands, cut at wideband speech's edge). A long-term
// average needs no sample alignment, so it compares a recording made at
// the far end, late by the whole path and resampled on the way, with what
// went in; each spectrum is taken relative to its own mean band level, so
// the overall gain (SpeechLevel's business) does not count. The distance
// is the RMS of the bands' differences in dB: 1 dB is a change nobody
// hears, a noise suppressor eating the consonants' band or a narrowband
// codec's missing top octave shows as 4-10 dB.

// envelopeBands are the third-octave centres from 160 Hz to 6.3 kHz.
var envelopeBands = func() []float64 {
	var c []float64
	for f := 160.0; f < 7000; f *= math.Pow(2, 1.0/3) {
		c = append(c, f)
	}
	return c
}()

// activeFrameDB: a 20 ms frame counts as speech when it is within this many
// dB of the loudest frame (pauses and noise between words do not).
const activeFrameDB = 35

// speechFrames is the 20 ms frames of s that hold speech.
func speechFrames(s []int16, rate int) [][]int16 {
	n := rate / 50
	var frames [][]int16
	var levels []float64
	loudest := -200.0
	for at := 0; at+n <= len(s); at += n {
		l := Level(s[at : at+n])
		frames, levels = append(frames, s[at:at+n]), append(levels, l)
		loudest = max(loudest, l)
	}
	var out [][]int16
	for i, f := range frames {
		if levels[i] > loudest-activeFrameDB && levels[i] > -70 {
			out = append(out, f)
		}
	}
	return out
}

// Level is the RMS level of s in dBFS (-200 for digital silence).
func Level(s []int16) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	if e == 0 {
		return -200
	}
	return 10 * math.Log10(e/float64(len(s))/(32768*32768))
}

// SpeechLevel is the RMS level (dBFS) of s's speech frames: pauses do not
// lower it, so a sentence and its recording with a second of silence
// around it read alike.
func SpeechLevel(s []int16, rate int) float64 {
	var e float64
	var n int
	for _, f := range speechFrames(s, rate) {
		for _, v := range f {
			e += float64(v) * float64(v)
		}
		n += len(f)
	}
	if e == 0 {
		return -200
	}
	return 10 * math.Log10(e/float64(n)/(32768*32768))
}

// Envelope is s's long-term speech spectrum in third-octave bands (dB,
// relative to their mean); nil when s holds no speech or its rate cannot
// carry the bands.
func Envelope(s []int16, rate int) []float64 {
	frames := speechFrames(s, rate)
	if len(frames) == 0 || rate < 16000 {
		return nil
	}
	// Zero-padded to four times the frame, so that even the lowest band
	// (142-180 Hz) spans bins at any rate.
	size := 1
	for size < 4*rate/50 {
		size *= 2
	}
	fft := fourier.NewFFT(size)
	in := make([]float64, size)
	coeff := make([]complex128, size/2+1)
	power := make([]float64, size/2+1)
	n := rate / 50
	for _, f := range frames {
		clear(in)
		for i, v := range f {
			in[i] = float64(v) * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)))
		}
		fft.Coefficients(coeff, in)
		for k, c := range coeff {
			power[k] += real(c)*real(c) + imag(c)*imag(c)
		}
	}
	bin := float64(rate) / float64(size)
	env := make([]float64, len(envelopeBands))
	var mean float64
	for b, fc := range envelopeBands {
		lo, hi := fc/math.Pow(2, 1.0/6), fc*math.Pow(2, 1.0/6)
		var e float64
		for k := int(math.Ceil(lo / bin)); float64(k)*bin < hi && k < len(power); k++ {
			e += power[k]
		}
		env[b] = 10 * math.Log10(e+1e-9)
		mean += env[b]
	}
	mean /= float64(len(env))
	for b := range env {
		env[b] -= mean
	}
	return env
}

// EnvelopeDistance is the RMS difference (dB) of a's and b's speech
// envelopes, each at its own rate; +Inf when either holds no speech.
func EnvelopeDistance(a []int16, rateA int, b []int16, rateB int) float64 {
	ea, eb := Envelope(a, rateA), Envelope(b, rateB)
	if ea == nil || eb == nil {
		return math.Inf(1)
	}
	var d float64
	for i := range ea {
		d += (ea[i] - eb[i]) * (ea[i] - eb[i])
	}
	return math.Sqrt(d / float64(len(ea)))
}
