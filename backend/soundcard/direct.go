package soundcard

// The call stream's devices are served by C callbacks that only move
// samples between miniaudio's buffers and lock-free rings; Go drains and
// fills the rings on the call's own 20 ms clock (Stream.Read/Write).
//
// Why not malgo's Go callback: every call from a C thread into Go takes a P
// through exitsyscall, which wakes Go's sysmon from its deep sleep and
// resets it to 20 µs naps. Two devices calling back every 10 ms kept sysmon
// waking about 3,500 times a second, a quarter of the app's CPU in a call
// (perf, 2026-12-03). A C callback never enters the Go runtime.
//
// malgo keeps its callbacks in Go, so the C callback is installed by
// writing the head of miniaudio's ma_device (0.11.x: pContext, type,
// sampleRate, state, onData, onNotification, onStop, pUserData) after
// malgo's ma_device_init. The head is checked against what malgo reports
// (type, rate, context) first; where it does not match, malgo's Go callback
// forwards to the same C functions, so behaviour is the same either way.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*vd_data_proc)(void *dev, void *out, const void *in, uint32_t frames);

// The head of miniaudio 0.11's struct ma_device.
typedef struct {
	void *pContext;
	int32_t type;
	uint32_t sampleRate;
	uint32_t state; // ma_atomic_device_state: a 4-byte aligned enum
	vd_data_proc onData;
	void *onNotification;
	void *onStop;
	void *pUserData;
} vd_device_head;

// A single-producer single-consumer ring of samples: w and r count samples
// ever written and read.
typedef struct {
	int16_t *buf;
	uint32_t size;
	uint64_t w, r;
} vd_ring;

static uint32_t vd_ring_len(vd_ring *q) {
	return (uint32_t)(__atomic_load_n(&q->w, __ATOMIC_ACQUIRE) - __atomic_load_n(&q->r, __ATOMIC_ACQUIRE));
}

// Producer side: as much of p as fits.
static uint32_t vd_ring_push(vd_ring *q, const int16_t *p, uint32_t n) {
	uint64_t w = __atomic_load_n(&q->w, __ATOMIC_RELAXED);
	uint64_t r = __atomic_load_n(&q->r, __ATOMIC_ACQUIRE);
	uint32_t room = q->size - (uint32_t)(w - r);
	if (n > room) n = room;
	uint32_t at = (uint32_t)(w % q->size);
	uint32_t k = q->size - at < n ? q->size - at : n;
	memcpy(q->buf + at, p, k * sizeof(int16_t));
	memcpy(q->buf, p + k, (n - k) * sizeof(int16_t));
	__atomic_store_n(&q->w, w + n, __ATOMIC_RELEASE);
	return n;
}

// Consumer side: up to n samples into p (p NULL: skipped).
static uint32_t vd_ring_pop(vd_ring *q, int16_t *p, uint32_t n) {
	uint64_t r = __atomic_load_n(&q->r, __ATOMIC_RELAXED);
	uint64_t w = __atomic_load_n(&q->w, __ATOMIC_ACQUIRE);
	uint32_t have = (uint32_t)(w - r);
	if (n > have) n = have;
	if (p) {
		uint32_t at = (uint32_t)(r % q->size);
		uint32_t k = q->size - at < n ? q->size - at : n;
		memcpy(p, q->buf + at, k * sizeof(int16_t));
		memcpy(p + k, q->buf, (n - k) * sizeof(int16_t));
	}
	__atomic_store_n(&q->r, r + n, __ATOMIC_RELEASE);
	return n;
}

// The callbacks of both devices of a stream take tickets from one counter,
// so that Go sees the microphone's and the speaker's audio in the order the
// card's threads handed it over (see Stream.pump).
typedef struct {
	uint64_t seq;
	uint32_t n;
} vd_ticket;

typedef struct {
	vd_ticket *buf;
	uint32_t size;
	uint64_t w, r;
} vd_tickets;

static uint64_t vd_seq;

static int vd_tickets_room(vd_tickets *t) {
	return t->size - (uint32_t)(__atomic_load_n(&t->w, __ATOMIC_RELAXED) - __atomic_load_n(&t->r, __ATOMIC_ACQUIRE)) > 0;
}

