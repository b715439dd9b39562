package media

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// labOffer is the SDP of an INVITE the lab's rtpengine relayed (captured).
func labOffer(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../sip/testdata/lab-invite.sip")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(raw), "\r\n\r\n")
	if !ok {
		_, body, _ = strings.Cut(string(raw), "\n\n")
	}
	return body
}

func TestCheckOffer(t *testing.T) {
	lab := labOffer(t)
	tests := []struct {
		rule  string
		offer string
		ok    bool
		says  string
	}{
		{"the platform's WebRTC offer is taken", lab, true, ""},
		{"an offer of only G.729 is refused", strings.Replace(strings.Replace(lab, "RTP/SAVPF 96 0 8 101", "RTP/SAVPF 18 101", 1), "a=rtpmap:96 opus/48000/2", "a=rtpmap:18 G729/8000", 1), false, "no codec this phone has (offered: G729)"},
		{"a rejected audio stream (port 0) is refused", strings.Replace(lab, "m=audio 24800", "m=audio 0", 1), false, "port 0"},
		{"no body: an offer in the answer is not supported", "", false, "no session description"},
		{"a plain RTP offer is refused", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n", false, "not DTLS-SRTP with ICE"},
		{"video alone is no call", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 3227 RTP/AVP 31\r\n", false, "no audio stream"},
		{"garbage is not a session description", "v=0\r\nthis is not sdp\r\n", false, "not a session description"},
		{"a static payload type without rtpmap is named", strings.Replace(strings.Replace(lab, "RTP/SAVPF 96 0 8 101", "RTP/SAVPF 0", 1), "a=rtpmap:0 PCMU/8000\r\n", "", 1), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			err := CheckOffer(tt.offer)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckOffer: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrUnusableOffer) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("CheckOffer = %v, want ErrUnusableOffer saying %q", err, tt.says)
			}
		})
	}
}

// FuzzCheckOffer: the offer is the far end's; checking it never panics.
func FuzzCheckOffer(f *testing.F) {
	raw, err := os.ReadFile("../sip/testdata/lab-invite.sip")
	if err == nil {
		_, body, _ := strings.Cut(string(raw), "\r\n\r\n")
		f.Add(body)
	}
	f.Add("v=0\r\nm=audio 0 RTP/AVP 0\r\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, offer string) {
		if err := CheckOffer(offer); err != nil && !errors.Is(err, ErrUnusableOffer) {
			t.Fatalf("CheckOffer(%q) = %v: not ErrUnusableOffer", offer, err)
		}
	})
}
