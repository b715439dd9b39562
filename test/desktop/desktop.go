// Package desktop is what the app's tests and benchmarks need to run it as
// on a desk: a private X server (Xvfb) and a way to stop the app's whole
// process group.
package desktop

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Xvfb starts an X server on a display it picks itself (-displayfd) and
// returns the display and how to stop it.
func Xvfb() (display string, stop func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer func() { _ = r.Close() }()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = w.Close()
		return "", nil, fmt.Errorf("start Xvfb: %w", err)
	}
	_ = w.Close()
	stop = func() { Stop(cmd) }
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("Xvfb did not report its display: %w", err)
	}
	return ":" + strings.TrimSpace(line), stop, nil
}

// Stop ends a child started with Setpgid and its process group: SIGTERM,
// then SIGKILL after 5 s.
func Stop(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}
