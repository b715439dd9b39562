package media

import (
	"math"
	"sync"
	"time"
)

// jitterBuffer reorders the far end's packets and releases one 20 ms frame
// per playout tick, after a delay that follows the measured jitter: enough
// to absorb it, no more (RFC 3550 interarrival jitter, target = 2×jitter
// rounded up to whole frames, between minFrames and maxFrames). A gap in the
// sequence is reported as lost so that the decoder conceals it.
//
// Written here rather than taken from a library: pion's interceptor
// jitterbuffer has a fixed depth, and the phone needs the adaptive target
// and per-frame loss reporting that drive concealment.
type jitterBuffer struct {
	mu sync.Mutex

	frames map[uint16][]byte
	next   uint16 // sequence number of the next frame to play
	primed bool   // playout has started

	target, minFrames, maxFrames int
	clock                        float64 // RTP clock rate

	// interarrival jitter estimate (RFC 3550 §6.4.1), in seconds
	jitter      float64
	lastTransit float64
	haveTransit bool
	samples     int // jitter measurements so far

	// counters for stats and tests
	played, concealed, late int
}

func newJitterBuffer(clockRate int) *jitterBuffer {
	return &jitterBuffer{frames: map[uint16][]byte{}, target: 2, minFrames: 1, maxFrames: 10, clock: float64(clockRate)}
}

// seqLess says whether a comes before b, with 16-bit wrap-around.
func seqLess(a, b uint16) bool { return a != b && b-a < 0x8000 }

// push stores a packet that arrived at arrival.
func (j *jitterBuffer) push(seq uint16, ts uint32, payload []byte, arrival time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	transit := float64(arrival.UnixNano())/1e9 - float64(ts)/j.clock
	if j.haveTransit {
		d := math.Abs(transit - j.lastTransit)
		j.jitter += (d - j.jitter) / 16
		j.samples++
	}
	j.lastTransit, j.haveTransit = transit, true
	// Keep the initial target until the estimate has settled a little.
	if j.samples >= 8 {
		j.target = min(max(int(math.Ceil(2*j.jitter/0.020)), j.minFrames), j.maxFrames)
	}

	if j.primed && seqLess(seq, j.next) {
		j.late++ // its time to play has passed
		return
	}
	if !j.primed && (len(j.frames) == 0 || seqLess(seq, j.next)) {
		j.next = seq
	}
	j.frames[seq] = append([]byte(nil), payload...)
	// A far end that jumps far ahead (restart, long silence) resynchronises.
	if len(j.frames) > 4*j.maxFrames {
		j.resync()
	}
}

func (j *jitterBuffer) resync() {
	first := true
	for seq := range j.frames {
		if first || seqLess(seq, j.next) {
			j.next, first = seq, false
		}
	}
	j.primed = false
}

// pop is called once per frame time. It returns the next frame's payload;
// lost is true when that frame is missing and must be concealed (or, with
// Opus, recovered from next: the packet after it, when it is here, which
// carries the lost frame's in-band FEC); ok is false while the buffer is
// filling (play nothing yet).
func (j *jitterBuffer) pop() (payload []byte, lost bool, next []byte, ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.primed {
		if len(j.frames) < j.target {
			return nil, false, nil, false
		}
		j.primed = true
	}
	if len(j.frames) == 0 {
		// Ran dry: stop and refill to the target before playing again,
		// which is how the delay grows when the network gets worse.
		j.primed = false
		return nil, true, nil, true
	}
	p, have := j.frames[j.next]
	delete(j.frames, j.next)
	j.next++
	if !have {
		j.concealed++
		return nil, true, j.frames[j.next], true
	}
	// More buffered than the target: drop one frame to shrink the delay.
	if len(j.frames) > j.target+2 {
		delete(j.frames, j.next)
		j.next++
	}
	j.played++
	return p, false, nil, true
}

func (j *jitterBuffer) targetFrames() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.target
}
