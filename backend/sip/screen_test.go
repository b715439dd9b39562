package sip

import (
	"log/slog"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestUnfold(t *testing.T) {
	tests := []struct{ rule, in, want string }{
		{"a message without folding or spaced parameters is the same bytes",
			"OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>;tag=1\r\n\r\nbody ; = x", "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>;tag=1\r\n\r\nbody ; = x"},
		{"a continuation line joins its header with one space",
			"X\r\nSubject: a\r\n  b\r\n\r\n", "X\r\nSubject: a b\r\n\r\n"},
		{"a tab continues a line too", "X\r\nCSeq: 9\r\n\tINVITE\r\n\r\n", "X\r\nCSeq: 9 INVITE\r\n\r\n"},
		{"spaces around a To's ; and = go", "X\r\nTO : <sip:a@b> ;  tag =  1\r\n\r\n", "X\r\nTO : <sip:a@b>;tag=1\r\n\r\n"},
		{"a quoted display name keeps its spaces", "X\r\nFrom: \"a ; b = c\" <sip:a@b> ; tag = 2\r\n\r\n", "X\r\nFrom: \"a ; b = c\" <sip:a@b>;tag=2\r\n\r\n"},
		{"other headers keep their spaces", "X\r\nSubject: a ; b\r\nTo: <sip:a@b> ; tag=1\r\n\r\n", "X\r\nSubject: a ; b\r\nTo: <sip:a@b>;tag=1\r\n\r\n"},
		{"the body is left alone", "X\r\nTo: <sip:a@b> ;tag=1\r\n\r\na=x ; y\r\n z", "X\r\nTo: <sip:a@b>;tag=1\r\n\r\na=x ; y\r\n z"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := string(unfold([]byte(tt.in))); got != tt.want {
				t.Fatalf("unfold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzScreen: what the proxy relays is anyone's; the screen never panics,
// and what it lets through parses.
func FuzzScreen(f *testing.F) {
	f.Add([]byte("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("INVITE sip:a@b SIP/2.0\r\nTO :\r\n sip:a@b ; tag = 1\r\ncseq: 0009\r\n  INVITE\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("\x00\x01 not sip"))
	s := newScreen(slog.New(slog.DiscardHandler))
	p := sip.NewParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := s.filter(sip.TransportReadProps{Transport: "WS"}, data)
		if err != nil {
			t.Fatalf("filter: %v", err)
		}
		if len(out) > 0 {
			if _, err := p.ParseSIP(out); err != nil {
				t.Fatalf("the screen let through what does not parse: %v", err)
			}
		}
	})
}
