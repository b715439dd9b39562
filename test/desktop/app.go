package desktop

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"voicedesk/backend/instance"
	"voicedesk/test/keep"
	"voicedesk/test/labtest"
)

// App is a launched VoiceDesk: its process, its log, and the bridge
// addresses it printed (one per start: a kiosk's supervisor starts the app
// again after a crash).
type App struct {
	Cmd     *exec.Cmd
	Log     string
	Control string
	Bridges chan string
}

// StartApp launches bin with args and env (added to this process's), its
// output in logPath, stopped (and its log shown on failure) when the test
// ends.
func StartApp(t testing.TB, bin, logPath, control string, env []string, args ...string) *App {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--control", control}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the app: %v", err)
	}
	a := &App{Cmd: cmd, Log: logPath, Control: control, Bridges: make(chan string, 10)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "bridge "); ok {
				a.Bridges <- rest
			} else {
				_, _ = logf.WriteString(sc.Text() + "\n")
			}
		}
	}()
	for _, e := range env {
		if tok, ok := strings.CutPrefix(e, "VOICEDESK_BRIDGE_TOKEN="); ok {
			keep.Secret("integration-token", tok)
		}
	}
	t.Cleanup(func() {
		Stop(cmd)
		_ = logf.Close()
		keep.Files(t, "app", logPath)
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 20000 {
				b = b[len(b)-20000:]
			}
			t.Logf("the app's log (%s), its end:\n%s", logPath, b)
		}
	})
	return a
}

// Bridge waits for the next bridge address the app prints.
func (a *App) Bridge(t testing.TB, d time.Duration) string {
	t.Helper()
	select {
	case u := <-a.Bridges:
		return u
	case <-time.After(d):
		t.Fatal("the app did not report its bridge")
	}
	return ""
}

// LatestBridge is the newest bridge address the app printed since, or
// last: a kiosk's supervisor may have started the app again meanwhile.
func (a *App) LatestBridge(last string) string {
	for {
		select {
		case u := <-a.Bridges:
			last = u
		default:
			return last
		}
	}
}

// Status is what "voicedesk status" answers.
type Status struct {
	LoggedIn   bool   `json:"loggedIn"`
	Connection string `json:"connection"`
	Kiosk      bool   `json:"kiosk"`
	Calls      []any  `json:"calls"`
}

// Status asks the running app for its state over its control socket.
func (a *App) Status(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var s Status
	resp, err := instance.Send(ctx, a.Control, instance.Request{Command: "status"})
	if err != nil {
		return s, err
	}
	err = json.Unmarshal(resp.Result, &s)
	return s, err
}

// WaitStatus polls Status until ok accepts it or d passes.
func (a *App) WaitStatus(ctx context.Context, d time.Duration, ok func(Status) bool) (Status, error) {
	end := time.Now().Add(d)
	for {
		s, err := a.Status(ctx)
		if err == nil && ok(s) {
			return s, nil
		}
		if time.Now().After(end) {
			if err == nil {
				err = context.DeadlineExceeded
			}
			return s, err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// WaitExit waits up to d for the app to exit and fails the test unless it
// exits cleanly (status 0); after says what made it exit.
func (a *App) WaitExit(t testing.TB, d time.Duration, after string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the app exited with %v after %s", err, after)
		}
	case <-time.After(d):
		t.Fatalf("the app still runs %v after %s", d, after)
	}
}

// FreePort is a loopback TCP port nobody listened on just now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// PageProcesses counts the app's WebKit page processes (its children
// named WebKitWebProces): 0 while a hidden window's page is released.
func (a *App) PageProcesses() int {
	n := 0
	for _, p := range labtest.Procs() {
		if p.Comm == "WebKitWebProces" && p.PPID == a.Cmd.Process.Pid {
			n++
		}
	}
	return n
}

// Attachments counts the page's readings of the state in the app's log
// ("ui attached"): one more each time a page starts.
func (a *App) Attachments() int {
	b, _ := os.ReadFile(a.Log)
	return strings.Count(string(b), `"msg":"ui attached"`)
}
