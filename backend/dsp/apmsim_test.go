package dsp

import (
	"testing"

	"voicedesk/backend/dsp/aecsim"
)

// apmFactory is the processing as the phone ships it: WebRTC's canceller
// and noise suppression (aecsim's candidate name "webrtc").
func apmFactory(rate int, emit func([]int16)) (aecsim.Canceller, error) {
	return NewAPM(APMConfig{Rate: rate, EchoCancel: true, Denoise: true}, emit)
}

const simRate = 48000

// speechAt is espeak-ng saying text, at the simulations' rate.
func speechAt(t *testing.T, text string) []int16 {
	t.Helper()
	s, r, err := aecsim.Speech(text, "en-us")
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewResampler(r, simRate)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	return res.Process(nil, s)
}

func farSpeech(t *testing.T) []int16 {
	return speechAt(t, "Thank you for calling. Your call is important to us. Please hold while I look up your account. The weather today is sunny with a light breeze.")
}

// nearSpeech is what the near end says in the tests.
func nearSpeech(t *testing.T) []int16 {
	return speechAt(t, "Hello, this is Alice from support. How can I help you today? Let me check that for you.")
}

// The processing refuses rates it cannot run at, and a frame of the wrong
// size passes through untouched rather than being cut.
func TestAPMInputs(t *testing.T) {
	if _, err := NewAPM(APMConfig{Rate: 44100, EchoCancel: true}, func([]int16) {}); err == nil {
		t.Error("44100 Hz accepted")
	}
	if _, err := NewAPM(APMConfig{Rate: 48000}, nil); err == nil {
		t.Error("no output accepted")
	}
	var got []int16
	a, err := NewAPM(APMConfig{Rate: 16000, EchoCancel: true, Denoise: true}, func(f []int16) { got = append(got, f...) })
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	odd := []int16{1, 2, 3}
	a.Playback(odd)
	a.Capture(odd)
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("an odd frame came out as %v, want it as it was", got)
	}
}
