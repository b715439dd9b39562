// Windows: the user's Run key, which Explorer reads at login, and the
// StartupApproved entry beside it, where Task Manager's Startup tab and
// Settings > Apps > Startup record a user's "off" without removing the
// Run value.

package autostart

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey      = `Software\Microsoft\Windows\CurrentVersion\Run`
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
)

// valueName is the Run value's name (a variable for the tests, which run
// under Wine in a prefix other programs share).
var valueName = "VoiceDesk"

// Path names the Run value, for the log.
func Path() string { return `HKCU\` + runKey + `\` + valueName }

// Enabled reports whether VoiceDesk starts at login: its Run value is there
// and Task Manager or Settings has not turned it off.
func Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the Run key: %w", err)
	}
	defer k.Close()
	if _, _, err := k.GetStringValue(valueName); errors.Is(err, registry.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read the Run key's %s: %w", valueName, err)
	}
	return !turnedOff(), nil
}

// turnedOff: StartupApproved holds a 12-byte value whose first byte is
// even (2, 6) for on and odd (3, 7) for off.
func turnedOff() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue(valueName)
	return err == nil && len(b) > 0 && b[0]&1 == 1
}

// Enable writes the Run value that starts exe (an absolute path) minimized,
// and forgets an earlier "off" from Task Manager: the user has just asked
// for it on.
func Enable(exe string) error {
	if strings.ContainsRune(exe, '"') {
		return fmt.Errorf("start at login: the app's path %q holds a quote", exe)
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue(valueName, `"`+exe+`" --minimized`); err != nil {
		return fmt.Errorf("write the Run key: %w", err)
	}
	if a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE); err == nil {
		_ = a.DeleteValue(valueName)
		a.Close()
	}
	return nil
}

// Disable removes the Run value (none is not an error).
func Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	if err := k.DeleteValue(valueName); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("remove the Run value: %w", err)
	}
	return nil
}