static void vd_tickets_push(vd_tickets *t, uint32_t n) {
	uint64_t w = __atomic_load_n(&t->w, __ATOMIC_RELAXED);
	t->buf[w % t->size].seq = __atomic_fetch_add(&vd_seq, 1, __ATOMIC_RELAXED);
	t->buf[w % t->size].n = n;
	__atomic_store_n(&t->w, w + 1, __ATOMIC_RELEASE);
}

// vd_tickets_pop takes up to max tickets into seq and n.
static uint32_t vd_tickets_pop(vd_tickets *t, uint64_t *seq, uint32_t *n, uint32_t max) {
	uint64_t r = __atomic_load_n(&t->r, __ATOMIC_RELAXED);
	uint64_t w = __atomic_load_n(&t->w, __ATOMIC_ACQUIRE);
	uint32_t k = 0;
	for (; r + k < w && k < max; k++) {
		seq[k] = t->buf[(r + k) % t->size].seq;
		n[k] = t->buf[(r + k) % t->size].n;
	}
	__atomic_store_n(&t->r, r + k, __ATOMIC_RELEASE);
	return k;
}

// One device of a call stream, at the card's rate.
typedef struct vd_dev {
	vd_ring q;      // capture: card -> Go; playback: Go -> card
	vd_ring played; // playback: what the card played, for the echo canceller
	uint32_t prime, maxlag; // playback: start once prime is buffered; beyond maxlag, drop to prime
	uint32_t floor;         // playback: the lowest level a window may keep; above it is latency
	uint32_t window;        // playback: callbacks per window
	// The callback thread's only: playing, and the window's lowest level.
	int primed;
	uint32_t lowest, seen;
	int64_t calls, underruns, overruns, dropped, trimmed;
	int32_t heard;
	// The order of the audio: a ticket for each callback's samples.
	vd_tickets t;
} vd_dev;

static int vd_ring_init(vd_ring *q, uint32_t size) {
	q->size = size;
	q->w = q->r = 0;
	q->buf = size ? calloc(size, sizeof(int16_t)) : NULL;
	return size == 0 || q->buf != NULL;
}

static vd_dev *vd_dev_new(uint32_t size, uint32_t played, uint32_t prime, uint32_t maxlag, uint32_t floor, uint32_t window, uint32_t tickets) {
	vd_dev *d = calloc(1, sizeof(vd_dev));
	if (!d) return NULL;
	d->t.size = tickets;
	d->t.buf = calloc(tickets, sizeof(vd_ticket));
	if (!d->t.buf || !vd_ring_init(&d->q, size) || !vd_ring_init(&d->played, played)) {
		free(d->t.buf);
		free(d->q.buf);
		free(d);
		return NULL;
	}
	d->prime = prime;
	d->maxlag = maxlag;
	d->floor = floor;
	d->window = window;
	d->lowest = UINT32_MAX;
	return d;
}

static void vd_dev_free(vd_dev *d) {
	if (!d) return;
	free(d->q.buf);
	free(d->played.buf);
	free(d->t.buf);
	free(d);
}

static void vd_capture(vd_dev *d, const int16_t *in, uint32_t n) {
	__atomic_fetch_add(&d->calls, 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&d->heard, __ATOMIC_RELAXED)) {
		for (uint32_t i = 0; i < n; i++) {
			if (in[i]) {
				__atomic_store_n(&d->heard, 1, __ATOMIC_RELAXED);
				break;
			}
		}
	}
	uint32_t got = 0;
	if (vd_tickets_room(&d->t)) got = vd_ring_push(&d->q, in, n);
	if (got > 0) vd_tickets_push(&d->t, got);
	if (got < n) __atomic_fetch_add(&d->overruns, n - got, __ATOMIC_RELAXED);
}

