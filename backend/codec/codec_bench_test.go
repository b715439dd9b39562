package codec

import (
	"math"
	"testing"
)

// One 20 ms frame of a 1 kHz tone through each codec, each way: the engine's
// per-frame cost (50 frames a second each way in a call).
func BenchmarkCodecs(b *testing.B) {
	for _, name := range []string{"opus", "PCMU", "PCMA"} {
		c, err := ByName(name)
		if err != nil {
			b.Fatal(err)
		}
		frame := make([]int16, c.ClockRate()/50)
		for i := range frame {
			frame[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/float64(c.ClockRate())))
		}
		payload, err := c.Encode(nil, frame)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/encode", func(b *testing.B) {
			buf := make([]byte, 0, 1500)
			for b.Loop() {
				if _, err := c.Encode(buf[:0], frame); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decode", func(b *testing.B) {
			pcm := make([]int16, 0, len(frame)*6)
			for b.Loop() {
				if _, err := c.Decode(pcm[:0], payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
