package desktop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// TrayHost is a desktop's system tray as the app sees it on D-Bus: the
// StatusNotifierWatcher items register with, and a host that reads an
// item's icon, tooltip and menu and clicks them as a panel does. It needs a
// D-Bus session (scripts/keyring-session.sh gives one).
type TrayHost struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	items []string // the registered items' bus names
}

type watcher struct{ h *TrayHost }

// RegisterStatusNotifierItem is the watcher's method an item calls with
// its object path (or, by another convention, its bus name).
func (w watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	name := string(sender)
	if !strings.HasPrefix(service, "/") {
		name = service
	}
	w.h.mu.Lock()
	w.h.items = append(w.h.items, name)
	w.h.mu.Unlock()
	return nil
}

func (w watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// StartTrayHost takes the watcher's name on the session bus.
func StartTrayHost() (*TrayHost, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("tray host: %w", err)
	}
	h := &TrayHost{conn: conn}
	const path = "/StatusNotifierWatcher"
	const iface = "org.kde.StatusNotifierWatcher"
	if err := conn.Export(watcher{h}, path, iface); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if _, err := prop.Export(conn, path, prop.Map{iface: {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitFalse},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitFalse},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitFalse},
	}}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		_ = conn.Close()
		return nil, fmt.Errorf("tray host: the watcher's name is taken (%v, %v)", reply, err)
	}
	return h, nil
}

// Close leaves the bus.
func (h *TrayHost) Close() { _ = h.conn.Close() }

// WaitItem waits for an item to register and returns its bus name.
func (h *TrayHost) WaitItem(ctx context.Context) (string, error) {
	for {
		h.mu.Lock()
		n := len(h.items)
		var last string
		if n > 0 {
			last = h.items[n-1]
		}
		h.mu.Unlock()
		if last != "" {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no tray item registered: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Tooltip reads the item's tooltip title.
func (h *TrayHost) Tooltip(item string) (string, error) {
	v, err := h.conn.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		return "", fmt.Errorf("read the tooltip: %w", err)
	}
	// (name, icons, title, description)
	f, ok := v.Value().([]any)
	if !ok || len(f) != 4 {
		return "", fmt.Errorf("tooltip of an unexpected shape: %v", v)
	}
	title, _ := f[2].(string)
	return title, nil
}

// Icon reads the item's largest icon as width, height and ARGB bytes.
func (h *TrayHost) Icon(item string) (int, int, []byte, error) {
	v, err := h.conn.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("read the icon: %w", err)
	}
	var px []struct {
		W, H int32
		Pix  []byte
	}
	if err := dbus.Store([]any{v.Value()}, &px); err != nil || len(px) == 0 {
		return 0, 0, nil, fmt.Errorf("icon of an unexpected shape: %v", err)
	}
	best := px[0]
	for _, p := range px {
		if p.W > best.W {
			best = p
		}
	}
	return int(best.W), int(best.H), best.Pix, nil
}

// MenuItem is a line of the item's menu.
type MenuItem struct {
	ID      int32
	Label   string
	Enabled bool
	Visible bool
	Checked bool
	Kind    string // "" or "separator"
}

// Menu reads the item's menu (its top level).
func (h *TrayHost) Menu(item string) ([]MenuItem, error) {
	var rev uint32
	var layout struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err := h.conn.Object(item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &layout)
	if err != nil {
		return nil, fmt.Errorf("read the menu: %w", err)
	}
	var out []MenuItem
	for _, c := range layout.Children {
		var child struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		if err := dbus.Store([]any{c.Value()}, &child); err != nil {
			return nil, fmt.Errorf("a menu line of an unexpected shape: %w", err)
		}
		m := MenuItem{ID: child.ID, Enabled: true, Visible: true}
		for k, v := range child.Props {
			switch k {
			case "label":
				m.Label, _ = v.Value().(string)
			case "enabled":
				m.Enabled, _ = v.Value().(bool)
			case "visible":
				m.Visible, _ = v.Value().(bool)
			case "toggle-state":
				s, _ := v.Value().(int32)
				m.Checked = s == 1
			case "type":
				m.Kind, _ = v.Value().(string)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Click clicks the menu line labelled label.
func (h *TrayHost) Click(item, label string) error {
	menu, err := h.Menu(item)
	if err != nil {
		return err
	}
	for _, m := range menu {
		if m.Label == label && m.Visible {
			if !m.Enabled {
				return fmt.Errorf("the menu line %q is disabled", label)
			}
			return h.conn.Object(item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0,
				m.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
		}
	}
	return fmt.Errorf("no menu line %q in %+v", label, menu)
}

// Activate clicks the icon itself.
func (h *TrayHost) Activate(item string) error {
	return h.conn.Object(item, "/StatusNotifierItem").Call("org.kde.StatusNotifierItem.Activate", 0, int32(0), int32(0)).Err
}

// IconColours collects for d the ARGB colour at (x, y) of each icon the
// item announces (the PropertiesChanged signal that carries it), in order
// of first sight: none or one for a steady icon, two for a blinking one.
// It never asks for the icon meanwhile: fyne.io/systray stores a new icon
// in place, so a read of it unordered with the next change is a data race
// of that library's, which the race detector reports.
func (h *TrayHost) IconColours(item string, x, y int, d time.Duration) ([][4]byte, error) {
	match := []dbus.MatchOption{dbus.WithMatchSender(item), dbus.WithMatchObjectPath("/StatusNotifierItem"),
		dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged")}
	if err := h.conn.AddMatchSignal(match...); err != nil {
		return nil, fmt.Errorf("follow the icon: %w", err)
	}
	defer func() { _ = h.conn.RemoveMatchSignal(match...) }()
	signals := make(chan *dbus.Signal, 64)
	h.conn.Signal(signals)
	defer h.conn.RemoveSignal(signals)
	var seen [][4]byte
	end := time.After(d)
	for {
		select {
		case <-end:
			return seen, nil
		case sig := <-signals:
			if sig == nil || sig.Name != "org.freedesktop.DBus.Properties.PropertiesChanged" || len(sig.Body) < 2 {
				continue
			}
			changed, _ := sig.Body[1].(map[string]dbus.Variant)
			v, ok := changed["IconPixmap"]
			if !ok {
				continue
			}
			var px []struct {
				W, H int32
				Pix  []byte
			}
			if err := dbus.Store([]any{v.Value()}, &px); err != nil || len(px) == 0 {
				return seen, fmt.Errorf("an icon of an unexpected shape: %v", err)
			}
			w, ht := int(px[0].W), int(px[0].H)
			if x >= w || y >= ht || len(px[0].Pix) != w*ht*4 {
				return seen, fmt.Errorf("(%d, %d) is outside the %dx%d icon", x, y, w, ht)
			}
			at := (y*w + x) * 4
			if c := [4]byte(px[0].Pix[at : at+4]); !slices.Contains(seen, c) {
				seen = append(seen, c)
			}
		}
	}
}
