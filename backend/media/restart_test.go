package media

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"voicedesk/backend/audio"
)

var ufrag = regexp.MustCompile(`a=ice-ufrag:(\S+)`)

func iceUfrag(t *testing.T, sdp string) string {
	t.Helper()
	m := ufrag.FindStringSubmatch(sdp)
	if m == nil {
		t.Fatalf("no ice-ufrag in\n%s", sdp)
	}
	return m[1]
}

// tone is the dominant frequency of the last second a recorder got.
func lastSecond(r *audio.Recorder) (int, float64) {
	s, rate := r.Samples()
	if rate == 0 || len(s) < rate {
		return 0, 0
	}
	return audio.DominantFrequency(s[len(s)-rate:], rate)
}

// The far end restarts ICE mid-call (a re-INVITE with new credentials, as
// after its network changed): the answer carries new credentials of ours,
// ICE checks again and connects, and the audio goes on both ways.
func TestFarEndRestartsICE(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	us, far := newTestSession(t), newTestSession(t)
	offer, answer := negotiate(t, ctx, us, far, nil)
	ourRec, farRec := &audio.Recorder{}, &audio.Recorder{}
	if err := us.Start(&audio.Tone{Hz: 700}, ourRec); err != nil {
		t.Fatal(err)
	}
	if err := far.Start(&audio.Tone{Hz: 1100}, farRec); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Session{us, far} {
		select {
		case <-s.FirstRTP():
		case <-ctx.Done():
			t.Fatal("no audio before the restart")
		}
	}
	checking := make(chan struct{}, 1)
	us.pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		if st == webrtc.ICEConnectionStateChecking {
			select {
			case checking <- struct{}{}:
			default:
			}
		}
	})

	reoffer, err := far.RestartICE(ctx, "sendrecv")
	if err != nil {
		t.Fatal(err)
	}
	if iceUfrag(t, reoffer) == iceUfrag(t, answer) {
		t.Fatal("the restart offer kept the far end's ICE credentials")
	}
	reanswer, err := us.AnswerReoffer(ctx, reoffer, "sendrecv")
	if err != nil {
		t.Fatalf("answer the ICE restart: %v", err)
	}
	if iceUfrag(t, reanswer) == iceUfrag(t, offer) {
		t.Fatal("our answer to an ICE restart kept our old credentials (RFC 8839 §4.4.1.1.1)")
	}
	if err := far.SetAnswer(reanswer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-checking:
	case <-time.After(5 * time.Second):
		t.Fatal("ICE did not check again after the restart")
	}
	deadline := time.Now().Add(5 * time.Second)
	for us.pc.ICEConnectionState() != webrtc.ICEConnectionStateConnected {
		if time.Now().After(deadline) {
			t.Fatalf("ICE %s 5 s after the restart, want connected", us.pc.ICEConnectionState())
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := us.Stats().PacketsReceived
	time.Sleep(2 * time.Second)
	if got := us.Stats().PacketsReceived - before; got < 50 {
		t.Fatalf("%d packets from the far end in the 2 s after the restart, want about 100", got)
	}
	for _, c := range []struct {
		who  string
		rec  *audio.Recorder
		want int
	}{{"we", ourRec, 1100}, {"the far end", farRec, 700}} {
		hz, share := lastSecond(c.rec)
		t.Logf("after the ICE restart %s hear %d Hz (share %.2f)", c.who, hz, share)
		if hz < c.want-20 || hz > c.want+20 || share < 0.5 {
			t.Fatalf("after the ICE restart %s hear %d Hz (share %.2f), want %d Hz", c.who, hz, share, c.want)
		}
	}
}
