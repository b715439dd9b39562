package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/phone"
	"voicedesk/backend/soundcard"
	"voicedesk/bench/internal/voice"
	"voicedesk/test/pulse"
)

// farSink is the far end's ear: onsets of loud audio (the bursts, the
// microphone's first sound) and, while recording, everything it heard.
type farSink struct {
	mu     sync.Mutex
	on     *onsets
	rec    []int16
	record bool
	rate   int
}

// micLevel (-40 dBFS) is the microphone heard at all: the far end hears
// zeros before the first packet and the microphone's self-noise at -70
// dBFS; the phone's noise suppressor takes a steady tone 10 dB down from
// the start (speech keeps its level), so a burst's -18 dBFS would time the
// suppressor rather than the start.
const micLevel = 330

func newFarSink() *farSink { return &farSink{on: newOnsets()} }

func (f *farSink) Write(pcm []int16, rate int) error {
	f.mu.Lock()
	on := f.on
	if f.record {
		f.rec, f.rate = append(f.rec, pcm...), rate
	}
	f.mu.Unlock()
	return on.Write(pcm, rate)
}

// fresh drops what an earlier call left.
func (f *farSink) fresh() *onsets {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on = newOnsets()
	return f.on
}

// freshAbove is fresh with its own threshold of loud.
func (f *farSink) freshAbove(level int16) *onsets {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on = newOnsetsAbove(level)
	return f.on
}

func (f *farSink) startRecording() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rec, f.record = nil, true
}

func (f *farSink) stopRecording() ([]int16, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record = false
	return f.rec, f.rate
}

// event is one of the phone's events with its detail.
type event struct {
	name   string
	detail any
}

func waitEvent(ctx context.Context, events <-chan event, name string) (event, error) {
	for {
		select {
		case e := <-events:
			if e.name == name {
				return e, nil
			}
			if e.name == phone.EventCallEnded && name != phone.EventCallEnded {
				return e, fmt.Errorf("the call ended while waiting for %s", name)
			}
		case <-ctx.Done():
			return event{}, fmt.Errorf("waiting for %s: %w", name, ctx.Err())
		case <-time.After(15 * time.Second):
			return event{}, fmt.Errorf("no %s within 15 s", name)
		}
	}
}

// answerToVoice is what the first figure asks: how long after the
// answer the far end hears the microphone. A steady 1 kHz plays into the
// virtual microphone throughout; the far end notes its first loud sample.
//   - outbound: VoiceDesk calls the far end; from its 200 OK (written) to its
//     decoder putting out the tone;
//   - inbound: the far end calls VoiceDesk, which rings for 700 ms (a person
//     picks up) and answers; from AnswerCall to the same.
//
// Two far ends: bob, a WebRTC endpoint (this engine) whose own leg to
// rtpengine connects only after the answer too, and the trunk, on plain
// RTP as a contact centre's gateway is, whose figure is the phone's leg.
type voiceRig struct {
	ctx    context.Context
	card   *soundcard.Card
	p      *phone.Phone
	events <-chan event
	ear    *farSink
}

// farLeg is one far end as the rig uses it.
type farLeg struct {
	user     string         // whom the phone calls
	answered chan time.Time // its 200 OKs, as written
	// ready gets how long after the answer its own media connected; nil
	// when its leg has no ICE and DTLS to connect.
	ready chan time.Duration
	// callAlice places its call to the phone; wait returns once the call
	// is answered and its media runs; end drops the far end's side.
	// connected (nil without ICE) closes when its media has connected.
	callAlice func(ctx context.Context) (wait func() error, connected <-chan struct{}, end func(), err error)
	closeFar  func()
	// How long after the answer its media connected, per call.
	readyOut, readyIn []float64
}

func (r *voiceRig) outbound(leg *farLeg, n int) ([]float64, error) {
	var got []float64
	for i := 0; i < n; i++ {
		on := r.ear.freshAbove(micLevel)
		drainTimes(leg.answered)
		if leg.ready != nil {
			drainDurations(leg.ready)
		}
		id, err := r.p.Call(leg.user)
		if err != nil {
			return got, err
		}
		var t0 time.Time
		select {
		case t0 = <-leg.answered:
		case <-time.After(15 * time.Second):
			return got, fmt.Errorf("outbound call %d: %s did not answer", i+1, leg.user)
		}
		t1, err := firstOnset(on, t0)
		if err != nil {
			return got, fmt.Errorf("outbound call %d to %s: %w", i+1, leg.user, err)
		}
		got = append(got, ms(t1.Sub(t0)))
		if leg.ready != nil {
			ready, err := readyWithin(leg.ready)
			if err != nil {
				return got, err
			}
			leg.readyOut = append(leg.readyOut, ms(ready))
		}
		if err := r.hangup(leg, id); err != nil {
			return got, err
		}
	}
	return got, nil
}

