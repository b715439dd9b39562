// Command voicedesk is the VoiceDesk desktop softphone. main only
// dispatches: the command line (config.go), handing a second launch's
// command to the running app (control.go), the policy, then run (run.go),
// which wires the backend and the Wails window.
package main

import (
	"embed"
	"fmt"
	"log/slog"
	"os"

	"voicedesk/backend/instance"
)

//go:embed all:frontend/dist
var assets embed.FS

// translations are the frontend's strings, which the tray and the
// notifications speak too (backend/presenter).
//
//go:embed frontend/src/i18n/*.json
var translations embed.FS

//go:embed build/appicon.png
var icon []byte

// desktopEntry is the shipped desktop entry: the template of the one the
// settings write to make VoiceDesk the app for phone links.
//
//go:embed build/linux/voicedesk.desktop
var desktopEntry []byte

func main() {
	cfg, err := parseConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(2)
	}
	if cfg.version {
		fmt.Println(about())
		return
	}
	// A second launch (a clicked link, "voicedesk call ...") hands over to
	// the running app and exits; so does a plain one, which brings its
	// window forward.
	handed := cfg.req
	if handed.Command == "" {
		handed.Command = cmdShow
	}
	if code, ran := handOver(cfg.control, handed, os.Stdout, os.Stderr); ran {
		os.Exit(code)
	}
	switch cfg.req.Command {
	case cmdAnswer, cmdHangup, cmdStatus:
		fmt.Fprintln(os.Stderr, "voicedesk:", instance.ErrNotRunning)
		os.Exit(1)
	}

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	if err := cfg.applyPolicy(); err != nil {
		fmt.Fprintln(os.Stderr, "voicedesk:", err)
		os.Exit(2)
	}
	os.Exit(run(cfg, handed, log))
}
