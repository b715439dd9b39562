// Command aecbench measures the echo cancellers VoiceDesk could ship on the
// same simulated rooms (backend/dsp/aecsim, the harness backend/dsp's unit
// tests hold the shipped one to) and prints one table, candidates side by
// side; "make bench" runs it and keeps the table in bench/results/aec-*.txt.
//
// Candidates:
//   - speexdsp: the canceller VoiceDesk shipped before (multidelay block
//     filter, 250 ms tail at 48 kHz, its preprocessor's residual echo and
//     noise suppression);
//   - webrtc 0.3: Debian 12's webrtc-audio-processing (the legacy AEC with
//     delay-agnostic mode and the extended filter, NS), finding the echo's
//     delay by itself, as PulseAudio's echo-cancel module runs it;
//   - webrtc 0.3 + bulk delay: the same with dsp's delay estimator in front,
//     which holds the reference back by the echo's bulk delay (shipped).
//
// Every figure is computed from the signals (nothing sleeps): the clock is
// the frame count, so the table is the same on any machine but for the CPU
// row.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/dsp"
	"voicedesk/backend/dsp/aecsim"
	"voicedesk/bench/internal/voice"
)

const rate = 48000

type candidate struct {
	name string
	make aecsim.Factory
}

// speex is the canceller as backend/soundcard ran it before 2026-12-06.
func speex(r int, emit func([]int16)) (aecsim.Canceller, error) {
	var pp *dsp.Preprocessor
	ec, err := dsp.NewEchoCanceller(r/100, r/4, r, func(clean []int16) {
		pp.Run(clean)
		emit(clean)
	})
	if err != nil {
		return nil, err
	}
	if pp, err = dsp.NewPreprocessor(r/100, r, true, ec); err != nil {
		ec.Close()
		return nil, err
	}
	return speexPair{ec, pp}, nil
}

type speexPair struct {
	*dsp.EchoCanceller
	pp *dsp.Preprocessor
}

func (s speexPair) Close() { s.EchoCanceller.Close(); s.pp.Close() }

func webrtc(bulk bool) aecsim.Factory {
	return func(r int, emit func([]int16)) (aecsim.Canceller, error) {
		return dsp.NewAPM(dsp.APMConfig{Rate: r, EchoCancel: true, Denoise: true, NoBulkDelay: !bulk}, emit)
	}
}

var candidates = []candidate{
	{"speexdsp", speex},
	{"webrtc 0.3", webrtc(false)},
	{"webrtc 0.3+bulk", webrtc(true)},
}

// A figure is one row: a function of a candidate, formatted.
type figure struct {
	name string
	unit string
	// want says what the issue asks, for the reader.
	want string
	run  func(aecsim.Factory) (float64, error)
}

