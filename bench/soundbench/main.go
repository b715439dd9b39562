// Command soundbench measures the audio path with real devices: a headless
// PulseAudio (null sinks) and the lab. Run by "make bench".
//
//   - mouth to ear, outbound: a tone burst played into the virtual
//     microphone → VoiceDesk (capture, echo cancellation, noise suppression,
//     Opus) → Kamailio/rtpengine → a far end (this engine as "bob", so both
//     clocks are one) → the far end's decoded audio; onset to onset.
//   - mouth to ear, inbound: the far end's burst → VoiceDesk → the speaker,
//     heard on the speaker's monitor.
//   - CPU of the sound path alone: a call stream (capture + playback +
//     echo cancellation + noise suppression + resampling) driven at 20 ms for
//     20 s, without the network, per minute; and without the processing.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/backend/soundcard"
	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
	"voicedesk/test/pulse"
)

// The latency figures are set against the browser phone's (JsSIP in
// Chromium, measured in the same run); ITU-T G.114's one-way delay, up to
// which most applications are unaffected, is printed for reference, and the
// issue's target.
const (
	g114Name = "ITU-T G.114 one-way delay for good quality, 150 ms"
	targetMs = 80.0
)

func main() {
	labBin := flag.String("lab", "bin/lab", "the lab command")
	bursts := flag.Int("bursts", 20, "tone bursts per direction and call")
	calls := flag.Int("calls", 5, "calls of each system for mouth to ear and speech")
	answers := flag.Int("answers", 20, "calls each way for answer to voice (the browser phone: a quarter, outbound only)")
	cpuSecs := flag.Int("cpu", 20, "seconds of the sound path's CPU run")
	out := flag.String("out", "bench/results", "folder for the results file")
	flag.BoolVar(&withBaseline, "baseline", true, "measure the browser phone too (false: VoiceDesk only, for tuning; no results file)")
	flag.Parse()
	b := &bench{}
	code := 0
	if err := b.run(*labBin, *calls, *bursts, *answers, *cpuSecs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "soundbench:", err)
		code = 1
	}
	b.Done()
	os.Exit(code)
}

var withBaseline bool

// bench is the program's run; a failure (pulse.Program's Fatalf) ends it.
type bench struct{ pulse.Program }

