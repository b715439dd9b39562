package sound

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/sip"
	"voicedesk/backend/soundcard"
	"voicedesk/test/pulse"
)

// noise is a Source of white noise at about -20 dBFS: the far end talks
// across the whole band, as speech does. (A pure tone is a poor test of an
// adaptive filter: many filters cancel one frequency, and speex's wanders
// between them and resets.)
type noise struct{ rng *rand.Rand }

func (n *noise) Read(frame []int16, _ int) error {
	for i := range frame {
		frame[i] = int16(max(-32767, min(32767, n.rng.NormFloat64()*3000)))
	}
	return nil
}

// The speaker's output is looped into the microphone, as from a laptop's
// speakers: the far end (the lab's probe account, answering with noise)
// hears its own voice come back. Every half second from 4 s into the call
// the echo is at least 20 dB down on the same call without cancellation:
// with the canceller alone, and with the canceller and noise suppression
// (as shipped) in a 20 s call whose echo moves 60 ms later at 10 s (the
// loop is made anew with a longer latency, as a sound server's buffers
// grow after a starved speaker), from 2 s after the move. Every call is
// judged: no retries, and a speaker the sound server starved is no excuse
// (speex's canceller needed both; the delay estimator in dsp.APM follows
// the echo). The loop is PulseAudio's module-loopback without its adaptive
// resampling, so the echo's delay stays put between the moves.
func TestEchoCancellation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// The sound card's log tells each call stream's periods (set before
	// setUp opens the card, which keeps the default logger).
	// (Not the default handler as next: it writes through package log,
	// which SetDefault points back at this one.)
	counts := &streamLog{next: slog.NewTextHandler(os.Stderr, nil)}
	prev := slog.Default()
	slog.SetDefault(slog.New(counts))
	defer slog.SetDefault(prev)
	r := setUp(t, ctx, soundcard.Choice{Mic: pulse.Mic, Speaker: pulse.Speaker})
	loop := func(latencyMs int) string {
		out, err := r.pulse.Output("load-module", "module-loopback", "source=speaker.monitor", "sink=micfeed",
			fmt.Sprintf("latency_msec=%d", latencyMs), "adjust_time=0")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	loopModule := loop(30)
	far, err := sip.New(sip.Config{Server: r.lab.WebSocketURL, User: r.lab.Probe.Username, Domain: r.lab.Domain, Password: r.lab.Probe.Password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { far.Close() })
	if err := far.Register(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard *audio.Recorder
	var sessions []*media.Session
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range sessions {
			s.Close()
		}
	})
	far.OnIncoming(func(in *sip.Incoming) {
		go func() {
			s, err := media.NewSession(media.Config{LoopbackOnly: true})
			if err != nil {
				t.Error(err)
				return
			}
			rec := &audio.Recorder{}
			mu.Lock()
			sessions, heard = append(sessions, s), rec
			mu.Unlock()
			ans, err := s.Answer(ctx, string(in.Offer))
			if err == nil {
				err = in.Answer([]byte(ans))
			}
			if err == nil {
				err = s.Start(&noise{rng: rand.New(rand.NewPCG(1, 2))}, rec)
			}
			if err != nil {
				t.Errorf("far end: %v", err)
			}
		}()
	})

	// once makes a call of d with the given processing, moving the echo 60
	// ms later at jumpAt (0: never), and returns what the far end heard and
	// the stream's periods.
	once := func(cancelEcho, denoise bool, d, jumpAt time.Duration) ([]int16, int, streamPeriods) {
		closed := counts.len()
		c := r.sound.Choice()
		c.EchoCancel, c.NoiseSuppression = cancelEcho, denoise
		if err := r.sound.Set(c); err != nil {
			t.Fatal(err)
		}
		id, err := r.phone.Call(r.lab.Probe.Username)
		if err != nil {
			t.Fatal(err)
		}
		r.ev.wait(t, ctx, phone.EventCallConfirmed, nil)
		if jumpAt > 0 {
			time.Sleep(jumpAt)
			if err := r.pulse.Ctl("unload-module", loopModule); err != nil {
				t.Fatal(err)
			}
			loopModule = loop(90)
			d -= jumpAt
		}
		time.Sleep(d)
		mu.Lock()
		s, rate := heard.Samples()
		mu.Unlock()
		if err := r.phone.EndCall(id); err != nil {
			t.Fatal(err)
		}
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
		if rate == 0 {
			t.Fatal("the far end heard nothing at all")
		}
		return s, rate, counts.wait(closed, 5*time.Second)
	}
	// windows are the levels of s's half seconds from fromMs to toMs.
	windows := func(s []int16, rate, fromMs, toMs int) []float64 {
		var l []float64
		for at := fromMs * rate / 1000; at+rate/2 <= min(len(s), toMs*rate/1000); at += rate / 2 {
			l = append(l, pulse.Level(s[at:at+rate/2]))
		}
		return l
	}
	s, rate, _ := once(false, false, 10*time.Second, 0)
	offs := windows(s, rate, 4000, 10000)
	slices.Sort(offs)
	off := offs[len(offs)/2]
	if off < -50 {
		t.Fatalf("without cancellation the far end got %.1f dBFS: the loop does not echo", off)
	}
	// judge checks that every half second in [fromMs, toMs) is 20 dB down
	// on off and returns the smallest reduction.
	judge := func(what string, s []int16, rate, fromMs, toMs int, p streamPeriods) float64 {
		worst := math.Inf(1)
		for i, l := range windows(s, rate, fromMs, toMs) {
			worst = min(worst, off-l)
			if off-l < 20 {
				t.Errorf("%s: %.1f-%.1f s into the call the echo was only %.1f dB down (%.1f dBFS against %.1f without cancellation), want ≥ 20; periods: microphone %d, speaker %d; bulk delay %d ms set %d times;%s",
					what, float64(fromMs)/1000+float64(i)/2, float64(fromMs)/1000+float64(i+1)/2, off-l, l, off, p.mic, p.speaker, p.bulkMs, p.bulkChanges, p.glitches)
			}
		}
		t.Logf("%s: every half second from %.1f to %.1f s at least %.1f dB down; periods: microphone %d, speaker %d;%s", what, float64(fromMs)/1000, float64(toMs)/1000, worst, p.mic, p.speaker, p.glitches)
		return worst
	}
	// The canceller alone first, so that noise suppression (which also
	// works on steady noise) does not take the credit.
	s, rate, p := once(true, false, 10*time.Second, 0)
	aec := judge("the canceller alone", s, rate, 4000, 10000, p)
	s, rate, p = once(true, true, 20*time.Second, 10*time.Second)
	before := judge("canceller and noise suppression, before the move", s, rate, 4000, 10000, p)
	after := judge("canceller and noise suppression, from 2 s after the echo moved 60 ms later", s, rate, 12000, 20000, p)
	// The move happened and was followed: the canceller's bulk delay was
	// set at the start and moved once more (the loop's own latency is not
	// exactly what was asked, so only the change is checked).
	t.Logf("the canceller's bulk delay: %d ms at the end, set %d times", p.bulkMs, p.bulkChanges)
	if p.bulkChanges < 2 {
		t.Errorf("the canceller's bulk delay was set %d times in the call whose echo moved, want the start and the move", p.bulkChanges)
	}
	fmt.Printf("e2e: echo loop: far end received %.1f dBFS without cancellation; with the canceller alone at least %.1f dB down from 4 s; with noise suppression too %.1f dB down before the echo moved 60 ms later, %.1f dB from 2 s after it (want ≥ 20 each)\n",
		off, aec, before, after)
}

