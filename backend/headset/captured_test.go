package headset

import (
	"slices"
	"testing"

	"voicedesk/backend/hid"
)

// capturedHeadset is the Telephony application collection of a real
// headset's report descriptor (332 bytes in all), as dumped and decoded
// item by item in https://blog.csdn.net/paodiao2012/article/details/94834444
// (the bytes are the listing's, in order, up to the collection's end; the
// vendor collection after it is left out). Its layout is the one Jabra's
// and most Telephony-page headsets use: report 2 in, Hook Switch and Line
// Busy Tone absolute, Phone Mute, Flash, Redial and Speed Dial relative, a
// programmable button, a 4-bit keypad array; report 2 out, the Off-Hook,
// Mute, Ring, Hold and Microphone LEDs and the Telephony page's Ringer.
var capturedHeadset = []byte{
	0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x02, 0x05, 0x0B, 0x15, 0x00, 0x25, 0x01,
	0x09, 0x20, 0x09, 0x97, 0x75, 0x01, 0x95, 0x02, 0x81, 0x22,
	0x09, 0x2F, 0x09, 0x21, 0x09, 0x24, 0x09, 0x50, 0x75, 0x01, 0x95, 0x04, 0x81, 0x06,
	0x09, 0x07, 0x05, 0x09, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02,
	0x05, 0x0B, 0x09, 0x06, 0xA1, 0x02, 0x19, 0xB0, 0x29, 0xBB, 0x15, 0x00, 0x25, 0x0B, 0x75, 0x04, 0x95, 0x01, 0x81, 0x00, 0xC0,
	0x75, 0x01, 0x95, 0x05, 0x81, 0x01,
	0x05, 0x08, 0x15, 0x00, 0x25, 0x01, 0x09, 0x17, 0x09, 0x09, 0x09, 0x18, 0x09, 0x20, 0x09, 0x21, 0x75, 0x01, 0x95, 0x05, 0x91, 0x22,
	0x05, 0x0B, 0x15, 0x00, 0x25, 0x01, 0x09, 0x9E, 0x75, 0x01, 0x95, 0x01, 0x91, 0x22,
	0x75, 0x01, 0x95, 0x0A, 0x91, 0x01,
	0xC0,
}

// The captured headset: where its controls and lights are, what a press
// sequence reads as (report 2's first byte: hook bit 0, mute bit 2, flash
// bit 3), and the lights' report (the ring both as the LED and as the
// Ringer, as a Jabra-style headset needs to ring).
func TestCapturedHeadset(t *testing.T) {
	d, err := hid.Parse(capturedHeadset)
	if err != nil {
		t.Fatal(err)
	}
	if d.ReportBytes(hid.Input, 2) != 2 || d.ReportBytes(hid.Output, 2) != 2 {
		t.Fatalf("report 2: %d bytes in, %d out; want 2 and 2", d.ReportBytes(hid.Input, 2), d.ReportBytes(hid.Output, 2))
	}
	m, err := Map(d, QuirkOf(VendorJabra, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ctl      Control
		offset   int
		relative bool
	}{{Hook, 0, false}, {Mute, 2, true}, {Flash, 3, true}, {Redial, 4, true}} {
		b, ok := m.Controls[c.ctl]
		if !ok || b.field.Offset+b.index*b.field.Size != c.offset || m.Relative[c.ctl] != c.relative {
			t.Errorf("%v: %+v (relative %v), want bit %d, relative %v", c.ctl, b, m.Relative[c.ctl], c.offset, c.relative)
		}
	}
	// A call: off-hook, the mute pressed and released, on-hook.
	act := &actions{}
	ctl := NewController(m, nil, act, nil)
	ctl.Update(Calls{Ringing: []string{"c1"}})
	ctl.Input([]byte{2, 0b0000_0001, 0})
	ctl.Update(Calls{Active: "c1"})
	ctl.Input([]byte{2, 0b0000_0101, 0})
	ctl.Input([]byte{2, 0b0000_0001, 0})
	ctl.Input([]byte{2, 0b0000_0000, 0})
	if want := []string{"answer c1", "mute c1 true", "hangup c1"}; !slices.Equal(act.did, want) {
		t.Errorf("did %q, want %q", act.did, want)
	}
	// A keypad key (the array's 4 bits, bits 7-10) is none of the controls.
	if st, ok := m.Read([]byte{2, 0b1000_0001, 0b011}); !ok || st[Mute] || st[Flash] || !st[Hook] {
		t.Errorf("a keypad key read as %v", st)
	}
	r := m.Reports(map[Light]bool{LightRing: true, LightMute: true})
	// Mute bit 1, Ring bit 2, Ringer (the sixth output bit) bit 5.
	if len(r) != 1 || !slices.Equal(r[0], []byte{2, 0b0010_0110, 0}) {
		t.Errorf("ring and mute as %08b, want report 2 = 00100110 00000000", r)
	}
}
