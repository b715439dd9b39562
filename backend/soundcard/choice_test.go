package soundcard

import (
	"errors"
	"path/filepath"
	"testing"

	"voicedesk/backend/settings"
)

// The sound choices survive a restart, and a settings file from before a
// switch existed reads as that switch's default: rows name the rule.
func TestChoiceIsKept(t *testing.T) {
	on, off := true, false
	for _, c := range []struct {
		rule  string
		saved settings.Audio
		want  Choice
	}{
		{"an old file: cancellation and suppression on, automatic gain off", settings.Audio{},
			Choice{EchoCancel: true, NoiseSuppression: true}},
		{"automatic gain turned on is kept", settings.Audio{EchoCancel: &on, NoiseSuppression: &off, AutoGain: true},
			Choice{EchoCancel: true, AutoGain: true}},
		{"a handling the user chose stays theirs", settings.Audio{Handling: "legacy", HandlingByUser: true},
			Choice{EchoCancel: true, NoiseSuppression: true, Handling: HandlingLegacy, HandlingByUser: true}},
	} {
		if got := ChoiceOf(c.saved); got != c.want {
			t.Errorf("%s: read as %+v, want %+v", c.rule, got, c.want)
		}
	}
	// A choice saved and read back is the same choice, alerts beside it.
	store := settings.Open(filepath.Join(t.TempDir(), "settings.json"))
	want := Choice{Mic: "usb-mic", Speaker: "usb", EchoCancel: true, AutoGain: true, Handling: HandlingDefault}
	if err := store.Update(func(s *settings.Settings) { s.Audio = want.Saved(false) }); err != nil {
		t.Fatal(err)
	}
	st, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := ChoiceOf(st.Audio); got != want || settings.On(st.Audio.Alerts) {
		t.Errorf("saved %+v (alerts off), read back %+v (alerts %v)", want, got, st.Audio.Alerts)
	}
}

// Who chose the handling: the settings view's change makes it the user's,
// after which the integration's setAudioHandling is refused.
func TestHandlingChosenInTheSettingsWins(t *testing.T) {
	m := NewManager(nil, Choice{Handling: HandlingDefault}, nil)
	defer m.Close()
	if _, err := m.SetHandling(HandlingLegacy, false); err != nil && !errors.Is(err, ErrNoDevice) {
		t.Fatalf("setAudioHandling before the user chose: %v", err)
	}
	c, err := m.Choose(Choice{Handling: HandlingLegacy})
	if err != nil && !errors.Is(err, ErrNoDevice) {
		t.Fatal(err)
	}
	if c.HandlingByUser {
		t.Error("an unchanged handling became the user's")
	}
	if c, _ = m.Choose(Choice{Handling: HandlingDefault}); !c.HandlingByUser {
		t.Error("a handling changed in the settings is not the user's")
	}
	if _, err := m.SetHandling(HandlingLegacy, false); !errors.Is(err, ErrHandlingByUser) {
		t.Errorf("setAudioHandling after the user chose: %v, want ErrHandlingByUser", err)
	}
}