// streamPeriods are a closed call stream's periods, and the echo
// canceller's bulk delay at the end and how often it moved, from the
// card's log.
type streamPeriods struct {
	mic, speaker, bulkMs, bulkChanges int64
	// The rest of the stream's glitch counts and the canceller's residual
	// delay, logged with each verdict: what moved under the canceller
	// when a verdict fails (2 failures in about 8 fresh-clone runs of
	// make test, 2026-12-06 and -07, each in the denoised call's first
	// half, and never in a run by itself).
	glitches string
}

// streamLog is a log handler that notes each "sound stream closed" record's
// periods and passes every record on.
type streamLog struct {
	next      slog.Handler
	mu        sync.Mutex
	closed    []streamPeriods
	canceller streamPeriods // the bulk delay logged for the stream closing now
}

func (h *streamLog) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }
func (h *streamLog) WithAttrs(a []slog.Attr) slog.Handler           { return h }
func (h *streamLog) WithGroup(string) slog.Handler                  { return h }

func (h *streamLog) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case "echo canceller": // logged just before the stream's counts
		h.mu.Lock()
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "bulkDelayMs":
				h.canceller.bulkMs = a.Value.Int64()
			case "bulkChanges":
				h.canceller.bulkChanges = a.Value.Int64()
			case "residualDelayMs", "residualSpreadMs":
				h.canceller.glitches += fmt.Sprintf(" %s=%v", a.Key, a.Value)
			}
			return true
		})
		h.mu.Unlock()
	case "sound stream closed":
		h.mu.Lock()
		p := h.canceller
		h.canceller = streamPeriods{}
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "micCallbacks":
				p.mic = a.Value.Int64()
			case "speakerCallbacks":
				p.speaker = a.Value.Int64()
			case "speakerUnderruns", "speakerDroppedSamples", "speakerTrimmedSamples", "micLostSamples", "micTrimmedSamples", "micReadsShort":
				p.glitches += fmt.Sprintf(" %s=%v", a.Key, a.Value)
			}
			return true
		})
		h.closed = append(h.closed, p)
		h.mu.Unlock()
	}
	return h.next.Handle(ctx, r)
}

func (h *streamLog) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.closed)
}

// wait returns the first stream closed after n had been, waiting up to d.
func (h *streamLog) wait(n int, d time.Duration) streamPeriods {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		h.mu.Lock()
		if len(h.closed) > n {
			p := h.closed[n]
			h.mu.Unlock()
			return p
		}
		h.mu.Unlock()
	}
	return streamPeriods{}
}
