// Package sound tests the phone with a real sound card (a headless
// PulseAudio with null sinks) against the real lab: microphone to the far
// end, the far end to the chosen speaker, the ringer, unplugging, echo.
package sound

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/dsp/aecsim"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/soundcard"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// events records the phone's events.
type events struct {
	mu  sync.Mutex
	all []string
	ch  chan ev
}

type ev struct {
	name   string
	detail any
}

func (e *events) Emit(name string, detail any) {
	e.mu.Lock()
	e.all = append(e.all, fmt.Sprint(name, " ", detail))
	e.mu.Unlock()
	select {
	case e.ch <- ev{name, detail}:
	default:
	}
}

func (e *events) wait(t *testing.T, ctx context.Context, name string, detail any) ev {
	t.Helper()
	for {
		select {
		case x := <-e.ch:
			if x.name == name && (detail == nil || x.detail == detail) {
				return x
			}
		case <-ctx.Done():
			e.mu.Lock()
			defer e.mu.Unlock()
			t.Fatalf("no %s %v; events: %s", name, detail, strings.Join(e.all, ", "))
		}
	}
}

type rig struct {
	lab   *labctl.State
	pulse *pulse.Server
	sound *soundcard.Manager
	phone *phone.Phone
	ev    *events
}

// setUp starts PulseAudio and the lab and logs Alice's phone in with the
// sound card as its sound.
func setUp(t *testing.T, ctx context.Context, choice soundcard.Choice) *rig {
	t.Helper()
	r := &rig{pulse: pulse.Start(t), ev: &events{ch: make(chan ev, 64)}}
	r.lab = labtest.Start(ctx, t)
	card, err := soundcard.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(card.Close)
	r.sound = soundcard.NewManager(card, choice, func(kind, id string, fallback bool) {
		name := phone.ErrorAudioDeviceRestored
		if fallback {
			name = phone.ErrorAudioDeviceLost
		}
		r.ev.Emit(phone.EventPhoneError, name)
	})
	t.Cleanup(r.sound.Close)
	r.phone = phone.New(phone.Config{DiscoveryURL: r.lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, Sound: r.sound},
		platform.New(platform.Config{}), r.ev)
	t.Cleanup(r.phone.Close)
	if ok, err := r.phone.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	return r
}

// farEndHeard is the dominant frequency of the tone phone's recording of
// the call, over its last second.
func (r *rig) farEndHeard(t *testing.T) ([]int16, int) {
	t.Helper()
	path, err := labtest.NewestRecording(r.lab.Tone.Recordings, "dec")
	if err != nil {
		t.Fatal(err)
	}
	s, rate, err := labtest.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, rate
}

var mic = soundcard.Choice{Mic: pulse.Mic, Speaker: pulse.Speaker, Ringer: pulse.Ringer, EchoCancel: true, NoiseSuppression: true}

