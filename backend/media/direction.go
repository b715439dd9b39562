package media

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"voicedesk/backend/codec"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Directions of a media stream (RFC 3264).
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

// Direction is the stream direction the call's SDP should state, from who
// holds the call: this phone (local) and the far end (remote).
func Direction(localHold, remoteHold bool) string {
	switch {
	case localHold && remoteHold:
		return Inactive
	case localHold:
		return SendOnly
	case remoteHold:
		return RecvOnly
	}
	return SendRecv
}

// RemoteHolds reads an offer from the far end: does it hold the call (it
// will not receive: sendonly or inactive, RFC 3264 8.4)?
func RemoteHolds(offer string) (bool, error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(offer); err != nil {
		return false, fmt.Errorf("parse the far end's SDP: %w", err)
	}
	dir := directionOf(desc.Attributes, SendRecv)
	for _, md := range desc.MediaDescriptions {
		if md.MediaName.Media == "audio" {
			dir = directionOf(md.Attributes, dir)
			if md.MediaName.Port.Value == 0 {
				return true, nil
			}
			break
		}
	}
	return dir == SendOnly || dir == Inactive, nil
}

func directionOf(attrs []sdp.Attribute, def string) string {
	for _, a := range attrs {
		switch a.Key {
		case SendRecv, SendOnly, RecvOnly, Inactive:
			return a.Key
		}
	}
	return def
}

// ErrNoLocalSDP: the session has not negotiated yet.
var ErrNoLocalSDP = errors.New("the call has no local SDP yet")

// Renegotiation SDP: the session's current local description with the
// audio direction set to dir and the origin's version moved on, so that
// the far end reads it as a new offer or answer (RFC 3264 8). The
// transport (ICE, DTLS) stays as it is, so the media keeps flowing on the
// same path; pion is not renegotiated because only the direction changes.
func (s *Session) DirectionSDP(dir string) (string, error) {
	local := s.pc.LocalDescription()
	if local == nil {
		return "", ErrNoLocalSDP
	}
	raw, err := withDefaultCandidate(local.SDP)
	if err != nil {
		return "", err
	}
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return "", fmt.Errorf("parse local SDP: %w", err)
	}
	s.mu.Lock()
	s.sdpVersion++
	desc.Origin.SessionVersion += s.sdpVersion
	s.mu.Unlock()
	// The DTLS roles were settled by the first exchange: a re-offer that
	// said actpass again would let the far end start a new handshake, which
	// pion does not expect (RFC 5763 5: keep the role of the association).
	role := ""
	if remote := s.pc.RemoteDescription(); remote != nil {
		switch dtlsSetup(remote.SDP) {
		case "passive":
			role = "active"
		case "active":
			role = "passive"
		}
	}
	setAudioDirection(&desc, dir, role)
	out, err := desc.Marshal()
	if err != nil {
		return "", fmt.Errorf("write local SDP: %w", err)
	}
	return string(out), nil
}

// SetMuted sends silence instead of the source while on: the far end hears
// silence, not a frozen frame, and the capture keeps running.
func (s *Session) SetMuted(on bool) { s.muted.Store(on) }

// SetHold sets what flows while a call is held: holding it here, this side
// sends nothing (no music on hold) and plays nothing; held by the far end,
// it sends nothing and plays what the far end sends (its music on hold).
func (s *Session) SetHold(local, remote bool) {
	s.noSend.Store(local || remote)
	s.noPlay.Store(local)
}

// dtlsSetup is the a=setup value of an SDP's audio (or session) level.
func dtlsSetup(raw string) string {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return ""
	}
	for _, md := range desc.MediaDescriptions {
		if v, ok := md.Attribute("setup"); ok {
			return v
		}
	}
	v, _ := desc.Attribute("setup")
	return v
}

