// Package codec holds the audio codecs behind one interface: Opus (libopus
// through cgo) and G.711 (PCMU, PCMA), and the one table that describes
// them (Codecs): their SDP name, clock, payload type and format
// parameters, from which backend/media builds its offer. It knows PCM
// frames and payloads, not RTP packets.
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

// Info describes a codec as an SDP offer names it.
type Info struct {
	// Name is the SDP encoding name (RFC 4855: case-insensitive).
	Name string
	// PayloadType is the static type (RFC 3551) or the dynamic one offered.
	PayloadType uint8
	ClockRate   int
	// Channels in SDP: Opus is always 2 there (RFC 7587), mono or not.
	Channels int
	// Fmtp is the format parameters offered.
	Fmtp string
	make func() (Codec, error)
}

// Codecs are the codecs the phone speaks, in order of preference: Opus
// (in-band FEC on, 10 ms frames allowed), then G.711.
var Codecs = []Info{
	{Name: "opus", PayloadType: 111, ClockRate: 48000, Channels: 2, Fmtp: "minptime=10;useinbandfec=1",
		make: func() (Codec, error) { return newOpus() }},
	{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, make: func() (Codec, error) { return pcmu{}, nil }},
	{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, make: func() (Codec, error) { return pcma{}, nil }},
}

// Lookup finds a codec's description by its SDP name.
func Lookup(name string) (Info, bool) {
	for _, c := range Codecs {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Info{}, false
}

// ByName returns a new codec for an SDP encoding name. Opus codecs hold
// state: use one per call.
func ByName(name string) (Codec, error) {
	if c, ok := Lookup(name); ok {
		return c.make()
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