// The microphone reaches the far end, the far end comes out of the chosen
// speaker and not the ringer; ringback plays while a phone rings; an
// incoming call rings on the ringer only.
func TestCallsThroughTheSoundCard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := setUp(t, ctx, mic)
	speaker, ringer := r.pulse.Record(pulse.Speaker), r.pulse.Record(pulse.Ringer)
	r.pulse.Feed(pulse.MicFeed, &audio.Tone{Hz: 1000})

	t.Run("outbound: microphone to the far end, the far end to the speaker", func(t *testing.T) {
		// A call whose far end recorded exact digital silence got no audio
		// from the microphone path at all (seen in 2 of about 10 full runs,
		// both right after a lab start that had to be retried): it is
		// repeated once, and said. A phone that never sends the microphone
		// fails both.
		var s []int16
		var rate int
		for try := 1; try <= 2; try++ {
			id, err := r.phone.Call(r.lab.Tone.Number)
			if err != nil {
				t.Fatal(err)
			}
			r.ev.wait(t, ctx, phone.EventCallConfirmed, nil)
			time.Sleep(3 * time.Second)
			pulse.ExpectTone(t, "speaker", speaker.Samples(time.Second), pulse.Rate, r.lab.Tone.ToneHz)
			pulse.ExpectSilence(t, "ringer", ringer.Samples(time.Second))
			if err := r.phone.EndCall(id); err != nil {
				t.Fatal(err)
			}
			r.ev.wait(t, ctx, phone.EventCallEnded, nil)
			s, rate = r.farEndHeard(t)
			s = s[len(s)/2:]
			if pulse.Level(s) > -150 {
				break
			}
			t.Logf("the far end recorded exact silence in call %d", try)
		}
		pulse.ExpectTone(t, "far end", s, rate, 1000)
		fmt.Printf("e2e: sound card outbound: microphone 1000 Hz -> baresip heard it | baresip %d Hz -> speaker, ringer silent\n", r.lab.Tone.ToneHz)
	})

	t.Run("ringback while the far end rings", func(t *testing.T) {
		id, err := r.phone.Call(r.lab.Caller.Number) // rings, answered by hand: never here
		if err != nil {
			t.Fatal(err)
		}
		r.ev.wait(t, ctx, phone.EventCallInProgress, nil)
		speaker.Reset()
		time.Sleep(700 * time.Millisecond)
		pulse.ExpectTone(t, "speaker while ringing", speaker.Samples(300*time.Millisecond), pulse.Rate, audio.RingbackHz)
		pulse.ExpectSilence(t, "ringer while ringing out", ringer.Samples(300*time.Millisecond))
		_ = r.phone.EndCall(id)
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
		time.Sleep(300 * time.Millisecond)
		pulse.ExpectSilence(t, "speaker after the call", speaker.Samples(200*time.Millisecond))
	})

	t.Run("incoming rings on the ringer only", func(t *testing.T) {
		if _, err := labctl.Ctrl(ctx, r.lab.Caller.Ctrl, "dial", "sip:alice@"+r.lab.Domain); err != nil {
			t.Fatal(err)
		}
		in := r.ev.wait(t, ctx, phone.EventCallIncoming, nil)
		ringer.Reset()
		speaker.Reset()
		time.Sleep(400 * time.Millisecond) // inside the first chord
		rs := ringer.Samples(300 * time.Millisecond)
		hz, _ := audio.DominantFrequency(rs, pulse.Rate)
		t.Logf("ringer: %d Hz, %.1f dBFS", hz, pulse.Level(rs))
		if pulse.Level(rs) < -40 || (hz < 518 || hz > 528) && (hz < 654 || hz > 664) {
			t.Fatalf("ringer: %d Hz at %.1f dBFS, want the ringtone", hz, pulse.Level(rs))
		}
		pulse.ExpectSilence(t, "speaker while ringing in", speaker.Samples(300*time.Millisecond))
		_ = r.phone.RejectCall(in.detail.(phone.CallEvent).CallID)
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
		time.Sleep(300 * time.Millisecond)
		pulse.ExpectSilence(t, "ringer after the call", ringer.Samples(200*time.Millisecond))
	})

	t.Run("auto-answer rings first, then beeps on the speaker as the line opens", func(t *testing.T) {
		if err := r.phone.SetAutoAnswer(phone.AutoAnswer{Mode: phone.AutoAnswerAll}); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = r.phone.SetAutoAnswer(phone.AutoAnswer{Mode: phone.AutoAnswerOff}) }()
		if _, err := labctl.Ctrl(ctx, r.lab.Caller.Ctrl, "dial", "sip:alice@"+r.lab.Domain); err != nil {
			t.Fatal(err)
		}
		in := r.ev.wait(t, ctx, phone.EventCallIncoming, nil)
		ringer.Reset()
		time.Sleep(400 * time.Millisecond)
		if rs := ringer.Samples(300 * time.Millisecond); pulse.Level(rs) < -40 {
			t.Errorf("the ringer was silent before the auto-answer (%.1f dBFS)", pulse.Level(rs))
		}
		speaker.Reset()
		r.ev.wait(t, ctx, phone.EventCallAnswered, nil)
		time.Sleep(600 * time.Millisecond)
		// The beep (880 Hz, 120 ms twice) within the first 600 ms of the
		// answer, over the caller's tone; gone a second later.
		first := speaker.Samples(600 * time.Millisecond)
		beep := aecsim.ToneLevel(first, pulse.Rate, audio.AutoAnswerHz)
		time.Sleep(time.Second)
		later := aecsim.ToneLevel(speaker.Samples(500*time.Millisecond), pulse.Rate, audio.AutoAnswerHz)
		t.Logf("880 Hz on the speaker: %.1f dBFS in the answer's first 600 ms, %.1f dBFS a second later", beep, later)
		if beep < -40 {
			t.Errorf("no beep as the call was answered by itself: 880 Hz at %.1f dBFS", beep)
		}
		if later > -50 {
			t.Errorf("the beep went on: 880 Hz at %.1f dBFS a second later", later)
		}
		_ = r.phone.EndCall(in.detail.(phone.CallEvent).CallID)
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
		fmt.Printf("e2e: sound card auto-answer: rang, then the line opened with a beep (880 Hz at %.1f dBFS, %.1f dBFS after)\n", beep, later)
	})

	t.Run("no ring with alerts off", func(t *testing.T) {
		r.phone.SetPhoneAlerts(false)
		defer r.phone.SetPhoneAlerts(true)
		if _, err := labctl.Ctrl(ctx, r.lab.Caller.Ctrl, "dial", "sip:alice@"+r.lab.Domain); err != nil {
			t.Fatal(err)
		}
		in := r.ev.wait(t, ctx, phone.EventCallIncoming, nil)
		ringer.Reset()
		time.Sleep(500 * time.Millisecond)
		pulse.ExpectSilence(t, "ringer with alerts off", ringer.Samples(300*time.Millisecond))
		_ = r.phone.RejectCall(in.detail.(phone.CallEvent).CallID)
		r.ev.wait(t, ctx, phone.EventCallEnded, nil)
	})
}
