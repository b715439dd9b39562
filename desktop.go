package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"voicedesk/backend/autostart"
	"voicedesk/backend/linkhandler"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
	"voicedesk/backend/supervise"
	"voicedesk/backend/tray"
)

// How the app lives on the desktop: the tray icon (availability at a
// glance, a menu to change it), a window that hides to the tray when
// closed, and the kiosk's window that cannot be closed. Like app.go this
// only carries: availability is backend/phone's, the icon backend/tray's.

// trayLabels are the tray's words per phone language; the availability
// names are the window's (frontend/src/i18n, checked by desktop_test.go).
type trayLabels struct {
	SignedOut, Show, Quit, Ringing, InCall string
	Status                                 map[int]string
}

var trayWords = map[string]trayLabels{
	"en": {SignedOut: "Signed out", Show: "Show VoiceDesk", Quit: "Quit VoiceDesk", Ringing: "Incoming call", InCall: "On a call",
		Status: map[int]string{1: "Available", 2: "Busy", 3: "Do not disturb", 4: "Off work", 5: "Be right back", 6: "Away"}},
	"es": {SignedOut: "Sesión cerrada", Show: "Mostrar VoiceDesk", Quit: "Salir de VoiceDesk", Ringing: "Llamada entrante", InCall: "En una llamada",
		Status: map[int]string{1: "Disponible", 2: "Ocupado", 3: "No molestar", 4: "Fuera del trabajo", 5: "Vuelvo enseguida", 6: "Ausente"}},
	"fi": {SignedOut: "Kirjautunut ulos", Show: "Näytä VoiceDesk", Quit: "Lopeta VoiceDesk", Ringing: "Saapuva puhelu", InCall: "Puhelussa",
		Status: map[int]string{1: "Tavoitettavissa", 2: "Varattu", 3: "Älä häiritse", 4: "Vapaalla", 5: "Palaan pian", 6: "Poissa"}},
	"sv": {SignedOut: "Utloggad", Show: "Visa VoiceDesk", Quit: "Avsluta VoiceDesk", Ringing: "Inkommande samtal", InCall: "I samtal",
		Status: map[int]string{1: "Tillgänglig", 2: "Upptagen", 3: "Stör ej", 4: "Ledig", 5: "Strax tillbaka", 6: "Borta"}},
	"nl": {SignedOut: "Uitgelogd", Show: "VoiceDesk tonen", Quit: "VoiceDesk afsluiten", Ringing: "Inkomende oproep", InCall: "In gesprek",
		Status: map[int]string{1: "Beschikbaar", 2: "Bezet", 3: "Niet storen", 4: "Vrij", 5: "Zo terug", 6: "Afwezig"}},
}

// statusColours are the tray dot's colours: green, red, grey, amber.
var statusColours = map[int]color.Color{
	platform.StatusAvailable: color.RGBA{0x2e, 0xa0, 0x43, 0xff},
	platform.StatusBusy:      color.RGBA{0xd3, 0x2f, 0x2f, 0xff},
	platform.StatusDND:       color.RGBA{0xd3, 0x2f, 0x2f, 0xff},
	platform.StatusOffWork:   color.RGBA{0x8a, 0x94, 0xa6, 0xff},
	platform.StatusBRB:       color.RGBA{0xf0, 0xa2, 0x02, 0xff},
	platform.StatusAway:      color.RGBA{0xf0, 0xa2, 0x02, 0xff},
}

