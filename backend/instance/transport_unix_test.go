//go:build !windows

package instance

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func testPath(t *testing.T) string { return filepath.Join(t.TempDir(), "run", "control.sock") }

// checkPrivate: the socket's folder is the user's alone.
func checkPrivate(t *testing.T, path string) {
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder %v %v, want 0700", fi.Mode(), err)
	}
}

// checkGone: the stopped instance removed its socket.
func checkGone(t *testing.T, path string) {
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket is left behind: %v", err)
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
