package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"voicedesk/backend/autostart"
	"voicedesk/backend/linkhandler"
	"voicedesk/backend/presenter"
	"voicedesk/backend/settings"
	"voicedesk/backend/supervise"
	"voicedesk/backend/tray"
	"voicedesk/backend/webview"
)

// How the app lives on the desktop: the tray icon (availability at a
// glance, a menu to change it), a window that hides to the tray when
// closed, and the kiosk's window that cannot be closed. Like app.go this
// only carries: availability is backend/phone's, the icon backend/tray's.

// desk is the app's desktop side; a zero desk (headless) does nothing.
type desk struct {
	kiosk bool
	prefs *settings.Store
	tray  *tray.Tray
	log   *slog.Logger

	mu sync.Mutex
	// quitting: the app is on its way out (tray's Quit, SIGTERM), so the
	// window's close is not turned into a hide.
	quitting bool
	// signalled ends with SIGTERM or Ctrl+C (Wails too closes the window
	// then, and that close must not be refused).
	signalled context.Context
	// sleeper releases the hidden window's page and brings it back.
	sleeper *webview.Sleeper
}

// errSettingsNotKept: there is no settings file to keep a choice in.
var errSettingsNotKept = errors.New("the desktop settings cannot be kept: no settings file (see --settings)")

// DesktopSettings are the settings view's desktop choices.
type DesktopSettings struct {
	// Available: the app has a window (not headless or in a browser), so
	// the choices mean something.
	Available bool `json:"available"`
	// KeepRunning: closing the window hides it to the tray.
	KeepRunning bool `json:"keepRunning"`
	// StartMinimized: the app starts in the tray.
	StartMinimized bool `json:"startMinimized"`
	// Tray: a tray shows the icon now (without one, closing quits).
	Tray bool `json:"tray"`
	// Kiosk: the administrator made this a kiosk station.
	Kiosk bool `json:"kiosk"`
	// Autostart: VoiceDesk starts in the tray when the user logs in (an
	// XDG autostart entry; nil in a change: left as it is).
	Autostart *bool `json:"autostart,omitempty"`
}

func (d *desk) saved() settings.Desktop {
	if d.prefs == nil {
		return settings.Desktop{}
	}
	s, _ := d.prefs.Load()
	return s.Desktop
}

// DesktopSettings returns the desktop choices.
func (w *Window) DesktopSettings() DesktopSettings {
	s := w.app.desk.saved()
	on, err := autostart.Enabled()
	if err != nil {
		slog.Warn("desktop settings", "error", err)
	}
	return DesktopSettings{Available: w.app.window, KeepRunning: settings.On(s.KeepRunning), StartMinimized: s.StartMinimized,
		Tray: w.app.desk.tray != nil && w.app.desk.tray.Hosted(), Kiosk: w.app.desk.kiosk, Autostart: &on}
}

// SetDesktopSettings keeps the desktop choices (for the next start, and
// the next close of the window).
func (w *Window) SetDesktopSettings(s DesktopSettings) error {
	if w.app.desk.prefs == nil {
		return errSettingsNotKept
	}
	if s.Autostart != nil {
		if err := autostart.Set(*s.Autostart); err != nil {
			return err
		}
	}
	return w.app.desk.prefs.Update(func(st *settings.Settings) {
		keep := s.KeepRunning
		st.Desktop = settings.Desktop{KeepRunning: &keep, StartMinimized: s.StartMinimized}
	})
}

// LinkHandler tells which apps open tel:, callto:, sip: and sips: links
// now, and whether VoiceDesk opens them all.
func (w *Window) LinkHandler() (linkhandler.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return linkhandler.Query(ctx)
}

