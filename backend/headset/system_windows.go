// Windows: the HID API (hid.dll, cfgmgr32). Windows gives no report
// descriptor, but each top-level collection is a device of its own, and
// the API reads and sets buttons by usage (HidP_GetUsages, HidP_SetUsages)
// from its parsed form: the telephony collection is the device.

package headset

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	modhid              = windows.NewLazySystemDLL("hid.dll")
	procGetAttributes   = modhid.NewProc("HidD_GetAttributes")
	procGetProduct      = modhid.NewProc("HidD_GetProductString")
	procGetPreparsed    = modhid.NewProc("HidD_GetPreparsedData")
	procFreePreparsed   = modhid.NewProc("HidD_FreePreparsedData")
	procGetCaps         = modhid.NewProc("HidP_GetCaps")
	procGetButtonCaps   = modhid.NewProc("HidP_GetButtonCaps")
	procGetUsages       = modhid.NewProc("HidP_GetUsages")
	procSetUsages       = modhid.NewProc("HidP_SetUsages")
	guidDevinterfaceHID = windows.GUID{Data1: 0x4D1E55B2, Data2: 0xF16F, Data3: 0x11CF, Data4: [8]byte{0x88, 0xCB, 0x00, 0x11, 0x11, 0x00, 0x00, 0x30}}
)

const hidpStatusSuccess = 0x00110000

// hidAttributes is HIDD_ATTRIBUTES.
type hidAttributes struct {
	Size                         uint32
	VendorID, ProductID, Version uint16
}

// hidCaps is HIDP_CAPS.
type hidCaps struct {
	Usage, UsagePage                                             uint16
	InputReportByteLength, OutputReportByteLength, FeatureLength uint16
	Reserved                                                     [17]uint16
	NumberLinkCollectionNodes                                    uint16
	NumberInputButtonCaps, NumberInputValueCaps                  uint16
	NumberInputDataIndices                                       uint16
	NumberOutputButtonCaps, NumberOutputValueCaps                uint16
	NumberOutputDataIndices                                      uint16
	NumberFeatureButtonCaps, NumberFeatureValueCaps              uint16
	NumberFeatureDataIndices                                     uint16
}

// buttonCaps is HIDP_BUTTON_CAPS (72 bytes).
type buttonCaps struct {
	UsagePage      uint16
	ReportID       uint8
	IsAlias        uint8
	BitField       uint16
	LinkCollection uint16
	LinkUsage      uint16
	LinkUsagePage  uint16
	IsRange        uint8
	IsStringRange  uint8
	IsDesignRange  uint8
	IsAbsolute     uint8
	ReportCount    uint16
	Reserved2      uint16
	Reserved       [9]uint32
	// The Range/NotRange union: UsageMin (or Usage), UsageMax, ...
	UsageMin, UsageMax uint16
	rest               [6]uint16
}

// DiscoverSystem lists the HID devices whose top-level collection is on
// the Telephony page.
func DiscoverSystem() (found []Device, skipped []Skipped, err error) {
	paths, err := windows.CM_Get_Device_Interface_List("", &guidDevinterfaceHID, windows.CM_GET_DEVICE_INTERFACE_LIST_PRESENT)
	if err != nil {
		// Not wrapped: x/sys's CONFIGRET error formats itself through
		// CM_MapCrToWin32Err, which Wine 8's cfgmgr32 lacks, and its Error
		// method then panics (seen under Wine).
		return nil, nil, fmt.Errorf("list HID devices: %s", safeText(err))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		d, ok := describe(p)
		if ok {
			found = append(found, d)
		}
	}
	return found, nil, nil
}

// describe reads a device's ids, name and top-level usage without opening
// it for reading (access 0 is enough for the attributes).
func describe(path string) (Device, bool) {
	h, err := openHID(path, 0)
	if err != nil {
		return Device{}, false
	}
	defer windows.CloseHandle(h)
	var pp uintptr
	if r, _, _ := procGetPreparsed.Call(uintptr(h), uintptr(unsafe.Pointer(&pp))); r == 0 {
		return Device{}, false
	}
	defer procFreePreparsed.Call(pp)
	var caps hidCaps
	if r, _, _ := procGetCaps.Call(pp, uintptr(unsafe.Pointer(&caps))); r != hidpStatusSuccess || caps.UsagePage != pageTelephony {
		return Device{}, false
	}
	attr := hidAttributes{Size: uint32(unsafe.Sizeof(hidAttributes{}))}
	procGetAttributes.Call(uintptr(h), uintptr(unsafe.Pointer(&attr)))
	name := make([]uint16, 128)
	procGetProduct.Call(uintptr(h), uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)*2))
	q := QuirkOf(attr.VendorID, attr.ProductID)
	return Device{Path: path, Name: windows.UTF16ToString(name), Vendor: attr.VendorID, Product: attr.ProductID, Family: q.Family}, true
}

func openHID(path string, access uint32) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, err
	}
	return windows.CreateFile(p, access, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
}

// OpenDevice opens the device for its reports and reads its layout.
func OpenDevice(d Device) (*Conn, Layout, error) {
	h, err := openHID(d.Path, windows.GENERIC_READ|windows.GENERIC_WRITE)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrNoAccess, d.Name, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open the headset %s: %w", d.Name, err)
	}
	l, err := newCapsLayout(h, QuirkOf(d.Vendor, d.Product))
	if err != nil {
		windows.CloseHandle(h)
		return nil, nil, err
	}
	return &Conn{f: &hidHandle{h: h}}, l, nil
}

// hidHandle reads and writes reports on a synchronous handle; Close cancels
// a read in progress first (closing alone would leave it waiting).
type hidHandle struct {
	h    windows.Handle
	once sync.Once
}

func (f *hidHandle) Read(b []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(f.h, b, &n, nil)
	return int(n), err
}

func (f *hidHandle) Write(b []byte) (int, error) {
	var n uint32
	err := windows.WriteFile(f.h, b, &n, nil)
	return int(n), err
}

func (f *hidHandle) Close() error {
	f.once.Do(func() {
		_ = windows.CancelIoEx(f.h, nil)
		_ = windows.CloseHandle(f.h)
	})
	return nil
}

// safeText is err's message, or a plain one where formatting it panics.
func safeText(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("the system's device list failed (%#v)", err)
		}
	}()
	return err.Error()
}
