package calls

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

func ms(v float64) *float64 { return &v }

// segmentRecorder keeps what a sink was given, with the time of each
// write, so that a test can tell what was heard when.
type segmentRecorder struct {
	mu     sync.Mutex
	frames []timedFrame
}

type timedFrame struct {
	at   time.Time
	rate int
	pcm  []int16
}

func (r *segmentRecorder) Write(pcm []int16, rate int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, timedFrame{time.Now(), rate, append([]int16(nil), pcm...)})
	return nil
}

// between returns the samples written between from and to, at the rate
// of the last frame there (a renegotiated codec changes it), and that rate.
func (r *segmentRecorder) between(from, to time.Time) ([]int16, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rate := 0
	for _, f := range r.frames {
		if !f.at.Before(from) && f.at.Before(to) {
			rate = f.rate
		}
	}
	var out []int16
	for _, f := range r.frames {
		if !f.at.Before(from) && f.at.Before(to) && f.rate == rate {
			out = append(out, f.pcm...)
		}
	}
	return out, max(rate, 1)
}

// Mute and hold, by ear: Alice's phone calls Bob's (the engine at both
// ends, through the lab's Kamailio and rtpengine), and what Bob hears is
// checked phase by phase; Bob then holds the call and Alice hears nothing.
func TestMuteAndHoldByEar(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	aliceHeard, bobHeard := &segmentRecorder{}, &segmentRecorder{}
	newPhone := func(tone float64, sink audio.Sink, ev *events) *phone.Phone {
		p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
			Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: tone}, sink }}, platform.New(platform.Config{}), ev)
		t.Cleanup(p.Close)
		return p
	}
	aliceEv, bobEv := newEvents(), newEvents()
	alice, bob := newPhone(1000, aliceHeard, aliceEv), newPhone(700, bobHeard, bobEv)
	if err := alice.MuteCall("x"); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("mute before login: %v", err)
	}
	for _, l := range []struct {
		p        *phone.Phone
		user, pw string
	}{{alice, "alice@voicedesk.lab", "alice-secret"}, {bob, "bob@voicedesk.lab", "bob-secret"}} {
		if ok, err := l.p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: l.user, Password: l.pw}); !ok {
			t.Fatal(err)
		}
	}
	id, err := alice.Call("+358401000002")
	if err != nil {
		t.Fatal(err)
	}
	in := bobEv.wait(t, ctx, phone.EventCallIncoming).call
	if err := bob.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	out := aliceEv.wait(t, ctx, phone.EventCallConfirmed).call
	// callId on the wire (lab/API.md): Alice's phone named its call and
	// sent that name as the SIP Call-ID; the platform named Bob's leg
	// (X-Platform-Call-Id, from the caller's Call-ID) and Bob's phone
	// took that name; both show the SIP Call-ID as sipCallId.
	legID := fmt.Sprintf("%x", md5.Sum([]byte(id)))[:20]
	if out.CallID != id || out.SIPCallID != id {
		t.Errorf("Alice's call: callId %q, sipCallId %q; want both %q (the phone's name is the Call-ID)", out.CallID, out.SIPCallID, id)
	}
	if in.CallID != legID || in.SIPCallID != id {
		t.Errorf("Bob's call: callId %q, sipCallId %q; want the platform's %q and the Call-ID %q", in.CallID, in.SIPCallID, legID, id)
	}

	for _, tc := range []struct {
		rule string
		f    func(string) error
		id   string
		want error
	}{
		{"unmuting a call that is not muted", alice.UnmuteCall, id, phone.ErrNotMuted},
		{"resuming a call that is not on hold", func(id string) error { return alice.ResumeCall(ctx, id) }, id, phone.ErrNotOnHold},
		{"muting an unknown call", alice.MuteCall, "nosuchcall", phone.ErrNoSuchCall},
		{"holding an unknown call", func(id string) error { return alice.PauseCall(ctx, id) }, "nosuchcall", phone.ErrNoSuchCall},
	} {
		if err := tc.f(tc.id); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}

	const phase = 1500 * time.Millisecond
	start := time.Now()
	marks := []time.Time{start}
	next := func() {
		n := len(marks)
		time.Sleep(time.Until(start.Add(time.Duration(n) * phase)))
		marks = append(marks, time.Now())
	}
	next()
	if err := alice.MuteCall(id); err != nil {
		t.Fatal(err)
	}
	aliceEv.wait(t, ctx, phone.EventCallMuted)
	if err := alice.MuteCall(id); !errors.Is(err, phone.ErrAlreadyMuted) {
		t.Errorf("muting twice: %v", err)
	}
	next()
	if err := alice.UnmuteCall(id); err != nil {
		t.Fatal(err)
	}
	aliceEv.wait(t, ctx, phone.EventCallUnmuted)
	next()
	if err := alice.PauseCall(ctx, id); err != nil {
		t.Fatalf("pauseCall: %v", err)
	}
	aliceEv.wait(t, ctx, phone.EventCallPaused)
	if err := alice.PauseCall(ctx, id); !errors.Is(err, phone.ErrAlreadyOnHold) {
		t.Errorf("holding twice: %v", err)
	}
	next()
	if err := alice.ResumeCall(ctx, id); err != nil {
		t.Fatalf("resumeCall: %v", err)
	}
	aliceEv.wait(t, ctx, phone.EventCallResumed)
	next()
	// Bob holds: his re-INVITE (sendonly) is answered by Alice's phone.
	if err := bob.PauseCall(ctx, in.CallID); err != nil {
		t.Fatalf("the far end's hold: %v", err)
	}
	next()
	if err := bob.ResumeCall(ctx, in.CallID); err != nil {
		t.Fatalf("the far end's resume: %v", err)
	}
	next()

	window := func(n int) (time.Time, time.Time) {
		return marks[n].Add(400 * time.Millisecond), marks[n+1].Add(-200 * time.Millisecond)
	}
	for n, want := range []struct {
		what    string
		heard   *segmentRecorder
		hz      int // 0: nothing or silence
		silence bool
	}{
		{"Bob hears Alice", bobHeard, 1000, false},
		{"Bob hears silence while Alice is muted", bobHeard, 0, true},
		{"Bob hears Alice again", bobHeard, 1000, false},
		{"Bob hears nothing while Alice holds", bobHeard, 0, false},
		{"Bob hears Alice after she resumes", bobHeard, 1000, false},
		{"Alice hears nothing while Bob holds", aliceHeard, 0, false},
		{"Alice hears Bob after he resumes", aliceHeard, 700, false},
	} {
		from, to := window(n)
		s, rate := want.heard.between(from, to)
		what := fmt.Sprintf("phase %d: %s", n, want.what)
		switch {
		case want.hz != 0:
			pulse.ExpectTone(t, what, s, rate, want.hz)
		case want.silence:
			if len(s) < rate/2 {
				t.Errorf("%s: %d samples played, want a stream of silence", what, len(s))
			} else if l := pulse.Level(s); l > -60 {
				t.Errorf("%s: %.1f dBFS", what, l)
			}
		default:
			if len(s) > rate/10 {
				t.Errorf("%s: %d samples played (%.1f dBFS), want none", what, len(s), pulse.Level(s))
			}
		}
	}
	if err := alice.EndCall(id); err != nil {
		t.Fatal(err)
	}
	bobEv.wait(t, ctx, phone.EventCallEnded)
	fmt.Println("e2e: mute and hold by ear: Bob heard Alice, silence muted, Alice, nothing held, Alice; Alice heard nothing while Bob held, then Bob")
}