func (b *bench) run(labBin string, calls, bursts, answers, cpuSecs int, outDir string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	pulse.Start(b)
	dir, err := os.MkdirTemp("", "voicedesk-soundbench-")
	if err != nil {
		return err
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	lab, err := labctl.Up(ctx, labctl.Config{Dir: dir, LabBinary: labBin})
	if err != nil {
		return err
	}
	b.Cleanup(func() { _ = labctl.Down(lab) })
	card, err := soundcard.Open(nil)
	if err != nil {
		return err
	}
	b.Cleanup(card.Close)
	// A live microphone: its self-noise (-70 dBFS) plays into the virtual
	// one for the whole bench. Without it the microphone's null sink has no
	// input, renders in blocks of up to 2 s, and a capture stream opened
	// meanwhile gets its first callback up to 2 s late (measured: none in
	// 1.5 s, or after 1.02 s): PulseAudio's null sink applies a new stream's
	// latency only when its current block ends. A real microphone's source
	// runs at its hardware's pace.
	selfNoise, err := card.Play(pulse.MicFeed, newClip(nil, pulse.Rate))
	if err != nil {
		return err
	}
	b.Cleanup(selfNoise.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// The far end: this engine registered as bob, answering with bursts
	// (or a sentence), hearing through ear.
	far := &switchSource{bursts: newBursts()}
	ear := newFarSink()
	answered := make(chan time.Time, 1)
	farReady := make(chan time.Duration, 1)
	bob, err := sip.New(sip.Config{Server: lab.WebSocketURL, User: "bob", Domain: lab.Domain, Password: "bob-sip-91c2", Log: quiet})
	if err != nil {
		return err
	}
	b.Cleanup(func() { _ = bob.Close() })
	if err := bob.Register(ctx); err != nil {
		return err
	}
	// The bench outlasts a registration: bob refreshes it as the phone does.
	keep, stopKeep := context.WithCancel(ctx)
	kept := make(chan struct{})
	go func() { defer close(kept); bob.Maintain(keep, sip.MaintainConfig{}, func(sip.ConnState) {}) }()
	b.Cleanup(func() { stopKeep(); <-kept })
	var farSess *media.Session
	var farMu sync.Mutex
	bob.OnIncoming(func(in *sip.Incoming) {
		go func() {
			s, err := media.NewSession(media.Config{LoopbackOnly: true, Log: quiet})
			if err != nil {
				return
			}
			// The far end plays and listens from its answer on; the answer's
			// time is when its 200 OK is written (Answer returns only at
			// the caller's ACK, which a slow caller would send late).
			ans, err := s.Answer(ctx, string(in.Offer))
			if err == nil {
				err = s.Start(far, ear)
			}
			t0 := time.Now()
			if err == nil {
				err = in.Answer([]byte(ans))
			}
			if err == nil {
				select {
				case answered <- t0:
				default:
				}
				go noteReady(s.Connected(), t0, farReady)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "far end:", err)
			}
			farMu.Lock()
			farSess = s
			farMu.Unlock()
		}()
	})
	b.Cleanup(func() {
		farMu.Lock()
		defer farMu.Unlock()
		if farSess != nil {
			_ = farSess.Close()
		}
	})

	// VoiceDesk, signed in as alice, with the sound card.
	mgr := soundcard.NewManager(card, soundcard.Choice{Mic: pulse.Mic, Speaker: pulse.Speaker, EchoCancel: true, NoiseSuppression: true}, nil)
	b.Cleanup(mgr.Close)
	events := make(chan event, 64)
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true, Log: quiet}, Sound: mgr, Log: quiet},
		platform.New(platform.Config{}), emitFunc(func(name string, detail any) {
			select {
			case events <- event{name, detail}:
			default:
			}
		}))
	b.Cleanup(p.Close)
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		return fmt.Errorf("login: %v", err)
	}
	closeFar := func() {
		farMu.Lock()
		defer farMu.Unlock()
		if farSess != nil {
			_ = farSess.Close() // that call is over; its reader must not take the bursts
			farSess = nil
		}
	}
	said, err := sentence(pulse.Rate)
	if err != nil {
		return err
	}
	farMedia := media.Config{LoopbackOnly: true, Log: quiet}
	bobLeg := &farLeg{user: "bob", answered: answered, ready: farReady, closeFar: closeFar,
		callAlice: func(ctx context.Context) (func() error, <-chan struct{}, func(), error) {
			s, err := media.NewSession(farMedia)
			if err != nil {
				return nil, nil, nil, err
			}
			offer, err := s.Offer(ctx)
			if err != nil {
				_ = s.Close()
				return nil, nil, nil, err
			}
			dialed := make(chan error, 1)
			go func() {
				call, err := bob.Dial(ctx, "alice", []byte(offer), nil)
				if err == nil {
					if err = s.SetAnswer(string(call.Answer)); err == nil {
						err = s.Start(audio.Silence{}, ear)
					}
				}
				dialed <- err
			}()
			return func() error { return <-dialed }, s.Connected(), func() { _ = s.Close() }, nil
		}}
	trunkLeg, err := b.trunkLeg(ctx, lab, ear, quiet)
	if err != nil {
		return err
	}

	// Answer to voice: a steady tone in the microphone, calls each way.
	rig := &voiceRig{ctx: ctx, card: card, p: p, events: events, ear: ear}
	tone, err := card.Play(pulse.MicFeed, &audio.Tone{Hz: 1000, Amplitude: 0.5})
	if err != nil {
		return err
	}
	if err := micHears(card, 5*time.Second); err != nil {
		tone.Close()
		return err
	}
	fmt.Printf("answer to voice: %d calls each way, to each far end\n", answers)
	var ans [2][2][]float64 // [bob, trunk][out, in]
	var bAns [2][]float64   // the browser's outbound, [bob, trunk]
	var bReady []float64
	for k, leg := range []*farLeg{bobLeg, trunkLeg} {
		if ans[k][0], err = rig.outbound(leg, answers); err == nil {
			ans[k][1], err = rig.inbound(leg, answers)
		}
		if err != nil {
			tone.Close()
			return err
		}
		if !withBaseline {
			continue
		}
		for i := 0; i < max(1, answers/4); i++ {
			on := ear.freshAbove(micLevel)
			drainTimes(leg.answered)
			if leg.ready != nil {
				drainDurations(leg.ready)
			}
			browser, err := holdBrowserCall(ctx, b, lab, leg.user)
			if err != nil {
				tone.Close()
				return err
			}
			var t0 time.Time
			select {
			case t0 = <-leg.answered:
			case <-time.After(2 * time.Second):
				tone.Close()
				return fmt.Errorf("the browser phone's call was confirmed but %s's answer was not seen", leg.user)
			}
			t1, err := firstOnset(on, t0)
			if err == nil && leg.ready != nil {
				var ready time.Duration
				if ready, err = readyWithin(leg.ready); err == nil {
					bReady = append(bReady, ms(ready))
				}
			}
			browser.hangup()
			leg.closeFar()
			if err != nil {
				tone.Close()
				return fmt.Errorf("the browser phone calling %s: %w", leg.user, err)
			}
			bAns[k] = append(bAns[k], ms(t1.Sub(t0)))
		}
	}
	tone.Close()
	fmt.Printf("answer to voice, VoiceDesk: bob (WebRTC) outbound %v, inbound %v; trunk (RTP) outbound %v, inbound %v; browser outbound bob %v, trunk %v (ms)\n",
		ans[0][0], ans[0][1], ans[1][0], ans[1][1], bAns[0], bAns[1])
	fmt.Printf("bob connected (ICE + DTLS) after the answer, VoiceDesk: outbound %v, inbound %v; browser %v (ms)\n", bobLeg.readyOut, bobLeg.readyIn, bReady)

	// Mouth to ear and speech: each system makes `calls` calls; a call's
	// buffers settle where its start leaves them, so calls differ more
	// than bursts within one, hence several calls.
	var browser *browserCall
	var outs, ins, bOuts, bIns []float64
	var sOut, sIn, bsOut, bsIn []speechResult
	// The far end's view of each system's sending: its interarrival jitter
	// (ms) and its jitter buffer's depth (frames), after the bursts.
	var jit, depth, bJit, bDepth []float64
	farStats := func(j, d *[]float64) {
		farMu.Lock()
		defer farMu.Unlock()
		if farSess != nil {
			st := farSess.Stats()
			*j, *d = append(*j, st.Jitter), append(*d, float64(st.BufferFrames))
		}
	}
	for i := 0; i < calls; i++ {
		callID, err := p.Call("bob")
		if err != nil {
			return err
		}
		if _, err := waitEvent(ctx, events, phone.EventCallConfirmed); err != nil {
			return err
		}
		time.Sleep(settle) // the echo canceller and buffers settle
		o, in, err := mouthToEar(card, far.bursts, ear, bursts)
		if err != nil {
			return err
		}
		outs, ins = append(outs, o...), append(ins, in...)
		farStats(&jit, &depth)
		so, si, err := speechBothWays(card, far, ear, said)
		if err != nil {
			return err
		}
		sOut, sIn = append(sOut, so), append(sIn, si)
		if err := rig.hangup(bobLeg, callID); err != nil {
			return err
		}
		if !withBaseline {
			continue
		}

		// The baseline: the browser phone's stack (JsSIP in Chromium with
		// a window in Xvfb, on the same PulseAudio: its default microphone
		// and speaker are the same virtual devices) calling the same far end.
		if browser, err = holdBrowserCall(ctx, b, lab, bobLeg.user); err != nil {
			return err
		}
		time.Sleep(settle)
		o, in, err = mouthToEar(card, far.bursts, ear, bursts)
		if err == nil {
			farStats(&bJit, &bDepth)
			var so, si speechResult
			if so, si, err = speechBothWays(card, far, ear, said); err == nil {
				bsOut, bsIn = append(bsOut, so), append(bsIn, si)
			}
		}
		browser.hangup()
		if err != nil {
			return fmt.Errorf("the browser phone: %w", err)
		}
		bOuts, bIns = append(bOuts, o...), append(bIns, in...)
		closeFar()
	}
	if !withBaseline {
		fmt.Printf("VoiceDesk mouth to ear: outbound p50 %.1f p95 %.1f ms, inbound p50 %.1f p95 %.1f ms\n",
			percentile(outs, 50), percentile(outs, 95), percentile(ins, 50), percentile(ins, 95))
		fmt.Printf("speech out: %v; in: %v\n", sOut, sIn)
		fmt.Printf("the far end's jitter %v ms, buffer %v frames\n", jit, depth)
		return nil
	}

	// CPU of the sound path alone, with and without the processing.
	cpuOn, err := pathCPU(card, true, cpuSecs)
	if err != nil {
		return err
	}
	cpuOff, err := pathCPU(card, false, cpuSecs)
	if err != nil {
		return err
	}

	var w strings.Builder
	fmt.Fprintf(&w, "VoiceDesk sound bench, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&w, "devices: headless PulseAudio 16 null sinks (48 kHz), miniaudio periods of %d ms; call: Opus through the lab's Kamailio + rtpengine\n", soundcard.PeriodMs)
	fmt.Fprintf(&w, "baseline: the browser phone's stack, JsSIP %s in Chromium %s with a window (Xvfb), the same devices and far end\n", browser.JsSIP, browser.Chromium)
	fmt.Fprintf(&w, "reference: %s; the target: %.0f ms each way\n\n", g114Name, targetMs)
	row := func(name string, unit string, v, base float64, ratio bool) {
		bs, rs := "-", "-"
		if !math.IsNaN(base) {
			bs = fmt.Sprintf("%.1f %s", base, unit)
			if ratio {
				rs = fmt.Sprintf("%.1fx", base/v)
			}
		}
		fmt.Fprintf(&w, "%-66s %10s %10s %7s\n", name, fmt.Sprintf("%.1f %s", v, unit), bs, rs)
	}
	nan := math.NaN()
	fmt.Fprintf(&w, "%-66s %10s %10s %7s\n", "figure", "VoiceDesk", "baseline", "ratio")
	for k, far := range []string{"WebRTC far end", "RTP trunk"} {
		bn, out, in := len(bAns[k]), ans[k][0], ans[k][1]
		row(fmt.Sprintf("answer -> %s hears the mic, outbound, median (%d calls; base %d)", far, len(out), bn), "ms", percentile(out, 50), percentile(bAns[k], 50), true)
		row(fmt.Sprintf("answer -> %s hears the mic, outbound, worst (%d calls; base %d)", far, len(out), bn), "ms", percentile(out, 100), percentile(bAns[k], 100), true)
		row(fmt.Sprintf("answer -> %s hears the mic, inbound, median (%d calls)", far, len(in)), "ms", percentile(in, 50), nan, false)
		row(fmt.Sprintf("answer -> %s hears the mic, inbound, worst (%d calls)", far, len(in)), "ms", percentile(in, 100), nan, false)
		if k == 0 {
			row("  of which: the far end's own ICE + DTLS after its 200 OK, outbound, median", "ms", percentile(bobLeg.readyOut, 50), percentile(bReady, 50), false)
		}
	}
	mte := fmt.Sprintf("(%d calls x %d bursts)", calls, bursts)
	row("mouth to ear, outbound, p50 "+mte, "ms", percentile(outs, 50), percentile(bOuts, 50), true)
	row("mouth to ear, outbound, p95 "+mte, "ms", percentile(outs, 95), percentile(bOuts, 95), true)
	row("mouth to ear, inbound, p50 "+mte, "ms", percentile(ins, 50), percentile(bIns, 50), true)
	row("mouth to ear, inbound, p95 "+mte, "ms", percentile(ins, 95), percentile(bIns, 95), true)
	speech := func(name string, v, base []speechResult) {
		lv, dv := split(v)
		bl, bd := split(base)
		row(fmt.Sprintf("speech %s: level heard minus said, worst of %d calls", name, len(v)), "dB", furthest(lv), furthest(bl), false)
		row(fmt.Sprintf("speech %s: envelope distance, worst of %d calls", name, len(v)), "dB", percentile(dv, 100), percentile(bd, 100), false)
	}
	row("  the far end's interarrival jitter of what it receives, median of calls", "ms", percentile(jit, 50), percentile(bJit, 50), false)
	row("  the far end's jitter buffer then, median of calls", "fr", percentile(depth, 50), percentile(bDepth, 50), false)
	speech("out (mic -> far end)", sOut, bsOut)
	speech("in (far end -> speaker)", sIn, bsIn)
	row(fmt.Sprintf("sound path CPU per call-minute, AEC + NS on (%d s)", cpuSecs), "s", cpuOn, nan, false)
	row(fmt.Sprintf("sound path CPU per call-minute, processing off (%d s)", cpuSecs), "s", cpuOff, nan, false)
	fmt.Fprintf(&w, "\nratio = baseline / VoiceDesk (above 1: VoiceDesk is faster). Answer -> heard: from the far end's 200 OK\n")
	fmt.Fprintf(&w, "written (outbound) or AnswerCall (inbound, after 700 ms of ringing) to the far end's decoder putting out the\n")
	fmt.Fprintf(&w, "microphone's steady 1 kHz (its first sample above -40 dBFS); the browser phone answers no calls here, so it has\n")
	fmt.Fprintf(&w, "no inbound figure. The WebRTC far end (pion, as VoiceDesk's engine) connects its own leg to rtpengine only\n")
	fmt.Fprintf(&w, "after the answer, and its jitter buffer holds 40 ms before it plays: both are in every system's figure. The RTP\n")
	fmt.Fprintf(&w, "trunk is a far end as a contact centre's PSTN gateway is (plain RTP, no ICE or DTLS on its leg): it decodes\n")
	fmt.Fprintf(&w, "each packet as it arrives, so its figure is the phone's own leg up to the far end's decoder.\n")
	fmt.Fprintf(&w, "Mouth to ear includes PulseAudio's buffers on both sides, the phone's own capture and playout buffers and\n")
	fmt.Fprintf(&w, "jitter buffer, and the far end's jitter buffer. Speech: an espeak-ng sentence at -20 dBFS over -70 dBFS of\n")
	fmt.Fprintf(&w, "microphone noise, recorded at the far end's decoder (out) or the speaker's monitor (in); level of the speech\n")
	fmt.Fprintf(&w, "frames, envelope distance = RMS difference of third-octave long-term spectra, 160 Hz-6.3 kHz (backend/audio).\n")
	fmt.Fprintf(&w, "Chromium's microphone has its default processing on (echo cancellation, noise suppression, gain control),\n")
	fmt.Fprintf(&w, "as VoiceDesk's has echo cancellation and noise suppression on. The sound path CPU rows are VoiceDesk's\n")
	fmt.Fprintf(&w, "own diagnostic (the whole bench process while one stream runs on a 20 ms clock): Chromium's has no counterpart.\n")
	fmt.Print(w.String())
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "sound-"+time.Now().UTC().Format("20060102-150405")+".txt"), []byte(w.String()), 0o644)
}

