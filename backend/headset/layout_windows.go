package headset

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"

	"voicedesk/backend/hid"
)

// capsLayout is a device as the HID API sees it: the preparsed data, with
// which HidP_GetUsages reads the buttons down in an input report and
// HidP_SetUsages sets the lights in an output report.
type capsLayout struct {
	pp       uintptr // the preparsed data, kept for the device's life
	inLen    int
	outLen   int
	controls map[Control]uint8 // the input report id of each control
	relative map[Control]bool
	lights   map[Light][]lightUsage // a light may have two (the LED Ring and the Ringer)
}

// lightUsage is where a light is set: its usage and output report.
type lightUsage struct {
	page, usage uint16
	id          uint8
}

func newCapsLayout(h windows.Handle, q Quirk) (*capsLayout, error) {
	var pp uintptr
	if r, _, _ := procGetPreparsed.Call(uintptr(h), uintptr(unsafe.Pointer(&pp))); r == 0 {
		return nil, fmt.Errorf("the headset's HID layout: HidD_GetPreparsedData failed")
	}
	var caps hidCaps
	if r, _, _ := procGetCaps.Call(pp, uintptr(unsafe.Pointer(&caps))); r != hidpStatusSuccess {
		procFreePreparsed.Call(pp)
		return nil, fmt.Errorf("the headset's HID layout: HidP_GetCaps failed")
	}
	l := &capsLayout{pp: pp, inLen: int(caps.InputReportByteLength), outLen: int(caps.OutputReportByteLength),
		controls: map[Control]uint8{}, relative: map[Control]bool{}, lights: map[Light][]lightUsage{}}
	for _, kind := range []uint32{0, 1} { // HidP_Input, HidP_Output
		n := caps.NumberInputButtonCaps
		if kind == 1 {
			n = caps.NumberOutputButtonCaps
		}
		if n == 0 {
			continue
		}
		bc := make([]buttonCaps, n)
		if r, _, _ := procGetButtonCaps.Call(uintptr(kind), uintptr(unsafe.Pointer(&bc[0])), uintptr(unsafe.Pointer(&n)), pp); r != hidpStatusSuccess {
			continue
		}
		for _, b := range bc[:n] {
			for u := b.UsageMin; ; u++ {
				usage := hid.U(b.UsagePage, u)
				if kind == 0 {
					if c, ok := controlUsages[usage]; ok {
						l.controls[c] = b.ReportID
						l.relative[c] = b.IsAbsolute == 0
					}
				} else if lt, ok := lightUsages[usage]; ok {
					l.lights[lt] = append(l.lights[lt], lightUsage{b.UsagePage, u, b.ReportID})
				}
				if b.IsRange == 0 || u >= b.UsageMax {
					break
				}
			}
		}
	}
	for c, rel := range q.relative {
		if _, ok := l.controls[c]; ok {
			l.relative[c] = rel
		}
	}
	if len(l.controls) == 0 {
		procFreePreparsed.Call(pp)
		return nil, ErrNoTelephony
	}
	return l, nil
}

func (l *capsLayout) Has(c Control) bool        { _, ok := l.controls[c]; return ok }
func (l *capsLayout) IsRelative(c Control) bool { return l.relative[c] }

// Read asks the HID API which Telephony-page buttons are down in the
// report (its id in byte 0).
func (l *capsLayout) Read(report []byte) (State, bool) {
	if len(report) == 0 {
		return nil, false
	}
	ok := false
	for _, id := range l.controls {
		if id == report[0] {
			ok = true
		}
	}
	if !ok {
		return nil, false
	}
	usages := make([]uint16, 32)
	n := uint32(len(usages))
	if r, _, _ := procGetUsages.Call(0, pageTelephony, 0, uintptr(unsafe.Pointer(&usages[0])), uintptr(unsafe.Pointer(&n)),
		l.pp, uintptr(unsafe.Pointer(&report[0])), uintptr(len(report))); r != hidpStatusSuccess {
		return nil, false
	}
	st := State{}
	for c, id := range l.controls {
		if id != report[0] {
			continue
		}
		st[c] = false
		for _, u := range usages[:n] {
			if cc, ok := controlUsages[hid.U(pageTelephony, u)]; ok && cc == c {
				st[c] = true
			}
		}
	}
	return st, true
}

// Reports sets the lit usages in a zeroed output report per report id.
func (l *capsLayout) Reports(on map[Light]bool) [][]byte {
	byID := map[uint8][]byte{}
	var ids []uint8
	for lt, all := range l.lights {
		for _, where := range all {
			r, seen := byID[where.id]
			if !seen && l.outLen > 0 {
				r = make([]byte, l.outLen)
				r[0] = where.id
				ids = append(ids, where.id)
				byID[where.id] = r
			}
			if !on[lt] || len(r) == 0 {
				continue
			}
			u := where.usage
			n := uint32(1)
			procSetUsages.Call(1, uintptr(where.page), 0, uintptr(unsafe.Pointer(&u)), uintptr(unsafe.Pointer(&n)),
				l.pp, uintptr(unsafe.Pointer(&r[0])), uintptr(len(r)))
		}
	}
	var out [][]byte
	for _, id := range sortIDs(ids) {
		out = append(out, byID[id])
	}
	return out
}
