// Package audio holds audio sources and sinks behind one interface, so that
// a call takes its sound from a tone generator in tests and from a sound card
// in the app through the same path. It knows PCM frames, not RTP or codecs.
package audio

import (
	"math"
	"sync"
)

// Source produces mono 16-bit PCM at the rate it is asked for.
type Source interface {
	// Read fills frame with the next samples at sampleRate.
	Read(frame []int16, sampleRate int) error
}

// Sink consumes mono 16-bit PCM.
type Sink interface {
	Write(frame []int16, sampleRate int) error
}

// Tone is a Source of a sine wave.
type Tone struct {
	Hz        float64
	Amplitude float64 // 0..1, default 0.3
	phase     float64
}

// Read implements Source.
func (t *Tone) Read(frame []int16, sampleRate int) error {
	amp := t.Amplitude
	if amp == 0 {
		amp = 0.3
	}
	step := 2 * math.Pi * t.Hz / float64(sampleRate)
	for i := range frame {
		frame[i] = int16(amp * 32767 * math.Sin(t.phase))
		t.phase += step
		if t.phase > 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
	return nil
}

// Silence is a Source of zeros.
type Silence struct{}

// Read implements Source.
func (Silence) Read(frame []int16, _ int) error {
	clear(frame)
	return nil
}

// Recorder is a Sink that keeps what it is given, for tests and checks.
type Recorder struct {
	mu         sync.Mutex
	samples    []int16
	sampleRate int
}

// Write implements Sink.
func (r *Recorder) Write(frame []int16, sampleRate int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sampleRate = sampleRate
	r.samples = append(r.samples, frame...)
	return nil
}

// Samples returns a copy of what was recorded and its rate.
func (r *Recorder) Samples() ([]int16, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...), r.sampleRate
}

// Discard is a Sink that drops everything.
type Discard struct{}

// Write implements Sink.
func (Discard) Write([]int16, int) error { return nil }
