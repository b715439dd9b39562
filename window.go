package main

import (
	"errors"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/soundcard"
)

// Window is the window surface: what the app's own UI needs besides the
// phone (the settings of this machine: sound devices and processing, the
// desktop, phone links, the integration API; the sign-in's cancel, the
// satisfaction survey's answers, a call's quality figures). Wails binds it
// with App; the bridge serves it only to its own page (the UI in browser
// mode), never to an integration (backend/bridge, Config.Own). App is the
// phone surface, the reference's methods, which integrations may call.
type Window struct{ app *App }

// withWindow gives the app its window surface.
func (a *App) withWindow() *App {
	a.win = &Window{app: a}
	return a
}

// About is the app's version and source revision (the settings' last
// line).
func (w *Window) About() About { return about() }

// CancelLogin stops an SSO login that waits for the browser (the login
// screen's Cancel).
func (w *Window) CancelLogin() { w.app.phone.CancelLogin() }

// AnswerPNPS answers the PNPS query the UI shows.
func (w *Window) AnswerPNPS(queryID string, score int, comment string) error {
	return w.app.phone.AnswerPNPS(w.app.opCtx(), queryID, score, comment)
}

// DismissPNPS dismisses the PNPS query the UI shows.
func (w *Window) DismissPNPS(queryID string) error {
	return w.app.phone.DismissPNPS(w.app.opCtx(), queryID)
}

// AudioDevices lists the microphones and speakers for the settings view.
func (w *Window) AudioDevices() (soundcard.Devices, error) { return w.app.sound.m.Devices() }

// AudioSettings returns the current audio choices.
func (w *Window) AudioSettings() AudioSettings {
	c := w.app.sound.m.Choice()
	h := string(c.Handling)
	if h == "" {
		h = string(soundcard.HandlingDefault)
	}
	return AudioSettings{Mic: c.Mic, Speaker: c.Speaker, Ringer: c.Ringer, EchoCancel: c.EchoCancel,
		NoiseSuppression: c.NoiseSuppression, AutoGain: c.AutoGain, Handling: h, Alerts: w.app.phone.PhoneAlerts()}
}

// SetAudioSettings applies and keeps the settings view's choices; a
// handling chosen here wins over setAudioHandling from then on.
func (w *Window) SetAudioSettings(s AudioSettings) error {
	c, err := w.app.sound.m.Choose(soundcard.Choice{Mic: s.Mic, Speaker: s.Speaker, Ringer: s.Ringer, EchoCancel: s.EchoCancel,
		NoiseSuppression: s.NoiseSuppression, AutoGain: s.AutoGain, Handling: soundcard.Handling(s.Handling)})
	if err != nil && !errors.Is(err, soundcard.ErrNoDevice) {
		return err
	}
	w.app.phone.SetPhoneAlerts(s.Alerts)
	w.app.sound.save(c, s.Alerts)
	return nil
}

// CallStats feeds the in-call quality indicator: the call's media figures
// and a verdict (not in the reference).
func (w *Window) CallStats(callID string) (phone.CallQuality, error) {
	return w.app.phone.CallStats(callID)
}

// SetUserStatus changes the availability from the phone's own UI (not in
// the reference, whose hosts change it elsewhere).
func (w *Window) SetUserStatus(eventTypeID int, note string) (platform.UserStatus, error) {
	return w.app.phone.SetUserStatus(w.app.opCtx(), eventTypeID, note)
}

// SearchColleagues searches the platform's directory for the Colleagues
// view and the transfer form: favourites first, then the matches (not in
// the reference).
func (w *Window) SearchColleagues(search string) (phone.Colleagues, error) {
	return w.app.phone.SearchColleagues(w.app.opCtx(), search)
}

// SetFavourite makes a colleague one of the signed-in user's favourites,
// or no longer one (kept in the settings).
func (w *Window) SetFavourite(id string, on bool) error {
	return w.app.phone.SetFavourite(id, on)
}
