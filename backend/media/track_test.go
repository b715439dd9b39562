package media

import (
	"testing"

	"github.com/pion/rtp"
)

type capture struct{ pkts []rtp.Packet }

func (c *capture) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	c.pkts = append(c.pkts, rtp.Packet{Header: *h, Payload: append([]byte(nil), payload...)})
	return len(payload), nil
}
func (c *capture) Write(b []byte) (int, error) { return len(b), nil }

func TestEventCodes(t *testing.T) {
	for key, want := range map[rune]byte{'0': 0, '9': 9, '*': 10, '#': 11, 'A': 12, 'D': 15} {
		if got, ok := eventCode(key); !ok || got != want {
			t.Errorf("eventCode(%q) = %d, %v; want %d", key, got, ok, want)
		}
	}
	if _, ok := eventCode('E'); ok {
		t.Error("E has an event code")
	}
}

// A 60 ms DTMF '#' at 8 kHz: three packets of the event (the first with the
// marker), the end sent three times, one timestamp throughout, durations
// growing, and the audio's clock moved on past the event.
func TestDTMFEventPackets(t *testing.T) {
	w := &capture{}
	tr := &audioTrack{ws: w, ssrc: 7, pt: 0, clock: 8000, tePT: 101, teOK: true, seq: 100, ts: 1000}
	s := &Session{track: tr, dtmf: make(chan *dtmfEvent, 1)}
	ev := &dtmfEvent{code: 11, total: 480, done: make(chan error, 1)}
	s.dtmf <- ev
	tx := sender{s: s}
	for i := 0; i < 3; i++ {
		if !tx.event(160) {
			t.Fatalf("tick %d sent no event", i)
		}
	}
	if err := <-ev.done; err != nil {
		t.Fatal(err)
	}
	if tx.event(160) {
		t.Error("an event was sent after the last one ended")
	}
	if len(w.pkts) != 5 {
		t.Fatalf("%d packets, want 2 + 3 end packets", len(w.pkts))
	}
	for i, p := range w.pkts {
		end := p.Payload[1]&0x80 != 0
		dur := uint32(p.Payload[2])<<8 | uint32(p.Payload[3])
		if p.PayloadType != 101 || p.Timestamp != 1000 || p.SSRC != 7 || p.Payload[0] != 11 || p.Marker != (i == 0) {
			t.Errorf("packet %d: %+v %x", i, p.Header, p.Payload)
		}
		if wantEnd := i >= 2; end != wantEnd || (i < 2 && dur != uint32(160*(i+1))) || (end && dur != 480) {
			t.Errorf("packet %d: end %v duration %d", i, end, dur)
		}
		if i > 0 && p.SequenceNumber != w.pkts[i-1].SequenceNumber+1 {
			t.Errorf("packet %d: sequence %d after %d", i, p.SequenceNumber, w.pkts[i-1].SequenceNumber)
		}
	}
	if tr.now() != 1000+480 {
		t.Errorf("the audio clock is at %d after the event, want %d", tr.now(), 1000+480)
	}
}
