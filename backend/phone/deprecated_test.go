package phone_test

import (
	"context"
	"errors"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

// The reference's deprecated login methods resolve a boolean "indicating
// if user was logged in successfully": a failed login is false, while the
// caller's own mistakes still reject.
func TestDeprecatedLoginsResolveFalse(t *testing.T) {
	creds := func(pw string) phone.LoginOptions {
		return phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: pw}
	}
	tests := []struct {
		rule   string
		signIn bool // signed in before
		opts   phone.LoginOptions
		ok     bool
		err    error
	}{
		{"the right password: true", false, creds("secret"), true, nil},
		{"a wrong password: false, not a rejection", false, creds("wrong"), false, nil},
		{"no password is the caller's mistake: rejected", false, creds(""), false, phone.ErrMissingPassword},
		{"already signed in: rejected as login() does", true, creds("secret"), false, phone.ErrAlreadyLoggedIn},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, newEvents())
			defer p.Close()
			ctx := context.Background()
			if tt.signIn {
				if ok, err := p.Login(ctx, creds("secret")); !ok {
					t.Fatal(err)
				}
			}
			ok, err := p.LoginOrFalse(ctx, tt.opts)
			if ok != tt.ok || !errors.Is(err, tt.err) {
				t.Errorf("got %t, %v; want %t, %v", ok, err, tt.ok, tt.err)
			}
		})
	}
}

// loginUsingSSO: "If SSO authentication is not set to the user, returned
// boolean will be false" (phonetest's silo has no identity provider).
func TestLoginUsingSSOWithoutSSOIsFalse(t *testing.T) {
	p := phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, newEvents())
	defer p.Close()
	ok, err := p.LoginUsingSSO(context.Background(), "agent@lab", "")
	if ok || err != nil {
		t.Errorf("got %t, %v; want false and no error", ok, err)
	}
	if p.State().LoggedIn {
		t.Error("signed in")
	}
}

// startCallSupervision checks "signed in" before its argument, as the
// reference orders its checks.
func TestSupervisionChecksTheLoginFirst(t *testing.T) {
	p := phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, newEvents())
	defer p.Close()
	if _, err := p.StartCallSupervision(context.Background(), ""); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("signed out, no target: %v, want ErrNotLoggedIn first", err)
	}
}