type emitFunc func(string, any)

func (f emitFunc) Emit(name string, detail any) { f(name, detail) }

// bursts is a Source of 1 kHz bursts on request, noting when each starts.
type bursts struct {
	mu      sync.Mutex
	tone    audio.Tone
	left    int // samples of the current burst still to play
	armed   bool
	started chan time.Time
}

func newBursts() *bursts {
	return &bursts{tone: audio.Tone{Hz: 1000, Amplitude: 0.5}, started: make(chan time.Time, 1)}
}

func (b *bursts) fire() {
	b.mu.Lock()
	b.armed = true
	b.mu.Unlock()
}

func (b *bursts) Read(frame []int16, rate int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(frame)
	if b.armed {
		b.armed = false
		b.left = rate * 200 / 1000
		select {
		case b.started <- time.Now():
		default:
		}
	}
	if b.left > 0 {
		n := min(b.left, len(frame))
		_ = b.tone.Read(frame[:n], rate)
		b.left -= n
	}
	return nil
}

// onsets is a Sink (or a listener) that notes when loud audio starts after
// quiet.
type onsets struct {
	mu    sync.Mutex
	loud  bool
	quiet int // samples of quiet since the last loud one
	seen  chan time.Time
	// above is the magnitude that counts as loud.
	above int16
}

