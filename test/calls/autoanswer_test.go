package calls

import (
	"context"
	"fmt"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// Auto-answer through the lab, a row per mode: the caller is the lab's
// baresip (a direct or a queue call), or a SIP agent of the test's that
// asks for it (Call-Info answer-after, as a PBX's intercom does). Where the
// call is answered by itself, it rang first for the delay and the caller
// then hears Alice's microphone (1000 Hz); where it is not, it is still
// ringing well after the delay.
func TestAutoAnswerThroughTheLab(t *testing.T) {
	rows := []struct {
		rule    string
		set     phone.AutoAnswer
		dial    func(t *testing.T, ctx context.Context) func() // returns what hangs the caller up
		answers bool
		wait    time.Duration // the delay the call should ring for
	}{
		{"all: a direct call is answered after its delay", phone.AutoAnswer{Mode: phone.AutoAnswerAll, DelaySeconds: 2}, callerDialsAlice, true, 2 * time.Second},
		{"queue: a queue call is answered", phone.AutoAnswer{Mode: phone.AutoAnswerQueue, DelaySeconds: 1}, callerDialsSales, true, time.Second},
		{"queue: a direct call is left to the agent", phone.AutoAnswer{Mode: phone.AutoAnswerQueue, DelaySeconds: 1}, callerDialsAlice, false, time.Second},
		{"requested: a call that asks is answered after the delay it asks for", phone.AutoAnswer{Mode: phone.AutoAnswerRequested, DelaySeconds: 9}, intercomDials(1), true, time.Second},
		{"requested: a call that does not ask is left to the agent", phone.AutoAnswer{Mode: phone.AutoAnswerRequested}, callerDialsAlice, false, time.Second},
		{"off: nothing is answered", phone.AutoAnswer{Mode: phone.AutoAnswerOff}, callerDialsSales, false, time.Second},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			ev := newEvents()
			p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1,
				Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, &audio.Recorder{} }},
				platform.New(platform.Config{}), ev)
			defer p.Close()
			if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
				t.Fatalf("login: %v", err)
			}
			ev.wait(t, ctx, phone.EventLoggedIn)
			if err := p.SetAutoAnswer(r.set); err != nil {
				t.Fatal(err)
			}
			hangup := r.dial(t, ctx)
			in := ev.wait(t, ctx, phone.EventCallIncoming).call
			rang := time.Now()
			if !r.answers {
				// Still ringing well past the delay; then rejected by the agent.
				time.Sleep(r.wait + 1500*time.Millisecond)
				for _, n := range ev.names() {
					if n == phone.EventCallAnswered {
						t.Fatalf("answered by itself: %v", ev.names())
					}
				}
				if err := p.RejectCall(in.CallID); err != nil {
					t.Fatal(err)
				}
				ev.wait(t, ctx, phone.EventCallEnded)
				hangup()
				fmt.Printf("e2e: auto-answer %s: left ringing %v, then rejected\n", r.set.Mode, r.wait+1500*time.Millisecond)
				return
			}
			ev.wait(t, ctx, phone.EventCallAnswered)
			after := time.Since(rang)
			if after < r.wait-200*time.Millisecond {
				t.Errorf("answered %v after it rang, want the %v delay first", after, r.wait)
			}
			time.Sleep(2 * time.Second) // the caller hears Alice
			if err := p.EndCall(in.CallID); err != nil {
				t.Fatal(err)
			}
			ev.wait(t, ctx, phone.EventCallEnded)
			hz, share := heardBy(t, hangup)
			t.Logf("answered %v after it rang; the caller heard %d Hz (share %.2f)", after.Round(10*time.Millisecond), hz, share)
			if abs(hz-1000) > 5 || share < 0.5 {
				t.Errorf("the caller heard %d Hz (share %.2f), want Alice's microphone (1000 Hz)", hz, share)
			}
			fmt.Printf("e2e: auto-answer %s: answered %v after it rang; the caller heard the microphone (%d Hz)\n",
				r.set.Mode, after.Round(10*time.Millisecond), hz)
		})
	}
}

// heardBy: what the caller heard. hangup returns nothing for baresip
// (its recording is read from the lab) and the test agent's own recorder
// otherwise; both report here through the last heard recording.
var lastHeard func() ([]int16, int)

func heardBy(t *testing.T, hangup func()) (int, float64) {
	t.Helper()
	hangup()
	s, rate := lastHeard()
	if len(s) < rate/2 {
		return 0, 0
	}
	hz, _ := audio.DominantFrequency(s, rate)
	return hz, audio.ToneShare(s, rate, 1000)
}

// callerDialsAlice and callerDialsSales: the lab's baresip calls Alice
// directly, or the Sales queue, whose proxy routes it to Alice as a
// service call.
func callerDialsAlice(t *testing.T, ctx context.Context) func() {
	return callerDialsURI(t, ctx, "sip:alice@"+lab.Domain)
}

func callerDialsSales(t *testing.T, ctx context.Context) func() {
	return callerDialsURI(t, ctx, "sip:+358201000100@"+lab.Domain)
}

func callerDialsURI(t *testing.T, ctx context.Context, uri string) func() {
	t.Helper()
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", uri); err != nil {
		t.Fatal(err)
	}
	lastHeard = func() ([]int16, int) {
		for i := 0; i < 30; i++ {
			time.Sleep(100 * time.Millisecond)
			path, err := labtest.NewestRecording(lab.Caller.Recordings, "dec")
			if err != nil {
				continue
			}
			s, r, err := labtest.ReadWAV(path)
			if err == nil && len(s) >= r {
				return s[len(s)/4:], r
			}
		}
		return nil, 1
	}
	return func() { callerIdle(t, ctx) }
}

// intercomDials: a SIP agent of the test's (the lab's probe account) calls
// Alice asking to be answered after the given seconds, as a PBX's intercom
// or paging call does.
func intercomDials(after int) func(t *testing.T, ctx context.Context) func() {
	return func(t *testing.T, ctx context.Context) func() {
		t.Helper()
		a, err := sip.New(sip.Config{Server: lab.WebSocketURL, User: lab.Probe.Username, Domain: lab.Domain, Password: lab.Probe.Password, DisplayName: "Intercom"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Register(ctx); err != nil {
			t.Fatal(err)
		}
		sess, err := media.NewSession(media.Config{LoopbackOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		offer, err := sess.Offer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		heard := &audio.Recorder{}
		type dialed struct {
			call *sip.Call
			err  error
		}
		done := make(chan dialed, 1)
		go func() {
			c, err := a.DialWithHooks(ctx, "alice", []byte(offer), sip.DialHooks{
				Headers: []sip.Header{{Name: "Call-Info", Value: fmt.Sprintf("<sip:%s>;answer-after=%d", lab.Domain, after)}}})
			if err == nil {
				if err = sess.SetAnswer(string(c.Answer)); err == nil {
					err = sess.Start(&audio.Silence{}, heard)
				}
			}
			done <- dialed{c, err}
		}()
		lastHeard = func() ([]int16, int) {
			s, r := heard.Samples()
			if len(s) > r {
				return s[r/2:], r // from half a second in
			}
			return s, max(r, 1)
		}
		return func() {
			select {
			case d := <-done:
				if d.err == nil {
					_ = d.call.Hangup(context.Background())
				}
			case <-time.After(5 * time.Second):
			}
			sess.Close()
			_ = a.Unregister(context.Background())
			a.Close()
		}
	}
}
