package phone

import (
	"context"
	"errors"
	"sync"
	"testing"

	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
)

func TestLoginOptionsValidate(t *testing.T) {
	good := &AuthHeader{Value: "Bearer x", ExpiresIn: 3600}
	tests := []struct {
		rule string
		opts LoginOptions
		want error
	}{
		{"type is required", LoginOptions{Username: "a"}, ErrMissingType},
		{"type must be one of LoginTypeEnum", LoginOptions{Type: "Kerberos", Username: "a"}, ErrUnknownType},
		{"type is case-sensitive as in the enum", LoginOptions{Type: "credentials", Username: "a", Password: "p"}, ErrUnknownType},
		{"username is required by all login types (Credentials)", LoginOptions{Type: LoginCredentials, Password: "p"}, ErrMissingUsername},
		{"username is required by all login types (SSO)", LoginOptions{Type: LoginSSO, Username: "  "}, ErrMissingUsername},
		{"username is required by all login types (AuthHeader)", LoginOptions{Type: LoginAuthHeader, UserID: "u", AuthHeader: good}, ErrMissingUsername},
		{"password is required by Credentials", LoginOptions{Type: LoginCredentials, Username: "a"}, ErrMissingPassword},
		{"authHeader is required by AuthHeader", LoginOptions{Type: LoginAuthHeader, Username: "a", UserID: "u"}, ErrMissingHeader},
		{"authHeader.value must hold a token", LoginOptions{Type: LoginAuthHeader, Username: "a", UserID: "u", AuthHeader: &AuthHeader{ExpiresIn: 3600}}, ErrHeaderValue},
		{"expiresIn must be more than 60 (60 is not)", LoginOptions{Type: LoginAuthHeader, Username: "a", UserID: "u", AuthHeader: &AuthHeader{Value: "Bearer x", ExpiresIn: 60}}, ErrHeaderExpiry},
		{"expiresIn must be more than 60 (missing)", LoginOptions{Type: LoginAuthHeader, Username: "a", UserID: "u", AuthHeader: &AuthHeader{Value: "Bearer x"}}, ErrHeaderExpiry},
		{"userId is required by AuthHeader", LoginOptions{Type: LoginAuthHeader, Username: "a", AuthHeader: good}, ErrMissingUserID},
		{"valid Credentials", LoginOptions{Type: LoginCredentials, Username: "a", Password: "p"}, nil},
		{"valid AuthHeader with expiresIn 61", LoginOptions{Type: LoginAuthHeader, Username: "a", UserID: "u", AuthHeader: &AuthHeader{Value: "Bearer x", ExpiresIn: 61}}, nil},
		{"valid SSO needs only the username", LoginOptions{Type: LoginSSO, Username: "a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if err := tt.opts.Validate(); !errors.Is(err, tt.want) {
				t.Fatalf("Validate() = %v, want %v", err, tt.want)
			}
		})
	}
}

// fakePlatform is a unit-test stand-in; the real API is exercised against
// the lab's server in backend/platform and in the lab smoke test.
type fakePlatform struct {
	mu       sync.Mutex
	calls    int
	block    chan struct{}
	password string
}

func (f *fakePlatform) Discover(ctx context.Context, _, username string) ([]platform.Silo, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.block != nil {
		<-f.block
	}
	if username != "alice@x" {
		return nil, platform.ErrUnknownUser
	}
	return []platform.Silo{{SiloName: "S1", APIEndpoint: "http://127.0.0.1:1/"}}, nil
}

func (f *fakePlatform) LoginCredentials(_ context.Context, _ platform.Silo, u, p string) (*platform.Session, error) {
	if p != f.password {
		return nil, platform.ErrUnauthorized
	}
	return &platform.Session{Username: u, UserID: "id-1"}, nil
}

func (f *fakePlatform) SIPSettings(context.Context, *platform.Session) (platform.SIPSettings, error) {
	return platform.SIPSettings{}, errors.New("no SIP in unit tests")
}

