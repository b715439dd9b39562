package phone_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
	"voicedesk/backend/sip"
)

// The reference asks its host to sign out and in again when the phone
// gives its connection up (connection-failed, restart-phone). VoiceDesk
// is that host on every desk, not only a kiosk's.
func TestKeepInService(t *testing.T) {
	tests := []struct {
		rule     string
		remember bool
		// after is what follows restart-phone, in order.
		after    []string
		signedIn bool
	}{
		{"a remembered login signs in again by itself", true,
			[]string{"logged-out", "logged-in"}, true},
		{"without one, the user is signed out and told to sign in again", false,
			[]string{"logged-out", "phone-error:sign-in-again"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			agent, ev := phonetest.NewAgent(), newEvents()
			p := phone.New(phone.Config{NewUserAgent: agent.New(), NewMedia: (&phonetest.Medias{}).New, StatusPoll: -1, PNPSFirst: -1,
				Settings: settings.Open(filepath.Join(t.TempDir(), "s.json")), Secrets: &secrets.Memory{}}, phonetest.Platform{}, ev)
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret", RememberMe: tt.remember}); !ok {
				t.Fatal(err)
			}
			kept, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				p.KeepInService(kept, phone.Recovery{First: time.Millisecond, Max: 4 * time.Millisecond})
			}()
			defer func() { stop(); <-done }()

			if err := agent.Report(ctx, sip.ConnFailed); err != nil {
				t.Fatal(err)
			}
			want := append([]string{"phone-error:connection-failed", "restart-phone"}, tt.after...)
			deadline := time.Now().Add(2 * time.Second)
			var got []string
			for time.Now().Before(deadline) {
				got = ev.from("phone-error:connection-failed")
				if len(got) >= len(want) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			if !slices.Equal(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}
			if st := p.State(); st.LoggedIn != tt.signedIn {
				t.Errorf("signed in: %t, want %t", st.LoggedIn, tt.signedIn)
			}
		})
	}
}
