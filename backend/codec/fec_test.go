package codec

import (
	"math"
	"testing"

	"voicedesk/backend/audio"
)

// TestOpusFECRecoversALostFrame: a voice whose pitch moves at the frame that
// is lost. Rebuilt from the next packet's in-band FEC, the frame has the new
// pitch; concealed (PLC), it carries the old one on. The encoder puts FEC
// in only when told of loss (ExpectLoss).
func TestOpusFECRecoversALostFrame(t *testing.T) {
	const n = opusRate / 50
	frame := func(i int) []int16 {
		hz := 300.0
		if i >= 10 {
			hz = 700
		}
		out := make([]int16, n)
		for k := range out {
			ph := 2 * math.Pi * hz * float64(i*n+k) / opusRate
			out[k] = int16(8000 * math.Sin(ph))
		}
		return out
	}
	for _, row := range []struct {
		rule    string
		loss    int
		recover bool
		want    int // the lost frame's pitch
	}{
		{"FEC from the next packet has the new pitch", 20, true, 700},
		{"concealment carries the old pitch on", 20, false, 300},
		{"told of no loss, the encoder sends no FEC: the old pitch", 0, true, 300},
	} {
		t.Run(row.rule, func(t *testing.T) {
			enc, err := newOpus()
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.ExpectLoss(row.loss); err != nil {
				t.Fatal(err)
			}
			dec, err := newOpus()
			if err != nil {
				t.Fatal(err)
			}
			var packets [][]byte
			for i := range 14 {
				p, err := enc.Encode(nil, frame(i))
				if err != nil {
					t.Fatal(err)
				}
				packets = append(packets, p)
			}
			var lost []int16
			for i, p := range packets {
				switch {
				case i == 10 && row.recover:
					lost, err = dec.Recover(nil, packets[11], n)
				case i == 10:
					lost, err = dec.Conceal(nil, n)
				default:
					_, err = dec.Decode(nil, p)
				}
				if err != nil {
					t.Fatal(err)
				}
				if i == 11 {
					break
				}
			}
			// The frame's second half: past the codec's look-ahead overlap.
			hz, _ := audio.DominantFrequency(lost[n/2:], opusRate)
			if math.Abs(float64(hz-row.want)) > 60 {
				t.Fatalf("the lost frame's pitch: %d Hz, want about %d", hz, row.want)
			}
		})
	}
}
