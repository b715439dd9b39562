//go:build !windows

package supervise

import (
	"log/slog"
	"os"
	"os/exec"
	"syscall"
)

// askToStop sends SIGTERM: the app unregisters and ends its calls.
func askToStop(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// adopt: the parent-death signal (dieWithParent) already ties the child's
// life to the supervisor's here.
func adopt(*exec.Cmd, *slog.Logger) func() { return func() {} }
