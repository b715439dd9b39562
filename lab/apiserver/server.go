package apiserver

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config says where the lab's other parts are, so that discovery and the
// SIP settings can point the app at them.
type Config struct {
	// BaseURL is this server's own address, e.g. "http://127.0.0.1:41234/".
	BaseURL string
	// WebSocketURL is Kamailio's SIP-over-WebSocket address.
	WebSocketURL string
	// SIPProxy is Kamailio's UDP address (host:port) for generic SIP clients.
	SIPProxy string
	// Now is the clock tokens expire by; default time.Now.
	Now func() time.Time
	// IdP is the identity provider of SSO logins (nil: no SSO). Its
	// protocol endpoints are served under /idp/, its sign-in page under
	// idp.LoginPrefix, and its access tokens are accepted as Bearer tokens.
	IdP IdentityProvider
	// Recorder records calls' media in rtpengine (nil: no recording).
	Recorder *Recorder
	// Supervision starts supervisions (nil: none).
	Supervision *Supervision
	// SDKTokens issues the SIP WebSocket's tokens (nil: the WebSocket needs
	// none).
	SDKTokens *SDKTokens
	// SSOUsers are the ids of the users whose discovery names the IdP as
	// their authority ("modern authentication" enabled).
	SSOUsers map[string]bool
	// Ledger records the secrets handed out (nil: none recorded).
	Ledger *Ledger
	// Dialogs tells the directory who is on a call (nil: nobody is).
	Dialogs *Dialogs
}

// IdentityProvider is what the API needs of the lab's OpenID provider.
type IdentityProvider interface {
	Handler() http.Handler
	LoginHandler() http.Handler
	// Subject returns the user id an access token was issued to.
	Subject(ctx context.Context, accessToken string) (string, error)
}

// IssuerPath is where the identity provider is served; the issuer is the
// server's base URL + "idp".
const IssuerPath = "/idp"

// Server serves the lab's platform API.
type Server struct {
	cfg   Config
	store *Store
	log   *slog.Logger
	pnps  pnpsState
	// events are the open event channels (rte.go).
	events rteHub
	// dir is the directory's view of the calls (colleagues.go).
	dir directory
}

// New returns a Server over store.
func New(cfg Config, store *Store, log *slog.Logger) *Server {
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: store, log: log}
	if cfg.Dialogs != nil {
		ctx, cancel := context.WithCancel(context.Background())
		s.dir.cancel, s.dir.done = cancel, make(chan struct{})
		go s.watchCalls(ctx)
	}
	return s
}

