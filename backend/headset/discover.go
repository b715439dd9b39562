package headset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"voicedesk/backend/hid"
)

// Device is a HID device with telephony controls.
type Device struct {
	// Path opens it (/dev/hidrawN on Linux).
	Path string `json:"path"`
	// Name is the device's own ("GN Audio A/S Jabra Evolve2 40").
	Name            string `json:"name"`
	Vendor, Product uint16 `json:"-"`
	// Bluetooth: the device is reached over Bluetooth HID.
	Bluetooth bool   `json:"bluetooth,omitempty"`
	Family    string `json:"family,omitempty"`
	Layout    Layout `json:"-"`
}

// Skipped is a HID device that looked like a headset but cannot be
// driven, and why.
type Skipped struct {
	Name, Reason string
}

// Discover lists the telephony HID devices under sysfs (normally "/sys"),
// from each hidraw node's uevent and report descriptor (both readable
// without opening the device). Audio-looking devices without telephony
// controls (a Bluetooth-only headset's media keys) come back in skipped
// with why. No hidraw at all is no error: none.
func Discover(sysfs string) (found []Device, skipped []Skipped, err error) {
	nodes, err := filepath.Glob(filepath.Join(sysfs, "class", "hidraw", "hidraw*"))
	if err != nil {
		return nil, nil, fmt.Errorf("list hidraw devices: %w", err)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		ue, err := os.ReadFile(filepath.Join(n, "device", "uevent"))
		if err != nil {
			continue // gone meanwhile
		}
		bus, vendor, product, name := parseUevent(string(ue))
		desc, err := os.ReadFile(filepath.Join(n, "device", "report_descriptor"))
		if err != nil {
			continue
		}
		q := QuirkOf(vendor, product)
		d, err := hid.Parse(desc)
		var m *Mapping
		if err == nil {
			m, err = Map(d, q)
		}
		if err != nil {
			if headsetMaker[vendor] || looksAudio(name) {
				why := err.Error()
				if bus == 0x0005 {
					why = "Bluetooth HID without telephony controls (media keys only): its buttons cannot answer calls"
				}
				skipped = append(skipped, Skipped{Name: name, Reason: why})
			}
			continue
		}
		found = append(found, Device{Path: filepath.Join("/dev", filepath.Base(n)), Name: name, Vendor: vendor, Product: product,
			Bluetooth: bus == 0x0005, Family: q.Family, Layout: m})
	}
	return found, skipped, nil
}

// parseUevent reads HID_ID=BBBB:VVVVVVVV:PPPPPPPP and HID_NAME.
func parseUevent(s string) (bus, vendor, product uint16, name string) {
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "HID_ID":
			parts := strings.Split(v, ":")
			if len(parts) == 3 {
				b, _ := strconv.ParseUint(parts[0], 16, 32)
				vd, _ := strconv.ParseUint(parts[1], 16, 32)
				pd, _ := strconv.ParseUint(parts[2], 16, 32)
				bus, vendor, product = uint16(b), uint16(vd), uint16(pd)
			}
		case "HID_NAME":
			name = v
		}
	}
	return bus, vendor, product, name
}

// headsetMaker: vendors that make headsets and little else (a Logitech or
// Microsoft device without telephony is most likely a mouse).
var headsetMaker = map[uint16]bool{VendorJabra: true, VendorEPOS: true, VendorPoly: true, VendorYealink: true, VendorJPL: true, VendorAxtel: true}

func looksAudio(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"headset", "headphone", "speakerphone", "audio", "earbud", "buds"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Match picks the device whose name best matches the chosen sound device's
// (PulseAudio and WASAPI name a USB headset after its product string, which
// is also its HID name): the most words in common, at least one of them
// not a generic one. "" or no match: the only device, if there is one.
func Match(devices []Device, soundName string) (Device, bool) {
	best, score := -1, 0
	words := nameWords(soundName)
	for i, d := range devices {
		s := 0
		for w := range nameWords(d.Name) {
			if words[w] {
				s++
			}
		}
		if s > score {
			best, score = i, s
		}
	}
	if best >= 0 {
		return devices[best], true
	}
	if len(devices) == 1 {
		return devices[0], true
	}
	return Device{}, false
}

var genericWords = map[string]bool{"usb": true, "audio": true, "headset": true, "analog": true, "stereo": true, "mono": true,
	"digital": true, "output": true, "input": true, "microphone": true, "speaker": true, "a/s": true, "inc": true, "the": true}

func nameWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == '(' || r == ')' || r == ',' }) {
		if len(w) > 1 && !genericWords[w] {
			out[w] = true
		}
	}
	return out
}
