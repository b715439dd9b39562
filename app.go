package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"voicedesk/backend/bridge"
	"voicedesk/backend/events"
	"voicedesk/backend/integration"
	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/presenter"
	"voicedesk/backend/soundcard"
)

// eventChannel is the one Wails event that carries every phone event; the
// frontend's transport (frontend/src/transport.ts) listens to it.
const eventChannel = "phone-event"

// App is the surface Wails binds to the window: one method per method of
// the reference, each a thin carrier over backend/phone, which owns the
// semantics. Errors returned here reject the frontend's promise with the
// error's text.
type App struct {
	// ctx is the Wails runtime's context, for the runtime's calls only
	// (events to the window, quit): set by startup, nil until then.
	ctx context.Context
	// life is the app's life (ended by SIGTERM or Ctrl+C), set before the
	// integration API can call a method: the phone's operations run under
	// it. Before, they ran under ctx, nil until startup; a client of the
	// integration API that called Login before startup had it fail with
	// "net/http: nil Context" (test/links saw it once).
	life  context.Context
	phone *phone.Phone
	// hub is the phone's event stream: the window, the integration API
	// and the presenter each read it on their own goroutine.
	hub *events.Hub
	// presenter shows the phone in the tray and the notifications (nil
	// headless).
	presenter *presenter.Presenter
	sound     sound
	// window: the Wails window is up (not headless), so its runtime takes
	// events; bridge, when on, takes them too.
	window bool
	bridge atomic.Pointer[bridge.Server]
	// notes shows incoming calls as desktop notifications (nil: none).
	notes *notify.Notifier
	// api runs the integration API (the bridge), when on (integration.go).
	api *integration.API
	// win is the window surface (window.go), bound with App.
	win *Window
	// desk is the tray, the window's close and the kiosk (desktop.go).
	desk desk
	// started is closed once startup has run; stopJobs ends and jobs
	// waits for the app's own goroutines (the kiosk's sign-in keeper).
	started  chan struct{}
	stopJobs context.CancelFunc
	jobs     sync.WaitGroup
	// autoAnswerLocked: the administrator's policy sets auto-answer.
	autoAnswerLocked bool
	// headset: the chosen headset's call control (headset.go).
	headset headsets
}

// rejection is a method's error as the window's promise rejects with it:
// the reference's message and, for the phone's own errors, their stable
// code (phone.ErrorCode), which the frontend maps instead of the words.
type rejection struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// formatError is Wails' ErrorFormatter: every bound method's error.
func formatError(err error) any { return rejection{Message: err.Error(), Code: phone.ErrorCode(err)} }

// errorData is the integration API's JSON-RPC error data: the same code.
func errorData(err error) any {
	if code := phone.ErrorCode(err); code != "" {
		return map[string]string{"code": code}
	}
	return nil
}

// phoneEvent is what the frontend receives on eventChannel.
type phoneEvent struct {
	Name   string `json:"name"`
	Detail any    `json:"detail,omitempty"`
}

// toWindow gives each event of the stream to the window, as a Wails event
// on eventChannel, until the stream ends. toBridge gives each to the
// integration API's clients while the API is on; it runs from before the
// API can take a call (a client may sign in before the window is up).
// Each runs on its own goroutine: neither waits for the phone, nor the
// phone for them.
func (a *App) toWindow(ctx context.Context, stream <-chan events.Event) {
	for ev := range stream {
		runtime.EventsEmit(ctx, eventChannel, phoneEvent{Name: ev.Name, Detail: ev.Detail})
	}
}

func (a *App) toBridge(stream <-chan events.Event) {
	for ev := range stream {
		if b := a.bridge.Load(); b != nil {
			b.Emit(ev.Name, ev.Detail)
		}
	}
}

// opCtx is the context of the phone's operations: the app's life.
func (a *App) opCtx() context.Context {
	if a.life != nil {
		return a.life
	}
	return context.Background()
}

