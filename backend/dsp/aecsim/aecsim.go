// Package aecsim measures an echo canceller on a simulated room, the same
// way for every candidate: the far end's audio is played, comes back to
// the microphone through an echo path (a delay, a gain, a short reverb),
// mixed with what the near end says, and the canceller's output is judged
// against what it should be. The unit tests of backend/dsp and the echo
// bench (bench/aecbench) both use it, so the figures that chose the
// canceller are the ones the tests hold it to.
//
// The clock is the frame count: nothing here sleeps.
package aecsim

import (
	"math"
	"math/rand/v2"

	"voicedesk/backend/audio"
)

// Canceller is what is measured: played frames in through Playback, the
// microphone's through Capture, the processed microphone out through the
// function it was made with.
type Canceller interface {
	Playback(frame []int16)
	Capture(frame []int16)
	Close()
}

// Factory makes a canceller for frames of rate/100 samples at rate Hz that
// hands each processed frame to emit.
type Factory func(rate int, emit func([]int16)) (Canceller, error)

// Path is the echo path from the speaker to the microphone.
type Path struct {
	// DelayMs is the echo's delay behind what was played; JumpAtMs > 0
	// moves it by JumpMs from then on (a starved speaker, a buffer reset).
	DelayMs, JumpAtMs, JumpMs int
	// GainDB is the direct echo's level against the speaker (-6: half).
	GainDB float64
	// Reverb adds a decaying tail of reflections (a room, not a wire).
	Reverb bool
}

// Scenario is one measured run.
type Scenario struct {
	Rate int
	Ms   int
	// Far is the far end's voice played on the speaker; Near what the near
	// end says into the microphone. Either may be nil (silence).
	Far, Near []int16
	// Echo is nil for no acoustic path at all (a headset).
	Echo *Path
	// Order is how the card's two threads take turns: per step, how many
	// playback and capture frames are handed over (nil: one each, in step).
	Order func(rng *rand.Rand, step int) (play, capture int)
	// NoiseDB adds white noise to the microphone at this level (0: none).
	NoiseDB float64
}

// Run is a scenario's signals: what the microphone heard, split into its
// parts, and what the canceller let through, frame-aligned.
type Run struct {
	Rate          int
	Mic, Echo     []int16 // the microphone's signal; the echo part of it
	NearPart, Out []int16
}

