package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"voicedesk/test/desktop"
)

// floorFigures are the mandated stack's own: a GTK window with one
// WebKitGTK view and a one-line page (bench/webkitfloor), measured as the
// app is. Nothing the app does can take its figures below these.
type floorFigures struct {
	OpenPSS, HiddenPSS float64 // MB, all its processes
	IdleCPU            float64 // s/min, the page shown and idle
}

// measureFloor builds and runs bench/webkitfloor in its own Xvfb: PSS 5 s
// after its page is drawn, the idle CPU over idleSecs, then PSS after the
// window was hidden and its page's process ended, as long after as the
// app's hidden figure is taken.
func measureFloor(ctx context.Context) (*floorFigures, error) {
	dir, err := os.MkdirTemp("", "voicedesk-floor-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := filepath.Join(dir, "webkitfloor")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./bench/webkitfloor").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build bench/webkitfloor: %v: %s", err, out)
	}
	display, stopX, err := desktop.Xvfb()
	if err != nil {
		return nil, err
	}
	defer stopX()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the floor window: %w", err)
	}
	defer desktop.Stop(cmd)
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
	}()
	wait := func(what string, d time.Duration) error {
		for end := time.After(d); ; {
			select {
			case l, ok := <-lines:
				if !ok {
					return fmt.Errorf("the floor window ended before %q", what)
				}
				if l == what {
					return nil
				}
			case <-end:
				return fmt.Errorf("the floor window did not say %q within %v", what, d)
			}
		}
	}
	if err := wait("loaded", 30*time.Second); err != nil {
		return nil, err
	}
	f := &floorFigures{}
	time.Sleep(5 * time.Second)
	pids := processTree(cmd.Process.Pid)
	f.OpenPSS = pssMB(pids)
	c0, t0 := treeCPU(pids), time.Now()
	time.Sleep(idleSecs * time.Second)
	f.IdleCPU = (treeCPU(pids) - c0) / time.Since(t0).Minutes()
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return nil, err
	}
	if err := wait("hidden", 10*time.Second); err != nil {
		return nil, err
	}
	// As the app's hidden figures: 3 s to settle, then the idle minute's
	// 30 s.
	time.Sleep(3*time.Second + idleSecs*time.Second)
	f.HiddenPSS = pssMB(processTree(cmd.Process.Pid))
	return f, nil
}
