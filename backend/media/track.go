package media

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"voicedesk/backend/audio"
)

// telephoneEvent is RFC 4733's payload format for DTMF.
const telephoneEvent = "audio/telephone-event"

// audioTrack is the call's outgoing audio: pion's TrackLocal written by
// hand, because the DTMF events of RFC 4733 travel in the same RTP stream
// (same SSRC, sequence and clock) with their own payload type, which
// pion's static tracks overwrite with the audio codec's.
type audioTrack struct {
	mu    sync.Mutex
	ws    webrtc.TrackLocalWriter
	ssrc  uint32
	pt    uint8
	clock uint32
	// tePT is the telephone-event payload type at the audio's clock rate;
	// teOK says one was negotiated.
	tePT uint8
	teOK bool
	seq  uint16
	ts   uint32
	// marker is set on the next packet (the first, and after a pause).
	marker bool
}

func newAudioTrack() *audioTrack {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &audioTrack{seq: binary.BigEndian.Uint16(b[:2]), ts: binary.BigEndian.Uint32(b[2:]), marker: true}
}

func (t *audioTrack) ID() string                { return "audio" }
func (t *audioTrack) RID() string               { return "" }
func (t *audioTrack) StreamID() string          { return "voicedesk" }
func (t *audioTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// Bind takes the negotiated codecs: the first audio codec, and a
// telephone-event at its clock rate if the far end has one.
func (t *audioTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var audio *webrtc.RTPCodecParameters
	codecs := ctx.CodecParameters()
	for i := range codecs {
		if !strings.EqualFold(codecs[i].MimeType, telephoneEvent) {
			audio = &codecs[i]
			break
		}
	}
	if audio == nil {
		return webrtc.RTPCodecParameters{}, errors.New("no audio codec negotiated")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ws, t.ssrc = ctx.WriteStream(), uint32(ctx.SSRC())
	t.pt, t.clock = uint8(audio.PayloadType), audio.ClockRate
	t.teOK = false
	for _, c := range codecs {
		if strings.EqualFold(c.MimeType, telephoneEvent) && c.ClockRate == audio.ClockRate {
			t.tePT, t.teOK = uint8(c.PayloadType), true
		}
	}
	return *audio, nil
}

func (t *audioTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.ws = nil
	t.mu.Unlock()
	return nil
}

var errUnbound = errors.New("the audio track is not bound yet")

// writeAudio sends one frame of samples (in the codec's clock).
func (t *audioTrack) writeAudio(payload []byte, samples uint32) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ws == nil {
		return errUnbound
	}
	h := &rtp.Header{Version: 2, PayloadType: t.pt, SequenceNumber: t.seq, Timestamp: t.ts, SSRC: t.ssrc, Marker: t.marker}
	t.seq++
	t.ts += samples
	t.marker = false
	_, err := t.ws.WriteRTP(h, payload)
	return err
}

// skip moves the clock on over a frame that is not sent (hold).
func (t *audioTrack) skip(samples uint32) {
	t.mu.Lock()
	t.ts += samples
	t.marker = true
	t.mu.Unlock()
}

// now is the timestamp the next packet carries.
func (t *audioTrack) now() uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ts
}

// canSendEvents reports a negotiated telephone-event.
func (t *audioTrack) canSendEvents() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.teOK && t.ws != nil
}

// eventCode is RFC 4733's event number of a DTMF key: its index in
// audio.DTMFKeys.
func eventCode(key rune) (byte, bool) {
	i := strings.IndexRune(audio.DTMFKeys, key)
	return byte(i), i >= 0
}

// writeEvent sends one packet of a DTMF event that started at start (its
// timestamp) and has lasted duration samples; end marks its last packets.
func (t *audioTrack) writeEvent(code byte, start uint32, duration uint32, first, end bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ws == nil || !t.teOK {
		return errUnbound
	}
	if duration > 0xffff {
		duration = 0xffff
	}
	flags := byte(10) // volume -10 dBm0
	if end {
		flags |= 0x80
	}
	payload := []byte{code, flags, byte(duration >> 8), byte(duration)}
	h := &rtp.Header{Version: 2, PayloadType: t.tePT, SequenceNumber: t.seq, Timestamp: start, SSRC: t.ssrc, Marker: first}
	t.seq++
	_, err := t.ws.WriteRTP(h, payload)
	return err
}

// dtmfEvent is a DTMF key to send as RFC 4733 events.
type dtmfEvent struct {
	code         byte
	total        uint32 // duration in samples of the codec's clock
	start, sofar uint32
	started      bool
	done         chan error
}

// ErrNoTelephoneEvent: the far end did not negotiate RFC 4733 events at the
// audio's clock rate; DTMF must go another way (SIP INFO).
var ErrNoTelephoneEvent = errors.New("no telephone-event negotiated at the audio's clock rate")

// CanSendDTMF reports whether DTMF can go as RFC 4733 events.
func (s *Session) CanSendDTMF() bool { return s.track.canSendEvents() }

// SendDTMF sends key as RFC 4733 events lasting duration, in place of the
// audio, and returns when its end has been sent.
func (s *Session) SendDTMF(ctx context.Context, key rune, duration time.Duration) error {
	code, ok := eventCode(key)
	if !ok {
		return fmt.Errorf("DTMF key %q has no RFC 4733 event", key)
	}
	if !s.track.canSendEvents() {
		return ErrNoTelephoneEvent
	}
	s.mu.Lock()
	c := s.codec
	s.mu.Unlock()
	if c == nil {
		return errors.New("send DTMF: no codec negotiated yet")
	}
	ev := &dtmfEvent{code: code, total: uint32(duration.Seconds() * float64(c.ClockRate())), done: make(chan error, 1)}
	select {
	case s.dtmf <- ev:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return errors.New("send DTMF: the call's media has ended")
	}
	select {
	case err := <-ev.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return errors.New("send DTMF: the call's media has ended")
	}
}

// event sends this tick's packet of a DTMF event, starting one that is
// queued; false when there is none and the audio goes out.
func (t *sender) event(samples uint32) bool {
	if t.ev == nil {
		select {
		case t.ev = <-t.s.dtmf:
		default:
			return false
		}
	}
	ev := t.ev
	if !ev.started {
		ev.start, ev.started = t.s.track.now(), true
	}
	ev.sofar += samples
	end := ev.sofar >= ev.total
	dur := min(ev.sofar, ev.total)
	var err error
	// The end packet goes three times (RFC 4733 2.5.1.4).
	for i := 0; i < 1 || (end && i < 3); i++ {
		if err = t.s.track.writeEvent(ev.code, ev.start, dur, ev.sofar == samples && i == 0, end); err != nil {
			break
		}
	}
	if end || err != nil {
		t.s.track.skip(ev.sofar)
		ev.done <- err
		t.ev = nil
	}
	return true
}

// rebind takes a renegotiated codec's payload type and clock, and the
// telephone-event that goes with it: pion binds a track only once.
func (t *audioTrack) rebind(pt uint8, clock uint32, tePT uint8, teOK bool) {
	t.mu.Lock()
	t.pt, t.clock, t.tePT, t.teOK = pt, clock, tePT, teOK
	t.marker = true
	t.mu.Unlock()
}
