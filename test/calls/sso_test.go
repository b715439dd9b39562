package calls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/lab/apiserver"
)

// browser stands in for the system browser: it opens the authorization
// URL, signs in at the lab's identity provider with the form, and follows
// the redirects into the phone's loopback listener.
type browser struct {
	t                  *testing.T
	username, password string
	// pages are the status codes of the pages it ended on, in order.
	pages []int
	// after runs once the browser has done its part (e.g. cancel).
	after func()
}

var formID = regexp.MustCompile(`name="id" value="([^"]+)"`)

func (b *browser) open(authURL string) error {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("code_challenge") == "" {
		b.t.Errorf("authorization URL without PKCE S256: %s", authURL)
	}
	if !strings.HasPrefix(u.Query().Get("redirect_uri"), "http://127.0.0.1:") {
		b.t.Errorf("redirect_uri %q is not a loopback IP literal (RFC 8252 7.3)", u.Query().Get("redirect_uri"))
	}
	res, err := hc.Get(authURL)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	b.pages = append(b.pages, res.StatusCode)
	m := formID.FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		b.t.Logf("identity provider answered %d without a sign-in form:\n%.400s", res.StatusCode, page)
	} else {
		form := url.Values{"id": {string(m[1])}, "username": {b.username}, "password": {b.password}}
		res, err = hc.PostForm(res.Request.URL.ResolveReference(&url.URL{Path: "/login/username"}).String(), form)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		b.pages = append(b.pages, res.StatusCode)
	}
	if b.after != nil {
		b.after()
	}
	return nil
}

func noBrowser(t *testing.T) func(string) error {
	return func(string) error {
		t.Error("the browser was opened; the sign-in should have been silent")
		return errors.New("no browser in this test")
	}
}

// SSO against the lab's OpenID provider: authorization code + PKCE in the
// "browser", the redirect into the loopback listener, the API accepting
// the access token, and the failures a user can meet.
func TestSSOLoginThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	prefs := settings.Open(filepath.Join(dir, "settings.json"))
	keyring := &secrets.Memory{}
	b := &browser{t: t, username: "alice@voicedesk.lab", password: "alice-secret"}
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, OpenBrowser: b.open,
		Settings: prefs, Secrets: keyring, StatusPoll: -1}, platform.New(platform.Config{}), ev)
	defer p.Close()

	t.Run("signed in in the browser, remembered", func(t *testing.T) {
		ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginSSO, Username: "alice@voicedesk.lab", RememberMe: true})
		if !ok {
			t.Fatalf("SSO login: %v (pages %v)", err, b.pages)
		}
		ev.wait(t, ctx, phone.EventLoggedIn)
		if st := p.State(); st.User == nil || st.User.UserID != apiserver.AliceID {
			t.Fatalf("state after SSO login: %+v", st.User)
		}
		// Registered with the SIP settings the SSO session read: a call to
		// the tone phone connects.
		id, err := p.Call(lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallConfirmed)
		if err := p.EndCall(id); err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallEnded)
		// The API takes the access token: the user's own resources answer.
		var me map[string]any
		res, err := p.MakeAPICall(ctx, "GET", "users/[me]", nil)
		if err != nil {
			t.Fatalf("makeAPICall with the SSO token: %v", err)
		}
		me, _ = res.(map[string]any)
		if me["Username"] != "alice@voicedesk.lab" {
			t.Fatalf("users/[me] = %v", res)
		}
		if _, err := p.GetUserStatus(ctx); err != nil {
			t.Fatalf("getUserStatus with the SSO token: %v", err)
		}
	})
	first, err := keyring.Get("alice@voicedesk.lab")
	if err != nil || first == "" {
		t.Fatalf("no refresh token in the keyring after remember me: %v", err)
	}
	st, _ := prefs.Load()
	if st.Remembered == nil || st.Remembered.LoginType != "SSO" || strings.Contains(fmt.Sprint(*st.Remembered), first) {
		t.Fatalf("settings file after SSO remember me: %+v", st.Remembered)
	}

	t.Run("silent sign-in at the next start, refresh token rotated", func(t *testing.T) {
		p.Close() // closing the app keeps the login
		next := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, OpenBrowser: noBrowser(t),
			Settings: prefs, Secrets: keyring, StatusPoll: -1}, platform.New(platform.Config{}), newEvents())
		defer next.Close()
		if ok, err := next.Resume(ctx); !ok {
			t.Fatalf("resume SSO: %v", err)
		}
		if st := next.State(); st.User == nil || st.User.UserID != apiserver.AliceID {
			t.Fatalf("state after resume: %+v", st.User)
		}
		now, _ := keyring.Get("alice@voicedesk.lab")
		if now == first || now == "" {
			t.Fatalf("the keyring kept the used refresh token; the provider rotates them")
		}
		next.Logout(true)
		if _, err := keyring.Get("alice@voicedesk.lab"); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("logout left the refresh token in the keyring: %v", err)
		}
	})

	fresh := func(t *testing.T, b *browser) *phone.Phone {
		q := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true, OpenBrowser: b.open, StatusPoll: -1},
			platform.New(platform.Config{}), newEvents())
		t.Cleanup(q.Close)
		return q
	}
	for _, tc := range []struct {
		rule     string
		login    string
		browser  browser
		clientID string
		want     string
		lastPage int // the status of the last page the browser showed
	}{
		{"a user without modern authentication is told so", "bob@voicedesk.lab", browser{}, "", phone.ErrSSONotEnabled.Error(), 0},
		{"signing in as another user in the browser is refused", "alice@voicedesk.lab",
			browser{username: "sara@voicedesk.lab", password: "sara-secret"}, "", `signed in at the identity provider as "sara@voicedesk.lab", not as "alice@voicedesk.lab"`, http.StatusOK},
		{"a wrong password at the provider leaves the login waiting until cancelled", "alice@voicedesk.lab",
			browser{username: "alice@voicedesk.lab", password: "wrong"}, "", phone.ErrLoginCanceled.Error(), http.StatusUnauthorized},
		{"an unregistered client id is refused by the provider", "alice@voicedesk.lab",
			browser{username: "alice@voicedesk.lab", password: "alice-secret"}, "no-such-client", phone.ErrLoginCanceled.Error(), http.StatusBadRequest},
		{"setClientId picks another registered client", "sara@voicedesk.lab",
			browser{username: "sara@voicedesk.lab", password: "sara-secret"}, "crm-embedding", "", http.StatusOK},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			b := tc.browser
			b.t = t
			q := fresh(t, &b)
			if tc.want == phone.ErrLoginCanceled.Error() {
				b.after = q.CancelLogin
			}
			if tc.clientID != "" {
				if _, err := q.SetClientID(tc.clientID); err != nil {
					t.Fatal(err)
				}
			}
			ok, err := q.Login(ctx, phone.LoginOptions{Type: phone.LoginSSO, Username: tc.login})
			if tc.lastPage != 0 && (len(b.pages) == 0 || b.pages[len(b.pages)-1] != tc.lastPage) {
				t.Errorf("pages shown %v, want the last one %d", b.pages, tc.lastPage)
			}
			if tc.lastPage == 0 && len(b.pages) != 0 {
				t.Errorf("the browser was opened (pages %v)", b.pages)
			}
			if tc.want == "" {
				if !ok {
					t.Fatalf("login: %v", err)
				}
				return
			}
			if ok || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("login = %v, %v; want an error with %q (pages %v)", ok, err, tc.want, b.pages)
			}
			if q.State().LoggedIn {
				t.Fatal("logged in after a failed SSO login")
			}
		})
	}
}
