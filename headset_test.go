package main

import (
	"log/slog"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// Without a headset (this machine has none) the Settings line says so,
// and starting and stopping the headset's call control returns cleanly.
func TestHeadsetStatusWithoutAHeadset(t *testing.T) {
	app := (&App{window: true}).withWindow()
	app.phone = phone.New(phone.Config{StatusPoll: -1}, platform.New(platform.Config{}), noEvents{})
	t.Cleanup(app.phone.Close)
	if got := app.win.HeadsetStatus(); got.State != "none" {
		t.Errorf("before discovery: %+v, want none", got)
	}
	app.startHeadset(t.Context(), slog.New(slog.DiscardHandler))
	app.stopHeadset()
	if got := app.win.HeadsetStatus(); got.State != "none" && got.State != "unsupported" {
		t.Errorf("after discovery on a machine without headsets: %+v", got)
	}
}
