package hid

import (
	"errors"
	"testing"
)

// headset is a report descriptor in the USB HID Usage Tables' telephony
// layout (HUT 1.4 §14 and §11): a Telephony Headset application, report 2
// in: Hook Switch (absolute) and Phone Mute (relative), 6 bits padding;
// report 2 out: the Off-Hook, Mute and Ring LEDs, 5 bits padding.
var headset = []byte{
	0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, // Usage Page (Telephony), Usage (Headset), Collection (Application)
	0x85, 0x02, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, //   Report ID 2, Logical 0..1, Size 1
	0x09, 0x20, 0x95, 0x01, 0x81, 0x02, //   Usage (Hook Switch), Count 1, Input (Data,Var,Abs)
	0x09, 0x2F, 0x81, 0x06, //   Usage (Phone Mute), Input (Data,Var,Rel)
	0x95, 0x06, 0x81, 0x01, //   Count 6, Input (Const)
	0x05, 0x08, 0x09, 0x17, 0x09, 0x09, 0x09, 0x18, //   Usage Page (LEDs): Off-Hook, Mute, Ring
	0x95, 0x03, 0x91, 0x02, //   Count 3, Output (Data,Var,Abs)
	0x95, 0x05, 0x91, 0x01, //   Count 5, Output (Const)
	0xC0,
}

func TestParse(t *testing.T) {
	d, err := Parse(headset)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Numbered || len(d.Fields) != 5 {
		t.Fatalf("numbered %v, %d fields: %+v", d.Numbered, len(d.Fields), d.Fields)
	}
	for _, c := range []struct {
		rule          string
		i             int
		kind          Kind
		offset, count int
		usage         Usage
		relative      bool
	}{
		{"the hook switch is report 2's first input bit", 0, Input, 0, 1, U(0x0B, 0x20), false},
		{"mute follows it, relative", 1, Input, 1, 1, U(0x0B, 0x2F), true},
		{"the LEDs start output report 2 on the LED page", 3, Output, 0, 3, U(0x08, 0x17), false},
		{"padding after the LEDs", 4, Output, 3, 5, 0, false},
	} {
		f := d.Fields[c.i]
		if f.Kind != c.kind || f.Offset != c.offset || f.Count != c.count || f.UsageAt(0) != c.usage || f.Relative() != c.relative || f.ReportID != 2 {
			t.Errorf("%s: %+v", c.rule, f)
		}
		if f.Application != U(0x0B, 0x05) {
			t.Errorf("%s: in application %v, want the Headset", c.rule, f.Application)
		}
	}
	if got := d.ReportBytes(Output, 2); got != 1 {
		t.Errorf("output report 2: %d bytes, want 1", got)
	}
	if u := d.Fields[3].UsageAt(2); u != U(0x08, 0x18) {
		t.Errorf("the third LED %v, want Ring", u)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct {
		rule string
		b    []byte
	}{
		{"a truncated item", []byte{0x05}},
		{"an End Collection without a Collection", []byte{0xC0}},
		{"a collection left open", []byte{0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01}},
		{"a Pop without a Push", []byte{0xB4}},
		{"a field of 64-bit elements", []byte{0x75, 0x40, 0x95, 0x01, 0x81, 0x02}},
	} {
		if _, err := Parse(c.b); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("%s: %v, want ErrBadDescriptor", c.rule, err)
		}
	}
}

func TestValueAndSet(t *testing.T) {
	f := Field{Offset: 3, Size: 4, LogicalMin: 0, LogicalMax: 15}
	data := make([]byte, 2)
	if !f.Set(data, 1, 0b1011) { // bits 7..10
		t.Fatal("Set refused")
	}
	if data[0] != 0b1000_0000 || data[1] != 0b101 {
		t.Fatalf("data %08b %08b", data[0], data[1])
	}
	if v, ok := f.Value(data, 1); !ok || v != 0b1011 {
		t.Errorf("Value %d, %v", v, ok)
	}
	if _, ok := f.Value(data, 5); ok {
		t.Error("an element past the data was read")
	}
	neg := Field{Size: 8, LogicalMin: -127, LogicalMax: 127}
	if v, _ := neg.Value([]byte{0xFE}, 0); v != -2 {
		t.Errorf("a signed field read %d, want -2", v)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(headset)
	f.Add([]byte{0xFE, 0x02, 0x00, 0x01, 0x02})
	f.Add([]byte{0x19, 0x01, 0x29, 0xFF, 0x95, 0xFF, 0x75, 0x08, 0x81, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrBadDescriptor) {
				t.Fatalf("an error that is not ErrBadDescriptor: %v", err)
			}
			return
		}
		for _, fl := range d.Fields {
			data := make([]byte, d.ReportBytes(fl.Kind, fl.ReportID))
			for i := range min(fl.Count, 64) {
				fl.Set(data, i, 1)
				fl.Value(data, i)
			}
		}
	})
}
