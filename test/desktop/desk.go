package desktop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// Desk is what a test of the built app on a desktop needs: the app
// (VOICEDESK_APP), the lab, a headless sound server (inherited by the app
// through PULSE_SERVER) and an X server.
type Desk struct {
	App     string
	Lab     *labctl.State
	Display string
}

// NewDesk sets up a desk, torn down when the test ends. withBus: the test
// needs a D-Bus session (a tray host, the keyring), given by
// scripts/keyring-session.sh.
func NewDesk(ctx context.Context, t *testing.T, withBus bool) *Desk {
	t.Helper()
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	if withBus && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no D-Bus session: run under scripts/keyring-session.sh (make test does)")
	}
	lab := labtest.Start(ctx, t)
	pulse.Start(t)
	display, stop, err := Xvfb()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return &Desk{App: app, Lab: lab, Display: display}
}

// OutputDir is where screenshots and logs are kept: VOICEDESK_TEST_OUTPUT,
// default test-output/ at the repository root.
func OutputDir(t testing.TB) string {
	dir := os.Getenv("VOICEDESK_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// VisibleWindow returns the id of the visible window titled VoiceDesk on
// display, "" when there is none.
func VisibleWindow(display string) string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^VoiceDesk$")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output()
	return strings.TrimSpace(strings.Split(string(out), "\n")[0])
}

// WaitWindow waits up to d for the window to be visible (or gone) and
// returns its id.
func WaitWindow(t testing.TB, display string, visible bool, d time.Duration) string {
	t.Helper()
	end := time.Now().Add(d)
	for {
		w := VisibleWindow(display)
		if (w != "") == visible {
			return w
		}
		if time.Now().After(end) {
			t.Fatalf("the window is visible %v after %v; want %v", w != "", d, visible)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
