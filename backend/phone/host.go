package phone

import (
	"fmt"
	"net/url"
)

// What the reference's host sets about the phone's own screens: the login
// screen's kind (setAuthType) and the platform's web UI it links to
// (updateBeneUiUrl). The phone keeps them, so the window and every
// integration see the same, and tells the window when one changes.

// The reference's auth types (setAuthType).
const (
	AuthTypeLoginForm = "loginForm"
	AuthTypeJWT       = "JWT"
)

// Events (VoiceDesk's own) that tell a window the host changed its login
// screen or its web UI link; the detail is the new value.
const (
	EventAuthTypeChanged = "auth-type-changed"
	EventUIURLChanged    = "ui-url-changed"
)

// Errors of setAuthType and updateBeneUiUrl, in the element's words.
var (
	ErrAuthType = coded("auth-type", "Unsupported auth type. Use 'loginForm' or 'JWT'")
	ErrUIURL    = coded("ui-url", "Invalid UI URL: use an http(s) URL")
)

// SetAuthType is the reference's setAuthType(authType): 'JWT' shows a
// welcome screen instead of the login form (the host signs in).
func (p *Phone) SetAuthType(authType string) error {
	if authType != AuthTypeLoginForm && authType != AuthTypeJWT {
		return fmt.Errorf("%w (got %q)", ErrAuthType, authType)
	}
	p.mu.Lock()
	p.authType = authType
	p.mu.Unlock()
	p.emit.Emit(EventAuthTypeChanged, authType)
	return nil
}

// UpdateBeneUIURL is the reference's updateBeneUiUrl(url): the platform's
// web UI, linked from the phone. Only an absolute http(s) URL is taken.
func (p *Phone) UpdateBeneUIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w (got %q)", ErrUIURL, raw)
	}
	p.mu.Lock()
	p.uiURL = u.String()
	p.mu.Unlock()
	p.emit.Emit(EventUIURLChanged, u.String())
	return nil
}
