package media

import (
	"os"
	"strings"
	"testing"
)

const pionOffer = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:0 PCMU/8000/1\r\na=sendrecv\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 60441 typ host\r\na=candidate:1 2 udp 2130706431 127.0.0.1 60441 typ host\r\n"

func TestWithDefaultCandidate(t *testing.T) {
	got, err := withDefaultCandidate(pionOffer)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m=audio 60441 UDP/TLS/RTP/SAVPF 0", "c=IN IP4 127.0.0.1", "a=sendrecv"} {
		if !strings.Contains(got, want) {
			t.Errorf("SDP lacks %q:\n%s", want, got)
		}
	}
	// No candidate: left as it was.
	noCand := strings.Split(pionOffer, "a=candidate")[0]
	got, err = withDefaultCandidate(noCand)
	if err != nil || !strings.Contains(got, "c=IN IP4 0.0.0.0") {
		t.Fatalf("without candidates: %v\n%s", err, got)
	}
	if _, err := withDefaultCandidate("not sdp"); err == nil {
		t.Fatal("garbage accepted")
	}
}

// FuzzWithDefaultCandidate feeds our SDP rewriting with mutations of real
// SDP seen in the lab (pion's offer, rtpengine's answer): it must never
// panic, and whatever it accepts it must write back parseable.
func FuzzWithDefaultCandidate(f *testing.F) {
	f.Add(pionOffer)
	if b, err := os.ReadFile("testdata/rtpengine-answer.sdp"); err == nil {
		f.Add(string(b))
	}
	f.Add("v=0\r\nm=audio 9 RTP/AVP 0\r\na=candidate:x 1 udp 1 ::1 notaport typ host\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := withDefaultCandidate(in)
		if err != nil {
			return
		}
		if _, err := withDefaultCandidate(out); err != nil {
			t.Fatalf("rewritten SDP does not parse: %v\n%q", err, out)
		}
	})
}