// toneDigits reads the DTMF keys the lab's tone phone logged receiving
// since offset bytes into its log.
func toneDigits(t *testing.T, offset int) (string, int) {
	t.Helper()
	return labtest.DTMFReceived(lab, "tone", offset)
}

// DTMF and hold against baresip: the digits arrive at the lab's tone phone,
// as RFC 4733 events on a G.711 call (baresip offers telephone-event at
// 8 kHz) and as SIP INFO on an Opus call (no 48 kHz telephone-event); its
// SIP stack takes the hold and resume re-INVITEs.
func TestDTMFAndHoldWithBaresip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		codec, way string
	}{{"PCMU", "RFC 4733"}, {"opus", "SIP INFO"}} {
		t.Run(tc.way, func(t *testing.T) {
			ev := newEvents()
			p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true, Codecs: []string{tc.codec}}, StatusPoll: -1, PNPSFirst: -1},
				platform.New(platform.Config{}), ev)
			defer p.Close()
			if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
				t.Fatal(err)
			}
			id, err := p.Call(lab.Tone.Number)
			if err != nil {
				t.Fatal(err)
			}
			ev.wait(t, ctx, phone.EventCallConfirmed)
			for _, tc := range []struct {
				rule  string
				call  string
				tones string
				opts  phone.DTMFOptions
				want  error
			}{
				{"tones are given", id, "", phone.DTMFOptions{}, phone.ErrDTMFTonesMissing},
				{"the call exists before the tones are looked at", "nosuchcall", "xyz", phone.DTMFOptions{}, phone.ErrNoSuchCall},
				{"tones are 0-9 A-D # * ,", id, "12E", phone.DTMFOptions{}, phone.ErrDTMFTones},
				{"duration is at least 40 ms", id, "1", phone.DTMFOptions{Duration: ms(39)}, phone.ErrDTMFDuration},
				{"duration is at most 6000 ms", id, "1", phone.DTMFOptions{Duration: ms(6001)}, phone.ErrDTMFDuration},
				{"interToneGap is at least 30 ms", id, "1", phone.DTMFOptions{InterToneGap: ms(29)}, phone.ErrDTMFGap},
				{"the call exists", "nosuchcall", "1", phone.DTMFOptions{}, phone.ErrNoSuchCall},
			} {
				if _, err := p.SendDTMF(ctx, tc.call, tc.tones, tc.opts); !errors.Is(err, tc.want) {
					t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
				}
			}
			if err := p.PauseCall(ctx, id); err != nil {
				t.Fatalf("hold with baresip: %v", err)
			}
			if err := p.ResumeCall(ctx, id); err != nil {
				t.Fatalf("resume with baresip: %v", err)
			}
			_, offset := toneDigits(t, 0)
			sent := time.Now()
			if ok, err := p.SendDTMF(ctx, id, "1#5A", phone.DTMFOptions{Duration: ms(100), InterToneGap: ms(100)}); !ok {
				t.Fatalf("sendDTMF: %v", err)
			}
			if took := time.Since(sent); took < 600*time.Millisecond {
				t.Errorf("four tones of 100 ms with 100 ms gaps sent in %v", took)
			}
			time.Sleep(300 * time.Millisecond)
			if err := p.EndCall(id); err != nil {
				t.Fatal(err)
			}
			ev.wait(t, ctx, phone.EventCallEnded)
			digits, _ := toneDigits(t, offset)
			if digits != "1#5A" {
				t.Errorf("the tone phone received DTMF %q, want 1#5A", digits)
			}
			fmt.Printf("e2e: DTMF as %s on a %s call reached baresip: %q\n", tc.way, tc.codec, digits)
		})
	}
}