// startup runs when the window (or, headless, the bridge) is up.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	jctx, stop := context.WithCancel(context.Background())
	a.stopJobs = stop
	a.jobs.Add(1)
	if a.window {
		// Events reach the window from now on: the subscription is taken
		// here, before the jobs below can emit.
		stream := a.hub.Subscribe(jctx, "window")
		a.jobs.Add(1)
		go func() {
			defer a.jobs.Done()
			a.toWindow(ctx, stream)
		}()
	}
	if a.desk.kiosk && a.window {
		a.fillScreen(ctx)
	}
	if a.desk.kiosk {
		// A kiosk signs in by itself, again and again: after a crash (its
		// supervisor restarts it), a network loss or a platform outage.
		go func() {
			defer a.jobs.Done()
			a.phone.StaySignedIn(jctx, phone.DefaultRecovery)
		}()
	} else {
		// A login kept with "remember me" signs in silently; the window
		// shows the login screen until it has (logged-in arrives as for
		// any login).
		go func() {
			defer a.jobs.Done()
			rctx, cancel := context.WithTimeout(jctx, 30*time.Second)
			if _, err := a.phone.Resume(rctx); err != nil && !errors.Is(err, phone.ErrNothingRemembered) {
				slog.Warn("silent sign-in", "error", err)
			}
			cancel()
			// A connection given up on signs out and in again on every
			// desk, as the reference asks of its host (a kiosk's
			// StaySignedIn does it too).
			a.phone.KeepInService(jctx, phone.DefaultRecovery)
		}()
	}
	if a.started != nil {
		close(a.started)
	}
}

func (a *App) shutdown(context.Context) {
	if a.stopJobs != nil {
		a.stopJobs()
		a.jobs.Wait()
	}
	if a.notes != nil {
		a.notes.Close()
	}
	a.phone.Close()
	a.sound.m.Close()
}

// State returns the phone's state for a (re)attaching UI: the page reads
// it as it starts, at sign-in and -out, and after the bridge reconnects.
// Each is logged ("ui attached"): the first says the window's script has
// run (make bench times launch -> UI), a later one a page loaded again.
func (a *App) State() phone.State {
	slog.Info("ui attached")
	s := a.phone.State()
	s.Kiosk = a.desk.kiosk
	return s
}

// Login is the reference's login(options).
func (a *App) Login(opts phone.LoginOptions) (bool, error) { return a.phone.Login(a.opCtx(), opts) }

// LoginUsingSSO is the reference's deprecated loginUsingSSO(username,
// isInIFrame?, keycloak?, siloName?): false when the user has no SSO. The
// Keycloak object has no desktop use (the system browser signs in).
func (a *App) LoginUsingSSO(username string, isInIFrame *bool, keycloak any, siloName string) (bool, error) {
	return a.phone.LoginUsingSSO(a.opCtx(), username, siloName)
}

// LoginUsingUsernameAndPassword is the reference's deprecated
// loginUsingUsernameAndPassword(username, password, isInIFrame?, siloName?):
// true when signed in, false when the login failed (isInIFrame defaults
// to false, as the reference says).
func (a *App) LoginUsingUsernameAndPassword(username, password string, isInIFrame *bool, siloName string) (bool, error) {
	return a.phone.LoginOrFalse(a.opCtx(), phone.LoginOptions{Type: phone.LoginCredentials, Username: username, Password: password,
		IsInIframe: isInIFrame != nil && *isInIFrame, SiloName: siloName})
}

// LoginUsingAuthHeader is the reference's deprecated
// loginUsingAuthHeader(authHeader, userId, username, isInIFrame?, siloName?):
// true when signed in, false when the login failed (isInIFrame defaults
// to true here, as the reference says).
func (a *App) LoginUsingAuthHeader(authHeader phone.AuthHeader, userID, username string, isInIFrame *bool, siloName string) (bool, error) {
	return a.phone.LoginOrFalse(a.opCtx(), phone.LoginOptions{Type: phone.LoginAuthHeader, AuthHeader: &authHeader, UserID: userID,
		Username: username, IsInIframe: isInIFrame == nil || *isInIFrame, SiloName: siloName})
}

