package headset

import (
	"testing"
	"unsafe"
)

// The HID API's structures have the sizes hid.dll writes (HIDP_CAPS 64
// bytes, HIDP_BUTTON_CAPS 72, HIDD_ATTRIBUTES 12): a wrong one would
// corrupt memory on a real Windows.
func TestHIDStructSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"HIDP_CAPS", unsafe.Sizeof(hidCaps{}), 64},
		{"HIDP_BUTTON_CAPS", unsafe.Sizeof(buttonCaps{}), 72},
		{"HIDD_ATTRIBUTES", unsafe.Sizeof(hidAttributes{}), 12},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, c.got, c.want)
		}
	}
}

// Discovery on a Windows without headsets (Wine here) says none, cleanly.
func TestDiscoverSystemFindsNoneHere(t *testing.T) {
	found, _, err := DiscoverSystem()
	if err != nil {
		t.Logf("found %d, error %s", len(found), err.Error()) // must not panic (Wine's cfgmgr32)
	}
	if len(found) != 0 {
		t.Errorf("found %+v on a machine without headsets", found)
	}
}
