// Package voice is the benches' spoken test material: espeak-ng's English
// (backend/dsp/aecsim.Speech) at the rate a bench runs at.
package voice

import (
	"voicedesk/backend/dsp"
	"voicedesk/backend/dsp/aecsim"
)

// Say is text spoken by espeak-ng, resampled to rate.
func Say(text string, rate int) ([]int16, error) {
	s, r, err := aecsim.Speech(text, "en-us")
	if err != nil {
		return nil, err
	}
	res, err := dsp.NewResampler(r, rate)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	return res.Process(nil, s), nil
}
