// Package phone is the phone: the semantics of every public method of the
// reference's <webrtc-client-ui> element (validation, state checks, errors)
// and the event stream the UI and integrations listen to.
//
// It lives once here so that the Wails surface (app.go) and any other
// transport only carry calls and events and can never disagree. It must not
// import Wails or know about windows.
package phone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sip"
)

// Event names of the reference.
const (
	EventInit       = "init"
	EventLoggedIn   = "logged-in"
	EventLoggedOut  = "logged-out" // VoiceDesk's own: the UI returns to the login screen
	EventPhoneError = "phone-error"
	EventRestart    = "restart-phone"
)

// phone-error names of the reference; the event's detail is the name.
const (
	ErrorConnectionLost     = "connection-lost"
	ErrorConnectionRestored = "connection-restored"
	ErrorConnectionFailed   = "connection-failed"
)

// Emitter delivers events to whoever shows or forwards them. Emit must
// not block or call back into the phone (it runs under a call's lock):
// the app's Emitter is backend/events' Hub, which only queues.
type Emitter interface {
	Emit(name string, detail any)
}

// EmitterFunc adapts a function to Emitter.
type EmitterFunc func(name string, detail any)

// Emit calls f.
func (f EmitterFunc) Emit(name string, detail any) { f(name, detail) }

// Languages are the reference's phone languages.
var Languages = []string{"en", "es", "fi", "sv", "nl"}

// ErrUnsupportedLanguage is returned by SetPhoneLanguage.
var ErrUnsupportedLanguage = coded("unsupported-language", "Unsupported language. Supported languages are 'en', 'es', 'fi', 'sv' and 'nl'")

// ErrBadDiscoveryURL is returned by SetDiscoveryURL.
var ErrBadDiscoveryURL = coded("bad-discovery-url", "Discovery URL must be an absolute http or https URL")

// What the phone needs of the platform's REST API, by who needs it (each
// a small interface a test can fake on its own); Platform is all of them,
// backend/platform's Client.
type (
	// AccountAPI signs in: discovery, credentials, the user, SIP settings.
	AccountAPI interface {
		Discover(ctx context.Context, discoveryURL, username string) ([]platform.Silo, error)
		LoginCredentials(ctx context.Context, silo platform.Silo, username, password string) (*platform.Session, error)
		Me(ctx context.Context, s *platform.Session) (platform.User, error)
		SIPSettings(ctx context.Context, s *platform.Session) (platform.SIPSettings, error)
		NewSDKToken(ctx context.Context, s *platform.Session) (platform.SDKToken, error)
	}
	// PresenceAPI is the availability and the outbound role.
	PresenceAPI interface {
		Status(ctx context.Context, s *platform.Session) (platform.UserStatus, error)
		SetStatus(ctx context.Context, s *platform.Session, eventTypeID int, note string) (platform.UserStatus, error)
		Roles(ctx context.Context, s *platform.Session) ([]platform.UserRole, error)
		CurrentRole(ctx context.Context, s *platform.Session) (platform.UserRole, error)
		SetCurrentRole(ctx context.Context, s *platform.Session, queueID, number string) (platform.UserRole, error)
		// FollowEvents reads the platform's event channel until it is lost
		// (an error; ErrNoEventChannel when there is none) or ctx ends.
		FollowEvents(ctx context.Context, s *platform.Session, open func(), fn func(platform.Event)) error
	}
	// SurveyAPI is the PNPS survey.
	SurveyAPI interface {
		DuePNPSQuery(ctx context.Context, s *platform.Session, missionType string) (*platform.PNPSQuery, error)
		AnswerPNPS(ctx context.Context, s *platform.Session, queryID string, score *int, comment string) error
	}
	// CallsAPI is what calls ask of the platform: recording, supervision.
	CallsAPI interface {
		SetRecording(ctx context.Context, s *platform.Session, sipCallID string, on bool) error
		StartSupervision(ctx context.Context, s *platform.Session, targetUserID string) error
	}
	// DirectoryAPI is the colleagues directory (colleagues.go).
	DirectoryAPI interface {
		Directory(ctx context.Context, s *platform.Session, q platform.DirectoryQuery) (platform.DirectoryPage, error)
	}
	// RESTAPI is makeAPICall's way through.
	RESTAPI interface {
		Call(ctx context.Context, s *platform.Session, method, relPath string, payload, out any) error
	}
	// Platform is the whole of it.
	Platform interface {
		AccountAPI
		PresenceAPI
		SurveyAPI
		CallsAPI
		DirectoryAPI
		RESTAPI
	}
)

