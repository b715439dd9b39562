package instance

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOneInstanceAnswersTheNext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "control.sock")
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(path, func(_ context.Context, r Request) (any, error) {
		if r.Command == "fail" {
			return nil, errors.New("no such call")
		}
		return map[string]string{"got": r.Command + " " + r.Arg}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()

	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder %v %v, want 0700", fi.Mode(), err)
	}
	if _, err := Listen(path, nil, nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("a second Listen: %v, want ErrRunning", err)
	}
	for _, tc := range []struct {
		req    Request
		ok     bool
		result string
		errSub string
	}{
		{req: Request{Command: "call", Arg: "tel:+358401234567"}, ok: true, result: `{"got":"call tel:+358401234567"}`},
		{req: Request{Command: "fail"}, errSub: "no such call"},
	} {
		resp, err := Send(context.Background(), path, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.OK != tc.ok || string(resp.Result) != tc.result || !strings.Contains(resp.Error, tc.errSub) {
			t.Errorf("%+v: got %+v", tc.req, resp)
		}
	}
	// Not a command: a clear answer, not a hang.
	for _, raw := range []string{"not json\n", "{}\n", strings.Repeat("x", maxRequest+10)} {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte(raw))
		var resp Response
		if err := json.NewDecoder(c).Decode(&resp); err != nil || resp.OK || resp.Error == "" {
			t.Errorf("%.20q: %+v %v, want an error answer", raw, resp, err)
		}
		c.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket is left behind: %v", err)
	}
	if _, err := Send(context.Background(), path, Request{Command: "status"}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Send with nobody listening: %v, want ErrNotRunning", err)
	}
}

// A crashed instance's socket does not stop the next one from starting.
func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, nobody listens
	s, err := Listen(path, func(context.Context, Request) (any, error) { return "ok", nil }, nil)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	s.ln.Close()
}