func main() {
	out := flag.String("out", "bench/results", "folder for the results file (\"\": none)")
	flag.Parse()
	far, near, err := speech()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aecbench:", err)
		os.Exit(1)
	}
	const ms = 20000
	n := rate * ms / 1000
	farLoop := aecsim.Loop(far, n)
	room := func(delay, jumpAt, jump int) *aecsim.Path {
		return &aecsim.Path{DelayMs: delay, GainDB: -6, Reverb: true, JumpAtMs: jumpAt, JumpMs: jump}
	}
	erle := func(p *aecsim.Path) func(aecsim.Factory) (float64, error) {
		return func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop, Echo: p})
			return r.ERLE(5000, ms), err
		}
	}
	worstAfterJump := func(p *aecsim.Path) func(aecsim.Factory) (float64, error) {
		return func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop, Echo: p})
			return r.WorstERLE(p.JumpAtMs+2000, ms), err
		}
	}
	recovery := func(p *aecsim.Path) func(aecsim.Factory) (float64, error) {
		return func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop, Echo: p})
			return recoveredAfter(r, p.JumpAtMs, ms, 30), err
		}
	}
	figures := []figure{
		{"ERLE, echo at 40 ms (laptop), 5-20 s", "dB", "≥ 30", erle(room(40, 0, 0))},
		{"ERLE, echo at 150 ms (deep buffers), 5-20 s", "dB", "≥ 30", erle(room(150, 0, 0))},
		{"ERLE, echo at 330 ms (Bluetooth), 5-20 s", "dB", "≥ 30", erle(room(330, 0, 0))},
		{"time to 30 dB from the call's start, echo at 150 ms", "ms", "", recovery(room(150, 0, 0))},
		{"time to 30 dB from the call's start, echo at 330 ms", "ms", "", recovery(room(330, 0, 0))},
		{"worst 100 ms ERLE from 2 s after a +60 ms jump (150 ms)", "dB", "≥ 30", worstAfterJump(room(150, 10000, 60))},
		{"worst 100 ms ERLE from 2 s after a -60 ms jump (200 ms)", "dB", "≥ 30", worstAfterJump(room(200, 10000, -60))},
		{"time to 30 dB after a +60 ms jump (150 ms)", "ms", "≤ 2000", recovery(room(150, 10000, 60))},
		{"ERLE, 60 ms echo, card threads taking turns at random", "dB", "≥ 30", func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop, Echo: room(60, 0, 0), Order: aecsim.RandomTurns()})
			return r.ERLE(5000, ms), err
		}},
		{"no echo path: far end's 440 Hz in the output, loudest 100 ms", "dBFS", "≤ -60", func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: aecsim.Tone(440, rate, n, -12), Near: aecsim.Tone(1000, rate, n, -12)})
			return r.MaxToneLevel(440, 0, ms), err
		}},
		{"no echo path: far end's speech in the output (near silent)", "dBFS", "≤ -60", func(f aecsim.Factory) (float64, error) {
			r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop})
			return loudest(r.Out, 0, ms), err
		}},
		{"near speech alone: level sent minus said", "dB", "±3", func(f aecsim.Factory) (float64, error) {
			said, sent, err := nearThrough(f, near, nil, nil)
			return audio.SpeechLevel(sent, rate) - audio.SpeechLevel(said, rate), err
		}},
		{"near speech alone: envelope distance sent/said", "dB", "≤ 2", func(f aecsim.Factory) (float64, error) {
			said, sent, err := nearThrough(f, near, nil, nil)
			return audio.EnvelopeDistance(said, rate, sent, rate), err
		}},
		{"double talk (60 ms echo): level lost against speech alone", "dB", "≤ 3", func(f aecsim.Factory) (float64, error) {
			_, alone, err := nearThrough(f, near, nil, nil)
			if err != nil {
				return 0, err
			}
			_, both, err := nearThrough(f, near, farLoop, room(60, 0, 0))
			return audio.SpeechLevel(alone, rate) - audio.SpeechLevel(both, rate), err
		}},
		{"CPU per call-minute (150 ms echo, this process)", "s", "", func(f aecsim.Factory) (float64, error) {
			runtime.GC()
			before := cpuSeconds()
			_, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: ms, Far: farLoop, Echo: room(150, 0, 0)})
			return (cpuSeconds() - before) * 60000 / ms, err
		}},
	}

	var w strings.Builder
	fmt.Fprintf(&w, "VoiceDesk echo canceller bench, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&w, "rooms: backend/dsp/aecsim at %d Hz, 20 s of espeak-ng speech from the far end, echo -6 dB with 60 ms of reverb; echo cancellation and noise suppression on\n\n", rate)
	fmt.Fprintf(&w, "%-62s %6s", "figure", "want")
	for _, c := range candidates {
		fmt.Fprintf(&w, " %16s", c.name)
	}
	fmt.Fprintln(&w)
	fmt.Print(w.String())
	for _, fg := range figures {
		line := fmt.Sprintf("%-62s %6s", fg.name+" ("+fg.unit+")", fg.want)
		for _, c := range candidates {
			v, err := fg.run(c.make)
			if err != nil {
				fmt.Fprintln(os.Stderr, "aecbench:", c.name, fg.name, err)
				os.Exit(1)
			}
			line += fmt.Sprintf(" %16s", format(v))
		}
		fmt.Fprintln(&w, line)
		fmt.Println(line)
	}
	note := "\nERLE: echo level at the microphone minus the output's, over the stretch named (no near-end speech).\n" +
		"Time to 30 dB: from the start or the jump to the end of the last 100 ms window (holding echo) under 30 dB; all the time left (20000 or 10000 ms) = never.\n" +
		"Near speech: with a microphone's self-noise at -70 dBFS under it.\n" +
		"Envelope distance: RMS difference of the third-octave long-term speech spectra, 160 Hz-6.3 kHz (backend/audio).\n" +
		"webrtc 0.3+bulk is what the phone ships (backend/soundcard).\n"
	w.WriteString(note)
	fmt.Print(note)
	if *out == "" {
		return
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "aecbench:", err)
		os.Exit(1)
	}
	path := filepath.Join(*out, "aec-"+time.Now().UTC().Format("20060102-150405")+".txt")
	if err := os.WriteFile(path, []byte(w.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "aecbench:", err)
		os.Exit(1)
	}
}