// Config configures a Phone.
type Config struct {
	DiscoveryURL string // default platform.DefaultDiscoveryURL
	Language     string // default "en"
	Log          *slog.Logger
	// Settings, when set, keeps the chosen language across restarts.
	Settings *settings.Store
	// Secrets is the OS keyring, where "remember me" keeps a login's secret.
	Secrets secrets.Store
	// NoSIP skips registration after login (unit tests of login alone).
	NoSIP bool
	// NewUserAgent and NewMedia make a login's SIP account and a call's
	// media; the defaults are backend/sip and backend/media, tests give
	// phonetest's fakes.
	NewUserAgent NewUserAgent
	NewMedia     NewMedia
	// Media configures each call's peer connection.
	Media media.Config
	// Sound is the sound card: calls' audio and the tones. Without it calls
	// use Audio and no tones play.
	Sound Sound
	// Audio gives each call its source and sink when there is no Sound;
	// default silence in, nothing out (tests use tones and recorders).
	Audio AudioFactory
	// Now is the clock; default time.Now.
	Now func() time.Time
	// After schedules the phone's timers (the token warning); default
	// time.AfterFunc.
	After After
	// StatusPoll is how often the availability is read for
	// user-status-changed; default 15 s, negative: never.
	StatusPoll time.Duration
	// Connection says how the registration is kept alive and recovered.
	Connection sip.MaintainConfig
	// ClientID is the SSO client id; default DefaultClientID (setClientId
	// changes it).
	ClientID string
	// OpenBrowser shows the identity provider's sign-in page; default the
	// system browser. Tests sign in with an HTTP client instead.
	OpenBrowser func(url string) error
	// SSOWait bounds the wait for the sign-in in the browser; default 5 min.
	SSOWait time.Duration
	// PNPSFirst and PNPSEvery say when a due PNPS query is looked for after
	// login and how often; defaults 2 min and 1 h, negative: never.
	PNPSFirst, PNPSEvery time.Duration
	// AttendedTransfer makes a direct transfer wait for the target's
	// answer (the far end's NOTIFY) and keep the call when the target does
	// not answer; without it a direct transfer is the reference's: the call
	// ends once the far end has accepted the REFER.
	AttendedTransfer bool
	// RTPTimeout ends a connected call, as media-failed, when no audio has
	// come from the far end for this long while neither side holds it (the
	// media relay died, the network went); 0 is 8 s, below 0 never.
	RTPTimeout time.Duration
	// NoAnswerTimeout ends an outbound call that is not answered in time
	// (CANCEL, endReason no-answer); default 60 s, as the browser phone's JsSIP.
	NoAnswerTimeout time.Duration
}

