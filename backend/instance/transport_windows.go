//go:build windows

package instance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/Microsoft/go-winio"
)

// DefaultPath is the named pipe of this user's instance. Windows has Unix
// sockets since 10 1803, but not every desk (nor Wine) has them; a named
// pipe is how Windows programs hand over to their running instance.
func DefaultPath() string {
	user := os.Getenv("USERNAME")
	if user == "" {
		user = "user"
	}
	return `\\.\pipe\voicedesk-` + strings.Map(func(r rune) rune {
		if r == '\\' || r == '/' || r < ' ' {
			return '_'
		}
		return r
	}, user)
}

// pipeSecurity lets the pipe's owner (this user) and no one else open it
// (SDDL: protected DACL, generic all to the creator owner and to SYSTEM).
const pipeSecurity = "D:P(A;;GA;;;OW)(A;;GA;;;SY)"

// listen creates the pipe as its first instance: a pipe of that name that
// exists is another running instance (ErrRunning). A crashed instance's
// pipe is gone with its process.
func listen(path string) (net.Listener, func(), error) {
	if c, err := winio.DialPipe(path, durationPtr(time.Second)); err == nil {
		_ = c.Close()
		return nil, nil, ErrRunning
	}
	ln, err := winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: pipeSecurity, MessageMode: false})
	if err != nil {
		if errors.Is(err, os.ErrExist) || strings.Contains(err.Error(), "Access is denied") {
			return nil, nil, ErrRunning
		}
		return nil, nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return ln, func() {}, nil
}

func dial(ctx context.Context, path string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, path)
}

func durationPtr(d time.Duration) *time.Duration { return &d }
