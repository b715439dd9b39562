package phone_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"voicedesk/backend/audio"
	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

// merged makes two connected calls, the first put on hold, and merges them.
func merged(t *testing.T, r *rig) (a, b string, ma, mb *phonetest.Media) {
	t.Helper()
	a, _ = r.connected()
	ma = r.medias.Last()
	r.must(r.p.PauseCall(r.ctx, a), "hold the first call")
	b, _ = r.connected()
	mb = r.medias.Last()
	ids, err := r.p.MergeCalls(r.ctx)
	r.must(err, "merge")
	// The call not on hold is the primary: its sound device serves both.
	if !slices.Equal(ids, []string{b, a}) {
		t.Fatalf("merged %v, want [%s %s]", ids, b, a)
	}
	return a, b, ma, mb
}

func viewsOf(r *rig) map[string]phone.CallView {
	out := map[string]phone.CallView{}
	for _, v := range r.p.State().Calls {
		out[v.Detail.CallID] = v
	}
	return out
}

func TestMergeResumesTheHeldCallAndMixes(t *testing.T) {
	// Each call's own sound: the agent's microphone (a tone per call, so
	// that the test sees which one the conference reads) and a recorder.
	var own []*audio.Recorder
	hz := []float64{1000, 1500}
	r := newRig(t, func(c *phone.Config) {
		c.Audio = func() (audio.Source, audio.Sink) {
			rec := &audio.Recorder{}
			own = append(own, rec)
			return &audio.Tone{Hz: hz[len(own)-1]}, rec
		}
	})
	a, b, ma, mb := merged(t, r)
	if _, _, held, _ := ma.State(); held {
		t.Fatal("the held call was not taken off hold")
	}
	r.ev.await(t, a, phone.EventCallResumed)
	if !slices.Contains(r.ev.from("conference-started "+b+","+a+" "), "conference-started "+b+","+a+" ") {
		t.Fatalf("no conference-started: %v", r.ev.all)
	}
	for id, v := range viewsOf(r) {
		if !v.Merged || v.Held {
			t.Fatalf("call %s in State: %+v, want merged and not held", id, v)
		}
	}
	// The media's sound now leads to the mixer: the first call's far end
	// hears the primary's microphone (1500 Hz, the second call's device)
	// and the second far end; the device the first call opened is idle.
	srcA, sinkA := ma.Audio()
	srcB, sinkB := mb.Audio()
	fa, fb, out := make([]int16, 960), make([]int16, 960), make([]int16, 960)
	var heardA []int16
	toneA, toneB := &audio.Tone{Hz: 700}, &audio.Tone{Hz: 550}
	for range 25 {
		_ = toneB.Read(fb, 48000)
		_ = sinkB.Write(fb, 48000)
		_ = srcB.Read(out, 48000)
		_ = toneA.Read(fa, 48000)
		_ = sinkA.Write(fa, 48000)
		_ = srcA.Read(out, 48000)
		heardA = append(heardA, out...)
	}
	tail := heardA[len(heardA)/2:]
	for _, want := range []int{1500, 550} {
		if sh := audio.ToneShare(tail, 48000, want); sh < 0.3 {
			t.Errorf("the first far end hears %d Hz at %.2f of its sound, want about half", want, sh)
		}
	}
	if sh := audio.ToneShare(tail, 48000, 1000); sh > 0.01 {
		t.Errorf("the first call's own microphone is in the mix (%.2f): its device should be idle", sh)
	}
	speaker, _ := own[1].Samples()
	if len(speaker) == 0 || audio.ToneShare(speaker[len(speaker)/2:], 48000, 700) < 0.3 || audio.ToneShare(speaker[len(speaker)/2:], 48000, 550) < 0.3 {
		t.Errorf("the primary's speaker does not carry both far ends")
	}
	if first, _ := own[0].Samples(); len(first) != 0 {
		t.Errorf("the first call's own speaker got %d samples while merged", len(first))
	}
}

func TestConferenceRules(t *testing.T) {
	for _, tc := range []struct {
		rule string
		play func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media)
	}{
		{"mute silences the agent for both calls, not the session (the far ends still hear each other)", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			r.must(r.p.MuteCall(a), "mute")
			r.ev.await(t, a, phone.EventCallMuted)
			r.ev.await(t, b, phone.EventCallMuted)
			if ma.Muted() || mb.Muted() {
				t.Fatal("a session was muted: the other far end would not be heard")
			}
			if err := r.p.MuteCall(b); !errors.Is(err, phone.ErrAlreadyMuted) {
				t.Fatalf("muting the other merged call: %v", err)
			}
			r.must(r.p.UnmuteCall(b), "unmute")
			r.ev.await(t, a, phone.EventCallUnmuted)
		}},
		{"hanging up one call leaves the other connected on its own sound", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			r.must(r.p.EndCall(b), "end the primary")
			r.ev.await(t, b, phone.EventCallEnded)
			if !slices.Contains(r.ev.all, "conference-ended "+b+","+a+" hangup") {
				t.Fatalf("events: %v", r.ev.all)
			}
			v := viewsOf(r)
			if len(v) != 1 || v[a].Merged || v[a].State != "connected" {
				t.Fatalf("left: %+v", v)
			}
		}},
		{"split keeps the chosen call and holds the other", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			r.must(r.p.SplitCall(r.ctx, a), "split")
			if !slices.Contains(r.ev.all, "conference-ended "+b+","+a+" split") {
				t.Fatalf("events: %v", r.ev.all)
			}
			v := viewsOf(r)
			if v[a].Held || !v[b].Held || v[a].Merged || v[b].Merged {
				t.Fatalf("after split: %+v", v)
			}
			if err := r.p.SplitCall(r.ctx, ""); !errors.Is(err, phone.ErrNotMerged) {
				t.Fatalf("split twice: %v", err)
			}
		}},
		{"holding a merged call splits the conference", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			r.must(r.p.PauseCall(r.ctx, a), "hold")
			v := viewsOf(r)
			if !v[a].Held || v[b].Held || v[a].Merged {
				t.Fatalf("after hold: %+v", v)
			}
		}},
		{"a split after mute keeps both calls muted, as the agent left them", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			r.must(r.p.MuteCall(b), "mute")
			r.must(r.p.SplitCall(r.ctx, b), "split")
			if !ma.Muted() || !mb.Muted() || !viewsOf(r)[a].Muted {
				t.Fatal("the calls are not muted after the split")
			}
		}},
		{"the merged calls cannot be transferred, nor merged again", func(t *testing.T, r *rig, a, b string, ma, mb *phonetest.Media) {
			if _, err := r.p.TransferCall(r.ctx, phone.TransferDirect, "300"); !errors.Is(err, phone.ErrTransferMerged) {
				t.Fatalf("transfer: %v", err)
			}
			if _, err := r.p.MergeCalls(r.ctx); !errors.Is(err, phone.ErrAlreadyMerged) {
				t.Fatalf("merge again: %v", err)
			}
			if err := r.p.SplitCall(r.ctx, "nosuchcall"); !errors.Is(err, phone.ErrNoSuchCall) {
				t.Fatalf("split keeping an unknown call: %v", err)
			}
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := newRig(t)
			a, b, ma, mb := merged(t, r)
			tc.play(t, r, a, b, ma, mb)
		})
	}
}

func TestMergeNeedsTwoConnectedCalls(t *testing.T) {
	r := newRig(t)
	if _, err := r.p.MergeCalls(r.ctx); !errors.Is(err, phone.ErrNothingToMerge) {
		t.Fatalf("no call: %v", err)
	}
	r.connected()
	if _, err := r.p.MergeCalls(r.ctx); !errors.Is(err, phone.ErrNothingToMerge) || !strings.Contains(err.Error(), "1 connected") {
		t.Fatalf("one call: %v", err)
	}
	r.incoming("301") // ringing: not mergeable
	if _, err := r.p.MergeCalls(r.ctx); !errors.Is(err, phone.ErrNothingToMerge) {
		t.Fatalf("a call and a ringing one: %v", err)
	}
}
