// Package platform is the client of the platform's REST API (EnreachAPI,
// formerly BeneAPI): service discovery, credentials login and the resources
// the phone reads after login.
//
// It knows HTTP and JSON shapes only; what a login means for the phone, and
// which errors reach the user, is decided in backend/phone.
package platform

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultDiscoveryURL is the reference's default discovery service.
const DefaultDiscoveryURL = "https://discover.enreachvoice.com/api/user/"

// Sentinel errors callers branch on.
var (
	ErrUnknownUser  = errors.New("user not found in discovery")
	ErrUnauthorized = errors.New("the user name or password is incorrect")
	// ErrDenied is a 401 to an authenticated call: the secret key or the
	// Authorization header (an impersonation token) is no longer accepted.
	ErrDenied       = errors.New("the API refused the session's authorization")
	ErrBadDiscovery = errors.New("discovery answered with an unusable endpoint")
	// ErrBadAnswer: the service answered, but not with the JSON expected
	// (a captive portal's or a proxy's page, a truncated or broken body).
	ErrBadAnswer = errors.New("the service's answer is not the JSON expected")
)

// Silo is one entry of the discovery answer.
type Silo struct {
	SiloName          string  `json:"siloName"`
	Username          string  `json:"username"`
	APIEndpoint       string  `json:"apiEndpoint"`
	UIEndpoint        string  `json:"uiEndpoint"`
	Authority         *string `json:"authority"`
	AuthorityIdPHint  *string `json:"authorityIdPHint"`
	BasicAuthEndpoint string  `json:"basicAuthEndpoint"`
	// RTEEndpoint is the platform's real-time event channel (events.go).
	RTEEndpoint string `json:"rteEndpoint"`
}

// Session is a logged-in API session: a credentials login's secret key, or
// an AuthHeader login's Authorization header (renewable).
type Session struct {
	APIEndpoint string
	// EventsEndpoint is the silo's event channel (rteEndpoint), "" for none.
	EventsEndpoint string
	Username       string
	UserID         string
	// Issuer and ClientID: where an SSO session's tokens come from.
	Issuer, ClientID string
	secretKey        string

	mu     sync.Mutex
	header string
	// tokens gives an SSO login's access tokens, refreshed as they expire.
	tokens oauth2.TokenSource
}

// NewTokenSession is an SSO login's session: each request carries
// "Bearer <access token>" from tokens, which refreshes them. Its UserID is
// set by the caller once users/me has answered, before the session is
// shared.
func NewTokenSession(silo Silo, username string, tokens oauth2.TokenSource) (*Session, error) {
	base, err := endpoint(silo.APIEndpoint)
	if err != nil {
		return nil, err
	}
	return &Session{APIEndpoint: base, EventsEndpoint: silo.RTEEndpoint, Username: username, tokens: tokens}, nil
}

// NewHeaderSession is a session that authenticates with an Authorization
// header value such as "Bearer <impersonation token>".
func NewHeaderSession(silo Silo, username, userID, header string) (*Session, error) {
	base, err := endpoint(silo.APIEndpoint)
	if err != nil {
		return nil, err
	}
	return &Session{APIEndpoint: base, EventsEndpoint: silo.RTEEndpoint, Username: username, UserID: userID, header: header}, nil
}

// RestoreSession is a credentials login's session from what "remember me"
// kept: the API endpoint, the user and the secret key. (Its event channel,
// EventsEndpoint, is set by the caller when it kept one.)
func RestoreSession(apiEndpoint, username, userID, secretKey string) (*Session, error) {
	base, err := endpoint(apiEndpoint)
	if err != nil {
		return nil, err
	}
	if username == "" || userID == "" || secretKey == "" {
		return nil, errors.New("restore session: user name, user id and secret key are all needed")
	}
	return &Session{APIEndpoint: base, Username: username, UserID: userID, secretKey: secretKey}, nil
}

// SecretKey is a credentials login's secret key ("" for an AuthHeader
// session), for the OS keyring only.
func (s *Session) SecretKey() string { return s.secretKey }

// SetHeader renews an AuthHeader session's Authorization header.
func (s *Session) SetHeader(value string) {
	s.mu.Lock()
	s.header = value
	s.mu.Unlock()
}

// HasHeader reports an AuthHeader session.
func (s *Session) HasHeader() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.header != ""
}

func (s *Session) authorization() (string, error) {
	s.mu.Lock()
	header, tokens := s.header, s.tokens
	s.mu.Unlock()
	switch {
	case header != "":
		return header, nil
	case tokens != nil:
		tok, err := tokens.Token()
		if err != nil {
			return "", fmt.Errorf("%w: renew the SSO access token: %w", ErrDenied, err)
		}
		return "Bearer " + tok.AccessToken, nil
	}
	// A credentials login authenticates with Basic user name + secret key.
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(s.Username+":"+s.secretKey)), nil
}

// User is the platform's user record (the fields the phone uses).
type User struct {
	ID          string `json:"Id"`
	Username    string `json:"Username"`
	DisplayName string `json:"DisplayName"`
	Number      string `json:"Number"`
	Role        string `json:"Role"`
}

// SIPSettings are what the phone needs to register.
type SIPSettings struct {
	WebSocketURL string `json:"WebSocketUrl"`
	SIPProxy     string `json:"SipProxy"`
	SIPURI       string `json:"SipUri"`
	AuthUser     string `json:"AuthUser"`
	Password     string `json:"Password"`
	Realm        string `json:"Realm"`
	DisplayName  string `json:"DisplayName"`
	// Token is the SDK token the SIP WebSocket connects with (renewed by
	// updateJWT), when the platform uses one; TokenExpiresIn its life in s.
	Token          string `json:"Token"`
	TokenExpiresIn int    `json:"TokenExpiresIn"`
}

