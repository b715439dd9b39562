// Package sso signs a user in at the platform's identity provider (Enreach
// Identity) the way a native app should (RFC 8252): OpenID Connect
// authorization code with PKCE (S256) in the system browser, and the
// answer taken on a loopback redirect (http://127.0.0.1:<free port>/callback).
//
// It uses golang.org/x/oauth2 and coreos/go-oidc for the protocol (PKCE,
// code exchange, ID-token verification with the provider's keys) and owns
// only the loopback listener and the pages shown in the browser. What the
// tokens mean for the phone is decided in backend/phone.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pkg/browser"
	"golang.org/x/oauth2"
)

// Config says where and as whom to sign in.
type Config struct {
	// Issuer is the identity provider (the discovery answer's authority).
	Issuer string
	// ClientID is the app's client at the provider (the reference's
	// client-id, default "voice-for-browser").
	ClientID string
	// LoginHint pre-fills the user name at the provider.
	LoginHint string
	// IdPHint (the discovery answer's authorityIdPHint) picks an upstream
	// identity provider at a Keycloak-style broker (kc_idp_hint).
	IdPHint string
	// OpenBrowser shows the authorization URL to the user; default the
	// system browser.
	OpenBrowser func(url string) error
	// HTTPClient talks to the provider; default http.DefaultClient.
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Scopes asked for: the user's identity, and offline_access for a refresh
// token (the session outlives the five-minute access tokens).
var Scopes = []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}

// Sentinel errors callers branch on.
var (
	// ErrRefused: the provider answered the redirect with an error (the
	// user declined, or the client is not allowed).
	ErrRefused = errors.New("the identity provider refused the sign-in")
	// ErrExpired: a kept refresh token is no longer accepted.
	ErrExpired = errors.New("the identity provider no longer accepts the kept sign-in")
)

// Result is a finished sign-in.
type Result struct {
	// Subject and Username are the ID token's sub and preferred_username.
	Subject, Username string
	// Tokens yields a valid access token, refreshing it when it expires.
	Tokens oauth2.TokenSource
}

// session is a provider and a client: the base of Login and Resume.
type session struct {
	cfg      Config
	provider *oidc.Provider
	oauth    oauth2.Config
	hc       *http.Client
	ctx      context.Context // carries hc for oauth2 and go-oidc
}

func open(ctx context.Context, cfg Config) (*session, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("sso: no identity provider (issuer) given")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("sso: no client id given")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	ctx = oidc.ClientContext(ctx, hc)
	provider, err := oidc.NewProvider(ctx, strings.TrimSuffix(cfg.Issuer, "/"))
	if err != nil {
		return nil, fmt.Errorf("sso: read the identity provider's configuration at %s: %w", cfg.Issuer, err)
	}
	return &session{cfg: cfg, provider: provider, ctx: ctx, hc: hc,
		oauth: oauth2.Config{ClientID: cfg.ClientID, Endpoint: provider.Endpoint(), Scopes: Scopes}}, nil
}

