// Windows: the notification area, through fyne.io/systray's Win32 side;
// every Windows desktop has one.

package tray

import (
	"bytes"
	"encoding/binary"
	"image/png"
)

func sessionCheck() error { return nil }

// keepRegistered: the notification area needs no registration.
func (t *Tray) keepRegistered() {}

// Hosted: the notification area is always there on a Windows desktop.
func (t *Tray) Hosted() bool { return true }

// platformIcon wraps the PNG in an ICO container, the format
// systray.SetIcon takes on Windows (an ICO may hold a PNG image since
// Windows Vista).
func platformIcon(p []byte) []byte {
	w, h := 0, 0
	if cfg, err := png.DecodeConfig(bytes.NewReader(p)); err == nil {
		w, h = cfg.Width, cfg.Height
	}
	dim := func(v int) byte {
		if v >= 256 || v <= 0 {
			return 0 // 0 means 256
		}
		return byte(v)
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1}) // reserved, type icon, one image
	b.Write([]byte{dim(w), dim(h), 0, 0})                         // size, no palette, reserved
	_ = binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})   // planes, bits per pixel
	_ = binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(p)), 6 + 16})
	b.Write(p)
	return b.Bytes()
}
