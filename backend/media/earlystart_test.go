package media

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/pion/webrtc/v4"

	"voicedesk/backend/audio"
)

// Answering, we are the controlled agent: the call's media starts on the
// first valid pair, not when the controlling agent gets round to
// nominating one (rtpengine: 80-120 ms after its checks succeed; here a
// far end that waits 3 s). Before, pion selected nothing and started no
// DTLS until the nomination, and the caller heard nothing until then.
func TestAnsweringStartsBeforeTheNomination(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	far, us := newTestSession(t), newTestSession(t)
	// The far end (the offerer, so controlling) nominates no host pair for
	// its first 3 s: pion's acceptance wait, reached as the check interval is.
	const holdOff = 3 * time.Second
	agent, err := iceAgent(far.pc)
	if err != nil {
		t.Fatal(err)
	}
	f := reflect.ValueOf(agent).Elem().FieldByName("hostAcceptanceMinWait")
	if !f.IsValid() {
		t.Fatal("pion's ice.Agent has no hostAcceptanceMinWait field")
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetInt(int64(holdOff))

	// Watched from before the negotiation: we may connect at the far end's
	// first check, while the negotiation is still under way.
	ourICE := make(chan struct{})
	var once sync.Once
	us.pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		if st == webrtc.ICEConnectionStateConnected {
			once.Do(func() { close(ourICE) })
		}
	})
	negotiate(t, ctx, far, us, nil)
	start := time.Now()
	if err := us.Start(&audio.Tone{Hz: 700}, &audio.Recorder{}); err != nil {
		t.Fatal(err)
	}
	if err := far.Start(&audio.Tone{Hz: 1100}, &audio.Recorder{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ourICE:
	case <-ctx.Done():
		t.Fatal("our ICE never connected")
	}
	// The rule: we started while the far end had nominated nothing.
	if st := far.pc.ICEConnectionState(); st == webrtc.ICEConnectionStateConnected {
		t.Fatalf("the far end was already connected (%v after the start) when we were: we waited for its nomination", time.Since(start))
	}
	// And the nomination, when it comes, leaves the call working: the far
	// end hears us.
	select {
	case <-far.FirstPlayed():
	case <-ctx.Done():
		t.Fatal("the far end never played our audio after its nomination")
	}
}
