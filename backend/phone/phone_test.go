package phone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
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
	deny     bool // Call answers 401
	meFails  int  // Me fails this many more times as an unreachable platform would
	meCalls  int
	status   platform.UserStatus
	lastCall string // method and path of the last Call
}

func (f *fakePlatform) Directory(context.Context, *platform.Session, platform.DirectoryQuery) (platform.DirectoryPage, error) {
	return platform.DirectoryPage{}, errors.New("fake: no directory")
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
	return platform.RestoreSession("http://127.0.0.1:1/", u, "id-1", "secret-key-of-"+u)
}

func (f *fakePlatform) NewSDKToken(context.Context, *platform.Session) (platform.SDKToken, error) {
	return platform.SDKToken{}, errors.New("no SDK tokens in unit tests")
}

func (f *fakePlatform) SIPSettings(context.Context, *platform.Session) (platform.SIPSettings, error) {
	return platform.SIPSettings{}, errors.New("no SIP in unit tests")
}

func (f *fakePlatform) Me(context.Context, *platform.Session) (platform.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.meCalls++
	if f.deny {
		return platform.User{}, fmt.Errorf("%w: HTTP 401", platform.ErrDenied)
	}
	if f.meFails > 0 {
		f.meFails--
		return platform.User{}, errors.New("dial tcp 127.0.0.1:1: connect: network is unreachable")
	}
	return platform.User{ID: "id-1", Username: "alice@x", DisplayName: "Alice"}, nil
}

func (f *fakePlatform) Roles(context.Context, *platform.Session) ([]platform.UserRole, error) {
	return nil, platform.ErrNotV2
}

func (f *fakePlatform) FollowEvents(context.Context, *platform.Session, func(), func(platform.Event)) error {
	return platform.ErrNoEventChannel
}

func (f *fakePlatform) CurrentRole(context.Context, *platform.Session) (platform.UserRole, error) {
	return platform.UserRole{}, platform.ErrNotV2
}

func (f *fakePlatform) SetCurrentRole(context.Context, *platform.Session, string, string) (platform.UserRole, error) {
	return platform.UserRole{}, platform.ErrNotV2
}

func (f *fakePlatform) Status(context.Context, *platform.Session) (platform.UserStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, nil
}

func (f *fakePlatform) SetStatus(_ context.Context, _ *platform.Session, id int, note string) (platform.UserStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = platform.UserStatus{EventTypeID: id, Note: note, ID: fmt.Sprint("ev-", id)}
	return f.status, nil
}

