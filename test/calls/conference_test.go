package calls

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// Three-way calls through the lab, with baresip phones as the far ends and
// Alice's microphone saying 1000 Hz. Everyone must hear everyone else and
// nobody their own tone: Alice's speaker both far ends in every 100 ms
// window from 200 ms after the merge, each baresip phone Alice and the
// other phone (judged from its recording, a 100 ms window at a time).
//
// Two rows. Both far ends connected: Alice calls the tone phone (700 Hz),
// then the early phone (620 Hz), and merges. A held call merged: Alice
// calls the tone phone and holds it, the caller phone (550 Hz) calls her
// (call waiting), she answers and merges, which resumes the tone phone;
// then the tone phone's call ends and the caller stays with Alice alone.
// baresip 1.0 records nothing of a call after it was held and resumed (its
// recorder's filter is not fed again; DTMF and Alice's side show the media
// flowing), so in that row the tone phone's hearing is not judged: the
// first row judges it without a hold.
func TestThreeWayCallThroughTheLab(t *testing.T) {
	t.Run("both far ends connected", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		a := newConferenceAgent(t, ctx)
		toneCall, err := a.p.Call(lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		a.ev.wait(t, ctx, phone.EventCallConfirmed)
		earlyCall, err := a.p.Call(lab.Early.Number)
		if err != nil {
			t.Fatal(err)
		}
		a.ev.wait(t, ctx, phone.EventCallInProgress)
		// As the early-media test does: an accept sent the moment the 183
		// arrived ended the call (seen once here; baresip 1.0 early mode, not
		// looked into further).
		time.Sleep(time.Second)
		if _, err := labctl.Ctrl(ctx, lab.Early.Ctrl, "accept", ""); err != nil {
			t.Fatal(err)
		}
		if ended := a.ev.waitAny(t, ctx, phone.EventCallConfirmed, phone.EventCallEnded); ended.name == phone.EventCallEnded {
			t.Fatalf("the early phone's call ended: %+v", ended.call)
		}
		time.Sleep(time.Second)
		ids, err := a.p.MergeCalls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0] != toneCall || ids[1] != earlyCall {
			t.Fatalf("merged %v, want the older call first", ids)
		}
		worst := a.speakerHears(t, 0, lab.Tone.ToneHz, lab.Early.ToneHz)
		for _, id := range ids {
			if err := a.p.EndCall(id); err != nil {
				t.Fatal(err)
			}
		}
		a.ev.wait(t, ctx, phone.EventCallEnded)
		a.ev.wait(t, ctx, phone.EventCallEnded)
		farEndHears(t, "the tone phone", lab.Tone.Recordings, 2.2, 0.2, []int{1000, lab.Early.ToneHz}, lab.Tone.ToneHz)
		farEndHears(t, "the early phone", lab.Early.Recordings, 2.2, 0.2, []int{1000, lab.Tone.ToneHz}, lab.Early.ToneHz)
		fmt.Printf("e2e: three-way call (both connected): Alice's speaker both far ends in every 100 ms window from 200 ms after the merge (worst share %.2f); the tone and early phones each heard Alice and the other, not themselves\n", worst)
	})

	t.Run("a held call merged", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		a := newConferenceAgent(t, ctx)
		toneCall, err := a.p.Call(lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		a.ev.wait(t, ctx, phone.EventCallConfirmed)
		time.Sleep(time.Second)
		if err := a.p.PauseCall(ctx, toneCall); err != nil {
			t.Fatal(err)
		}
		hangupCaller := callerDialsAlice(t, ctx)
		defer hangupCaller()
		defer a.endAll()
		in := a.ev.wait(t, ctx, phone.EventCallIncoming).call
		if err := a.p.AnswerCall(in.CallID); err != nil {
			t.Fatal(err)
		}
		a.ev.wait(t, ctx, phone.EventCallConfirmed)
		time.Sleep(time.Second)
		ids, err := a.p.MergeCalls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0] != in.CallID || ids[1] != toneCall {
			t.Fatalf("merged %v, want the caller's call (active) first, then the held tone call", ids)
		}
		worst := a.speakerHears(t, 1, lab.Tone.ToneHz, lab.Caller.ToneHz)
		// The tone phone leaves: the caller stays, hearing Alice alone.
		if err := a.p.EndCall(toneCall); err != nil {
			t.Fatal(err)
		}
		a.ev.wait(t, ctx, phone.EventCallEnded)
		calls := a.p.State().Calls
		if len(calls) != 1 || calls[0].Detail.CallID != in.CallID || calls[0].Merged || calls[0].State != "connected" {
			t.Fatalf("after the tone phone left: %+v", calls)
		}
		time.Sleep(2500 * time.Millisecond)
		if err := a.p.EndCall(in.CallID); err != nil {
			t.Fatal(err)
		}
		callerIdle(t, ctx)
		// The caller's last 2.5 s Alice alone; the 3 s before them all three.
		farEndHears(t, "the caller phone, alone with Alice", lab.Caller.Recordings, 2.2, 0.2, []int{1000}, lab.Tone.ToneHz)
		farEndHears(t, "the caller phone, merged", lab.Caller.Recordings, 5.0, 3.2, []int{1000, lab.Tone.ToneHz}, lab.Caller.ToneHz)
		fmt.Printf("e2e: three-way call (a held call merged): Alice's speaker both far ends in every 100 ms window from 200 ms after the merge (worst share %.2f); the caller heard Alice and the resumed tone phone, and stayed with Alice alone when it left\n", worst)
	})
}

