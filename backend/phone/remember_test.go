package phone_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
)

// lockedKeyring is an OS keyring that refuses everything (locked, or no
// Secret Service on the session bus).
type lockedKeyring struct{}

var errLocked = errors.New("the collection is locked")

func (lockedKeyring) Set(string, string) error   { return errLocked }
func (lockedKeyring) Get(string) (string, error) { return "", errLocked }
func (lockedKeyring) Delete(string) error        { return errLocked }

var _ secrets.Store = lockedKeyring{}

// TestRememberMeWithoutAKeyring: "remember me" with no way to keep the
// login signs in all the same and tells the user it was not kept
// (phone-error not-remembered); with one, nothing is said.
func TestRememberMeWithoutAKeyring(t *testing.T) {
	unwritable := func(t *testing.T) *settings.Store {
		blocker := filepath.Join(t.TempDir(), "VoiceDesk")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		return settings.Open(filepath.Join(blocker, "settings.json"))
	}
	rows := []struct {
		rule   string
		keys   secrets.Store
		prefs  func(*testing.T) *settings.Store
		told   bool
		resume bool // the next start signs in by itself
	}{
		{"a keyring that takes it: remembered, nothing said", &secrets.Memory{}, nil, false, true},
		{"a locked or absent keyring: signed in, told it was not kept", lockedKeyring{}, nil, true, false},
		{"an unwritable settings folder: signed in, told it was not kept", &secrets.Memory{}, unwritable, true, false},
	}
	for _, row := range rows {
		t.Run(row.rule, func(t *testing.T) {
			prefs := settings.Open(filepath.Join(t.TempDir(), "s.json"))
			if row.prefs != nil {
				prefs = row.prefs(t)
			}
			ev := newEvents()
			p := phone.New(phone.Config{NewUserAgent: phonetest.NewAgent().New(), NewMedia: (&phonetest.Medias{}).New, StatusPoll: -1, PNPSFirst: -1,
				Settings: prefs, Secrets: row.keys}, phonetest.Platform{}, ev)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret", RememberMe: true}); !ok {
				t.Fatalf("login: %v", err)
			}
			told := ev.from("phone-error:"+phone.ErrorNotRemembered) != nil
			if told != row.told {
				t.Fatalf("not-remembered told: %v, want %v", told, row.told)
			}
			p.Close()
			next := phone.New(phone.Config{NewUserAgent: phonetest.NewAgent().New(), NewMedia: (&phonetest.Medias{}).New, StatusPoll: -1, PNPSFirst: -1,
				Settings: prefs, Secrets: row.keys}, phonetest.Platform{}, newEvents())
			defer next.Close()
			ok, _ := next.Resume(ctx)
			if ok != row.resume {
				t.Fatalf("the next start signed in by itself: %v, want %v", ok, row.resume)
			}
		})
	}
}
