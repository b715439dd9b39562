// Package dsp is the voice processing of a call, through Debian's
// libspeexdsp: resampling between a sound card's rate and the codecs',
// acoustic echo cancellation, and noise suppression.
//
// None of its types is safe for concurrent use unless it says so; each
// belongs to one audio path.
package dsp

// #cgo pkg-config: speexdsp
// #include <stdlib.h>
// #include <speex/speex_resampler.h>
// #include <speex/speex_echo.h>
// #include <speex/speex_preprocess.h>
//
// static int pp_ctl_int(SpeexPreprocessState *st, int req, int v) { return speex_preprocess_ctl(st, req, &v); }
// static int pp_ctl_ptr(SpeexPreprocessState *st, int req, void *p) { return speex_preprocess_ctl(st, req, p); }
// static int echo_ctl_int(SpeexEchoState *st, int req, int v) { return speex_echo_ctl(st, req, &v); }
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// Resampler converts mono 16-bit audio from one rate to another.
type Resampler struct {
	st      *C.SpeexResamplerState
	in, out int
}

// ResamplerQuality is speex's 0..10; 5 is its "VoIP" default, transparent
// for speech at a fraction of the cost of 10.
const ResamplerQuality = 5

// NewResampler converts from rate in to rate out (Hz).
func NewResampler(in, out int) (*Resampler, error) {
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("resampler: rates must be positive, got %d → %d", in, out)
	}
	var err C.int
	st := C.speex_resampler_init(1, C.spx_uint32_t(in), C.spx_uint32_t(out), ResamplerQuality, &err)
	if st == nil || err != 0 {
		return nil, fmt.Errorf("resampler %d → %d Hz: %s", in, out, C.GoString(C.speex_resampler_strerror(err)))
	}
	C.speex_resampler_skip_zeros(st)
	return &Resampler{st: st, in: in, out: out}, nil
}

// Rates returns the input and output rates.
func (r *Resampler) Rates() (in, out int) { return r.in, r.out }

// Process appends src, converted, to dst. Output follows input with the
// filter's small delay, so a few samples more or fewer than the exact ratio
// come out of one call; over a stream the count is exact.
func (r *Resampler) Process(dst, src []int16) []int16 {
	if len(src) == 0 {
		return dst
	}
	room := len(src)*r.out/r.in + 64
	start := len(dst)
	if cap(dst)-start < room {
		grown := make([]int16, start, start+room)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:start+room]
	inLen := C.spx_uint32_t(len(src))
	outLen := C.spx_uint32_t(room)
	C.speex_resampler_process_int(r.st, 0, (*C.spx_int16_t)(unsafe.Pointer(&src[0])), &inLen,
		(*C.spx_int16_t)(unsafe.Pointer(&dst[start])), &outLen)
	return dst[:start+int(outLen)]
}

// Close frees the resampler.
func (r *Resampler) Close() {
	if r.st != nil {
		C.speex_resampler_destroy(r.st)
		r.st = nil
	}
}

// EchoCanceller removes from the microphone's signal what the speaker played
// (speex's multidelay block frequency-domain adaptive filter).
//
// The sound card's playback and capture threads hand it frames in bursts
// whose order varies with scheduling. speex's own speex_echo_playback /
// speex_echo_capture pair keeps only two frames of slack, and on a loaded
// machine drops or zero-fills frames often enough that the filter never
// converges. Here the k-th microphone frame is paired with the k-th played
// frame through queues deep enough for a late thread, so the echo's delay
// stays what the sound path makes it:
//   - microphone frames from before anything was played pass at once (they
//     cannot hold an echo), so a capture device started first adds no delay;
//   - a microphone frame waits at most micDepth frames for its reference
//     (a stalled or missing speaker), then passes without;
//   - references standing unpaired through a window (the speaker started
//     first) are let go: that only makes the reference lead the echo by
//     less, which keeps the filter's tail for the room.
//
// Safe for concurrent use.
type EchoCanceller struct {
	mu    sync.Mutex
	st    *C.SpeexEchoState
	frame int
	emit  func(clean []int16)

	ref, mic [][]int16 // frames waiting for their pair, oldest first
	free     [][]int16 // spare frame buffers
	out      []int16
	silence  []int16

	played bool // a reference arrived since the start or Reset
	// How often alignment was given up, for the log at Close: microphone
	// frames passed without reference, references dropped.
	unpaired, dropped int
	calls             int // since the window opened
	minRef            int // the smallest reference backlog seen in the window
}

const (
	// A microphone frame waits at most this many frames for its reference
	// (the playback thread is late); a reference waits at most refDepth for
	// its microphone frame.
	micDepth = 6
	refDepth = 10
	// References standing unpaired over this many callbacks (about a
	// second of 10 ms frames from two threads) are let go.
	backlogWindow = 200
)

// NewEchoCanceller works on frames of frame samples at rate Hz and cancels
// echoes up to tail samples long. Each microphone frame comes out, cleaned,
// through emit, which is called with the canceller's lock held (from either
// thread) and must not keep the slice.
func NewEchoCanceller(frame, tail, rate int, emit func(clean []int16)) (*EchoCanceller, error) {
	if frame <= 0 || tail < frame || rate <= 0 || emit == nil {
		return nil, fmt.Errorf("echo canceller: bad frame %d, tail %d or rate %d (or no output)", frame, tail, rate)
	}
	st := C.speex_echo_state_init(C.int(frame), C.int(tail))
	if st == nil {
		return nil, errors.New("echo canceller: speex_echo_state_init failed")
	}
	C.echo_ctl_int(st, C.SPEEX_ECHO_SET_SAMPLING_RATE, C.int(rate))
	e := &EchoCanceller{st: st, frame: frame, emit: emit, out: make([]int16, frame), silence: make([]int16, frame)}
	e.openWindow()
	return e, nil
}