// conferenceAgent is Alice signed in with a 1000 Hz microphone and a
// recorder for each call's own speaker.
type conferenceAgent struct {
	p        *phone.Phone
	ev       *events
	mu       sync.Mutex
	speakers []*audio.Recorder
}

func newConferenceAgent(t *testing.T, ctx context.Context) *conferenceAgent {
	t.Helper()
	a := &conferenceAgent{ev: newEvents()}
	a.p = phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1,
		Audio: func() (audio.Source, audio.Sink) {
			rec := &audio.Recorder{}
			a.mu.Lock()
			a.speakers = append(a.speakers, rec)
			a.mu.Unlock()
			return &audio.Tone{Hz: 1000}, rec
		}}, platform.New(platform.Config{}), a.ev)
	t.Cleanup(func() { a.endAll(); a.p.Close() })
	if ok, err := a.p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	a.ev.wait(t, ctx, phone.EventLoggedIn)
	return a
}

// endAll leaves no call behind (a failed check).
func (a *conferenceAgent) endAll() {
	for _, c := range a.p.State().Calls {
		_ = a.p.EndCall(c.Detail.CallID)
	}
}

// speakerHears listens 3 s to the speaker of the call-th call (the
// conference's primary) from the merge: from 200 ms on, every 100 ms holds
// both tones and not Alice's own 1000 Hz. It returns the worst share.
func (a *conferenceAgent) speakerHears(t *testing.T, call int, hz ...int) float64 {
	t.Helper()
	a.mu.Lock()
	primary := a.speakers[call]
	a.mu.Unlock()
	before, rate := primary.Samples()
	time.Sleep(3 * time.Second)
	after, _ := primary.Samples()
	heard := after[len(before):]
	w := rate / 10
	worst := 1.0
	for at := 2 * w; at+w <= len(heard); at += w {
		win := heard[at : at+w]
		for _, f := range hz {
			sh := audio.ToneShare(win, rate, f)
			worst = min(worst, sh)
			if sh < 0.2 {
				t.Fatalf("Alice's speaker, %d ms after the merge: %d Hz has %.2f of the sound, want each of %v", at*1000/rate, f, sh, hz)
			}
		}
		if sh := audio.ToneShare(win, rate, 1000); sh > 0.02 {
			t.Fatalf("Alice hears her own microphone (%.2f) %d ms after the merge", sh, at*1000/rate)
		}
	}
	return worst
}

// farEndHears judges a baresip phone's recording once its call is over
// (a recording's length is written as it closes), a 100 ms window at a
// time over a stretch given in seconds before its end: every window holds
// each wanted tone and not the unwanted one.
func farEndHears(t *testing.T, name, dir string, fromEnd, toEnd float64, want []int, not int) {
	t.Helper()
	var s []int16
	var r int
	for i := 0; i < 30 && len(s) == 0; i++ {
		if path, err := labtest.NewestRecording(dir, "dec"); err == nil {
			s, r, _ = labtest.ReadWAV(path)
		}
		if len(s) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(s) < int(fromEnd*float64(r)) {
		files, _ := filepath.Glob(filepath.Join(dir, "dump-*-dec.wav"))
		var sizes []string
		for _, f := range files {
			if st, err := os.Stat(f); err == nil {
				sizes = append(sizes, fmt.Sprintf("%s %d", filepath.Base(f), st.Size()))
			}
		}
		t.Fatalf("%s's recording: %d samples at %d Hz, want %.1f s (recordings: %v)", name, len(s), r, fromEnd, sizes)
	}
	s = s[len(s)-int(fromEnd*float64(r)) : len(s)-int(toEnd*float64(r))]
	for at := 0; at+r/10 <= len(s); at += r / 10 {
		win := s[at : at+r/10]
		for _, hz := range want {
			if sh := audio.ToneShare(win, r, hz); sh < 0.2 {
				t.Fatalf("%s, %.1f s before its end: %d Hz has %.2f, want it with %v", name, fromEnd-float64(at)/float64(r), hz, sh, want)
			}
		}
		if sh := audio.ToneShare(win, r, not); sh > 0.05 {
			t.Fatalf("%s, %.1f s before its end, hears %d Hz (%.2f), which it should not", name, fromEnd-float64(at)/float64(r), not, sh)
		}
	}
}
