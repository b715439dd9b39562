//go:build !windows

package notify

import (
	"bufio"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// server stands in for a desktop's notification daemon on a private bus.
type server struct {
	conn   *dbus.Conn
	caps   []string
	mu     sync.Mutex
	shown  []shown
	closed []uint32
	next   uint32
}

type shown struct {
	id                  uint32
	replaces            uint32
	summary, body, icon string
	actions             []string
	hints               map[string]dbus.Variant
}

func (s *server) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replaces
	if id == 0 {
		s.next++
		id = s.next
	}
	s.shown = append(s.shown, shown{id: id, replaces: replaces, summary: summary, body: body, icon: icon, actions: actions, hints: hints})
	return id, nil
}

func (s *server) CloseNotification(id uint32) *dbus.Error {
	s.mu.Lock()
	s.closed = append(s.closed, id)
	s.mu.Unlock()
	if err := s.conn.Emit(path, iface+".NotificationClosed", id, uint32(3)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

// bus starts a private D-Bus daemon and returns its address.
func bus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed (scripts/setup.sh installs dbus)")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(addr)
}

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startServer(t *testing.T, addr string, caps ...string) *server {
	t.Helper()
	s := &server{conn: connect(t, addr), caps: caps}
	t.Cleanup(func() { s.conn.Close() })
	if err := s.conn.Export(s, path, iface); err != nil {
		t.Fatal(err)
	}
	if reply, err := s.conn.RequestName(service, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", service, reply, err)
	}
	return s
}

var labels = Labels{Title: "Incoming call", Answer: "Answer", Reject: "Reject", Queue: "Queue"}

func TestIncomingCallNotification(t *testing.T) {
	cases := []struct {
		name     string
		caps     []string
		wantBody string
		actions  bool
	}{
		{"a server with markup and actions: the name escaped, buttons", []string{"actions", "body", "body-markup"},
			"&lt;img src=x onerror=alert(1)&gt; (+358401000091)\nQueue: Sales &amp; Support", true},
		{"a plain server: the text as it is, no buttons", []string{"body"},
			"<img src=x onerror=alert(1)> (+358401000091)\nQueue: Sales & Support", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := bus(t)
			srv := startServer(t, addr, c.caps...)
			acted := make(chan string, 4)
			n, err := New(connect(t, addr), nil, func(callID, action string) { acted <- callID + ":" + action })
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			if n.Actions() != c.actions {
				t.Fatalf("actions %v, want %v", n.Actions(), c.actions)
			}
			call := Call{ID: "c1", Name: "<img src=x onerror=alert(1)>", Number: "+358401000091", Queue: "Sales & Support"}
			if err := n.IncomingCall(call, labels); err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			got := srv.shown[0]
			srv.mu.Unlock()
			if got.summary != "Incoming call" || got.body != c.wantBody {
				t.Fatalf("shown %q / %q, want %q", got.summary, got.body, c.wantBody)
			}
			if u := got.hints["urgency"].Value(); u != byte(2) {
				t.Errorf("urgency %v, want critical (2)", u)
			}
			wantActions := 0
			if c.actions {
				wantActions = 6
			}
			if len(got.actions) != wantActions {
				t.Fatalf("actions %q", got.actions)
			}
			if c.actions {
				// The user clicks Answer on it.
				if err := srv.conn.Emit(path, iface+".ActionInvoked", got.id, ActionAnswer); err != nil {
					t.Fatal(err)
				}
				select {
				case a := <-acted:
					if a != "c1:answer" {
						t.Fatalf("action %q, want c1:answer", a)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("the Answer click did not reach the phone")
				}
			}
			// The same call again replaces its notification; withdrawing it
			// closes that one.
			if err := n.IncomingCall(call, labels); err != nil {
				t.Fatal(err)
			}
			n.Withdraw("c1")
			n.Withdraw("c1") // twice: nothing more
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.shown) != 2 || srv.shown[1].replaces != got.id {
				t.Fatalf("second notification %+v, want it to replace %d", srv.shown, got.id)
			}
			if len(srv.closed) != 1 || srv.closed[0] != got.id {
				t.Fatalf("closed %v, want [%d]", srv.closed, got.id)
			}
		})
	}
}

func TestNoNotificationService(t *testing.T) {
	addr := bus(t)
	if _, err := New(connect(t, addr), nil, nil); err == nil || !strings.Contains(err.Error(), "no notification service") {
		t.Fatalf("error %v, want no notification service", err)
	}
}
