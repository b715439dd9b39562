package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"voicedesk/backend/callcontrol"
	"voicedesk/backend/headset"
)

// HeadsetStatus is the settings' "Headset buttons" line: which headset's
// buttons count (the one matching the chosen speaker, else the only one)
// and whether they work, or why not.
type HeadsetStatus struct {
	Name string `json:"name,omitempty"`
	// State: working, none (no headset with call buttons), no-access (the
	// device may not be opened: the udev rule), unsupported (found, but its
	// buttons cannot answer calls: Reason says why).
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// headsets runs the chosen headset's call control.
type headsets struct {
	mu     sync.Mutex
	status HeadsetStatus
	cancel context.CancelFunc
	done   chan struct{}
}

// startHeadset finds the headset whose buttons count and runs its call
// control until ctx ends (or the headset goes), in the background: the
// discovery lists the sound devices to match the chosen speaker, which
// must not hold up the window's first paint.
func (a *App) startHeadset(ctx context.Context, log *slog.Logger) {
	ctx, cancel := context.WithCancel(ctx)
	a.headset.cancel, a.headset.done = cancel, make(chan struct{})
	go func() {
		defer close(a.headset.done)
		a.runHeadset(ctx, log)
	}()
}

func (a *App) runHeadset(ctx context.Context, log *slog.Logger) {
	set := func(s HeadsetStatus) {
		a.headset.mu.Lock()
		a.headset.status = s
		a.headset.mu.Unlock()
		log.Info("headset buttons", "state", s.State, "name", s.Name, "reason", s.Reason)
	}
	found, skipped, err := headset.DiscoverSystem()
	dev, ok := headset.Match(found, a.speakerName())
	switch {
	case err != nil:
		set(HeadsetStatus{State: "none", Reason: err.Error()})
		return
	case !ok && len(skipped) > 0:
		set(HeadsetStatus{State: "unsupported", Name: skipped[0].Name, Reason: skipped[0].Reason})
		return
	case !ok:
		set(HeadsetStatus{State: "none"})
		return
	}
	conn, layout, err := headset.OpenDevice(dev)
	if err != nil {
		st := HeadsetStatus{State: "none", Name: dev.Name, Reason: err.Error()}
		if errors.Is(err, headset.ErrNoAccess) {
			st.State = "no-access"
		}
		set(st)
		return
	}
	set(HeadsetStatus{State: "working", Name: dev.Name})
	ctl := headset.NewController(layout, conn, callcontrol.Actions(a.phone), log)
	// The phone's events light the headset while it is driven: the
	// subscription ends with the device (unplugged) or with ctx.
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		callcontrol.Follow(a.phone, ctl, a.hub.Subscribe(followCtx, "headset"))
	}()
	if err := conn.Run(ctx, ctl.Input); err != nil {
		set(HeadsetStatus{State: "none", Name: dev.Name, Reason: err.Error()}) // unplugged
	}
	stopFollow()
	<-followed
}

// stopHeadset ends the call control (the device is closed) and waits for it.
func (a *App) stopHeadset() {
	if a.headset.cancel != nil {
		a.headset.cancel()
		<-a.headset.done
	}
}

// speakerName is the chosen speaker's name ("" for the default).
func (a *App) speakerName() string {
	if a.sound.m == nil {
		return ""
	}
	id := a.sound.m.Choice().Speaker
	devs, err := a.sound.m.Devices()
	if err != nil {
		return ""
	}
	for _, d := range devs.Outputs {
		if d.ID == id || (id == "" && d.Default) {
			return d.Name
		}
	}
	return ""
}

// HeadsetStatus is the settings' "Headset buttons" line.
func (w *Window) HeadsetStatus() HeadsetStatus {
	w.app.headset.mu.Lock()
	defer w.app.headset.mu.Unlock()
	s := w.app.headset.status
	if s.State == "" {
		s.State = "none"
	}
	return s
}
