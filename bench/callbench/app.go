package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
)

// appFigures are the built app's own: its window (WebKit) included.
type appFigures struct {
	LaunchToUI float64 // ms: launch -> the window's UI asked the backend for its state
	// LaunchToRegistered is a second launch signing in by itself from the
	// OS keyring ("remember me") to its SIP registration; 0: not measured
	// (no Secret Service: make bench runs in scripts/keyring-session.sh).
	LaunchToRegistered float64
	IdlePSS, CallPSS   float64 // MB, all the app's processes
	IdleCPU, CallCPU   float64 // CPU-seconds per minute, all the app's processes
	Processes          int
	// CallThreads and IdleThreads are the call's and the idle minute's
	// CPU by process and thread name, per minute: where the figures go.
	CallThreads, IdleThreads map[string]float64
	// IdleAwayCPU is the idle figure while another window has the focus
	// (the agent in their CRM): no caret blinks in the phone's window.
	IdleAwayCPU float64
	// HiddenCPU and HiddenPSS are the idle figures with the window hidden
	// to the tray; RingToWindow is a call's INVITE sent by the far end to
	// the hidden window shown (ms). 0: not measured (no D-Bus session for
	// the tray).
	HiddenCPU, HiddenPSS, RingToWindow float64
	// RingToPage is the same call to the released page loaded again and
	// asking the backend for its state (its incoming call drawn next).
	RingToPage float64
	// HiddenPSSBy is HiddenPSS by process name.
	HiddenPSSBy map[string]float64
}

// releaseAfter is how long the app keeps a hidden window's page here.
const releaseAfter = 5 * time.Second

// idleSecs is how long the idle figures are measured: the kernel counts
// CPU in 10 ms ticks, so 30 s resolves 0.02 CPU-s a minute.
const idleSecs = 30

// threadsPerMinute is the CPU of each thread between two readings, per
// minute, for those at 0.01 s/min or more.
func threadsPerMinute(before, after map[string]float64, d time.Duration) map[string]float64 {
	out := map[string]float64{}
	for name, v := range after {
		if r := (v - before[name]) / d.Minutes(); r >= 0.01 {
			out[name] = r
		}
	}
	return out
}

// measureApp launches the built app in Xvfb against the lab, signs in and
// calls through its bridge (as the UI would through Wails), and reads the
// processes' memory and CPU from /proc.
func measureApp(ctx context.Context, app string, st *labctl.State, callSecs int, processing bool) (*appFigures, error) {
	display, stopX, err := desktop.Xvfb()
	if err != nil {
		return nil, err
	}
	defer stopX()
	home, err := os.MkdirTemp("", "voicedesk-bench-app-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(home) }()
	if !processing {
		// The microphone's echo cancellation and noise suppression off, as
		// the user's settings say: what the processing costs in a call.
		off := []byte(`{"audio":{"echoCancel":false,"noiseSuppression":false}}`)
		if err := os.WriteFile(filepath.Join(home, "settings.json"), off, 0o600); err != nil {
			return nil, err
		}
	}
	// A tray (a StatusNotifierWatcher on the session bus) lets the window
	// hide to it; it must be there when the app starts.
	var tray *desktop.TrayHost
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		if tray, err = desktop.StartTrayHost(); err != nil {
			return nil, fmt.Errorf("a tray for the app: %w", err)
		}
		defer tray.Close()
	}
	l, err := launchApp(app, home, display, st)
	if err != nil {
		return nil, err
	}
	defer func() { desktop.Stop(l.cmd) }()
	f := &appFigures{}
	select {
	case d := <-l.uiUp:
		f.LaunchToUI = ms(d)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the app's window did not come up within 30 s")
	}
	var u string
	select {
	case u = <-l.bridgeURL:
	case <-time.After(5 * time.Second):
		return nil, fmt.Errorf("the app did not report its bridge")
	}
	cmd := l.cmd
	rpc, err := desktop.DialBridge(ctx, u)
	if err != nil {
		return nil, err
	}
	defer rpc.Close()
	remember := os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	if _, err := rpc.Call("login", map[string]any{"type": "Credentials", "username": st.Demo[0].Username, "password": st.Demo[0].Password, "rememberMe": remember}); err != nil {
		return nil, fmt.Errorf("sign in through the bridge: %w", err)
	}
	time.Sleep(5 * time.Second) // settled: registered, the main screen drawn
	pids := processTree(cmd.Process.Pid)
	if probeIdle > 0 {
		// For tuning: the signed-in, idle app stays up for a profiler.
		fmt.Printf("probe: the app is idle for %v; its processes: %v (DISPLAY %s)\n", probeIdle, pids, display)
		time.Sleep(probeIdle)
	}
	f.Processes = len(pids)
	f.IdlePSS = pssMB(pids)
	c0, th0 := treeCPU(pids), threadCPU(pids)
	t0 := time.Now()
	time.Sleep(idleSecs * time.Second)
	f.IdleCPU = (treeCPU(pids) - c0) / time.Since(t0).Minutes()
	f.IdleThreads = threadsPerMinute(th0, threadCPU(pids), time.Since(t0))
	if f.IdleAwayCPU, err = idleAway(display, pids); err != nil {
		return nil, err
	}
	if tray != nil {
		if err := measureHidden(ctx, f, l, tray, display, st, pids); err != nil {
			return nil, err
		}
		pids = processTree(cmd.Process.Pid) // the page's new process
	}
	res, err := rpc.Call("call", st.Tone.Number, nil)
	if err != nil {
		return nil, fmt.Errorf("call through the bridge: %w", err)
	}
	var id string
	_ = json.Unmarshal(res, &id)
	time.Sleep(callAfter)
	if probeCall {
		fmt.Printf("probe: the call is on for %d s; the app's processes: %v (DISPLAY %s)\n", callSecs, pids, display)
	}
	c0, th0 = treeCPU(pids), threadCPU(pids)
	t0 = time.Now()
	time.Sleep(time.Duration(callSecs) * time.Second / 2)
	f.CallPSS = pssMB(processTree(cmd.Process.Pid))
	time.Sleep(time.Duration(callSecs) * time.Second / 2)
	f.CallCPU = (treeCPU(pids) - c0) / time.Since(t0).Minutes()
	f.CallThreads = map[string]float64{}
	for name, v := range threadCPU(pids) {
		if d := (v - th0[name]) / time.Since(t0).Minutes(); d >= 0.05 {
			f.CallThreads[name] = d
		}
	}
	if _, err := rpc.Call("endCall", id); err != nil {
		return nil, fmt.Errorf("hang up through the bridge: %w", err)
	}
	if !remember {
		return f, nil
	}
	// Launch -> registered, signing in from the keyring: the app is
	// closed and started again, as at the next log-in to the desktop.
	rpc.Close()
	desktop.Stop(l.cmd)
	if l, err = launchApp(app, home, display, st); err != nil {
		return nil, err
	}
	select {
	case d := <-l.registered:
		f.LaunchToRegistered = ms(d)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the app did not sign in from the keyring and register within 30 s")
	}
	return f, nil
}

