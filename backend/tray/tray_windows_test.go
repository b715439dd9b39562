package tray

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// The icon handed to the notification area is an ICO holding the PNG.
func TestPlatformIconIsAnICO(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	img.Set(3, 3, color.RGBA{R: 255, A: 255})
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	ico := platformIcon(p.Bytes())
	var hdr struct {
		Reserved, Type, Count uint16
		W, H, Colors, R       byte
		Planes, Bits          uint16
		Size, Offset          uint32
	}
	if err := binary.Read(bytes.NewReader(ico), binary.LittleEndian, &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr.Type != 1 || hdr.Count != 1 || hdr.W != 64 || hdr.H != 64 || int(hdr.Size) != p.Len() || hdr.Offset != 22 {
		t.Fatalf("ICO header %+v", hdr)
	}
	got, err := png.Decode(bytes.NewReader(ico[hdr.Offset:]))
	if err != nil || got.Bounds().Dx() != 64 {
		t.Fatalf("the PNG inside: %v", err)
	}
}
