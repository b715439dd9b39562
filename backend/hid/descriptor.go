// Package hid reads USB HID report descriptors and the reports they
// describe: which usage each bit of an input or output report carries.
// It knows nothing of telephony (backend/headset maps the usages) nor of
// how reports reach the device (hidraw, the Windows HID API).
//
// Written here rather than taken from a library: the Go HID libraries
// (karalabe/hid, sstallion/go-hid) open devices and move reports, which
// backend/headset does over hidraw itself, but none parses descriptors
// into fields; the parser is the HID 1.11 specification's item grammar,
// about 200 lines.
package hid

import (
	"errors"
	"fmt"
)

// Kind is the main item a field comes from.
type Kind int

const (
	Input Kind = iota
	Output
	Feature
)

func (k Kind) String() string {
	return [...]string{"input", "output", "feature"}[k]
}

// Usage is a usage page (high 16 bits) and a usage id (low 16 bits).
type Usage uint32

// U makes a Usage of page and id.
func U(page, id uint16) Usage { return Usage(uint32(page)<<16 | uint32(id)) }

// Page and ID split a Usage.
func (u Usage) Page() uint16 { return uint16(u >> 16) }
func (u Usage) ID() uint16   { return uint16(u) }

func (u Usage) String() string { return fmt.Sprintf("%#04x:%#04x", u.Page(), u.ID()) }

// Field is one Input, Output or Feature main item: Count elements of Size
// bits from bit Offset of report ReportID (counted after the report id
// byte, when the device numbers its reports).
type Field struct {
	Kind     Kind
	ReportID uint8
	Offset   int // bits
	Size     int // bits per element
	Count    int
	// Flags: the main item's data (bit 0 constant, 1 variable, 2 relative).
	Flags       uint32
	LogicalMin  int32
	LogicalMax  int32
	Usages      []Usage // one per element for a variable field; the choices of an array
	Application Usage   // the enclosing application collection's usage
}

// Constant, Variable and Relative read the field's flags.
func (f Field) Constant() bool { return f.Flags&1 != 0 }
func (f Field) Variable() bool { return f.Flags&2 != 0 }
func (f Field) Relative() bool { return f.Flags&4 != 0 }

// UsageAt is the usage of element i of a variable field (the last one
// repeats when the descriptor named fewer usages than elements).
func (f Field) UsageAt(i int) Usage {
	if len(f.Usages) == 0 {
		return 0
	}
	return f.Usages[min(i, len(f.Usages)-1)]
}

// Descriptor is a parsed report descriptor.
type Descriptor struct {
	Fields []Field
	// Numbered: the device prefixes each report with its id.
	Numbered bool
	// Bytes per report (without the id byte), by kind and id.
	sizes map[[2]int]int
}

// ReportBytes is the length of report id of kind, without the id byte.
func (d *Descriptor) ReportBytes(k Kind, id uint8) int {
	return (d.sizes[[2]int{int(k), int(id)}] + 7) / 8
}

// ErrBadDescriptor: the bytes are not a report descriptor this parser can
// follow (truncated, an unbalanced collection, a Pop without Push).
var ErrBadDescriptor = errors.New("hid: bad report descriptor")

type globals struct {
	page           uint16
	logMin, logMax int32
	size, count    int
	id             uint8
}

// maxDescriptor bounds what Parse reads (a HID descriptor is at most 4 KB
// in practice; the kernel's limit is 4096 bytes).
const maxDescriptor = 4096

