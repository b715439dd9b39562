package autostart

import (
	"testing"

	"golang.org/x/sys/windows/registry"
)

// Each rule on the Run key, under a value name of the test's own (Wine's
// prefix is shared).
func TestRunKey(t *testing.T) {
	valueName = "VoiceDeskTest"
	t.Cleanup(func() {
		_ = Disable()
		if a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE); err == nil {
			_ = a.DeleteValue(valueName)
			a.Close()
		}
	})
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("at first: %v, %v; want off", on, err)
	}
	if err := Enable(`C:\Program Files\VoiceDesk\voicedesk.exe`); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := k.GetStringValue(valueName)
	k.Close()
	if err != nil || v != `"C:\Program Files\VoiceDesk\voicedesk.exe" --minimized` {
		t.Fatalf("Run value %q, %v: want the quoted path and --minimized", v, err)
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("after Enable: %v, %v", on, err)
	}

	// Task Manager's "Disable" leaves the Run value and writes an odd byte.
	a, _, err := registry.CreateKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetBinaryValue(valueName, []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if on, _ := Enabled(); on {
		t.Error("turned off in Task Manager, but reported on")
	}
	// Turned on here again, that "off" is forgotten.
	if err := Enable(`C:\VoiceDesk\voicedesk.exe`); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); !on {
		t.Error("Enable after Task Manager's off: still off")
	}

	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); on {
		t.Error("on after Disable")
	}
	if err := Disable(); err != nil {
		t.Errorf("a second Disable: %v, want none", err)
	}
	if err := Enable(`C:\a"b\voicedesk.exe`); err == nil {
		t.Error("a path with a quote was written into the Run value")
	}
}
