package phone

import (
	"sync"

	"voicedesk/backend/audio"
)

// Tone is a sound the phone plays besides a call's audio.
type Tone int

const (
	// ToneRingtone rings an incoming call, on the ringer device.
	ToneRingtone Tone = iota
	// ToneRingback tells the caller the far end is ringing when it sends no
	// early media, on the speaker.
	ToneRingback
	// ToneCallWaiting beeps over a call when another comes in, on the speaker.
	ToneCallWaiting
	// ToneAutoAnswer beeps once on the speaker as a call is answered by
	// itself (auto-answer): the agent hears that the line is open.
	ToneAutoAnswer
)

// Sound is the phone's sound hardware (backend/soundcard's Manager in the
// app). When a Phone has none, calls use Config.Audio and no tones play.
type Sound interface {
	// CallAudio opens a call's microphone and speaker; release ends them.
	CallAudio() (src audio.Source, sink audio.Sink, release func(), err error)
	// PlayRinger and PlaySpeaker start a generated sound on the ringer or
	// the call's speaker; stop ends it.
	PlayRinger(src audio.Source) (stop func(), err error)
	PlaySpeaker(src audio.Source) (stop func(), err error)
}

// The phone-error names of the sound hardware, beside the reference's
// user-click-needed (a browser that may not play sound yet): a desktop app
// may always play, but may find no device to play on.
const (
	// ErrorAudioUnavailable: no usable microphone or speaker (none present,
	// busy, or no sound server). Calls still connect, without sound.
	ErrorAudioUnavailable = "audio-device-unavailable"
	// ErrorAudioDeviceLost: the chosen device went away; the default one is
	// used meanwhile.
	ErrorAudioDeviceLost = "audio-device-lost"
	// ErrorAudioDeviceRestored: the chosen device is back and used again.
	ErrorAudioDeviceRestored = "audio-device-restored"
)

// SetPhoneAlerts turns the ringtone (and the call-waiting beep) on or off,
// as the reference's setPhoneAlerts.
func (p *Phone) SetPhoneAlerts(on bool) {
	p.mu.Lock()
	p.alertsOff = !on
	p.mu.Unlock()
}

// PhoneAlerts reports whether incoming calls ring.
func (p *Phone) PhoneAlerts() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.alertsOff
}

// toneOnce plays a tone until stopped; stop may be called any number of times.
type toneOnce struct {
	once sync.Once
	stop func()
}

func (t *toneOnce) Stop() {
	if t == nil {
		return
	}
	t.once.Do(func() {
		if t.stop != nil {
			t.stop()
		}
	})
}

// play starts a tone when the phone has sound; a failure is reported once as
// phone-error and the call goes on silently.
func (p *Phone) play(kind Tone) *toneOnce {
	if p.sound == nil {
		return &toneOnce{}
	}
	var stop func()
	var err error
	switch kind {
	case ToneRingtone:
		stop, err = p.sound.PlayRinger(audio.Ringtone())
	case ToneRingback:
		stop, err = p.sound.PlaySpeaker(audio.Ringback())
	case ToneCallWaiting:
		stop, err = p.sound.PlaySpeaker(audio.CallWaiting())
	case ToneAutoAnswer:
		stop, err = p.sound.PlaySpeaker(audio.AutoAnswerBeep())
	}
	if err != nil {
		p.soundFailed("play tone", err)
		return &toneOnce{}
	}
	return &toneOnce{stop: stop}
}

// preparedAudio is a call's sound opened while it rings (either way), so
// that answering only starts using it: a sound server takes tens of
// milliseconds to start a capture stream, a Bluetooth headset a second or
// more to switch to its headset profile, and a caller must hear the agent
// from the first syllable. Until the media reads it nothing of the
// microphone goes anywhere (soundcard.Stream drops what it captured before).
type preparedAudio struct {
	done    chan struct{}
	src     audio.Source
	sink    audio.Sink
	release func()
}

// prepareAudio starts opening c's sound in the background.
func (p *Phone) prepareAudio(c *call) {
	if p.sound == nil {
		return
	}
	pa := &preparedAudio{done: make(chan struct{})}
	c.mu.Lock()
	c.prepared = pa
	c.mu.Unlock()
	p.calls.Add(1)
	go func() {
		defer p.calls.Done()
		defer close(pa.done)
		pa.src, pa.sink, pa.release = p.callAudio()
	}()
}

// takeAudio is c's sound: the prepared one (waiting for it to open), else
// opened now.
func (p *Phone) takeAudio(c *call) (audio.Source, audio.Sink, func()) {
	c.mu.Lock()
	pa := c.prepared
	c.prepared = nil
	c.mu.Unlock()
	if pa == nil {
		return p.callAudio()
	}
	<-pa.done
	return pa.src, pa.sink, pa.release
}

// dropPrepared closes a prepared sound the call never used.
func (c *call) dropPrepared() {
	c.mu.Lock()
	pa := c.prepared
	c.prepared = nil
	c.mu.Unlock()
	if pa != nil {
		<-pa.done
		pa.release()
	}
}

// callAudio opens a call's sound: the sound card when there is one (silence
// if it fails), else Config.Audio.
func (p *Phone) callAudio() (audio.Source, audio.Sink, func()) {
	if p.sound == nil {
		src, sink := p.audio()
		return src, sink, func() {}
	}
	src, sink, release, err := p.sound.CallAudio()
	if err != nil {
		p.soundFailed("open call audio", err)
		return audio.Silence{}, audio.Discard{}, func() {}
	}
	return src, sink, release
}

func (p *Phone) soundFailed(what string, err error) {
	p.log.Warn(what, "error", err)
	p.emit.Emit(EventPhoneError, ErrorAudioUnavailable)
}