// burstLevel is about -18 dBFS: a burst, not echo residue or noise.
const burstLevel = 4000

func newOnsets() *onsets { return newOnsetsAbove(burstLevel) }

func newOnsetsAbove(level int16) *onsets { return &onsets{seen: make(chan time.Time, 1), above: level} }

func (o *onsets) Write(pcm []int16, rate int) error {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, v := range pcm {
		if v > o.above || v < -o.above {
			if !o.loud {
				o.loud = true
				// The sample's time: the period arrived whole at now.
				at := now.Add(-time.Duration(len(pcm)-i) * time.Second / time.Duration(rate))
				select {
				case o.seen <- at:
				default:
				}
			}
			o.quiet = 0
			continue
		}
		if o.quiet++; o.loud && o.quiet > rate/10 {
			o.loud = false
		}
	}
	return nil
}

// A call's buffers and jitter buffers settle for this long before its
// bursts (Chromium's starts far above its steady delay).
const settle = 5 * time.Second

// measure fires n bursts a second apart and returns their onset delays.
func measure(src *bursts, dst *onsets, n int) ([]float64, error) {
	var got []float64
	for i := 0; i < n; i++ {
		drain(src.started)
		drain(dst.seen)
		src.fire()
		var t0, t1 time.Time
		select {
		case t0 = <-src.started:
		case <-time.After(2 * time.Second):
			return nil, fmt.Errorf("burst %d was not played", i+1)
		}
		select {
		case t1 = <-dst.seen:
		case <-time.After(2 * time.Second):
			return nil, fmt.Errorf("burst %d was not heard", i+1)
		}
		got = append(got, float64(t1.Sub(t0).Microseconds())/1000)
		// A burst is 200 ms and quiet is noted after 100 ms of it.
		time.Sleep(500 * time.Millisecond)
	}
	return got, nil
}

