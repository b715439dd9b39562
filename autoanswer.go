package main

import (
	"log/slog"

	"voicedesk/backend/phone"
	"voicedesk/backend/settings"
)

// AutoAnswerSettings is the settings view's auto-answer line: the mode
// (off, all, queue, requested), the delay, and whether the administrator's
// policy has locked them.
type AutoAnswerSettings struct {
	Mode         string `json:"mode"`
	DelaySeconds int    `json:"delaySeconds"`
	Locked       bool   `json:"locked"`
}

// applyAutoAnswer sets the phone's auto-answer at start: the policy's,
// locked, else the user's saved one.
func (a *App) applyAutoAnswer(policy, saved *settings.AutoAnswer) error {
	a.autoAnswerLocked = policy != nil
	src := saved
	if policy != nil {
		src = policy
	}
	if src == nil {
		return nil
	}
	return a.phone.SetAutoAnswer(phone.AutoAnswer{Mode: phone.AutoAnswerMode(src.Mode), DelaySeconds: src.DelaySeconds})
}

// SetAutoAnswer is the element's auto-answer and auto-answer-delay
// attributes (VoiceDesk's addition to the reference): which incoming calls
// the phone answers by itself (off, all, queue, requested) and after how
// many seconds (0-60; it always rings a second and beeps first). Kept for
// the next start; refused when the policy locks it.
func (a *App) SetAutoAnswer(mode string, delaySeconds int) error {
	if a.autoAnswerLocked {
		return phone.ErrAutoAnswerLocked
	}
	set := phone.AutoAnswer{Mode: phone.AutoAnswerMode(mode), DelaySeconds: delaySeconds}
	if err := a.phone.SetAutoAnswer(set); err != nil {
		return err
	}
	if a.desk.prefs != nil {
		got := a.phone.AutoAnswerSetting()
		if err := a.desk.prefs.Update(func(st *settings.Settings) {
			st.AutoAnswer = &settings.AutoAnswer{Mode: string(got.Mode), DelaySeconds: got.DelaySeconds}
		}); err != nil {
			slog.Warn("keep the auto-answer setting", "error", err)
		}
	}
	return nil
}

// AutoAnswerSettings is the auto-answer for the settings view.
func (w *Window) AutoAnswerSettings() AutoAnswerSettings {
	s := w.app.phone.AutoAnswerSetting()
	return AutoAnswerSettings{Mode: string(s.Mode), DelaySeconds: s.DelaySeconds, Locked: w.app.autoAnswerLocked}
}

// SetAutoAnswerSettings changes it from the settings view.
func (w *Window) SetAutoAnswerSettings(s AutoAnswerSettings) error {
	return w.app.SetAutoAnswer(s.Mode, s.DelaySeconds)
}
