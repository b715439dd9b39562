package headset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// ErrNoAccess: the device node exists but this user may not open it (on
// Linux a udev rule gives the seat's user access: README, headsets).
var ErrNoAccess = errors.New("no access to the headset's HID device")

// Conn is an open HID device: reports in through Run, out through Write.
type Conn struct {
	f    io.ReadWriteCloser
	once sync.Once
}

// Open opens the device node (a hidraw node on Linux: each read is one
// input report, each write one output report, the report id first when
// the device numbers them).
func Open(path string) (*Conn, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrPermission) {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoAccess, path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open the headset %s: %w", path, err)
	}
	return &Conn{f: f}, nil
}

// Write sends one output report.
func (c *Conn) Write(report []byte) error {
	_, err := c.f.Write(report)
	return err
}

// Run hands each input report to onReport until ctx ends or the device
// goes (unplugged: the read fails); then it closes the device.
func (c *Conn) Run(ctx context.Context, onReport func([]byte)) error {
	stop := context.AfterFunc(ctx, c.close)
	defer stop()
	defer c.close()
	buf := make([]byte, 256)
	for {
		n, err := c.f.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read the headset: %w", err)
		}
		onReport(append([]byte(nil), buf[:n]...))
	}
}

func (c *Conn) close() { c.once.Do(func() { _ = c.f.Close() }) }
