package media

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pion/sdp/v3"
)

// FuzzRemoteAnswer: the far end's SDP after our offer (its answer) and in
// a re-INVITE of a connected call (a re-offer), seeded with the lab's
// (make fuzz-seeds): whatever comes, no panic, and an answer we give back
// to a re-offer parses.
func FuzzRemoteAnswer(f *testing.F) {
	if b, err := os.ReadFile("testdata/rtpengine-answer.sdp"); err == nil {
		f.Add(string(b))
	}
	f.Add("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n")
	raw, err := os.ReadFile("../sip/testdata/lab-invite.sip")
	if err != nil {
		f.Fatal(err)
	}
	_, offer, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	offer = strings.ReplaceAll(offer, "\n", "\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ours, err := NewSession(Config{LoopbackOnly: true, GatherTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer ours.Close()
		if _, err := ours.Offer(ctx); err != nil {
			t.Fatal(err)
		}
		_ = ours.SetAnswer(in) // an error is the answer refused: fine

		theirs, err := NewSession(Config{LoopbackOnly: true, GatherTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer theirs.Close()
		if _, err := theirs.Answer(ctx, offer); err != nil {
			t.Fatalf("the lab's own offer: %v", err)
		}
		answer, err := theirs.AnswerReoffer(ctx, in, "sendrecv")
		if err != nil {
			return
		}
		var d sdp.SessionDescription
		if err := d.UnmarshalString(answer); err != nil {
			t.Fatalf("our answer to a re-offer does not parse: %v\n%q", err, answer)
		}
	})
}
