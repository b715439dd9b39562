// Package headset drives a USB headset's call controls: its buttons
// answer, hang up and mute (backend/phone's calls), and its lights follow
// the calls (ring, off-hook, mute). The report descriptor says where each
// control sits (backend/hid); the USB HID Usage Tables' Telephony page is
// the generic mapping, and per-device quirks (by USB vendor and product id)
// cover vendors that deviate. The device is reached through an access
// layer: hidraw on Linux (hidraw_linux.go).
package headset

import (
	"fmt"

	"voicedesk/backend/hid"
)

// Usage pages and usages (USB HID Usage Tables 1.4: §14 Telephony Device
// Page 0x0B, §11 LED Page 0x08).
const (
	pageTelephony = 0x0B
	pageLED       = 0x08
)

var (
	UsageHeadset    = hid.U(pageTelephony, 0x05) // the application collection of a headset
	UsageHookSwitch = hid.U(pageTelephony, 0x20)
	UsageFlash      = hid.U(pageTelephony, 0x21)
	UsageRedial     = hid.U(pageTelephony, 0x24)
	UsagePhoneMute  = hid.U(pageTelephony, 0x2F)
	UsageLineBusy   = hid.U(pageTelephony, 0x97) // the line busy tone (Jabra, Yealink send it with hook)

	UsageLEDMute    = hid.U(pageLED, 0x09)
	UsageLEDOffHook = hid.U(pageLED, 0x17)
	UsageLEDRing    = hid.U(pageLED, 0x18)
	UsageLEDHold    = hid.U(pageLED, 0x20)
	// UsageTelRinger is the Telephony page's Ringer (0x9E), which some
	// headsets use as their ring output instead of the LED page's Ring.
	UsageTelRinger = hid.U(pageTelephony, 0x9E)
)

// Control is a headset button the phone follows.
type Control int

const (
	Hook  Control = iota // absolute: on while off-hook (a call up)
	Mute                 // relative: a press toggles
	Flash                // a press: the waiting call
	Redial
)

func (c Control) String() string { return [...]string{"hook", "mute", "flash", "redial"}[c] }

// Light is a headset output the phone drives.
type Light int

const (
	LightOffHook Light = iota
	LightRing
	LightMute
	LightHold
)

func (l Light) String() string { return [...]string{"off-hook", "ring", "mute", "hold"}[l] }

// bit is where a control or light sits.
type bit struct {
	field hid.Field
	index int // the element, for a variable field
	// array: the field is an array; value is the index whose usage is this
	// control (the report's value when pressed).
	array bool
	value int32
}

// Mapping is where a device's telephony controls and lights are.
type Mapping struct {
	Numbered bool
	Controls map[Control]bit
	// Lights: each light's bits (a headset may have two for one light: the
	// LED page's Ring and the Telephony page's Ringer, both set).
	Lights map[Light][]bit
	// Relative says which controls report presses (1 while pressed) rather
	// than a level; the descriptor's flag, overridden by a quirk.
	Relative map[Control]bool
	desc     *hid.Descriptor
}

// ErrNoTelephony: the device has no telephony controls (a mouse, a
// keyboard, a Bluetooth-only headset's media keys).
var ErrNoTelephony = fmt.Errorf("no telephony controls (HID Telephony page 0x0B)")

var controlUsages = map[hid.Usage]Control{UsageHookSwitch: Hook, UsagePhoneMute: Mute, UsageFlash: Flash, UsageRedial: Redial}
var lightUsages = map[hid.Usage]Light{UsageLEDOffHook: LightOffHook, UsageLEDRing: LightRing, UsageTelRinger: LightRing,
	UsageLEDMute: LightMute, UsageLEDHold: LightHold}

