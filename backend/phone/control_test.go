package phone

import (
	"errors"
	"testing"
	"time"
)

func f64(v float64) *float64 { return &v }

func TestDTMFRules(t *testing.T) {
	for _, tc := range []struct {
		rule       string
		tones      string
		opts       DTMFOptions
		want       error
		dur, gap   time.Duration
		normalized string
	}{
		{"defaults are 160 ms tones with 1200 ms gaps", "123", DTMFOptions{}, nil, 160 * time.Millisecond, 1200 * time.Millisecond, "123"},
		{"A-D # * and , are tones", "ABCD#*,", DTMFOptions{}, nil, 160 * time.Millisecond, 1200 * time.Millisecond, "ABCD#*,"},
		{"lower case is not in the reference's set", "a", DTMFOptions{}, ErrDTMFTones, 0, 0, ""},
		{"a space is not a tone (not trimmed either)", " 1", DTMFOptions{}, ErrDTMFTones, 0, 0, ""},
		{"tones are required", "", DTMFOptions{}, ErrDTMFTonesMissing, 0, 0, ""},
		{"other characters are refused", "1 2", DTMFOptions{}, ErrDTMFTones, 0, 0, ""},
		{"E is not a tone", "E", DTMFOptions{}, ErrDTMFTones, 0, 0, ""},
		{"duration 40 ms is the least", "1", DTMFOptions{Duration: f64(40)}, nil, 40 * time.Millisecond, 1200 * time.Millisecond, "1"},
		{"duration under 40 ms is refused", "1", DTMFOptions{Duration: f64(39.9)}, ErrDTMFDuration, 0, 0, ""},
		{"duration 6000 ms is the most", "1", DTMFOptions{Duration: f64(6000)}, nil, 6 * time.Second, 1200 * time.Millisecond, "1"},
		{"duration over 6000 ms is refused", "1", DTMFOptions{Duration: f64(6001)}, ErrDTMFDuration, 0, 0, ""},
		{"interToneGap 30 ms is the least", "1", DTMFOptions{InterToneGap: f64(30)}, nil, 160 * time.Millisecond, 30 * time.Millisecond, "1"},
		{"interToneGap under 30 ms is refused", "1", DTMFOptions{InterToneGap: f64(29)}, ErrDTMFGap, 0, 0, ""},
		{"a wall of digits is refused", string(make([]byte, 65)), DTMFOptions{}, ErrDTMFTooMany, 0, 0, ""},
	} {
		tones, dur, gap, err := validDTMF(tc.tones, tc.opts)
		if !errors.Is(err, tc.want) || (err == nil && (tones != tc.normalized || dur != tc.dur || gap != tc.gap)) {
			t.Errorf("%s: %q %v %v %v", tc.rule, tones, dur, gap, err)
		}
	}
}
