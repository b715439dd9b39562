package sound

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
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
// hears its own voice come back. With the echo canceller alone that echo is
// at least 15 dB down on the same call without, and with the canceller and
// noise suppression (as shipped) at least 25 dB, in a half second of the
// call's last five. A broken canceller takes nothing off. The loop is PulseAudio's module-loopback without its
// adaptive resampling, so the echo's delay stays put within a call.
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
	if err := r.pulse.Ctl("load-module", "module-loopback", "source=speaker.monitor", "sink=micfeed", "latency_msec=30", "adjust_time=0"); err != nil {
		t.Fatal(err)
	}
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

	once := func(cancelEcho, denoise bool) (float64, streamPeriods) {
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
		time.Sleep(10 * time.Second) // the canceller converges in the first seconds
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
		// The quietest half second of the last five: a canceller that
		// converged. On a loaded machine the sound server now and then
		// underruns the speaker, which moves the echo's delay mid-call
		// (measured: 42 -> 70 ms) and the filter converges again; a broken
		// canceller is never quiet.
		level := 0.0
		for end := len(s); end-rate/2 >= max(0, len(s)-5*rate); end -= rate / 2 {
			level = min(level, pulse.Level(s[end-rate/2:end]))
		}
		p := counts.wait(closed, 5*time.Second)
		t.Logf("echo cancellation %v, noise suppression %v: far end received %.1f dBFS (its quietest half second of the last five); periods: microphone %d, speaker %d",
			cancelEcho, denoise, level, p.mic, p.speaker)
		return level, p
	}
	off, _ := once(false, false)
	if off < -50 {
		t.Fatalf("without cancellation the far end got %.1f dBFS: the loop does not echo", off)
	}
	// A call is judged only when the sound server kept time: a speaker
	// starved by the server (it played fewer periods than the microphone
	// captured) had silence inserted that the canceller's reference does
	// not hold, which moves the echo's delay under it (measured: 42 -> 106
	// ms within one call on a loaded 2-core machine; speex's canceller
	// tracks no delay: a known limit, see bench/README.md). Each setting gets up to four calls. The canceller
	// alone first, so that noise suppression (which also works on steady
	// noise) does not take the credit; then both, as shipped.
	type verdict struct {
		level          float64
		judged, passed bool
	}
	best := func(what string, cancelEcho, denoise bool, want float64) verdict {
		var v verdict
		for try := 1; try <= 4 && !v.passed; try++ {
			level, p := once(cancelEcho, denoise)
			switch {
			case off-level >= want:
				v = verdict{level: level, judged: true, passed: true}
			case p.starved():
				t.Logf("%s took %.1f dB off call %d, whose speaker the sound server starved (%d periods against the microphone's %d): not judged",
					what, off-level, try, p.speaker, p.mic)
				if !v.judged {
					v.level = level
				}
			default:
				t.Logf("%s took only %.1f dB off call %d, the sound server keeping time", what, off-level, try)
				v = verdict{level: level, judged: true}
			}
		}
		return v
	}
	aec := best("the canceller", true, false, 15)
	both := best("the canceller and noise suppression", true, true, 25)
	fmt.Printf("e2e: echo loop: far end received %.1f dBFS without cancellation; %.1f dBFS with it (%.1f dB down), %.1f dBFS with noise suppression too (%.1f dB down)\n",
		off, aec.level, off-aec.level, both.level, off-both.level)
	if aec.judged && !aec.passed {
		t.Errorf("echo %.1f dB down with cancellation alone in a call whose sound server kept time, want at least 15", off-aec.level)
	}
	if both.judged && !both.passed {
		t.Errorf("echo %.1f dB down with cancellation and noise suppression in a call whose sound server kept time, want at least 25", off-both.level)
	}
	if !aec.judged || !both.judged {
		t.Skip("the sound server starved the speaker in every call of a setting: the canceller could not be judged on this machine now")
	}
}

// streamPeriods are a closed call stream's periods, from the card's log.
type streamPeriods struct{ mic, speaker int64 }

// starved: the speaker played more than 3 periods (30 ms) fewer than the
// microphone captured (streams that kept time differ by 0-2, the
// microphone starting first). Even 40-80 ms lost in a call cost the
// canceller half its figure (measured: 8-13 dB against 38-48).
func (p streamPeriods) starved() bool { return p.speaker < p.mic-3 }

// streamLog is a log handler that notes each "sound stream closed" record's
// periods and passes every record on.
type streamLog struct {
	next   slog.Handler
	mu     sync.Mutex
	closed []streamPeriods
}

func (h *streamLog) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }
func (h *streamLog) WithAttrs(a []slog.Attr) slog.Handler           { return h }
func (h *streamLog) WithGroup(string) slog.Handler                  { return h }

func (h *streamLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "sound stream closed" {
		var p streamPeriods
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "micCallbacks":
				p.mic = a.Value.Int64()
			case "speakerCallbacks":
				p.speaker = a.Value.Int64()
			}
			return true
		})
		h.mu.Lock()
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
