package conference

import (
	"math/rand/v2"
	"testing"

	"voicedesk/backend/audio"
)

// The agent's microphone plays 1000 Hz, far end A says 700 Hz, far end B
// 550 Hz. Each 20 ms window after the start is judged on its own: a
// window in which a tone is missing is a gap a person hears.
const (
	micHz = 1000
	aHz   = 700
	bHz   = 550
)

// run drives the primary leg (A) and leg B for n ticks of 20 ms each, in
// the order order(i) gives (the clocks out of phase, slipping), and
// returns what A's far end, B's far end and the speaker got, at their
// rates.
func run(t *testing.T, m *Mixer, a, b *Leg, rateB, n int, order func(i int) bool) (toA, toB, speaker []int16) {
	t.Helper()
	toneA, toneB := &audio.Tone{Hz: aHz}, &audio.Tone{Hz: bHz}
	fa, fb := make([]int16, Rate/50), make([]int16, rateB/50)
	oa, ob := make([]int16, Rate/50), make([]int16, rateB/50)
	tickA := func() {
		_ = toneA.Read(fa, Rate)
		if err := a.Write(fa, Rate); err != nil {
			t.Fatal(err)
		}
		if err := a.Read(oa, Rate); err != nil {
			t.Fatal(err)
		}
		toA = append(toA, oa...)
	}
	tickB := func() {
		_ = toneB.Read(fb, rateB)
		if err := b.Write(fb, rateB); err != nil {
			t.Fatal(err)
		}
		if err := b.Read(ob, rateB); err != nil {
			t.Fatal(err)
		}
		toB = append(toB, ob...)
	}
	for i := range n {
		if order(i) {
			tickA()
			tickB()
		} else {
			tickB()
			tickA()
		}
	}
	rec := m.speaker.(*audio.Recorder)
	speaker, _ = rec.Samples()
	return toA, toB, speaker
}

// heard checks every 20 ms window from `from` on: each wanted tone holds a
// good share, no unwanted one is there.
func heard(t *testing.T, who string, s []int16, rate int, from int, want, not []int) {
	t.Helper()
	w := rate / 50
	for at := from * w; at+w <= len(s); at += w {
		win := s[at : at+w]
		for _, hz := range want {
			if sh := audio.ToneShare(win, rate, hz); sh < 0.3 {
				t.Fatalf("%s: window %d (%d ms): %d Hz has %.2f of the energy, want ~%.2f", who, at/w, at*1000/rate, hz, sh, 1/float64(len(want)))
			}
		}
		for _, hz := range not {
			if sh := audio.ToneShare(win, rate, hz); sh > 0.01 {
				t.Fatalf("%s: window %d: %d Hz has %.3f of the energy, want none", who, at/w, hz, sh)
			}
		}
	}
}

func TestEachHearsTheOthersFromTheStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		rule  string
		rateB int
		order func(i int) bool
	}{
		{"the legs' clocks in step", Rate, func(int) bool { return true }},
		{"B's clock ahead of A's", Rate, func(int) bool { return false }},
		{"the clocks slipping at random (a late tick, then a quick one)", Rate, func(int) bool { return rng.IntN(2) == 0 }},
		{"leg B at 8 kHz (PCMU)", 8000, func(int) bool { return rng.IntN(2) == 0 }},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			m := New(&audio.Tone{Hz: micHz}, &audio.Recorder{})
			defer m.Close()
			a, b := m.Add(), m.Add()
			toA, toB, spk := run(t, m, a, b, tc.rateB, 100, tc.order)
			// The agent's voice reaches A at once (A's clock reads the
			// microphone); the far ends each other within the slack, so
			// from the 4th window (60-80 ms) everything is there.
			heard(t, "far end A", toA, Rate, 3, []int{micHz, bHz}, []int{aHz})
			heard(t, "far end B", toB, tc.rateB, 3, []int{micHz, aHz}, []int{bHz})
			heard(t, "the agent's speaker", spk, Rate, 3, []int{aHz, bHz}, []int{micHz})
		})
	}
}

