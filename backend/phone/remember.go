package phone

import (
	"context"
	"errors"
	"fmt"

	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sso"
)

// ErrorNotRemembered is phone-error's detail (VoiceDesk's own) when the
// user asked to be remembered and the login could not be kept (the OS
// keyring locked or absent, the settings file unwritable): signed in all
// the same, and told that the next start will ask again.
const ErrorNotRemembered = "not-remembered"

// remember keeps a Credentials or SSO login for the next start: who and
// where in the settings file; in the keyring the secret key, or the SSO
// login's refresh token (already written there as it was issued, see
// keepTokens). A failure is logged, told (phone-error not-remembered) and
// the login stands.
func (p *Phone) remember(s *platform.Session, u *UserInfo, kind LoginType) {
	if !p.keep(s, u, kind) {
		p.emit.Emit(EventPhoneError, ErrorNotRemembered)
	}
}

func (p *Phone) keep(s *platform.Session, u *UserInfo, kind LoginType) bool {
	if p.secrets == nil || p.prefs == nil || (kind == LoginCredentials && s.SecretKey() == "") {
		p.log.Warn("remember me: no keyring or settings file; the login is not kept")
		return false
	}
	r := &settings.Remembered{Username: s.Username, UserID: s.UserID, SiloName: u.Silo, APIEndpoint: s.APIEndpoint, RTEEndpoint: s.EventsEndpoint}
	switch kind {
	case LoginSSO:
		if _, err := p.secrets.Get(s.Username); err != nil {
			p.log.Warn("remember me: the SSO refresh token is not in the keyring", "error", err)
			return false
		}
		r.LoginType, r.Issuer, r.ClientID = string(LoginSSO), s.Issuer, s.ClientID
	default:
		if err := p.secrets.Set(s.Username, s.SecretKey()); err != nil {
			p.log.Warn("remember me: the OS keyring did not take the login (locked or absent?)", "error", err)
			return false
		}
	}
	err := p.prefs.Update(func(st *settings.Settings) { st.Remembered = r })
	if err != nil {
		p.log.Warn("remember me", "error", err)
		_ = p.secrets.Delete(s.Username)
		return false
	}
	p.log.Info("login remembered", "username", s.Username)
	return true
}

// forget removes a remembered login.
func (p *Phone) forget() {
	if p.prefs == nil {
		return
	}
	st, err := p.prefs.Load()
	// A corrupt file's readable settings count (settings.ErrCorrupt).
	if (err != nil && !errors.Is(err, settings.ErrCorrupt)) || st.Remembered == nil {
		return
	}
	if p.secrets != nil {
		if err := p.secrets.Delete(st.Remembered.Username); err != nil {
			p.log.Warn("forget login", "error", err)
		}
	}
	if err := p.prefs.Update(func(s *settings.Settings) { s.Remembered = nil }); err != nil {
		p.log.Warn("forget login", "error", err)
	}
}

// ErrNothingRemembered is Resume's answer when no login was kept.
var ErrNothingRemembered = coded("nothing-remembered", "no remembered login")

// Resume signs in silently with the login kept by "remember me", as at
// start-up. A kept login the platform no longer accepts is forgotten.
func (p *Phone) Resume(ctx context.Context) (bool, error) {
	if p.prefs == nil || p.secrets == nil {
		return false, ErrNothingRemembered
	}
	st, err := p.prefs.Load()
	// A corrupt file's readable settings count (settings.ErrCorrupt).
	if (err != nil && !errors.Is(err, settings.ErrCorrupt)) || st.Remembered == nil {
		return false, ErrNothingRemembered
	}
	r := *st.Remembered
	secret, err := p.secrets.Get(r.Username)
	if errors.Is(err, secrets.ErrNotFound) {
		p.forget()
		return false, ErrNothingRemembered
	}
	if err != nil {
		return false, fmt.Errorf("resume login: %w", err)
	}
	kind := LoginCredentials
	var session *platform.Session
	if r.LoginType == string(LoginSSO) {
		kind = LoginSSO
		session, err = p.resumeSSO(ctx, r, secret)
	} else {
		session, err = platform.RestoreSession(r.APIEndpoint, r.Username, r.UserID, secret)
		if session != nil {
			session.EventsEndpoint = r.RTEEndpoint
		}
	}
	if errors.Is(err, sso.ErrExpired) || errors.Is(err, platform.ErrBadDiscovery) {
		p.log.Info("the remembered login is no longer accepted; forgetting it", "error", err)
		p.forget()
	}
	if err != nil {
		return false, fmt.Errorf("resume login: %w", err)
	}
	ok, err := p.start(ctx, kind, func(ctx context.Context) (*UserInfo, *platform.Session, error) {
		me, err := p.api.Me(ctx, session)
		if err != nil {
			return nil, nil, loginError(err)
		}
		return &UserInfo{UserID: me.ID, Username: me.Username, DisplayName: me.DisplayName, Number: me.Number, Silo: r.SiloName}, session, nil
	})
	if errors.Is(err, platform.ErrDenied) {
		p.log.Info("the remembered login is no longer accepted; forgetting it")
		p.forget()
	}
	return ok, err
}

// resumeSSO refreshes a kept SSO login without the browser; the refresh
// tokens it is issued from now on are kept as they rotate.
func (p *Phone) resumeSSO(ctx context.Context, r settings.Remembered, refresh string) (*platform.Session, error) {
	cfg := sso.Config{Issuer: r.Issuer, ClientID: r.ClientID, OpenBrowser: p.openBrowser, Log: p.log}
	res, err := sso.Resume(ctx, p.ctx, cfg, refresh)
	if err != nil {
		return nil, err
	}
	session, err := platform.NewTokenSession(platform.Silo{APIEndpoint: r.APIEndpoint, SiloName: r.SiloName, RTEEndpoint: r.RTEEndpoint}, r.Username, p.keepTokens(r.Username, res.Tokens))
	if err != nil {
		return nil, err
	}
	session.UserID, session.Issuer, session.ClientID = r.UserID, r.Issuer, r.ClientID
	return session, nil
}
