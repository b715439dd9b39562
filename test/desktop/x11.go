package desktop

import (
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// CloseWindow asks the window win (an id as xdotool prints it) on display
// to close, as a window manager's close button does: a WM_DELETE_WINDOW
// message, which the app may answer by hiding instead (xdotool of Debian 12
// has no such command).
func CloseWindow(display, win string) error {
	xgb.Logger = log.New(io.Discard, "", 0) // its notes on a missing .Xauthority (Xvfb needs none)
	id, err := strconv.ParseUint(strings.TrimSpace(win), 0, 32)
	if err != nil {
		return fmt.Errorf("window id %q: %w", win, err)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", display, err)
	}
	defer conn.Close()
	atom := func(name string) (xproto.Atom, error) {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			return 0, fmt.Errorf("atom %s: %w", name, err)
		}
		return r.Atom, nil
	}
	protocols, err := atom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	del, err := atom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	ev := xproto.ClientMessageEvent{Format: 32, Window: xproto.Window(id), Type: protocols,
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(del), 0, 0, 0, 0})}
	if err := xproto.SendEventChecked(conn, false, xproto.Window(id), xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		return fmt.Errorf("send WM_DELETE_WINDOW: %w", err)
	}
	return nil
}

// Screenshot saves the window win as a PNG at path and returns the text
// OCR reads in it.
func Screenshot(display, win, path string) (string, error) {
	cmd := exec.Command("import", "-window", win, path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("screenshot %s: %v: %s", path, err, out)
	}
	out, err := exec.Command("tesseract", path, "stdout", "--psm", "11").Output()
	if err != nil {
		return "", fmt.Errorf("OCR of %s: %w", path, err)
	}
	return string(out), nil
}

// Geometry returns the window's size.
func Geometry(display, win string) (w, h int, err error) {
	cmd := exec.Command("xdotool", "getwindowgeometry", "--shell", win)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("geometry of %s: %w", win, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "WIDTH="); ok {
			w, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(l, "HEIGHT="); ok {
			h, _ = strconv.Atoi(v)
		}
	}
	return w, h, nil
}
