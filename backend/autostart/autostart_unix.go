//go:build !windows

// Linux (and other XDG desktops): an XDG autostart entry, which GNOME, KDE,
// Xfce, LXQt, Cinnamon and MATE run at login.

package autostart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"voicedesk/backend/desktopentry"
)

// entry is the autostart entry; Exec and TryExec are set when written.
const entry = `[Desktop Entry]
Type=Application
Name=VoiceDesk
Comment=Starts the VoiceDesk softphone in the tray at login
Exec=voicedesk --minimized
TryExec=voicedesk
Icon=voicedesk
Terminal=false
X-GNOME-Autostart-enabled=true
`

// Path is the user's autostart entry for VoiceDesk.
func Path() string {
	return filepath.Join(desktopentry.ConfigHome(), "autostart", desktopentry.ID)
}

// Enabled reports whether VoiceDesk starts at login: its entry is there
// and not turned off (Hidden=true, or X-GNOME-Autostart-enabled=false, as
// a desktop's own startup settings write).
func Enabled() (bool, error) {
	b, err := os.ReadFile(Path())
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the autostart entry: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		switch k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "="); strings.TrimSpace(k) {
		case "Hidden":
			if strings.TrimSpace(v) == "true" {
				return false, nil
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(v) == "false" {
				return false, nil
			}
		}
	}
	return true, nil
}

// Enable writes the entry that starts exe (an absolute path) minimized at
// login, replacing one turned off.
func Enable(exe string) error {
	run, err := desktopentry.Launcher(exe)
	if err != nil {
		return err
	}
	b, err := desktopentry.Render([]byte(entry), desktopentry.Quote(run)+" --minimized", run)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(Path()), 0o755); err != nil {
		return fmt.Errorf("make the autostart folder: %w", err)
	}
	if err := os.WriteFile(Path(), b, 0o644); err != nil {
		return fmt.Errorf("write the autostart entry: %w", err)
	}
	return nil
}

// Disable removes the entry (none is not an error).
func Disable() error {
	if err := os.Remove(Path()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the autostart entry: %w", err)
	}
	return nil
}
