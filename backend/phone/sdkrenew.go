package phone

import (
	"context"
	"time"
)

// The SDK token's renewal: the platform issues the SIP WebSocket's token
// with a lifetime (SIPSettings' TokenExpiresIn); a token that expired
// would have every reconnection refused. The phone asks the platform for a
// new one when 80% of the lifetime has passed, with no host involved
// (updateJWT stays for hosts that renew it themselves), and again every 30
// s while the platform does not answer, until the token has expired.

// sdkRetry is how soon a failed renewal is tried again.
const sdkRetry = 30 * time.Second

// renewSDKTokenIn schedules the renewal of a token issued now for
// lifetime; stopSDK (under p.mu) cancels it.
func (p *Phone) renewSDKTokenIn(lifetime time.Duration, expires time.Time) {
	if lifetime <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopSDK != nil {
		p.stopSDK()
	}
	p.stopSDK = p.after(lifetime*8/10, func() { p.renewSDKToken(expires) })
}

// renewSDKToken asks the platform for a new SDK token; the next
// (re)connection of the SIP WebSocket uses it.
func (p *Phone) renewSDKToken(expires time.Time) {
	p.mu.Lock()
	s := p.session
	p.mu.Unlock()
	if s == nil {
		return // signed out meanwhile
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	tok, err := p.api.NewSDKToken(ctx, s)
	cancel()
	if err != nil {
		p.apiFailed(err)
		if wait := expires.Sub(p.now()); wait > 0 {
			p.log.Warn("SDK token renewal failed; trying again", "in", sdkRetry.String(), "expires", expires.Format(time.RFC3339), "error", err)
			p.mu.Lock()
			if p.session == s {
				p.stopSDK = p.after(min(sdkRetry, wait), func() { p.renewSDKToken(expires) })
			}
			p.mu.Unlock()
			return
		}
		p.log.Warn("SDK token renewal failed and the token has expired: the next reconnection will be refused", "error", err)
		return
	}
	p.mu.Lock()
	if p.session != s {
		p.mu.Unlock()
		return
	}
	p.sdkToken = tok.Token
	p.mu.Unlock()
	lifetime := time.Duration(tok.ExpiresIn) * time.Second
	p.log.Info("SDK token renewed by the phone", "expiresIn", lifetime.String())
	p.renewSDKTokenIn(lifetime, p.now().Add(lifetime))
}
