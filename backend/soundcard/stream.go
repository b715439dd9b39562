package soundcard

import (
	"context"
	"encoding/binary"
	"fmt"
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
	// suppresses steady background noise.
	EchoCancel, Denoise bool
	// OnDevice is told when a chosen device went away and the stream moved
	// to the default one (fallback true), or came back and is used again.
	OnDevice func(kind, id string, fallback bool)
}

const (
	periodMs = 10
	// The playback buffer starts playing once it holds this much, so the
	// 20 ms packets of a call and the card's 10 ms periods do not underrun
	// on every phase slip.
	prime = Rate * 40 / 1000
	// Neither buffer holds more than this; beyond it audio is late.
	maxBuffered = Rate * 200 / 1000
	// More audio than this waiting in either direction means one clock
	// fell behind the other (drift, a stall): the excess is dropped.
	maxLag = Rate * 80 / 1000
	// How often the chosen devices are looked for (hot-plug).
	watchEvery = 500 * time.Millisecond
)

// Stream is the duplex audio of calls: microphone to the call, the call to
// the speaker. It is an audio.Source and an audio.Sink at any rate.
type Stream struct {
	card *Card
	opts Options

	// devMu guards the devices and their per-device state; it is never held
	// by the audio callbacks, as Uninit waits for them.
	devMu   sync.Mutex
	capDev  *devState
	playDev *devState

	ec *dsp.EchoCanceller
	pp *dsp.Preprocessor

	captured *ring // processed microphone audio at Rate
	playback *ring // call audio waiting for the speaker, at Rate

	// The codec-rate side, used by the call's media clock only.
	codecMu   sync.Mutex
	readRes   *dsp.Resampler
	pending   []int16
	capPrimed bool
	writeRes  *dsp.Resampler
	scratch   []int16

	// reopens counts checkCapture's reopenings of the microphone (devMu).
	reopens int

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closing sync.WaitGroup // replaced devices being closed
}

// devState is one open device with its conversion state, owned by the
// device's callback thread once started.
type devState struct {
	dev      *malgo.Device
	id       string // what was asked for ("" default)
	fallback bool   // the asked-for device was missing; this is the default
	rate     int
	res      *dsp.Resampler // card rate ↔ Rate; nil when equal
	pcm      []int16        // capture: the card's samples
	acc      []int16        // capture: resampled, waiting for a whole frame
	out      []int16        // playback: resampled, waiting for the card
	primed   bool
	lost     bool // miniaudio stopped it (the device went away)
	mu       sync.Mutex
	// Capture: callbacks so far, and whether any sample was not zero —
	// the watcher reopens a microphone that delivers nothing.
	calls  atomic.Int64
	heard  atomic.Bool
	opened time.Time
}

// OpenStream opens the microphone and speaker and starts them.
func (c *Card) OpenStream(opts Options) (*Stream, error) {
	s := &Stream{card: c, opts: opts, captured: newRing(maxBuffered), playback: newRing(maxBuffered)}
	if opts.EchoCancel {
		var err error
		// 125 ms of echo tail covers a headset, a laptop's speakers and the
		// sound server's buffers, and converges faster than a longer one.
		if s.ec, err = dsp.NewEchoCanceller(frame, Rate/8, Rate, s.processed); err != nil {
			return nil, err
		}
	}
	if opts.EchoCancel || opts.Denoise {
		var err error
		if s.pp, err = dsp.NewPreprocessor(frame, Rate, opts.Denoise, s.ec); err != nil {
			s.closeDSP()
			return nil, err
		}
	}
	var err error
	if s.capDev, err = s.open(malgo.Capture, opts.Mic); err != nil {
		s.closeDSP()
		return nil, err
	}
	if s.playDev, err = s.open(malgo.Playback, opts.Speaker); err != nil {
		s.capDev.close()
		s.closeDSP()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.watch(ctx)
	return s, nil
}

func (s *Stream) closeDSP() {
	if s.ec != nil {
		unpaired, dropped := s.ec.Slips()
		s.card.log.Info("echo canceller", "unpairedMicFrames", unpaired, "droppedReferences", dropped)
	}
	if s.pp != nil {
		s.pp.Close()
	}
	if s.ec != nil {
		s.ec.Close()
	}
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
	cb := malgo.DeviceCallbacks{Stop: func() { st.mu.Lock(); st.lost = true; st.mu.Unlock() }}
	if kind == malgo.Capture {
		cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatS16, 1
		cb.Data = func(_, in []byte, n uint32) { s.onCapture(st, in, int(n)) }
	} else {
		cfg.Playback.Format, cfg.Playback.Channels = malgo.FormatS16, 1
		cb.Data = func(out, _ []byte, n uint32) { s.onPlayback(st, out, int(n)) }
	}
	dev, present, err := s.card.initDevice(kind, id, cfg, cb)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s %q: %v", ErrNoDevice, kindName(kind), id, err)
	}
	st.fallback = !present
	st.dev = dev
	st.rate = int(dev.SampleRate())
	if st.rate != Rate {
		from, to := st.rate, Rate
		if kind == malgo.Playback {
			from, to = Rate, st.rate
		}
		if st.res, err = dsp.NewResampler(from, to); err != nil {
			dev.Uninit()
			return nil, err
		}
	}
	if err := dev.Start(); err != nil {
		st.close()
		return nil, fmt.Errorf("%w: start %s %q: %v", ErrNoDevice, kindName(kind), id, err)
	}
	return st, nil
}

