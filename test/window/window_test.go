// Package window is the app's window smoke test: the built VoiceDesk binary
// in a real X server (Xvfb), pointed at the real lab, checked by screenshots
// whose text is read back with OCR, and driven by the keyboard alone.
//
// It needs VOICEDESK_APP (the built app) and saves its screenshots under
// VOICEDESK_TEST_OUTPUT (default test-output/ at the repository root).
package window

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"voicedesk/test/desktop"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// startXvfb starts an X server for the test.
func startXvfb(t *testing.T) string {
	t.Helper()
	display, stop, err := desktop.Xvfb()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return display
}

func x(t *testing.T, display string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// screenshot captures the window and returns the PNG's path and its text.
func screenshot(t *testing.T, display, win, path string) string {
	t.Helper()
	x(t, display, "import", "-window", win, path)
	out, err := exec.Command("tesseract", path, "stdout", "--psm", "11").Output()
	if err != nil {
		t.Fatalf("OCR of %s: %v", path, err)
	}
	return string(out)
}

// colours counts the distinct colours of a PNG: a blank or black window has one or two.
func colours(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("identify", "-format", "%k", path).Output()
	if err != nil {
		t.Fatalf("identify %s: %v", path, err)
	}
	var n int
	fmt.Sscan(string(out), &n)
	return n
}

// clickText clicks the middle of the first word OCR reads as word, as a
// user would, wherever the layout put it.
func clickText(t *testing.T, display, win, path, word string) {
	t.Helper()
	x(t, display, "import", "-window", win, path)
	out, err := exec.Command("tesseract", path, "stdout", "--psm", "11", "tsv").Output()
	if err != nil {
		t.Fatalf("OCR of %s: %v", path, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 12 && strings.EqualFold(strings.TrimSpace(f[11]), word) {
			var left, top, w, h int
			fmt.Sscan(f[6]+" "+f[7]+" "+f[8]+" "+f[9], &left, &top, &w, &h)
			x(t, display, "xdotool", "mousemove", "--window", win, fmt.Sprint(left+w/2), fmt.Sprint(top+h/2), "click", "1")
			return
		}
	}
	t.Fatalf("%s: no %q to click; OCR read:\n%s", path, word, out)
}

func waitText(t *testing.T, display, win, path string, want ...string) string {
	t.Helper()
	var text string
	for i := 0; i < 20; i++ {
		text = screenshot(t, display, win, path)
		ok := true
		// OCR may change a letter's case; the words are what matter.
		for _, w := range want {
			if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
				ok = false
			}
		}
		if ok {
			return text
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: want %q in the window; OCR read:\n%s", path, want, text)
	return ""
}

func TestAppWindow(t *testing.T) {
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	out := desktop.OutputDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	st := labtest.Start(ctx, t)
	// A headless sound server, so that the app has a microphone, a headset
	// and a ringer as on a desk (the app inherits PULSE_SERVER).
	pulse.Start(t)

	display := startXvfb(t)
	dir := t.TempDir()
	// The integration API's port, chosen ahead (off until the user turns
	// it on in the settings).
	apiPort := desktop.FreePort(t)
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(fmt.Sprintf(`{"integration": {"port": %d}}`, apiPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(app, "-discovery-url", st.DiscoveryURL, "-settings", filepath.Join(dir, "settings.json"), "-control", filepath.Join(dir, "control.sock"))
	// The app's own home, where its choice of the desktop's app for phone
	// links lands (xdg-mime in its generic way).
	appHome := t.TempDir()
	appEnv := append(os.Environ(), "DISPLAY="+display, "HOME="+appHome, "XDG_DATA_HOME="+filepath.Join(appHome, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(appHome, "config"), "XDG_CURRENT_DESKTOP=", "DESKTOP_SESSION=")
	cmd.Env = appEnv
	logf, err := os.Create(filepath.Join(out, "app-window.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() { desktop.Stop(cmd) })

	// The window titled VoiceDesk appears.
	win := x(t, display, "xdotool", "search", "--sync", "--onlyvisible", "--limit", "1", "--name", "^VoiceDesk$")
	t.Logf("window %s after %v", win, time.Since(start).Round(time.Millisecond))

	t.Run("login window renders", func(t *testing.T) {
		shot := filepath.Join(out, "window-login.png")
		text := waitText(t, display, win, shot, "Sign in", "Username", "Password", "SSO", "Language")
		if n := colours(t, shot); n < 50 {
			t.Fatalf("%s has %d colours: not a rendered page", shot, n)
		}
		_ = text
	})

	t.Run("wrong password shows the error", func(t *testing.T) {
		x(t, display, "xdotool", "windowfocus", "--sync", win)
		// Keyboard only: Tab to the username, Tab to the password, Enter.
		x(t, display, "xdotool", "key", "--window", win, "Tab")
		x(t, display, "xdotool", "type", "--window", win, "--delay", "15", st.Demo[0].Username)
		x(t, display, "xdotool", "key", "--window", win, "Tab")
		x(t, display, "xdotool", "type", "--window", win, "--delay", "15", "not-the-password")
		x(t, display, "xdotool", "key", "--window", win, "Return")
		waitText(t, display, win, filepath.Join(out, "window-login-error.png"), "incorrect")
	})

	t.Run("the right password signs in against the lab", func(t *testing.T) {
		// Focus is still in the password field: replace its text.
		x(t, display, "xdotool", "key", "--window", win, "ctrl+a")
		x(t, display, "xdotool", "type", "--window", win, "--delay", "15", st.Demo[0].Password)
		x(t, display, "xdotool", "key", "--window", win, "Return")
		waitText(t, display, win, filepath.Join(out, "window-signed-in.png"), "Signed in as Alice Agent", "+358401000001", "Available")
	})

	t.Run("dial the lab's tone phone from the window and hang up", func(t *testing.T) {
		// The dial field has the focus after sign-in.
		x(t, display, "xdotool", "type", "--window", win, "--delay", "15", st.Tone.Number)
		x(t, display, "xdotool", "key", "--window", win, "Return")
		waitText(t, display, win, filepath.Join(out, "window-in-call.png"), "Connected", st.Tone.Number)
		clickText(t, display, win, filepath.Join(out, "window-in-call.png"), "Hang")
		waitText(t, display, win, filepath.Join(out, "window-call-ended.png"), "Call ended", "local-hangup")
	})

	t.Run("the settings screen opens with the devices", func(t *testing.T) {
		clickText(t, display, win, filepath.Join(out, "window-before-settings.png"), "Settings")
		text := waitText(t, display, win, filepath.Join(out, "window-sound.png"), "Desktop", "Start in the tray", "No system tray", "Microphone", "Speaker or headset")
		if strings.Contains(text, "No sound devices") {
			t.Fatalf("the app found no sound devices:\n%s", text)
		}
	})

	t.Run("the settings make VoiceDesk the app for phone links", func(t *testing.T) {
		shot := filepath.Join(out, "window-links.png")
		waitText(t, display, win, shot, "Phone links", "Open them with VoiceDesk")
		clickText(t, display, win, shot, "Open")
		waitText(t, display, win, filepath.Join(out, "window-links-ours.png"), "VoiceDesk opens them")
		for _, scheme := range []string{"tel", "callto", "sip", "sips"} {
			q := exec.Command("xdg-mime", "query", "default", "x-scheme-handler/"+scheme)
			q.Env = appEnv
			if got, err := q.Output(); err != nil || strings.TrimSpace(string(got)) != "voicedesk.desktop" {
				t.Errorf("%s: links open with %q (%v), want voicedesk.desktop", scheme, got, err)
			}
		}
	})

	t.Run("the settings have VoiceDesk start at login, in the tray", func(t *testing.T) {
		shot := filepath.Join(out, "window-autostart.png")
		waitText(t, display, win, shot, "Run VoiceDesk when I log in")
		clickText(t, display, win, shot, "Run")
		entry := filepath.Join(appHome, "config", "autostart", "voicedesk.desktop")
		var b []byte
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if b, _ = os.ReadFile(entry); len(b) > 0 {
				break
			}
		}
		// It runs this app (or, from a folder with a space, a link to it).
		var run string
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "Exec="); ok {
				if r, minimized := strings.CutSuffix(rest, " --minimized"); minimized {
					run = r
				}
			}
		}
		if got, _ := filepath.EvalSymlinks(run); run == "" || got != evalSymlinks(app) {
			t.Fatalf("the autostart entry %s:\n%s\nwant it to run %s --minimized", entry, b, app)
		}
		// Off again: the entry goes.
		clickText(t, display, win, shot, "Run")
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(entry); os.IsNotExist(err) {
				return
			}
		}
		t.Fatalf("the autostart entry %s is still there after the second click", entry)
	})

	t.Run("the integration API is turned on in the settings and takes a JSON-RPC client", func(t *testing.T) {
		if out, code := voicedesk(t, app, dir, "integration"); code != 1 || !strings.Contains(out, "the integration API is off") {
			t.Fatalf("before: exit %d, %q; want it off", code, out)
		}
		// Down to the section with the mouse wheel, over the page.
		x(t, display, "xdotool", "mousemove", "--window", win, "200", "340", "click", "--repeat", "20", "--delay", "20", "5")
		shot := filepath.Join(out, "window-integration-off.png")
		waitText(t, display, win, shot, "Integration API", "Allow integrations")
		clickText(t, display, win, shot, "Allow")
		time.Sleep(300 * time.Millisecond) // the address and token appear below
		x(t, display, "xdotool", "mousemove", "--window", win, "200", "340", "click", "--repeat", "20", "--delay", "20", "5")
		waitText(t, display, win, filepath.Join(out, "window-integration.png"), "Address", "Token", "New token")
		// What an integration connects with, from the running app.
		text, code := voicedesk(t, app, dir, "integration")
		var info struct{ RPC, Token string }
		if code != 0 || json.Unmarshal([]byte(text), &info) != nil || info.RPC != fmt.Sprintf("ws://127.0.0.1:%d/rpc", apiPort) || len(info.Token) < 32 {
			t.Fatalf("integration: exit %d, %q; want the port %d and a token", code, text, apiPort)
		}
		host := strings.TrimSuffix(strings.TrimPrefix(info.RPC, "ws://"), "/rpc")
		rpc, err := desktop.DialBridge(ctx, "http://"+host+"/?token="+info.Token)
		if err != nil {
			t.Fatal(err)
		}
		defer rpc.Close()
		res, err := rpc.Call("state")
		var state struct{ LoggedIn bool }
		if err != nil || json.Unmarshal(res, &state) != nil || !state.LoggedIn {
			t.Fatalf("State over the integration API: %s, %v; want signed in", res, err)
		}
		// Kept for the next start.
		b, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
		var saved struct {
			Integration struct {
				Enabled bool
				Port    int
			}
		}
		if json.Unmarshal(b, &saved) != nil || !saved.Integration.Enabled || saved.Integration.Port != apiPort {
			t.Fatalf("settings.json keeps %s", b)
		}
	})
}

// voicedesk runs a second launch against the window's app and returns
// what it printed and its exit code.
func voicedesk(t *testing.T, app, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(app, append([]string{"--control", filepath.Join(dir, "control.sock")}, args...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("voicedesk %v: %v", args, err)
	}
	return string(out), 0
}

func evalSymlinks(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p
	}
	return r
}
