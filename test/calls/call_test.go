// Package calls holds the call scenarios against the real lab: the engine
// (sipgo over WebSocket, pion WebRTC media) talks to baresip through
// Kamailio and rtpengine, and the tests check that the audio arrives, by
// its frequency, at both ends.
package calls

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/keep"
	"voicedesk/test/labtest"
)

var lab *labctl.State

func TestMain(m *testing.M) {
	os.Exit(runWithLab(m))
}

func runWithLab(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	labDir, binDir := mustTemp(), mustTemp()
	if os.Getenv("VOICEDESK_KEEP_LAB") == "" {
		defer os.RemoveAll(labDir)
	} else {
		fmt.Fprintln(os.Stderr, "lab kept in", labDir)
	}
	defer os.RemoveAll(binDir)
	st, err := labctl.Up(ctx, labctl.Config{Dir: labDir, LabBinary: labtest.BuildTo(binDir), DieWithCaller: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "lab up:", err)
		return 1
	}
	defer func() {
		_ = labctl.Down(st)
		if err := keep.Copy("calls", "lab", filepath.Join(labDir, "logs"), filepath.Join(labDir, labctl.LedgerFile)); err != nil {
			fmt.Fprintln(os.Stderr, "keep the lab's logs:", err)
		}
	}()
	lab = st
	return m.Run()
}

func mustTemp() string {
	d, err := os.MkdirTemp("", "voicedesk-calls-")
	if err != nil {
		panic(err)
	}
	return d
}

// alice registers the lab's agent Alice over WebSocket.
func alice(t *testing.T) *sip.Agent {
	t.Helper()
	a, err := sip.New(sip.Config{Server: lab.WebSocketURL, User: "alice", Domain: lab.Domain, Password: "alice-sip-7f3a"})
	if err != nil {
		t.Fatal(err)
	}
	// Unregister on the way out so that no stale binding of Alice is forked to.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = a.Unregister(ctx)
		a.Close()
	})
	if err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOutboundCallAudioBothWays(t *testing.T) {
	for _, codecName := range []string{"opus", "PCMU", "PCMA"} {
		t.Run(codecName, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			agent := alice(t)
			sess, err := media.NewSession(media.Config{Codecs: []string{codecName}, LoopbackOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			offer, err := sess.Offer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			call, err := agent.Dial(ctx, lab.Tone.Number, []byte(offer), nil)
			if err != nil {
				t.Fatal(err)
			}
			if os.Getenv("CALL_DEBUG") != "" {
				t.Logf("offer:\n%s\nanswer:\n%s", offer, call.Answer)
			}
			if err := sess.SetAnswer(string(call.Answer)); err != nil {
				t.Fatal(err)
			}
			if sess.Codec() != codecName {
				t.Fatalf("negotiated %q, want %s", sess.Codec(), codecName)
			}
			heard := talk(t, ctx, sess)
			// RTCP flows: the stats count both directions, and (after the far
			// end's first receiver report, sent about every second) an RTT.
			stats := sess.Stats()
			t.Logf("stats: %+v", stats)
			if stats.PacketsSent < 50 || stats.PacketsReceived < 50 {
				t.Errorf("stats after 2 s: %+v, want >= 50 packets each way", stats)
			}
			if stats.PacketsLost != 0 {
				t.Errorf("%d packets lost on loopback", stats.PacketsLost)
			}
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			sess.Close()

			// The engine heard baresip's tone.
			got, rate := heard.Samples()
			// The frequency by one bin; the share by 20 ms blocks, which a
			// jump of the tone's phase (a late packet, a hiccup) costs only
			// a block.
			hz, _ := audio.DominantFrequency(got, rate)
			share := audio.ToneShare(got, rate, lab.Tone.ToneHz)
			t.Logf("engine heard %d Hz (share %.2f) in %.1f s", hz, share, float64(len(got))/float64(max(rate, 1)))
			if abs(hz-lab.Tone.ToneHz) > 5 || share < 0.5 {
				t.Errorf("engine heard %d Hz (share %.2f), want %d Hz", hz, share, lab.Tone.ToneHz)
			}
			// baresip heard the engine's 1000 Hz (its recording closes at hang-up).
			var farHz int
			var farShare float64
			for i := 0; i < 20; i++ {
				time.Sleep(100 * time.Millisecond)
				path, err := labtest.NewestRecording(lab.Tone.Recordings, "dec")
				if err != nil {
					continue
				}
				s, r, err := labtest.ReadWAV(path)
				if err != nil || len(s) < r {
					continue
				}
				farHz, _ = audio.DominantFrequency(s[len(s)/4:], r)
				farShare = audio.ToneShare(s[len(s)/4:], r, 1000)
				break
			}
			t.Logf("baresip heard %d Hz (share %.2f)", farHz, farShare)
			// One line per scenario for "make e2e".
			fmt.Printf("e2e: outbound %s engine->baresip: sent 1000 Hz, baresip heard %d Hz | baresip->engine: sent %d Hz, engine heard %d Hz\n",
				codecName, farHz, lab.Tone.ToneHz, hz)
			if abs(farHz-1000) > 5 || farShare < 0.5 {
				t.Errorf("baresip heard %d Hz (share %.2f), want 1000 Hz", farHz, farShare)
			}
		})
	}
}

func TestCallToUnknownNumberFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	agent := alice(t)
	_, err := agent.Dial(ctx, "+358000000000", []byte("v=0\r\n"), nil)
	var fe *sip.FailureError
	if !errors.As(err, &fe) || fe.Status != 404 {
		t.Fatalf("call to an unknown number: %v, want 404", err)
	}
}

// talk sends a 1000 Hz tone for 2 s once the media has connected and
// returns what it heard meanwhile.
func talk(t *testing.T, ctx context.Context, sess *media.Session) *audio.Recorder {
	t.Helper()
	heard := &audio.Recorder{}
	if err := sess.Start(&audio.Tone{Hz: 1000}, heard); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sess.Connected():
	case <-ctx.Done():
		t.Fatal("media did not connect (ICE/DTLS)")
	}
	time.Sleep(2 * time.Second)
	return heard
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// registeredProbe is the lab's probe SIP account registered over WebSocket,
// a far end the test drives itself; closed when the test ends.
func registeredProbe(t *testing.T, ctx context.Context) *sip.Agent {
	t.Helper()
	probe, err := sip.New(sip.Config{Server: lab.WebSocketURL, User: lab.Probe.Username, Domain: lab.Domain, Password: lab.Probe.Password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { probe.Close() })
	if err := probe.Register(ctx); err != nil {
		t.Fatal(err)
	}
	return probe
}