func (f *fakePlatform) Call(_ context.Context, s *platform.Session, method, path string, _, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastCall = method + " " + path
	if f.deny {
		return fmt.Errorf("%w: HTTP 401", platform.ErrDenied)
	}
	*(out.(*any)) = map[string]any{"ok": true}
	return nil
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
		{"another silo signs in to the user's own (the reference: 'if possible')", LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw", SiloName: "Other"}, true, "", nil},
		{"SSO for a user without an identity provider", LoginOptions{Type: LoginSSO, Username: "alice@x"}, false, ErrSSONotEnabled.Error(), ErrSSONotEnabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			// No availability poll: its first read would race the events checked here.
			p := New(Config{NoSIP: true, StatusPoll: -1, DiscoveryURL: "http://127.0.0.1:9/api/user/"}, &fakePlatform{password: "pw"}, rec)
			defer p.Close()
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
	defer p.Close()
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
	defer p.Close()
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
	defer p.Close()
	for _, l := range []string{"en", "es", "sv", "nl", "fi"} {
		if err := p.SetPhoneLanguage(l); err != nil {
			t.Errorf("SetPhoneLanguage(%q) = %v", l, err)
		}
	}
	for _, l := range []string{"", "de", "english", "FI", " sv"} { // the reference's codes, as written
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
	defer p.Close()
	if err := p.SetPhoneLanguage("sv"); err != nil {
		t.Fatal(err)
	}
	_ = p.SetPhoneLanguage("xx") // rejected: must not be saved
	got, err := store.Load()
	if err != nil || got.Language != "sv" {
		t.Fatalf("saved settings = %+v, %v; want language sv", got, err)
	}
}

// fakeTimers is the phone's After in tests: it records timers and fires
// them on demand.
type fakeTimers struct {
	mu     sync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ft *fakeTimers) after(d time.Duration, f func()) func() {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	ft.timers = append(ft.timers, t)
	return func() { ft.mu.Lock(); t.stopped = true; ft.mu.Unlock() }
}

// live returns the timers not stopped.
func (ft *fakeTimers) live() []*fakeTimer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var out []*fakeTimer
	for _, t := range ft.timers {
		if !t.stopped {
			out = append(out, t)
		}
	}
	return out
}

func count(names []string, name string) int {
	n := 0
	for _, x := range names {
		if x == name {
			n++
		}
	}
	return n
}

func TestAuthHeaderToken(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	timers := &fakeTimers{}
	rec := &recorder{}
	api := &fakePlatform{}
	p := New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/", Now: clock, After: timers.after}, api, rec)
	defer p.Close()

	if err := p.SetAuthHeader(AuthHeader{Value: "Bearer t", ExpiresIn: 3600}); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("SetAuthHeader before login: %v", err)
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginAuthHeader, Username: "alice@x", UserID: "someone-else",
		AuthHeader: &AuthHeader{Value: "Bearer t", ExpiresIn: 300}}); ok || err == nil {
		t.Fatal("a token of another user was accepted")
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginAuthHeader, Username: "alice@x", UserID: "id-1",
		AuthHeader: &AuthHeader{Value: "Bearer t", ExpiresIn: 300}}); !ok {
		t.Fatalf("AuthHeader login: %v", err)
	}
	live := timers.live()
	if len(live) != 1 || live[0].d != 240*time.Second {
		t.Fatalf("timers %+v, want one at 240 s (60 s before the 300 s expiry)", live)
	}
	live[0].f()
	if n := count(rec.names(), EventAuthTokenExpired); n != 1 {
		t.Fatalf("%d auth-token-expired after the warning, want 1", n)
	}

	// Renewal: validated as login's, and the warning moves.
	for _, tc := range []struct {
		h    AuthHeader
		want error
	}{{AuthHeader{Value: " ", ExpiresIn: 3600}, ErrHeaderValue}, {AuthHeader{Value: "Bearer u", ExpiresIn: 60}, ErrHeaderExpiry}} {
		if err := p.SetAuthHeader(tc.h); !errors.Is(err, tc.want) {
			t.Fatalf("SetAuthHeader(%+v) = %v, want %v", tc.h, err, tc.want)
		}
	}
	if err := p.SetAuthHeader(AuthHeader{Value: "Bearer u", ExpiresIn: 3600}); err != nil {
		t.Fatal(err)
	}
	if live := timers.live(); len(live) != 1 || live[0].d != 3540*time.Second {
		t.Fatalf("after renewal timers %+v, want one at 3540 s", live)
	}

	// Expired: failed requests emit again, at most every 2 s.
	now = now.Add(2 * time.Hour)
	api.deny = true
	before := count(rec.names(), EventAuthTokenExpired)
	for _, step := range []time.Duration{0, time.Second, time.Second, 500 * time.Millisecond} {
		now = now.Add(step)
		if _, err := p.MakeAPICall(ctx, "GET", "users/[me]", nil); !errors.Is(err, platform.ErrDenied) {
			t.Fatalf("MakeAPICall with an expired token: %v", err)
		}
	}
	// At 0 s and at 2 s: two events for four failures in 2.5 s.
	if n := count(rec.names(), EventAuthTokenExpired) - before; n != 2 {
		t.Fatalf("%d auth-token-expired for failed requests, want 2", n)
	}
	p.Logout(true)
	if live := timers.live(); len(live) != 0 {
		t.Fatalf("a token timer outlived the logout: %+v", live)
	}
}

func TestMakeAPICall(t *testing.T) {
	ctx := context.Background()
	api := &fakePlatform{password: "pw"}
	p := New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/"}, api, &recorder{})
	defer p.Close()
	if _, err := p.MakeAPICall(ctx, "GET", "users/[me]", nil); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw"}); !ok {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, wantCall string
		want                   error
	}{
		{"GET", "users/[me]/availability/current", "GET users/id-1/availability/current", nil},
		{"POST", "users/[ME]/x/[Me]", "POST users/id-1/x/id-1", nil},
		{"post", "users/[me]", "", ErrAPIMethod}, // the reference's APICallTypeEnum, as written
		{"PATCH", "users/[me]", "", ErrAPIMethod},
		{"HEAD", "users/[me]", "", ErrAPIMethod},
		{"GET", " ", "", ErrAPIPath},
	} {
		api.lastCall = ""
		out, err := p.MakeAPICall(ctx, tc.method, tc.path, nil)
		if !errors.Is(err, tc.want) || (tc.want == nil && out == nil) {
			t.Fatalf("%s %s: %v, %v; want error %v", tc.method, tc.path, out, err, tc.want)
		}
		if api.lastCall != tc.wantCall {
			t.Fatalf("%s %s sent %q, want %q", tc.method, tc.path, api.lastCall, tc.wantCall)
		}
	}
}

