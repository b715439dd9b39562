package phone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"voicedesk/backend/platform"
)

// EventAuthTokenExpired is the reference's auth-token-expired: the
// impersonation token of an AuthHeader login expires in 60 s (or has, and a
// request failed); the host renews it with setAuthHeader.
const EventAuthTokenExpired = "auth-token-expired"

// tokenWarning is how long before expiry auth-token-expired is emitted, and
// expiredRepeat the least time between two emitted for failed requests.
const (
	tokenWarning  = 60 * time.Second
	expiredRepeat = 2 * time.Second
)

// Errors of setAuthHeader and makeAPICall.
var (
	ErrNotAuthHeaderLogin = coded("not-auth-header-login", "The authorization header can only be set when logged in with the AuthHeader login type")
	ErrAPIMethod          = coded("api-method", "Unsupported HTTP method. Use 'GET', 'POST', 'PUT' or 'DELETE'")
	ErrAPIPath            = coded("api-path", "The relative path of the API call is missing")
)

// After schedules f after d and returns its cancel; the Phone's clock for
// timers (Config.After), so tests can fire them.
type After func(d time.Duration, f func()) (stop func())

func realAfter(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// watchToken (re)schedules auth-token-expired for a token that expires in
// expiresIn seconds from now. Call with p.mu held.
func (p *Phone) watchToken(expiresIn float64) {
	if p.stopToken != nil {
		p.stopToken()
	}
	life := time.Duration(expiresIn * float64(time.Second))
	p.tokenExpires = p.now().Add(life)
	p.stopToken = p.after(life-tokenWarning, func() {
		p.log.Info("impersonation token expires in 60 s")
		p.emit.Emit(EventAuthTokenExpired, nil)
	})
}

// SetAuthHeader is the reference's setAuthHeader: it renews the AuthHeader
// login's token.
func (p *Phone) SetAuthHeader(h AuthHeader) error {
	if strings.TrimSpace(h.Value) == "" {
		return ErrHeaderValue
	}
	if !(h.ExpiresIn > MinTokenLifetime) {
		return ErrHeaderExpiry
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return ErrNotLoggedIn
	}
	if !p.session.HasHeader() {
		return ErrNotAuthHeaderLogin
	}
	p.session.SetHeader(strings.TrimSpace(h.Value))
	p.watchToken(h.ExpiresIn)
	p.lastExpired = time.Time{}
	p.log.Info("impersonation token renewed", "expiresIn", h.ExpiresIn)
	return nil
}

// apiFailed tells the host, at most every 2 s, that requests fail because
// the AuthHeader login's token has expired.
func (p *Phone) apiFailed(err error) {
	if !errors.Is(err, platform.ErrDenied) {
		return
	}
	p.mu.Lock()
	s := p.session
	now := p.now()
	emit := s != nil && s.HasHeader() && !now.Before(p.tokenExpires) && now.Sub(p.lastExpired) >= expiredRepeat
	if emit {
		p.lastExpired = now
	}
	p.mu.Unlock()
	if emit {
		p.emit.Emit(EventAuthTokenExpired, nil)
	}
}

var mePlaceholder = regexp.MustCompile(`(?i)\[me\]`)

// MakeAPICall is the reference's makeAPICall: a request to the platform API
// as the signed-in user, with [ME] (any case) replaced by the user's id.
func (p *Phone) MakeAPICall(ctx context.Context, method, relativePath string, payload any) (any, error) {
	// The reference's APICallTypeEnum exactly: 'GET', not 'get'.
	m := method
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return nil, fmt.Errorf("%w (got %q)", ErrAPIMethod, method)
	}
	if strings.TrimSpace(relativePath) == "" {
		return nil, ErrAPIPath
	}
	p.mu.Lock()
	s := p.session
	p.mu.Unlock()
	if s == nil {
		return nil, ErrNotLoggedIn
	}
	path := mePlaceholder.ReplaceAllLiteralString(relativePath, s.UserID)
	var out any
	if err := p.api.Call(ctx, s, m, path, payload, &out); err != nil {
		p.apiFailed(err)
		return nil, fmt.Errorf("%s %s: %w", m, path, err)
	}
	return out, nil
}
