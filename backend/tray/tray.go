// Package tray is the app's icon in the desktop's system tray (through
// fyne.io/systray: the StatusNotifierItem D-Bus protocol on Linux,
// tray_dbus.go; the notification area on Windows, tray_windows.go): the
// availability at a glance, a menu to change it, and the way back to a
// window that was closed while the phone keeps running.
package tray

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"sync"
	"time"

	"fyne.io/systray"
	"golang.org/x/image/draw"
)

// Status is one availability the menu offers.
type Status struct {
	ID      int
	Label   string
	Current bool
}

// View is what the tray shows; the app fills it in the phone's language.
type View struct {
	// Tooltip and Header (the menu's first, inert line) say who is signed
	// in and how available, or that nobody is.
	Tooltip, Header string
	// Statuses are the availabilities, offered when the phone is signed in
	// (StatusEnabled).
	Statuses      []Status
	StatusEnabled bool
	// Show and Quit label the menu's last two lines.
	Show, Quit string
	// Dot colours the icon's corner: the availability (nil: none).
	Dot color.Color
	// Ringing blinks the icon (blue, then green) while a call rings: an
	// agent working in another app sees it at the edge of the screen.
	Ringing bool
}

// RingColour is the icon's colour in the ringing blink's second beat.
var RingColour = color.RGBA{0x1e, 0x9e, 0x4a, 0xff}

// blinkEvery is the ringing blink's beat.
const blinkEvery = 500 * time.Millisecond

// Config says what the tray's clicks do.
type Config struct {
	// Icon is the app's icon (PNG).
	Icon []byte
	// Statuses is how many availabilities the menu offers (its lines are
	// made once).
	Statuses int
	// OnShow: the icon was clicked or Show chosen.
	OnShow func()
	// OnStatus: an availability was chosen.
	OnStatus func(id int)
	// OnQuit: Quit was chosen.
	OnQuit func()
	Log    *slog.Logger
}

// Tray is the running tray icon.
type Tray struct {
	cfg  Config
	base image.Image
	end  func()
	once sync.Once
	done chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex // serialises changes of the menu's items
	header   *systray.MenuItem
	statuses []*systray.MenuItem
	ids      []int
	show     *systray.MenuItem
	quit     *systray.MenuItem
	dot      color.Color
	normal   []byte        // the icon with the dot, as shown when not ringing
	ring     []byte        // the ringing blink's green icon with the dot
	ringing  chan struct{} // closed to stop the blink; nil when not ringing
}

// ErrNoSession is Start's error without a desktop session to show a tray
// in (Linux: no D-Bus session bus).
var ErrNoSession = errors.New("no D-Bus session bus: no tray icon")

// Start puts the icon in the tray. The tray itself may come later (a
// panel started after the app): the icon registers when it does.
func Start(cfg Config) (*Tray, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := sessionCheck(); err != nil {
		return nil, err
	}
	base, err := png.Decode(bytes.NewReader(cfg.Icon))
	if err != nil {
		return nil, fmt.Errorf("tray icon: %w", err)
	}
	t := &Tray{cfg: cfg, base: base, done: make(chan struct{})}
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() {
		t.build()
		close(ready)
	}, nil)
	t.end = end
	systray.SetTitle("VoiceDesk") // also the item's Id, read as it starts
	t.normal = t.icon(nil, nil)
	systray.SetIcon(t.normal)
	systray.SetOnTapped(func() { t.call(func() { cfg.OnShow() }) })
	start()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Close()
		return nil, errors.New("tray icon: the menu was not built")
	}
	t.keepRegistered()
	return t, nil
}

// build makes the menu's lines: the header, the availabilities, Show, Quit.
func (t *Tray) build() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.header = systray.AddMenuItem("VoiceDesk", "")
	t.header.Disable()
	systray.AddSeparator()
	for i := 0; i < t.cfg.Statuses; i++ {
		item := systray.AddMenuItemCheckbox("", "", false)
		item.Disable()
		t.statuses = append(t.statuses, item)
		t.ids = append(t.ids, 0)
		t.listen(item, func() {
			t.mu.Lock()
			id := t.ids[i]
			t.mu.Unlock()
			if id != 0 {
				t.cfg.OnStatus(id)
			}
		})
	}
	systray.AddSeparator()
	t.show = systray.AddMenuItem("Show", "")
	t.quit = systray.AddMenuItem("Quit", "")
	t.listen(t.show, func() { t.cfg.OnShow() })
	t.listen(t.quit, func() { t.cfg.OnQuit() })
}