// Handler returns the HTTP routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// Discovery: the documented shape is POST {"user": ...}; GET ?user= is the
	// older documented form. Both answer a list of silos.
	mux.HandleFunc("POST /api/user/", s.discoverPost)
	mux.HandleFunc("POST /api/user", s.discoverPost)
	mux.HandleFunc("GET /api/user/", s.discoverGet)
	mux.HandleFunc("GET /api/user", s.discoverGet)

	mux.HandleFunc("POST /authuser/{username}", s.authUser)

	mux.Handle("POST /users/{id}/impersonationtoken", s.authed(s.impersonationToken))
	mux.Handle("GET /users", s.authed(s.listUsers))
	mux.Handle("GET /users/{id}", s.authed(s.getUser))
	mux.Handle("GET /users/{id}/sipsettings", s.authed(s.sipSettings))
	mux.Handle("GET /users/{id}/roles", s.authed(s.userRoles))
	mux.Handle("GET /users/{id}/availability/current", s.authed(s.currentStatus))
	mux.Handle("POST /users/{id}/availability", s.authed(s.setStatus))
	mux.Handle("GET /users/{id}/roles/current", s.authed(s.currentRole))
	mux.Handle("PUT /users/{id}/roles/current", s.authed(s.setCurrentRole))
	mux.Handle("GET /queues", s.authed(s.listQueues))
	mux.Handle("GET /directory", s.authed(s.directoryList))
	mux.HandleFunc("POST /lab/directory/people", s.setPeople)
	mux.Handle("GET /callbacklists", s.authed(s.listCallbackLists))
	mux.Handle("POST /users/{id}/supervision", s.authed(s.startSupervision))
	mux.Handle("POST /users/{id}/sdktoken", s.authed(s.newSDKToken))
	mux.HandleFunc("POST /lab/sdktokens/resync", s.resyncSDKTokens)
	mux.HandleFunc("POST /lab/sdktokens/lifetime", s.setSDKTokenLifetime)
	mux.Handle("GET /rte/", s.authed(s.rte))
	mux.Handle("GET /users/{id}/pnps/query", s.authed(s.pnpsQuery))
	mux.Handle("POST /users/{id}/pnps/query/{queryId}", s.authed(s.pnpsAnswer))
	mux.Handle("PUT /calls/{callId}/recording", s.authed(s.setRecording))
	mux.Handle("GET /calls/{callId}/recording", s.authed(s.getRecording))

	if s.cfg.IdP != nil {
		mux.Handle(IssuerPath+"/", http.StripPrefix(IssuerPath, s.cfg.Ledger.Tokens(s.cfg.IdP.Handler())))
		mux.Handle("/login/", s.cfg.IdP.LoginHandler())
	}

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("No HTTP resource was found that matches the request URI '%s %s'.", r.Method, r.URL.Path))
	})
	return s.logged(mux)
}

// statusRecorder remembers the status code for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Hijack lets the event channel (rte.go) take the connection over.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		// Paths only: query strings and bodies may carry user names or secrets.
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

// maxBody bounds what a client may send; the API's bodies are small.
const maxBody = 64 << 10

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("The request body is not valid JSON: %v", err)
	}
	return nil
}

type silo struct {
	SiloName          string  `json:"siloName"`
	Username          string  `json:"username"`
	APIEndpoint       string  `json:"apiEndpoint"`
	UIEndpoint        string  `json:"uiEndpoint"`
	Authority         *string `json:"authority"`
	AuthorityIdPHint  *string `json:"authorityIdPHint"`
	BasicAuthEndpoint string  `json:"basicAuthEndpoint"`
	Rte               string  `json:"rteEndpoint"`
}

func (s *Server) discoverPost(w http.ResponseWriter, r *http.Request) {
	var body struct {
		User string `json:"user"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.discover(w, body.User)
}

func (s *Server) discoverGet(w http.ResponseWriter, r *http.Request) {
	s.discover(w, r.URL.Query().Get("user"))
}

func (s *Server) discover(w http.ResponseWriter, user string) {
	user = strings.TrimSpace(user)
	if user == "" {
		writeError(w, http.StatusBadRequest, "The field 'user' is required.")
		return
	}
	u, err := s.store.userByUsername(user)
	if errors.Is(err, ErrNotFound) {
		// The public service answers an unknown user with an empty list.
		writeJSON(w, http.StatusOK, []silo{})
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Discovery failed.")
		return
	}
	ui := s.cfg.BaseURL + "ui/Account/LogOn/?un=" + url.QueryEscape(u.Username)
	var authority *string
	if s.cfg.IdP != nil && s.cfg.SSOUsers[u.ID] {
		a := s.cfg.BaseURL + strings.TrimPrefix(IssuerPath, "/")
		authority = &a
	}
	writeJSON(w, http.StatusOK, []silo{{
		Authority:         authority,
		SiloName:          Silo,
		Username:          u.Username,
		APIEndpoint:       s.cfg.BaseURL,
		UIEndpoint:        ui,
		BasicAuthEndpoint: s.cfg.BaseURL + "authuser/",
		Rte:               strings.Replace(s.cfg.BaseURL, "http", "ws", 1) + "rte/",
	}})
}

func (s *Server) authUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserName string `json:"UserName"`
		Password string `json:"Password"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	username := r.PathValue("username")
	if body.UserName == "" {
		body.UserName = username
	}
	if !strings.EqualFold(body.UserName, username) {
		writeError(w, http.StatusBadRequest, "The user name in the path and in the body differ.")
		return
	}
	if body.Password == "" {
		writeError(w, http.StatusBadRequest, "The field 'Password' is required.")
		return
	}
	u, err := s.store.checkPassword(username, body.Password)
	if err != nil {
		// One answer for unknown user and wrong password: no user enumeration.
		writeError(w, http.StatusUnauthorized, "Authentication failed: the user name or password is incorrect.")
		return
	}
	key, err := s.store.issueSecret(u.ID)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not create a session.")
		return
	}
	s.cfg.Ledger.Add("secret-key", key)
	writeJSON(w, http.StatusOK, map[string]string{"UserID": u.ID, "SecretKey": key})
}

