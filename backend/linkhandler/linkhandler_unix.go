//go:build !windows

// Linux: the freedesktop.org way browsers and mail clients use: a desktop
// entry that runs the app with the link, and xdg-mime to make it each
// scheme's default (in the user's mimeapps.list).

package linkhandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"voicedesk/backend/desktopentry"
)

// DesktopID is VoiceDesk's desktop entry, as installed by make install or
// a package, or written here for the user.
const DesktopID = desktopentry.ID

// ErrNoTools: xdg-mime, which reads and sets the desktop's default apps,
// is not there.
var ErrNoTools = errors.New("the desktop's default apps cannot be read or set here: xdg-mime (xdg-utils) is not installed")

// Query reads each scheme's default app.
func Query(ctx context.Context) (State, error) {
	if _, err := exec.LookPath("xdg-mime"); err != nil {
		return State{}, ErrNoTools
	}
	st := State{Handlers: map[string]string{}, Ours: true, Self: DesktopID}
	for _, s := range Schemes {
		out, err := exec.CommandContext(ctx, "xdg-mime", "query", "default", "x-scheme-handler/"+s).Output()
		if err != nil {
			return State{}, fmt.Errorf("ask xdg-mime who opens %s: links: %w", s, err)
		}
		id := strings.TrimSpace(string(out))
		st.Handlers[s] = id
		if id != DesktopID {
			st.Ours = false
		}
	}
	return st, nil
}

// Register makes VoiceDesk the default app of every scheme. An installed
// desktop entry (make install, a package: in a system data folder) is
// used as it is; else the user's own is written from template (the
// shipped build/linux/voicedesk.desktop), running exe.
func Register(ctx context.Context, exe string, template []byte) (State, error) {
	if _, err := exec.LookPath("xdg-mime"); err != nil {
		return State{}, ErrNoTools
	}
	if !installed() {
		dir := filepath.Join(desktopentry.DataHome(), "applications")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return State{}, fmt.Errorf("make the applications folder: %w", err)
		}
		entry, err := Entry(template, exe)
		if err != nil {
			return State{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, DesktopID), entry, 0o644); err != nil {
			return State{}, fmt.Errorf("write the desktop entry: %w", err)
		}
		// The desktop's cache of which app takes which type, where kept.
		if _, err := exec.LookPath("update-desktop-database"); err == nil {
			_ = exec.CommandContext(ctx, "update-desktop-database", "-q", dir).Run()
		}
	}
	args := []string{"default", DesktopID}
	for _, s := range Schemes {
		args = append(args, "x-scheme-handler/"+s)
	}
	if out, err := exec.CommandContext(ctx, "xdg-mime", args...).CombinedOutput(); err != nil {
		return State{}, fmt.Errorf("make VoiceDesk the app for phone links (xdg-mime): %w: %s", err, bytes.TrimSpace(out))
	}
	return Query(ctx)
}

// installed reports whether the desktop entry that counts is an installed
// one (in a system data folder): none of the user's shadows it.
func installed() bool {
	if exists(filepath.Join(desktopentry.DataHome(), "applications", DesktopID)) {
		return false
	}
	dirs := os.Getenv("XDG_DATA_DIRS")
	if dirs == "" {
		dirs = "/usr/local/share:/usr/share"
	}
	for _, d := range filepath.SplitList(dirs) {
		if d != "" && exists(filepath.Join(d, "applications", DesktopID)) {
			return true
		}
	}
	return false
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Entry is template with its Exec and TryExec running exe (an absolute
// path, through desktopentry.Launcher), the link passed as %u.
func Entry(template []byte, exe string) ([]byte, error) {
	run, err := desktopentry.Launcher(exe)
	if err != nil {
		return nil, err
	}
	return desktopentry.Render(template, desktopentry.Quote(run)+" %u", run)
}