// AnswerReoffer answers a new offer from the far end in this session (a
// re-INVITE or UPDATE): pion renegotiates, so that a changed codec list or
// ICE restart is followed, and the answer states dir (the holds). A
// changed codec takes effect at the next 20 ms tick.
func (s *Session) AnswerReoffer(ctx context.Context, offer, dir string) (string, error) {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("set the far end's new offer: %w", err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("answer the far end's new offer: %w", err)
	}
	sdp, err := s.setLocal(ctx, answer)
	if err != nil {
		return "", err
	}
	// pion keeps a bound track's codec across renegotiations: the offer
	// says which codec, at which payload type, the call goes on with.
	name, pt, tePT, teOK, err := offeredCodec(offer)
	if err != nil {
		return "", err
	}
	c, err := codec.ByName(name)
	if err != nil {
		return "", fmt.Errorf("renegotiated codec: %w", err)
	}
	s.mu.Lock()
	old := s.codec
	s.codec = c
	s.mu.Unlock()
	s.track.rebind(pt, uint32(c.ClockRate()), tePT, teOK)
	if old != nil && old.Name() != c.Name() {
		s.recodec.Store(true)
	}
	return withDirection(sdp, dir)
}

// offeredCodec is the first audio codec of an offer that the engine has,
// with its payload type, and a telephone-event at its clock rate.
func offeredCodec(raw string) (name string, pt uint8, tePT uint8, teOK bool, err error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return "", 0, 0, false, fmt.Errorf("parse the far end's offer: %w", err)
	}
	for _, md := range desc.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		type format struct {
			name  string
			clock int
		}
		formats := map[string]format{}
		for _, a := range md.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			num, spec, _ := strings.Cut(a.Value, " ")
			n, clock, _ := strings.Cut(spec, "/")
			cl, _ := strconv.Atoi(strings.SplitN(clock, "/", 2)[0])
			formats[num] = format{strings.ToUpper(n), cl}
		}
		for _, f := range md.MediaName.Formats {
			fm, ok := formats[f]
			if !ok {
				// Static payload types may come without an rtpmap.
				switch f {
				case "0":
					fm = format{"PCMU", 8000}
				case "8":
					fm = format{"PCMA", 8000}
				}
			}
			if _, supported := codecs[fm.name]; !supported {
				continue
			}
			n, _ := strconv.Atoi(f)
			name, pt = fm.name, uint8(n)
			for num, other := range formats {
				if other.name == "TELEPHONE-EVENT" && other.clock == fm.clock {
					if v, err := strconv.Atoi(num); err == nil {
						tePT, teOK = uint8(v), true
					}
				}
			}
			return name, pt, tePT, teOK, nil
		}
	}
	return "", 0, 0, false, errors.New("the far end's offer has no audio codec the phone has")
}

// withDirection sets the audio section's direction attribute of an SDP.
func withDirection(raw, dir string) (string, error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return "", fmt.Errorf("parse local SDP: %w", err)
	}
	setAudioDirection(&desc, dir, "")
	out, err := desc.Marshal()
	if err != nil {
		return "", fmt.Errorf("write local SDP: %w", err)
	}
	return string(out), nil
}

// setAudioDirection states dir in the audio section, and, when role is
// set, answers an a=setup:actpass with it.
func setAudioDirection(desc *sdp.SessionDescription, dir, role string) {
	for _, md := range desc.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		attrs := md.Attributes[:0]
		for _, a := range md.Attributes {
			switch a.Key {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				continue
			case "setup":
				if role != "" && a.Value == "actpass" {
					a.Value = role
				}
			}
			attrs = append(attrs, a)
		}
		md.Attributes = append(attrs, sdp.Attribute{Key: dir})
	}
}

// RestartICE offers the call's media again with new ICE credentials (RFC
// 8445 §9), for when the network under the call changed; the far end's
// answer goes to SetAnswer. dir is the direction to offer (hold state).
func (s *Session) RestartICE(ctx context.Context, dir string) (string, error) {
	offer, err := s.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return "", fmt.Errorf("create the ICE restart offer: %w", err)
	}
	sdp, err := s.setLocal(ctx, offer)
	if err != nil {
		return "", err
	}
	return withDirection(sdp, dir)
}
