package labctl

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a lab component started by Up, recorded in the state file so
// that Down (maybe from another process) stops exactly it, by pid.
type Process struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	// StartTicks is the process start time from /proc/PID/stat; a pid whose
	// start time differs was reused by another program and is never signalled.
	StartTicks uint64   `json:"startTicks"`
	Log        string   `json:"log"`
	Argv       []string `json:"argv"` // to start it again (StartComponent)
	// exited gives how a process this lab started ended (its wait
	// status), for the error of one that died during start-up; nil for a
	// process read back from the state file.
	exited <-chan error
}

// exitStatus is how the process ended ("exit status 1", "signal:
// segmentation fault"), when this lab started it and it has been reaped
// within a second; "" otherwise.
func (p Process) exitStatus() string {
	if p.exited == nil {
		return ""
	}
	select {
	case err := <-p.exited:
		if err == nil {
			return "exit status 0"
		}
		return err.Error()
	case <-time.After(time.Second):
		return ""
	}
}

// start runs argv with its output in logPath, in a process group of its own
// so that its children (Kamailio's workers) stop with it.
func (r *runner) start(name, logPath string, argv ...string) (Process, error) {
	return r.startLog(name, logPath, os.O_TRUNC, argv...)
}

func (r *runner) startLog(name, logPath string, mode int, argv ...string) (Process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|mode, 0o644)
	if err != nil {
		return Process{}, fmt.Errorf("open log of %s: %w", name, err)
	}
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if r.dieWithCaller {
		// Killed when the caller ends. Kamailio gets SIGTERM, so that it
		// stops its workers (a SIGKILL of its main process leaves them
		// running); the others, which start no processes, get SIGKILL:
		// baresip's graceful stop unregisters first and, with Kamailio
		// going too, waits well over 5 s for the answers. Pdeathsig
		// follows the thread that forked the child, and Go ends a thread
		// whose goroutine exits while locked to it, anywhere in the
		// program: such children are started on the spawner's thread,
		// which lives as long as the process.
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
		if name == "kamailio" {
			cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		}
	}
	cmd.Env = append(os.Environ(), "HOME="+r.dir)
	start := cmd.Start
	if r.dieWithCaller {
		start = func() error { return onSpawner(cmd.Start) }
	}
	if err := start(); err != nil {
		return Process{}, fmt.Errorf("start %s (%s): %w", name, argv[0], err)
	}
	exited := make(chan error, 1)
	p := Process{Name: name, PID: cmd.Process.Pid, Log: logPath, Argv: argv, exited: exited}
	p.StartTicks, _ = startTicks(p.PID)
	// Reap it when it ends, so that a stopped child does not linger as a
	// zombie while this process lives (the lab's tests run it in-process),
	// and keep how it ended.
	go func() { exited <- cmd.Wait() }()
	return p, nil
}

// startTicks reads field 22 of /proc/PID/stat.
func startTicks(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after ")" are plain.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	fields := strings.Fields(s[i+1:])
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 {
		return 0, errors.New("short stat")
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// procState returns the one-letter state of pid, or "" when it is gone.
func procState(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// Alive says whether the recorded process still runs (a zombie does not).
func (p Process) Alive() bool {
	st := procState(p.PID)
	if st == "" || st == "Z" || st == "X" {
		return false
	}
	if p.StartTicks != 0 {
		if t, err := startTicks(p.PID); err != nil || t != p.StartTicks {
			return false
		}
	}
	return true
}

// groupAlive says whether any process of p's process group remains.
func (p Process) groupAlive() bool {
	if p.Alive() {
		return true
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pgid, err := syscall.Getpgid(pid); err == nil && pgid == p.PID {
			if st := procState(pid); st != "" && st != "Z" && st != "X" {
				return true
			}
		}
	}
	return false
}

// Stop ends the process group: SIGTERM, a grace period, then SIGKILL
// (baresip sometimes ignores SIGTERM). It never signals a reused pid.
func (p Process) Stop(grace time.Duration) error {
	if !p.Alive() && !p.groupAlive() {
		return nil
	}
	if p.Alive() {
		_ = syscall.Kill(-p.PID, syscall.SIGTERM)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !p.groupAlive() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	for i := 0; i < 40; i++ {
		if !p.groupAlive() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s (pid %d) did not stop", p.Name, p.PID)
}

// The spawner: one goroutine locked to its thread for the process's life,
// which starts the components tied to the caller (their Pdeathsig fires
// when that thread ends, so it must not end before the process does).
var (
	spawnOnce sync.Once
	spawnReq  chan func()
)

// onSpawner runs f on the spawner's thread and returns its error.
func onSpawner(f func() error) error {
	spawnOnce.Do(func() {
		spawnReq = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread stays this goroutine's
			for g := range spawnReq {
				g()
			}
		}()
	})
	done := make(chan error, 1)
	spawnReq <- func() { done <- f() }
	return <-done
}