func kindName(kind malgo.DeviceType) string {
	if kind == malgo.Capture {
		return "microphone"
	}
	return "speaker"
}

func (d *devState) close() {
	if d == nil || d.dev == nil {
		return
	}
	d.dev.Uninit() // waits for the callback to return
	d.dev = nil
	if d.res != nil {
		d.res.Close()
	}
}

func (d *devState) isLost() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lost
}

// onCapture runs on the capture thread: resample to Rate, then whole
// 10 ms frames through the echo canceller and noise suppressor.
func (s *Stream) onCapture(st *devState, in []byte, n int) {
	if cap(st.pcm) < n {
		st.pcm = make([]int16, n)
	}
	pcm := st.pcm[:n]
	heard := false
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
		heard = heard || pcm[i] != 0
	}
	st.calls.Add(1)
	if heard && !st.heard.Load() {
		st.heard.Store(true)
	}
	if st.res != nil {
		st.acc = st.res.Process(st.acc, pcm)
	} else {
		st.acc = append(st.acc, pcm...)
	}
	for len(st.acc) >= frame {
		f := st.acc[:frame]
		if s.ec != nil {
			s.ec.Capture(f) // out through processed, paired with its playback
		} else {
			s.processed(f)
		}
		st.acc = append(st.acc[:0], st.acc[frame:]...)
	}
}

// processed takes a microphone frame out of the echo canceller (or straight
// from the card): noise suppression, then to the call. With a canceller it
// runs under the canceller's lock, from either card thread; without, on the
// capture thread only.
func (s *Stream) processed(f []int16) {
	if s.pp != nil {
		s.pp.Run(f)
	}
	s.captured.push(f)
}

// onPlayback runs on the playback thread: whole 10 ms frames of the call's
// audio (or silence) are told to the echo canceller, resampled to the
// card's rate and played.
func (s *Stream) onPlayback(st *devState, out []byte, n int) {
	var f [frame]int16
	// The call writes on its own 20 ms clock: when it got ahead of the card
	// (a slow start, drift) the excess is dropped rather than heard late.
	if lvl := s.playback.len(); lvl > maxLag {
		s.playback.drop(lvl - prime)
	}
	for len(st.out) < n {
		clear(f[:])
		switch {
		case !st.primed && s.playback.len() >= prime:
			st.primed = true
			fallthrough
		case st.primed:
			if got := s.playback.pop(f[:]); got < frame {
				st.primed = false // underrun: wait for the buffer to refill
			}
		}
		if s.ec != nil {
			s.ec.Playback(f[:])
		}
		if st.res != nil {
			st.out = st.res.Process(st.out, f[:])
		} else {
			st.out = append(st.out, f[:]...)
		}
	}
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(st.out[i]))
	}
	st.out = append(st.out[:0], st.out[n:]...)
}

