// Package kiosk tests the app as an unattended kiosk station: the built
// app in Xvfb against the real lab, signed in from the OS keyring (GNOME
// Keyring in a private D-Bus session: make test-desktop), and left alone
// while the lab's Kamailio is restarted and the app itself crashes.
package kiosk

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
	"voicedesk/test/labtest"
)

// shot screenshots the window until its text has every word of want and
// none of absent.
func shot(t *testing.T, display, win, path string, want, absent []string) string {
	t.Helper()
	var text string
	var err error
	for i := 0; i < 30; i++ {
		text, err = desktop.Screenshot(display, win, path)
		if err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(text)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(low, strings.ToLower(w))
		}
		for _, w := range absent {
			ok = ok && !strings.Contains(low, strings.ToLower(w))
		}
		if ok {
			return text
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: want %q and not %q; OCR read:\n%s", path, want, absent, text)
	return ""
}

// child is the supervisor's child process: the app itself (read from
// /proc: no procps needed).
func child(t *testing.T, supervisor int) int {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, f := range stats {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
			_, rest, _ := strings.Cut(string(b), ") ")
			if fields := strings.Fields(rest); len(fields) > 1 && fields[1] == strconv.Itoa(supervisor) && fields[0] != "Z" {
				pid, _ := strconv.Atoi(strings.Split(f, "/")[2])
				return pid
			}
		}
	}
	t.Fatalf("the supervisor (pid %d) has no child", supervisor)
	return 0
}