// Map finds the telephony controls and lights in a parsed descriptor,
// inside a Telephony application collection (the page's Headset, Phone or
// any other of its collections), then applies the device's quirk.
func Map(d *hid.Descriptor, q Quirk) (*Mapping, error) {
	m := &Mapping{Numbered: d.Numbered, Controls: map[Control]bit{}, Lights: map[Light][]bit{}, Relative: map[Control]bool{}, desc: d}
	for _, f := range d.Fields {
		if f.Constant() || (f.Application.Page() != pageTelephony && !q.anyCollection) {
			continue
		}
		for i := range max(f.Count, 1) {
			if !f.Variable() {
				break
			}
			u := f.UsageAt(i)
			switch f.Kind {
			case hid.Input:
				if c, ok := controlUsages[u]; ok {
					if _, dup := m.Controls[c]; !dup {
						m.Controls[c] = bit{field: f, index: i}
						m.Relative[c] = f.Relative()
					}
				}
			case hid.Output:
				if l, ok := lightUsages[u]; ok {
					m.Lights[l] = append(m.Lights[l], bit{field: f, index: i})
				}
			}
		}
		if !f.Variable() && f.Kind == hid.Input { // an array of buttons: the value names the usage
			for k, u := range f.Usages {
				if c, ok := controlUsages[u]; ok {
					if _, dup := m.Controls[c]; !dup {
						m.Controls[c] = bit{field: f, array: true, value: f.LogicalMin + int32(k)}
						m.Relative[c] = c != Hook
					}
				}
			}
		}
	}
	for c, rel := range q.relative {
		if _, ok := m.Controls[c]; ok {
			m.Relative[c] = rel
		}
	}
	if _, ok := m.Controls[Hook]; !ok {
		if _, ok := m.Controls[Mute]; !ok {
			return nil, ErrNoTelephony
		}
	}
	return m, nil
}

// Layout is where a device's controls and lights are: a parsed report
// descriptor (Mapping), or on Windows the HID API's view of the device,
// which gives no descriptor (layout_windows.go).
type Layout interface {
	// Read reads the controls from an input report; ok is false for a
	// report that holds none of them.
	Read(report []byte) (st State, ok bool)
	// Reports are the output reports that set the lights.
	Reports(on map[Light]bool) [][]byte
	Has(c Control) bool
	IsRelative(c Control) bool
}

// Has and IsRelative make a Mapping a Layout.
func (m *Mapping) Has(c Control) bool        { _, ok := m.Controls[c]; return ok }
func (m *Mapping) IsRelative(c Control) bool { return m.Relative[c] }

// State is the controls' levels read from one input report (a relative
// control reads true while its button is down).
type State map[Control]bool

// Read reads the controls from an input report (with its id byte when the
// device numbers its reports). ok is false for a report that holds none of
// them (another report of the device).
func (m *Mapping) Read(report []byte) (st State, ok bool) {
	id, data := uint8(0), report
	if m.Numbered {
		if len(report) == 0 {
			return nil, false
		}
		id, data = report[0], report[1:]
	}
	st = State{}
	for c, b := range m.Controls {
		if b.field.ReportID != id {
			continue
		}
		ok = true
		if b.array {
			on := false
			for i := range b.field.Count {
				if v, got := b.field.Value(data, i); got && v == b.value {
					on = true
				}
			}
			st[c] = on
			continue
		}
		v, got := b.field.Value(data, b.index)
		st[c] = got && v != 0
	}
	return st, ok
}

// Reports are the output reports that set the lights (each with its id
// byte first when the device numbers its reports), one per report id used.
func (m *Mapping) Reports(on map[Light]bool) [][]byte {
	byID := map[uint8][]byte{}
	var order []uint8
	for l, bits := range m.Lights {
		for _, b := range bits {
			id := b.field.ReportID
			data, seen := byID[id]
			if !seen {
				data = make([]byte, m.desc.ReportBytes(hid.Output, id))
				order = append(order, id)
			}
			v := uint32(0)
			if on[l] {
				v = 1
			}
			b.field.Set(data, b.index, v)
			byID[id] = data
		}
	}
	var out [][]byte
	for _, id := range sortIDs(order) {
		r := byID[id]
		if m.Numbered {
			r = append([]byte{id}, r...)
		}
		out = append(out, r)
	}
	return out
}

func sortIDs(ids []uint8) []uint8 {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}