// SetAuthType is the reference's setAuthType(authType): 'loginForm' or
// 'JWT' (a welcome screen instead of the form).
func (a *App) SetAuthType(authType string) error { return a.phone.SetAuthType(authType) }

// UpdateBeneUiUrl is the reference's updateBeneUiUrl(url): the platform's
// web UI, linked from the phone.
func (a *App) UpdateBeneUiUrl(url string) error { return a.phone.UpdateBeneUIURL(url) }

// SetClientId is the reference's setClientId(id).
func (a *App) SetClientId(id string) (bool, error) { return a.phone.SetClientID(id) }

// Logout is the reference's logout(force).
func (a *App) Logout(force bool) { a.phone.Logout(force) }

// SetPhoneLanguage is the reference's setPhoneLanguage(lang).
func (a *App) SetPhoneLanguage(lang string) error {
	if err := a.phone.SetPhoneLanguage(lang); err != nil {
		return err
	}
	if a.presenter != nil {
		a.presenter.Refresh() // no event tells the tray
	}
	return nil
}

// SetDiscoveryUrl is the reference's setDiscoveryUrl(url).
func (a *App) SetDiscoveryUrl(url string) (bool, error) { return a.phone.SetDiscoveryURL(url) }

// Call is the reference's call(targetNumber, outboundServiceCallData?); it
// resolves with the call id. Without data the call is made as the role
// selected in the UI.
func (a *App) Call(targetNumber string, data *phone.OutboundServiceCallData) (string, error) {
	if data == nil {
		return a.phone.Call(targetNumber)
	}
	return a.phone.CallService(targetNumber, *data)
}

// CallOutboundQueue is the reference's deprecated callOutboundQueue.
func (a *App) CallOutboundQueue(targetNumber, queueID, cli string) (string, error) {
	return a.phone.CallOutboundQueue(targetNumber, queueID, cli)
}

// CallOutboundCallback is the reference's deprecated callOutboundCallback.
func (a *App) CallOutboundCallback(targetNumber, callbackListID, callbackRequestID, cli string) (string, error) {
	return a.phone.CallOutboundCallback(targetNumber, callbackListID, callbackRequestID, cli)
}

// AnswerCall is the reference's answerCall(callId).
func (a *App) AnswerCall(callID string) error { return a.phone.AnswerCall(callID) }

// RejectCall is the reference's rejectCall(callId).
func (a *App) RejectCall(callID string) error { return a.phone.RejectCall(callID) }

// EndCall is the reference's endCall(callId).
func (a *App) EndCall(callID string) error { return a.phone.EndCall(callID) }

// PauseCall is the reference's pauseCall(callId): hold.
func (a *App) PauseCall(callID string) error { return a.phone.PauseCall(a.opCtx(), callID) }

// ResumeCall is the reference's resumeCall(callId).
func (a *App) ResumeCall(callID string) error { return a.phone.ResumeCall(a.opCtx(), callID) }

// MuteCall is the reference's muteCall(callId).
func (a *App) MuteCall(callID string) error { return a.phone.MuteCall(callID) }

// UnmuteCall is the reference's unmuteCall(callId).
func (a *App) UnmuteCall(callID string) error { return a.phone.UnmuteCall(callID) }

// SendDTMF is the reference's sendDTMF(callId, tones, options): true when sent.
func (a *App) SendDTMF(callID, tones string, options phone.DTMFOptions) (bool, error) {
	return a.phone.SendDTMF(a.opCtx(), callID, tones, options)
}

// TransferCall is the reference's transferCall(transferType, number).
func (a *App) TransferCall(kind, number string) (phone.CallTransferState, error) {
	return a.phone.TransferCall(a.opCtx(), kind, number)
}

// MergeCalls merges the agent's two connected calls into a local
// three-way call (a VoiceDesk addition); conference-started follows.
func (a *App) MergeCalls() ([]string, error) { return a.phone.MergeCalls(a.opCtx()) }

