package main

import (
	"log/slog"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/settings"
	"voicedesk/backend/soundcard"
)

// sound is the phone's sound card (soundcard.Manager is the phone's
// Sound) with the user's audio choices kept in the settings file.
type sound struct {
	m     *soundcard.Manager
	prefs *settings.Store // nil: nothing persists
	log   *slog.Logger
}

// save writes the choice (and alerts) to the settings file.
func (s sound) save(c soundcard.Choice, alerts bool) {
	if s.prefs == nil {
		return
	}
	err := s.prefs.Update(func(st *settings.Settings) { st.Audio = c.Saved(alerts) })
	if err != nil {
		s.log.Warn("save audio settings", "error", err)
	}
}

// AudioSettings is what the phone's audio settings view shows and changes.
type AudioSettings struct {
	Mic              string `json:"mic"`
	Speaker          string `json:"speaker"`
	Ringer           string `json:"ringer"`
	EchoCancel       bool   `json:"echoCancel"`
	NoiseSuppression bool   `json:"noiseSuppression"`
	AutoGain         bool   `json:"autoGain"`
	Handling         string `json:"handling"`
	Alerts           bool   `json:"alerts"`
}

// TestSound plays the settings' test sound on the chosen speaker (a 440 Hz
// tone) or ringer (the ringtone), for two seconds.
func (w *Window) TestSound(kind string) error {
	var src audio.Source = &audio.Tone{Hz: 440, Amplitude: 0.25}
	if kind == "ringer" {
		src = audio.Ringtone()
	}
	return w.app.sound.m.TestSound(kind, src, 2*time.Second)
}

// MicLevel is the chosen microphone's level now (dBFS over 300 ms), for the
// settings' level meter.
func (w *Window) MicLevel() (float64, error) { return w.app.sound.m.MicLevel(300 * time.Millisecond) }
