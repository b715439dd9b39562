// Package conference mixes a local three-way call: the agent's two calls
// joined on this desk, each far end hearing the agent and the other far
// end, the agent hearing both. The platform is not asked for a conference
// bridge (none is documented); the desk mixes, as a desk phone's "conference"
// key does.
//
// Each call keeps its own 20 ms clock (backend/media): its Leg is the call's
// audio.Source and audio.Sink. The clocks run at the same rate but out of
// phase, so what one leg hands over reaches the others through a small ring
// (a bus) read with a frame of slack: 20 ms more delay between the far ends,
// none between the agent and the primary leg. The primary leg (the first
// added: the call whose sound device is used) reads the microphone and
// writes the speaker once per tick of its clock, so both keep real time.
package conference

import (
	"errors"
	"sync"

	"voicedesk/backend/audio"
	"voicedesk/backend/dsp"
)

// Rate is the mixing rate: Opus' and the sound card's.
const Rate = 48000

const (
	frame = Rate / 50 // 20 ms
	// slack is what a reader of another clock's bus waits for before it
	// reads, and keeps: the clocks' phases differ by up to a frame.
	slack = frame
	// maxLag: more waiting than this for a reader (a clock stalled, then
	// caught up) is skipped down to slack, so a stall does not become delay.
	maxLag = 4 * frame
	// ringLen bounds each bus (half a second).
	ringLen = Rate / 2
)

// ErrClosed is returned once the mixer is closed.
var ErrClosed = errors.New("the conference is over")

// Mixer is one local conference.
type Mixer struct {
	mu      sync.Mutex
	mic     audio.Source
	speaker audio.Sink
	muted   bool
	closed  bool
	micBus  bus
	legs    []*Leg
	// Scratch at Rate, used under mu.
	micBuf, acc32 []int16
	acc           []int32
}

// New mixes with the agent's microphone and speaker (the primary leg's own
// sound).
func New(mic audio.Source, speaker audio.Sink) *Mixer {
	return &Mixer{mic: mic, speaker: speaker, micBus: newBus()}
}

// Leg is one call's side of the conference: the call reads what its far end
// is to hear and writes what its far end said.
type Leg struct {
	m       *Mixer
	primary bool
	in      bus
	// Its readings of the other buses: the microphone's and each other
	// leg's; spk is the speaker's reading of this leg's bus.
	mic  cursor
	from map[*Leg]*cursor
	spk  cursor
	// Conversion when the call's codec is not at Rate (PCMU, G.722).
	rate          int
	up, down      *dsp.Resampler
	pending, conv []int16
}

// Add joins a call to the conference; the first added is the primary leg.
func (m *Mixer) Add() *Leg {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := &Leg{m: m, primary: len(m.legs) == 0, in: newBus(), from: map[*Leg]*cursor{}}
	// A new reader starts where its bus is now: nothing from before it
	// joined.
	l.mic = cursor{pos: m.micBus.w}
	for _, o := range m.legs {
		l.from[o] = &cursor{pos: o.in.w}
		o.from[l] = &cursor{}
	}
	m.legs = append(m.legs, l)
	return l
}

// SetMuted mutes the agent's voice for every leg; the far ends still hear
// each other.
func (m *Mixer) SetMuted(on bool) {
	m.mu.Lock()
	m.muted = on
	m.mu.Unlock()
}

// Muted reports whether the agent's voice is muted.
func (m *Mixer) Muted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.muted
}

// Close ends the conference: the legs read silence and drop what they are
// given from now on (their calls are switched back to their own sound).
func (m *Mixer) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	for _, l := range m.legs {
		for _, r := range []*dsp.Resampler{l.up, l.down} {
			if r != nil {
				r.Close()
			}
		}
		l.up, l.down = nil, nil
	}
}

