//go:build !windows

// Linux: org.freedesktop.Notifications on the session D-Bus, with Answer
// and Reject buttons where the server has actions.

package notify

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	service   = "org.freedesktop.Notifications"
	path      = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface     = "org.freedesktop.Notifications"
	appIcon   = "voicedesk"
	urgencyHi = byte(2) // critical: stays until acted on
)

// Notifier shows and withdraws call notifications. Its methods are safe
// for concurrent use.
type Notifier struct {
	conn     *dbus.Conn
	log      *slog.Logger
	onAction func(callID, action string)
	actions  bool // the server shows buttons
	markup   bool // the server reads the body as markup: escape it

	mu     sync.Mutex
	byCall map[string]uint32
	byID   map[uint32]string

	cancel context.CancelFunc
	done   chan struct{}
}

// Open connects to the session bus's notification service. onAction is
// called (from the Notifier's own goroutine) when the user clicks a
// notification's button or body.
func Open(log *slog.Logger, onAction func(callID, action string)) (*Notifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("notifications: connect to the session bus: %w", err)
	}
	n, err := New(conn, log, onAction)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return n, nil
}

// New uses conn (which it closes in Close).
func New(conn *dbus.Conn, log *slog.Logger, onAction func(callID, action string)) (*Notifier, error) {
	if log == nil {
		log = slog.Default()
	}
	var caps []string
	if err := conn.Object(service, path).Call(iface+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, fmt.Errorf("notifications: no notification service on the session bus: %w", err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchObjectPath(path)); err != nil {
		return nil, fmt.Errorf("notifications: listen for their signals: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{conn: conn, log: log, onAction: onAction,
		actions: slices.Contains(caps, "actions"), markup: slices.Contains(caps, "body-markup"),
		byCall: map[string]uint32{}, byID: map[uint32]string{}, cancel: cancel, done: make(chan struct{})}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go n.listen(ctx, signals)
	return n, nil
}

// Actions tells whether the server shows Answer and Reject buttons.
func (n *Notifier) Actions() bool { return n.actions }

// IncomingCall shows (or replaces) the notification of a ringing call.
func (n *Notifier) IncomingCall(c Call, l Labels) error {
	body := text(c, l)
	if n.markup {
		// A caller named "<b>…" or "<a href=…>" is shown as typed.
		body = html.EscapeString(body)
	}
	var actions []string
	if n.actions {
		actions = []string{ActionOpen, l.Title, ActionAnswer, l.Answer, ActionReject, l.Reject}
	}
	hints := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(urgencyHi),
		"category":      dbus.MakeVariant("call.incoming"),
		"desktop-entry": dbus.MakeVariant("voicedesk"),
		"resident":      dbus.MakeVariant(true),
	}
	n.mu.Lock()
	replaces := n.byCall[c.ID]
	n.mu.Unlock()
	var id uint32
	// Expire 0: it stays until the call is answered, rejected or over.
	err := n.conn.Object(service, path).Call(iface+".Notify", 0, appName, replaces, appIcon, l.Title, body, actions, hints, int32(0)).Store(&id)
	if err != nil {
		return fmt.Errorf("notifications: show the call %s: %w", c.ID, err)
	}
	n.mu.Lock()
	n.byCall[c.ID] = id
	n.byID[id] = c.ID
	n.mu.Unlock()
	return nil
}

// Withdraw takes a call's notification away (answered, rejected, ended).
func (n *Notifier) Withdraw(callID string) {
	n.mu.Lock()
	id, ok := n.byCall[callID]
	delete(n.byCall, callID)
	delete(n.byID, id)
	n.mu.Unlock()
	if !ok {
		return
	}
	if err := n.conn.Object(service, path).Call(iface+".CloseNotification", 0, id).Err; err != nil {
		n.log.Debug("withdraw call notification", "callId", callID, "error", err)
	}
}

// Close withdraws every notification and stops listening.
func (n *Notifier) Close() {
	n.mu.Lock()
	calls := make([]string, 0, len(n.byCall))
	for c := range n.byCall {
		calls = append(calls, c)
	}
	n.mu.Unlock()
	for _, c := range calls {
		n.Withdraw(c)
	}
	n.cancel()
	<-n.done
	_ = n.conn.Close()
}

func (n *Notifier) listen(ctx context.Context, signals chan *dbus.Signal) {
	defer close(n.done)
	defer n.conn.RemoveSignal(signals)
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-signals:
			if !ok {
				return
			}
			n.signal(s)
		}
	}
}

func (n *Notifier) signal(s *dbus.Signal) {
	switch s.Name {
	case iface + ".ActionInvoked":
		var id uint32
		var action string
		if err := dbus.Store(s.Body, &id, &action); err != nil {
			n.log.Warn("notification action", "error", err)
			return
		}
		n.mu.Lock()
		callID, ok := n.byID[id]
		n.mu.Unlock()
		if ok && n.onAction != nil {
			n.onAction(callID, action)
		}
	case iface + ".NotificationClosed":
		var id, reason uint32
		if err := dbus.Store(s.Body, &id, &reason); err != nil {
			return
		}
		n.mu.Lock()
		if callID, ok := n.byID[id]; ok {
			delete(n.byID, id)
			delete(n.byCall, callID)
		}
		n.mu.Unlock()
	}
}
