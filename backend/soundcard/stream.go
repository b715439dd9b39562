package soundcard

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"

	"voicedesk/backend/dsp"
)

// Options choose a call stream's devices and processing.
type Options struct {
	// Mic and Speaker are Device.IDs; "" is the system's default.
	Mic, Speaker string
	// EchoCancel removes the speaker's sound from the microphone; Denoise
	// suppresses steady background noise; Gain raises quiet speech toward
	// -20 dBFS (WebRTC's adaptive digital gain with a limiter: -45 dBFS
	// speech goes out at -25, -18 dBFS at -20.5; dsp.TestAPMGain).
	EchoCancel, Denoise, Gain bool
	// OnDevice is told when a chosen device went away and the stream moved
	// to the default one (fallback true), or came back and is used again.
	OnDevice func(kind, id string, fallback bool)
}

const (
	periodMs = 10
	// The playback buffer starts playing once it holds this much, so the
	// 20 ms packets of a call and the card's 10 ms periods do not underrun
	// on every phase slip.
	primeMs = 40
	prime   = Rate * primeMs / 1000
	// Neither buffer holds more than this; beyond it audio is late.
	maxBufferedMs = 200
	maxBuffered   = Rate * maxBufferedMs / 1000
	// More audio than this waiting in either direction means one clock
	// fell behind the other (drift, a stall): the excess is dropped.
	maxLagMs = 80
	maxLag   = Rate * maxLagMs / 1000
	// Every 50 ms, audio that stood in a buffer through the whole 50 ms
	// beyond this much is dropped: the margin that covers the card's and
	// the call's clocks meeting out of phase is kept, the rest is delay. A
	// stall that filled a buffer costs latency for 50-100 ms, not for the
	// rest of the call (a window of a second let bursts after a stalled
	// thread stand for up to 2 s: 130-160 ms mouth to ear instead of 70).
	// 50 ms still spans two and a half of the call's 20 ms writes, so the
	// level's low point in each window is seen.
	// Playback's level is seen before the card takes its period; capture's
	// after the call took its 20 ms.
	floorMs     = 20
	trimEveryMs = 50
	capFloor    = Rate * 10 / 1000
	// How often the chosen devices are looked for (hot-plug).
	watchEvery = 500 * time.Millisecond
)

// PeriodMs is the call stream's device period: how often the card's
// threads move audio.
const PeriodMs = periodMs

// Stream is the duplex audio of calls: microphone to the call, the call to
// the speaker. It is an audio.Source and an audio.Sink at any rate.
//
// The card's threads only move samples through C rings (direct.go); the
// call's clock, through Read and Write, does the rest: resampling, echo
// cancellation, noise suppression.
type Stream struct {
	card *Card
	opts Options

	// devMu serialises the watcher's device changes. The devices in use are
	// read through the atomics; a replaced one is kept in retired until
	// Close, as the call's clock may still be draining it.
	devMu   sync.Mutex
	capDev  atomic.Pointer[devState]
	playDev atomic.Pointer[devState]
	retired []*devState

	// apm is the microphone's processing (nil with neither echo
	// cancellation nor noise suppression); echo: it cancels echo, so the
	// speaker's played audio is its reference.
	apm  *dsp.APM
	echo bool

	captured *ring // processed microphone audio at Rate

	// The codec-rate side and the devices' Go side, used by the call's
	// media clock only.
	codecMu   sync.Mutex
	readRes   *dsp.Resampler
	pending   []int16
	capPrimed bool
	readBuf   []int16
	// The capture buffer's lowest level after a read in the current
	// window, since when, and what trimCapture dropped.
	capLowest  int
	capWindow  time.Time
	capTrimmed int
	// capShort counts the call's reads that found less than a frame (the
	// card late against the call's clock): each costs a gap of silence
	// while the buffer refills to prime.
	capShort int
	writeRes *dsp.Resampler
	scratch  []int16
	toCard   []int16
	closed   bool
	// started: the call's clock has run Read or Write; before (a stream
	// opened while the call rings) the card's audio is left waiting and
	// dropped at the start (startNow), with the microphone's losses so far.
	started  bool
	lostBase atomic.Int64

	// reopens counts checkCapture's reopenings of the microphone (devMu).
	reopens int
	// gone: the sound server went away under the stream, which was told
	// lost (devMu); serverBack opens it again.
	gone bool

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closing sync.WaitGroup // replaced devices being closed
}

