// Command callbench measures call set-up and the engine's CPU on the lab:
// the engine (sipgo over WebSocket + pion) calls the lab's auto-answering
// baresip through Kamailio and rtpengine, on loopback. Run by "make bench".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
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
)

// The baseline: the browser phone's stack, measured on such a lab on this
// kind of machine (shared/reference/lab-notes.md, 2026-11-24): JsSIP 3.13.8
// in Chromium 156, median of 3, 20 s Opus call to an auto-answering baresip.
const baselineName = "JsSIP 3.13.8 in Chromium 156 (lab-notes, 2026-11-24; not re-measured in this run)"

var baseline = map[string]float64{"invite": 186, "firstRTP": 261, "cpu": 10.7}

func main() {
	runs := flag.Int("runs", 7, "calls for the set-up timings (median)")
	callSecs := flag.Int("cpu-call", 20, "seconds of the call whose CPU is measured")
	labBin := flag.String("lab", "bin/lab", "the lab command")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured call to this file")
	out := flag.String("out", "bench/results", "folder for the results file")
	flag.Parse()
	profilePath = *cpuProfile
	if err := run(*runs, *callSecs, *labBin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "callbench:", err)
		os.Exit(1)
	}
}

func run(runs, callSecs int, labBin, outDir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "voicedesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := labctl.Up(ctx, labctl.Config{Dir: dir, LabBinary: labBin})
	if err != nil {
		return err
	}
	defer labctl.Down(st)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	agent, err := sip.New(sip.Config{Server: st.WebSocketURL, User: "alice", Domain: st.Domain, Password: "alice-sip-7f3a", Log: quiet})
	if err != nil {
		return err
	}
	defer agent.Close()
	if err := agent.Register(ctx); err != nil {
		return err
	}

	var invite, answered, firstRTP []float64
	var codecName string
	for i := 0; i < runs; i++ {
		r, err := oneCall(ctx, agent, st.Tone.Number, quiet, 300*time.Millisecond)
		if err != nil {
			return fmt.Errorf("call %d: %w", i+1, err)
		}
		invite = append(invite, r.invite)
		answered = append(answered, r.answered)
		firstRTP = append(firstRTP, r.firstRTP)
		codecName = r.codec
	}

	// CPU of this process (the engine) over one longer call, per call-minute.
	if profilePath != "" {
		f, err := os.Create(profilePath)
		if err != nil {
			return err
		}
		defer f.Close()
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

	var b strings.Builder
	fmt.Fprintf(&b, "VoiceDesk call bench, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "engine: sipgo over WebSocket + pion/webrtc v4, codec %s; lab: Kamailio 5.6 + rtpengine 10.5 + baresip 1.0 on loopback\n", codecName)
	fmt.Fprintf(&b, "baseline: %s\n\n", baselineName)
	fmt.Fprintf(&b, "%-44s %12s %12s %8s\n", "figure (median of "+fmt.Sprint(runs)+" calls)", "VoiceDesk", "baseline", "ratio")
	row := func(name string, v float64, unit, key string) {
		base, ok := baseline[key]
		if !ok {
			fmt.Fprintf(&b, "%-44s %9.1f %-2s %12s %8s\n", name, v, unit, "-", "-")
			return
		}
		fmt.Fprintf(&b, "%-44s %9.1f %-2s %9.1f %-2s %7.1fx\n", name, v, unit, base, unit, base/v)
	}
	row("call -> INVITE on the wire (sent)", median(invite), "ms", "invite")
	row("call -> 200 OK received", median(answered), "ms", "")
	row("call -> first RTP received", median(firstRTP), "ms", "firstRTP")
	fmt.Fprintf(&b, "%-44s %9.2f %-2s %9.1f %-2s %7.1fx\n", fmt.Sprintf("engine CPU per call-minute (%d s call)", callSecs), cpu, "s", baseline["cpu"], "s", baseline["cpu"]/cpu)
	fmt.Fprintf(&b, "\nratio = baseline / VoiceDesk (above 1: VoiceDesk is faster or lighter).\n")
	fmt.Fprintf(&b, "Targets (issue 3): INVITE <= 20 ms, first RTP <= 60 ms, <= 1 CPU-s per call-minute for Opus.\n")
	fmt.Print(b.String())
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	name := filepath.Join(outDir, "calls-"+time.Now().UTC().Format("20060102-150405")+".txt")
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

var profilePath string

type result struct {
	invite, answered, firstRTP float64
	codec                      string
}

func oneCall(ctx context.Context, agent *sip.Agent, number string, log *slog.Logger, hold time.Duration) (result, error) {
	var r result
	t0 := time.Now()
	sess, err := media.NewSession(media.Config{LoopbackOnly: true, Log: log})
	if err != nil {
		return r, err
	}
	defer sess.Close()
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
