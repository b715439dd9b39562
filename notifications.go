package main

import (
	"log/slog"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
)

// callLabels are the incoming-call notification's words per phone
// language; the window's own strings are the frontend's (i18next).
var callLabels = map[string]notify.Labels{
	"en": {Title: "Incoming call", Answer: "Answer", Reject: "Reject", Queue: "Queue"},
	"es": {Title: "Llamada entrante", Answer: "Contestar", Reject: "Rechazar", Queue: "Cola"},
	"fi": {Title: "Saapuva puhelu", Answer: "Vastaa", Reject: "Hylkää", Queue: "Jono"},
	"sv": {Title: "Inkommande samtal", Answer: "Svara", Reject: "Avvisa", Queue: "Kö"},
	"nl": {Title: "Inkomende oproep", Answer: "Opnemen", Reject: "Weigeren", Queue: "Wachtrij"},
}

// onCallEvent shows an incoming call where the agent is working: a desktop
// notification and the window raised; the notification goes when the call
// is answered or over.
func (a *App) onCallEvent(name string, detail any) {
	ev, ok := detail.(phone.CallEvent)
	if !ok {
		return
	}
	switch name {
	case phone.EventCallIncoming:
		a.raise()
		if a.notes == nil {
			return
		}
		l, ok := callLabels[a.phone.State().Language]
		if !ok {
			l = callLabels["en"]
		}
		if err := a.notes.IncomingCall(notify.Call{ID: ev.CallID, Name: ev.DisplayName, Number: ev.PhoneNumber, Queue: ev.QueueName}, l); err != nil {
			slog.Warn("incoming call notification", "error", err)
		}
	case phone.EventCallAnswered, phone.EventCallEnded:
		if a.notes != nil {
			a.notes.Withdraw(ev.CallID)
		}
	}
}

// onNotificationAction takes the notification's buttons to the phone.
func (a *App) onNotificationAction(callID, action string) {
	var err error
	switch action {
	case notify.ActionAnswer:
		a.raise()
		err = a.phone.AnswerCall(callID)
	case notify.ActionReject:
		err = a.phone.RejectCall(callID)
	default:
		a.raise()
	}
	if err != nil {
		slog.Warn("call from the notification", "action", action, "callId", callID, "error", err)
	}
}

// raise brings the window up and to the front (a no-op headless).
func (a *App) raise() {
	if !a.window || a.ctx == nil {
		return
	}
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
	// GTK keeps a shown window behind the focused one; a moment on top
	// brings it forward without stealing it for good.
	runtime.WindowSetAlwaysOnTop(a.ctx, true)
	runtime.WindowSetAlwaysOnTop(a.ctx, false)
}
