package kiosk

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
)

// TestKilledMidCall: a desk user's app (not a kiosk, "remember me" ticked)
// is killed with SIGKILL in the middle of a call, and started again. It
// signs in by itself from the OS keyring, has no call left over from the
// dead one, takes calls (the lab's proxy reaches it) and places one.
func TestKilledMidCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := desktop.NewDesk(ctx, t, true) // the bus: the OS keyring
	app, lab := d.App, d.Lab
	out := desktop.OutputDir(t)
	home := t.TempDir()
	env := []string{"DISPLAY=" + d.Display, "HOME=" + home, "VOICEDESK_BRIDGE_TOKEN=crash-test-token-0123456789"}
	args := []string{"--bridge", "127.0.0.1:0", "--discovery-url", lab.DiscoveryURL, "--settings", filepath.Join(home, "settings.json")}
	control := filepath.Join(home, "control.sock")
	a := desktop.StartApp(t, app, filepath.Join(out, "app-crash-1.log"), control, env, args...)
	rpc, err := desktop.DialBridge(ctx, a.Bridge(t, 20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rpc.Call("login", map[string]any{"type": "Credentials", "username": lab.Demo[0].Username, "password": lab.Demo[0].Password, "rememberMe": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := rpc.Call("call", lab.Tone.Number); err != nil {
		t.Fatal(err)
	}
	if s, err := a.WaitStatus(ctx, 20*time.Second, connected); err != nil {
		t.Fatalf("no call up: %+v, %v", s, err)
	}
	time.Sleep(time.Second)
	rpc.Close()
	if err := syscall.Kill(a.Cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.Cmd.Wait()

	b := desktop.StartApp(t, app, filepath.Join(out, "app-crash-2.log"), control, env, args...)
	url := b.Bridge(t, 20*time.Second)
	s, err := b.WaitStatus(ctx, 30*time.Second, func(s desktop.Status) bool { return s.LoggedIn && s.Connection == "registered" })
	if err != nil {
		t.Fatalf("not signed in again after the crash: %+v, %v", s, err)
	}
	if len(s.Calls) != 0 {
		t.Fatalf("the restarted app shows %d calls from before the crash: %+v", len(s.Calls), s.Calls)
	}
	if err := labctl.Ping(ctx, lab, "sip:alice@"+lab.Domain); err != nil {
		t.Fatalf("the proxy does not reach the restarted app: %v", err)
	}
	rpc2, err := desktop.DialBridge(ctx, b.LatestBridge(url))
	if err != nil {
		t.Fatal(err)
	}
	defer rpc2.Close()
	if _, err := rpc2.Call("call", lab.Tone.Number); err != nil {
		t.Fatalf("a call after the restart: %v", err)
	}
	if s, err := b.WaitStatus(ctx, 20*time.Second, connected); err != nil {
		t.Fatalf("the call after the restart: %+v, %v", s, err)
	}
}

// connected: the app has one call, and it is up.
func connected(s desktop.Status) bool {
	if len(s.Calls) != 1 {
		return false
	}
	c, ok := s.Calls[0].(map[string]any)
	return ok && c["state"] == "connected"
}
