//go:build !windows

// Linux: the StatusNotifierItem protocol on the session D-Bus.

package tray

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

func sessionCheck() error {
	if _, err := dbus.SessionBus(); err != nil {
		return fmt.Errorf("%w: %v", ErrNoSession, err)
	}
	return nil
}

// platformIcon: StatusNotifierItem hosts take the PNG as it is.
func platformIcon(png []byte) []byte { return png }

const watcherName = "org.kde.StatusNotifierWatcher"

// keepRegistered registers the icon with every tray that appears.
// fyne.io/systray does too, but it tries once before it listens, and
// misses a tray that starts in between (a session still starting up);
// this listens first. A second registration is harmless.
func (t *Tray) keepRegistered() {
	conn, err := dbus.SessionBus()
	if err != nil {
		return
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath("/org/freedesktop/DBus"), dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, watcherName)); err != nil {
		t.cfg.Log.Warn("tray: cannot follow the desktop's tray", "error", err)
		return
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	register := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := conn.Object(watcherName, "/StatusNotifierWatcher").CallWithContext(ctx, watcherName+".RegisterStatusNotifierItem", 0, "/StatusNotifierItem").Err
		if err != nil {
			t.cfg.Log.Debug("tray: register the icon", "error", err)
		}
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err == nil && has {
		register()
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer conn.RemoveSignal(signals)
		for {
			select {
			case <-t.done:
				return
			case sig, ok := <-signals:
				if !ok || sig == nil {
					return
				}
				if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) < 3 {
					continue
				}
				if name, _ := sig.Body[0].(string); name != watcherName {
					continue
				}
				if owner, _ := sig.Body[2].(string); owner != "" {
					register()
				}
			}
		}
	}()
}

// Hosted reports whether a tray shows the icon (a StatusNotifierHost is
// registered with the desktop's watcher): only then can a closed window
// come back from it.
func (t *Tray) Hosted() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var v dbus.Variant
	err = conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").CallWithContext(ctx,
		"org.freedesktop.DBus.Properties.Get", 0, "org.kde.StatusNotifierWatcher", "IsStatusNotifierHostRegistered").Store(&v)
	if err != nil {
		return false
	}
	hosted, _ := v.Value().(bool)
	return hosted
}
