//go:build !windows

package headset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A device node this user may not open is ErrNoAccess (the udev rule
// missing), not a bare error; Run ends when its context does.
func TestConn(t *testing.T) {
	if os.Geteuid() != 0 {
		p := filepath.Join(t.TempDir(), "hidraw9")
		if err := os.WriteFile(p, nil, 0o000); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p); !errors.Is(err, ErrNoAccess) {
			t.Errorf("an unreadable node: %v, want ErrNoAccess", err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none")); err == nil || errors.Is(err, ErrNoAccess) {
		t.Errorf("a missing node: %v", err)
	}
	// A FIFO stands in for the device: reads block until reports come.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &Conn{f: r}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan []byte, 4)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, func(b []byte) { got <- b }) }()
	if _, err := w.Write([]byte{2, 1}); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if len(b) != 2 || b[0] != 2 || b[1] != 1 {
			t.Errorf("report %x", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no report")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after its context ended: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end with its context")
	}
}
