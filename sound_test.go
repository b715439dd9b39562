package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"voicedesk/backend/settings"
	"voicedesk/backend/soundcard"
)

// The sound choices survive a restart, and a settings file from before a
// switch existed reads as that switch's default: rows name the rule.
func TestSoundChoicesAreKept(t *testing.T) {
	on, off := true, false
	for _, c := range []struct {
		rule  string
		saved settings.Audio
		want  soundcard.Choice
	}{
		{"an old file: cancellation and suppression on, automatic gain off", settings.Audio{},
			soundcard.Choice{EchoCancel: true, NoiseSuppression: true}},
		{"automatic gain turned on is kept", settings.Audio{EchoCancel: &on, NoiseSuppression: &off, AutoGain: true},
			soundcard.Choice{EchoCancel: true, AutoGain: true}},
	} {
		if got := choiceOf(c.saved); got != c.want {
			t.Errorf("%s: read as %+v, want %+v", c.rule, got, c.want)
		}
	}
	// A choice saved and read back is the same choice.
	store := settings.Open(filepath.Join(t.TempDir(), "settings.json"))
	s := sound{prefs: store, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	want := soundcard.Choice{Mic: "usb-mic", Speaker: "usb", EchoCancel: true, NoiseSuppression: false, AutoGain: true, Handling: soundcard.HandlingDefault}
	s.save(want, true)
	st, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := choiceOf(st.Audio); got != want {
		t.Errorf("saved %+v, read back %+v", want, got)
	}
}
