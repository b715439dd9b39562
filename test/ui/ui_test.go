// Package ui runs the phone's UI in a real browser against the real
// backend: the built app, headless behind its WebSocket bridge, pointed at
// the lab; Debian's Chromium driven by playwright-core
// (frontend/e2e/phone.e2e.mjs). The far end is steered through a small
// control server this test runs, so the browser script can have the lab
// call in or read what the lab's phones received.
//
// It needs VOICEDESK_APP (the built app) and saves screenshots under
// VOICEDESK_TEST_OUTPUT (default test-output/).
package ui

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
	"voicedesk/test/keep"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// Hostile is the caller name of the script-injection check.
const Hostile = `<img src=x onerror=alert(1)>`

// startApp runs the app headless behind its bridge and returns the UI's URL.
func startApp(t *testing.T, ctx context.Context, app string, st *labctl.State, out string) string {
	t.Helper()
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	home := t.TempDir()
	cmd := exec.Command(app, "--headless", "--bridge", "127.0.0.1:0", "--discovery-url", st.DiscoveryURL,
		"--settings", filepath.Join(home, "settings.json"), "--control", filepath.Join(home, "control.sock"))
	cmd.Env = append(os.Environ(), "HOME="+home, "VOICEDESK_BRIDGE_TOKEN="+hex.EncodeToString(tok))
	keep.Secret("integration-token", hex.EncodeToString(tok))
	logf, err := os.Create(filepath.Join(out, "ui-app.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the app: %v", err)
	}
	t.Cleanup(func() { desktop.Stop(cmd) })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "bridge "); ok {
				found <- rest
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(15 * time.Second):
		t.Fatal("the app did not report its bridge within 15 s (see ui-app.log)")
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return ""
}

// farEnd is the control server: the lab's side of the browser script.
type farEnd struct {
	st    *labctl.State
	ctx   context.Context
	pulse *pulse.Server

	mu      sync.Mutex
	hostile *sip.Agent
	cancel  context.CancelFunc
	sess    *media.Session
}

func (f *farEnd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/caller/dial": // the lab's caller phone calls Alice
		if _, err := labctl.Ctrl(f.ctx, f.st.Caller.Ctrl, "dial", "sip:alice@"+f.st.Domain); err != nil {
			fail(err)
			return
		}
		reply(map[string]bool{"ok": true})
	case "/caller/dial-queue": // the caller phone calls the Sales queue, whose agent is Alice
		if _, err := labctl.Ctrl(f.ctx, f.st.Caller.Ctrl, "dial", "sip:+358201000100@"+f.st.Domain); err != nil {
			fail(err)
			return
		}
		reply(map[string]bool{"ok": true})
	case "/hostile/dial":
		if err := f.dialHostile(); err != nil {
			fail(err)
			return
		}
		reply(map[string]bool{"ok": true})
	case "/hostile/hangup":
		f.hangupHostile()
		reply(map[string]bool{"ok": true})
	case "/pulse/heard": // the dominant frequency an output played lately
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		rec := f.pulse.Record(r.URL.Query().Get("sink"))
		time.Sleep(time.Duration(max(ms, 100)) * time.Millisecond)
		s := rec.Samples(time.Duration(max(ms, 100)) * time.Millisecond)
		rec.Stop()
		hz, _ := audio.DominantFrequency(s, pulse.Rate)
		reply(map[string]any{"hz": hz, "level": pulse.Level(s)})
	case "/pulse/feed": // a tone into the microphone
		hz, _ := strconv.Atoi(r.URL.Query().Get("hz"))
		f.pulse.Feed(pulse.MicFeed, &audio.Tone{Hz: float64(hz), Amplitude: 0.3})
		reply(map[string]bool{"ok": true})
	case "/directory/people": // the lab's directory gets that many synthetic people
		res, err := http.Post(f.st.APIURL+"lab/directory/people", "application/json", strings.NewReader(`{"Count":`+r.URL.Query().Get("count")+`}`))
		if err != nil {
			fail(err)
			return
		}
		res.Body.Close()
		reply(map[string]int{"status": res.StatusCode})
	case "/bob/status": // Bob changes his availability (his own API call)
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		if err := f.bobStatus(id, r.URL.Query().Get("note")); err != nil {
			fail(err)
			return
		}
		reply(map[string]bool{"ok": true})
	case "/tone/dtmf": // what the tone phone received since an offset in its log
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		digits, offset := labtest.DTMFReceived(f.st, "tone", since)
		reply(map[string]any{"digits": digits, "offset": offset})
	default:
		http.NotFound(w, r)
	}
}

