package calls

import (
	"context"
	"math"
	"testing"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// aliceHearing is the lab's Alice signed in, sending a 1 kHz tone and
// recording what she hears into heard; cfg's other fields are the test's.
func aliceHearing(t *testing.T, ctx context.Context, cfg phone.Config, em phone.Emitter, heard *audio.Recorder) *phone.Phone {
	t.Helper()
	cfg.DiscoveryURL, cfg.Media = lab.DiscoveryURL, media.Config{LoopbackOnly: true}
	cfg.StatusPoll, cfg.PNPSFirst = -1, -1
	cfg.Audio = func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, heard }
	p := phone.New(cfg, platform.New(platform.Config{}), em)
	t.Cleanup(p.Close)
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	return p
}

// toneWindows judges samples in 100 ms windows: those without the lab's
// tone phone (share >= 0.8) within 3 dB of ref (dBFS), of how many, and
// the furthest any window's level was from ref.
func toneWindows(samples []int16, rate int, ref float64) (bad, windows int, worst float64) {
	win := rate / 10
	for i := 0; i+win <= len(samples); i += win {
		w := samples[i : i+win]
		windows++
		off := math.Abs(dbfs(w) - ref)
		worst = math.Max(worst, off)
		if audio.ToneShare(w, rate, lab.Tone.ToneHz) < 0.8 || off > 3 {
			bad++
		}
	}
	return bad, windows, worst
}
