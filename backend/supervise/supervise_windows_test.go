package supervise

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The test binary is its own supervised program, as in supervise_test.go
// (Unix).
func TestMain(m *testing.M) {
	if mode := os.Getenv("SUPERVISE_CHILD"); mode != "" {
		os.Exit(child(mode, os.Getenv("SUPERVISE_COUNT")))
	}
	os.Exit(m.Run())
}

// isProcessInJob is kernel32's (x/sys/windows has no wrapper).
var isProcessInJob = windows.NewLazySystemDLL("kernel32.dll").NewProc("IsProcessInJob")

func child(mode, countFile string) int {
	b, _ := os.ReadFile(countFile)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n++
	_ = os.WriteFile(countFile, []byte(strconv.Itoa(n)), 0o600)
	switch {
	case mode == "crash-twice" && n <= 2:
		return 3
	case mode == "run":
		// In a job: say so, then run until killed.
		var in int32
		_, _, _ = isProcessInJob.Call(uintptr(windows.CurrentProcess()), 0, uintptr(unsafe.Pointer(&in)))
		_ = os.WriteFile(countFile+".job", []byte(strconv.Itoa(int(in))), 0o600)
		time.Sleep(time.Minute)
	}
	return 0
}

// (Not t.TempDir: Go 1.26's RemoveAll fails under Wine 8.)
func tempDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "voicedesk-supervise-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			_ = os.Remove(filepath.Join(d, e.Name()))
		}
		_ = os.Remove(d)
	})
	return d
}

func command(t *testing.T, mode string) (func() *exec.Cmd, string) {
	count := filepath.Join(tempDir(t), "count")
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SUPERVISE_CHILD="+mode, "SUPERVISE_COUNT="+count)
		return cmd
	}, count
}

func TestRunOnWindows(t *testing.T) {
	t.Run("a crash is restarted, a clean exit ends it", func(t *testing.T) {
		mk, count := command(t, "crash-twice")
		n, err := Run(context.Background(), Config{Command: mk, First: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
		b, _ := os.ReadFile(count)
		if err != nil || n != 2 || strings.TrimSpace(string(b)) != "3" {
			t.Errorf("restarts %d, starts %s, %v; want 2 restarts, 3 starts", n, b, err)
		}
	})
	t.Run("the program runs in a job and is killed when asked to stop", func(t *testing.T) {
		mk, count := command(t, "run")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := Run(ctx, Config{Command: mk, Log: slog.New(slog.DiscardHandler)}); done <- err }()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if b, err := os.ReadFile(count + ".job"); err == nil {
				if string(b) != "1" {
					t.Errorf("the program is not in a job object (IsProcessInJob %s)", b)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the program did not start")
			}
		}
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("stopping took %v, want it killed at once (no SIGTERM on Windows)", d)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	})
}