// SplitCall ends the three-way call, keeping callId ("" the first merged)
// and holding the other (a VoiceDesk addition); conference-ended follows.
func (a *App) SplitCall(callID string) error { return a.phone.SplitCall(a.opCtx(), callID) }

// ConfirmTransfer is the reference's confirmTransfer().
func (a *App) ConfirmTransfer() (phone.CallTransferState, error) {
	return a.phone.ConfirmTransfer(a.opCtx())
}

// StartCallRecording is the reference's startCallRecording(callId).
func (a *App) StartCallRecording(callID string) error {
	return a.phone.StartCallRecording(a.opCtx(), callID)
}

// StopCallRecording is the reference's stopCallRecording(callId).
func (a *App) StopCallRecording(callID string) error {
	return a.phone.StopCallRecording(a.opCtx(), callID)
}

// SetUserData is the reference's setUserData(data): resolves true.
func (a *App) SetUserData(data any) (bool, error) { return a.phone.SetUserData(data) }

// GetCallExtraData is the reference's getCallExtraData().
func (a *App) GetCallExtraData() ([]phone.CallExtraData, error) { return a.phone.GetCallExtraData() }

// UpdateJWT is the reference's updateJWT(token): the SIP WebSocket's SDK
// token for the next (re)connection.
func (a *App) UpdateJWT(token string) error { return a.phone.UpdateJWT(token) }

// StartCallSupervision is the reference's startCallSupervision(targetUserId).
func (a *App) StartCallSupervision(targetUserID string) (bool, error) {
	return a.phone.StartCallSupervision(a.opCtx(), targetUserID)
}

// SetPNPSMissionType is the reference's setPNPSMissionType(type), before login.
func (a *App) SetPNPSMissionType(t string) error { return a.phone.SetPNPSMissionType(t) }

// DisablePNPSQuery carries the disable-pnps-query attribute.
func (a *App) DisablePNPSQuery(off bool) { a.phone.DisablePNPSQuery(off) }

// SetPhoneAlerts is the reference's setPhoneAlerts(value): the ringtone on
// or off. It persists, like the settings view's switch.
func (a *App) SetPhoneAlerts(on bool) {
	a.phone.SetPhoneAlerts(on)
	a.sound.save(a.sound.m.Choice(), on)
}

// SetAudioHandling is the reference's setAudioHandling(type): it resolves
// true, or rejects when the user has chosen the handling in the UI.
func (a *App) SetAudioHandling(mode string) (bool, error) {
	c, err := a.sound.m.SetHandling(soundcard.Handling(mode), false)
	if err != nil && !errors.Is(err, soundcard.ErrNoDevice) {
		return false, err
	}
	a.sound.save(c, a.phone.PhoneAlerts())
	return true, nil
}

// SetAuthHeader is the reference's setAuthHeader(authHeader): it renews
// the AuthHeader login's token.
func (a *App) SetAuthHeader(h phone.AuthHeader) error { return a.phone.SetAuthHeader(h) }

// MakeAPICall is the reference's makeAPICall(method, relativePath, payload):
// it resolves with the API's JSON answer.
func (a *App) MakeAPICall(method, relativePath string, payload any) (any, error) {
	return a.phone.MakeAPICall(a.opCtx(), method, relativePath, payload)
}

// GetUserRoles is the reference's getUserRoles().
func (a *App) GetUserRoles() ([]platform.UserRole, error) { return a.phone.GetUserRoles(a.opCtx()) }

// GetUserRole is the reference's getUserRole().
func (a *App) GetUserRole() (platform.UserRole, error) { return a.phone.GetUserRole(a.opCtx()) }

// SetUserRole is the reference's setUserRole(queueId?, number?).
func (a *App) SetUserRole(queueID, number string) (bool, error) {
	return a.phone.SetUserRole(a.opCtx(), queueID, number)
}

// GetUserStatus is the reference's getUserStatus().
func (a *App) GetUserStatus() (platform.UserStatus, error) { return a.phone.GetUserStatus(a.opCtx()) }
