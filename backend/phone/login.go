package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// LoginType is the reference's LoginTypeEnum.
type LoginType string

// The login types of the reference.
const (
	LoginCredentials LoginType = "Credentials"
	LoginAuthHeader  LoginType = "AuthHeader"
	LoginSSO         LoginType = "SSO"
)

// AuthHeader is the reference's AuthHeaderInterface.
type AuthHeader struct {
	Value     string  `json:"value"`
	ExpiresIn float64 `json:"expiresIn"`
}

// LoginOrFalse is login for the reference's deprecated login methods, which
// resolve a boolean "indicating if user was logged in successfully": a
// failed login (a wrong password, an unknown user, a refused token, an
// unreachable platform) is false, its reason logged; the caller's own
// mistakes (a missing argument, a login under way or done) still reject.
func (p *Phone) LoginOrFalse(ctx context.Context, o LoginOptions) (bool, error) {
	ok, err := p.Login(ctx, o)
	var failed *LoginError
	if errors.As(err, &failed) {
		p.log.Info("login failed; the deprecated method resolves false", "type", o.Type, "error", err)
		return false, nil
	}
	return ok, err
}

// LoginOptions is the reference's LoginOptionsInterface. The Keycloak object
// of the browser phone has no desktop equivalent: SSO runs in the system
// browser instead.
type LoginOptions struct {
	Type       LoginType   `json:"type"`
	Username   string      `json:"username,omitempty"`
	UserID     string      `json:"userId,omitempty"`
	AuthHeader *AuthHeader `json:"authHeader,omitempty"`
	Password   string      `json:"password,omitempty"`
	IsInIframe bool        `json:"isInIframe,omitempty"`
	SiloName   string      `json:"siloName,omitempty"`
	// RememberMe (a VoiceDesk addition) keeps a Credentials login for a
	// silent sign-in at the next start: the secret key in the OS keyring.
	RememberMe bool `json:"rememberMe,omitempty"`
}

// Errors of login(), worded as the reference describes them: "an error if
// user has already signed in or required data is missing from the options
// object".
var (
	ErrAlreadyLoggedIn = coded("already-logged-in", "User is already logged in")
	ErrNotLoggedIn     = coded("not-logged-in", "User is not logged in")
	ErrMissingType     = coded("missing-type", "Login type is missing. Use 'Credentials', 'AuthHeader' or 'SSO'")
	ErrUnknownType     = coded("unknown-type", "Unsupported login type. Use 'Credentials', 'AuthHeader' or 'SSO'")
	ErrMissingUsername = coded("missing-username", "Username is missing from the login options")
	ErrMissingPassword = coded("missing-password", "Password is missing from the login options. It is required by the Credentials login type")
	ErrMissingHeader   = coded("missing-header", "Authorization header is missing from the login options. It is required by the AuthHeader login type")
	ErrMissingUserID   = coded("missing-user-id", "User id is missing from the login options. It is required by the AuthHeader login type")
	ErrHeaderValue     = coded("header-value", "Authorization header value is missing. It must hold the token type and the token, e.g. 'Bearer <token>'")
	ErrHeaderExpiry    = coded("header-expiry", "Authorization header expiresIn must be more than 60 seconds")
)

// MinTokenLifetime is the reference's lower bound for expiresIn, in seconds:
// auth-token-expired is emitted 60 s before expiry.
const MinTokenLifetime = 60

// Validate checks the options as the reference requires for each type.
func (o LoginOptions) Validate() error {
	switch o.Type {
	case "":
		return ErrMissingType
	case LoginCredentials, LoginAuthHeader, LoginSSO:
	default:
		return fmt.Errorf("%w (got %q)", ErrUnknownType, string(o.Type))
	}
	if strings.TrimSpace(o.Username) == "" {
		return ErrMissingUsername
	}
	switch o.Type {
	case LoginCredentials:
		if o.Password == "" {
			return ErrMissingPassword
		}
	case LoginAuthHeader:
		if o.AuthHeader == nil {
			return ErrMissingHeader
		}
		if strings.TrimSpace(o.AuthHeader.Value) == "" {
			return ErrHeaderValue
		}
		if !(o.AuthHeader.ExpiresIn > MinTokenLifetime) {
			return ErrHeaderExpiry
		}
		if strings.TrimSpace(o.UserID) == "" {
			return ErrMissingUserID
		}
	}
	return nil
}