// RegisterLinkHandler makes VoiceDesk the desktop's app for those links:
// clicked in a browser or a CRM, they dial here.
func (w *Window) RegisterLinkHandler() (linkhandler.State, error) {
	exe, err := os.Executable()
	if err != nil {
		return linkhandler.State{}, fmt.Errorf("find the app to open links with: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := linkhandler.Register(ctx, exe, desktopEntry)
	if err != nil {
		return st, err
	}
	slog.Info("VoiceDesk is now the app for phone links", "exe", exe, "handlers", st.Handlers)
	return st, nil
}

// beforeClose decides what closing the window does: nothing in a kiosk,
// hiding it to the tray when the user keeps the phone running and a tray
// shows the icon, else quitting.
func (a *App) beforeClose(ctx context.Context) (prevent bool) {
	a.desk.mu.Lock()
	quitting := a.desk.quitting
	a.desk.mu.Unlock()
	switch {
	case quitting, a.desk.signalled != nil && a.desk.signalled.Err() != nil:
		return false
	case a.desk.kiosk:
		slog.Info("kiosk: the window stays open")
		return true
	case settings.On(a.desk.saved().KeepRunning) && a.desk.tray != nil && a.desk.tray.Hosted():
		runtime.WindowHide(ctx)
		a.desk.sleeper.Hidden()
		slog.Info("window hidden to the tray; the phone keeps running")
		return true
	}
	return false
}

// fillScreen makes the kiosk's window cover the screen. Full screen is the
// window manager's to grant, and a kiosk may run with none (a bare X
// session): then the window is sized to the screen itself.
func (a *App) fillScreen(ctx context.Context) {
	runtime.WindowFullscreen(ctx)
	screens, err := runtime.ScreenGetAll(ctx)
	if err != nil || len(screens) == 0 {
		slog.Warn("kiosk: the screen's size is unknown; the window may not cover it", "error", err)
		return
	}
	s := screens[0]
	for _, c := range screens {
		if c.IsCurrent {
			s = c
			break
		}
	}
	runtime.WindowSetPosition(ctx, 0, 0)
	runtime.WindowSetSize(ctx, s.Size.Width, s.Size.Height)
	slog.Info("kiosk: full screen", "width", s.Size.Width, "height", s.Size.Height)
}

// quit ends the app (the tray's Quit, SIGTERM).
func (a *App) quit() {
	a.desk.mu.Lock()
	a.desk.quitting = true
	a.desk.mu.Unlock()
	if a.ctx != nil && a.window {
		runtime.Quit(a.ctx)
	}
}

// startTray puts the icon in the tray; the presenter fills it.
func (a *App) startTray(log *slog.Logger) {
	t, err := tray.Start(tray.Config{Icon: icon, Statuses: presenter.Statuses, Log: log,
		OnShow: a.raise,
		OnQuit: a.quit,
		OnStatus: func(id int) {
			if _, err := a.phone.SetUserStatus(a.opCtx(), id, ""); err != nil {
				log.Warn("availability from the tray", "status", id, "error", err)
			}
		},
	})
	if err != nil {
		log.Info("no tray icon", "error", err)
		return
	}
	a.desk.tray = t
}

// startPresenter has the tray and the notifications follow the phone, in
// the window's words, until ctx ends (the returned channel closes then).
func (a *App) startPresenter(ctx context.Context, log *slog.Logger) (<-chan struct{}, error) {
	words, err := fs.Sub(translations, "frontend/src/i18n")
	if err != nil {
		return nil, err
	}
	book, err := presenter.Load(words)
	if err != nil {
		return nil, err
	}
	p := &presenter.Presenter{Phone: a.phone, Book: book, Raise: a.raise, Log: log}
	// Typed nils would not be nil interfaces.
	if a.desk.tray != nil {
		p.Tray = a.desk.tray
	}
	if a.notes != nil {
		p.Notes = a.notes
	}
	a.presenter = p
	return presenter.Start(ctx, a.hub, p), nil
}

// supervisedEnv marks the kiosk's app process, the supervisor's child.
const supervisedEnv = "VOICEDESK_SUPERVISED"

// superviseKiosk runs the app as a child and starts it again after a
// crash, until it exits cleanly or this process is asked to stop (which it
// passes on). A restart leaves out the first start's link or command: a
// call is dialled once. It returns the exit code.
func superviseKiosk(log *slog.Logger) int {
	exe, err := os.Executable()
	if err != nil {
		log.Error("kiosk: cannot find the app to supervise", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	all := os.Args[1:]
	flagsOnly := all[:len(all)-flag.NArg()]
	restarts, err := supervise.Run(ctx, supervise.Config{Log: log, Command: supervise.Child(exe, all, flagsOnly, supervisedEnv+"=1")})
	if err != nil {
		log.Error("kiosk", "error", err, "restarts", restarts)
		return 1
	}
	return 0
}