func (r *voiceRig) inbound(leg *farLeg, n int) ([]float64, error) {
	var got []float64
	for i := 0; i < n; i++ {
		on := r.ear.freshAbove(micLevel)
		wait, connected, end, err := leg.callAlice(r.ctx)
		if err != nil {
			return got, err
		}
		in, err := waitEvent(r.ctx, r.events, phone.EventCallIncoming)
		if err != nil {
			end()
			return got, err
		}
		id := in.detail.(phone.CallEvent).CallID
		time.Sleep(700 * time.Millisecond)
		t0 := time.Now()
		var ready chan time.Duration
		if connected != nil {
			ready = make(chan time.Duration, 1)
			go noteReady(connected, t0, ready)
		}
		if err := r.p.AnswerCall(id); err != nil {
			end()
			return got, err
		}
		if err := wait(); err != nil {
			end()
			return got, fmt.Errorf("inbound call %d: %s's side: %w", i+1, leg.user, err)
		}
		t1, err := firstOnset(on, t0)
		if err == nil {
			got = append(got, ms(t1.Sub(t0)))
			if ready != nil {
				if d, rerr := readyWithin(ready); rerr == nil {
					leg.readyIn = append(leg.readyIn, ms(d))
				}
			}
		}
		herr := r.hangup(leg, id)
		end()
		if err != nil {
			return got, fmt.Errorf("inbound call %d from %s: %w", i+1, leg.user, err)
		}
		if herr != nil {
			return got, herr
		}
	}
	return got, nil
}

// firstOnset waits for the far end's first loud sample after t0.
func firstOnset(on *onsets, t0 time.Time) (time.Time, error) {
	deadline := time.After(5 * time.Second)
	for {
		select {
		case t := <-on.seen:
			if t.After(t0) {
				return t, nil
			}
		case <-deadline:
			return time.Time{}, fmt.Errorf("the far end heard no microphone within 5 s of the answer")
		}
	}
}

