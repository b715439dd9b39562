package soundcard

import "sync"

// ring is a bounded FIFO of samples between a sound card thread and Go
// code. When full, the oldest samples go: late audio is worse than lost audio.
type ring struct {
	mu   sync.Mutex
	buf  []int16
	head int // index of the oldest sample
	n    int // samples held
}

func newRing(capacity int) *ring { return &ring{buf: make([]int16, capacity)} }

func (r *ring) push(s []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(s) >= len(r.buf) {
		s = s[len(s)-len(r.buf):]
	}
	if over := r.n + len(s) - len(r.buf); over > 0 {
		r.head = (r.head + over) % len(r.buf)
		r.n -= over
	}
	tail := (r.head + r.n) % len(r.buf)
	k := copy(r.buf[tail:], s)
	copy(r.buf, s[k:])
	r.n += len(s)
}

// pop fills dst with the oldest samples it has and returns how many.
func (r *ring) pop(dst []int16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := min(len(dst), r.n)
	k := copy(dst[:m], r.buf[r.head:min(r.head+m, len(r.buf))])
	copy(dst[k:m], r.buf)
	r.head = (r.head + m) % len(r.buf)
	r.n -= m
	return m
}

// drop discards the n oldest samples.
func (r *ring) drop(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n = min(n, r.n)
	r.head = (r.head + n) % len(r.buf)
	r.n -= n
}

func (r *ring) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
