package headset

import "fmt"

// Quirk is what a device does differently from the Usage Tables.
type Quirk struct {
	// Family names the device family for the Settings line and the README's
	// table.
	Family string
	// relative overrides the descriptor's absolute/relative flag of a
	// control (e.g. a hook switch that reports presses).
	relative map[Control]bool
	// anyCollection: the telephony usages sit outside a Telephony
	// application collection (in a vendor one).
	anyCollection bool
	// Unsupported: no telephony interface to drive (Bluetooth-only);
	// the reason shown.
	Unsupported string
}

// USB vendor ids of the headset makers whose devices speak the Telephony
// page (from the USB-IF's list and the vendors' own documents).
const (
	VendorJabra     = 0x0B0E // GN Audio
	VendorEPOS      = 0x1395 // EPOS / Sennheiser Communications
	VendorPoly      = 0x047F // Poly / Plantronics
	VendorYealink   = 0x6993
	VendorLogitech  = 0x046D
	VendorMicrosoft = 0x045E
	VendorJPL       = 0x2EA1
	VendorAxtel     = 0x3107
)

// quirks by vendor and product ("vid:pid"; pid 0 is every product of the
// vendor). Only the families for now: no deviation has been checked on a
// device here (this machine has no headset and its kernel no uhid), so
// none is guessed. Poly/Plantronics puts some controls on its vendor page
// 0xFFA0, which is not mapped: its standard Telephony-page controls work,
// those do not (README: the headset table).
var quirks = map[string]Quirk{
	"047f:0000": {Family: "Poly / Plantronics"},
	"0b0e:0000": {Family: "Jabra"},
	"1395:0000": {Family: "EPOS / Sennheiser"},
	"6993:0000": {Family: "Yealink"},
	"046d:0000": {Family: "Logitech"},
	"045e:0000": {Family: "Microsoft"},
	"2ea1:0000": {Family: "JPL"},
}

// QuirkOf is the quirk of a device (the vendor's, the product's where it
// has its own), or none.
func QuirkOf(vendor, product uint16) Quirk {
	if q, ok := quirks[fmt.Sprintf("%04x:%04x", vendor, product)]; ok {
		return q
	}
	return quirks[fmt.Sprintf("%04x:0000", vendor)]
}
