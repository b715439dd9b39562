package phone

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Errors of updateJWT.
var (
	ErrBadJWT     = coded("bad-jwt", "Token must be a JWT: three base64url parts separated by '.'")
	ErrExpiredJWT = coded("expired-jwt", "Token has expired")
)

// UpdateJWT is the reference's updateJWT(token): the SDK token the SIP
// WebSocket connects with. The new token is used from the next
// (re)connection on; the open connection is not dropped for it. Only its
// shape and expiry are checked here: the signature is the platform's to
// verify.
func (p *Phone) UpdateJWT(token string) error {
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bearer "))
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ErrBadJWT
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if err := decodeJWTPart(parts[0], &header); err != nil || header.Alg == "" {
		return ErrBadJWT
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return ErrBadJWT
	}
	if claims.Exp != nil && !p.now().Before(time.Unix(int64(*claims.Exp), 0)) {
		return fmt.Errorf("%w (at %s)", ErrExpiredJWT, time.Unix(int64(*claims.Exp), 0).UTC().Format(time.RFC3339))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return ErrNotLoggedIn
	}
	p.sdkToken = token
	p.log.Info("SDK token renewed")
	return nil
}

func decodeJWTPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// currentSDKToken is read by the SIP agent at each WebSocket connect.
func (p *Phone) currentSDKToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sdkToken
}