func (r *voiceRig) hangup(leg *farLeg, id string) error {
	if err := r.p.EndCall(id); err != nil {
		return err
	}
	if _, err := waitEvent(r.ctx, r.events, phone.EventCallEnded); err != nil {
		return err
	}
	leg.closeFar()
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func drainTimes(ch chan time.Time) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// clip is a Source that plays a recording once at its rate (then silence),
// over a microphone's self-noise at -70 dBFS: a real microphone never
// delivers digital silence, and a noise suppressor that sees it between
// words estimates no noise and colours the speech (aecbench measures it).
type clip struct {
	mu   sync.Mutex
	pcm  []int16
	rate int
	at   int
	rng  *rand.Rand
	done chan struct{}
}

func newClip(pcm []int16, rate int) *clip {
	return &clip{pcm: pcm, rate: rate, rng: rand.New(rand.NewPCG(5, 6)), done: make(chan struct{})}
}

func (c *clip) Read(frame []int16, rate int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rate != c.rate {
		return fmt.Errorf("clip at %d Hz read at %d", c.rate, rate)
	}
	noise := 32768 * math.Pow(10, -70.0/20)
	for i := range frame {
		v := noise * c.rng.NormFloat64()
		if c.at < len(c.pcm) {
			v += float64(c.pcm[c.at])
			c.at++
			if c.at == len(c.pcm) {
				close(c.done)
			}
		}
		frame[i] = int16(max(-32767, min(32767, math.Round(v))))
	}
	return nil
}

// sentence is espeak-ng's English at rate, at about -20 dBFS of speech
// level (a headset microphone's).
func sentence(rate int) ([]int16, error) {
	s, err := voice.Say("Hello, this is Alice from support. Thank you for calling, how can I help you today?", rate)
	if err != nil {
		return nil, err
	}
	g := math.Pow(10, (-20-audio.SpeechLevel(s, rate))/20)
	for i, v := range s {
		s[i] = int16(max(-32767, min(32767, float64(v)*g)))
	}
	return s, nil
}

// speechResult compares a sentence with what was heard of it.
type speechResult struct{ levelDiff, distance float64 }

// split is the calls' level differences and envelope distances.
func split(r []speechResult) (levels, distances []float64) {
	for _, x := range r {
		levels, distances = append(levels, x.levelDiff), append(distances, x.distance)
	}
	return levels, distances
}

// furthest is the value of v furthest from 0 (NaN for none): the call
// whose level strayed most from what was said.
func furthest(v []float64) float64 {
	m := math.NaN()
	for _, x := range v {
		if math.IsNaN(m) || math.Abs(x) > math.Abs(m) {
			m = x
		}
	}
	return m
}

func compareSpeech(said []int16, saidRate int, heard []int16, heardRate int) speechResult {
	return speechResult{
		levelDiff: audio.SpeechLevel(heard, heardRate) - audio.SpeechLevel(said, saidRate),
		distance:  audio.EnvelopeDistance(said, saidRate, heard, heardRate),
	}
}

// speechBothWays, in the call that is up: the sentence into the virtual
// microphone, recorded by the far end's decoder; then the sentence from
// the far end's encoder, recorded from the speaker's monitor.
func speechBothWays(card *soundcard.Card, far *switchSource, ear *farSink, said []int16) (out, in speechResult, err error) {
	ear.startRecording()
	mouth := newClip(said, pulse.Rate)
	player, err := card.Play(pulse.MicFeed, mouth)
	if err != nil {
		return out, in, err
	}
	select {
	case <-mouth.done:
	case <-time.After(15 * time.Second):
	}
	time.Sleep(600 * time.Millisecond) // the path's delay
	player.Close()
	heard, rate := ear.stopRecording()
	if rate == 0 {
		return out, in, fmt.Errorf("the far end heard nothing of the sentence")
	}
	out = compareSpeech(said, pulse.Rate, heard, rate)

	var mu sync.Mutex
	var spk []int16
	spkRate := 0
	listener, err := card.Listen(pulse.Speaker+".monitor", func(pcm []int16, r int) {
		mu.Lock()
		spk, spkRate = append(spk, pcm...), r
		mu.Unlock()
	})
	if err != nil {
		return out, in, err
	}
	mouthFar := newClip(said, pulse.Rate)
	far.set(mouthFar)
	select {
	case <-mouthFar.done:
	case <-time.After(15 * time.Second):
	}
	time.Sleep(600 * time.Millisecond)
	listener.Close()
	far.set(nil)
	mu.Lock()
	defer mu.Unlock()
	if spkRate == 0 {
		return out, in, fmt.Errorf("the speaker played nothing of the far end's sentence")
	}
	in = compareSpeech(said, pulse.Rate, spk, spkRate)
	return out, in, nil
}

// switchSource is the far end's voice: the bursts, or a clip while one is
// set.
type switchSource struct {
	mu     sync.Mutex
	bursts *bursts
	clip   *clip
}

func (s *switchSource) set(c *clip) { s.mu.Lock(); s.clip = c; s.mu.Unlock() }

func (s *switchSource) Read(frame []int16, rate int) error {
	s.mu.Lock()
	c := s.clip
	s.mu.Unlock()
	if c != nil && rate == c.rate {
		return c.Read(frame, rate)
	}
	return s.bursts.Read(frame, rate)
}

// percentile is the p-th percentile (0-100) of v, nearest rank.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(len(s)-1, i))]
}

// micHears waits until the virtual microphone carries the tone played into
// it: the sound server's buffers have settled on the player's latency.
func micHears(card *soundcard.Card, within time.Duration) error {
	heard := make(chan struct{})
	var once sync.Once
	l, err := card.Listen(pulse.Mic, func(pcm []int16, _ int) {
		for _, v := range pcm {
			if v > 4000 || v < -4000 {
				once.Do(func() { close(heard) })
				return
			}
		}
	})
	if err != nil {
		return err
	}
	defer l.Close()
	select {
	case <-heard:
		return nil
	case <-time.After(within):
		return fmt.Errorf("the virtual microphone did not carry the tone within %v", within)
	}
}

// noteReady reports how long after t0 the session's media connected.
func noteReady(connected <-chan struct{}, t0 time.Time, to chan time.Duration) {
	select {
	case <-connected:
		select {
		case to <- time.Since(t0):
		default:
		}
	case <-time.After(10 * time.Second):
	}
}

func readyWithin(ch chan time.Duration) (time.Duration, error) {
	select {
	case d := <-ch:
		return d, nil
	case <-time.After(2 * time.Second):
		return 0, fmt.Errorf("the far end's media did not connect")
	}
}

func drainDurations(ch chan time.Duration) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
