package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"voicedesk/backend/events"
	"voicedesk/backend/instance"
	"voicedesk/backend/integration"
	"voicedesk/backend/media"
	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sip"
	"voicedesk/backend/soundcard"
	"voicedesk/backend/webview"
)

// run is the app's life once it is the running one: the settings, the
// sound card, the phone, the instance socket, the integration API, then
// the window (or, headless, the signal that ends it). It returns the exit
// status. handed is what a later launch that lost the race hands over.
func run(cfg config, handed instance.Request, log *slog.Logger) int {
	settingsPath := cfg.settingsPath
	if cfg.kiosk && os.Getenv(supervisedEnv) == "" {
		// The kiosk's guard: this process only restarts the app after a
		// crash (a few MB); the app is its child.
		return superviseKiosk(log)
	}

	if settingsPath == "" {
		p, err := settings.DefaultPath()
		if err != nil {
			log.Warn("no settings folder; preferences will not persist", "error", err)
		}
		settingsPath = p
	}
	var prefs *settings.Store
	saved := settings.Settings{}
	if settingsPath != "" {
		prefs = settings.Open(settingsPath)
		s, err := prefs.Load()
		switch {
		case errors.Is(err, settings.ErrCorrupt):
			log.Warn("settings file corrupt: what could be read is used, the rest is the defaults; the next change keeps the file beside it", "error", err, "copy", settings.CorruptCopy(settingsPath))
		case err != nil:
			log.Warn("settings unreadable; using the defaults, and changes will not be saved over it", "error", err)
		}
		saved = s
	}

	app := (&App{desk: desk{kiosk: cfg.kiosk, prefs: prefs, log: log}, hub: events.New(log), started: make(chan struct{})}).withWindow()
	// The event stream's readers that live as long as run: the
	// integration API's (from before it can take a call) and, with a
	// window, the presenter's. run waits for them before it returns.
	streams, stopStreams := context.WithCancel(context.Background())
	var readers []<-chan struct{}
	defer func() {
		stopStreams()
		for _, done := range readers {
			<-done
		}
	}()
	bridgeStream := app.hub.Subscribe(streams, "integration API")
	bridgeDone := make(chan struct{})
	readers = append(readers, bridgeDone)
	go func() {
		defer close(bridgeDone)
		app.toBridge(bridgeStream)
	}()
	// Without a sound system the phone still signals calls; the UI is told
	// (phone-error audio-device-unavailable) when a call or ring needs sound.
	card, err := soundcard.Open(log)
	if err != nil {
		log.Warn("no sound", "error", err)
		card = nil
	}
	app.sound = sound{prefs: prefs, log: log, m: soundcard.NewManager(card, soundcard.ChoiceOf(saved.Audio), func(kind, id string, fallback bool) {
		name := phone.ErrorAudioDeviceRestored
		if fallback {
			name = phone.ErrorAudioDeviceLost
		}
		log.Info("audio device", "kind", kind, "id", id, "event", name)
		app.hub.Emit(phone.EventPhoneError, name)
	})}
	app.phone = phone.New(phone.Config{DiscoveryURL: cfg.discovery, Language: saved.Language, Log: log, Settings: prefs,
		Secrets:          secrets.Keyring{},
		Sound:            app.sound.m,
		Connection:       sip.MaintainConfig{Check: cfg.keepalive, GiveUpAfter: cfg.giveUp},
		AttendedTransfer: cfg.attended,
		// Against a loopback platform (the lab) media must stay on loopback too.
		Media: media.Config{LoopbackOnly: isLoopbackURL(cfg.discovery), Log: log}},
		platform.New(platform.Config{UserAgent: "VoiceDesk"}), app.hub)
	app.phone.SetPhoneAlerts(settings.On(saved.Audio.Alerts))
	if err := app.applyAutoAnswer(cfg.autoAnswer, saved.AutoAnswer); err != nil {
		log.Warn("the saved auto-answer setting", "error", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app.desk.signalled = ctx
	app.life = ctx // before the integration API can take a call
	// This is the running app: later launches hand over to it.
	ctl, err := instance.Listen(cfg.control, app.command, log)
	if errors.Is(err, instance.ErrRunning) { // another launch got there first
		if code, ran := handOver(cfg.control, handed, os.Stdout, os.Stderr); ran {
			return code
		}
	}
	controlDone := make(chan struct{})
	if err != nil {
		log.Warn("no instance socket: a second launch will start a second app", "error", err)
		close(controlDone)
	} else {
		go func() {
			defer close(controlDone)
			if err := ctl.Serve(ctx); err != nil {
				log.Warn("instance socket", "error", err)
			}
		}()
	}
	if cfg.req.Command == cmdCall {
		go app.dialAtLaunch(ctx, cfg.req.Arg, log)
	}
	ui, _ := fs.Sub(assets, "frontend/dist")
	app.api = app.newIntegrationAPI(integration.Config{UI: ui, Log: log, Secrets: secrets.Keyring{}, Prefs: prefs,
		EnvToken: os.Getenv("VOICEDESK_BRIDGE_TOKEN"), Fixed: cfg.bridgeAddr != ""})
	if cfg.bridgeAddr != "" {
		link, err := app.api.Start(cfg.bridgeAddr, splitList(cfg.bridgeOrigins))
		if err != nil {
			fmt.Fprintln(os.Stderr, "voicedesk:", err)
			return 1
		}
		// The launching program (a test, a script) reads the address here.
		fmt.Println("bridge", link)
	} else if !cfg.headless {
		if link, err := app.api.StartSaved(saved.Integration); err == nil && link != "" {
			fmt.Println("bridge", link)
		}
	}
	if cfg.headless {
		app.startup(ctx)
		<-ctx.Done()
		log.Info("stopping")
		<-controlDone
		app.shutdown(ctx)
		app.api.Stop()
		return 0
	}

	app.window = true
	// Wails ends the window on SIGTERM and Ctrl+C through its own signal
	// handler, which asks beforeClose; which of its handler and ours runs
	// first is chance, and a close asked before ours had run was hidden to
	// the tray with keep-running on (seen in bench/callbench: the app ran
	// on, hidden, after SIGTERM). Quitting from here too ends the app
	// whichever runs first.
	runDone := make(chan struct{})
	defer close(runDone)
	go func() {
		select {
		case <-ctx.Done():
			app.quit()
		case <-runDone:
		}
	}()
	webview.Tune() // before Wails starts WebKit's page process
	if !cfg.kiosk {
		// The hidden window's page is released after a while (a kiosk's
		// window is never hidden).
		app.desk.sleeper = &webview.Sleeper{After: cfg.releaseHidden,
			Release: func() {
				log.Info("window hidden a while: its page is released", "after", cfg.releaseHidden.String())
				webview.Release()
			},
			// Once the ended page's memory is freed (a few seconds), the
			// window's libraries are paged out: see webview.Trim.
			Trim: func() {
				if n, err := webview.Trim(); err != nil {
					log.Warn("the hidden window's memory was not given back", "error", err)
				} else {
					log.Info("the hidden window's libraries were paged out", "mappings", n)
				}
			},
			TrimAfter: 3 * time.Second,
			Reload:    func() { log.Info("window shown: its page is loaded again"); webview.Reload() }}
	}
	if n, err := notify.Open(log, app.onNotificationAction); err != nil {
		log.Info("incoming calls will not show as desktop notifications", "error", err)
	} else {
		app.notes = n
	}
	if !cfg.kiosk {
		app.startTray(log)
	}
	if done, err := app.startPresenter(streams, log); err != nil {
		log.Warn("the tray and notifications have no words", "error", err)
	} else {
		readers = append(readers, done)
	}
	// The headset's buttons and lights (the one matching the chosen
	// speaker), found in the background; stopped with the other readers.
	app.startHeadset(streams, log)
	defer app.stopHeadset()
	win := &options.App{
		Title:            "VoiceDesk",
		Width:            400,
		Height:           680,
		MinWidth:         340,
		MinHeight:        520,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 244, G: 246, B: 249, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		OnBeforeClose:    app.beforeClose,
		Bind:             []interface{}{app, app.win},
		ErrorFormatter:   formatError,
		Linux: &linux.Options{
			Icon:        icon,
			ProgramName: "voicedesk",
			// No GPU on kiosk boxes, VMs or Xvfb; software rendering also
			// keeps WebKit's memory down.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	}
	switch {
	case cfg.kiosk:
		win.WindowStartState = options.Fullscreen
	case cfg.minimized || saved.Desktop.StartMinimized:
		// In the tray when one shows the icon; else minimized, never lost.
		if app.desk.tray != nil && app.desk.tray.Hosted() {
			win.StartHidden = true
			app.desk.sleeper.Hidden()
		} else {
			win.WindowStartState = options.Minimised
		}
	}
	// SIGTERM and Ctrl+C end the app as its Quit does.
	ran := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-app.started:
				app.quit()
			case <-ran:
			}
		case <-ran:
		}
	}()
	err = wails.Run(win)
	close(ran)
	stop()
	if app.desk.tray != nil {
		app.desk.tray.Close()
	}
	<-controlDone
	app.api.Stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		return 1
	}
	return 0
}