// The call writes on its own 20 ms clock: when it got ahead of the card (a
// slow start, drift) the excess is dropped rather than heard late; after an
// underrun playing waits for the buffer to refill to prime. A level that
// stayed above floor for a whole window (a burst of packets, the start's
// phase) is latency nobody needs: the lowest level of the window above
// floor is dropped, once a window.
static void vd_playback(vd_dev *d, int16_t *out, uint32_t n) {
	__atomic_fetch_add(&d->calls, 1, __ATOMIC_RELAXED);
	uint32_t level = vd_ring_len(&d->q);
	if (level > d->maxlag) {
		vd_ring_pop(&d->q, NULL, level - d->prime);
		__atomic_fetch_add(&d->dropped, level - d->prime, __ATOMIC_RELAXED);
		level = d->prime;
	}
	uint32_t got = 0;
	if (!d->primed && level >= d->prime) {
		d->primed = 1;
		d->lowest = UINT32_MAX;
		d->seen = 0;
	}
	if (d->primed) {
		if (level < d->lowest) d->lowest = level;
		if (d->window && ++d->seen >= d->window) {
			if (d->lowest > d->floor + n / 4) {
				uint32_t excess = d->lowest - d->floor;
				vd_ring_pop(&d->q, NULL, excess);
				__atomic_fetch_add(&d->trimmed, excess, __ATOMIC_RELAXED);
			}
			d->lowest = UINT32_MAX;
			d->seen = 0;
		}
		got = vd_ring_pop(&d->q, out, n);
		if (got < n) {
			d->primed = 0;
			__atomic_fetch_add(&d->underruns, 1, __ATOMIC_RELAXED);
		}
	}
	memset(out + got, 0, (n - got) * sizeof(int16_t));
	if (d->played.size && vd_tickets_room(&d->t)) {
		uint32_t kept = vd_ring_push(&d->played, out, n);
		if (kept > 0) vd_tickets_push(&d->t, kept);
	}
}

static void vd_on_capture(void *dev, void *out, const void *in, uint32_t n) {
	vd_capture((vd_dev *)((vd_device_head *)dev)->pUserData, (const int16_t *)in, n);
}

static void vd_on_playback(void *dev, void *out, const void *in, uint32_t n) {
	vd_playback((vd_dev *)((vd_device_head *)dev)->pUserData, (int16_t *)out, n);
}

// vd_install puts the C callback in place of malgo's when the device's head
// reads as expected; 0 when it does not (the Go callback then forwards).
static int vd_install(void *dev, void *ctx, int32_t type, uint32_t rate, vd_dev *d) {
	vd_device_head *h = (vd_device_head *)dev;
	if (h->pContext != ctx || h->type != type || h->sampleRate != rate || h->onData == NULL || h->pUserData != NULL) return 0;
	h->pUserData = d;
	h->onData = type == 2 ? vd_on_capture : vd_on_playback;
	return 1;
}

static int64_t vd_calls(vd_dev *d) { return __atomic_load_n(&d->calls, __ATOMIC_RELAXED); }
static int vd_heard(vd_dev *d) { return __atomic_load_n(&d->heard, __ATOMIC_RELAXED); }
static int64_t vd_underruns(vd_dev *d) { return __atomic_load_n(&d->underruns, __ATOMIC_RELAXED); }
static int64_t vd_overruns(vd_dev *d) { return __atomic_load_n(&d->overruns, __ATOMIC_RELAXED); }
static int64_t vd_dropped(vd_dev *d) { return __atomic_load_n(&d->dropped, __ATOMIC_RELAXED); }
static int64_t vd_trimmed(vd_dev *d) { return __atomic_load_n(&d->trimmed, __ATOMIC_RELAXED); }
*/
import "C"

