//go:build !windows

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableDisable(t *testing.T) {
	root := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "data"))
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("at first: %v, %v; want off", on, err)
	}
	if err := Enable("/opt/voicedesk/voicedesk"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "config", "autostart", "voicedesk.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nExec=/opt/voicedesk/voicedesk --minimized\n", "\nTryExec=/opt/voicedesk/voicedesk\n", "\nType=Application\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("entry lacks %q:\n%s", want, b)
		}
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("after Enable: %v, %v", on, err)
	}
	// A desktop's startup settings turn an entry off without removing it.
	for _, off := range []string{"Hidden=true", "X-GNOME-Autostart-enabled=false"} {
		if err := os.WriteFile(Path(), []byte("[Desktop Entry]\nType=Application\nExec=x\n"+off+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if on, _ := Enabled(); on {
			t.Errorf("an entry with %s reads as on", off)
		}
	}
	// Turned on again, it is ours and on.
	if err := Enable("/opt/voicedesk/voicedesk"); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); !on {
		t.Fatal("Enable over a turned-off entry left it off")
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("after Disable: %v, %v", on, err)
	}
	if err := Disable(); err != nil {
		t.Fatalf("Disable with no entry: %v", err)
	}
	if err := Enable("voicedesk"); err == nil {
		t.Fatal("a relative path was accepted")
	}
}