func TestRememberMe(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "settings.json")
	prefs := settings.Open(path)
	keys := &secrets.Memory{}
	api := &fakePlatform{password: "pw"}
	newPhone := func() *Phone {
		return New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/", Settings: prefs, Secrets: keys}, api, &recorder{})
	}

	p := newPhone()
	if _, err := p.Resume(ctx); !errors.Is(err, ErrNothingRemembered) {
		t.Fatalf("Resume with nothing kept: %v", err)
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw", RememberMe: true}); !ok {
		t.Fatal(err)
	}
	if got, _ := keys.Get("alice@x"); got != "secret-key-of-alice@x" {
		t.Fatalf("keyring holds %q", got)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "secret-key") || strings.Contains(string(raw), "pw") {
		t.Fatalf("a secret reached the settings file:\n%s", raw)
	}
	p.Close() // closing the app keeps the login

	p = newPhone()
	if ok, err := p.Resume(ctx); !ok || !p.State().LoggedIn {
		t.Fatalf("Resume: %v, %v", ok, err)
	}
	p.Logout(false) // signing out forgets it
	if _, err := keys.Get("alice@x"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("the secret outlived the logout: %v", err)
	}
	if _, err := p.Resume(ctx); !errors.Is(err, ErrNothingRemembered) {
		t.Fatalf("Resume after logout: %v", err)
	}
	p.Close()

	// A kept login the platform no longer accepts is forgotten.
	p = newPhone()
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw", RememberMe: true}); !ok {
		t.Fatal(err)
	}
	p.Close()
	api.deny = true
	p = newPhone()
	defer p.Close()
	if ok, err := p.Resume(ctx); ok || !errors.Is(err, platform.ErrDenied) {
		t.Fatalf("Resume with a revoked key: %v, %v", ok, err)
	}
	if _, err := keys.Get("alice@x"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatal("a revoked secret was kept")
	}
}

func TestUserStatus(t *testing.T) {
	ctx := context.Background()
	api := &fakePlatform{password: "pw", status: platform.UserStatus{EventTypeID: platform.StatusAvailable, ID: "ev-0"}}
	rec := &recorder{}
	p := New(Config{NoSIP: true, DiscoveryURL: "http://127.0.0.1:9/api/user/", StatusPoll: 5 * time.Millisecond}, api, rec)
	defer p.Close()
	if _, err := p.GetUserStatus(ctx); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	if ok, err := p.Login(ctx, LoginOptions{Type: LoginCredentials, Username: "alice@x", Password: "pw"}); !ok {
		t.Fatal(err)
	}
	waitCount := func(want int) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for count(rec.names(), EventUserStatusChanged) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%d user-status-changed, want %d", count(rec.names(), EventUserStatusChanged), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitCount(1) // the first poll
	time.Sleep(50 * time.Millisecond)
	waitCount(1) // unchanged: polls emit nothing

	// Changed elsewhere (another client, the platform): the poll sees it.
	api.mu.Lock()
	api.status = platform.UserStatus{EventTypeID: platform.StatusDND, ID: "ev-web"}
	api.mu.Unlock()
	waitCount(2)

	if _, err := p.SetUserStatus(ctx, 9, ""); !errors.Is(err, ErrBadStatus) {
		t.Fatalf("SetUserStatus(9): %v", err)
	}
	st, err := p.SetUserStatus(ctx, platform.StatusAway, " lunch ")
	if err != nil || st.Note != "lunch" {
		t.Fatalf("SetUserStatus: %+v, %v", st, err)
	}
	waitCount(3)
	p.Logout(true)
	n := count(rec.names(), EventUserStatusChanged)
	api.mu.Lock()
	api.status = platform.UserStatus{EventTypeID: platform.StatusBusy, ID: "ev-late"}
	api.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	if got := count(rec.names(), EventUserStatusChanged); got != n {
		t.Fatal("the poller outlived the logout")
	}
}

func (f *fakePlatform) SetRecording(context.Context, *platform.Session, string, bool) error {
	return nil
}

func TestSetUserDataLength(t *testing.T) {
	p := New(Config{NoSIP: true}, &fakePlatform{password: "pw"}, &recorder{})
	defer p.Close()
	// The length is JSON.stringify's in the browser: String.length, in
	// UTF-16 code units, of JSON without HTML escaping. {"k":"…"} adds 8.
	for _, tc := range []struct {
		rule  string
		value string
		want  error
	}{
		{"490 characters serialized are under the bound", strings.Repeat("a", 482), nil},
		{"491 characters serialized are not", strings.Repeat("a", 483), ErrUserDataTooLong},
		{"characters, not bytes, are counted (ä is one)", strings.Repeat("ä", 482), nil},
		{"< > & count as themselves, as JSON.stringify writes them (Go would write \u003c)", strings.Repeat("<&>", 160) + "ab", nil},
		{"an emoji counts 2, as String.length does", strings.Repeat("😀", 241), nil},
		{"so 242 emoji (484 units) with the rest are over", strings.Repeat("😀", 242), ErrUserDataTooLong},
	} {
		if _, err := p.SetUserData(map[string]any{"k": tc.value}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}
	// The example: 22 in a browser (36 as Go's json.Marshal counted).
	if n := jsLength(must(serializeLikeJS(map[string]any{"k": "<a&b>", "e": "😀"}))); n != 22 {
		t.Errorf(`{"k":"<a&b>","e":"😀"} measures %d, want 22 as JSON.stringify`, n)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func (f *fakePlatform) DuePNPSQuery(context.Context, *platform.Session, string) (*platform.PNPSQuery, error) {
	return nil, nil
}

func (f *fakePlatform) AnswerPNPS(context.Context, *platform.Session, string, *int, string) error {
	return nil
}

func (f *fakePlatform) StartSupervision(context.Context, *platform.Session, string) error { return nil }
