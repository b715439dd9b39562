package dsp

// #cgo !windows,!speexaec pkg-config: webrtc-audio-processing
// #cgo !windows,!speexaec CXXFLAGS: -std=c++11
// #include <stdlib.h>
// #include "apm.h"
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// APMConfig chooses what WebRTC's audio processing does to the microphone.
type APMConfig struct {
	// Rate is 8000, 16000, 32000 or 48000 Hz; frames are Rate/100 samples.
	Rate int
	// EchoCancel runs the acoustic echo canceller in delay-agnostic mode
	// with the extended filter: it finds the echo's delay itself and
	// follows it when the sound server's buffering moves it.
	EchoCancel bool
	// Denoise suppresses steady background noise; Gain raises a quiet
	// headset's speech (adaptive digital gain with a limiter).
	Denoise, Gain bool
	// NoBulkDelay leaves the echo's whole delay to the library's own
	// delay-agnostic estimation (no delayEstimator in front): only for
	// bench/aecbench, which measures what the estimator adds.
	NoBulkDelay bool
}

// APM is webrtc-audio-processing 0.3 (Debian's libwebrtc-audio-processing,
// the library PulseAudio's and PipeWire's echo-cancel modules use): the
// AEC with its own delay estimator, noise suppression, automatic gain and a
// high-pass filter. It has EchoCanceller's shape: played frames in through
// Playback, microphone frames in through Capture and out, processed,
// through emit. Feed them in the order the card played and captured them:
// the canceller looks for each echo in what was played before it.
//
// Safe for concurrent use.
type APM struct {
	mu    sync.Mutex
	a     *C.vd_apm
	cfg   APMConfig
	frame int
	emit  func([]int16)
	buf   []int16
	zero  []int16
	// The bulk delay: played frames wait in hist and the canceller gets the
	// one played bulk frames before each microphone frame (see
	// delayEstimator and feedReference); counted from the stream's start.
	est       *delayEstimator
	hist      [][]int16
	playedN   int
	capturedN int
	bulk      int
	// realigned counts changes of the bulk delay (logged at Close).
	realigned int
	// errors counts frames the library refused (logged at Close).
	errors int
}

// NewAPM sets up the processing; emit gets each processed microphone frame,
// called with the APM's lock held, and must not keep the slice.
func NewAPM(cfg APMConfig, emit func(clean []int16)) (*APM, error) {
	if emit == nil {
		return nil, errors.New("audio processing: no output")
	}
	switch cfg.Rate {
	case 8000, 16000, 32000, 48000:
	default:
		return nil, fmt.Errorf("audio processing: rate %d Hz, want 8000, 16000, 32000 or 48000", cfg.Rate)
	}
	p := &APM{cfg: cfg, frame: cfg.Rate / 100, emit: emit, buf: make([]int16, cfg.Rate/100)}
	p.est = newDelayEstimator(cfg.Rate, p.frame)
	p.hist = make([][]int16, maxEchoMs/10+1)
	for i := range p.hist {
		p.hist[i] = make([]int16, p.frame)
	}
	if err := p.init(); err != nil {
		return nil, err
	}
	return p, nil
}

func b(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

func (p *APM) init() error {
	c := C.vd_apm_config{rate: C.int(p.cfg.Rate), echo: b(p.cfg.EchoCancel), delay_agnostic: 1, extended: 1,
		denoise: b(p.cfg.Denoise), gain: b(p.cfg.Gain), highpass: 1}
	p.a = C.vd_apm_new(&c)
	if p.a == nil {
		return errors.New("audio processing: webrtc AudioProcessing could not be set up")
	}
	return nil
}

// marginFrames of the echo's delay are left to the canceller's own delay
// estimation, which works best on short delays (40 ms: 70 dB).
const marginFrames = 4

func (p *APM) silence() []int16 {
	if p.zero == nil {
		p.zero = make([]int16, p.frame)
	}
	return p.zero
}

// Bulk is the delay (ms) by which the reference is held back now, and how
// often it changed.
func (p *APM) Bulk() (ms, changes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bulk * 10, p.realigned
}

// Frame is the number of samples Playback and Capture take.
func (p *APM) Frame() int { return p.frame }

// Playback tells the processing a frame the speaker played.
func (p *APM) Playback(frame []int16) {
	if len(frame) != p.frame {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.a == nil || !p.cfg.EchoCancel {
		return
	}
	p.est.played(frame)
	copy(p.hist[p.playedN%len(p.hist)], frame)
	p.playedN++
}

// feedReference hands the library the played frame that goes with
// microphone frame m: the one played bulk frames before it. Fed one for
// one with the microphone's frames, the library sees the two streams in
// step however the card's threads took turns (in bursts on a loaded
// machine); a frame not played yet (the microphone ran ahead) or long gone
// goes as silence.
func (p *APM) feedReference(m int) {
	ref := p.silence()
	if i := m - p.bulk; i >= 0 && i < p.playedN && p.playedN-i <= len(p.hist) {
		ref = p.hist[i%len(p.hist)]
	}
	if C.vd_apm_reverse(p.a, (*C.int16_t)(unsafe.Pointer(&ref[0]))) != 0 {
		p.errors++
	}
}

// Capture processes a microphone frame and hands it to emit.
func (p *APM) Capture(in []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := copy(p.buf, in)
	if p.a != nil && len(in) == p.frame && p.cfg.EchoCancel && !p.cfg.NoBulkDelay && p.est.captured(in) {
		// The canceller keeps marginFrames of the delay to follow by itself.
		if bulk := max(0, p.est.found-marginFrames); bulk != p.bulk {
			p.bulk = bulk
			p.realigned++
		}
	}
	if p.a != nil && len(in) == p.frame {
		if p.cfg.EchoCancel {
			p.feedReference(p.capturedN)
			p.capturedN++
		}
		if C.vd_apm_process(p.a, (*C.int16_t)(unsafe.Pointer(&p.buf[0])), 0) != 0 {
			p.errors++
		}
	}
	p.emit(p.buf[:n])
}

// Delay is the canceller's estimate of the echo's delay (median and spread
// over its last estimates, ms); ok false before it has one.
func (p *APM) Delay() (median, spread int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.a == nil {
		return 0, 0, false
	}
	var m, s C.int
	if C.vd_apm_delay(p.a, &m, &s) != 0 || m < 0 {
		return 0, 0, false
	}
	return int(m), int(s), true
}

// Reset forgets the learnt echo path (a new device): the processing is set
// up anew.
func (p *APM) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.a == nil {
		return
	}
	C.vd_apm_free(p.a)
	if err := p.init(); err != nil {
		p.a = nil // frames pass unprocessed from now on
	}
}

// Errors is the number of frames the library refused.
func (p *APM) Errors() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errors
}

// Close frees the processing.
func (p *APM) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.a != nil {
		C.vd_apm_free(p.a)
		p.a = nil
	}
}
