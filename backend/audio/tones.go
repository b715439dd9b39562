package audio

import (
	"math"
	"time"
)

// Segment is one step of a Pattern: the sum of Hz (none: silence) for Dur.
type Segment struct {
	Hz  []float64
	Dur time.Duration
}

// Pattern is a Source that plays its segments in a loop (or once, with
// Once): ringtones, ringback, beeps, DTMF feedback.
type Pattern struct {
	Segments  []Segment
	Amplitude float64 // 0..1 for the sum, default 0.25
	Once      bool

	seg    int
	pos    int // samples into the segment
	phases []float64
	done   bool
}

// Read implements Source.
func (p *Pattern) Read(frame []int16, rate int) error {
	amp := p.Amplitude
	if amp == 0 {
		amp = 0.25
	}
	for i := range frame {
		if p.done || len(p.Segments) == 0 {
			frame[i] = 0
			continue
		}
		s := p.Segments[p.seg]
		if len(p.phases) < len(s.Hz) {
			p.phases = append(p.phases, make([]float64, len(s.Hz)-len(p.phases))...)
		}
		var v float64
		for k, hz := range s.Hz {
			v += math.Sin(p.phases[k])
			p.phases[k] = math.Mod(p.phases[k]+2*math.Pi*hz/float64(rate), 2*math.Pi)
		}
		if n := len(s.Hz); n > 0 {
			v /= float64(n)
		}
		frame[i] = int16(amp * 32767 * v)
		p.pos++
		if p.pos >= int(s.Dur.Seconds()*float64(rate)) {
			p.pos = 0
			clear(p.phases)
			p.seg++
			if p.seg == len(p.Segments) {
				p.seg = 0
				p.done = p.Once
			}
		}
	}
	return nil
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// RingtoneHz are the ringtone's two notes (C5 and E5): a chord that is
// heard over office noise and unlike any network tone.
var RingtoneHz = []float64{523.25, 659.25}

// Ringtone is the incoming-call ring: two short chords, then a pause.
func Ringtone() *Pattern {
	return &Pattern{Segments: []Segment{
		{RingtoneHz, ms(400)}, {nil, ms(200)}, {RingtoneHz, ms(400)}, {nil, ms(2000)},
	}}
}

// RingbackHz is the ringback tone of ETSI ES 201 970 (Europe): 425 Hz.
const RingbackHz = 425

// Ringback is what the caller hears while the far end rings and sends no
// early media: 1 s of 425 Hz every 5 s.
func Ringback() *Pattern {
	return &Pattern{Segments: []Segment{{[]float64{RingbackHz}, ms(1000)}, {nil, ms(4000)}}}
}

// CallWaiting is the beep over a call when another comes in: two short
// 425 Hz beeps, repeated every few seconds.
func CallWaiting() *Pattern {
	return &Pattern{Amplitude: 0.15, Segments: []Segment{
		{[]float64{RingbackHz}, ms(200)}, {nil, ms(200)}, {[]float64{RingbackHz}, ms(200)}, {nil, ms(3500)},
	}}
}

// DTMFKeys are the DTMF keys, in the order of their RFC 4733 event codes
// (0-9, *, #, A-D: the code of a key is its index): the one table of which
// keys there are, for the phone's validation, the RTP events and the tones.
const DTMFKeys = "0123456789*#ABCD"

// dtmf are the row and column frequencies of each key (ITU-T Q.23).
var dtmf = map[rune][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// DTMF is the key-press feedback for key: its tone pair for 100 ms, once.
// ok is false for a key that is not a DTMF key.
func DTMF(key rune) (p *Pattern, ok bool) {
	f, ok := dtmf[key]
	if !ok {
		return nil, false
	}
	return &Pattern{Once: true, Amplitude: 0.2, Segments: []Segment{{f[:], ms(100)}}}, true
}

// AutoAnswerHz is the beep that tells an agent a call was answered for
// them: higher than the ringtone's and the call-waiting tone's.
const AutoAnswerHz = 880

// AutoAnswerBeep is played once on the speaker as an auto-answered call
// opens: two short beeps, so that the agent knows the line is live.
func AutoAnswerBeep() *Pattern {
	return &Pattern{Amplitude: 0.2, Once: true, Segments: []Segment{
		{[]float64{AutoAnswerHz}, ms(120)}, {nil, ms(80)}, {[]float64{AutoAnswerHz}, ms(120)},
	}}
}
