package main

import (
	"log/slog"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"voicedesk/backend/notify"
)

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
	if !a.window {
		return
	}
	select {
	case <-a.started: // a.ctx is set (startup closes started after it)
	default:
		return
	}
	a.desk.sleeper.Shown() // a released page loads again
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
	// GTK keeps a shown window behind the focused one; a moment on top
	// brings it forward without stealing it for good.
	runtime.WindowSetAlwaysOnTop(a.ctx, true)
	runtime.WindowSetAlwaysOnTop(a.ctx, false)
}