// Login opens the provider's sign-in page in the browser and waits, until
// ctx ends, for the redirect back to the loopback listener. keep lives as
// long as the returned token source (its refreshes use it).
func Login(ctx, keep context.Context, cfg Config) (*Result, error) {
	s, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// RFC 8252 7.3: the loopback IP literal, not "localhost", on a port
	// the OS picks; the provider accepts any port for a native client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sso: open the loopback redirect listener: %w", err)
	}
	s.oauth.RedirectURL = fmt.Sprintf("http://%s/callback", ln.Addr())
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if cfg.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", cfg.LoginHint))
	}
	if cfg.IdPHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("kc_idp_hint", cfg.IdPHint))
	}
	authURL := s.oauth.AuthCodeURL(state, opts...)

	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	var once sync.Once
	finish := func(o outcome) { once.Do(func() { done <- o }) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		// A page that did not come from our authorization request (no or
		// another state) is ignored, not taken as the answer.
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(w, http.StatusBadRequest, "This sign-in link is not the one VoiceDesk is waiting for.")
			return
		}
		if e := q.Get("error"); e != "" {
			msg := e
			if d := q.Get("error_description"); d != "" {
				msg += ": " + d
			}
			page(w, http.StatusForbidden, "The sign-in was not completed ("+msg+"). You can close this tab.")
			finish(outcome{err: fmt.Errorf("%w: %s", ErrRefused, msg)})
			return
		}
		tok, err := s.oauth.Exchange(s.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			page(w, http.StatusBadGateway, "VoiceDesk could not complete the sign-in. You can close this tab.")
			finish(outcome{err: fmt.Errorf("sso: exchange the authorization code: %w", err)})
			return
		}
		res, err := s.result(keep, tok, nonce)
		if err != nil {
			page(w, http.StatusBadGateway, "VoiceDesk could not complete the sign-in. You can close this tab.")
			finish(outcome{err: err})
			return
		}
		page(w, http.StatusOK, "You are signed in to VoiceDesk. You can close this tab.")
		finish(outcome{res: res})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
		<-served
	}()

	openURL := cfg.OpenBrowser
	if openURL == nil {
		openURL = browser.OpenURL
	}
	s.cfg.Log.Info("sso: opening the identity provider in the browser", "issuer", cfg.Issuer, "clientId", cfg.ClientID, "redirect", s.oauth.RedirectURL)
	if err := openURL(authURL); err != nil {
		return nil, fmt.Errorf("sso: open the browser: %w", err)
	}
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("sso: waiting for the sign-in in the browser: %w", ctx.Err())
	}
}

// Resume signs in again with a kept refresh token, without the browser.
func Resume(ctx, keep context.Context, cfg Config, refreshToken string) (*Result, error) {
	s, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	tok, err := s.oauth.TokenSource(s.ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
		return nil, fmt.Errorf("%w: %v", ErrExpired, err)
	}
	if err != nil {
		return nil, fmt.Errorf("sso: refresh the kept sign-in: %w", err)
	}
	return s.result(keep, tok, "")
}

// result checks the token answer's ID token and wraps the tokens in a
// refreshing source that lives with keep.
func (s *session) result(keep context.Context, tok *oauth2.Token, nonce string) (*Result, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errors.New("sso: the identity provider answered without an ID token")
	}
	idt, err := s.provider.Verifier(&oidc.Config{ClientID: s.cfg.ClientID}).Verify(s.ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("sso: verify the ID token: %w", err)
	}
	// The nonce binds the ID token to our request; a refreshed ID token
	// may carry the original one or none.
	if nonce != "" && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, errors.New("sso: the ID token's nonce does not match the request")
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("sso: read the ID token's claims: %w", err)
	}
	kctx := oidc.ClientContext(keep, s.hc)
	tokens := oauth2.ReuseTokenSource(tok, s.oauth.TokenSource(kctx, tok))
	if claims.PreferredUsername == "" && claims.Email == "" {
		// Providers that issue an access token keep the profile claims for
		// the userinfo endpoint (OIDC Core 5.4).
		info, err := s.provider.UserInfo(s.ctx, tokens)
		if err != nil {
			return nil, fmt.Errorf("sso: read the user's profile: %w", err)
		}
		if info.Subject != idt.Subject {
			return nil, errors.New("sso: the userinfo answer is for another subject than the ID token")
		}
		if err := info.Claims(&claims); err != nil {
			return nil, fmt.Errorf("sso: read the user's profile: %w", err)
		}
	}
	name := claims.PreferredUsername
	if name == "" {
		name = claims.Email
	}
	return &Result{Subject: idt.Subject, Username: name, Tokens: tokens}, nil
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>VoiceDesk sign-in</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f6f9;display:flex;justify-content:center;align-items:center;min-height:100vh;margin:0}p{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 2px 8px #0002;max-width:28rem}</style>
</head><body><p>{{.}}</p></body></html>`))

func page(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, msg)
}