// Read gives one frame of the microphone at the codec's rate (audio.Source).
// Missing audio (the card is late or gone) reads as silence.
func (s *Stream) Read(dst []int16, rate int) error {
	s.codecMu.Lock()
	defer s.codecMu.Unlock()
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
		buf := make([]int16, need)
		// The card delivers 10 ms periods on its own clock, the call reads
		// 20 ms on another: reading starts once a margin is buffered, and an
		// empty buffer (a late card) reads as silence until it refills.
		level := s.captured.len()
		switch {
		case !s.capPrimed && level >= prime:
			s.capPrimed = true
		case level > maxLag:
			s.captured.drop(level - prime) // the card ran ahead: catch up
		}
		if s.capPrimed && s.captured.pop(buf) < need {
			s.capPrimed = false
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

// Write queues one frame of the call's audio for the speaker (audio.Sink).
func (s *Stream) Write(pcm []int16, rate int) error {
	s.codecMu.Lock()
	defer s.codecMu.Unlock()
	if rate == Rate {
		s.playback.push(pcm)
		return nil
	}
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
	s.playback.push(s.scratch)
	return nil
}

func resIn(r *dsp.Resampler) int  { in, _ := r.Rates(); return in }
func resOut(r *dsp.Resampler) int { _, out := r.Rates(); return out }

// Devices returns the ids of the microphone and speaker in use ("" default).
func (s *Stream) Devices() (mic, speaker string, micFallback, speakerFallback bool) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	return s.capDev.id, s.playDev.id, s.capDev.fallback, s.playDev.fallback
}

// watch follows hot-plugging: a chosen device that disappears is replaced by
// the default, and used again when it returns.
func (s *Stream) watch(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	var lastCalls int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		list, err := s.card.Devices()
		if err != nil {
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
	d := s.capDev
	if d == nil {
		return
	}
	if d.isLost() || time.Since(d.opened) < silentFor || s.reopens >= maxReopens {
		*lastCalls = d.calls.Load()
		return
	}
	calls := d.calls.Load()
	stalled := calls == *lastCalls
	*lastCalls = calls
	if !stalled && d.heard.Load() {
		return
	}
	s.reopens++
	s.card.log.Warn("the microphone delivers nothing; reopening it", "device", d.id, "callbacks", calls, "stalled", stalled, "reopen", s.reopens)
	s.swap(malgo.Capture, &s.capDev, d.id, d.id, d.fallback)
	*lastCalls = 0
}

func (s *Stream) recheck(kind malgo.DeviceType, present []Device, cur **devState, want string) {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	d := *cur
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
		s.swap(kind, cur, want, "", true)
	case d.fallback && here:
		s.swap(kind, cur, want, want, false) // it came back
	}
}

// swap opens id in place of *cur; the old device is closed in the
// background (see recheck), bounded by Close.
func (s *Stream) swap(kind malgo.DeviceType, cur **devState, want, id string, fallback bool) {
	next, err := s.open(kind, id)
	if err != nil {
		s.card.log.Warn("reopen audio device", "kind", kindName(kind), "error", err)
		return // retried on the next tick
	}
	next.id, next.fallback = want, fallback
	old := *cur
	*cur = next
	s.closing.Add(1)
	go func() {
		defer s.closing.Done()
		old.close()
	}()
	if s.ec != nil {
		s.ec.Reset() // a new acoustic path
	}
	s.told(kind, want, fallback)
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
	s.capDev.close()
	s.playDev.close()
	s.devMu.Unlock()
	closed := make(chan struct{})
	go func() { s.closing.Wait(); close(closed) }()
	select {
	case <-closed:
		s.closeDSP()
	case <-time.After(2 * time.Second):
		// The echo canceller may still be used by the stuck device's
		// callback, so it is not freed either.
		s.card.log.Warn("a replaced audio device did not close; leaving it")
	}
	s.codecMu.Lock()
	for _, r := range []*dsp.Resampler{s.readRes, s.writeRes} {
		if r != nil {
			r.Close()
		}
	}
	s.codecMu.Unlock()
}
