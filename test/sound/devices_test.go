package sound

import (
	"context"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/soundcard"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// The chosen headset is unplugged mid-call: the call goes on on the default
// speaker and the UI is told; plugged in again, it is used again.
func TestHeadsetUnpluggedMidCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := setUp(t, ctx, soundcard.Choice{})
	module := r.pulse.AddSink("usbheadset")
	c := r.sound.Choice()
	c.Speaker = "usbheadset"
	if err := r.sound.Set(c); err != nil {
		t.Fatal(err)
	}
	headset, speaker := r.pulse.Record("usbheadset"), r.pulse.Record(pulse.Speaker)
	id, err := r.phone.Call(r.lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	r.ev.wait(t, ctx, phone.EventCallConfirmed, nil)
	time.Sleep(time.Second)
	pulse.ExpectTone(t, "headset", headset.Samples(500*time.Millisecond), pulse.Rate, r.lab.Tone.ToneHz)
	pulse.ExpectSilence(t, "speaker while the headset is in", speaker.Samples(500*time.Millisecond))

	headset.Stop()
	r.pulse.Unplug(module)
	r.ev.wait(t, ctx, phone.EventPhoneError, phone.ErrorAudioDeviceLost)
	speaker.Reset()
	time.Sleep(1500 * time.Millisecond)
	pulse.ExpectTone(t, "default speaker after unplugging", speaker.Samples(500*time.Millisecond), pulse.Rate, r.lab.Tone.ToneHz)

	r.pulse.AddSink("usbheadset")
	r.ev.wait(t, ctx, phone.EventPhoneError, phone.ErrorAudioDeviceRestored)
	again := r.pulse.Record("usbheadset")
	time.Sleep(time.Second)
	pulse.ExpectTone(t, "headset plugged in again", again.Samples(500*time.Millisecond), pulse.Rate, r.lab.Tone.ToneHz)
	if err := r.phone.EndCall(id); err != nil {
		t.Fatal(err)
	}
	r.ev.wait(t, ctx, phone.EventCallEnded, nil)
}

// With no sound system at all the phone says so and calls still connect.
func TestNoSoundSystem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lab := labtest.Start(ctx, t)
	ev := &events{ch: make(chan ev, 64)}
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true},
		Sound: soundcard.NewManager(nil, soundcard.Choice{}, nil)}, platform.New(platform.Config{}), ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventPhoneError, phone.ErrorAudioUnavailable)
	ev.wait(t, ctx, phone.EventCallConfirmed, nil)
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	ended := ev.wait(t, ctx, phone.EventCallEnded, nil)
	if r := ended.detail.(phone.CallEvent).EndReason; r != phone.EndLocalHangup {
		t.Fatalf("endReason %q, want local-hangup", r)
	}
}

// TestSoundServerKilledMidCall: the sound server crashes under a call and
// comes back. The call goes on (its media is the network's); the phone
// says audio-device-lost, and once the server is back the call's sound is
// too (audio-device-restored, the tone on the speaker again).
func TestSoundServerKilledMidCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := setUp(t, ctx, soundcard.Choice{})
	speaker := r.pulse.Record(pulse.Speaker)
	id, err := r.phone.Call(r.lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	r.ev.wait(t, ctx, phone.EventCallConfirmed, nil)
	time.Sleep(time.Second)
	pulse.ExpectTone(t, "speaker before the crash", speaker.Samples(500*time.Millisecond), pulse.Rate, r.lab.Tone.ToneHz)
	speaker.Stop()

	r.pulse.Kill()
	r.ev.wait(t, ctx, phone.EventPhoneError, phone.ErrorAudioDeviceLost)
	time.Sleep(2 * time.Second)
	if calls := r.phone.State().Calls; len(calls) != 1 || calls[0].State != "connected" {
		t.Fatalf("the call without a sound server: %+v", calls)
	}
	r.pulse.Restart()
	r.ev.wait(t, ctx, phone.EventPhoneError, phone.ErrorAudioDeviceRestored)
	again := r.pulse.Record(pulse.Speaker)
	time.Sleep(1500 * time.Millisecond)
	pulse.ExpectTone(t, "speaker after the sound server came back", again.Samples(500*time.Millisecond), pulse.Rate, r.lab.Tone.ToneHz)
	if err := r.phone.EndCall(id); err != nil {
		t.Fatal(err)
	}
	r.ev.wait(t, ctx, phone.EventCallEnded, nil)
}