// devState is one open device: its C rings, and the conversion state the
// call's clock uses (under codecMu).
type devState struct {
	dev      *malgo.Device
	c        cdev
	direct   bool   // the card's thread calls the C side itself
	id       string // what was asked for ("" default)
	fallback bool   // the asked-for device was missing; this is the default
	rate     int
	res      *dsp.Resampler // capture: card rate → Rate; playback: Rate → card rate; nil when equal
	refRes   *dsp.Resampler // playback: what was played, card rate → Rate, for the echo canceller
	buf      []int16        // samples taken from a ring
	acc      []int16        // at Rate, waiting for a whole frame
	tickets  []ticket
	lost     bool // miniaudio stopped it (the device went away)
	mu       sync.Mutex
	opened   time.Time
}

// OpenStream opens the microphone and speaker and starts them.
func (c *Card) OpenStream(opts Options) (*Stream, error) {
	s := &Stream{card: c, opts: opts, captured: newRing(maxBuffered)}
	if opts.EchoCancel || opts.Denoise || opts.Gain {
		// WebRTC's processing (webrtc-audio-processing 0.3) rather than
		// speexdsp's: measured on the same simulated rooms (bench/aecbench,
		// backend/dsp/aecsim), speex's canceller loses an echo beyond its
		// 250 ms tail and takes 1-6 dB off for seconds after the echo's
		// delay jumps by 60 ms, where WebRTC's, with the bulk delay found
		// by dsp's estimator, keeps 30+ dB through both; with no echo
		// path it adds nothing of the far end.
		var err error
		s.apm, err = dsp.NewAPM(dsp.APMConfig{Rate: Rate, EchoCancel: opts.EchoCancel, Denoise: opts.Denoise, Gain: opts.Gain}, s.captured.push)
		if err != nil {
			return nil, err
		}
		s.echo = opts.EchoCancel
	}
	capDev, err := s.open(malgo.Capture, opts.Mic)
	if err != nil {
		s.closeDSP()
		return nil, err
	}
	s.capDev.Store(capDev)
	playDev, err := s.open(malgo.Playback, opts.Speaker)
	if err != nil {
		capDev.close()
		capDev.free()
		s.closeDSP()
		return nil, err
	}
	s.capDev.Store(capDev)
	s.playDev.Store(playDev)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.watch(ctx)
	return s, nil
}

func (s *Stream) closeDSP() {
	if s.apm == nil {
		return
	}
	s.apm.Close()
}

// open starts the device id (or the default when it is "" or missing).
func (s *Stream) open(kind malgo.DeviceType, id string) (*devState, error) {
	st := &devState{id: id, opened: time.Now()}
	cfg := malgo.DefaultDeviceConfig(kind)
	cfg.PeriodSizeInMilliseconds = periodMs
	cfg.Periods = 3
	cfg.PerformanceProfile = malgo.LowLatency
	// SampleRate 0: the card's own rate, converted here by speexdsp rather
	// than by miniaudio's linear resampler.
	cfg.SampleRate = 0
	// malgo's Go callback only runs where the C one could not be installed
	// (see direct.go); it forwards to the same C code.
	cb := malgo.DeviceCallbacks{Stop: func() { st.mu.Lock(); st.lost = true; st.mu.Unlock() }}
	if kind == malgo.Capture {
		cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatS16, 1
		cb.Data = func(_, in []byte, n uint32) { st.c.capture(in, int(n)) }
	} else {
		cfg.Playback.Format, cfg.Playback.Channels = malgo.FormatS16, 1
		cb.Data = func(out, _ []byte, n uint32) { st.c.playback(out, int(n)) }
	}
	dev, ctx, present, err := s.card.initDevice(kind, id, cfg, cb)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s %q: %v", ErrNoDevice, kindName(kind), id, err)
	}
	st.fallback = !present
	st.dev = dev
	st.rate = int(dev.SampleRate())
	fail := func(err error) (*devState, error) {
		st.close()
		st.free()
		return nil, err
	}
	if st.c, err = newCdev(kind, st.rate, s.echo); err != nil {
		return fail(err)
	}
	st.direct = st.c.install(dev, ctx, kind)
	if !st.direct {
		s.card.log.Warn("sound device: miniaudio's layout is not the expected one; its callbacks go through Go", "kind", kindName(kind))
	}
	if st.rate != Rate {
		from, to := st.rate, Rate
		if kind == malgo.Playback {
			from, to = Rate, st.rate
			if s.echo {
				if st.refRes, err = dsp.NewResampler(st.rate, Rate); err != nil {
					return fail(err)
				}
			}
		}
		if st.res, err = dsp.NewResampler(from, to); err != nil {
			return fail(err)
		}
	}
	if err := dev.Start(); err != nil {
		return fail(fmt.Errorf("%w: start %s %q: %v", ErrNoDevice, kindName(kind), id, err))
	}
	return st, nil
}