func drain(ch chan time.Time) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// pathCPU drives a call stream as a call's media clock would, for secs
// seconds, and returns this process's CPU per minute.
func pathCPU(card *soundcard.Card, process bool, secs int) (float64, error) {
	s, err := card.OpenStream(soundcard.Options{Mic: pulse.Mic, Speaker: pulse.Speaker, EchoCancel: process, Denoise: process})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	tone := &audio.Tone{Hz: 700}
	frame := make([]int16, 960)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	before, start := cpuSeconds(), time.Now()
	for time.Since(start) < time.Duration(secs)*time.Second {
		<-tick.C
		_ = tone.Read(frame, 48000)
		_ = s.Write(frame, 48000)
		_ = s.Read(frame, 48000)
	}
	return (cpuSeconds() - before) / time.Since(start).Minutes(), nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// mouthToEar measures both directions of the call that is up: bursts
// played into the virtual microphone and heard at the far end, then the far
// end's bursts heard on the speaker's monitor.
func mouthToEar(card *soundcard.Card, far *bursts, ear *farSink, n int) (outMs, inMs []float64, err error) {
	heardFar := ear.fresh()
	mouth := newBursts()
	player, err := card.Play(pulse.MicFeed, mouth)
	if err != nil {
		return nil, nil, err
	}
	outMs, err = measure(mouth, heardFar, n)
	player.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("outbound: %w", err)
	}
	spk := newOnsets()
	listener, err := card.Listen(pulse.Speaker+".monitor", func(pcm []int16, rate int) { _ = spk.Write(pcm, rate) })
	if err != nil {
		return nil, nil, err
	}
	defer listener.Close()
	time.Sleep(500 * time.Millisecond)
	inMs, err = measure(far, spk, n)
	if err != nil {
		return nil, nil, fmt.Errorf("inbound: %w", err)
	}
	return outMs, inMs, nil
}

