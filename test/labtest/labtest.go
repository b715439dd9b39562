// Package labtest starts the real lab for integration tests: it builds the
// lab command (which "lab up" runs again as the API server process) and
// stops every process it started, by pid, when the test ends.
package labtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"voicedesk/lab/labctl"
	"voicedesk/test/keep"
)

// Build builds the lab command into a temporary folder and returns its path.
func Build(t testing.TB) string {
	t.Helper()
	bin, err := build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// BuildTo builds the lab command into dir, for TestMain (no testing.TB
// there); it panics on failure, which fails the test binary.
func BuildTo(dir string) string {
	bin, err := build(dir)
	if err != nil {
		panic(err)
	}
	return bin
}

func build(dir string) (string, error) {
	bin := filepath.Join(dir, "lab")
	if out, err := exec.Command("go", "build", "-o", bin, "voicedesk/lab/cmd/lab").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build lab: %v\n%s", err, out)
	}
	return bin, nil
}

// Start starts a lab in its own folder and stops it when the test ends
// (Down is idempotent, so a test may also stop it itself). A component that
// dies while starting (seen: a baresip now and then, right after another
// lab went down) is reported with its log and the lab started once more, on
// fresh ports; a second failure fails the test.
func Start(ctx context.Context, t testing.TB) *labctl.State {
	t.Helper()
	bin := Build(t)
	for try := 1; ; try++ {
		var progress strings.Builder
		// Tied to this test binary: a test that panics skips its cleanups,
		// and its lab would run on.
		st, err := labctl.Up(ctx, labctl.Config{Dir: t.TempDir(), LabBinary: bin, Progress: &progress, DieWithCaller: true})
		if err == nil {
			t.Cleanup(func() {
				_ = labctl.Down(st)
				keep.Files(t, "lab", filepath.Join(st.Dir, "logs"), filepath.Join(st.Dir, labctl.LedgerFile))
			})
			return st
		}
		var ce *labctl.ComponentError
		if try == 1 && errors.As(err, &ce) {
			log, _ := os.ReadFile(ce.Log)
			t.Logf("lab up: %v; its log:\n%s\nstarting the lab again", err, tail(string(log), 20))
			continue
		}
		t.Fatalf("lab up: %v\n%s", err, progress.String())
	}
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}

// DTMFReceived reads the DTMF keys a lab phone logged receiving since
// offset bytes into its log (logs/baresip-<name>.log): by SIP INFO or as
// RFC 4733 events. It returns them and the log's length, the next offset.
func DTMFReceived(st *labctl.State, phone string, offset int) (string, int) {
	log, _ := os.ReadFile(filepath.Join(st.Dir, "logs", "baresip-"+phone+".log"))
	digits := ""
	for _, line := range strings.Split(string(log[min(offset, len(log)):]), "\n") {
		// INFO: "received DTMF: '5' (duration=100)"; RFC 4733: "received
		// event: '5' (end=0)" then "(end=1)", counted once at its end.
		if i := strings.Index(line, "received DTMF: '"); i >= 0 && i+16 < len(line) {
			digits += string(line[i+16])
		}
		if i := strings.Index(line, "received event: '"); i >= 0 && i+17 < len(line) && strings.Contains(line, "(end=1)") {
			digits += string(line[i+17])
		}
	}
	return digits, len(log)
}

// RestartPhones restarts the lab's baresip phones: after Kamailio was
// restarted they would register again only after 5 minutes, so that the
// tests after it find the lab as it was.
func RestartPhones(ctx context.Context, t testing.TB, st *labctl.State) {
	t.Helper()
	for _, name := range []string{"baresip-tone", "baresip-caller", "baresip-early", "baresip-monitor"} {
		if err := labctl.StopComponent(st, name); err != nil {
			t.Error(err)
		}
		if err := labctl.StartComponent(ctx, st, name); err != nil {
			t.Error(err)
		}
	}
}
