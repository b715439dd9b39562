package desktop

import (
	"bytes"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Headless is an app started with --headless and --bridge: its bridge's
// page URL, and its log (standard error).
type Headless struct {
	Cmd *exec.Cmd
	URL string
	log lockedBuffer
}

// Log is what the app has logged so far.
func (h *Headless) Log() string { return h.log.String() }

// StartHeadless starts cmd (the app, or a wrapper that runs it: chroot,
// Wine, with --headless --bridge 127.0.0.1:0) in its own process group,
// waits up to d for the bridge it reports, and at the test's end stops it
// and, if the test failed, shows its log under what ("the exe under Wine").
func StartHeadless(t testing.TB, cmd *exec.Cmd, d time.Duration, what string) *Headless {
	t.Helper()
	h := &Headless{Cmd: cmd}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = &h.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", what, err)
	}
	t.Cleanup(func() {
		Stop(cmd)
		if t.Failed() {
			t.Logf("the log of %s:\n%s", what, h.Log())
		}
	})
	if h.URL = BridgeURL(stdout, d); h.URL == "" {
		t.Fatalf("%s did not report its bridge within %v", what, d)
	}
	return h
}

// lockedBuffer is a bytes.Buffer the app's log goroutine writes while the
// test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
