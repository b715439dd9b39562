// Package linkhandler makes VoiceDesk the desktop's app for tel:, callto:,
// sip: and sips: links, and tells whether it is: on Linux the
// freedesktop.org way (linkhandler_unix.go), on Windows a ProgID and the
// capabilities Default apps lists (linkhandler_windows.go).
package linkhandler

// Schemes are the links VoiceDesk dials.
var Schemes = []string{"tel", "callto", "sip", "sips"}

// State is who opens the links now.
type State struct {
	// Handlers maps each scheme to the desktop entry that opens it (""
	// for none).
	Handlers map[string]string `json:"handlers"`
	// Ours: VoiceDesk opens all of them.
	Ours bool `json:"ours"`
	// Self is VoiceDesk's own handler's name among Handlers.
	Self string `json:"self"`
	// ConfirmInSettings: the system lets only the user choose (Windows 10
	// and later, where another app holds a scheme): its Default apps page
	// was opened for that.
	ConfirmInSettings bool `json:"confirmInSettings,omitempty"`
}