// Read gives the leg's far end one frame: the agent's microphone (the
// primary leg reads it from the device) and every other far end.
func (l *Leg) Read(dst []int16, rate int) error {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		clear(dst)
		return nil
	}
	if err := l.setRate(rate); err != nil {
		return err
	}
	n := len(dst) * Rate / rate // at Rate
	acc := m.accumulator(n)
	if l.primary {
		m.micBuf = grow(m.micBuf, n)
		if err := m.mic.Read(m.micBuf, Rate); err != nil {
			clear(m.micBuf)
		}
		if m.muted {
			clear(m.micBuf)
		}
		m.micBus.push(m.micBuf)
		l.mic.pos = m.micBus.w // read just now: no slack needed
		add(acc, m.micBuf)
	} else {
		m.micBus.read(&l.mic, acc)
	}
	for o, c := range l.from {
		o.in.read(c, acc)
	}
	out := m.saturate(acc)
	if rate == Rate {
		copy(dst, out)
		return nil
	}
	l.pending = l.down.Process(l.pending, out)
	l.take(dst)
	return nil
}

// Write takes one frame of the leg's far end: into its bus for the other
// legs, and, on the primary leg's clock, the speaker gets every far end.
func (l *Leg) Write(src []int16, rate int) error {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	if err := l.setRate(rate); err != nil {
		return err
	}
	at := src
	if rate != Rate {
		l.conv = l.up.Process(l.conv[:0], src)
		at = l.conv
	}
	l.in.push(at)
	if !l.primary {
		return nil
	}
	l.spk.pos = l.in.w
	acc := m.accumulator(len(at))
	add(acc, at)
	for _, o := range m.legs {
		if o != l {
			o.in.read(&o.spk, acc)
		}
	}
	return m.speaker.Write(m.saturate(acc), Rate)
}

// setRate makes the leg's converters for its codec's rate.
func (l *Leg) setRate(rate int) error {
	if rate == l.rate {
		return nil
	}
	for _, r := range []*dsp.Resampler{l.up, l.down} {
		if r != nil {
			r.Close()
		}
	}
	l.up, l.down, l.pending = nil, nil, l.pending[:0]
	l.rate = rate
	if rate == Rate {
		return nil
	}
	var err error
	if l.up, err = dsp.NewResampler(rate, Rate); err != nil {
		return err
	}
	if l.down, err = dsp.NewResampler(Rate, rate); err != nil {
		return err
	}
	return nil
}

// take moves a frame out of pending (silence in front while the
// converter's first output is short).
func (l *Leg) take(dst []int16) {
	n := min(len(dst), len(l.pending))
	clear(dst[:len(dst)-n])
	copy(dst[len(dst)-n:], l.pending[:n])
	l.pending = append(l.pending[:0], l.pending[n:]...)
}

func (m *Mixer) accumulator(n int) []int32 {
	if cap(m.acc) < n {
		m.acc = make([]int32, n)
	}
	m.acc = m.acc[:n]
	clear(m.acc)
	return m.acc
}

func (m *Mixer) saturate(acc []int32) []int16 {
	m.acc32 = grow(m.acc32, len(acc))
	for i, v := range acc {
		m.acc32[i] = int16(max(-32768, min(32767, v)))
	}
	return m.acc32
}

func add(acc []int32, s []int16) {
	for i := range min(len(acc), len(s)) {
		acc[i] += int32(s[i])
	}
}

func grow(b []int16, n int) []int16 {
	if cap(b) < n {
		return make([]int16, n)
	}
	return b[:n]
}

// bus is one source's audio at Rate, written by one clock and read by
// others, each through its own cursor.
type bus struct {
	buf []int16
	w   int64 // samples written, ever
}

func newBus() bus { return bus{buf: make([]int16, ringLen)} }

type cursor struct {
	pos    int64
	primed bool
}

func (b *bus) push(s []int16) {
	for _, v := range s {
		b.buf[b.w%ringLen] = v
		b.w++
	}
}

// read adds len(acc) samples at c into acc. A reader starts once a frame
// of slack is waiting, skips ahead when far behind, and reads silence (and
// waits for the slack again) when its writer fell behind.
func (b *bus) read(c *cursor, acc []int32) {
	waiting := b.w - c.pos
	if !c.primed {
		if waiting < int64(slack+len(acc)) {
			return
		}
		c.primed = true
	}
	if waiting > maxLag || waiting > ringLen-int64(len(acc)) {
		c.pos = b.w - slack - int64(len(acc))
		waiting = b.w - c.pos
	}
	n := min(int64(len(acc)), waiting)
	for i := range n {
		acc[i] += int32(b.buf[(c.pos+i)%ringLen])
	}
	c.pos += n
	if n < int64(len(acc)) {
		c.primed = false
	}
}