func kindName(kind malgo.DeviceType) string {
	if kind == malgo.Capture {
		return "microphone"
	}
	return "speaker"
}

// close stops the device; its memory stays for the call's clock until free.
func (d *devState) close() {
	if d == nil || d.dev == nil {
		return
	}
	d.dev.Uninit() // waits for the callback to return
	d.dev = nil
}

// free releases the rings and resamplers of a closed device.
func (d *devState) free() {
	if d == nil {
		return
	}
	if d.c.p != nil {
		d.c.free()
		d.c = cdev{}
	}
	for _, r := range []*dsp.Resampler{d.res, d.refRes} {
		if r != nil {
			r.Close()
		}
	}
	d.res, d.refRes = nil, nil
}

func (d *devState) isLost() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lost
}

// pump runs on the call's clock (under codecMu): what the speaker played
// goes to the echo canceller as its reference and what the microphone
// captured through the canceller and the noise suppressor into captured,
// in whole 10 ms frames at Rate, in the order the card's threads handed
// them over. That order is what the canceller needs: each microphone frame
// comes after every frame played before it was captured, so its echo is in
// what the canceller has already been told (dsp.APM).
func (s *Stream) pump() {
	c, p := s.capDev.Load(), s.playDev.Load()
	if c == nil {
		return
	}
	c.tickets = c.c.tickets(c.tickets[:0])
	if s.echo && p != nil {
		p.tickets = p.c.tickets(p.tickets[:0])
	}
	i, j := 0, 0
	for i < len(c.tickets) || (p != nil && j < len(p.tickets)) {
		if p != nil && j < len(p.tickets) && (i == len(c.tickets) || p.tickets[j].seq < c.tickets[i].seq) {
			p.buf = p.c.popPlayed(p.buf[:0], p.tickets[j].n)
			p.acc = convert(p.refRes, p.acc, p.buf)
			p.acc = frames(p.acc, s.apm.Playback)
			j++
			continue
		}
		c.buf = c.c.pop(c.buf[:0], c.tickets[i].n)
		c.acc = convert(c.res, c.acc, c.buf)
		if s.apm != nil {
			c.acc = frames(c.acc, s.apm.Capture) // out through captured.push
		} else {
			c.acc = frames(c.acc, s.captured.push)
		}
		i++
	}
}

// convert appends src to dst, resampled when res is not nil.
func convert(res *dsp.Resampler, dst, src []int16) []int16 {
	if res != nil {
		return res.Process(dst, src)
	}
	return append(dst, src...)
}

// frames hands each whole frame of acc to f and returns the rest.
func frames(acc []int16, f func([]int16)) []int16 {
	i := 0
	for ; len(acc)-i >= frame; i += frame {
		f(acc[i : i+frame])
	}
	return append(acc[:0], acc[i:]...)
}

