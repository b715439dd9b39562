// Command voicedesk is the VoiceDesk desktop softphone. main only wires:
// flags, logging, the backend, and the Wails window.
package main

import (
	"embed"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/soundcard"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	discovery := flag.String("discovery-url", os.Getenv("VOICEDESK_DISCOVERY_URL"),
		"discovery service URL (default: the platform's, "+platform.DefaultDiscoveryURL+")")
	settingsPath := flag.String("settings", "", "settings file (default: the user config folder)")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)

	if *settingsPath == "" {
		p, err := settings.DefaultPath()
		if err != nil {
			log.Warn("no settings folder; preferences will not persist", "error", err)
		}
		*settingsPath = p
	}
	var prefs *settings.Store
	saved := settings.Settings{}
	if *settingsPath != "" {
		prefs = settings.Open(*settingsPath)
		s, err := prefs.Load()
		if err != nil {
			log.Warn("settings unreadable; using defaults", "error", err)
		}
		saved = s
	}

	app := &App{}
	// Without a sound system the phone still signals calls; the UI is told
	// (phone-error audio-device-unavailable) when a call or ring needs sound.
	card, err := soundcard.Open(log)
	if err != nil {
		log.Warn("no sound", "error", err)
		card = nil
	}
	app.sound = sound{prefs: prefs, log: log, m: soundcard.NewManager(card, choiceOf(saved.Audio), func(kind, id string, fallback bool) {
		name := phone.ErrorAudioDeviceRestored
		if fallback {
			name = phone.ErrorAudioDeviceLost
		}
		log.Info("audio device", "kind", kind, "id", id, "event", name)
		emitter{app}.Emit(phone.EventPhoneError, name)
	})}
	app.phone = phone.New(phone.Config{DiscoveryURL: *discovery, Language: saved.Language, Log: log, Settings: prefs,
		Secrets: secrets.Keyring{},
		Sound:   app.sound.m,
		// Against a loopback platform (the lab) media must stay on loopback too.
		Media: media.Config{LoopbackOnly: isLoopbackURL(*discovery), Log: log}},
		platform.New(platform.Config{UserAgent: "VoiceDesk"}), emitter{app})
	app.phone.SetPhoneAlerts(settings.On(saved.Audio.Alerts))

	err = wails.Run(&options.App{
		Title:            "VoiceDesk",
		Width:            400,
		Height:           680,
		MinWidth:         340,
		MinHeight:        520,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 244, G: 246, B: 249, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []interface{}{app},
		Linux: &linux.Options{
			Icon:        icon,
			ProgramName: "voicedesk",
			// No GPU on kiosk boxes, VMs or Xvfb; software rendering also
			// keeps WebKit's memory down.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(1)
	}
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
