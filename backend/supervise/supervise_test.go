//go:build unix

package supervise

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary is its own supervised program: SUPERVISE_CHILD says how
// it behaves, and each start is counted in SUPERVISE_COUNT's file.
func TestMain(m *testing.M) {
	if mode := os.Getenv("SUPERVISE_CHILD"); mode != "" {
		os.Exit(child(mode, os.Getenv("SUPERVISE_COUNT")))
	}
	os.Exit(m.Run())
}

func child(mode, countFile string) int {
	b, _ := os.ReadFile(countFile)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n++
	_ = os.WriteFile(countFile, []byte(strconv.Itoa(n)), 0o600)
	switch {
	case mode == "crash-twice" && n <= 2:
		return 3
	case mode == "killed-once" && n == 1:
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case mode == "run":
		// Until SIGTERM, which ends it (the default action).
		time.Sleep(time.Minute)
	}
	return 0
}

func command(t *testing.T, mode string) (func() *exec.Cmd, func() int) {
	count := filepath.Join(t.TempDir(), "count")
	mk := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SUPERVISE_CHILD="+mode, "SUPERVISE_COUNT="+count)
		return cmd
	}
	starts := func() int {
		b, _ := os.ReadFile(count)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	return mk, starts
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		mode         string
		wantRestarts int
		wantStarts   int
	}{
		{"clean", 0, 1},       // a clean exit is the end
		{"crash-twice", 2, 3}, // exit 3, twice: restarted each time
		{"killed-once", 1, 2}, // killed by a signal: restarted
	} {
		t.Run(tc.mode, func(t *testing.T) {
			mk, starts := command(t, tc.mode)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			restarts, err := Run(ctx, Config{Command: mk, First: 10 * time.Millisecond, Max: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			if restarts != tc.wantRestarts || starts() != tc.wantStarts {
				t.Fatalf("restarts %d, starts %d; want %d, %d", restarts, starts(), tc.wantRestarts, tc.wantStarts)
			}
		})
	}
}

func TestRunStopsTheProgramWhenAskedTo(t *testing.T) {
	mk, starts := command(t, "run")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{Command: mk, Log: slog.New(slog.DiscardHandler)})
		done <- err
	}()
	for end := time.Now().Add(10 * time.Second); starts() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the program did not start")
		}
	}
	began := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended (the program was not stopped)")
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("stopping took %v: the program waited for the kill, not SIGTERM", took)
	}
	if starts() != 1 {
		t.Fatalf("%d starts, want 1 (a stopped program is not restarted)", starts())
	}
}

func TestRunReportsAProgramThatCannotStart(t *testing.T) {
	_, err := Run(context.Background(), Config{Command: func() *exec.Cmd { return exec.Command(filepath.Join(t.TempDir(), "missing")) }})
	if err == nil || !strings.Contains(err.Error(), "start ") {
		t.Fatalf("got %v, want a start error", err)
	}
}

// A kiosk's first start carries out its link; a restart after a crash does
// not dial it again.
func TestChildRestartsWithoutTheCommand(t *testing.T) {
	next := Child("/bin/app", []string{"--kiosk", "tel:+358401"}, []string{"--kiosk"}, "SUPERVISED=1")
	first, again := next(), next()
	if got := strings.Join(first.Args[1:], " "); got != "--kiosk tel:+358401" {
		t.Errorf("first start %q", got)
	}
	if got := strings.Join(again.Args[1:], " "); got != "--kiosk" {
		t.Errorf("restart %q, want the flags only", got)
	}
	if !slices.Contains(again.Env, "SUPERVISED=1") {
		t.Error("the child is not told it is supervised")
	}
}