func (f *fakePlatform) Me(context.Context, *platform.Session) (platform.User, error) {
	return platform.User{ID: "id-1", Username: "alice@x", DisplayName: "Alice"}, nil
}

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Emit(name string, _ any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, name)
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func TestLoginFlow(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		opts      LoginOptions
		wantOK    bool
		wantMsg   string
		wantCause error
	}{
		{"right password", LoginOptions{Type: LoginCredentials, Username: " alice@x ", Password: "pw"}, true, "", nil},
		{"wrong password", LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "bad"}, false, "Login failed: username or password is incorrect", platform.ErrUnauthorized},
		{"unknown user", LoginOptions{Type: LoginCredentials, Username: "bob@x", Password: "pw"}, false, "Login failed: user was not found", platform.ErrUnknownUser},
		{"silo mismatch", LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw", SiloName: "Other"}, false, "Login failed: the user does not belong to the given silo", platform.ErrSiloNotFound},
		{"SSO is not in this version", LoginOptions{Type: LoginSSO, Username: "alice@x"}, false, "", ErrTypeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			p := New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/"}, &fakePlatform{password: "pw"}, rec)
			ok, err := p.Login(ctx, tt.opts)
			if ok != tt.wantOK {
				t.Fatalf("Login ok = %v (err %v), want %v", ok, err, tt.wantOK)
			}
			if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
				t.Fatalf("Login err = %v, want %q", err, tt.wantMsg)
			}
			if tt.wantCause != nil && !errors.Is(err, tt.wantCause) {
				t.Fatalf("Login err = %v, want cause %v", err, tt.wantCause)
			}
			st := p.State()
			if st.LoggedIn != tt.wantOK {
				t.Fatalf("State().LoggedIn = %v", st.LoggedIn)
			}
			ev := rec.names()
			if tt.wantOK && (len(ev) != 1 || ev[0] != EventLoggedIn) {
				t.Fatalf("events = %v, want [logged-in]", ev)
			}
			if !tt.wantOK && len(ev) != 0 {
				t.Fatalf("events = %v, want none", ev)
			}
		})
	}
}

func TestLoginTwiceRejects(t *testing.T) {
	ctx := context.Background()
	p := New(Config{NoSIP: true}, &fakePlatform{password: "pw"}, &recorder{})
	opts := LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw"}
	if ok, err := p.Login(ctx, opts); !ok {
		t.Fatal(err)
	}
	if _, err := p.Login(ctx, opts); !errors.Is(err, ErrAlreadyLoggedIn) {
		t.Fatalf("second Login err = %v, want ErrAlreadyLoggedIn", err)
	}
	p.Logout(false)
	if p.State().LoggedIn {
		t.Fatal("still logged in after Logout")
	}
	if ok, err := p.Login(ctx, opts); !ok {
		t.Fatalf("Login after Logout: %v", err)
	}
}

func TestConcurrentLoginRejectsSecond(t *testing.T) {
	fp := &fakePlatform{password: "pw", block: make(chan struct{})}
	p := New(Config{NoSIP: true}, fp, &recorder{})
	opts := LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw"}
	done := make(chan error, 1)
	go func() { _, err := p.Login(context.Background(), opts); done <- err }()
	// Wait until the first login is inside Discover.
	for {
		fp.mu.Lock()
		n := fp.calls
		fp.mu.Unlock()
		if n == 1 {
			break
		}
	}
	if _, err := p.Login(context.Background(), opts); !errors.Is(err, ErrAlreadyLoggedIn) {
		t.Fatalf("concurrent Login err = %v, want ErrAlreadyLoggedIn", err)
	}
	close(fp.block)
	if err := <-done; err != nil {
		t.Fatalf("first Login: %v", err)
	}
}

func TestSetters(t *testing.T) {
	p := New(Config{NoSIP: true}, &fakePlatform{}, &recorder{})
	for _, l := range []string{"en", "es", "fi", "sv", "nl", "FI"} {
		if err := p.SetPhoneLanguage(l); err != nil {
			t.Errorf("SetPhoneLanguage(%q) = %v", l, err)
		}
	}
	for _, l := range []string{"", "de", "english"} {
		if err := p.SetPhoneLanguage(l); !errors.Is(err, ErrUnsupportedLanguage) {
			t.Errorf("SetPhoneLanguage(%q) = %v, want ErrUnsupportedLanguage", l, err)
		}
	}
	if p.Language() != "fi" {
		t.Errorf("Language() = %q after rejected changes, want fi", p.Language())
	}
	for _, u := range []string{"", "ftp://x/", "discover.example.com/api/user/", "http://"} {
		if _, err := p.SetDiscoveryURL(u); !errors.Is(err, ErrBadDiscoveryURL) {
			t.Errorf("SetDiscoveryURL(%q) = %v, want ErrBadDiscoveryURL", u, err)
		}
	}
	if ok, err := p.SetDiscoveryURL("http://127.0.0.1:8080/api/user/"); !ok || err != nil {
		t.Errorf("SetDiscoveryURL(valid) = %v, %v", ok, err)
	}
}

func TestLanguagePersists(t *testing.T) {
	store := settings.Open(t.TempDir() + "/settings.json")
	p := New(Config{NoSIP: true, Settings: store}, &fakePlatform{}, &recorder{})
	if err := p.SetPhoneLanguage("sv"); err != nil {
		t.Fatal(err)
	}
	_ = p.SetPhoneLanguage("xx") // rejected: must not be saved
	got, err := store.Load()
	if err != nil || got.Language != "sv" {
		t.Fatalf("saved settings = %+v, %v; want language sv", got, err)
	}
}
