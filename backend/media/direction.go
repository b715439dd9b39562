package media

import (
	"errors"
	"fmt"

	"github.com/pion/sdp/v3"
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