// idleAway is the idle CPU per minute while another window (xmessage) has
// the focus: the agent working in another app, the phone's window open.
func idleAway(display string, pids []int) (float64, error) {
	other := exec.Command("xmessage", "-geometry", "120x40+700+700", "another app")
	other.Env = append(os.Environ(), "DISPLAY="+display)
	if err := other.Start(); err != nil {
		return 0, fmt.Errorf("another window: %w", err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	var id string
	for end := time.Now().Add(5 * time.Second); id == "" && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		out, _ := xdotool(display, "search", "--class", "xmessage")
		id = strings.TrimSpace(strings.Split(out, "\n")[0])
	}
	if id == "" {
		return 0, fmt.Errorf("the other window did not appear")
	}
	if out, err := xdotool(display, "windowfocus", id); err != nil {
		return 0, fmt.Errorf("focus the other window: %v: %s", err, out)
	}
	time.Sleep(time.Second)
	c0, t0 := treeCPU(pids), time.Now()
	time.Sleep(idleSecs * time.Second)
	return (treeCPU(pids) - c0) / time.Since(t0).Minutes(), nil
}

// measureHidden closes the window (it hides to the tray), measures the
// hidden app, and rings it from the lab's caller phone: the time to the
// window shown.
func measureHidden(ctx context.Context, f *appFigures, l *launched, tray *desktop.TrayHost, display string, st *labctl.State, pids []int) error {
	if _, err := tray.WaitItem(ctx); err != nil {
		return fmt.Errorf("the app's tray icon: %w", err)
	}
	if err := desktop.CloseWindow(display, desktop.VisibleWindow(display)); err != nil {
		return err
	}
	for end := time.Now().Add(10 * time.Second); desktop.VisibleWindow(display) != ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			return fmt.Errorf("the window did not hide to the tray")
		}
	}
	time.Sleep(releaseAfter + 3*time.Second) // released, and settled
	pids = processTree(pids[0])              // WebKit's page process ended
	if probeHidden > 0 {
		fmt.Printf("probe: the window is hidden, its page released, for %v; the app's processes: %v (DISPLAY %s)\n", probeHidden, pids, display)
		time.Sleep(probeHidden)
	}
	c0, t0 := treeCPU(pids), time.Now()
	time.Sleep(idleSecs * time.Second)
	f.HiddenCPU = (treeCPU(pids) - c0) / time.Since(t0).Minutes()
	f.HiddenPSS = pssMB(pids)
	f.HiddenPSSBy = map[string]float64{}
	for _, p := range pids {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
		name := strings.TrimSpace(string(comm))
		f.HiddenPSSBy[name] += pssMB([]int{p})
		f.HiddenPSSBy[name+" (anonymous)"] += pssField([]int{p}, "Pss_Anon:")
	}
	for len(l.attached) > 0 {
		<-l.attached // the page's readings before (sign-in)
	}
	start := time.Now()
	if _, err := labctl.Ctrl(ctx, st.Caller.Ctrl, "dial", "sip:alice@"+st.Domain); err != nil {
		return fmt.Errorf("ring the hidden app: %w", err)
	}
	for desktop.VisibleWindow(display) == "" {
		if time.Since(start) > 15*time.Second {
			return fmt.Errorf("a call did not bring the hidden window up within 15 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.RingToWindow = ms(time.Since(start))
	select {
	case at := <-l.attached: // the released page loaded again and drawing
		f.RingToPage = ms(at.Sub(start))
	case <-time.After(10 * time.Second):
		return fmt.Errorf("the page did not load again within 10 s of the call")
	}
	if _, err := labctl.Ctrl(ctx, st.Caller.Ctrl, "hangup", ""); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // the call gone
	return nil
}

func xdotool(display string, args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// launched is a started app and what its output tells.
type launched struct {
	cmd        *exec.Cmd
	bridgeURL  chan string
	uiUp       chan time.Duration // the window's script asked for the state
	registered chan time.Duration // the SIP registration succeeded
	attached   chan time.Time     // each later "ui attached": the page loaded again
}

// launchApp starts the built app in the display with its bridge on, HOME
// (and so its settings) in home.
func launchApp(app, home, display string, st *labctl.State) (*launched, error) {
	const token = "bench-token-0123456789abcdef"
	cmd := exec.Command(app, "--bridge", "127.0.0.1:0", "--discovery-url", st.DiscoveryURL, "--settings", filepath.Join(home, "settings.json"),
		"--control", filepath.Join(home, "control.sock"))
	// The hidden window's page is released 5 s after hiding here (30 s by
	// default), so that the hidden figures see it released.
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+home, "VOICEDESK_BRIDGE_TOKEN="+token, "VOICEDESK_RELEASE_HIDDEN_AFTER="+releaseAfter.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("launch the app: %w", err)
	}
	l := &launched{cmd: cmd, bridgeURL: make(chan string, 1), uiUp: make(chan time.Duration, 1), registered: make(chan time.Duration, 1), attached: make(chan time.Time, 8)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "bridge "); ok {
				l.bridgeURL <- rest
			}
		}
	}()
	// The window's UI asks the backend for its state (State) once its
	// script has run: the login screen is up.
	go func() {
		sc := bufio.NewScanner(stderr)
		ui, reg := false, false
		for sc.Scan() {
			line := sc.Text()
			if appLog {
				fmt.Fprintln(os.Stderr, "app:", line)
			}
			if strings.Contains(line, `"msg":"ui attached"`) {
				if !ui {
					l.uiUp <- time.Since(start)
					ui = true
				} else {
					select {
					case l.attached <- time.Now():
					default:
					}
				}
			}
			if !reg && strings.Contains(line, `"msg":"registered"`) {
				l.registered <- time.Since(start)
				reg = true
			}
		}
	}()
	return l, nil
}