// UserInfo is what the UI shows of the signed-in user.
type UserInfo struct {
	UserID      string `json:"userId"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	Number      string `json:"number"`
	Silo        string `json:"siloName"`
}

// State is a snapshot for a UI that (re)attaches.
type State struct {
	LoggedIn     bool      `json:"loggedIn"`
	User         *UserInfo `json:"user,omitempty"`
	Language     string    `json:"language"`
	DiscoveryURL string    `json:"discoveryUrl"`
	// Connection is the SIP registration's state while signed in:
	// "registered", "reconnecting" (connection-lost) or "failed"
	// (connection-failed, the phone must restart).
	Connection string `json:"connection,omitempty"`
	// Kiosk: the app runs as a kiosk station (set by the app, not the phone).
	Kiosk bool `json:"kiosk,omitempty"`
	// Calls are the calls in progress, oldest first (callview.go).
	Calls []CallView `json:"calls,omitempty"`
	// AuthType and UIURL are what the host set (setAuthType,
	// updateBeneUiUrl): the login screen's kind and the web UI's link.
	AuthType string `json:"authType,omitempty"`
	UIURL    string `json:"uiUrl,omitempty"`
	// Events: the platform's event channel is open (changes to the
	// availability and role made elsewhere arrive at once; otherwise they
	// are polled).
	Events bool `json:"events,omitempty"`
}

// The values of State.Connection.
const (
	ConnectionRegistered   = "registered"
	ConnectionReconnecting = "reconnecting"
	ConnectionFailed       = "failed"
)

// Phone holds the phone's state. Its methods are safe for concurrent use.
type Phone struct {
	api      Platform
	emit     Emitter
	log      *slog.Logger
	prefs    *settings.Store
	secrets  secrets.Store
	noSIP    bool
	mediaCfg media.Config
	newUA    NewUserAgent
	newMedia NewMedia
	connCfg  sip.MaintainConfig
	noAnswer time.Duration
	// rtpTimeout: a connected call without the far end's audio this long
	// ends (0: never).
	rtpTimeout time.Duration
	attended   bool
	audio      AudioFactory
	sound      Sound
	now        func() time.Time
	after      After
	// statusEvery: the availability poll's interval (0: off).
	statusEvery time.Duration
	openBrowser func(string) error
	ssoWait     time.Duration
	// pnpsFirst/pnpsEvery: the PNPS poll (0: off).
	pnpsFirst, pnpsEvery time.Duration

	// ctx is the phone's life; calls run under it and Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	calls  sync.WaitGroup

	mu        sync.Mutex
	alertsOff bool
	// favs are the favourite colleagues of a phone without a settings
	// store (colleagues.go).
	favs map[string][]string
	// The colleagues on show, whose changes are told: the last search's
	// page and the favourites (kept here as well as in the settings, so
	// that an event reads no file) (colleagues.go).
	onPage, favSet map[string]bool
	// autoAnswer: which calls the phone answers by itself (autoanswer.go).
	autoAnswer AutoAnswer
	// The AuthHeader login's token: when it expires, the warning's cancel,
	// and when auth-token-expired was last emitted for a failed request.
	tokenExpires time.Time
	stopToken    func()
	lastExpired  time.Time
	// presence: the availability, role and PNPS (its own lock); stopStatus
	// ends the login's pollers.
	pres       presence
	stopStatus context.CancelFunc
	polling    sync.WaitGroup
	discovery  string
	language   string
	clientID   string
	// cancelSSO stops an SSO login waiting for the browser.
	cancelSSO context.CancelFunc
	loggingIn bool
	session   *platform.Session
	user      *UserInfo
	// sdkToken is the SIP WebSocket's SDK token (the phone renews it,
	// sdkrenew.go; updateJWT too); stopSDK cancels the renewal's timer.
	sdkToken string
	stopSDK  func()
	// connection is the registration's state (State.Connection).
	connection string
	// staySignedIn (kiosk): every login is remembered, and a connection
	// given up on wakes StaySignedIn through connFailed.
	staySignedIn bool
	connFailed   chan struct{}
	// conf is the local conference under way, if any (conference.go).
	conf *localConference
	// consultation is the consulted transfer under way, if any.
	consultation *consultation
	// supervision is the call supervision under way, if any.
	supervision *supervision
	// userData is setUserData's object, serialized.
	userData string
	// authType and uiURL are the host's setAuthType and updateBeneUiUrl.
	authType, uiURL string
	agent           UserAgent
	active          map[string]*call
	// refused logs the INVITEs declined before they ring.
	refused refusals
	// ready is closed while the phone is signed in (and registered, with
	// SIP): what waits to dial waits on it. signOut puts an open one back.
	ready chan struct{}
	// stopMaintain ends the registration keeper of the current login.
	stopMaintain context.CancelFunc
	maintaining  sync.WaitGroup
}

// New returns a Phone.
func New(cfg Config, api Platform, emit Emitter) *Phone {
	if cfg.DiscoveryURL == "" {
		cfg.DiscoveryURL = platform.DefaultDiscoveryURL
	}
	if cfg.Language == "" || !validLanguage(cfg.Language) {
		cfg.Language = "en"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Audio == nil {
		cfg.Audio = func() (audio.Source, audio.Sink) { return audio.Silence{}, audio.Discard{} }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = realAfter
	}
	switch {
	case cfg.StatusPoll == 0:
		cfg.StatusPoll = statusPoll
	case cfg.StatusPoll < 0:
		cfg.StatusPoll = 0
	}
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.SSOWait <= 0 {
		cfg.SSOWait = ssoWait
	}
	switch {
	case cfg.PNPSFirst == 0:
		cfg.PNPSFirst = pnpsFirst
	case cfg.PNPSFirst < 0:
		cfg.PNPSFirst = 0
	}
	if cfg.PNPSEvery <= 0 {
		cfg.PNPSEvery = pnpsEvery
	}
	switch {
	case cfg.RTPTimeout == 0:
		cfg.RTPTimeout = rtpTimeout
	case cfg.RTPTimeout < 0:
		cfg.RTPTimeout = 0
	}
	if cfg.NoAnswerTimeout <= 0 {
		cfg.NoAnswerTimeout = 60 * time.Second
	}
	if cfg.NewUserAgent == nil {
		cfg.NewUserAgent = newSIPAgent
	}
	if cfg.NewMedia == nil {
		cfg.NewMedia = newMediaSession
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Phone{api: api, refused: newRefusals(), emit: emit, log: cfg.Log, prefs: cfg.Settings, secrets: cfg.Secrets, noSIP: cfg.NoSIP, mediaCfg: cfg.Media, newUA: cfg.NewUserAgent, newMedia: cfg.NewMedia, connCfg: cfg.Connection, noAnswer: cfg.NoAnswerTimeout, rtpTimeout: cfg.RTPTimeout, attended: cfg.AttendedTransfer,
		audio: cfg.Audio, sound: cfg.Sound, now: cfg.Now, after: cfg.After, statusEvery: cfg.StatusPoll, ctx: ctx, cancel: cancel,
		openBrowser: cfg.OpenBrowser, ssoWait: cfg.SSOWait, clientID: cfg.ClientID, pnpsFirst: cfg.PNPSFirst, pnpsEvery: cfg.PNPSEvery, connFailed: make(chan struct{}, 1),
		discovery: cfg.DiscoveryURL, language: cfg.Language, active: map[string]*call{}, ready: make(chan struct{})}
	p.pres.pnpsMission = "default"
	return p
}

// State returns a snapshot of the phone's state.
func (p *Phone) State() State {
	p.mu.Lock()
	s := State{LoggedIn: p.session != nil, Language: p.language, DiscoveryURL: p.discovery, AuthType: p.authType, UIURL: p.uiURL}
	if s.LoggedIn {
		s.Connection = p.connection
	}
	if p.user != nil {
		u := *p.user
		s.User = &u
	}
	p.mu.Unlock()
	s.Events = s.LoggedIn && p.pres.eventsOpen()
	// Each call under its own lock, after the phone's (as Calls does).
	s.Calls = p.callViews()
	return s
}

// Login authenticates as login() of the reference does and returns true on
// success. It rejects when a user is already signed in (or a login is under
// way) or required data is missing.
func (p *Phone) Login(ctx context.Context, o LoginOptions) (bool, error) {
	o.Username = strings.TrimSpace(o.Username)
	if err := o.Validate(); err != nil {
		return false, err
	}
	// A kiosk signs in by itself after a restart: it keeps every login
	// that can be kept (an AuthHeader token belongs to its host).
	if p.staysSignedIn() {
		o.RememberMe = true
	}
	p.mu.Lock()
	discovery := p.discovery
	p.mu.Unlock()
	ok, err := p.start(ctx, o.Type, func(ctx context.Context) (*UserInfo, *platform.Session, error) {
		return p.login(ctx, discovery, o)
	})
	if ok {
		p.mu.Lock()
		session, user := p.session, p.user
		if o.Type == LoginAuthHeader {
			p.watchToken(o.AuthHeader.ExpiresIn)
		}
		p.mu.Unlock()
		if o.RememberMe && o.Type != LoginAuthHeader {
			p.remember(session, user, o.Type)
		}
	}
	return ok, err
}

// start runs a login (authenticate, read the user) and then registers,
// once at a time, and emits logged-in.
func (p *Phone) start(ctx context.Context, kind LoginType, authenticate func(context.Context) (*UserInfo, *platform.Session, error)) (bool, error) {
	p.mu.Lock()
	if p.session != nil || p.loggingIn {
		p.mu.Unlock()
		return false, ErrAlreadyLoggedIn
	}
	p.loggingIn = true
	p.mu.Unlock()

	user, session, err := authenticate(ctx)
	var agent UserAgent
	if err == nil && !p.noSIP {
		agent, err = p.register(ctx, session)
	}

	p.mu.Lock()
	p.loggingIn = false
	if err == nil {
		p.session, p.user, p.agent, p.connection = session, user, agent, ConnectionRegistered
		p.onPage, p.favSet = nil, nil // a new login has shown no colleague yet
		close(p.ready)
		if agent != nil {
			mctx, stop := context.WithCancel(p.ctx)
			p.stopMaintain = stop
			p.maintaining.Add(1)
			go func() {
				defer p.maintaining.Done()
				agent.Maintain(mctx, p.connCfg, p.onConnState)
			}()
		}
	}
	p.mu.Unlock()
	if err != nil {
		p.log.Warn("login failed", "type", kind, "error", err)
		return false, err
	}
	// Calls are made as the selected role: know it before the first call.
	p.loadRole(ctx)
	p.log.Info("logged in", "type", kind, "userId", user.UserID, "silo", user.Silo)
	p.emit.Emit(EventLoggedIn, nil)
	// The pollers live until logout (stopStatus) or Close.
	sctx, stop := context.WithCancel(p.ctx)
	p.mu.Lock()
	p.stopStatus = stop
	p.mu.Unlock()
	_, _, pnpsOff := p.pres.pnps()
	pnps := !pnpsOff && p.pnpsFirst > 0
	if p.statusEvery > 0 {
		// The event channel tells of changes made elsewhere; the poll reads
		// what the channel cannot (while it is down, and now and then).
		kick := make(chan struct{}, 1)
		p.polling.Add(2)
		go func() {
			defer p.polling.Done()
			p.pollStatus(sctx, kick)
		}()
		go func() {
			defer p.polling.Done()
			p.followEvents(sctx, session, kick)
		}()
	}
	if pnps {
		p.polling.Add(1)
		go func() {
			defer p.polling.Done()
			p.pollPNPS(sctx, p.pnpsFirst, p.pnpsEvery)
		}()
	}
	return true, nil
}

func (p *Phone) login(ctx context.Context, discovery string, o LoginOptions) (*UserInfo, *platform.Session, error) {
	silos, err := p.api.Discover(ctx, discovery, o.Username)
	if err != nil {
		return nil, nil, loginError(err)
	}
	// The reference: "signed in to the provided silo if possible".
	silo, matched := platform.PickSilo(silos, o.SiloName)
	if !matched {
		p.log.Info("the silo asked for is not one of the user's; signing in to their first", "asked", o.SiloName, "silo", silo.SiloName)
	}
	var session *platform.Session
	switch o.Type {
	case LoginAuthHeader:
		// The impersonation token is the session: the user record read
		// next is what proves it.
		session, err = platform.NewHeaderSession(silo, o.Username, strings.TrimSpace(o.UserID), strings.TrimSpace(o.AuthHeader.Value))
	case LoginSSO:
		session, err = p.loginSSO(ctx, silo, o)
	default:
		session, err = p.api.LoginCredentials(ctx, silo, o.Username, o.Password)
	}
	if err != nil {
		return nil, nil, loginError(err)
	}
	me, err := p.api.Me(ctx, session)
	if err != nil {
		return nil, nil, loginError(err)
	}
	if o.Type == LoginAuthHeader && !strings.EqualFold(me.ID, session.UserID) {
		return nil, nil, &LoginError{"login-other-user", "Login failed: the authorization header belongs to another user than the user id given", nil}
	}
	if o.Type == LoginSSO {
		// An SSO session learns its user id here, before it is shared.
		session.UserID = me.ID
	}
	return &UserInfo{UserID: me.ID, Username: me.Username, DisplayName: me.DisplayName, Number: me.Number, Silo: silo.SiloName}, session, nil
}

// register gets the user's SIP settings from the platform and registers.
func (p *Phone) register(ctx context.Context, session *platform.Session) (UserAgent, error) {
	set, err := p.api.SIPSettings(ctx, session)
	if err != nil {
		return nil, loginError(err)
	}
	domain := set.Realm
	if u, perr := url.Parse(set.SIPURI); perr == nil && u.Opaque != "" {
		if _, host, ok := strings.Cut(u.Opaque, "@"); ok {
			domain = host
		}
	}
	server, transport := set.WebSocketURL, ""
	if server == "" {
		server, transport = set.SIPProxy, sip.TransportUDP
	}
	cfg := sip.Config{Server: server, Transport: transport, User: set.AuthUser, Domain: domain,
		Password: set.Password, DisplayName: set.DisplayName, Log: p.log}
	if set.Token != "" {
		p.mu.Lock()
		p.sdkToken = set.Token
		p.mu.Unlock()
		cfg.Token = p.currentSDKToken
		lifetime := time.Duration(set.TokenExpiresIn) * time.Second
		p.renewSDKTokenIn(lifetime, p.now().Add(lifetime))
	}
	agent, err := p.newUA(cfg)
	if err != nil {
		return nil, &LoginError{"login-sip-settings", "Login failed: the phone's SIP settings are unusable: " + err.Error(), err}
	}
	agent.OnOffer(p.onOffer)
	agent.OnRenegotiate(p.onRenegotiate)
	if err := agent.Register(ctx); err != nil {
		_ = agent.Close()
		return nil, &LoginError{"login-register-failed", "Login failed: the phone could not register: " + err.Error(), err}
	}
	return agent, nil
}

// LoginError is a failed login with a message for the user; it wraps the cause.
type LoginError struct {
	// Kind is its stable code (ErrorCode), e.g. login-bad-credentials.
	Kind    string
	Message string
	Err     error
}

func (e *LoginError) Error() string { return e.Message }
func (e *LoginError) Unwrap() error { return e.Err }
func (e *LoginError) Code() string  { return e.Kind }

// isTimeout: the HTTP client's own timeout (a *url.Error that says so).
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func loginError(err error) error {
	var apiErr *platform.APIError
	var done *LoginError
	switch {
	case errors.As(err, &done):
		return done
	case errors.Is(err, platform.ErrUnknownUser):
		return &LoginError{"login-unknown-user", "Login failed: user was not found", err}
	case errors.Is(err, platform.ErrUnauthorized):
		return &LoginError{"login-bad-credentials", "Login failed: username or password is incorrect", err}
	case errors.Is(err, platform.ErrDenied):
		return &LoginError{"login-denied", "Login failed: the authorization was refused (an expired or invalid token?)", err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return &LoginError{"login-timeout", "Login failed: the request was cancelled or timed out", err}
	case errors.Is(err, platform.ErrBadAnswer):
		return &LoginError{"login-bad-answer", "Login failed: the service's answer was not understood: " + err.Error(), err}
	case errors.As(err, &apiErr):
		return &LoginError{"login-api-error", fmt.Sprintf("Login failed: API error %d: %s", apiErr.Status, apiErr.Message), err}
	default:
		return &LoginError{"login-unreachable", "Login failed: could not reach the service: " + err.Error(), err}
	}
}

// Logout signs the user out. force only matters to the browser phone (it
// skips a reload prompt); the desktop app has no page to reload, so both
// forms sign out at once.
func (p *Phone) Logout(force bool) {
	// Signing out is also forgetting a remembered login; closing the app is
	// not (Close).
	p.forget()
	p.signOut(force)
}

// signOut ends the calls, unregisters and drops the session.
func (p *Phone) signOut(force bool) {
	p.mu.Lock()
	was := p.session != nil
	agent := p.agent
	calls := make([]*call, 0, len(p.active))
	for _, c := range p.active {
		calls = append(calls, c)
	}
	p.mu.Unlock()
	// End the calls while the SIP agent can still send BYE/CANCEL.
	for _, c := range calls {
		c.cancel()
	}
	p.calls.Wait()
	p.mu.Lock()
	stop := p.stopMaintain
	if was {
		p.ready = make(chan struct{})
	}
	p.session, p.user, p.agent, p.stopMaintain, p.userData, p.sdkToken = nil, nil, nil, nil, "", ""
	if p.stopToken != nil {
		p.stopToken()
		p.stopToken = nil
	}
	if p.stopSDK != nil {
		p.stopSDK()
		p.stopSDK = nil
	}
	stopStatus := p.stopStatus
	p.stopStatus = nil
	p.mu.Unlock()
	p.pres.signedOut()
	if stopStatus != nil {
		stopStatus()
	}
	p.polling.Wait()
	if stop != nil {
		stop()
	}
	p.maintaining.Wait()
	if agent != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := agent.Unregister(ctx); err != nil {
			p.log.Warn("unregister at logout", "error", err)
		}
		cancel()
		_ = agent.Close()
	}
	if was {
		p.log.Info("logged out", "force", force)
		p.emit.Emit(EventLoggedOut, nil)
	}
}

// onConnState turns the SIP agent's connection states into the reference's
// phone-error events.
func (p *Phone) onConnState(st sip.ConnState) {
	switch st {
	case sip.ConnLost:
		p.setConnection(ConnectionReconnecting)
		p.emit.Emit(EventPhoneError, ErrorConnectionLost)
	case sip.ConnRestored:
		p.setConnection(ConnectionRegistered)
		p.emit.Emit(EventPhoneError, ErrorConnectionRestored)
	case sip.ConnFailed:
		p.setConnection(ConnectionFailed)
		p.emit.Emit(EventPhoneError, ErrorConnectionFailed)
		p.emit.Emit(EventRestart, nil)
		select {
		case p.connFailed <- struct{}{}:
		default: // StaySignedIn is already woken (or not running)
		}
	}
}

func (p *Phone) setConnection(c string) {
	p.mu.Lock()
	p.connection = c
	p.mu.Unlock()
}

// Close logs out and stops everything the phone started.
func (p *Phone) Close() {
	p.signOut(true)
	p.cancel()
	p.calls.Wait()
}

// SetPhoneLanguage sets the language of the phone's UI.
func (p *Phone) SetPhoneLanguage(lang string) error {
	// The reference's codes exactly: 'fi', not 'FI' or ' fi'.
	if !validLanguage(lang) {
		return fmt.Errorf("%w (got %q)", ErrUnsupportedLanguage, lang)
	}
	p.mu.Lock()
	p.language = lang
	p.mu.Unlock()
	if p.prefs != nil {
		// The language is in force either way; a failed save is logged only.
		if err := p.prefs.Update(func(s *settings.Settings) { s.Language = lang }); err != nil {
			p.log.Warn("save language", "error", err)
		}
	}
	return nil
}

// Language returns the current language.
func (p *Phone) Language() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.language
}

// SetDiscoveryURL sets the discovery service used by the next login.
func (p *Phone) SetDiscoveryURL(raw string) (bool, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false, fmt.Errorf("%w (got %q)", ErrBadDiscoveryURL, raw)
	}
	p.mu.Lock()
	p.discovery = u.String()
	p.mu.Unlock()
	return true, nil
}

func validLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}
