//go:build !windows

package headset

// DiscoverSystem lists this machine's telephony HID devices (Linux: the
// hidraw nodes in sysfs).
func DiscoverSystem() ([]Device, []Skipped, error) { return Discover("/sys") }

// OpenDevice opens a device DiscoverSystem found, with its layout.
func OpenDevice(d Device) (*Conn, Layout, error) {
	c, err := Open(d.Path)
	return c, d.Layout, err
}
