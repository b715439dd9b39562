// Package tray tests the app's tray icon and window on a desktop: the
// built app in Xvfb, a tray host on a private D-Bus session (the
// StatusNotifierWatcher a panel runs), the real lab. It needs VOICEDESK_APP
// and a D-Bus session (make test-desktop runs it in scripts/keyring-session.sh).
package tray

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"voicedesk/backend/platform"
	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
)

// waitMenu polls the tray's menu until it has the header want.
func waitMenu(t *testing.T, host *desktop.TrayHost, item, want string, d time.Duration) []desktop.MenuItem {
	t.Helper()
	end := time.Now().Add(d)
	for {
		menu, err := host.Menu(item)
		if err == nil && len(menu) > 0 && menu[0].Label == want {
			return menu
		}
		if time.Now().After(end) {
			t.Fatalf("tray menu %+v (%v); want the header %q", menu, err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitLine waits for a visible menu line labelled want.
func waitLine(t *testing.T, host *desktop.TrayHost, item, want string, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for {
		menu, err := host.Menu(item)
		for _, m := range menu {
			if m.Label == want && m.Visible {
				return
			}
		}
		if time.Now().After(end) {
			t.Fatalf("tray menu %+v (%v); want a line %q", menu, err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestTrayAndWindow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := desktop.NewDesk(ctx, t, true)
	app, lab, display := d.App, d.Lab, d.Display
	host, err := desktop.StartTrayHost()
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	home := t.TempDir()
	settings := filepath.Join(home, "settings.json")
	// The hidden window's page is released 2 s after hiding (30 s by default).
	env := []string{"DISPLAY=" + display, "HOME=" + home, "VOICEDESK_BRIDGE_TOKEN=tray-test-token-0123456789", "VOICEDESK_RELEASE_HIDDEN_AFTER=2s"}
	a := desktop.StartApp(t, app, filepath.Join(home, "app.log"), filepath.Join(home, "control.sock"), env,
		"--bridge", "127.0.0.1:0", "--discovery-url", lab.DiscoveryURL, "--settings", settings)
	rpc, err := desktop.DialBridge(ctx, a.Bridge(t, 20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer rpc.Close()
	desktop.WaitWindow(t, display, true, 20*time.Second)
	item, err := host.WaitItem(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("signed out: the tray says so and offers no availability", func(t *testing.T) {
		menu := waitMenu(t, host, item, "Signed out", 10*time.Second)
		for _, m := range menu[1:] {
			if m.Label == "Busy" && m.Enabled {
				t.Fatal("Busy can be chosen while signed out")
			}
		}
	})

	t.Run("signed in: name, availability and its colour", func(t *testing.T) {
		if _, err := rpc.Call("login", map[string]any{"type": "Credentials", "username": lab.Demo[0].Username, "password": lab.Demo[0].Password}); err != nil {
			t.Fatal(err)
		}
		if _, err := rpc.Call("setUserStatus", platform.StatusAvailable, ""); err != nil {
			t.Fatal(err)
		}
		menu := waitMenu(t, host, item, "Alice Agent: Available", 20*time.Second)
		checked := ""
		for _, m := range menu {
			if m.Checked {
				checked = m.Label
			}
		}
		if checked != "Available" {
			t.Fatalf("checked %q in %+v, want Available", checked, menu)
		}
		if tip, err := host.Tooltip(item); err != nil || tip != "VoiceDesk: Alice Agent: Available" {
			t.Fatalf("tooltip %q, %v", tip, err)
		}
		assertDot(t, host, item, [3]byte{0x2e, 0xa0, 0x43}) // green
	})

	t.Run("Busy from the tray reaches the platform", func(t *testing.T) {
		if err := host.Click(item, "Busy"); err != nil {
			t.Fatal(err)
		}
		waitMenu(t, host, item, "Alice Agent: Busy", 10*time.Second)
		res, err := rpc.Call("getUserStatus")
		if err != nil {
			t.Fatal(err)
		}
		var st platform.UserStatus
		if err := json.Unmarshal(res, &st); err != nil || st.EventTypeID != platform.StatusBusy {
			t.Fatalf("the lab's availability after Busy in the tray: %s (%v)", res, err)
		}
		assertDot(t, host, item, [3]byte{0xd3, 0x2f, 0x2f}) // red
	})

	t.Run("closing the window hides it; the phone keeps running", func(t *testing.T) {
		win := desktop.VisibleWindow(display)
		if err := desktop.CloseWindow(display, win); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, false, 10*time.Second)
		if s, err := a.Status(ctx); err != nil || !s.LoggedIn || s.Connection != "registered" {
			t.Fatalf("after closing the window: %+v, %v; want signed in and registered", s, err)
		}
		if err := host.Activate(item); err != nil { // the icon's click shows it again
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, true, 10*time.Second)
		if err := desktop.CloseWindow(display, desktop.VisibleWindow(display)); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, false, 10*time.Second)
		if err := host.Click(item, "Show VoiceDesk"); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, true, 10*time.Second)
	})

	t.Run("a call while the window is hidden brings it up; the icon blinks while it rings", func(t *testing.T) {
		if err := desktop.CloseWindow(display, desktop.VisibleWindow(display)); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, false, 10*time.Second)
		// Hidden a while, the page's process is ended (its memory freed).
		for end := time.Now().Add(10 * time.Second); a.PageProcesses() > 0; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("the hidden window's page process still runs 10 s after hiding (released after 2 s)")
			}
		}
		attached := a.Attachments()
		if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, true, 15*time.Second)
		// The page loads again and reads the phone's state (the call).
		for end := time.Now().Add(10 * time.Second); a.Attachments() == attached || a.PageProcesses() == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("the released page did not load again when the call raised the window (page processes %d)", a.PageProcesses())
			}
		}
		tip, err := host.Tooltip(item)
		if err != nil || !strings.Contains(tip, "Incoming call") {
			t.Errorf("tooltip while ringing %q, %v; want it to say Incoming call", tip, err)
		}
		// The icon blinks (its blue background, then green) while it rings.
		if seen, err := host.IconColours(item, 32, 3, 1600*time.Millisecond); err != nil || len(seen) != 2 {
			t.Errorf("while ringing the icon's background showed %x (%v), want a blink of two colours", seen, err)
		}
		if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
			t.Fatal(err)
		}
		if s, err := a.WaitStatus(ctx, 15*time.Second, func(s desktop.Status) bool { return len(s.Calls) == 0 }); err != nil {
			t.Fatalf("the call is still there after the caller hung up: %+v, %v", s, err)
		}
		// The caller gave up: the icon is steady again (at most its last
		// change is seen in a window).
		var seen [][4]byte
		var err2 error
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
			if seen, err2 = host.IconColours(item, 32, 3, 1200*time.Millisecond); err2 != nil || len(seen) <= 1 {
				break
			}
		}
		if err2 != nil || len(seen) > 1 {
			t.Errorf("after the caller hung up the icon's background showed %x (%v), want it steady", seen, err2)
		}
	})

	t.Run("the tray speaks the phone's language", func(t *testing.T) {
		if _, err := rpc.Call("setPhoneLanguage", "fi"); err != nil {
			t.Fatal(err)
		}
		waitMenu(t, host, item, "Alice Agent: Varattu", 10*time.Second)
		if _, err := rpc.Call("setPhoneLanguage", "en"); err != nil {
			t.Fatal(err)
		}
		// The next step clicks "Quit VoiceDesk": the menu must be in
		// English again first (it once still read Finnish, and the click
		// found no such line).
		waitMenu(t, host, item, "Alice Agent: Busy", 10*time.Second)
		waitLine(t, host, item, "Quit VoiceDesk", 10*time.Second)
	})

	t.Run("Quit ends the app", func(t *testing.T) {
		// Chosen in the settings view: start in the tray from now on.
		if _, err := rpc.Call("setDesktopSettings", map[string]any{"keepRunning": true, "startMinimized": true}); err != nil {
			t.Fatal(err)
		}
		if err := host.Click(item, "Quit VoiceDesk"); err != nil {
			t.Fatal(err)
		}
		a.WaitExit(t, 15*time.Second, "Quit")
	})

	t.Run("start minimized: in the tray, no window until asked", func(t *testing.T) {
		b := desktop.StartApp(t, app, filepath.Join(home, "app-minimized.log"), filepath.Join(home, "control.sock"), env,
			"--bridge", "127.0.0.1:0", "--discovery-url", lab.DiscoveryURL, "--settings", settings)
		rpc, err := desktop.DialBridge(ctx, b.Bridge(t, 20*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer rpc.Close()
		item, err := waitNewItem(ctx, host, item)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // a window would have been shown by now
		if w := desktop.VisibleWindow(display); w != "" {
			t.Fatalf("a window (%s) is shown with --minimized and a tray", w)
		}
		if err := host.Click(item, "Show VoiceDesk"); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, true, 10*time.Second)

		// Not kept running: closing the window quits.
		if _, err := rpc.Call("setDesktopSettings", map[string]any{"keepRunning": false, "startMinimized": false}); err != nil {
			t.Fatal(err)
		}
		if err := desktop.CloseWindow(display, desktop.VisibleWindow(display)); err != nil {
			t.Fatal(err)
		}
		b.WaitExit(t, 15*time.Second, "its window was closed with keep-running off")
	})

	// Wails closes the window on SIGTERM through its own handler, which asks
	// beforeClose; with keep-running on, a close that came before the app
	// saw the signal itself was hidden to the tray and the app ran on.
	t.Run("SIGTERM ends the app, even kept running with a tray", func(t *testing.T) {
		c := desktop.StartApp(t, app, filepath.Join(home, "app-sigterm.log"), filepath.Join(home, "control.sock"), env,
			"--bridge", "127.0.0.1:0", "--discovery-url", lab.DiscoveryURL, "--settings", settings)
		rpc, err := desktop.DialBridge(ctx, c.Bridge(t, 20*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer rpc.Close()
		if _, err := rpc.Call("setDesktopSettings", map[string]any{"keepRunning": true, "startMinimized": false}); err != nil {
			t.Fatal(err)
		}
		desktop.WaitWindow(t, display, true, 10*time.Second)
		if err := c.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		c.WaitExit(t, 15*time.Second, "SIGTERM")
	})
}

// waitNewItem waits for an item other than old to register.
func waitNewItem(ctx context.Context, host *desktop.TrayHost, old string) (string, error) {
	for {
		it, err := host.WaitItem(ctx)
		if err != nil || it != old {
			return it, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// assertDot checks the tray icon's availability dot (ARGB pixels).
func assertDot(t *testing.T, host *desktop.TrayHost, item string, rgb [3]byte) {
	t.Helper()
	var got []byte
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		w, _, pix, err := host.Icon(item)
		if err != nil {
			t.Fatal(err)
		}
		at := (50*w + 50) * 4
		if at+4 <= len(pix) {
			got = pix[at : at+4]
			if got[1] == rgb[0] && got[2] == rgb[1] && got[3] == rgb[2] {
				return
			}
		}
	}
	t.Fatalf("the tray icon's dot is ARGB %x, want RGB %x", got, rgb)
}
