package media

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"voicedesk/backend/codec"
)

// ErrUnusableOffer is CheckOffer's answer for an offer no call can be made
// of; the phone declines such an INVITE with 488 before it rings.
var ErrUnusableOffer = errors.New("the offer has no audio stream this phone can take")

// CheckOffer tells, before an incoming call rings, whether Answer could
// take its offer: an audio stream that is not rejected (port 0), over
// DTLS-SRTP with ICE (what the platform's rtpengine offers: the media
// engine is WebRTC's), with a codec this phone has. Without this an offer
// of only G.729, or a plain RTP one, rang the agent and failed only when
// answered (a call ended as media-failed that never had a chance).
func CheckOffer(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return fmt.Errorf("%w: no session description (an offer in the answer is not supported)", ErrUnusableOffer)
	}
	var d sdp.SessionDescription
	if err := d.UnmarshalString(raw); err != nil {
		return fmt.Errorf("%w: not a session description: %v", ErrUnusableOffer, err)
	}
	var offered []string
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" || m.MediaName.Port.Value == 0 {
			continue
		}
		if !secured(&d, m) {
			return fmt.Errorf("%w: the audio stream is not DTLS-SRTP with ICE (%s)", ErrUnusableOffer, strings.Join(m.MediaName.Protos, "/"))
		}
		names := encodings(m)
		for _, n := range names {
			if _, ok := codec.Lookup(n); ok {
				return nil
			}
		}
		offered = append(offered, names...)
	}
	if offered == nil {
		return fmt.Errorf("%w: no audio stream, or only rejected ones (port 0)", ErrUnusableOffer)
	}
	return fmt.Errorf("%w: no codec this phone has (offered: %s)", ErrUnusableOffer, strings.Join(offered, ", "))
}

// secured: the stream has ICE credentials and a DTLS fingerprint, at its
// own level or the session's.
func secured(d *sdp.SessionDescription, m *sdp.MediaDescription) bool {
	has := func(key string) bool {
		if _, ok := m.Attribute(key); ok {
			return true
		}
		_, ok := d.Attribute(key)
		return ok
	}
	return has("ice-ufrag") && has("fingerprint")
}

// encodings are the stream's encoding names, from its rtpmap lines or,
// for the static payload types, RFC 3551's table.
func encodings(m *sdp.MediaDescription) []string {
	static := map[string]string{"0": "PCMU", "8": "PCMA", "9": "G722", "18": "G729", "3": "GSM", "4": "G723"}
	var out []string
	for _, pt := range m.MediaName.Formats {
		name := static[pt]
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			f := strings.Fields(a.Value)
			if len(f) == 2 && f[0] == pt {
				name, _, _ = strings.Cut(f[1], "/")
			}
		}
		if name == "" {
			if _, err := strconv.Atoi(pt); err != nil {
				continue
			}
			name = "payload type " + pt
		}
		if strings.EqualFold(name, "telephone-event") {
			continue
		}
		out = append(out, name)
	}
	return out
}
