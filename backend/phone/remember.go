package phone

import (
	"context"
	"errors"
	"fmt"

	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
)

// remember keeps a Credentials login for the next start: who and where in
// the settings file, the secret key in the keyring. A failure is logged and
// the login stands.
func (p *Phone) remember(s *platform.Session, u *UserInfo) {
	if p.secrets == nil || p.prefs == nil || s.SecretKey() == "" {
		p.log.Warn("remember me: no keyring or settings file; the login is not kept")
		return
	}
	if err := p.secrets.Set(s.Username, s.SecretKey()); err != nil {
		p.log.Warn("remember me", "error", err)
		return
	}
	err := p.prefs.Update(func(st *settings.Settings) {
		st.Remembered = &settings.Remembered{Username: s.Username, UserID: s.UserID, SiloName: u.Silo, APIEndpoint: s.APIEndpoint}
	})
	if err != nil {
		p.log.Warn("remember me", "error", err)
		_ = p.secrets.Delete(s.Username)
		return
	}
	p.log.Info("login remembered", "username", s.Username)
}

// forget removes a remembered login.
func (p *Phone) forget() {
	if p.prefs == nil {
		return
	}
	st, err := p.prefs.Load()
	if err != nil || st.Remembered == nil {
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
var ErrNothingRemembered = errors.New("no remembered login")

// Resume signs in silently with the login kept by "remember me", as at
// start-up. A kept login the platform no longer accepts is forgotten.
func (p *Phone) Resume(ctx context.Context) (bool, error) {
	if p.prefs == nil || p.secrets == nil {
		return false, ErrNothingRemembered
	}
	st, err := p.prefs.Load()
	if err != nil || st.Remembered == nil {
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
	session, err := platform.RestoreSession(r.APIEndpoint, r.Username, r.UserID, secret)
	if err != nil {
		p.forget()
		return false, fmt.Errorf("resume login: %w", err)
	}
	ok, err := p.start(ctx, LoginCredentials, func(ctx context.Context) (*UserInfo, *platform.Session, error) {
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
