package media

import (
	"context"
	"regexp"
	"testing"
	"time"

	"voicedesk/backend/audio"
)

var ssrcLines = regexp.MustCompile(`(?m)^a=(ssrc|ssrc-group|msid):.*\r?\n`)

// The far end's answer declares no SSRC (rtpengine's answer for a plain-RTP
// trunk or PSTN gateway carries no a=ssrc, and RFC 8843's MID header is not
// negotiated on audio): its stream is still ours to play. pion refuses such
// a stream by default when it is the offerer ("cannot process early media
// without SDP answer"), and the phone heard nothing on those calls.
func TestAnswerWithoutSSRCIsHeard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	us, far := newTestSession(t), newTestSession(t)
	stripped := false
	negotiate(t, ctx, us, far, func(answer string) string {
		bare := ssrcLines.ReplaceAllString(answer, "")
		stripped = bare != answer
		return bare
	})
	if !stripped {
		t.Fatal("the far end's answer had no a=ssrc to take out")
	}
	heard := &audio.Recorder{}
	if err := us.Start(audio.Silence{}, heard); err != nil {
		t.Fatal(err)
	}
	if err := far.Start(&audio.Tone{Hz: 1100}, &audio.Recorder{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-us.FirstPlayed():
	case <-ctx.Done():
		t.Fatal("nothing of the far end's stream was played: its SSRC, undeclared in the answer, was refused")
	}
	time.Sleep(1200 * time.Millisecond)
	if hz, _ := lastSecond(heard); hz < 1050 || hz > 1150 {
		t.Fatalf("heard %d Hz in the last second, want the far end's 1100 Hz", hz)
	}
}
