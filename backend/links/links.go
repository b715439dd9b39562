// Package links turns what a click-to-dial link or the command line hands
// the app (tel:, callto:, sip: and sips: URIs, or a number as typed) into
// the number the phone dials. Visual separators go; anything that would
// change what is dialled if it were dropped (an extension, a local number's
// context, a SIP header) is refused with an error rather than ignored.
package links

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrNotDialable is the error of a link the phone cannot dial as it means.
var ErrNotDialable = errors.New("not a dialable link")

// Target is what a link dials.
type Target struct {
	// Number is the number or SIP user to dial, separators removed.
	Number string
	// Domain is a SIP link's host ("" for tel: and callto: links and plain
	// numbers): the phone dials it only when it is its own platform's.
	Domain string
}

// Parse reads a link or a typed number.
func Parse(raw string) (Target, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Target{}, fmt.Errorf("%w: empty", ErrNotDialable)
	}
	scheme, rest, hasScheme := strings.Cut(s, ":")
	if !hasScheme || strings.ContainsAny(scheme, "+ 0123456789") {
		return phoneNumber(s, raw)
	}
	switch strings.ToLower(scheme) {
	case "tel":
		return tel(rest, raw)
	case "callto":
		// callto:+358401234567 and callto://+358401234567 (Skype's form).
		return phoneNumber(strings.TrimPrefix(rest, "//"), raw)
	case "sip", "sips":
		return sipURI(rest, raw)
	default:
		return Target{}, fmt.Errorf("%w: the %q scheme (tel:, callto:, sip: and sips: are)", ErrNotDialable, scheme)
	}
}

// tel reads RFC 3966's telephone-subscriber: a global number (+...) or a
// local one, with parameters.
func tel(rest, raw string) (Target, error) {
	number, params, _ := strings.Cut(rest, ";")
	for _, p := range strings.Split(params, ";") {
		if p == "" {
			continue
		}
		name, _, _ := strings.Cut(p, "=")
		switch strings.ToLower(name) {
		case "ext", "isub", "phone-context", "postd":
			// Dialling the number without them would reach someone else.
			return Target{}, fmt.Errorf("%w: %q has %q, which VoiceDesk cannot dial", ErrNotDialable, raw, name)
		}
		// Other parameters (isdn-subaddress aside, e.g. a carrier's
		// tags) do not change who answers.
	}
	return phoneNumber(number, raw)
}

// phoneNumber removes RFC 3966's visual separators (and spaces, as typed
// or pasted) from a phone number and checks what is left.
func phoneNumber(s, raw string) (Target, error) {
	s, err := url.PathUnescape(s)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %q: %v", ErrNotDialable, raw, err)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-', r == '.', r == '(', r == ')', r == ' ', r == '\u00a0', r == '\t':
		default:
			return Target{}, fmt.Errorf("%w: %q has %q, which is not part of a phone number", ErrNotDialable, raw, r)
		}
	}
	n := b.String()
	if strings.Trim(n, "+") == "" {
		return Target{}, fmt.Errorf("%w: %q has no digits", ErrNotDialable, raw)
	}
	return Target{Number: n}, nil
}

// sipURI reads sip:user@host;params?headers.
func sipURI(rest, raw string) (Target, error) {
	if strings.Contains(rest, "?") {
		return Target{}, fmt.Errorf("%w: %q carries SIP headers, which VoiceDesk does not send", ErrNotDialable, raw)
	}
	addr, params, _ := strings.Cut(rest, ";")
	user, host, ok := strings.Cut(addr, "@")
	if !ok || user == "" || host == "" {
		return Target{}, fmt.Errorf("%w: %q is not sip:user@host", ErrNotDialable, raw)
	}
	user, err := url.PathUnescape(user)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %q: %v", ErrNotDialable, raw, err)
	}
	host = strings.ToLower(host)
	if h, _, found := strings.Cut(host, ":"); found {
		host = h // the port is the platform's business
	}
	phone := false
	for _, p := range strings.Split(params, ";") {
		if strings.EqualFold(p, "user=phone") {
			phone = true
		}
	}
	if phone {
		t, err := tel(user, raw)
		t.Domain = host
		return t, err
	}
	for _, r := range user {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', strings.ContainsRune("+*#.-_", r):
		default:
			return Target{}, fmt.Errorf("%w: %q has %q in its user part", ErrNotDialable, raw, r)
		}
	}
	return Target{Number: user, Domain: host}, nil
}
