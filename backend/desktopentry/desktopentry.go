// Package desktopentry writes freedesktop.org desktop entries that run
// this app: the one that opens phone links and the one that starts it at
// login. It quotes the app's path as the Desktop Entry Specification says
// and knows the user's XDG folders.
package desktopentry

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ID is VoiceDesk's desktop entry's file name.
const ID = "voicedesk.desktop"

// DataHome is $XDG_DATA_HOME, else ~/.local/share.
func DataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share")
}

// ConfigHome is $XDG_CONFIG_HOME, else ~/.config.
func ConfigHome() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config")
}

// Render is template with its Exec and TryExec keys set: exec is the
// whole Exec value (see Quote), tryExec the program's path.
func Render(template []byte, exec, tryExec string) ([]byte, error) {
	if strings.ContainsAny(exec+tryExec, "\n\r") {
		return nil, fmt.Errorf("desktop entry: %q has a line break", exec)
	}
	var out bytes.Buffer
	var execs int
	sc := bufio.NewScanner(bytes.NewReader(template))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Exec="):
			line = "Exec=" + exec
			execs++
		case strings.HasPrefix(line, "TryExec="):
			line = "TryExec=" + escapeString(tryExec)
		}
		out.WriteString(line + "\n")
	}
	if execs != 1 {
		return nil, fmt.Errorf("desktop entry: the template has %d Exec lines, want 1", execs)
	}
	return out.Bytes(), nil
}

// Quote writes one argument of an Exec key as the Desktop Entry
// Specification says: in double quotes when it has a reserved character,
// with ", `, $ and \ escaped inside them; then the string-level escape of
// \ and a literal % as %%.
func Quote(arg string) string {
	if strings.ContainsAny(arg, reserved) {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range arg {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		arg = b.String()
	}
	return strings.ReplaceAll(escapeString(arg), "%", "%%")
}

// Launcher is the path an entry runs for exe (an absolute path): exe, or,
// when its path has a space or another character Exec must quote, a link
// to it in the user's data folder: xdg-open without a desktop (its
// generic way) splits Exec at spaces, quotes or not.
func Launcher(exe string) (string, error) {
	if !filepath.IsAbs(exe) {
		return "", fmt.Errorf("desktop entry: %q is not an absolute path", exe)
	}
	if !strings.ContainsAny(exe, reserved) {
		return exe, nil
	}
	link := filepath.Join(DataHome(), "voicedesk", "voicedesk")
	if strings.ContainsAny(link, reserved) || os.MkdirAll(filepath.Dir(link), 0o755) != nil {
		return exe, nil
	}
	_ = os.Remove(link)
	if os.Symlink(exe, link) != nil {
		return exe, nil
	}
	return link, nil
}

// reserved are the characters that make an Exec argument need quotes.
const reserved = " \t\"'\\><~|&;$*?#()`"

// escapeString is a desktop entry string's escape of the backslash.
func escapeString(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }
