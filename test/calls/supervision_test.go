package calls

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/apiserver"
)

// Call supervision: the platform calls the supervisor back, the phone
// answers that call by itself, listen-only, and reports the states. The
// lab's bridge plays 440 Hz where the platform would fork the agent's call.
func TestCallSupervisionThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	heard := &audio.Recorder{}
	ev := newEvents()
	sara := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
		Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, heard }}, platform.New(platform.Config{}), ev)
	defer sara.Close()
	if _, err := sara.StartCallSupervision(ctx, apiserver.AliceID); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("supervision before login: %v", err)
	}
	if ok, err := sara.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "sara@voicedesk.lab", Password: "sara-secret"}); !ok {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventLoggedIn)

	for _, tc := range []struct {
		rule   string
		target string
		want   error
		msg    string
	}{
		{"a target user id is given", "  ", phone.ErrSupervisionTarget, ""},
		{"the target id carries no URI syntax", "a@b;x", phone.ErrSupervisionTargetID, ""},
		{"the platform knows the target", "00000000-0000-0000-0000-000000000000", nil, "Call supervision failed: No such user."},
	} {
		_, err := sara.StartCallSupervision(ctx, tc.target)
		if (tc.want != nil && !errors.Is(err, tc.want)) || (tc.msg != "" && (err == nil || err.Error() != tc.msg)) {
			t.Errorf("%s: %v", tc.rule, err)
		}
	}
	if st := ev.wait(t, ctx, phone.EventCallSupervisingStateChanged).detail.(phone.SupervisingState); st.State != phone.SupervisingConnecting {
		t.Fatalf("first state %+v", st)
	}
	if st := ev.wait(t, ctx, phone.EventCallSupervisingStateChanged).detail.(phone.SupervisingState); st.State != phone.SupervisingFailed {
		t.Fatalf("the refused supervision ended %+v, want failed", st)
	}

	ok, err := sara.StartCallSupervision(ctx, apiserver.AliceID)
	if !ok {
		t.Fatalf("startCallSupervision: %v", err)
	}
	var states []string
	for len(states) < 2 {
		st := ev.wait(t, ctx, phone.EventCallSupervisingStateChanged).detail.(phone.SupervisingState)
		if st.TargetUserID != apiserver.AliceID {
			t.Fatalf("state for %q", st.TargetUserID)
		}
		states = append(states, st.State)
	}
	if strings.Join(states, ",") != "connecting,started" {
		t.Fatalf("states %v, want connecting,started", states)
	}
	answered := ev.wait(t, ctx, phone.EventCallAnswered).call
	if _, err := sara.StartCallSupervision(ctx, apiserver.BobID); !errors.Is(err, phone.ErrCallInProgress) {
		t.Errorf("a second supervision during the first: %v, want ErrCallInProgress", err)
	}
	time.Sleep(2 * time.Second)
	s, rate := heard.Samples()
	hz, _ := audio.DominantFrequency(s[len(s)/2:], rate)
	share := audio.ToneShare(s[len(s)/2:], rate, 440) // by 20 ms blocks: a phase jump costs one
	if hz < 435 || hz > 445 || share < 0.5 {
		t.Errorf("the supervisor heard %d Hz (share %.2f), want the bridge's 440 Hz", hz, share)
	}
	if err := sara.EndCall(answered.CallID); err != nil {
		t.Fatal(err)
	}
	if st := ev.wait(t, ctx, phone.EventCallSupervisingStateChanged).detail.(phone.SupervisingState); st.State != phone.SupervisingEnded {
		t.Fatalf("after hanging up: %+v, want ended", st)
	}
	fmt.Printf("e2e: supervision: connecting, started (heard the bridge's %d Hz), ended\n", hz)

	bob, _ := loggedInPhone(t, ctx, "bob@voicedesk.lab", "bob-secret")
	if _, err := bob.StartCallSupervision(ctx, apiserver.AliceID); err == nil || !strings.Contains(err.Error(), "Only a supervisor") {
		t.Errorf("an agent starting a supervision: %v", err)
	}
}