func format(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case v <= -200:
		return "silence"
	}
	return fmt.Sprintf("%.1f", v)
}

// speech is the far end's and the near end's voices at rate.
func speech() (far, near []int16, err error) {
	if far, err = voice.Say("Thank you for calling. Your call is important to us. Please hold while I look up your account. The weather today is sunny with a light breeze.", rate); err != nil {
		return nil, nil, err
	}
	near, err = voice.Say("Hello, this is Alice from support. How can I help you today? Let me check that for you.", rate)
	return far, near, err
}

// micNoiseDB is a headset microphone's self-noise, under the near end's
// speech: a noise suppressor fed digital silence between words (which no
// microphone delivers) estimates no noise and colours speech by 2-3 dB.
const micNoiseDB = -70

// nearThrough plays the near end's speech 8 s into a 20 s run (the
// canceller has settled), with the far end and its echo when given, and
// returns what was said and what was sent over that stretch.
func nearThrough(f aecsim.Factory, near, far []int16, echo *aecsim.Path) (said, sent []int16, err error) {
	n := rate * 20
	at := make([]int16, n)
	copy(at[8*rate:], near)
	r, err := aecsim.Play(f, aecsim.Scenario{Rate: rate, Ms: 20000, Near: at, Far: far, Echo: echo, NoiseDB: micNoiseDB})
	if err != nil {
		return nil, nil, err
	}
	a, b := 8*rate, 8*rate+len(near)
	return at[a:b], r.Out[a:b], nil
}

// recoveredAfter is how long after jumpMs the output last had a 100 ms
// window holding echo less than minDB down (ms; 0 when none).
func recoveredAfter(r aecsim.Run, jumpMs, endMs int, minDB float64) float64 {
	last := jumpMs
	for at := jumpMs; at+100 <= endMs; at += 100 {
		a, b := r.Rate*at/1000, r.Rate*(at+100)/1000
		if audio.Level(r.Echo[a:b]) < -60 {
			continue
		}
		if audio.Level(r.Echo[a:b])-audio.Level(r.Out[a:b]) < minDB {
			last = at + 100
		}
	}
	return float64(last - jumpMs)
}

// loudest is the loudest 100 ms window of s in [fromMs, toMs) (dBFS).
func loudest(s []int16, fromMs, toMs int) float64 {
	l := -200.0
	for at := fromMs; at+100 <= toMs; at += 100 {
		l = max(l, audio.Level(s[rate*at/1000:rate*(at+100)/1000]))
	}
	return l
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