// browserCall is the baseline's call, held by bench/jssip/run.mjs.
type browserCall struct {
	Chromium, JsSIP string
	stdin           io.WriteCloser
	done            chan struct{}
	pid             int // of node, leading the browser's process group
}

// holdBrowserCall starts JsSIP in Chromium (a window in its own Xvfb, the
// sound server this process uses) registered with the lab's probe account
// and calling target, and returns once the call is confirmed.
func holdBrowserCall(ctx context.Context, b *bench, lab *labctl.State, target string) (*browserCall, error) {
	display, stopX, err := desktop.Xvfb()
	if err != nil {
		return nil, err
	}
	b.Cleanup(stopX)
	cmd := exec.CommandContext(ctx, "node", "bench/jssip/run.mjs")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "VD_MODE=hold", "VD_WS="+lab.WebSocketURL,
		"VD_URI=sip:"+lab.Probe.Username+"@"+lab.Domain, "VD_PASS="+lab.Probe.Password, "VD_TARGET="+target)
	cmd.Stderr = os.Stderr
	// Its own process group, taken down whole at the hang-up: an orphaned
	// Chromium whose sound server went away was seen spinning both cores
	// at real-time priority (root lets its audio threads take SCHED_RR).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the browser phone (bench/jssip/run.mjs): %w", err)
	}
	bc := &browserCall{stdin: stdin, done: make(chan struct{}), pid: cmd.Process.Pid}
	b.Cleanup(bc.hangup)
	up := make(chan error, 1)
	go func() {
		defer close(bc.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var msg struct {
				Confirmed       bool
				Chromium, JsSIP string
			}
			if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Confirmed {
				bc.Chromium, bc.JsSIP = msg.Chromium, msg.JsSIP
				select {
				case up <- nil:
				default:
				}
			}
		}
		err := cmd.Wait()
		select {
		case up <- fmt.Errorf("the browser phone ended before its call was confirmed: %v", err):
		default:
		}
	}()
	select {
	case err := <-up:
		if err != nil {
			return nil, err
		}
		return bc, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the browser phone's call was not confirmed within 30 s")
	}
}

// hangup ends the browser's call and waits for it to quit (5 s at most).
func (c *browserCall) hangup() {
	if c.stdin == nil {
		return
	}
	_ = c.stdin.Close()
	c.stdin = nil
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-c.pid, syscall.SIGKILL) // Chromium's processes left behind
}
