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
// (speex's multidelay block frequency-domain adaptive filter). Playback and
// Capture come from the sound card's two threads; speex's playback buffer is
// shared by both, so they take turns. Safe for concurrent use.
type EchoCanceller struct {
	mu    sync.Mutex
	st    *C.SpeexEchoState
	frame int
}

// NewEchoCanceller works on frames of frame samples at rate Hz and cancels
// echoes up to tail samples long.
func NewEchoCanceller(frame, tail, rate int) (*EchoCanceller, error) {
	if frame <= 0 || tail < frame || rate <= 0 {
		return nil, fmt.Errorf("echo canceller: bad frame %d, tail %d or rate %d", frame, tail, rate)
	}
	st := C.speex_echo_state_init(C.int(frame), C.int(tail))
	if st == nil {
		return nil, errors.New("echo canceller: speex_echo_state_init failed")
	}
	C.echo_ctl_int(st, C.SPEEX_ECHO_SET_SAMPLING_RATE, C.int(rate))
	return &EchoCanceller{st: st, frame: frame}, nil
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
	C.speex_echo_playback(e.st, (*C.spx_int16_t)(unsafe.Pointer(&frame[0])))
}

// Capture writes into out the microphone frame in with the echo removed.
func (e *EchoCanceller) Capture(in, out []int16) {
	if len(in) != e.frame || len(out) != e.frame {
		copy(out, in)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	C.speex_echo_capture(e.st, (*C.spx_int16_t)(unsafe.Pointer(&in[0])), (*C.spx_int16_t)(unsafe.Pointer(&out[0])))
}

// Reset forgets the learnt echo path (a new device pair).
func (e *EchoCanceller) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	C.speex_echo_state_reset(e.st)
}

// Close frees the canceller.
func (e *EchoCanceller) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st != nil {
		C.speex_echo_state_destroy(e.st)
		e.st = nil
	}
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
