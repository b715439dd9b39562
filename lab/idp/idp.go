// Package idp is the lab's stand-in for the platform's identity provider
// (Enreach Identity): an OpenID provider for the SSO login, built on
// zitadel/oidc's certified op package, with a sign-in page.
//
// The provider's storage is the in-memory one that zitadel/oidc ships beside
// op (its example storage: auth requests, codes, opaque access tokens with a
// five-minute life, rotating refresh tokens); users are the lab's seeded
// directory. Clients are native (public, PKCE required, any loopback port:
// RFC 8252). The lab's API server asks Subject who an access token belongs
// to, as a resource server would introspect it.
package idp

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a user who can sign in at the provider; ID is the platform user
// id and becomes the tokens' subject.
type User struct {
	ID, Username, Password, FirstName, LastName, Email string
}

// Config configures the provider.
type Config struct {
	// Issuer is the provider's public address, e.g. "http://127.0.0.1:4000/idp".
	Issuer string
	// Users may sign in with their user name and password.
	Users []User
	// ClientIDs are the native clients allowed to sign in.
	ClientIDs []string
	Log       *slog.Logger
}

// Provider is the lab's OpenID provider.
type Provider struct {
	op      *op.Provider
	storage *storage.Storage
	login   http.Handler
	log     *slog.Logger
}

// LoginPrefix is the path the provider's clients send the browser to for
// signing in (fixed by zitadel/oidc's stored clients).
const LoginPrefix = "/login/"

// New returns a provider for cfg.
func New(cfg Config) (*Provider, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	users := userStore{}
	for _, u := range cfg.Users {
		u := u
		users[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.FirstName,
			LastName: u.LastName, Email: u.Email, EmailVerified: true, PreferredLanguage: language.English}
	}
	clients := map[string]*storage.Client{}
	for _, id := range cfg.ClientIDs {
		// A loopback redirect registered without a port matches any port.
		clients[id] = storage.NativeClient(id, "http://127.0.0.1/callback", "http://localhost/callback", "http://[::1]/callback")
	}
	st := storage.NewStorageWithClients(users, clients)
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, fmt.Errorf("identity provider key: %w", err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:             key,
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English},
	}, st, op.StaticIssuer(strings.TrimSuffix(cfg.Issuer, "/")), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("identity provider: %w", err)
	}
	p := &Provider{op: provider, storage: st, log: cfg.Log}
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/username", p.loginPage)
	mux.Handle("POST /login/username", interceptor.HandlerFunc(p.checkLogin))
	p.login = mux
	return p, nil
}

// Handler serves the provider's protocol endpoints (discovery, authorize,
// token, userinfo, keys, revoke, end_session) relative to the issuer's path.
func (p *Provider) Handler() http.Handler { return p.op }

// LoginHandler serves the sign-in page under LoginPrefix.
func (p *Provider) LoginHandler() http.Handler { return p.login }

// ErrInvalidToken is Subject's answer for a token the provider did not
// issue, or one that has expired or was revoked.
var ErrInvalidToken = errors.New("the access token is not valid")

// Subject returns the user id an access token was issued to.
func (p *Provider) Subject(ctx context.Context, accessToken string) (string, error) {
	tokenID, subject, _, ok := op.GetTokenIDAndSubjectFromToken(ctx, p.op, accessToken, oidc.AccessTokenType, false)
	if !ok {
		return "", ErrInvalidToken
	}
	// The storage knows whether the token is still live (expiry, revocation).
	if err := p.storage.SetUserinfoFromToken(ctx, &oidc.UserInfo{}, tokenID, subject, ""); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return subject, nil
}

//go:embed login.html
var pages embed.FS

var loginTmpl = template.Must(template.ParseFS(pages, "login.html"))

type loginData struct {
	ID, Username, Error string
}

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	data := loginData{ID: id}
	if req, err := p.storage.AuthRequestByID(r.Context(), id); err == nil {
		if ar, ok := req.(*storage.AuthRequest); ok && ar.LoginHint != "" {
			data.Username = ar.LoginHint
		}
	}
	p.render(w, http.StatusOK, data)
}

func (p *Provider) checkLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form", http.StatusBadRequest)
		return
	}
	id, username := r.FormValue("id"), strings.TrimSpace(r.FormValue("username"))
	if err := p.storage.CheckUsernamePassword(username, r.FormValue("password"), id); err != nil {
		p.log.Info("identity provider: sign-in refused", "error", err)
		p.render(w, http.StatusUnauthorized, loginData{ID: id, Username: username, Error: "The user name or password is incorrect."})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

func (p *Provider) render(w http.ResponseWriter, status int, data loginData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	if err := loginTmpl.Execute(w, data); err != nil {
		p.log.Warn("identity provider: sign-in page", "error", err)
	}
}

// userStore is the provider's view of the lab's users.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if strings.EqualFold(x.Username, name) {
			return x
		}
	}
	return nil
}

// ExampleClientID names the storage's JWT-profile service user, which the
// lab does not use.
func (u userStore) ExampleClientID() string { return "lab-service" }