func TestKioskRecoversByItself(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d := desktop.NewDesk(ctx, t, true) // the bus: the OS keyring
	app, lab, display := d.App, d.Lab, d.Display
	out := desktop.OutputDir(t)
	home := t.TempDir()
	alice := "sip:alice@" + lab.Domain

	// The administrator's lock: a policy file, as /etc/voicedesk/policy.json.
	policy := filepath.Join(home, "policy.json")
	if err := os.WriteFile(policy, []byte(`{"kiosk": true, "discoveryUrl": "`+lab.DiscoveryURL+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A lost connection is given up on after 6 s (default 5 minutes), so
	// that the test sees the kiosk sign in again from scratch.
	a := desktop.StartApp(t, app, filepath.Join(out, "app-kiosk.log"), filepath.Join(home, "control.sock"),
		[]string{"DISPLAY=" + display, "HOME=" + home, "VOICEDESK_BRIDGE_TOKEN=kiosk-test-token-0123456789"},
		"--policy", policy, "--bridge", "127.0.0.1:0", "--settings", filepath.Join(home, "settings.json"),
		"--sip-give-up", "6s")
	bridge := a.Bridge(t, 20*time.Second)
	win := desktop.WaitWindow(t, display, true, 20*time.Second)

	t.Run("full screen, and remember me is not a choice", func(t *testing.T) {
		var w, h int
		var err error
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && (w != 1280 || h != 800); time.Sleep(100 * time.Millisecond) {
			w, h, err = desktop.Geometry(display, win)
		}
		if err != nil || w != 1280 || h != 800 {
			t.Fatalf("the kiosk window is %dx%d (%v), want the screen's 1280x800", w, h, err)
		}
		shot(t, display, win, filepath.Join(out, "kiosk-login.png"), []string{"Sign in", "signs in by itself"}, []string{"Remember me"})
	})

	t.Run("signed in once, locked: no settings, no sign-out, no closing", func(t *testing.T) {
		// A start that failed (the supervisor then started the app again,
		// as it should) is told, with the log's reason, and the new app's
		// bridge is the one to use.
		if b, _ := os.ReadFile(a.Log); strings.Contains(string(b), "the program crashed") {
			t.Logf("the app was restarted at start; its log:\n%s", b)
		}
		rpc, err := desktop.DialBridge(ctx, a.LatestBridge(bridge))
		if err != nil {
			t.Fatal(err)
		}
		defer rpc.Close()
		// rememberMe is not asked for: a kiosk keeps the login anyway.
		if _, err := rpc.Call("login", map[string]any{"type": "Credentials", "username": lab.Demo[0].Username, "password": lab.Demo[0].Password}); err != nil {
			t.Fatal(err)
		}
		if s, err := a.WaitStatus(ctx, 20*time.Second, func(s desktop.Status) bool { return s.LoggedIn && s.Kiosk }); err != nil {
			t.Fatalf("status %+v: %v", s, err)
		}
		shot(t, display, win, filepath.Join(out, "kiosk-signed-in.png"), []string{"Signed in as Alice Agent"}, []string{"Settings", "Sign out"})
		if err := desktop.CloseWindow(display, win); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if w := desktop.WaitWindow(t, display, true, 2*time.Second); w != win {
			t.Fatalf("the window changed from %s to %s after a close", win, w)
		}
	})

	t.Run("Kamailio restarted: the kiosk signs in again with no input", func(t *testing.T) {
		if err := labctl.StopComponent(lab, "kamailio"); err != nil {
			t.Fatal(err)
		}
		defer labtest.RestartPhones(ctx, t, lab)
		// Given up on: the phone restarts itself, signed out while the
		// SIP server is away.
		if s, err := a.WaitStatus(ctx, 30*time.Second, func(s desktop.Status) bool { return !s.LoggedIn }); err != nil {
			t.Fatalf("the kiosk did not restart its phone with Kamailio down: %+v, %v", s, err)
		}
		if err := labctl.StartComponent(ctx, lab, "kamailio"); err != nil {
			t.Fatal(err)
		}
		back := time.Now()
		if s, err := a.WaitStatus(ctx, 45*time.Second, func(s desktop.Status) bool { return s.LoggedIn && s.Connection == "registered" }); err != nil {
			t.Fatalf("not signed in again after Kamailio came back: %+v, %v", s, err)
		}
		if err := labctl.Ping(ctx, lab, alice); err != nil {
			t.Fatalf("Kamailio cannot reach the kiosk: %v", err)
		}
		t.Logf("in service again %v after Kamailio came back", time.Since(back).Round(100*time.Millisecond))
	})

	t.Run("the app crashes: restarted, signed in from the keyring", func(t *testing.T) {
		pid := child(t, a.Cmd.Process.Pid)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		crashed := time.Now()
		for child(t, a.Cmd.Process.Pid) == pid {
			if time.Since(crashed) > 20*time.Second {
				t.Fatalf("the crashed app (pid %d) is still the supervisor's child", pid)
			}
			time.Sleep(100 * time.Millisecond)
		}
		a.Bridge(t, 20*time.Second) // the new app's bridge
		if s, err := a.WaitStatus(ctx, 45*time.Second, func(s desktop.Status) bool { return s.LoggedIn && s.Connection == "registered" }); err != nil {
			t.Fatalf("not signed in after the restart: %+v, %v", s, err)
		}
		if err := labctl.Ping(ctx, lab, alice); err != nil {
			t.Fatalf("Kamailio cannot reach the restarted kiosk: %v", err)
		}
		t.Logf("in service again %v after the crash", time.Since(crashed).Round(100*time.Millisecond))
		win := desktop.WaitWindow(t, display, true, 10*time.Second)
		shot(t, display, win, filepath.Join(out, "kiosk-after-crash.png"), []string{"Signed in as Alice Agent"}, []string{"Settings", "Sign out"})
	})

	t.Run("SIGTERM stops the kiosk, app and all", func(t *testing.T) {
		pid := child(t, a.Cmd.Process.Pid)
		if err := a.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		a.WaitExit(t, 20*time.Second, "SIGTERM to the kiosk's supervisor")
		if err := syscall.Kill(pid, 0); err == nil {
			t.Fatalf("the app (pid %d) outlived its supervisor", pid)
		}
	})
}
