package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"voicedesk/backend/platform"
	"voicedesk/backend/sso"
)

// DefaultClientID is the reference's default client-id for SSO logins.
const DefaultClientID = "voice-for-browser"

// ssoWait is how long an SSO login waits for the user to finish signing in
// in the browser before it gives up.
const ssoWait = 5 * time.Minute

// Errors of the SSO login and setClientId.
var (
	ErrSSONotEnabled = coded("sso-not-enabled", "Login failed: SSO (modern authentication) is not enabled for the user")
	ErrBadClientID   = coded("bad-client-id", "Client id must be a non-empty string without spaces")
	ErrLoginCanceled = coded("login-canceled", "Login failed: the sign-in was cancelled")
)

// SetClientID is the reference's setClientId: the client the next SSO
// login identifies as at the identity provider.
func (p *Phone) SetClientID(id string) (bool, error) {
	id = strings.TrimSpace(id)
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return false, fmt.Errorf("%w (got %q)", ErrBadClientID, id)
	}
	p.mu.Lock()
	p.clientID = id
	p.mu.Unlock()
	return true, nil
}

// ClientID returns the SSO client id in use.
func (p *Phone) ClientID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clientID
}

// LoginUsingSSO is the reference's deprecated loginUsingSSO: an SSO login
// that answers false, not an error, when SSO is not set for the user.
func (p *Phone) LoginUsingSSO(ctx context.Context, username, siloName string) (bool, error) {
	ok, err := p.Login(ctx, LoginOptions{Type: LoginSSO, Username: username, SiloName: siloName})
	if errors.Is(err, ErrSSONotEnabled) {
		return false, nil
	}
	return ok, err
}

// CancelLogin stops an SSO login that waits for the browser (a VoiceDesk
// addition: the desktop's login screen has a Cancel button while it waits).
func (p *Phone) CancelLogin() {
	p.mu.Lock()
	cancel := p.cancelSSO
	p.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// loginSSO signs in at the silo's identity provider in the system browser
// and returns a session whose requests carry its access tokens.
// With o.RememberMe its refresh tokens are kept in the keyring as they
// rotate.
func (p *Phone) loginSSO(ctx context.Context, silo platform.Silo, o LoginOptions) (*platform.Session, error) {
	if silo.Authority == nil || strings.TrimSpace(*silo.Authority) == "" {
		return nil, &LoginError{"sso-not-enabled", ErrSSONotEnabled.Error(), ErrSSONotEnabled}
	}
	cfg := p.ssoConfig(*silo.Authority)
	cfg.LoginHint = o.Username
	if silo.AuthorityIdPHint != nil {
		cfg.IdPHint = *silo.AuthorityIdPHint
	}
	wctx, cancel := context.WithTimeout(ctx, p.ssoWait)
	defer cancel()
	p.mu.Lock()
	p.cancelSSO = cancel
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.cancelSSO = nil
		p.mu.Unlock()
	}()
	res, err := sso.Login(wctx, p.ctx, cfg)
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() == nil:
		return nil, &LoginError{"login-canceled", ErrLoginCanceled.Error(), err}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return nil, &LoginError{"sso-timeout", "Login failed: the sign-in in the browser was not finished in time", err}
	case errors.Is(err, sso.ErrRefused):
		return nil, &LoginError{"sso-refused", "Login failed: " + err.Error(), err}
	case err != nil:
		return nil, &LoginError{"sso-failed", "Login failed: single sign-on did not complete: " + err.Error(), err}
	}
	// Signing in as somebody else in the browser must not log in that
	// other user under the name the host asked for.
	if !strings.EqualFold(res.Username, o.Username) {
		return nil, &LoginError{"sso-other-user", fmt.Sprintf("Login failed: signed in at the identity provider as %q, not as %q", res.Username, o.Username), nil}
	}
	tokens := res.Tokens
	if o.RememberMe {
		tokens = p.keepTokens(o.Username, tokens)
	}
	session, err := platform.NewTokenSession(silo, o.Username, tokens)
	if err != nil {
		return nil, loginError(err)
	}
	session.Issuer, session.ClientID = cfg.Issuer, cfg.ClientID
	return session, nil
}

// keepTokens wraps an SSO login's tokens so that each refresh token issued
// is written to the keyring under account; the first one is written now.
func (p *Phone) keepTokens(account string, src oauth2.TokenSource) oauth2.TokenSource {
	if p.secrets == nil {
		return src
	}
	k := &keptTokens{src: src, save: func(refresh string) {
		if err := p.secrets.Set(account, refresh); err != nil {
			p.log.Warn("remember me: keep the SSO refresh token", "error", err)
		}
	}}
	if _, err := k.Token(); err != nil {
		p.log.Warn("remember me: read the SSO tokens", "error", err)
	}
	return k
}

func (p *Phone) ssoConfig(issuer string) sso.Config {
	p.mu.Lock()
	id := p.clientID
	p.mu.Unlock()
	return sso.Config{Issuer: issuer, ClientID: id, OpenBrowser: p.openBrowser, Log: p.log}
}

// keptTokens writes each new refresh token to the keyring: the provider
// rotates them, and the one kept must be the last one issued.
type keptTokens struct {
	src  oauth2.TokenSource
	save func(refresh string)

	mu   sync.Mutex
	last string
}

func (k *keptTokens) Token() (*oauth2.Token, error) {
	tok, err := k.src.Token()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	changed := tok.RefreshToken != "" && tok.RefreshToken != k.last
	if changed {
		k.last = tok.RefreshToken
	}
	k.mu.Unlock()
	if changed {
		k.save(tok.RefreshToken)
	}
	return tok, nil
}
