//go:build !windows

package instance

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// DefaultPath is the socket of this user's instance: in $XDG_RUNTIME_DIR
// (the user's private runtime folder), else in a private folder of the
// system's temporary one.
func DefaultPath() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("voicedesk-%d", os.Getuid()))
	} else {
		dir = filepath.Join(dir, "voicedesk")
	}
	return filepath.Join(dir, "control.sock")
}

// listen binds the Unix socket at path in a folder only the user may
// enter; a socket that answers is another instance (ErrRunning), one that
// does not is a crashed instance's and is replaced.
func listen(path string) (net.Listener, func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("instance socket folder: %w", err)
	}
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("instance socket folder: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return nil, nil, ErrRunning
	}
	_ = os.Remove(path) // a crashed instance's
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, nil, fmt.Errorf("instance socket: %w", err)
	}
	return ln, func() { _ = os.Remove(path) }, nil
}

func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