func TestMuteIsTheAgentsOnly(t *testing.T) {
	m := New(&audio.Tone{Hz: micHz}, &audio.Recorder{})
	defer m.Close()
	a, b := m.Add(), m.Add()
	m.SetMuted(true)
	toA, toB, spk := run(t, m, a, b, Rate, 50, func(i int) bool { return i%3 != 0 })
	heard(t, "far end A, the agent muted", toA, Rate, 3, []int{bHz}, []int{micHz, aHz})
	heard(t, "far end B, the agent muted", toB, Rate, 3, []int{aHz}, []int{micHz, bHz})
	heard(t, "the speaker", spk, Rate, 3, []int{aHz, bHz}, []int{micHz})
	if !m.Muted() {
		t.Fatal("Muted() = false")
	}
}

// A leg's clock that stops (its far end's network stalls) costs the
// others its voice only: they keep the agent and each other in every
// window, and it comes back without added delay.
func TestAStalledLegDoesNotStallTheOthers(t *testing.T) {
	m := New(&audio.Tone{Hz: micHz}, &audio.Recorder{})
	defer m.Close()
	a, b := m.Add(), m.Add()
	_, _, _ = run(t, m, a, b, Rate, 20, func(int) bool { return true })
	// 200 ms of A alone.
	fa, oa := make([]int16, frame), make([]int16, frame)
	tone := &audio.Tone{Hz: aHz}
	var alone []int16
	for range 10 {
		_ = tone.Read(fa, Rate)
		_ = a.Write(fa, Rate)
		_ = a.Read(oa, Rate)
		alone = append(alone, oa...)
	}
	heard(t, "far end A while B is stalled", alone, Rate, 1, []int{micHz}, []int{aHz})
	// B is back, with its 10 frames of backlog skipped rather than played.
	waiting := b.from[a]
	before := a.in.w - waiting.pos
	toA, toB, _ := run(t, m, a, b, Rate, 20, func(int) bool { return true })
	if lag := a.in.w - waiting.pos; lag > int64(slack+frame) {
		t.Fatalf("B reads A %d samples behind after the stall (%d before it), want at most %d", lag, before, slack+frame)
	}
	heard(t, "far end B after its stall", toB, Rate, 2, []int{micHz, aHz}, []int{bHz})
	heard(t, "far end A after B's stall", toA, Rate, 3, []int{micHz, bHz}, []int{aHz})
}

func TestClosedReadsSilence(t *testing.T) {
	m := New(&audio.Tone{Hz: micHz}, &audio.Recorder{})
	a := m.Add()
	m.Close()
	m.Close()
	out := []int16{1, 2, 3}
	if err := a.Read(out, Rate); err != nil || out[0] != 0 || out[2] != 0 {
		t.Fatalf("%v %v", out, err)
	}
	if err := a.Write(out, Rate); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkMixSecond is one second of a three-way call's mixing: 50 ticks
// of each leg (a far end's frame in, a frame out), both at 48 kHz, and at
// 8 kHz for one leg (its resampling both ways).
func BenchmarkMixSecond(b *testing.B) {
	for _, rateB := range []int{Rate, 8000} {
		name := "both-48k"
		if rateB != Rate {
			name = "one-leg-8k"
		}
		b.Run(name, func(b *testing.B) {
			mic := make(fixed, Rate/50)
			_ = (&audio.Tone{Hz: micHz}).Read(mic, Rate)
			m := New(mic, audio.Discard{}) // the microphone costs a copy: the mix alone is measured
			defer m.Close()
			a, l := m.Add(), m.Add()
			fa, fb := make([]int16, Rate/50), make([]int16, rateB/50)
			_ = (&audio.Tone{Hz: aHz}).Read(fa, Rate)
			_ = (&audio.Tone{Hz: bHz}).Read(fb, rateB)
			oa, ob := make([]int16, Rate/50), make([]int16, rateB/50)
			b.ResetTimer()
			for range b.N {
				for range 50 {
					_ = a.Write(fa, Rate)
					_ = a.Read(oa, Rate)
					_ = l.Write(fb, rateB)
					_ = l.Read(ob, rateB)
				}
			}
		})
	}
}

// fixed is a Source that repeats one frame.
type fixed []int16

func (f fixed) Read(dst []int16, _ int) error {
	for i := range dst {
		dst[i] = f[i%len(f)]
	}
	return nil
}