// Parse reads a report descriptor.
func Parse(b []byte) (*Descriptor, error) {
	if len(b) > maxDescriptor {
		return nil, fmt.Errorf("%w: %d bytes, over %d", ErrBadDescriptor, len(b), maxDescriptor)
	}
	d := &Descriptor{sizes: map[[2]int]int{}}
	var g globals
	var stack []globals
	var usages []Usage
	var usageMin, usageMax Usage
	var haveMin, haveMax bool
	var apps []Usage // the collection stack's usages (0 for non-application ones)
	for i := 0; i < len(b); {
		prefix := b[i]
		if prefix == 0xFE { // a long item: its size, its tag, its data
			if i+2 >= len(b) {
				return nil, fmt.Errorf("%w: truncated long item at %d", ErrBadDescriptor, i)
			}
			i += 3 + int(b[i+1])
			continue
		}
		n := []int{0, 1, 2, 4}[prefix&3]
		if i+1+n > len(b) {
			return nil, fmt.Errorf("%w: truncated item at byte %d", ErrBadDescriptor, i)
		}
		var u uint32
		for k := 0; k < n; k++ {
			u |= uint32(b[i+1+k]) << (8 * k)
		}
		s := signed(u, n)
		typ, tag := (prefix>>2)&3, prefix>>4
		i += 1 + n
		switch typ {
		case 0: // main
			switch tag {
			case 0x8, 0x9, 0xB:
				kind := map[byte]Kind{0x8: Input, 0x9: Output, 0xB: Feature}[tag]
				f := Field{Kind: kind, ReportID: g.id, Size: g.size, Count: g.count, Flags: u,
					LogicalMin: g.logMin, LogicalMax: g.logMax}
				if len(apps) > 0 {
					f.Application = apps[0]
				}
				f.Usages = append(f.Usages, usages...)
				if haveMin && haveMax && usageMax.ID() >= usageMin.ID() && usageMax.ID()-usageMin.ID() < 1024 {
					for v := uint32(usageMin.ID()); v <= uint32(usageMax.ID()); v++ {
						f.Usages = append(f.Usages, U(usageMin.Page(), uint16(v)))
					}
				}
				key := [2]int{int(kind), int(g.id)}
				f.Offset = d.sizes[key]
				d.sizes[key] += g.size * g.count
				if g.size > 32 || g.size*g.count > 8*maxDescriptor {
					return nil, fmt.Errorf("%w: a field of %d x %d bits", ErrBadDescriptor, g.count, g.size)
				}
				d.Fields = append(d.Fields, f)
			case 0xA: // collection
				app := Usage(0)
				if u == 1 && len(usages) > 0 { // application
					app = usages[0]
				}
				if len(apps) > 0 && app == 0 {
					app = apps[len(apps)-1]
				}
				apps = append(apps, app)
			case 0xC: // end collection
				if len(apps) == 0 {
					return nil, fmt.Errorf("%w: End Collection without a Collection", ErrBadDescriptor)
				}
				apps = apps[:len(apps)-1]
			}
			usages, haveMin, haveMax = nil, false, false
		case 1: // global
			switch tag {
			case 0x0:
				g.page = uint16(u)
			case 0x1:
				g.logMin = s
			case 0x2:
				g.logMax = s
				if g.logMin >= 0 && n > 0 && s < 0 { // an unsigned maximum written short
					g.logMax = int32(u)
				}
			case 0x7:
				g.size = int(u)
			case 0x8:
				g.id = uint8(u)
				d.Numbered = true
			case 0x9:
				g.count = int(u)
			case 0xA:
				stack = append(stack, g)
			case 0xB:
				if len(stack) == 0 {
					return nil, fmt.Errorf("%w: Pop without Push", ErrBadDescriptor)
				}
				g, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case 2: // local
			switch tag {
			case 0x0:
				usages = append(usages, fullUsage(u, n, g.page))
			case 0x1:
				usageMin, haveMin = fullUsage(u, n, g.page), true
			case 0x2:
				usageMax, haveMax = fullUsage(u, n, g.page), true
			}
		}
	}
	if len(apps) != 0 {
		return nil, fmt.Errorf("%w: %d collections not ended", ErrBadDescriptor, len(apps))
	}
	return d, nil
}

// fullUsage: a 4-byte usage names its page itself; a shorter one is on the
// current usage page.
func fullUsage(u uint32, n int, page uint16) Usage {
	if n == 4 {
		return Usage(u)
	}
	return U(page, uint16(u))
}

func signed(u uint32, n int) int32 {
	switch n {
	case 1:
		return int32(int8(u))
	case 2:
		return int32(int16(u))
	}
	return int32(u)
}

// Value reads element i of f from a report's data (without the id byte).
func (f Field) Value(data []byte, i int) (int32, bool) {
	start := f.Offset + i*f.Size
	if f.Size == 0 || start+f.Size > 8*len(data) {
		return 0, false
	}
	var v uint32
	for k := 0; k < f.Size; k++ {
		bit := start + k
		if data[bit/8]&(1<<(bit%8)) != 0 {
			v |= 1 << k
		}
	}
	if f.LogicalMin < 0 && f.Size < 32 && v&(1<<(f.Size-1)) != 0 { // sign-extend
		v |= ^uint32(0) << f.Size
	}
	return int32(v), true
}

// Set writes element i of f into a report's data.
func (f Field) Set(data []byte, i int, v uint32) bool {
	start := f.Offset + i*f.Size
	if f.Size == 0 || start+f.Size > 8*len(data) {
		return false
	}
	for k := 0; k < f.Size; k++ {
		bit := start + k
		if v&(1<<k) != 0 {
			data[bit/8] |= 1 << (bit % 8)
		} else {
			data[bit/8] &^= 1 << (bit % 8)
		}
	}
	return true
}