type authedHandler func(w http.ResponseWriter, r *http.Request, me storedUser)

// authed checks the caller: HTTP Basic with user name and secret key (a
// credentials login), or "Bearer <impersonation token>" (an AuthHeader login).
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		me, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="EnreachAPI lab", Bearer realm="EnreachAPI lab"`)
			msg := "Authorization has been denied for this request."
			if errors.Is(err, errTokenExpired) {
				msg = "Authorization has been denied for this request: the token has expired."
			}
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		h(w, r, me)
	})
}

var errNoAuth = errors.New("no usable Authorization header")

func (s *Server) authenticate(r *http.Request) (storedUser, error) {
	h := r.Header.Get("Authorization")
	scheme, value, ok := strings.Cut(h, " ")
	if !ok {
		return storedUser{}, errNoAuth
	}
	value = strings.TrimSpace(value)
	if strings.EqualFold(scheme, "Bearer") {
		u, err := s.store.userByToken(value, s.cfg.Now())
		if !errors.Is(err, ErrNotFound) || s.cfg.IdP == nil {
			return u, err
		}
		// Not an impersonation token: an SSO login's access token.
		id, err := s.cfg.IdP.Subject(r.Context(), value)
		if err != nil {
			return storedUser{}, errNoAuth
		}
		return s.store.userByID(id)
	}
	if !strings.EqualFold(scheme, "Basic") {
		return storedUser{}, errNoAuth
	}
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return storedUser{}, errNoAuth
	}
	name, key, ok := strings.Cut(string(raw), ":")
	if !ok {
		return storedUser{}, errNoAuth
	}
	u, err := s.store.userBySecret(key)
	if err != nil || !strings.EqualFold(u.Username, name) {
		return storedUser{}, errNoAuth
	}
	return u, nil
}

// impersonationToken issues a token for {id} (the lab's choice of shape,
// after OAuth's token response): the user themself, or a supervisor for
// anyone. The body's optional ExpiresIn (seconds, 61..86400,
// default 3600) lets tests ask for short-lived tokens.
func (s *Server) impersonationToken(w http.ResponseWriter, r *http.Request, me storedUser) {
	id := target(r, me)
	if id != me.ID && !strings.EqualFold(me.Role, "supervisor") {
		writeError(w, http.StatusForbidden, "Only a supervisor may impersonate another user.")
		return
	}
	u, err := s.store.userByID(id)
	if err != nil {
		writeError(w, http.StatusNotFound, "User not found.")
		return
	}
	var body struct {
		ExpiresIn int `json:"ExpiresIn"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if body.ExpiresIn == 0 {
		body.ExpiresIn = 3600
	}
	if body.ExpiresIn <= 60 || body.ExpiresIn > 86400 {
		writeError(w, http.StatusBadRequest, "ExpiresIn must be from 61 to 86400 seconds.")
		return
	}
	tok, err := s.store.issueToken(u.ID, time.Duration(body.ExpiresIn)*time.Second, s.cfg.Now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not create a token.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": body.ExpiresIn,
		"UserID": u.ID, "Username": u.Username})
}

