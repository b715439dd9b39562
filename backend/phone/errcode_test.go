package phone

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"voicedesk/backend/platform"
)

// Every sentinel crosses the boundary with a code: rows name the rule.
func TestErrorCodes(t *testing.T) {
	rows := []struct {
		rule string
		err  error
		code string
	}{
		{"a sentinel has its code", ErrNotLoggedIn, "not-logged-in"},
		{"a wrapped sentinel keeps its code (the call id added to the message)", fmt.Errorf("%w (callId %q)", ErrNoSuchCall, "x"), "no-such-call"},
		{"a wrong password is told by its code, not its English", loginError(platform.ErrUnauthorized), "login-bad-credentials"},
		{"an unknown user", loginError(platform.ErrUnknownUser), "login-unknown-user"},
		{"a service out of reach", loginError(errors.New("dial tcp: connection refused")), "login-unreachable"},
		{"an error from elsewhere has none", errors.New("disk full"), ""},
		{"no error, no code", nil, ""},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			if got := ErrorCode(r.err); got != r.code {
				t.Fatalf("ErrorCode(%v) = %q, want %q", r.err, got, r.code)
			}
		})
	}
}

// The codes are unique and well formed; a code once given is what
// integrations match, so two sentinels must never share one.
func TestErrorCodesAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, e := range declared {
		if strings.Trim(e.code, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || e.code == "" {
			t.Errorf("%q (%s): want lower-case words joined by hyphens", e.code, e.msg)
		}
		if other, dup := seen[e.code]; dup {
			t.Errorf("%q is the code of both %q and %q", e.code, other, e.msg)
		}
		seen[e.code] = e.msg
	}
	if len(seen) < 60 {
		t.Fatalf("%d coded sentinels, want every Err… of the package (60 or more)", len(seen))
	}
}
