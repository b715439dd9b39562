// Command callbench measures call set-up and the engine's CPU on the lab:
// the engine (sipgo over WebSocket + pion) calls the lab's auto-answering
// baresip through Kamailio and rtpengine, on loopback. Run by "make bench".
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
	"voicedesk/test/pulse"
)

// browserPhone is the baseline's figures: the browser phone's stack (JsSIP
// in Debian Chromium, bench/jssip/run.mjs), measured on the same lab in the
// same run.
type browserPhone struct {
	Chromium           string  `json:"chromium"`
	JsSIP              string  `json:"jssip"`
	Headless           bool    `json:"headless"`
	LaunchToPage       float64 `json:"launchToPageMs"`
	LaunchToRegistered float64 `json:"launchToRegisteredMs"`
	IdlePSS            float64 `json:"idlePssMB"`
	CallPSS            float64 `json:"callPssMB"`
	IdleCPU            float64 `json:"idleCpuPerMinute"`
	CallCPU            float64 `json:"callCpuPerMinute"`
	PCMUCPU            float64 `json:"pcmuCpuPerMinute"`
	PCMUCodec          string  `json:"pcmuCodec"`
	Calls              []struct {
		Invite      float64 `json:"invite"`
		OK          float64 `json:"ok"`
		FirstRTP    float64 `json:"firstRtp"`
		FirstPlayed float64 `json:"firstPlayed"`
	} `json:"calls"`
}

// measureBrowserPhone runs the baseline against the lab: a JsSIP phone
// registered with the lab's probe account calling the tone phone.
// Chromium runs with a window in its own Xvfb, as the browser phone does on
// a desk: headless Chromium plays nothing out.
func measureBrowserPhone(ctx context.Context, st *labctl.State, runs, callSecs int) (*browserPhone, error) {
	display, stopX, err := desktop.Xvfb()
	if err != nil {
		return nil, err
	}
	defer stopX()
	cmd := exec.CommandContext(ctx, "node", "bench/jssip/run.mjs")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "VD_WS="+st.WebSocketURL, "VD_URI=sip:"+st.Probe.Username+"@"+st.Domain,
		"VD_PASS="+st.Probe.Password, "VD_TARGET="+st.Tone.Number, fmt.Sprintf("VD_RUNS=%d", runs), fmt.Sprintf("VD_CPU_SECONDS=%d", callSecs))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("the browser phone's run (bench/jssip/run.mjs): %w", err)
	}
	var bp browserPhone
	if err := json.Unmarshal(out, &bp); err != nil {
		return nil, fmt.Errorf("the browser phone's figures %q: %w", out, err)
	}
	return &bp, nil
}

func main() {
	runs := flag.Int("runs", 7, "calls for the set-up timings (median)")
	callSecs := flag.Int("cpu-call", 60, "seconds of the call whose CPU is measured")
	labBin := flag.String("lab", "bin/lab", "the lab command")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured call to this file")
	out := flag.String("out", "bench/results", "folder for the results file")
	appPath := flag.String("app", "build/bin/voicedesk", "the built app, measured in Xvfb (memory, CPU with its window, start-up)")
	flag.BoolVar(&appLog, "app-log", false, "with -app-only: print the app's log lines as they come")
	flag.DurationVar(&probeIdle, "probe-idle", 0, "with -app-only: keep the signed-in app idle this long before measuring, its pids printed, for perf or strace")
	flag.DurationVar(&callAfter, "call-after", 0, "with -app-only: wait this long before the measured call (to tell a reloaded page's settling from the call's cost)")
	flag.BoolVar(&probeCall, "probe-call", false, "with -app-only: print the app's pids as the measured call starts, for perf or strace")
	flag.IntVar(&appRuns, "app-runs", 3, "runs of the app's measurement (medians and spread)")
	flag.IntVar(&baselineRuns, "baseline-runs", 3, "runs of the browser phone's measurement (medians and spread)")
	flag.DurationVar(&probeHidden, "probe-hidden", 0, "with -app-only, in scripts/keyring-session.sh: keep the app hidden this long after its page's release, its pids printed")
	flag.BoolVar(&floor, "floor", false, "with -app-only: measure the stack's floor too (bench/webkitfloor: a WebKitGTK window with a one-line page)")
	flag.BoolVar(&processing, "processing", true, "with -app-only: the microphone's echo cancellation and noise suppression on (as shipped)")
	flag.BoolVar(&appOnly, "app-only", false, "measure only the built app and print where its CPU goes (for tuning; no results file)")
	flag.Parse()
	profilePath = *cpuProfile
	if err := run(*runs, *callSecs, *labBin, *out, *appPath); err != nil {
		fmt.Fprintln(os.Stderr, "callbench:", err)
		os.Exit(1)
	}
}

