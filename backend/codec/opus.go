package codec

import (
	"fmt"

	"gopkg.in/hraban/opus.v2"
)

// opusRate is Opus' RTP clock and the PCM rate the phone uses with it.
const opusRate = 48000

// opusCodec is Opus (RFC 7587) through libopus, mono voice at 48 kHz: the SDP
// says opus/48000/2 as RFC 7587 requires, and a stereo peer's audio is
// decoded to mono.
type opusCodec struct {
	enc *opus.Encoder
	dec *opus.Decoder
	buf []byte
	pcm []int16
}

func newOpus() (*opusCodec, error) {
	enc, err := opus.NewEncoder(opusRate, 1, opus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("opus encoder: %w", err)
	}
	// In-band FEC lets the far end recover a lost packet from the next one.
	if err := enc.SetInBandFEC(true); err != nil {
		return nil, fmt.Errorf("opus FEC: %w", err)
	}
	if err := enc.SetPacketLossPerc(5); err != nil {
		return nil, fmt.Errorf("opus loss: %w", err)
	}
	dec, err := opus.NewDecoder(opusRate, 1)
	if err != nil {
		return nil, fmt.Errorf("opus decoder: %w", err)
	}
	// 120 ms at 48 kHz is the longest Opus frame.
	return &opusCodec{enc: enc, dec: dec, buf: make([]byte, 1500), pcm: make([]int16, opusRate*120/1000)}, nil
}

func (*opusCodec) Name() string   { return "opus" }
func (*opusCodec) ClockRate() int { return opusRate }

func (c *opusCodec) Encode(dst []byte, pcm []int16) ([]byte, error) {
	n, err := c.enc.Encode(pcm, c.buf)
	if err != nil {
		return dst, fmt.Errorf("opus encode: %w", err)
	}
	return append(dst, c.buf[:n]...), nil
}

func (c *opusCodec) Decode(dst []int16, payload []byte) ([]int16, error) {
	n, err := c.dec.Decode(payload, c.pcm)
	if err != nil {
		return dst, fmt.Errorf("opus decode: %w", err)
	}
	return append(dst, c.pcm[:n]...), nil
}

// Recover rebuilds a lost frame from the in-band FEC the encoder put in
// the packet after it (RFC 6716 2.1.7: a lower-bitrate copy of the
// previous frame). Without FEC in next, libopus conceals it instead.
func (c *opusCodec) Recover(dst []int16, next []byte, samples int) ([]int16, error) {
	frame := c.pcm[:samples:samples] // the binding takes cap as the lost duration
	if err := c.dec.DecodeFEC(next, frame); err != nil {
		return dst, fmt.Errorf("opus FEC: %w", err)
	}
	return append(dst, frame...), nil
}

// ExpectLoss tells the encoder the loss the far end reports (0-100 %):
// with more expected loss libopus spends more of the bitrate on FEC, with
// none it spends none.
func (c *opusCodec) ExpectLoss(percent int) error {
	if err := c.enc.SetPacketLossPerc(min(max(percent, 0), 100)); err != nil {
		return fmt.Errorf("opus loss: %w", err)
	}
	return nil
}

// Conceal produces a frame for a lost packet (libopus' packet-loss concealment).
func (c *opusCodec) Conceal(dst []int16, samples int) ([]int16, error) {
	// The full slice expression: hraban/opus gives libopus cap(pcm) as the
	// duration to conceal, and c.pcm's capacity is 120 ms: each lost 20 ms
	// frame was concealed as 120 ms (the decoder's state run 100 ms ahead,
	// a second loss in a row faded from there) until 2026-12-07.
	frame := c.pcm[:samples:samples]
	if err := c.dec.DecodePLC(frame); err != nil {
		return dst, fmt.Errorf("opus PLC: %w", err)
	}
	return append(dst, frame...), nil
}
