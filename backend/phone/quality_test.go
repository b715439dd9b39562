package phone

import (
	"testing"
	"time"

	"voicedesk/backend/media"
)

func TestJudgeQuality(t *testing.T) {
	for _, c := range []struct {
		name string
		s    media.Stats
		want string
	}{
		{"no audio yet", media.Stats{}, ""},
		{"clean", media.Stats{PacketsReceived: 1000, Jitter: 3, RTT: 20 * time.Millisecond}, "good"},
		{"2% loss is fair", media.Stats{PacketsReceived: 980, PacketsLost: 20}, "fair"},
		{"6% loss is poor", media.Stats{PacketsReceived: 940, PacketsLost: 60}, "poor"},
		{"40 ms jitter is fair", media.Stats{PacketsReceived: 1000, Jitter: 40}, "fair"},
		{"80 ms jitter is poor", media.Stats{PacketsReceived: 1000, Jitter: 80}, "poor"},
		{"a 400 ms round trip is fair", media.Stats{PacketsReceived: 1000, RTT: 400 * time.Millisecond}, "fair"},
		{"a 700 ms round trip is poor", media.Stats{PacketsReceived: 1000, RTT: 700 * time.Millisecond}, "poor"},
		{"negative loss (duplicates) is no loss", media.Stats{PacketsReceived: 1000, PacketsLost: -3}, "good"},
	} {
		if got := judge(c.s); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