// Read gives one frame of the microphone at the codec's rate (audio.Source).
// Missing audio (the card is late or gone) reads as silence.
func (s *Stream) Read(dst []int16, rate int) error {
	s.codecMu.Lock()
	defer s.codecMu.Unlock()
	if s.closed {
		clear(dst)
		return nil
	}
	s.startNow()
	s.pump()
	if rate != Rate && (s.readRes == nil || resOut(s.readRes) != rate) {
		if s.readRes != nil {
			s.readRes.Close()
		}
		var err error
		if s.readRes, err = dsp.NewResampler(Rate, rate); err != nil {
			return err
		}
	}
	for len(s.pending) < len(dst) {
		need := (len(dst) - len(s.pending)) * Rate / rate
		need = max(need, frame/2)
		s.readBuf = slices.Grow(s.readBuf[:0], need)[:need]
		buf := s.readBuf
		clear(buf)
		// The card delivers 10 ms periods on its own clock, the call reads
		// 20 ms on another: reading starts once a margin is buffered, and an
		// empty buffer (a late card) reads as silence until it refills.
		level := s.captured.len()
		switch {
		case !s.capPrimed && level >= prime:
			s.capPrimed = true
			s.capLowest, s.capWindow = maxBuffered, time.Now()
		case level > maxLag:
			s.captured.drop(level - prime) // the card ran ahead: catch up
		}
		if s.capPrimed && s.captured.pop(buf) < need {
			s.capPrimed = false
			s.capShort++
		}
		if s.capPrimed {
			s.trimCapture(level - need)
		}
		if rate == Rate {
			s.pending = append(s.pending, buf...)
		} else {
			s.pending = s.readRes.Process(s.pending, buf)
		}
	}
	copy(dst, s.pending)
	s.pending = append(s.pending[:0], s.pending[len(dst):]...)
	return nil
}

// startNow, on the call clock's first Read or Write, drops what the card
// handed over before: a stream opened while the call rang holds the
// microphone of the ringing (nobody's business, and late) and the
// silence played meanwhile. Only the microphone's newest primeMs is kept
// and processed: the first read then takes audio at once, where an empty
// buffer read silence until it refilled to prime (40 ms of the call's
// first words lost: bench/soundbench, answer to voice). The canceller
// starts on the call's audio.
func (s *Stream) startNow() {
	if s.started {
		return
	}
	s.started = true
	c, p := s.capDev.Load(), s.playDev.Load()
	if p != nil {
		p.tickets = p.c.tickets(p.tickets[:0])
		for _, t := range p.tickets {
			p.buf = p.c.popPlayed(p.buf[:0], t.n)
		}
		p.tickets = p.tickets[:0]
	}
	s.captured.drop(s.captured.len())
	if c == nil {
		return
	}
	c.tickets = c.c.tickets(c.tickets[:0])
	total := 0
	for _, t := range c.tickets {
		total += t.n
	}
	c.tickets = c.tickets[:0]
	c.buf = c.c.pop(c.buf[:0], total)
	fresh := c.buf[len(c.buf)-min(len(c.buf), c.rate*primeMs/1000):]
	c.acc = convert(c.res, c.acc[:0], fresh)
	if s.apm != nil {
		c.acc = frames(c.acc, s.apm.Capture) // nothing played yet: no echo to find
	} else {
		c.acc = frames(c.acc, s.captured.push)
	}
	_, _, _, lost := c.c.counts()
	s.lostBase.Store(lost)
}

// trimCapture drops, once a window, the microphone audio that stood in the
// buffer through the whole window beyond capFloor after each read.
func (s *Stream) trimCapture(left int) {
	s.capLowest = min(s.capLowest, left)
	if time.Since(s.capWindow) < trimEveryMs*time.Millisecond {
		return
	}
	if excess := s.capLowest - capFloor; excess > frame/4 {
		s.captured.drop(excess)
		s.capTrimmed += excess
	}
	s.capLowest, s.capWindow = maxBuffered, time.Now()
}

// Write queues one frame of the call's audio for the speaker (audio.Sink).
func (s *Stream) Write(pcm []int16, rate int) error {
	s.codecMu.Lock()
	defer s.codecMu.Unlock()
	if s.closed {
		return nil
	}
	s.startNow()
	s.pump()
	at := pcm
	if rate != Rate {
		if s.writeRes == nil || resIn(s.writeRes) != rate {
			if s.writeRes != nil {
				s.writeRes.Close()
			}
			var err error
			if s.writeRes, err = dsp.NewResampler(rate, Rate); err != nil {
				return err
			}
		}
		s.scratch = s.writeRes.Process(s.scratch[:0], pcm)
		at = s.scratch
	}
	d := s.playDev.Load()
	s.toCard = convert(d.res, s.toCard[:0], at)
	// A full ring (the card stalled) drops the newest audio; the card's
	// side catches up by itself once it plays again.
	d.c.push(s.toCard)
	return nil
}