// probeIdle and appLog: see the -probe-idle and -app-log flags.
var (
	probeIdle time.Duration
	probeCall bool
	callAfter time.Duration
	appLog    bool
)

func run(runs, callSecs int, labBin, outDir, appPath string) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	// A headless sound server for the app and for Chromium (which plays
	// nothing without one); PULSE_SERVER points both at it.
	prog := &pulse.Program{}
	defer prog.Done()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	snd := pulse.Start(prog)
	// A live microphone: its self-noise (-70 dBFS) plays into the virtual
	// one, as in bench/soundbench. A null sink with nothing playing gives
	// the microphone exact zeros, which the app takes for a dead
	// microphone and reopens every 1.5-2 s (measured in the call's log
	// until 2026-12-07): work no agent's phone does, and the browser phone
	// does not.
	snd.FeedLatency(pulse.MicFeed, &selfNoise{rng: rand.New(rand.NewPCG(5, 6))}, 100*time.Millisecond)
	dir, err := os.MkdirTemp("", "voicedesk-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	st, err := labctl.Up(ctx, labctl.Config{Dir: dir, LabBinary: labBin})
	if err != nil {
		return err
	}
	defer func() { _ = labctl.Down(st) }()
	if appOnly {
		_, spread, err := measureAppRuns(ctx, appPath, st, callSecs)
		if err != nil {
			return fmt.Errorf("the app: %w", err)
		}
		if appRuns > 1 {
			fmt.Printf("medians of %d runs (lowest-highest):\n%s\n", appRuns, strings.Join(spread, "\n"))
		}
		if floor {
			fl, err := measureFloor(ctx)
			if err != nil {
				return fmt.Errorf("the stack's floor: %w", err)
			}
			fmt.Printf("the stack's floor (a WebKitGTK window, a one-line page): PSS %.0f MB open, %.0f MB hidden; idle CPU %.2f s/min\n", fl.OpenPSS, fl.HiddenPSS, fl.IdleCPU)
		}
		return nil
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	agent, err := sip.New(sip.Config{Server: st.WebSocketURL, User: "alice", Domain: st.Domain, Password: "alice-sip-7f3a", Log: quiet})
	if err != nil {
		return err
	}
	defer func() { _ = agent.Close() }()
	if err := agent.Register(ctx); err != nil {
		return err
	}

	var invite, answered, firstRTP, firstPlayed []float64
	var codecName string
	for i := 0; i < runs; i++ {
		r, err := oneCall(ctx, agent, st.Tone.Number, quiet, 300*time.Millisecond)
		if err != nil {
			return fmt.Errorf("call %d: %w", i+1, err)
		}
		invite = append(invite, r.invite)
		answered = append(answered, r.answered)
		firstRTP = append(firstRTP, r.firstRTP)
		firstPlayed = append(firstPlayed, r.firstPlayed)
		codecName = r.codec
	}

	// CPU of this process (the engine) over one longer call, per call-minute.
	if profilePath != "" {
		f, err := os.Create(profilePath)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	before := cpuSeconds()
	start := time.Now()
	if _, err := oneCall(ctx, agent, st.Tone.Number, quiet, time.Duration(callSecs)*time.Second); err != nil {
		return fmt.Errorf("cpu call: %w", err)
	}
	cpu := (cpuSeconds() - before) / time.Since(start).Minutes()
	before, start = cpuSeconds(), time.Now()
	if _, err := oneCall(ctx, agent, st.Tone.Number, quiet, time.Duration(callSecs)*time.Second, "PCMU"); err != nil {
		return fmt.Errorf("cpu call (PCMU): %w", err)
	}
	pcmuCPU := (cpuSeconds() - before) / time.Since(start).Minutes()

	fmt.Fprintln(os.Stderr, "callbench: the engine measured; now the app with its window (Xvfb)")
	_ = agent.Close() // the app signs in as Alice itself
	app, appSpread, err := measureAppRuns(ctx, appPath, st, callSecs)
	if err != nil {
		return fmt.Errorf("the app: %w", err)
	}
	fmt.Fprintln(os.Stderr, "callbench: VoiceDesk measured; once more with the microphone's processing off")
	off, err := measureApp(ctx, appPath, st, callSecs, false)
	if err != nil {
		return fmt.Errorf("the app, processing off: %w", err)
	}
	fmt.Fprintln(os.Stderr, "callbench: the stack's floor (a WebKitGTK window with a one-line page)")
	fl, err := measureFloor(ctx)
	if err != nil {
		return fmt.Errorf("the stack's floor: %w", err)
	}
	fmt.Fprintln(os.Stderr, "callbench: now the browser phone (JsSIP in Chromium) on the same lab")
	var bps []*browserPhone
	for i := 0; i < max(baselineRuns, 1); i++ {
		fmt.Fprintf(os.Stderr, "callbench: the browser phone, run %d of %d\n", i+1, max(baselineRuns, 1))
		one, err := measureBrowserPhone(ctx, st, runs, callSecs)
		if err != nil {
			return err
		}
		bps = append(bps, one)
	}
	bp, bpSpread := medianRun(bps, func(b *browserPhone) float64 { return b.CallCPU }, browserScalars)
	bp.Calls = nil // the set-up timings: every run's calls
	for _, one := range bps {
		bp.Calls = append(bp.Calls, one.Calls...)
	}
	var bInvite, bOK, bRTP, bPlayed []float64
	for _, c := range bp.Calls {
		bInvite, bOK, bRTP, bPlayed = append(bInvite, c.Invite), append(bOK, c.OK), append(bRTP, c.FirstRTP), append(bPlayed, c.FirstPlayed)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "VoiceDesk call bench, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "VoiceDesk: sipgo over WebSocket + pion/webrtc v4, codec %s\n", codecName)
	mode := "with a window in Xvfb"
	if bp.Headless {
		mode = "headless"
	}
	fmt.Fprintf(&b, "baseline:  JsSIP %s in Chromium %s (%s, fake microphone, far end played out), codec Opus\n", bp.JsSIP, bp.Chromium, mode)
	fmt.Fprintf(&b, "lab: Kamailio 5.6 + rtpengine 10.5 + baresip 1.0 on loopback, both measured in this run\n\n")
	fmt.Fprintf(&b, "%-46s %12s %12s %8s\n", "figure (median of "+fmt.Sprint(runs)+" calls)", "VoiceDesk", "baseline", "ratio")
	row := func(name string, v, base float64, unit string) {
		fmt.Fprintf(&b, "%-46s %9.1f %-2s %9.1f %-2s %7.1fx\n", name, v, unit, base, unit, base/v)
	}
	row("call -> INVITE on the wire (sent)", median(invite), median(bInvite), "ms")
	row("call -> 200 OK received", median(answered), median(bOK), "ms")
	row("INVITE -> 200 OK", median(answered)-median(invite), median(bOK)-median(bInvite), "ms")
	row("call -> first RTP received", median(firstRTP), median(bRTP), "ms")
	if bp := median(bPlayed); bp > 0 {
		row("call -> first audio frame played out", median(firstPlayed), bp, "ms")
	} else {
		fmt.Fprintf(&b, "%-46s %9.1f %-2s %12s %8s\n", "call -> first audio frame played out", median(firstPlayed), "ms", "-", "-")
	}
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", fmt.Sprintf("CPU per call-minute, engine only (%d s Opus)", callSecs), cpu, "s", bp.CallCPU, "s", bp.CallCPU/cpu)
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", fmt.Sprintf("CPU per call-minute, all processes (%d s Opus)", callSecs), app.CallCPU, "s", bp.CallCPU, "s", bp.CallCPU/app.CallCPU)
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", fmt.Sprintf("CPU per call-minute, engine only (%d s PCMU)", callSecs), pcmuCPU, "s", bp.PCMUCPU, "s", bp.PCMUCPU/pcmuCPU)
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", "idle CPU per minute, registered", app.IdleCPU, "s", bp.IdleCPU, "s", bp.IdleCPU/app.IdleCPU)
	fmt.Fprintf(&b, "%-46s %9.0f %-2s %9.0f %-2s %7.1fx\n", "memory (PSS, all processes), registered, idle", app.IdlePSS, "MB", bp.IdlePSS, "MB", bp.IdlePSS/app.IdlePSS)
	// VoiceDesk's own states (a browser tab has no tray): against the
	// browser phone's idle figures.
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", "idle CPU per minute, another window focused", app.IdleAwayCPU, "s", bp.IdleCPU, "s", bp.IdleCPU/max(app.IdleAwayCPU, 0.01))
	if app.HiddenPSS > 0 {
		fmt.Fprintf(&b, "%-46s %9.2f %-2s %9.2f %-2s %7.1fx\n", "idle CPU per minute, hidden to the tray", app.HiddenCPU, "s", bp.IdleCPU, "s", bp.IdleCPU/max(app.HiddenCPU, 0.01))
		fmt.Fprintf(&b, "%-46s %9.0f %-2s %9.0f %-2s %7.1fx\n", "memory (PSS), hidden to the tray (page released)", app.HiddenPSS, "MB", bp.IdlePSS, "MB", bp.IdlePSS/app.HiddenPSS)
		fmt.Fprintf(&b, "%-46s %9.0f %-2s %12s %8s\n", "a call -> the hidden window shown", app.RingToWindow, "ms", "-", "-")
		fmt.Fprintf(&b, "%-46s %9.0f %-2s %12s %8s\n", "a call -> the released page drawn again", app.RingToPage, "ms", "-", "-")
	}
	// What the app's figures stand on: its call without the processing,
	// and the mandated stack's own window (VoiceDesk's rows, no baseline).
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %12s %8s\n", "CPU per call-minute, processing off (1 run)", off.CallCPU, "s", "-", "-")
	fmt.Fprintf(&b, "%-46s %9.0f %-2s %12s %8s\n", "floor: WebKitGTK window, one-line page, PSS", fl.OpenPSS, "MB", "-", "-")
	fmt.Fprintf(&b, "%-46s %9.0f %-2s %12s %8s\n", "floor: the same hidden, page's process ended", fl.HiddenPSS, "MB", "-", "-")
	fmt.Fprintf(&b, "%-46s %9.2f %-2s %12s %8s\n", "floor: the same, idle CPU per minute", fl.IdleCPU, "s", "-", "-")
	fmt.Fprintf(&b, "%-46s %9.0f %-2s %9.0f %-2s %7.1fx\n", "memory (PSS, all processes), in a call", app.CallPSS, "MB", bp.CallPSS, "MB", bp.CallPSS/app.CallPSS)
	fmt.Fprintf(&b, "%-46s %9.0f %-2s %9.0f %-2s %7.1fx\n", "launch -> login screen shown (script running)", app.LaunchToUI, "ms", bp.LaunchToPage, "ms", bp.LaunchToPage/app.LaunchToUI)
	if app.LaunchToRegistered > 0 {
		row("launch -> registered (signed in by itself)", app.LaunchToRegistered, bp.LaunchToRegistered, "ms")
	} else {
		fmt.Fprintf(&b, "%-46s %12s %9.0f %-2s %8s\n", "launch -> registered (signed in by itself)", "-", bp.LaunchToRegistered, "ms", "-")
	}
	fmt.Fprintf(&b, "\nratio = baseline / VoiceDesk (above 1: VoiceDesk is faster or lighter).\n")
	fmt.Fprintf(&b, "'engine only': the bench process placing the calls (no window); 'all processes': the built app in Xvfb\n")
	fmt.Fprintf(&b, "(%d processes: the app and WebKit's), signed in and calling through its bridge; the baseline: all of Chromium's.\n", app.Processes)
	fmt.Fprintf(&b, "Played out: the engine's first decoded frame handed to its sink; Chromium's jitter buffer's first emitted frame.\n")
	fmt.Fprintf(&b, "Login screen: VoiceDesk's window script asking its backend for the state; the baseline's page having run its script.\n")
	fmt.Fprintf(&b, "Registered: VoiceDesk started again after a login with remember me, signing in from the OS keyring (GNOME Keyring)\n")
	fmt.Fprintf(&b, "and registering; the baseline's page registering JsSIP with the password it is given.\n")
	fmt.Fprintf(&b, "The PCMU row's baseline is all of Chromium's processes, offering PCMU only (its stats: %s).\n", bp.PCMUCodec)
	fmt.Fprintf(&b, "\nThe app's figures, medians of %d runs (lowest-highest):\n%s\n", max(appRuns, 1), strings.Join(appSpread, "\n"))
	fmt.Fprintf(&b, "The browser phone's figures, medians of %d runs (lowest-highest):\n%s\n\n", max(baselineRuns, 1), strings.Join(bpSpread, "\n"))
	fmt.Fprintf(&b, "The app's call CPU by process/thread, the median run (at least 0.05 s/min):\n")
	threads(&b, app)
	fmt.Fprintf(&b, "Mouth-to-ear latency of both systems: bench/soundbench (make bench runs it next).\n")
	fmt.Fprintf(&b, "Targets: INVITE <= 20 ms, first RTP <= 60 ms; issue 20: <= 1 CPU-s per call-minute (Opus), idle <= 0.10 CPU-s per minute,\n")
	fmt.Fprintf(&b, "PSS <= 150 MB with the window open and <= 80 MB hidden (<= 0.05 CPU-s per minute), login screen <= 400 ms, a call raising the hidden window <= 300 ms.\n")
	fmt.Print(b.String())
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	name := filepath.Join(outDir, "calls-"+time.Now().UTC().Format("20060102-150405")+".txt")
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

var (
	profilePath  string
	appOnly      bool
	processing   bool
	floor        bool
	probeHidden  time.Duration
	appRuns      int
	baselineRuns int
)

// measureAppRuns measures the app appRuns times: the medians, and the
// lines of the spread.
func measureAppRuns(ctx context.Context, appPath string, st *labctl.State, callSecs int) (*appFigures, []string, error) {
	var all []*appFigures
	for i := 0; i < max(appRuns, 1); i++ {
		fmt.Fprintf(os.Stderr, "callbench: the app, run %d of %d\n", i+1, max(appRuns, 1))
		a, err := measureApp(ctx, appPath, st, callSecs, processing)
		if err != nil {
			return nil, nil, err
		}
		if appOnly {
			printApp(a)
		}
		all = append(all, a)
	}
	a, lines := medianRun(all, func(f *appFigures) float64 { return f.CallCPU }, appScalars)
	return a, lines, nil
}

// printApp prints the app's figures and its call's CPU by thread.
func printApp(app *appFigures) {
	fmt.Printf("launch -> UI %.0f ms, -> registered from the keyring %.0f ms; PSS idle %.0f MB, in call %.0f MB; idle CPU %.2f s/min; call CPU %.2f s/min (%d processes)\n",
		app.LaunchToUI, app.LaunchToRegistered, app.IdlePSS, app.CallPSS, app.IdleCPU, app.CallCPU, app.Processes)
	fmt.Printf("idle CPU with another window focused %.2f s/min; hidden to the tray: %.2f s/min, PSS %.0f MB; a call -> the hidden window shown %.0f ms, its page loaded again %.0f ms\n",
		app.IdleAwayCPU, app.HiddenCPU, app.HiddenPSS, app.RingToWindow, app.RingToPage)
	for name, mb := range app.HiddenPSSBy {
		fmt.Printf("  hidden PSS %-20s %4.0f MB\n", name, mb)
	}
	var b strings.Builder
	threads(&b, app)
	fmt.Print(b.String())
}

// threads writes where the app's call and idle CPU go, by process/thread
// name (Go's threads all carry the program's name; WebKit names its own).
func threads(b *strings.Builder, app *appFigures) {
	for _, part := range []struct {
		title string
		m     map[string]float64
		min   float64
	}{{"in a call", app.CallThreads, 0.05}, {"idle, registered, window open", app.IdleThreads, 0.01}} {
		fmt.Fprintf(b, " %s:\n", part.title)
		names := make([]string, 0, len(part.m))
		for n, v := range part.m {
			if v >= part.min {
				names = append(names, n)
			}
		}
		sort.Slice(names, func(i, j int) bool { return part.m[names[i]] > part.m[names[j]] })
		for _, n := range names {
			fmt.Fprintf(b, "  %-40s %6.2f s/min\n", n, part.m[n])
		}
	}
}

type result struct {
	invite, answered, firstRTP, firstPlayed float64
	codec                                   string
}

func oneCall(ctx context.Context, agent *sip.Agent, number string, log *slog.Logger, hold time.Duration, codecs ...string) (result, error) {
	var r result
	t0 := time.Now()
	sess, err := media.NewSession(media.Config{LoopbackOnly: true, Log: log, Codecs: codecs})
	if err != nil {
		return r, err
	}
	defer func() { _ = sess.Close() }()
	offer, err := sess.Offer(ctx)
	if err != nil {
		return r, err
	}
	call, err := agent.DialWithHooks(ctx, number, []byte(offer), sip.DialHooks{
		Sent: func() { r.invite = ms(time.Since(t0)) },
	})
	if err != nil {
		return r, err
	}
	r.answered = ms(time.Since(t0))
	if err := sess.SetAnswer(string(call.Answer)); err != nil {
		return r, err
	}
	r.codec = sess.Codec()
	if err := sess.Start(&audio.Tone{Hz: 1000}, audio.Discard{}); err != nil {
		return r, err
	}
	select {
	case <-sess.FirstRTP():
		r.firstRTP = ms(time.Since(t0))
	case <-time.After(5 * time.Second):
		return r, fmt.Errorf("no RTP within 5 s")
	}
	select {
	case <-sess.FirstPlayed():
		r.firstPlayed = ms(time.Since(t0))
	case <-time.After(5 * time.Second):
		return r, fmt.Errorf("no audio played within 5 s")
	}
	time.Sleep(hold)
	return r, call.Hangup(ctx)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// selfNoise is a microphone's self-noise: white noise at -70 dBFS.
type selfNoise struct{ rng *rand.Rand }

func (n *selfNoise) Read(frame []int16, _ int) error {
	amp := 32768 * math.Pow(10, -70.0/20)
	for i := range frame {
		frame[i] = int16(max(-32767, min(32767, math.Round(amp*n.rng.NormFloat64()))))
	}
	return nil
}