// target resolves the {id} path value, where "me" means the caller.
func target(r *http.Request, me storedUser) string {
	id := r.PathValue("id")
	if strings.EqualFold(id, "me") || strings.EqualFold(id, "[me]") {
		return me.ID
	}
	return id
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ storedUser) {
	users, err := listJSON[storedUser](s.store, bucketUsers)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not list users.")
		return
	}
	out := make([]User, 0, len(users))
	for _, u := range users {
		out = append(out, u.User)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, me storedUser) {
	u, err := s.store.userByID(target(r, me))
	if err != nil {
		writeError(w, http.StatusNotFound, "User not found.")
		return
	}
	writeJSON(w, http.StatusOK, u.User)
}

func (s *Server) sipSettings(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "SIP settings are served only to their owner.")
		return
	}
	settings := map[string]any{
		"WebSocketUrl": s.cfg.WebSocketURL,
		"SipProxy":     s.cfg.SIPProxy,
		"SipUri":       "sip:" + me.SIPUser + "@" + SIPDomain,
		"AuthUser":     me.SIPUser,
		"Password":     me.SIPPassword,
		"Realm":        SIPDomain,
		"DisplayName":  me.DisplayName,
	}
	if s.cfg.SDKTokens != nil {
		tok, lifetime, err := s.cfg.SDKTokens.issue(r.Context(), me, s.cfg.Now())
		if err != nil {
			s.log.Warn("sdk token", "error", err)
			writeError(w, http.StatusBadGateway, "The SIP server did not take the token.")
			return
		}
		// The app's WebSocket endpoint, which needs the token.
		settings["WebSocketUrl"] = strings.TrimSuffix(s.cfg.WebSocketURL, "/") + "/sdk"
		settings["Token"], settings["TokenExpiresIn"] = tok, int(lifetime.Seconds())
	}
	writeJSON(w, http.StatusOK, settings)
}

func (s *Server) userRoles(w http.ResponseWriter, r *http.Request, me storedUser) {
	u, err := s.store.userByID(target(r, me))
	if err != nil {
		writeError(w, http.StatusNotFound, "User not found.")
		return
	}
	writeJSON(w, http.StatusOK, u.Roles)
}

func (s *Server) listQueues(w http.ResponseWriter, r *http.Request, _ storedUser) {
	qs, err := listJSON[Queue](s.store, bucketQueues)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not list queues.")
		return
	}
	writeJSON(w, http.StatusOK, qs)
}

func (s *Server) listCallbackLists(w http.ResponseWriter, r *http.Request, _ storedUser) {
	ls, err := listJSON[CallbackList](s.store, bucketCallbacks)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not list callback lists.")
		return
	}
	writeJSON(w, http.StatusOK, ls)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the platform's error shape: {"Message": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"Message": msg})
}

// currentRoleOf resolves a user's selected role: the personal one with its
// default number when none was chosen.
func currentRoleOf(u storedUser) (CurrentRole, bool) {
	for _, r := range u.Roles {
		if r.QueueID != u.RoleQueueID {
			continue
		}
		for _, n := range r.Numbers {
			if n.DisplayNumber == u.RoleNumber || (u.RoleNumber == "" && n.Default) {
				return CurrentRole{UserRole: r, SelectedNumber: n}, true
			}
		}
	}
	return CurrentRole{}, false
}

func (s *Server) currentRole(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "A user's role is served only to the user.")
		return
	}
	if me.OutboundUIMode != "V2" {
		writeError(w, http.StatusConflict, "User roles need the V2 outbound UI mode.")
		return
	}
	cur, ok := currentRoleOf(me)
	if !ok {
		writeError(w, http.StatusNotFound, "The user has no role.")
		return
	}
	writeJSON(w, http.StatusOK, cur)
}