// bobStatus sets Bob's availability as his own phone or the platform's UI
// would: the lab tells every open event channel (Alice's Colleagues view).
func (f *farEnd) bobStatus(id int, note string) error {
	api := platform.New(platform.Config{})
	silos, err := api.Discover(f.ctx, f.st.DiscoveryURL, "bob@voicedesk.lab")
	if err != nil {
		return err
	}
	s, err := api.LoginCredentials(f.ctx, silos[0], "bob@voicedesk.lab", "bob-secret")
	if err != nil {
		return err
	}
	_, err = api.SetStatus(f.ctx, s, id, note)
	return err
}

// dialHostile calls Alice from the lab's probe account with a caller name
// that is markup.
func (f *farEnd) dialHostile() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hostile != nil {
		return fmt.Errorf("a hostile call is already up")
	}
	a, err := sip.New(sip.Config{Server: f.st.WebSocketURL, User: f.st.Probe.Username, Domain: f.st.Domain, Password: f.st.Probe.Password, DisplayName: Hostile})
	if err != nil {
		return err
	}
	if err := a.Register(f.ctx); err != nil {
		a.Close()
		return err
	}
	sess, err := media.NewSession(media.Config{LoopbackOnly: true})
	if err != nil {
		a.Close()
		return err
	}
	offer, err := sess.Offer(f.ctx)
	if err != nil {
		sess.Close()
		a.Close()
		return err
	}
	ctx, cancel := context.WithCancel(f.ctx)
	f.hostile, f.cancel, f.sess = a, cancel, sess
	go func() {
		// Rejected by the UI: Dial returns with the failure.
		if call, err := a.Dial(ctx, "alice", []byte(offer), nil); err == nil {
			<-ctx.Done()
			_ = call.Hangup(context.Background())
		}
	}()
	return nil
}

func (f *farEnd) hangupHostile() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hostile == nil {
		return
	}
	f.cancel()
	f.sess.Close()
	f.hostile.Close()
	f.hostile = nil
}

func TestPhoneInTheBrowser(t *testing.T) {
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("Debian's chromium is needed (scripts/setup.sh installs it)")
	}
	out := desktop.OutputDir(t)
	// This run's screenshots only.
	old, _ := filepath.Glob(filepath.Join(out, "ui-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	st := labtest.Start(ctx, t)
	// Devices as on a desk, for the settings step (the app inherits
	// PULSE_SERVER).
	sound := pulse.Start(t)
	page := startApp(t, ctx, app, st, out)

	far := &farEnd{st: st, ctx: ctx, pulse: sound}
	defer far.hangupHostile()
	ctl := httptest.NewServer(far) // on 127.0.0.1
	defer ctl.Close()

	root, _ := filepath.Abs(filepath.Join("..", ".."))
	cmd := exec.CommandContext(ctx, "node", "--test", "--test-reporter=spec", "frontend/e2e/phone.e2e.mjs")
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"VD_URL="+page, "VD_CONTROL="+ctl.URL, "VD_SHOTS="+out,
		"VD_USER="+st.Demo[0].Username, "VD_PASS="+st.Demo[0].Password, "VD_TONE="+st.Tone.Number)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	res, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(res), "\n"), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("the browser test failed: %v (screenshots in %s, the app's log in ui-app.log)", err, out)
	}
}