// Frame is the number of samples Playback and Capture take.
func (e *EchoCanceller) Frame() int { return e.frame }

// Playback tells the canceller a frame that has just been sent to the speaker.
func (e *EchoCanceller) Playback(frame []int16) {
	if len(frame) != e.frame {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st == nil {
		return
	}
	if len(e.ref) == refDepth { // the capture thread stalled: the oldest goes
		e.dropped++
		e.free = append(e.free, e.ref[0])
		e.ref = e.ref[1:]
	}
	e.ref = append(e.ref, e.copyOf(frame))
	e.played = true
	e.drain()
}

// Capture hands the canceller a microphone frame; it comes out through emit
// once its reference has been played (at once, or within micDepth frames).
func (e *EchoCanceller) Capture(in []int16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(in) != e.frame || e.st == nil {
		copy(e.out, in)
		e.emit(e.out[:min(len(in), e.frame)])
		return
	}
	e.mic = append(e.mic, e.copyOf(in))
	if !e.played {
		e.cancel(e.silence)
		return
	}
	e.drain()
}

func (e *EchoCanceller) copyOf(f []int16) []int16 {
	var b []int16
	if n := len(e.free); n > 0 {
		b, e.free = e.free[n-1], e.free[:n-1]
	} else {
		b = make([]int16, e.frame)
	}
	copy(b, f)
	return b
}

// drain cancels every pair there is, lets microphone frames that waited too
// long go without a reference, and, once a window closes, the references
// that stood unpaired through it.
func (e *EchoCanceller) drain() {
	for len(e.mic) > 0 && len(e.ref) > 0 {
		e.cancel(e.ref[0])
		e.free = append(e.free, e.ref[0])
		e.ref = e.ref[1:]
	}
	for len(e.mic) > micDepth {
		e.unpaired++
		e.cancel(e.silence)
	}
	e.minRef = min(e.minRef, len(e.ref))
	if e.calls++; e.calls < backlogWindow {
		return
	}
	for i := 0; i < e.minRef; i++ {
		e.dropped++
		e.free = append(e.free, e.ref[0])
		e.ref = e.ref[1:]
	}
	e.openWindow()
}

// cancel takes the oldest microphone frame out with ref as its reference.
func (e *EchoCanceller) cancel(ref []int16) {
	in := e.mic[0]
	e.mic = e.mic[1:]
	C.speex_echo_cancellation(e.st, (*C.spx_int16_t)(unsafe.Pointer(&in[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&ref[0])), (*C.spx_int16_t)(unsafe.Pointer(&e.out[0])))
	e.free = append(e.free, in)
	e.emit(e.out)
}

func (e *EchoCanceller) openWindow() {
	e.calls, e.minRef = 0, refDepth+1
}

// Reset forgets the learnt echo path and the frames waiting (a new device).
func (e *EchoCanceller) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st == nil {
		return
	}
	for len(e.mic) > 0 {
		e.cancel(e.silence)
	}
	e.free = append(e.free, e.ref...)
	e.ref = e.ref[:0]
	e.played = false
	e.openWindow()
	C.speex_echo_state_reset(e.st)
}

// Slips says how often the pairing was given up: microphone frames that
// went without their reference, references dropped unpaired.
func (e *EchoCanceller) Slips() (unpaired, dropped int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.unpaired, e.dropped
}

// Close frees the canceller; frames still waiting are dropped.
func (e *EchoCanceller) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st != nil {
		C.speex_echo_state_destroy(e.st)
		e.st = nil
	}
	e.mic, e.ref = nil, nil
}

// Preprocessor suppresses noise and, linked to an EchoCanceller, the echo
// the adaptive filter leaves behind.
type Preprocessor struct {
	st    *C.SpeexPreprocessState
	frame int
}

// NewPreprocessor works on frames of frame samples at rate Hz. echo may be nil.
func NewPreprocessor(frame, rate int, denoise bool, echo *EchoCanceller) (*Preprocessor, error) {
	st := C.speex_preprocess_state_init(C.int(frame), C.int(rate))
	if st == nil {
		return nil, errors.New("preprocessor: speex_preprocess_state_init failed")
	}
	d := 0
	if denoise {
		d = 1
	}
	C.pp_ctl_int(st, C.SPEEX_PREPROCESS_SET_DENOISE, C.int(d))
	// Automatic gain stays off (levels are the user's and the platform's
	// business), as does speex's voice activity detection (off by default).
	C.pp_ctl_int(st, C.SPEEX_PREPROCESS_SET_AGC, 0)
	if echo != nil {
		C.pp_ctl_ptr(st, C.SPEEX_PREPROCESS_SET_ECHO_STATE, unsafe.Pointer(echo.st))
	}
	return &Preprocessor{st: st, frame: frame}, nil
}

// Run processes one frame in place.
func (p *Preprocessor) Run(frame []int16) {
	if len(frame) != p.frame {
		return
	}
	C.speex_preprocess_run(p.st, (*C.spx_int16_t)(unsafe.Pointer(&frame[0])))
}

// Close frees the preprocessor.
func (p *Preprocessor) Close() {
	if p.st != nil {
		C.speex_preprocess_state_destroy(p.st)
		p.st = nil
	}
}
