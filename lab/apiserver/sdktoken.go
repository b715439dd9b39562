package apiserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// SDKTokens issues the tokens the phone's SIP WebSocket connects with (the
// reference's "SDK JWT", renewed with updateJWT): JWTs signed by the lab,
// each registered with Kamailio over its control socket, where a WebSocket
// to /sdk needs a live one. Kamailio forgets them after an hour (the
// htable's autoexpire), which is their lifetime.
type SDKTokens struct {
	// kamctl is Kamailio's ctl socket (binrpc), driven with kamcmd.
	kamctl string
	key    []byte

	// live are the tokens issued, for Resync after a restart of Kamailio
	// (which keeps them in memory only): token -> SIP user and expiry.
	mu   sync.Mutex
	live map[string]issued
}

type issued struct {
	sipUser string
	expires time.Time
}

// NewSDKTokens returns an issuer registering its tokens at Kamailio's ctl
// socket kamctl, with a signing key of its own.
func NewSDKTokens(kamctl string) (*SDKTokens, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("sdk token key: %w", err)
	}
	return &SDKTokens{kamctl: kamctl, key: key, live: map[string]issued{}}, nil
}

// SDKTokenLifetime is how long an SDK token is accepted.
const SDKTokenLifetime = time.Hour

func (t *SDKTokens) issue(ctx context.Context, u storedUser, now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: t.key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("sdk token signer: %w", err)
	}
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: u.ID, Audience: jwt.Audience{"sip"}, ID: fmt.Sprintf("%x", jti),
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(SDKTokenLifetime))}).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign sdk token: %w", err)
	}
	if err := t.register(ctx, tok, u.SIPUser); err != nil {
		return "", err
	}
	t.mu.Lock()
	for k, v := range t.live {
		if !now.Before(v.expires) {
			delete(t.live, k)
		}
	}
	t.live[tok] = issued{sipUser: u.SIPUser, expires: now.Add(SDKTokenLifetime)}
	t.mu.Unlock()
	return tok, nil
}

func (t *SDKTokens) register(ctx context.Context, tok, sipUser string) error {
	out, err := exec.CommandContext(ctx, "kamcmd", "-s", "unix:"+t.kamctl, "htable.sets", "sdktokens", tok, sipUser).CombinedOutput()
	if err != nil {
		return fmt.Errorf("register the sdk token with kamailio: %v: %s", err, out)
	}
	return nil
}

// Resync registers the live tokens again, after Kamailio restarted: a
// platform's tokens outlive a restart of its SIP proxy.
func (t *SDKTokens) Resync(ctx context.Context, now time.Time) (int, error) {
	t.mu.Lock()
	live := make(map[string]issued, len(t.live))
	for k, v := range t.live {
		if now.Before(v.expires) {
			live[k] = v
		}
	}
	t.mu.Unlock()
	for tok, v := range live {
		if err := t.register(ctx, tok, v.sipUser); err != nil {
			return 0, err
		}
	}
	return len(live), nil
}

// resyncSDKTokens is POST /lab/sdktokens/resync, the lab's own (labctl
// calls it when it restarts Kamailio).
func (s *Server) resyncSDKTokens(w http.ResponseWriter, r *http.Request) {
	if s.cfg.SDKTokens == nil {
		writeJSON(w, http.StatusOK, map[string]int{"Count": 0})
		return
	}
	n, err := s.cfg.SDKTokens.Resync(r.Context(), s.cfg.Now())
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"Count": n})
}

// newSDKToken is POST /users/{id}/sdktoken: a fresh SDK token for the
// user themself (what a host fetches before calling updateJWT).
func (s *Server) newSDKToken(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "SDK tokens are issued only to their owner.")
		return
	}
	if s.cfg.SDKTokens == nil {
		writeError(w, http.StatusNotImplemented, "SDK tokens are not used in this lab.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	tok, err := s.cfg.SDKTokens.issue(ctx, me, s.cfg.Now())
	if err != nil {
		s.log.Warn("sdk token", "error", err)
		writeError(w, http.StatusBadGateway, "The SIP server did not take the token.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Token": tok, "ExpiresIn": int(SDKTokenLifetime.Seconds())})
}