// listen runs do for each click of item until Close.
func (t *Tray) listen(item *systray.MenuItem, do func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case <-t.done:
				return
			case <-item.ClickedCh:
				t.call(do)
			}
		}
	}()
}

// call runs a click's action, which may block (a request to the
// platform), off the tray's D-Bus dispatch and click loops.
func (t *Tray) call(do func()) {
	select {
	case <-t.done:
		return
	default:
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		do()
	}()
}

// Update shows v.
func (t *Tray) Update(v View) {
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.done:
		return
	default:
	}
	systray.SetTooltip(v.Tooltip)
	t.header.SetTitle(v.Header)
	for i, item := range t.statuses {
		if i >= len(v.Statuses) {
			item.Hide()
			continue
		}
		s := v.Statuses[i]
		t.ids[i] = s.ID
		item.SetTitle(s.Label)
		if s.Current {
			item.Check()
		} else {
			item.Uncheck()
		}
		if v.StatusEnabled {
			item.Enable()
		} else {
			item.Disable()
		}
	}
	t.show.SetTitle(v.Show)
	t.quit.SetTitle(v.Quit)
	if !sameColor(v.Dot, t.dot) {
		t.dot = v.Dot
		t.normal = t.icon(v.Dot, nil)
		if t.ringing == nil {
			systray.SetIcon(t.normal)
		} else {
			t.ring = t.icon(v.Dot, RingColour)
		}
	}
	switch {
	case v.Ringing && t.ringing == nil:
		t.blink()
	case !v.Ringing && t.ringing != nil:
		close(t.ringing)
		t.ringing = nil
		systray.SetIcon(t.normal)
	}
}

// blink alternates the icon and its ringing colour until t.ringing is
// closed or the tray closes; the caller holds t.mu.
func (t *Tray) blink() {
	stop := make(chan struct{})
	t.ringing = stop
	t.ring = t.icon(t.dot, RingColour)
	systray.SetIcon(t.ring)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(blinkEvery)
		defer tick.Stop()
		lit := true
		for {
			select {
			case <-t.done:
				return
			case <-stop:
				return
			case <-tick.C:
			}
			t.mu.Lock()
			select {
			case <-stop: // Update has put the steady icon back
			default:
				lit = !lit
				if lit {
					systray.SetIcon(t.ring)
				} else {
					systray.SetIcon(t.normal)
				}
			}
			t.mu.Unlock()
		}
	}()
}

// Close removes the icon and stops the tray's goroutines.
func (t *Tray) Close() {
	t.once.Do(func() {
		t.mu.Lock()
		close(t.done)
		t.mu.Unlock()
		t.end()
		t.wg.Wait()
	})
}

// icon is the app's icon at tray size with the availability's dot, its
// coloured background (all but the white handset) painted tint if given.
func (t *Tray) icon(dot, tint color.Color) []byte {
	const size = 64
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(img, img.Bounds(), t.base, t.base.Bounds(), draw.Over, nil)
	// The background's colour, from the icon's top edge, and how far from
	// white it is.
	bg := img.RGBAAt(size/2, 3)
	full := float64(int(bg.A) - int(min(bg.R, bg.G, bg.B)))
	if tint != nil && full > 0 {
		tr, tg, tb, _ := tint.RGBA()
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				c := img.RGBAAt(x, y)
				if c.A == 0 {
					continue
				}
				// The background's share of the (premultiplied) pixel:
				// its alpha on the background, 0 on the white handset,
				// between on their edges; the rest is white.
				k := min(float64(int(c.A)-int(min(c.R, c.G, c.B)))/full, 1) * float64(c.A) / 255
				w := max(float64(c.A)/255-k, 0)
				mix := func(v uint32) uint8 { return uint8(float64(v>>8)*k + 255*w + 0.5) }
				img.SetRGBA(x, y, color.RGBA{mix(tr), mix(tg), mix(tb), c.A})
			}
		}
	}
	if dot != nil {
		// A filled circle in the lower right, with a white ring that keeps
		// it apart from the icon on any panel colour.
		const r, ring = 14, 3
		cx, cy := size-r-1, size-r-1
		for y := cy - r; y <= cy+r; y++ {
			for x := cx - r; x <= cx+r; x++ {
				d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
				switch {
				case d <= (r-ring)*(r-ring):
					img.Set(x, y, dot)
				case d <= r*r:
					img.Set(x, y, color.White)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return platformIcon(buf.Bytes())
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