// setCurrentRole selects a role as the reference's setUserRole does: no
// queue id is the personal role, no number the role's default number. An
// unknown queue or a number the role does not have is a 400, and nothing
// changes.
func (s *Server) setCurrentRole(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "Only the user may change their role.")
		return
	}
	if me.OutboundUIMode != "V2" {
		writeError(w, http.StatusConflict, "User roles need the V2 outbound UI mode.")
		return
	}
	var body struct {
		QueueID string `json:"QueueId"`
		Number  string `json:"Number"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	probe := me
	probe.RoleQueueID, probe.RoleNumber = strings.TrimSpace(body.QueueID), strings.TrimSpace(body.Number)
	cur, ok := currentRoleOf(probe)
	if !ok {
		writeError(w, http.StatusBadRequest, "No such role or display number for this user.")
		return
	}
	if _, err := s.store.updateUser(me.ID, func(u *storedUser) error {
		u.RoleQueueID, u.RoleNumber = probe.RoleQueueID, cur.SelectedNumber.DisplayNumber
		return nil
	}); err != nil {
		writeError(w, http.StatusInternalServerError, "Could not save the role.")
		return
	}
	s.events.publish(RTEEvent{Type: RTEUserRole, UserID: me.ID, Data: cur})
	writeJSON(w, http.StatusOK, cur)
}

func (s *Server) statusOf(u storedUser) UserStatus {
	if u.Status != nil {
		return *u.Status
	}
	return UserStatus{EventSourceCategory: "User", EventTypeID: StatusAvailable}
}

func (s *Server) currentStatus(w http.ResponseWriter, r *http.Request, me storedUser) {
	u, err := s.store.userByID(target(r, me))
	if err != nil {
		writeError(w, http.StatusNotFound, "User not found.")
		return
	}
	writeJSON(w, http.StatusOK, s.statusOf(u))
}

// setStatus starts a new availability event for the user themself:
// {EventTypeID, Note?, EndDate?, TransferNumber?}.
func (s *Server) setStatus(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "Only the user may change their availability.")
		return
	}
	var body struct {
		EventTypeID    int     `json:"EventTypeID"`
		Note           string  `json:"Note"`
		EndDate        *string `json:"EndDate"`
		TransferNumber *string `json:"TransferNumber"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.EventTypeID < StatusAvailable || body.EventTypeID > StatusAway {
		writeError(w, http.StatusBadRequest, "EventTypeID must be from 1 (Available) to 6 (Away).")
		return
	}
	if len(body.Note) > 500 {
		writeError(w, http.StatusBadRequest, "Note is longer than 500 characters.")
		return
	}
	if body.EndDate != nil {
		if _, err := time.Parse(time.RFC3339, *body.EndDate); err != nil {
			writeError(w, http.StatusBadRequest, "EndDate must be an RFC 3339 time.")
			return
		}
	}
	now := s.cfg.Now().UTC().Format(time.RFC3339Nano)
	id, err := newID()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not create the event.")
		return
	}
	st := UserStatus{EventSourceCategory: "User", EventTypeID: body.EventTypeID, ID: id, Note: body.Note,
		StartDate: &now, Timestamp: &now, EndDate: body.EndDate, TransferNumber: body.TransferNumber}
	if _, err := s.store.updateUser(me.ID, func(u *storedUser) error { u.Status = &st; return nil }); err != nil {
		writeError(w, http.StatusInternalServerError, "Could not save the availability.")
		return
	}
	s.events.publish(RTEEvent{Type: RTEUserStatus, UserID: me.ID, Data: st})
	if u, err := s.store.userByID(me.ID); err == nil {
		s.events.publishAll(RTEEvent{Type: RTEColleagueStatus, UserID: me.ID, Data: s.userEntry(u)})
	}
	writeJSON(w, http.StatusOK, st)
}
