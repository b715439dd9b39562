// Package autostart starts VoiceDesk when the user logs in, in the tray
// (--minimized), so that an agent's phone is signed in and taking calls
// before the first one rings: an XDG autostart entry on Linux
// (autostart_unix.go), the Run key on Windows (autostart_windows.go).
package autostart

import (
	"fmt"
	"log/slog"
	"os"
)

// Set has VoiceDesk start (in the tray) at login, or not. Turned on, the
// entry is written again, so it runs this binary wherever it is now (an
// app moved or updated since); turned off, an entry that is not there is
// no error.
func Set(on bool) error {
	was, err := Enabled()
	if err != nil {
		return err
	}
	switch {
	case on:
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find the app to start at login: %w", err)
		}
		if err := Enable(exe); err != nil {
			return err
		}
		if !was {
			slog.Info("VoiceDesk starts at login", "entry", Path())
		}
	case was:
		if err := Disable(); err != nil {
			return err
		}
		slog.Info("VoiceDesk no longer starts at login")
	}
	return nil
}
