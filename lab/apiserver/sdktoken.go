package apiserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// SDKTokens issues the tokens the phone's SIP WebSocket connects with (the
// reference's "SDK JWT", renewed with updateJWT): JWTs signed by the lab,
// each registered with Kamailio over its control socket, where a WebSocket
// to /sdk needs a live one. Each is set with its own expiry (htable.setex),
// so Kamailio forgets it when its lifetime ends: an hour, or what the lab
// was told for the user (POST /lab/sdktokens/lifetime, for the renewal's
// test).
type SDKTokens struct {
	// kamctl is Kamailio's ctl socket (binrpc), driven with kamcmd.
	kamctl string
	key    []byte

	// live are the tokens issued, for Resync after a restart of Kamailio
	// (which keeps them in memory only): token -> SIP user and expiry.
	mu   sync.Mutex
	live map[string]issued
	// lifetimes overrides SDKTokenLifetime per SIP user.
	lifetimes map[string]time.Duration
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
	return &SDKTokens{kamctl: kamctl, key: key, live: map[string]issued{}, lifetimes: map[string]time.Duration{}}, nil
}

// SDKTokenLifetime is how long an SDK token is accepted, unless the lab
// was told otherwise for its user.
const SDKTokenLifetime = time.Hour

// Shortest and longest lifetimes the lab accepts for a user's tokens:
// Kamailio's expiry has one-second steps.
const (
	minSDKTokenLifetime = 5 * time.Second
	maxSDKTokenLifetime = 24 * time.Hour
)

// Lifetime is how long the tokens issued to sipUser from now on live.
func (t *SDKTokens) Lifetime(sipUser string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d, ok := t.lifetimes[sipUser]; ok {
		return d
	}
	return SDKTokenLifetime
}

// SetLifetime sets the lifetime of the tokens issued to sipUser from now
// on; 0 goes back to SDKTokenLifetime.
func (t *SDKTokens) SetLifetime(sipUser string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d == 0 {
		delete(t.lifetimes, sipUser)
		return
	}
	t.lifetimes[sipUser] = d
}

// issue signs a token for u and registers it with Kamailio, which forgets
// it when its lifetime ends; it returns the token and its lifetime.
func (t *SDKTokens) issue(ctx context.Context, u storedUser, now time.Time) (string, time.Duration, error) {
	lifetime := t.Lifetime(u.SIPUser)
	tok, err := t.sign(u, now, lifetime)
	if err != nil {
		return "", 0, err
	}
	if err := t.register(ctx, tok, u.SIPUser, lifetime); err != nil {
		return "", 0, err
	}
	t.mu.Lock()
	for k, v := range t.live {
		if !now.Before(v.expires) {
			delete(t.live, k)
		}
	}
	t.live[tok] = issued{sipUser: u.SIPUser, expires: now.Add(lifetime)}
	t.mu.Unlock()
	return tok, lifetime, nil
}

func (t *SDKTokens) sign(u storedUser, now time.Time, lifetime time.Duration) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: t.key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("sdk token signer: %w", err)
	}
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: u.ID, Audience: jwt.Audience{"sip"}, ID: fmt.Sprintf("%x", jti),
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime))}).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign sdk token: %w", err)
	}
	return tok, nil
}

// register sets the token in Kamailio's sdktokens htable with its own
// expiry: Kamailio answers an expired item as missing, so the WebSocket
// handshake is refused from the token's end on.
func (t *SDKTokens) register(ctx context.Context, tok, sipUser string, lifetime time.Duration) error {
	secs := strconv.Itoa(max(1, int(lifetime.Round(time.Second).Seconds())))
	for _, args := range [][]string{{"htable.sets", "sdktokens", tok, sipUser}, {"htable.setex", "sdktokens", tok, secs}} {
		out, err := exec.CommandContext(ctx, "kamcmd", append([]string{"-s", "unix:" + t.kamctl}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("register the sdk token with kamailio (%s): %v: %s", args[0], err, out)
		}
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
		if err := t.register(ctx, tok, v.sipUser, v.expires.Sub(now)); err != nil {
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
	tok, lifetime, err := s.cfg.SDKTokens.issue(ctx, me, s.cfg.Now())
	if err != nil {
		s.log.Warn("sdk token", "error", err)
		writeError(w, http.StatusBadGateway, "The SIP server did not take the token.")
		return
	}
	s.cfg.Ledger.Add("sdk-token", tok)
	writeJSON(w, http.StatusOK, map[string]any{"Token": tok, "ExpiresIn": int(lifetime.Seconds())})
}

// setSDKTokenLifetime is POST /lab/sdktokens/lifetime {"User", "Seconds"},
// the lab's own: the lifetime of the tokens issued to a SIP user from now
// on (0 for the default hour), so that a test sees a token expire and the
// phone renew it within seconds.
func (s *Server) setSDKTokenLifetime(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User    string
		Seconds int
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "The body must be JSON {User, Seconds}.")
		return
	}
	d := time.Duration(req.Seconds) * time.Second
	if req.User == "" || (d != 0 && (d < minSDKTokenLifetime || d > maxSDKTokenLifetime)) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("User is a SIP user and Seconds 0 (the default) or %d to %d.",
			int(minSDKTokenLifetime.Seconds()), int(maxSDKTokenLifetime.Seconds())))
		return
	}
	if s.cfg.SDKTokens == nil {
		writeError(w, http.StatusNotImplemented, "SDK tokens are not used in this lab.")
		return
	}
	s.cfg.SDKTokens.SetLifetime(req.User, d)
	writeJSON(w, http.StatusOK, map[string]any{"User": req.User, "Seconds": int(s.cfg.SDKTokens.Lifetime(req.User).Seconds())})
}