// The far end changes its codec (and its ICE and DTLS: a new media session)
// in a re-INVITE, and again in an UPDATE: Alice's phone renegotiates with
// pion, follows the new codec, and the audio goes on both ways.
func TestReofferWithAnotherCodec(t *testing.T) {
	for _, method := range []string{"re-INVITE", "UPDATE"} {
		t.Run(method, func(t *testing.T) { reofferWithAnotherCodec(t, method) })
	}
}

func reofferWithAnotherCodec(t *testing.T, method string) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	heard := &segmentRecorder{}
	ev := newEvents()
	alice := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
		Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, heard }}, platform.New(platform.Config{}), ev)
	defer alice.Close()
	if ok, err := alice.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatal(err)
	}
	probe := registeredProbe(t, ctx)
	first, err := media.NewSession(media.Config{LoopbackOnly: true, Codecs: []string{"opus"}})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	call, in := probeCallsAlice(t, ctx, probe, first, alice, ev)
	if err := first.Start(&audio.Tone{Hz: 600}, audio.Discard{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	before := time.Now()

	// A new session offering PCMA only, in a re-INVITE.
	second, err := media.NewSession(media.Config{LoopbackOnly: true, Codecs: []string{"PCMA"}})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	reoffer, err := second.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	renegotiate := call.Renegotiate
	if method == "UPDATE" {
		renegotiate = call.Update
	}
	answer, err := renegotiate(ctx, []byte(reoffer))
	if err != nil {
		t.Fatalf("%s with another codec: %v", method, err)
	}
	if err := second.SetAnswer(string(answer)); err != nil {
		t.Fatal(err)
	}
	first.Close()
	probeHeard := &segmentRecorder{}
	if err := second.Start(&audio.Tone{Hz: 1200}, probeHeard); err != nil {
		t.Fatal(err)
	}
	if second.Codec() != "PCMA" {
		t.Fatalf("the re-INVITE negotiated %s", second.Codec())
	}
	// The far end's new session starts receiving once its DTLS is up.
	time.Sleep(3 * time.Second)
	after := time.Now()

	s, rate := heard.between(before.Add(-time.Second), before)
	pulse.ExpectTone(t, "Alice before the "+method+" (Opus)", s, rate, 600)
	s, rate = heard.between(after.Add(-time.Second), after)
	pulse.ExpectTone(t, "Alice after the "+method+" (PCMA)", s, rate, 1200)
	s, rate = probeHeard.between(after.Add(-1500*time.Millisecond), after)
	pulse.ExpectTone(t, "the far end after the "+method, s, rate, 1000)
	if err := alice.EndCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	fmt.Printf("e2e: %s with a new codec (Opus -> PCMA) and new ICE/DTLS at the far end: Alice followed, audio both ways\n", method)
}

// sdpDirection is the audio direction an SDP states ("" none).
func sdpDirection(sdp string) string {
	for _, d := range []string{media.SendOnly, media.RecvOnly, media.Inactive, media.SendRecv} {
		if strings.Contains(sdp, "a="+d+"\r\n") {
			return d
		}
	}
	return ""
}

// Hold on the wire: Alice's re-INVITEs, as the far end (a probe through
// Kamailio and rtpengine) receives them, offer sendonly to hold and
// sendrecv to resume; with the far end holding too, inactive; and she
// answers the far end's own hold with recvonly.
func TestHoldDirectionsOnTheWire(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	ev := newEvents()
	alice := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
		Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, audio.Discard{} }}, platform.New(platform.Config{}), ev)
	defer alice.Close()
	if ok, err := alice.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatal(err)
	}
	probe := registeredProbe(t, ctx)
	sess, err := media.NewSession(media.Config{LoopbackOnly: true, Codecs: []string{"PCMU"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	// The far end answers Alice's re-offers as a phone does: it receives
	// what she sends; while it holds itself, it does not send.
	var farHolds bool
	offers := make(chan string, 4)
	probe.OnRenegotiate(func(_ string, offer []byte) ([]byte, error) {
		offers <- string(offer)
		aliceHolds, err := media.RemoteHolds(string(offer))
		if err != nil {
			return nil, err
		}
		answer, err := sess.DirectionSDP(media.Direction(farHolds, aliceHolds))
		return []byte(answer), err
	})
	call, in := probeCallsAlice(t, ctx, probe, sess, alice, ev)
	ev.wait(t, ctx, phone.EventCallConfirmed)

	offered := func(what string) string {
		t.Helper()
		select {
		case o := <-offers:
			return sdpDirection(o)
		case <-ctx.Done():
			t.Fatalf("%s: no re-INVITE reached the far end", what)
			return ""
		}
	}
	if err := alice.PauseCall(ctx, in.CallID); err != nil {
		t.Fatal(err)
	}
	if d := offered("hold"); d != media.SendOnly {
		t.Errorf("Alice's hold offered %q, want sendonly", d)
	}
	if err := alice.ResumeCall(ctx, in.CallID); err != nil {
		t.Fatal(err)
	}
	if d := offered("resume"); d != media.SendRecv {
		t.Errorf("Alice's resume offered %q, want sendrecv", d)
	}
	// The far end holds: Alice answers recvonly.
	farHolds = true
	hold, err := sess.DirectionSDP(media.SendOnly)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := call.Renegotiate(ctx, []byte(hold))
	if err != nil {
		t.Fatal(err)
	}
	if d := sdpDirection(string(answer)); d != media.RecvOnly {
		t.Errorf("Alice answered the far end's hold with %q, want recvonly", d)
	}
	// Both hold: Alice's own hold offers inactive.
	if err := alice.PauseCall(ctx, in.CallID); err != nil {
		t.Fatal(err)
	}
	if d := offered("hold while held"); d != media.Inactive {
		t.Errorf("Alice's hold while held offered %q, want inactive", d)
	}
	if err := alice.EndCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	fmt.Println("e2e: hold on the wire: Alice offered sendonly, sendrecv; answered recvonly to the far end's hold; offered inactive when both held")
}

// probeCallsAlice has the probe call Alice with sess's offer, Alice's phone
// answer, and sess take the answer; the call is hung up when the test ends.
func probeCallsAlice(t *testing.T, ctx context.Context, probe *sip.Agent, sess *media.Session, alice *phone.Phone, ev *events) (*sip.Call, phone.CallEvent) {
	t.Helper()
	offer, err := sess.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan *sip.Call, 1)
	go func() {
		call, err := probe.Dial(ctx, "alice", []byte(offer), nil)
		if err != nil {
			t.Error(err)
		}
		calls <- call
	}()
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	if err := alice.AnswerCall(in.CallID); err != nil {
		t.Fatal(err)
	}
	call := <-calls
	if call == nil {
		t.FailNow()
	}
	t.Cleanup(func() { _ = call.Hangup(context.Background()) })
	if err := sess.SetAnswer(string(call.Answer)); err != nil {
		t.Fatal(err)
	}
	return call, in
}