// processTree is pid and its descendants.
func processTree(root int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(pid); len(f) > 2 {
			pp, _ := strconv.Atoi(f[1])
			parent[pid] = pp
		}
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		for p, pp := range parent {
			if pp == out[i] {
				out = append(out, p)
			}
		}
	}
	return out
}

// statFields are /proc/PID/stat's fields after the command name.
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// treeCPU is the user + system CPU-seconds of the processes.
func treeCPU(pids []int) float64 {
	var ticks float64
	for _, p := range pids {
		if f := statFields(p); len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			ticks += u + s
		}
	}
	return ticks / 100 // USER_HZ
}

// threadCPU is the CPU-seconds of the processes' threads, summed by
// "process/thread" name (Go's and WebKit's pools share names).
func threadCPU(pids []int) map[string]float64 {
	out := map[string]float64{}
	for _, p := range pids {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", p))
		for _, t := range tasks {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", p, t.Name()))
			if err != nil {
				continue
			}
			s := string(b)
			name := s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) > 12 {
				u, _ := strconv.ParseFloat(f[11], 64)
				st, _ := strconv.ParseFloat(f[12], 64)
				out[strings.TrimSpace(string(comm))+"/"+name] += (u + st) / 100
			}
		}
	}
	return out
}

func pssMB(pids []int) float64 { return pssField(pids, "Pss:") }

// pssField sums one field of smaps_rollup ("Pss:", "Pss_Anon:",
// "Pss_File:") over the processes, in MB.
func pssField(pids []int, field string) float64 {
	var kb float64
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", p))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, field); ok {
				v, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				kb += v
			}
		}
	}
	return kb / 1024
}
