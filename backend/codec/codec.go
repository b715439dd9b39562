// Package codec holds the audio codecs behind one interface: Opus (libopus
// through cgo) and G.711 (PCMU, PCMA). It knows PCM frames and payloads,
// not RTP or SDP.
package codec

import (
	"fmt"
	"strings"

	"github.com/zaf/g711"
)

// Codec encodes and decodes one payload type's audio, mono 16-bit PCM.
type Codec interface {
	// Name is the SDP encoding name, e.g. "PCMU".
	Name() string
	// ClockRate is the RTP clock and PCM sample rate.
	ClockRate() int
	// Encode appends the payload for pcm (one 20 ms frame) to dst.
	Encode(dst []byte, pcm []int16) ([]byte, error)
	// Decode appends the PCM of payload to dst.
	Decode(dst []int16, payload []byte) ([]int16, error)
}

// ByName returns a new codec for an SDP encoding name. Opus codecs hold
// state: use one per call.
func ByName(name string) (Codec, error) {
	switch strings.ToUpper(name) {
	case "OPUS":
		return newOpus()
	case "PCMU":
		return pcmu{}, nil
	case "PCMA":
		return pcma{}, nil
	}
	return nil, fmt.Errorf("codec %q is not supported", name)
}

// pcmu is G.711 µ-law (payload type 0).
type pcmu struct{}

func (pcmu) Name() string   { return "PCMU" }
func (pcmu) ClockRate() int { return 8000 }
func (pcmu) Encode(dst []byte, pcm []int16) ([]byte, error) {
	for _, s := range pcm {
		dst = append(dst, g711.EncodeUlawFrame(s))
	}
	return dst, nil
}
func (pcmu) Decode(dst []int16, payload []byte) ([]int16, error) {
	for _, b := range payload {
		dst = append(dst, g711.DecodeUlawFrame(b))
	}
	return dst, nil
}

// pcma is G.711 A-law (payload type 8).
type pcma struct{}

func (pcma) Name() string   { return "PCMA" }
func (pcma) ClockRate() int { return 8000 }
func (pcma) Encode(dst []byte, pcm []int16) ([]byte, error) {
	for _, s := range pcm {
		dst = append(dst, g711.EncodeAlawFrame(s))
	}
	return dst, nil
}
func (pcma) Decode(dst []int16, payload []byte) ([]int16, error) {
	for _, b := range payload {
		dst = append(dst, g711.DecodeAlawFrame(b))
	}
	return dst, nil
}