func resIn(r *dsp.Resampler) int  { in, _ := r.Rates(); return in }
func resOut(r *dsp.Resampler) int { _, out := r.Rates(); return out }

// Devices returns the ids of the microphone and speaker in use ("" default).
func (s *Stream) Devices() (mic, speaker string, micFallback, speakerFallback bool) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	c, p := s.capDev.Load(), s.playDev.Load()
	return c.id, p.id, c.fallback, p.fallback
}

// watch follows hot-plugging: a chosen device that disappears is replaced by
// the default, and used again when it returns.
func (s *Stream) watch(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	var lastCalls, lastPlayed int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		list, err := s.card.Devices()
		played := s.playDev.Load().c.calls()
		if err != nil {
			// No sound server (it crashed, or is restarting): once the
			// speaker has stopped too, the streams are told lost, and they
			// are opened again when the server lists devices again.
			s.serverAway(played == lastPlayed)
			lastPlayed = played
			continue
		}
		lastPlayed = played
		if s.serverBack() {
			lastCalls = 0
			continue
		}
		s.recheck(malgo.Capture, list.Inputs, &s.capDev, s.opts.Mic)
		s.recheck(malgo.Playback, list.Outputs, &s.playDev, s.opts.Speaker)
		s.checkCapture(&lastCalls)
	}
}

// Reopening a silent microphone: after this long, at most this often per
// stream (a hardware mute switch gives exact zeros too).
const (
	silentFor  = 1500 * time.Millisecond
	maxReopens = 3
)

// checkCapture reopens the microphone when its stream, now and then, starts
// but delivers nothing (no callback for a tick) or only exact zeros since it
// opened (seen with PulseAudio: a capture stream that never gets data).
func (s *Stream) checkCapture(lastCalls *int64) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	d := s.capDev.Load()
	if d == nil {
		return
	}
	if d.isLost() || time.Since(d.opened) < silentFor || s.reopens >= maxReopens {
		*lastCalls = d.c.calls()
		return
	}
	calls := d.c.calls()
	stalled := calls == *lastCalls
	*lastCalls = calls
	if !stalled && d.c.heard() {
		return
	}
	s.reopens++
	cause := "no audio since it opened (only exact zeros: a hardware mute switch, or a stream the server never fed)"
	if stalled {
		cause = fmt.Sprintf("no callback for %v (the sound server stopped feeding the stream)", watchEvery)
	}
	s.card.log.Warn("the microphone delivers nothing; reopening it", "device", d.id, "cause", cause, "callbacks", calls, "reopen", s.reopens)
	// The same device again: nothing was lost, so nothing is told.
	s.swap(malgo.Capture, &s.capDev, d.id, d.id, d.fallback, false)
	*lastCalls = 0
}

// serverAway, with the sound server gone and the speaker's callbacks
// stopped (stalled), tells once that the call's sound is lost. miniaudio
// does not stop a PulseAudio stream whose server died (no stop callback):
// its threads just get no more requests.
func (s *Stream) serverAway(stalled bool) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	if s.gone || !stalled {
		return
	}
	s.gone = true
	s.card.log.Warn("the sound server is gone; the call goes on without sound until it is back")
	s.told(malgo.Playback, s.opts.Speaker, true)
}

// serverBack, once the sound server lists devices again after it was
// gone, opens the call's microphone and speaker anew (the streams died
// with the old server) and tells the sound is back; false when the server
// was not gone.
func (s *Stream) serverBack() bool {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	if !s.gone {
		return false
	}
	okMic := s.swap(malgo.Capture, &s.capDev, s.opts.Mic, s.capDev.Load().id, s.capDev.Load().fallback, false)
	okSpeaker := s.swap(malgo.Playback, &s.playDev, s.opts.Speaker, s.playDev.Load().id, s.playDev.Load().fallback, false)
	if okMic && okSpeaker {
		s.gone = false
		s.card.log.Info("the sound server is back; the call's sound too")
		s.told(malgo.Playback, s.opts.Speaker, false)
	}
	return true
}