// Play runs the scenario through a canceller from f.
func Play(f Factory, sc Scenario) (Run, error) {
	frame := sc.Rate / 100
	n := sc.Rate * sc.Ms / 1000 / frame * frame
	far := fit(sc.Far, n)
	near := fit(sc.Near, n)
	echo := make([]int16, n)
	if sc.Echo != nil {
		echo = render(far, sc.Rate, *sc.Echo)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	mic := make([]int16, n)
	noiseAmp := 0.0
	if sc.NoiseDB < 0 {
		noiseAmp = 32768 * math.Pow(10, sc.NoiseDB/20)
	}
	for i := range mic {
		v := float64(echo[i]) + float64(near[i]) + noiseAmp*rng.NormFloat64()
		mic[i] = clip(v)
	}
	var out []int16
	c, err := f(sc.Rate, func(p []int16) { out = append(out, p...) })
	if err != nil {
		return Run{}, err
	}
	defer c.Close()
	frames := n / frame
	played, captured := 0, 0
	for step := 0; captured < frames; step++ {
		p, k := 1, 1
		if sc.Order != nil {
			p, k = sc.Order(rng, step)
		}
		for ; p > 0 && played < frames; p-- {
			c.Playback(far[played*frame : (played+1)*frame])
			played++
		}
		// A microphone frame is captured only after the frame playing at
		// its time was played: the card cannot capture the future.
		for ; k > 0 && captured < played && captured < frames; k-- {
			c.Capture(mic[captured*frame : (captured+1)*frame])
			captured++
		}
		if step > 10*frames {
			break
		}
	}
	out = fit(out, n)
	return Run{Rate: sc.Rate, Mic: mic, Echo: echo, NearPart: near, Out: out}, nil
}

// render is what the microphone hears of far through path p.
func render(far []int16, rate int, p Path) []int16 {
	g := math.Pow(10, p.GainDB/20)
	type tap struct {
		at int
		g  float64
	}
	taps := []tap{{0, g}}
	if p.Reverb {
		rng := rand.New(rand.NewPCG(3, 5))
		// 40 reflections over 60 ms, decaying 30 dB.
		for i := 1; i <= 40; i++ {
			ms := 1.5 * float64(i)
			taps = append(taps, tap{int(ms * float64(rate) / 1000), g * 0.5 * math.Pow(10, -30*ms/60/20) * (rng.Float64()*2 - 1)})
		}
	}
	out := make([]int16, len(far))
	for i := range out {
		d := p.DelayMs
		if p.JumpAtMs > 0 && i >= p.JumpAtMs*rate/1000 {
			d += p.JumpMs
		}
		base := i - d*rate/1000
		var v float64
		for _, t := range taps {
			if j := base - t.at; j >= 0 && j < len(far) {
				v += t.g * float64(far[j])
			}
		}
		out[i] = clip(v)
	}
	return out
}

func fit(s []int16, n int) []int16 {
	out := make([]int16, n)
	copy(out, s)
	return out
}

func clip(v float64) int16 { return int16(max(-32767, min(32767, math.Round(v)))) }

// ToneLevel is the level of the hz component of s in dBFS (a sine of
// amplitude A reads as its RMS, 20·log10(A/√2/32768)).
func ToneLevel(s []int16, rate, hz int) float64 {
	if len(s) == 0 {
		return -200
	}
	w := 2 * math.Pi * float64(hz) / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	amp := 2 * math.Sqrt(max(p, 0)) / float64(len(s))
	if amp == 0 {
		return -200
	}
	return 20 * math.Log10(amp/math.Sqrt2/32768)
}

// ERLE is the echo return loss enhancement over [fromMs, toMs): how far
// below the microphone's echo the canceller's output is, in dB. Meant for
// runs without near-end speech.
func (r Run) ERLE(fromMs, toMs int) float64 {
	a, b := r.Rate*fromMs/1000, min(len(r.Out), r.Rate*toMs/1000)
	return audio.Level(r.Echo[a:b]) - audio.Level(r.Out[a:b])
}

// WorstERLE is the smallest ERLE of the 100 ms windows in [fromMs, toMs)
// that hold echo (above -60 dBFS): speech has pauses, and a pause's ERLE
// says nothing.
func (r Run) WorstERLE(fromMs, toMs int) float64 {
	worst := math.Inf(1)
	for at := fromMs; at+100 <= toMs; at += 100 {
		a, b := r.Rate*at/1000, r.Rate*(at+100)/1000
		if audio.Level(r.Echo[a:b]) < -60 {
			continue
		}
		worst = min(worst, audio.Level(r.Echo[a:b])-audio.Level(r.Out[a:b]))
	}
	return worst
}

// MaxToneLevel is the loudest the hz component gets in any 100 ms window
// of the output in [fromMs, toMs).
func (r Run) MaxToneLevel(hz, fromMs, toMs int) float64 {
	worst := -200.0
	for at := fromMs; at+100 <= toMs; at += 100 {
		worst = max(worst, ToneLevel(r.Out[r.Rate*at/1000:r.Rate*(at+100)/1000], r.Rate, hz))
	}
	return worst
}

// Tone is a sine of hz at level dBFS (RMS), n samples long.
func Tone(hz, rate, n int, dbfs float64) []int16 {
	amp := 32768 * math.Sqrt2 * math.Pow(10, dbfs/20)
	out := make([]int16, n)
	for i := range out {
		out[i] = clip(amp * math.Sin(2*math.Pi*float64(hz)*float64(i)/float64(rate)))
	}
	return out
}

// Noise is white noise at level dBFS (RMS), n samples long: a far end that
// talks across the whole band.
func Noise(rate, n int, dbfs float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	amp := 32768 * math.Pow(10, dbfs/20)
	out := make([]int16, n)
	for i := range out {
		out[i] = clip(amp * rng.NormFloat64())
	}
	return out
}

// Loop repeats s until it is n samples long.
func Loop(s []int16, n int) []int16 {
	out := make([]int16, n)
	if len(s) == 0 {
		return out
	}
	for i := range out {
		out[i] = s[i%len(s)]
	}
	return out
}

// RandomTurns is an Order for one run: both of the card's threads run on
// its one clock, each 0-4 frames late at any moment (a loaded machine's
// scheduling). Make one per run: it keeps how far each thread got.
func RandomTurns() func(rng *rand.Rand, step int) (play, capture int) {
	var playTo, capTo int
	return func(rng *rand.Rand, step int) (int, int) {
		p := max(playTo, step+1-rng.IntN(5))
		c := max(capTo, step+1-rng.IntN(5))
		dp, dc := p-playTo, c-capTo
		playTo, capTo = p, c
		return dp, dc
	}
}
