package links

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Target
		bad      bool
	}{
		{name: "typed number with spaces", in: " +358 40 123 4567 ", want: Target{Number: "+358401234567"}},
		{name: "typed local number", in: "0401234567", want: Target{Number: "0401234567"}},
		{name: "tel: global, RFC 3966 separators", in: "tel:+1-201-555-0123", want: Target{Number: "+12015550123"}},
		{name: "tel: with dots and brackets", in: "tel:+44.(20).7946.0958", want: Target{Number: "+442079460958"}},
		{name: "tel: percent-encoded spaces", in: "tel:+358%2040%20123", want: Target{Number: "+35840123"}},
		{name: "tel: service code", in: "TEL:*100#", want: Target{Number: "*100#"}},
		{name: "tel: a harmless parameter", in: "tel:+358401234567;tgrp=TG-1", want: Target{Number: "+358401234567"}},
		{name: "tel: extension would reach someone else", in: "tel:+1-201-555-0123;ext=1234", bad: true},
		{name: "tel: local number in a context", in: "tel:7042;phone-context=example.com", bad: true},
		{name: "tel: post-dial digits", in: "tel:+358401234567;postd=pp22", bad: true},
		{name: "tel: a plus inside the number", in: "tel:358+40", bad: true},
		{name: "tel: letters", in: "tel:1-800-FLOWERS", bad: true},
		{name: "tel: no digits", in: "tel:+", bad: true},
		{name: "callto:", in: "callto:+358401234567", want: Target{Number: "+358401234567"}},
		{name: "callto:// (Skype's form)", in: "callto://+358 40 123", want: Target{Number: "+35840123"}},
		{name: "sip: user", in: "sip:bob@voicedesk.lab", want: Target{Number: "bob", Domain: "voicedesk.lab"}},
		{name: "sips: with port and transport", in: "sips:2000@VoiceDesk.LAB:5061;transport=tls", want: Target{Number: "2000", Domain: "voicedesk.lab"}},
		{name: "sip: user=phone is a tel number", in: "sip:+358-40-123@voicedesk.lab;user=phone", want: Target{Number: "+35840123", Domain: "voicedesk.lab"}},
		{name: "sip: headers are not sent", in: "sip:bob@voicedesk.lab?Subject=hi", bad: true},
		{name: "sip: no host", in: "sip:bob", bad: true},
		{name: "sip: odd user", in: "sip:bo%3Cb@voicedesk.lab", bad: true},
		{name: "another scheme", in: "mailto:bob@example.com", bad: true},
		{name: "script", in: "javascript:alert(1)", bad: true},
		{name: "empty", in: "  ", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.bad {
				if !errors.Is(err, ErrNotDialable) {
					t.Fatalf("Parse(%q) = %+v, %v; want ErrNotDialable", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"tel:+1-201-555-0123;ext=1", "sip:bob@x;user=phone", "callto://+3", "+358 40"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err == nil && got.Number == "" {
			t.Fatalf("Parse(%q) gave no number and no error", s)
		}
	})
}
