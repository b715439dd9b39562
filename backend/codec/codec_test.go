package codec

import (
	"math"
	"testing"
)

func sine(n, rate int, hz float64) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return pcm
}

func TestG711RoundTrip(t *testing.T) {
	for _, name := range []string{"PCMU", "pcma"} {
		c, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		pcm := sine(160, 8000, 1000)
		payload, err := c.Encode(nil, pcm)
		if err != nil || len(payload) != 160 {
			t.Fatalf("%s: 160 samples gave %d bytes, %v", name, len(payload), err)
		}
		back, err := c.Decode(nil, payload)
		if err != nil {
			t.Fatal(err)
		}
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

func TestOpusRoundTrip(t *testing.T) {
	c, err := ByName("opus")
	if err != nil {
		t.Fatal(err)
	}
	if c.ClockRate() != 48000 || c.Name() != "opus" {
		t.Fatalf("opus: %s at %d", c.Name(), c.ClockRate())
	}
	var out []int16
	frame := 960
	pcm := sine(frame*25, 48000, 1000)
	for i := 0; i < 25; i++ {
		payload, err := c.Encode(nil, pcm[i*frame:(i+1)*frame])
		if err != nil {
			t.Fatal(err)
		}
		if len(payload) == 0 || len(payload) > 400 {
			t.Fatalf("opus frame of %d bytes", len(payload))
		}
		if out, err = c.Decode(out, payload); err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != len(pcm) {
		t.Fatalf("decoded %d samples, want %d", len(out), len(pcm))
	}
	// Skip the codec's start-up; then the energy must be the tone's.
	var e float64
	for _, s := range out[frame*5:] {
		e += float64(s) * float64(s)
	}
	if rms := math.Sqrt(e / float64(len(out)-frame*5)); rms < 3000 || rms > 8000 {
		t.Fatalf("decoded RMS %.0f, want about 5657", rms)
	}
	if _, err := c.Decode(nil, []byte{0xff, 0xff, 0xff}); err == nil {
		t.Log("libopus accepted a garbage packet (allowed: it may conceal)")
	}
}
