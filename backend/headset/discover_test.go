//go:build !windows

package headset

import (
	"os"
	"path/filepath"
	"testing"
)

func hidraw(t *testing.T, root, node, uevent string, desc []byte) {
	t.Helper()
	dir := filepath.Join(root, "class", "hidraw", node, "device")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "uevent"), []byte(uevent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report_descriptor"), desc, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Discovery reads a sysfs tree: a USB headset with telephony controls is
// found (its family from its vendor id), a mouse is not, a Bluetooth
// headset with media keys only is named with the reason it cannot answer.
func TestDiscover(t *testing.T) {
	root := t.TempDir()
	hidraw(t, root, "hidraw0", "DRIVER=hid-generic\nHID_ID=0003:00000B0E:0000245E\nHID_NAME=GN Audio A/S Jabra Evolve2 40\n", bitsLayout)
	hidraw(t, root, "hidraw1", "HID_ID=0003:0000046D:0000C077\nHID_NAME=Logitech USB Optical Mouse\n", mouse)
	consumer := []byte{0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02,
		0x09, 0xE9, 0x09, 0xEA, 0x81, 0x02, 0x95, 0x06, 0x81, 0x01, 0xC0}
	hidraw(t, root, "hidraw2", "HID_ID=0005:0000004C:00002000\nHID_NAME=WH-1000XM4 Headphones AVRCP\n", consumer)
	found, skipped, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Path != "/dev/hidraw0" || found[0].Family != "Jabra" || found[0].Name != "GN Audio A/S Jabra Evolve2 40" {
		t.Fatalf("found %+v", found)
	}
	if len(skipped) != 1 || skipped[0].Name != "WH-1000XM4 Headphones AVRCP" {
		t.Fatalf("skipped %+v, want the Bluetooth headphones with their reason", skipped)
	}
	t.Logf("skipped: %s: %s", skipped[0].Name, skipped[0].Reason)
}

// On a machine without headsets (this one: no hidraw device at all)
// discovery says none, cleanly.
func TestDiscoverOnThisMachine(t *testing.T) {
	found, skipped, err := Discover("/sys")
	if err != nil {
		t.Fatalf("discovery failed: %v", err)
	}
	t.Logf("this machine: %d telephony HID devices, %d skipped", len(found), len(skipped))
	if none, _, _ := Discover(t.TempDir()); len(none) != 0 {
		t.Errorf("an empty sysfs found %+v", none)
	}
}

func TestMatch(t *testing.T) {
	devs := []Device{{Name: "GN Audio A/S Jabra Evolve2 40"}, {Name: "EPOS IMPACT 860T"}}
	for _, c := range []struct{ rule, sound, want string }{
		{"PulseAudio's name of the Jabra", "Jabra Evolve2 40 Analog Stereo", "GN Audio A/S Jabra Evolve2 40"},
		{"WASAPI's name of the EPOS", "Headset (EPOS IMPACT 860T)", "EPOS IMPACT 860T"},
	} {
		if d, ok := Match(devs, c.sound); !ok || d.Name != c.want {
			t.Errorf("%s: %q matched %q", c.rule, c.sound, d.Name)
		}
	}
	if _, ok := Match(devs, "Built-in Audio Analog Stereo"); ok {
		t.Error("the laptop's own speakers matched a headset of two")
	}
	if d, ok := Match(devs[:1], "Built-in Audio Analog Stereo"); !ok || d.Name != devs[0].Name {
		t.Error("the only headset is not used")
	}
}
