// Package lab holds the lab's smoke test: the real Kamailio, rtpengine,
// baresip and lab API server, started, checked and stopped as "make lab"
// does, with the app's own SIP client registering against them.
package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/lab/apiserver"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

func TestLabSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := labtest.Start(ctx, t)
	dir := st.Dir

	t.Run("health", func(t *testing.T) {
		if err := labctl.Health(ctx, st); err != nil {
			t.Fatal(err)
		}
		// "up" on a running lab is idempotent: same processes.
		again, err := labctl.Up(ctx, labctl.Config{Dir: dir, LabBinary: "/nonexistent"})
		if err != nil || again.Processes[0].PID != st.Processes[0].PID {
			t.Fatalf("second up: %v (pids %v vs %v)", err, again, st.Processes)
		}
	})

	t.Run("baresip users are registered", func(t *testing.T) {
		// Health proved it by OPTIONS through Kamailio; here the phones'
		// own view: ctrl_tcp's reginfo lists the registration as OK.
		for _, ph := range []labctl.Phone{st.Tone, st.Caller} {
			out, err := labctl.Ctrl(ctx, ph.Ctrl, "reginfo", "")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, ph.SIPUser+"@"+st.Domain) || !strings.Contains(out, "OK") {
				t.Fatalf("%s reginfo = %s", ph.SIPUser, out)
			}
		}
	})

	t.Run("the app's SIP client registers", func(t *testing.T) {
		pem, err := os.ReadFile(st.CACert)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			t.Fatal("lab certificate unreadable")
		}
		labTLS := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
		for _, tc := range []struct{ name, server, transport string }{
			{"websocket", st.WebSocketURL, ""},
			{"udp", st.SIPProxy, "udp"},
			// Kamailio's WebSocket listener is a TCP socket that also takes plain SIP.
			{"tcp", fmt.Sprintf("127.0.0.1:%d", st.Ports.SIPWS), "tcp"},
			{"tls", st.SIPTLSAddr, "tls"},
			{"secure websocket", st.SecureWSURL, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := sip.New(sip.Config{Server: tc.server, Transport: tc.transport, User: st.Probe.Username,
					Domain: st.Domain, Password: st.Probe.Password, Expires: 120 * time.Second, TLS: labTLS})
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				if err := a.Register(ctx); err != nil {
					t.Fatal(err)
				}
				if got := a.Expires(); got <= 0 || got > 120*time.Second {
					t.Fatalf("granted expiry %v, want (0, 120s]", got)
				}
				if err := a.Unregister(ctx); err != nil {
					t.Fatal(err)
				}
			})
		}
	})

	// Two clients: the callee over UDP (the probe account), the caller
	// over WebSocket (bob's SIP account, from the lab's seed).
	udpAndCaller := func(t *testing.T) (callee, caller *sip.Agent) {
		t.Helper()
		callee, err := sip.New(sip.Config{Server: st.SIPProxy, Transport: "udp", User: st.Probe.Username,
			Domain: st.Domain, Password: st.Probe.Password})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { callee.Close() })
		if err := callee.Register(ctx); err != nil {
			t.Fatal(err)
		}
		// Unregistered at the end (before the close): a contact left behind
		// would be forked to by the next subtest's call, and waited for.
		t.Cleanup(func() { _ = callee.Unregister(ctx) })
		users, _, _, _ := apiserver.Seed()
		for _, u := range users {
			if u.SIPUser == "bob" {
				caller, err = sip.New(sip.Config{Server: st.WebSocketURL, User: u.SIPUser, Domain: st.Domain, Password: u.SIPPassword})
			}
		}
		if caller == nil || err != nil {
			t.Fatalf("bob's SIP account: %v", err)
		}
		t.Cleanup(func() { caller.Close() })
		if err := caller.Register(ctx); err != nil {
			t.Fatal(err)
		}
		return callee, caller
	}

	t.Run("a call reaches the app's SIP client over UDP", func(t *testing.T) {
		// Over UDP the proxy sends the INVITE to the registered Contact:
		// the client must listen there and name its port (before, the
		// Contact had none, the INVITE went to 5060 and timed out, 408).
		callee, caller := udpAndCaller(t)
		got := make(chan string, 1)
		callee.OnIncoming(func(in *sip.Incoming) {
			got <- in.From
			_ = in.Answer([]byte(plainSDP))
		})
		callCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		call, err := caller.Dial(callCtx, st.Probe.Username, []byte(plainSDP), nil)
		if err != nil {
			t.Fatalf("bob's call to the UDP client: %v", err)
		}
		defer call.Hangup(ctx)
		if from := <-got; from != "bob" && !strings.Contains(from, "+358401000002") {
			t.Fatalf("the UDP client saw a call from %q, want bob", from)
		}
		if !strings.Contains(string(call.Answer), "m=audio") {
			t.Fatalf("the UDP client's answer did not reach bob:\n%s", call.Answer)
		}
	})

	t.Run("a call given up before it rings is cancelled at the callee", func(t *testing.T) {
		// The caller hangs up while only 100 Trying has come back: the
		// CANCEL goes to the proxy, as the INVITE did, and the callee's
		// side of the call ends.
		callee, caller := udpAndCaller(t)
		arrived := make(chan *sip.Incoming, 1)
		callee.OnIncoming(func(in *sip.Incoming) { arrived <- in })
		callCtx, giveUp := context.WithCancel(ctx)
		dialed := make(chan error, 1)
		go func() {
			_, err := caller.Dial(callCtx, st.Probe.Username, []byte(plainSDP), nil)
			dialed <- err
		}()
		var in *sip.Incoming
		select {
		case in = <-arrived:
		case <-time.After(5 * time.Second):
			t.Fatal("the INVITE did not reach the callee")
		}
		giveUp()
		select {
		case <-in.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the callee's side did not end: the CANCEL did not reach it")
		}
		select {
		case err := <-dialed:
			if err == nil {
				t.Fatal("Dial succeeded after it was given up")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Dial did not return after it was given up")
		}
	})

	t.Run("a wrong SIP password is refused", func(t *testing.T) {
		a, err := sip.New(sip.Config{Server: st.WebSocketURL, User: st.Probe.Username, Domain: st.Domain, Password: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := a.Register(ctx); !errors.Is(err, sip.ErrRejected) {
			t.Fatalf("Register with a wrong password: %v, want ErrRejected", err)
		}
	})

	t.Run("the platform API logs in a seeded user", func(t *testing.T) {
		c := platform.New(platform.Config{})
		silos, err := c.Discover(ctx, st.DiscoveryURL, st.Demo[0].Username)
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.LoginCredentials(ctx, silos[0], st.Demo[0].Username, st.Demo[0].Password)
		if err != nil {
			t.Fatal(err)
		}
		settings, err := c.SIPSettings(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if settings.WebSocketURL != st.WebSocketURL+"sdk" || settings.Token == "" {
			t.Fatalf("SIP settings point at %q (token %q), want the lab's %q with a token", settings.WebSocketURL, settings.Token, st.WebSocketURL+"sdk")
		}
		// The user's own SIP account from the API registers over WebSocket,
		// with the SDK token the settings carry.
		a, err := sip.New(sip.Config{Server: settings.WebSocketURL, User: settings.AuthUser, Domain: settings.Realm, Password: settings.Password,
			Token: func() string { return settings.Token }})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := a.Register(ctx); err != nil {
			t.Fatal(err)
		}
		_ = a.Unregister(ctx)
	})

	t.Run("down leaves no process behind", func(t *testing.T) {
		procs := st.Processes
		if err := labctl.Down(st); err != nil {
			t.Fatal(err)
		}
		for _, p := range procs {
			if p.Alive() {
				t.Errorf("%s (pid %d) still alive", p.Name, p.PID)
			}
			// Kamailio's workers share the leader's process group.
			if err := syscall.Kill(-p.PID, 0); err == nil {
				t.Errorf("process group of %s (%d) still has members", p.Name, p.PID)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "state.json")); !os.IsNotExist(err) {
			t.Errorf("state file left behind: %v", err)
		}
	})
}

// A lab tied to its caller (labtest's) goes with it: a test binary that
// panics runs no cleanup, and its lab would run on.
func TestLabDiesWithItsCaller(t *testing.T) {
	if os.Getenv("VOICEDESK_LAB_CHILD") != "" {
		// The child: start a lab tied to this process, print its pids, and
		// die without stopping it, as a panicking test would.
		st, err := labctl.Up(context.Background(), labctl.Config{Dir: os.Getenv("VOICEDESK_LAB_CHILD"), LabBinary: labtest.BuildTo(t.TempDir()), DieWithCaller: true})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		for _, p := range st.Processes {
			fmt.Println("pid", p.PID)
		}
		os.Exit(3)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLabDiesWithItsCaller$")
	cmd.Env = append(os.Environ(), "VOICEDESK_LAB_CHILD="+t.TempDir())
	out, _ := cmd.Output()
	var pids []int
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "pid "); ok {
			if pid, err := strconv.Atoi(rest); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	if len(pids) < 4 {
		t.Fatalf("the child started no lab: %s", out)
	}
	// Each component and what it started (its process group: Kamailio's
	// workers) must be gone.
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for groupAlive(pid) {
			if time.Now().After(deadline) {
				left := group(pid)
				for _, p := range pids {
					_ = syscall.Kill(-p, syscall.SIGKILL) // the test leaves nothing running
				}
				t.Fatalf("lab process %d runs on after its caller died: %v", pid, left)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// group names the live processes of a process group.
func group(pgid int) []string {
	var out []string
	for _, p := range labtest.Procs() {
		if p.PGID == pgid && p.State != "Z" {
			out = append(out, fmt.Sprintf("%s(%d)", p.Comm, p.PID))
		}
	}
	return out
}

// groupAlive: a process of the process group pgid runs (not a zombie).
func groupAlive(pgid int) bool {
	for _, p := range labtest.Procs() {
		if p.PGID == pgid && p.State != "Z" {
			return true
		}
	}
	return false
}

func TestLabFailureNamesComponent(t *testing.T) {
	// A lab whose API server binary does not exist must fail naming "api"
	// and its log, and stop what it had started.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	_, err := labctl.Up(ctx, labctl.Config{Dir: dir, LabBinary: "/nonexistent/lab"})
	var ce *labctl.ComponentError
	if !errors.As(err, &ce) || ce.Component != "api" || !strings.HasSuffix(ce.Log, "logs/api.log") {
		t.Fatalf("Up with a missing API binary: %v, want a ComponentError for api with its log", err)
	}
	if _, err := labctl.Load(dir); !errors.Is(err, labctl.ErrNotRunning) {
		t.Fatalf("state left after a failed up: %v", err)
	}
	// A component that dies as it starts says how it ended: a signal loses
	// the output its stdio had buffered, so its log may say nothing.
	_, err = labctl.Up(ctx, labctl.Config{Dir: t.TempDir(), LabBinary: "/bin/false"})
	if !errors.As(err, &ce) || ce.Component != "api" || !strings.Contains(err.Error(), "exited during start-up (exit status 1)") {
		t.Fatalf("Up with an API binary that exits at once: %v, want it named with its exit status", err)
	}
}

// plainSDP is an offer or answer of plain RTP (PCMU), as a SIP phone or
// gateway without WebRTC sends; rtpengine bridges it to either side.
const plainSDP = "v=0\r\no=lab 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