import (
	"errors"
	"slices"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// cdev is a device's C side: its rings and counters.
type cdev struct{ p *C.vd_dev }

// newCdev makes the rings of a device at rate Hz: a capture device's ring
// holds half a second; a playback device's holds maxBuffered and, with
// reference true, keeps what it played for a second.
func newCdev(kind malgo.DeviceType, rate int, reference bool) (cdev, error) {
	size, played := rate/2, 0
	var prime, maxlag, floor, window int
	if kind == malgo.Playback {
		size = rate * maxBufferedMs / 1000
		prime, maxlag = rate*primeMs/1000, rate*maxLagMs/1000
		floor, window = rate*floorMs/1000, trimEveryMs/periodMs
		if reference {
			played = rate
		}
	}
	// Tickets for 10 s of callbacks: more than the sample rings hold.
	p := C.vd_dev_new(C.uint32_t(size), C.uint32_t(played), C.uint32_t(prime), C.uint32_t(maxlag), C.uint32_t(floor), C.uint32_t(window), 1024)
	if p == nil {
		return cdev{}, errors.New("allocate the sound buffers")
	}
	return cdev{p}, nil
}

func (c cdev) free() { C.vd_dev_free(c.p) }

// install makes dev's thread call the C side directly; false when the
// device's layout is not the one expected (malgo's callback forwards then).
func (c cdev) install(dev *malgo.Device, ctx malgo.Context, kind malgo.DeviceType) bool {
	return C.vd_install(malgoPtr(unsafe.Pointer(dev)), malgoPtr(unsafe.Pointer(&ctx)), C.int32_t(kind), C.uint32_t(dev.SampleRate()), c.p) == 1
}

// malgoPtr is the C object behind a malgo.Device or malgo.Context: each is
// a struct whose one field points at the C pointer.
func malgoPtr(v unsafe.Pointer) unsafe.Pointer {
	pp := *(**unsafe.Pointer)(v)
	if pp == nil {
		return nil
	}
	return *pp
}

// capture and playback are the forwarding path, from malgo's Go callback.
func (c cdev) capture(in []byte, n int) {
	if n > 0 {
		C.vd_capture(c.p, (*C.int16_t)(unsafe.Pointer(&in[0])), C.uint32_t(n))
	}
}

func (c cdev) playback(out []byte, n int) {
	if n > 0 {
		C.vd_playback(c.p, (*C.int16_t)(unsafe.Pointer(&out[0])), C.uint32_t(n))
	}
}

// push queues samples for the card (Go is the producer); it returns how
// many fitted.
func (c cdev) push(s []int16) int {
	if len(s) == 0 {
		return 0
	}
	return int(C.vd_ring_push(&c.p.q, (*C.int16_t)(unsafe.Pointer(&s[0])), C.uint32_t(len(s))))
}

// ticket is one callback's samples: its place in the stream's order.
type ticket struct {
	seq uint64
	n   int
}

// tickets appends the device's new tickets to dst, oldest first.
func (c cdev) tickets(dst []ticket) []ticket {
	var seq [64]C.uint64_t
	var n [64]C.uint32_t
	for {
		k := int(C.vd_tickets_pop(&c.p.t, &seq[0], &n[0], C.uint32_t(len(seq))))
		for i := 0; i < k; i++ {
			dst = append(dst, ticket{uint64(seq[i]), int(n[i])})
		}
		if k < len(seq) {
			return dst
		}
	}
}

// pop takes n samples the card captured (Go is the consumer), appended to dst.
func (c cdev) pop(dst []int16, n int) []int16 { return popRing(&c.p.q, dst, n) }

// popPlayed takes n samples the card played, appended to dst.
func (c cdev) popPlayed(dst []int16, n int) []int16 { return popRing(&c.p.played, dst, n) }

func popRing(q *C.vd_ring, dst []int16, n int) []int16 {
	if n == 0 {
		return dst
	}
	at := len(dst)
	dst = slices.Grow(dst, n)[:at+n]
	got := int(C.vd_ring_pop(q, (*C.int16_t)(unsafe.Pointer(&dst[at])), C.uint32_t(n)))
	return dst[:at+got]
}

func (c cdev) calls() int64 { return int64(C.vd_calls(c.p)) }
func (c cdev) heard() bool  { return C.vd_heard(c.p) != 0 }

// counts are the device's glitches so far: playback underruns, samples
// dropped to catch up and trimmed as standing latency; capture samples lost
// to a full ring.
func (c cdev) counts() (underruns, dropped, trimmed, overruns int64) {
	return int64(C.vd_underruns(c.p)), int64(C.vd_dropped(c.p)), int64(C.vd_trimmed(c.p)), int64(C.vd_overruns(c.p))
}