// desk is the app's desktop side; a zero desk (headless) does nothing.
type desk struct {
	kiosk bool
	prefs *settings.Store
	tray  *tray.Tray
	log   *slog.Logger

	mu sync.Mutex
	// status is the last availability seen (0: none, signed out).
	status int
	// quitting: the app is on its way out (tray's Quit, SIGTERM), so the
	// window's close is not turned into a hide.
	quitting bool
	// signalled ends with SIGTERM or Ctrl+C (Wails too closes the window
	// then, and that close must not be refused).
	signalled context.Context
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
		if err := setAutostart(*s.Autostart); err != nil {
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

// setAutostart has VoiceDesk start (minimized) at login, or not.
func setAutostart(on bool) error {
	was, err := autostart.Enabled()
	if err != nil {
		return err
	}
	switch {
	case on:
		// Written again when on: it runs this binary, wherever it is now.
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find the app to start at login: %w", err)
		}
		if err := autostart.Enable(exe); err != nil {
			return err
		}
		if !was {
			slog.Info("VoiceDesk starts at login", "entry", autostart.Path())
		}
	case !on && was:
		if err := autostart.Disable(); err != nil {
			return err
		}
		slog.Info("VoiceDesk no longer starts at login")
	}
	return nil
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

// startTray puts the icon in the tray.
func (a *App) startTray(log *slog.Logger) {
	t, err := tray.Start(tray.Config{Icon: icon, Statuses: len(trayWords["en"].Status), Log: log,
		OnShow: a.raise,
		OnQuit: a.quit,
		OnStatus: func(id int) {
			if _, err := a.phone.SetUserStatus(context.Background(), id, ""); err != nil {
				log.Warn("availability from the tray", "status", id, "error", err)
			}
		},
	})
	if err != nil {
		log.Info("no tray icon", "error", err)
		return
	}
	a.desk.tray = t
	a.updateTray()
}

// onDeskEvent follows the phone's events the tray shows.
func (a *App) onDeskEvent(name string, detail any) {
	if a.desk.tray == nil {
		return
	}
	switch name {
	case phone.EventUserStatusChanged:
		if st, ok := detail.(platform.UserStatus); ok {
			a.desk.mu.Lock()
			a.desk.status = st.EventTypeID
			a.desk.mu.Unlock()
		}
	case phone.EventLoggedOut:
		a.desk.mu.Lock()
		a.desk.status = 0
		a.desk.mu.Unlock()
	case phone.EventLoggedIn, phone.EventCallIncoming, phone.EventCallAnswered, phone.EventCallEnded, phone.EventCallStarted:
	default:
		return
	}
	a.updateTray()
}

// updateTray shows the phone's state in the tray.
func (a *App) updateTray() {
	if a.desk.tray == nil {
		return
	}
	st := a.phone.State()
	w, ok := trayWords[st.Language]
	if !ok {
		w = trayWords["en"]
	}
	a.desk.mu.Lock()
	status := a.desk.status
	a.desk.mu.Unlock()
	v := tray.View{Show: w.Show, Quit: w.Quit, StatusEnabled: st.LoggedIn}
	for id := 1; id <= len(w.Status); id++ {
		v.Statuses = append(v.Statuses, tray.Status{ID: id, Label: w.Status[id], Current: id == status})
	}
	switch {
	case !st.LoggedIn || st.User == nil:
		v.Header = w.SignedOut
	default:
		v.Header = st.User.DisplayName
		if name, ok := w.Status[status]; ok {
			v.Header += ": " + name
			v.Dot = statusColours[status]
		}
	}
	v.Tooltip = "VoiceDesk: " + v.Header
	// A call ringing (a second one, too, while on the first) is what the
	// tooltip tells and the icon blinks for; else the call in progress.
	calls := a.phone.Calls()
	for _, c := range calls {
		if c.State == phone.StateRinging {
			v.Ringing = true
			v.Tooltip += " · " + w.Ringing + " " + c.Number
			break
		}
	}
	if !v.Ringing && len(calls) > 0 {
		v.Tooltip += " · " + w.InCall + " " + calls[0].Number
	}
	a.desk.tray.Update(v)
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
	starts := 0
	restarts, err := supervise.Run(ctx, supervise.Config{Log: log, Command: func() *exec.Cmd {
		args := all
		if starts > 0 {
			args = flagsOnly
		}
		starts++
		cmd := exec.Command(exe, args...)
		cmd.Env = append(os.Environ(), supervisedEnv+"=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		return cmd
	}})
	if err != nil {
		log.Error("kiosk", "error", err, "restarts", restarts)
		return 1
	}
	return 0
}