// APIError is a non-2xx answer of the API, with the platform's message.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// Config configures the client.
type Config struct {
	HTTPClient *http.Client // default: 15 s timeout
	UserAgent  string
}

// Client talks to discovery and to the API endpoints it returns.
type Client struct {
	http      *http.Client
	userAgent string
}

// New returns a Client.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "VoiceDesk"
	}
	return &Client{http: hc, userAgent: ua}
}

// Discover asks the discovery service which silos serve username.
func (c *Client) Discover(ctx context.Context, discoveryURL, username string) ([]Silo, error) {
	u, err := url.Parse(discoveryURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discovery url %q: must be an absolute http(s) URL", discoveryURL)
	}
	var silos []Silo
	if err := c.do(ctx, http.MethodPost, discoveryURL, nil, map[string]string{"user": username}, &silos); err != nil {
		return nil, fmt.Errorf("discover %s: %w", username, err)
	}
	if len(silos) == 0 {
		return nil, fmt.Errorf("discover %s: %w", username, ErrUnknownUser)
	}
	return silos, nil
}

// PickSilo returns the silo named name "if possible" (the reference's
// siloName), else the first one; matched says whether name was found.
func PickSilo(silos []Silo, name string) (s Silo, matched bool) {
	for _, s := range silos {
		if name != "" && strings.EqualFold(s.SiloName, name) {
			return s, true
		}
	}
	return silos[0], name == ""
}

// LoginCredentials exchanges user name and password for a session.
func (c *Client) LoginCredentials(ctx context.Context, silo Silo, username, password string) (*Session, error) {
	base, err := endpoint(silo.APIEndpoint)
	if err != nil {
		return nil, err
	}
	var out struct {
		UserID    string `json:"UserID"`
		SecretKey string `json:"SecretKey"`
	}
	body := map[string]string{"UserName": username, "Password": password}
	err = c.do(ctx, http.MethodPost, base+"authuser/"+url.PathEscape(username), nil, body, &out)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
		return nil, fmt.Errorf("login %s: %w", username, ErrUnauthorized)
	}
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", username, err)
	}
	if out.UserID == "" || out.SecretKey == "" {
		return nil, fmt.Errorf("login %s: the API answered without a user id or secret key", username)
	}
	return &Session{APIEndpoint: base, EventsEndpoint: silo.RTEEndpoint, Username: username, UserID: out.UserID, secretKey: out.SecretKey}, nil
}

// Me returns the logged-in user's record.
func (c *Client) Me(ctx context.Context, s *Session) (User, error) {
	var u User
	id := s.UserID
	if id == "" {
		// An SSO session knows the user only after asking.
		id = "me"
	}
	if err := c.Call(ctx, s, http.MethodGet, "users/"+url.PathEscape(id), nil, &u); err != nil {
		return User{}, fmt.Errorf("read user %s: %w", id, err)
	}
	return u, nil
}

// SIPSettings returns the logged-in user's SIP registration settings.
func (c *Client) SIPSettings(ctx context.Context, s *Session) (SIPSettings, error) {
	var out SIPSettings
	if err := c.Call(ctx, s, http.MethodGet, "users/"+url.PathEscape(s.UserID)+"/sipsettings", nil, &out); err != nil {
		return SIPSettings{}, fmt.Errorf("read SIP settings of %s: %w", s.UserID, err)
	}
	return out, nil
}

// SDKToken is a new token for the SIP WebSocket and its lifetime in s.
type SDKToken struct {
	Token     string `json:"Token"`
	ExpiresIn int    `json:"ExpiresIn"`
}

// NewSDKToken asks the platform for a new SDK token (the one SIPSettings
// gave expires; lab/API.md has the route).
func (c *Client) NewSDKToken(ctx context.Context, s *Session) (SDKToken, error) {
	var out SDKToken
	if err := c.Call(ctx, s, http.MethodPost, "users/"+url.PathEscape(s.UserID)+"/sdktoken", nil, &out); err != nil {
		return SDKToken{}, fmt.Errorf("renew the SDK token: %w", err)
	}
	if out.Token == "" {
		return SDKToken{}, errors.New("renew the SDK token: the platform answered no token")
	}
	return out, nil
}

// Call makes an authenticated request to a path relative to the session's
// API endpoint and decodes the JSON answer into out (when out is not nil).
func (c *Client) Call(ctx context.Context, s *Session, method, relPath string, payload, out any) error {
	if s == nil {
		return errors.New("not logged in")
	}
	rel := strings.TrimLeft(relPath, "/")
	auth, err := s.authorization()
	if err != nil {
		return err
	}
	hdr := http.Header{}
	hdr.Set("Authorization", auth)
	err = c.do(ctx, method, s.APIEndpoint+rel, hdr, payload, out)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
		return fmt.Errorf("%w: %w", ErrDenied, err)
	}
	return err
}

func endpoint(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %q", ErrBadDiscovery, raw)
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

// maxAnswer bounds what the client reads from the API.
const maxAnswer = 4 << 20

func (c *Client) do(ctx context.Context, method, target string, hdr http.Header, payload, out any) error {
	var body io.Reader
	if payload != nil {
		data, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("%w: more than %d bytes", ErrBadAnswer, maxAnswer)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var e struct {
			Message string `json:"Message"`
		}
		_ = json.Unmarshal(data, &e)
		return &APIError{Status: res.StatusCode, Message: e.Message}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		what := "malformed JSON"
		if ct := res.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
			what = "a " + strings.TrimSpace(strings.Split(ct, ";")[0]) + " page (a captive portal or a proxy?)"
		}
		return fmt.Errorf("%w: %s: %v", ErrBadAnswer, what, err)
	}
	return nil
}
