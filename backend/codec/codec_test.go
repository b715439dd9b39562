package codec

import (
	"math"
	"testing"
)

func TestG711RoundTrip(t *testing.T) {
	for _, name := range []string{"PCMU", "pcma"} {
		c, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		pcm := make([]int16, 160)
		for i := range pcm {
			pcm[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
		}
		payload := c.Encode(nil, pcm)
		if len(payload) != 160 {
			t.Fatalf("%s: 160 samples gave %d bytes", name, len(payload))
		}
		back := c.Decode(nil, payload)
		for i := range pcm {
			// G.711's step is at most 1/16 of the magnitude (plus a small floor).
			if d := math.Abs(float64(back[i]) - float64(pcm[i])); d > math.Abs(float64(pcm[i]))/16+40 {
				t.Fatalf("%s sample %d: %d -> %d", name, i, pcm[i], back[i])
			}
		}
	}
	if _, err := ByName("G729"); err == nil {
		t.Fatal("unsupported codec accepted")
	}
}
