package presenter

import (
	"context"
	"log/slog"
	"sync"

	"voicedesk/backend/events"
	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/tray"
)

// Phone is what the presenter reads of the phone (backend/phone's Phone).
type Phone interface {
	State() phone.State
	Calls() []phone.CallSummary
}

// Tray shows a view (backend/tray's Tray).
type Tray interface{ Update(tray.View) }

// Notifier shows and withdraws a call's notification (backend/notify's).
type Notifier interface {
	IncomingCall(notify.Call, notify.Labels) error
	Withdraw(callID string)
}

// Presenter keeps the tray and the notifications in step with the phone.
type Presenter struct {
	Phone Phone
	Book  *Book
	// Tray and Notes may be nil: no tray host, no notification service.
	Tray  Tray
	Notes Notifier
	// Raise brings the window to the front (an incoming call); may be nil.
	Raise func()
	Log   *slog.Logger

	// status is the last availability seen (0: none, signed out); only
	// Run's goroutine touches it.
	status int
	// refresh asks Run to show the phone again (a change no event tells:
	// the language).
	once    sync.Once
	refresh chan struct{}
}

func (p *Presenter) refreshes() chan struct{} {
	p.once.Do(func() { p.refresh = make(chan struct{}, 1) })
	return p.refresh
}

// Refresh has the tray shown again, in the phone's language now.
func (p *Presenter) Refresh() {
	select {
	case p.refreshes() <- struct{}{}:
	default: // one is pending already
	}
}

// Run follows the events until the stream closes. It shows the phone as
// it is first, so a tray started late is right at once.
func (p *Presenter) Run(stream <-chan events.Event) {
	if p.Log == nil {
		p.Log = slog.Default()
	}
	p.updateTray()
	for {
		select {
		case ev, ok := <-stream:
			if !ok {
				return
			}
			p.handle(ev)
		case <-p.refreshes():
			p.updateTray()
		}
	}
}

func (p *Presenter) handle(ev events.Event) {
	switch ev.Name {
	case phone.EventUserStatusChanged:
		if st, ok := ev.Detail.(platform.UserStatus); ok {
			p.status = st.EventTypeID
		}
	case phone.EventLoggedOut:
		p.status = 0
	case phone.EventCallIncoming, phone.EventCallAnswered, phone.EventCallEnded:
		p.notify(ev)
	case phone.EventLoggedIn, phone.EventCallStarted, phone.EventPhoneError:
	default:
		return
	}
	p.updateTray()
}

// notify shows an incoming call where the agent is working: a desktop
// notification and the window raised; the notification goes when the
// call is answered or over.
func (p *Presenter) notify(ev events.Event) {
	c, ok := ev.Detail.(phone.CallEvent)
	if !ok {
		return
	}
	if ev.Name != phone.EventCallIncoming {
		if p.Notes != nil {
			p.Notes.Withdraw(c.CallID)
		}
		return
	}
	if p.Raise != nil {
		p.Raise()
	}
	if p.Notes == nil {
		return
	}
	w := p.Book.Words(p.Phone.State().Language)
	l := notify.Labels{Title: w("call.state.incoming"), Answer: w("call.answer"), Reject: w("call.reject"), Queue: w("call.queue")}
	if err := p.Notes.IncomingCall(notify.Call{ID: c.CallID, Name: c.DisplayName, Number: c.PhoneNumber, Queue: c.QueueName}, l); err != nil {
		p.Log.Warn("incoming call notification", "error", err)
	}
}

func (p *Presenter) updateTray() {
	if p.Tray == nil {
		return
	}
	st := p.Phone.State()
	ts := TrayState{Status: p.status}
	if st.LoggedIn && st.User != nil {
		ts.SignedIn, ts.User = true, st.User.DisplayName
		ts.Calls = p.Phone.Calls()
		ts.Away = st.Connection == phone.ConnectionReconnecting || st.Connection == phone.ConnectionFailed
	}
	p.Tray.Update(TrayView(p.Book.Words(st.Language), ts))
}

// Start runs a presenter on the hub's stream until ctx ends; the returned
// channel closes when it has stopped.
func Start(ctx context.Context, hub *events.Hub, p *Presenter) <-chan struct{} {
	stream := hub.Subscribe(ctx, "presenter")
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(stream)
	}()
	return done
}