func (s *Stream) recheck(kind malgo.DeviceType, present []Device, cur *atomic.Pointer[devState], want string) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	d := cur.Load()
	here := want == ""
	for _, p := range present {
		if p.ID == want {
			here = true
		}
	}
	switch {
	case !d.fallback && !here && !d.isLost():
		// The chosen device went away and the sound server (PulseAudio's
		// rescue-streams, PipeWire) moved the stream to the default one: the
		// call goes on there. Closing the moved stream is left for later, as
		// miniaudio's PulseAudio backend can block in it.
		d.fallback = true
		s.told(kind, want, true)
		return
	case !d.fallback && !here, d.fallback && d.isLost():
		// The device went and took the stream with it: the default it is.
		s.swap(kind, cur, want, "", true, true)
	case d.fallback && here:
		s.swap(kind, cur, want, want, false, true) // it came back
	}
}

// swap opens id in place of *cur; the old device is closed in the
// background (see recheck), bounded by Close.
func (s *Stream) swap(kind malgo.DeviceType, cur *atomic.Pointer[devState], want, id string, fallback, tell bool) bool {
	next, err := s.open(kind, id)
	if err != nil {
		s.card.log.Warn("reopen audio device", "kind", kindName(kind), "error", err)
		return false // retried on the next tick
	}
	next.id, next.fallback = want, fallback
	old := cur.Swap(next)
	s.retired = append(s.retired, old)
	s.closing.Add(1)
	go func() {
		defer s.closing.Done()
		old.close()
	}()
	if s.apm != nil {
		s.apm.Reset() // a new acoustic path
	}
	if tell {
		s.told(kind, want, fallback)
	}
	return true
}

func (s *Stream) told(kind malgo.DeviceType, want string, fallback bool) {
	s.card.log.Info("audio device changed", "kind", kindName(kind), "chosen", want, "fallback", fallback)
	if s.opts.OnDevice != nil {
		s.opts.OnDevice(kindName(kind), want, fallback)
	}
}

// Close stops the devices. A replaced device that miniaudio cannot close
// within two seconds is left behind with a warning rather than hanging the
// phone.
func (s *Stream) Close() {
	s.cancel()
	s.wg.Wait()
	s.devMu.Lock()
	defer s.devMu.Unlock()
	capDev, playDev := s.capDev.Load(), s.playDev.Load()
	capDev.close()
	playDev.close()
	s.logCounts(capDev, playDev)
	closed := make(chan struct{})
	go func() { s.closing.Wait(); close(closed) }()
	stuck := false
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		// The stuck device's thread may still use its rings, so they are
		// not freed.
		s.card.log.Warn("a replaced audio device did not close; leaving it")
		stuck = true
	}
	s.codecMu.Lock()
	defer s.codecMu.Unlock()
	s.closed = true
	s.closeDSP()
	for _, r := range []*dsp.Resampler{s.readRes, s.writeRes} {
		if r != nil {
			r.Close()
		}
	}
	capDev.free()
	playDev.free()
	if !stuck {
		for _, d := range s.retired {
			d.free()
		}
	}
}

// logCounts tells the stream's glitches when it closes.
func (s *Stream) logCounts(capDev, playDev *devState) {
	under, dropped, trimmed, _ := playDev.c.counts()
	_, _, _, over := capDev.c.counts()
	over -= s.lostBase.Load() // lost while the call rang: nobody's audio
	if s.echo {
		bulk, changes := s.apm.Bulk()
		median, spread, _ := s.apm.Delay()
		s.card.log.Info("echo canceller", "bulkDelayMs", bulk, "bulkChanges", changes, "residualDelayMs", median, "residualSpreadMs", spread, "refusedFrames", s.apm.Errors())
	}
	// The callback counts tell whether the sound server kept time: a speaker
	// that played fewer periods than the microphone captured was starved
	// (underruns), which moves the echo's delay under the canceller.
	s.card.log.Info("sound stream closed", "direct", capDev.direct && playDev.direct,
		"micCallbacks", capDev.c.calls(), "speakerCallbacks", playDev.c.calls(),
		"speakerUnderruns", under, "speakerDroppedSamples", dropped, "speakerTrimmedSamples", trimmed,
		"micLostSamples", over, "micTrimmedSamples", s.capTrimmed, "micReadsShort", s.capShort, "devicesReplaced", len(s.retired))
}
