package sip

import (
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

func parseRequest(t testing.TB, raw []byte) *sip.Request {
	t.Helper()
	msg, err := sip.ParseMessage(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		t.Fatalf("not a request: %T", msg)
	}
	return req
}

func labInvite(t testing.TB) []byte {
	raw, err := os.ReadFile("testdata/lab-invite.sip")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// withHeaders puts extra header lines into the lab's INVITE, after its From.
func withHeaders(t testing.TB, from string, extra ...string) []byte {
	raw := string(labInvite(t))
	i := strings.Index(raw, "From: ")
	j := i + strings.Index(raw[i:], "\r\n") + 2
	head := raw[:i] + "From: " + from + "\r\n"
	for _, h := range extra {
		head += h + "\r\n"
	}
	return []byte(head + raw[j:])
}

func TestCallerIdentity(t *testing.T) {
	for _, tc := range []struct {
		name, from   string
		extra        []string
		number, disp string
	}{
		{"the lab's INVITE", "<sip:caller@voicedesk.lab>;tag=1", nil, "caller", ""},
		{"display name", `"Maija Meikäläinen" <sip:+358401234567@pbx>;tag=1`, nil, "+358401234567", "Maija Meikäläinen"},
		{"P-Asserted-Identity wins over the trunk in From", `"Trunk" <sip:trunk@pbx>;tag=1`,
			[]string{`P-Asserted-Identity: "Customer" <sip:+358409876543@pbx>`}, "+358409876543", "Customer"},
		{"tel: identity", "<sip:trunk@pbx>;tag=1", []string{"P-Asserted-Identity: <tel:+35891234567>"}, "+35891234567", ""},
		{"first of two identities", "<sip:trunk@pbx>;tag=1",
			[]string{"P-Asserted-Identity: <sip:+3585011@pbx>, <tel:+3585022>"}, "+3585011", ""},
		{"unparseable P-Asserted-Identity falls back to From", `"Bob" <sip:bob@pbx>;tag=1`,
			[]string{"P-Asserted-Identity: <<<"}, "bob", "Bob"},
		{"percent-escaped user", "<sip:%2B358401@pbx>;tag=1", nil, "+358401", ""},
		{"bidi override and control characters removed", "\"Eve\u202e\u0007 Admin\" <sip:eve@pbx>;tag=1", nil, "eve", "Eve Admin"},
		{"long name cut", `"` + strings.Repeat("x", 500) + `" <sip:x@pbx>;tag=1`, nil, "x", strings.Repeat("x", maxNameLen)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := parseRequest(t, withHeaders(t, tc.from, tc.extra...))
			number, name := callerIdentity(req)
			if number != tc.number || name != tc.disp {
				t.Fatalf("callerIdentity = %q, %q; want %q, %q", number, name, tc.number, tc.disp)
			}
		})
	}
}

// FuzzCallerIdentity feeds SIP messages, seeded with an INVITE captured from
// the lab (baresip through Kamailio), to what the phone shows of a caller:
// whatever arrives, the number and name are clean and bounded.
func FuzzCallerIdentity(f *testing.F) {
	f.Add(labInvite(f))
	f.Add(withHeaders(f, `"Trunk" <sip:trunk@pbx>;tag=1`, `P-Asserted-Identity: "C" <tel:+358401>, <sip:x@y>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := sip.ParseMessage(raw)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		number, name := callerIdentity(req)
		for _, s := range []struct {
			v   string
			max int
		}{{number, maxNumberLen}, {name, maxNameLen}} {
			if !utf8.ValidString(s.v) || utf8.RuneCountInString(s.v) > s.max {
				t.Fatalf("unclean or too long: %q", s.v)
			}
			for _, r := range s.v {
				if unicode.IsControl(r) || isBidiControl(r) {
					t.Fatalf("control character %U in %q", r, s.v)
				}
			}
		}
	})
}

// The platform's call id becomes the reference's callId, a map key and a
// URL part: only a plain token of at most 64 characters is taken.
func TestValidCallID(t *testing.T) {
	for _, tc := range []struct {
		rule string
		id   string
		want bool
	}{
		{"the reference's example is taken", "ahmh78im1qstcilmif6n", true},
		{"a FreeSWITCH UUID is taken", "5d0c1e2a-77f8-4b8e-9c1a-0f3e2d1c4b5a", true},
		{"an empty id is none", "", false},
		{"over 64 characters is refused", strings.Repeat("a", 65), false},
		{"64 characters are taken", strings.Repeat("a", 64), true},
		{"a slash (a URL's path) is refused", "a/b", false},
		{"white space is refused", "a b", false},
		{"markup is refused", "<b>", false},
		{"non-ASCII letters are refused", "äö", false},
	} {
		if got := ValidCallID(tc.id); got != tc.want {
			t.Errorf("%s: ValidCallID(%q) = %v", tc.rule, tc.id, got)
		}
	}
}

// The wrap-up time (the reference's wrapUpDuration, "in seconds") is
// taken only as a plain number of seconds.
func TestWrapUpHeader(t *testing.T) {
	for _, tc := range []struct {
		rule, value, want string
	}{
		{"seconds are taken", "60", "60"},
		{"leading zeros are dropped", "030", "30"},
		{"surrounding space is dropped", " 45 ", "45"},
		{"zero is no wrap-up", "0", ""},
		{"a unit is refused", "60s", ""},
		{"a negative time is refused", "-5", ""},
		{"over 99999 s is refused", "100000", ""},
		{"a fraction is refused", "1.5", ""},
	} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "a", Host: "b"})
		req.AppendHeader(sip.NewHeader(HeaderQueueWrapUp, tc.value))
		if got := wrapUpOf(req); got != tc.want {
			t.Errorf("%s: %q read as %q, want %q", tc.rule, tc.value, got, tc.want)
		}
	}
}
