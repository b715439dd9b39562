package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"

	"voicedesk/backend/audio"
	"voicedesk/backend/codec"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
)

// trunkEnd is a far end on plain RTP, as a contact centre's PSTN gateway or
// SBC is: registered over UDP, so the lab's proxy has rtpengine take ICE and
// DTLS off its leg (kamailio.cfg's MEDIA_OFFER/MEDIA_ANSWER). With it, the
// time from the answer to the far end hearing the microphone is the phone's
// own leg (ICE, DTLS, the first packet), not a second WebRTC endpoint's
// connection on the far leg, which the WebRTC far end's figure includes.
//
// It decodes each packet as it arrives, without a jitter buffer: "heard" is
// the far end's decoder putting the microphone out, and a gateway's own
// playout buffer (fixed, its own choice) comes after that. It sends Opus
// silence every 20 ms, as a gateway sends its line's audio, so rtpengine's
// leg toward it is symmetric as on a trunk.
type trunkEnd struct {
	conn *net.UDPConn
	ear  *farSink

	mu   sync.Mutex
	peer *net.UDPAddr // rtpengine's media address for this call
	pt   uint8        // Opus's payload type on this call
	dec  codec.Codec  // a fresh decoder per call
	stop chan struct{}
	done sync.WaitGroup
}

func newTrunkEnd(ear *farSink) (*trunkEnd, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("trunk far end: listen: %w", err)
	}
	t := &trunkEnd{conn: conn, ear: ear, stop: make(chan struct{})}
	t.done.Add(2)
	go t.receive()
	go t.send()
	return t, nil
}

func (t *trunkEnd) Close() {
	close(t.stop)
	_ = t.conn.Close()
	t.done.Wait()
}

// sdp is the trunk's offer or answer: Opus (48 kHz, 20 ms) on plain RTP.
func (t *trunkEnd) sdp(pt uint8) string {
	port := t.conn.LocalAddr().(*net.UDPAddr).Port
	return fmt.Sprintf("v=0\r\no=trunk 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP %d\r\na=rtpmap:%d opus/48000/2\r\na=fmtp:%d useinbandfec=1\r\na=ptime:20\r\na=sendrecv\r\n",
		port, pt, pt, pt)
}

// offer is the trunk's offer for a call it places (payload type 111).
func (t *trunkEnd) offer() string { return t.sdp(111) }

// answer takes the offer of a call it is given and returns its answer.
func (t *trunkEnd) answer(offer []byte) (string, error) {
	pt, err := t.remote(offer)
	if err != nil {
		return "", err
	}
	return t.sdp(pt), nil
}

// remote reads rtpengine's address and Opus's payload type from its SDP
// and starts a call with them: a fresh decoder, RTP sent to that address.
func (t *trunkEnd) remote(raw []byte) (uint8, error) {
	var d sdp.SessionDescription
	if err := d.Unmarshal(raw); err != nil {
		return 0, fmt.Errorf("trunk far end: rtpengine's SDP: %w", err)
	}
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		c := d.ConnectionInformation
		if m.ConnectionInformation != nil {
			c = m.ConnectionInformation
		}
		if c == nil || c.Address == nil {
			return 0, errors.New("trunk far end: rtpengine's SDP has no connection address")
		}
		for _, f := range m.MediaName.Formats {
			n, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			codecName, ok := d.GetCodecForPayloadType(uint8(n))
			if ok != nil || codecName.Name != "opus" {
				continue
			}
			dec, err := codec.ByName("opus")
			if err != nil {
				return 0, err
			}
			t.mu.Lock()
			t.peer = &net.UDPAddr{IP: net.ParseIP(c.Address.Address), Port: m.MediaName.Port.Value}
			t.pt, t.dec = uint8(n), dec
			t.mu.Unlock()
			return uint8(n), nil
		}
		return 0, errors.New("trunk far end: rtpengine offers no Opus")
	}
	return 0, errors.New("trunk far end: rtpengine's SDP has no audio")
}

// hangup forgets the call: nothing is sent and what still arrives is dropped.
func (t *trunkEnd) hangup() {
	t.mu.Lock()
	t.peer, t.dec = nil, nil
	t.mu.Unlock()
}

func (t *trunkEnd) receive() {
	defer t.done.Done()
	buf := make([]byte, 1500)
	var pcm []int16
	for {
		n, err := t.conn.Read(buf)
		if err != nil {
			return // closed
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil {
			continue // RTCP (rtcp-mux-demux sends it on the next port, but be safe)
		}
		t.mu.Lock()
		dec, pt := t.dec, t.pt
		if dec != nil && p.PayloadType == pt {
			pcm, err = dec.Decode(pcm[:0], p.Payload)
		}
		t.mu.Unlock()
		if dec == nil || p.PayloadType != pt || err != nil {
			continue
		}
		_ = t.ear.Write(pcm, dec.ClockRate())
	}
}

func (t *trunkEnd) send() {
	defer t.done.Done()
	enc, err := codec.ByName("opus")
	if err != nil {
		return
	}
	silence := make([]int16, 960)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var seq uint16
	var ts uint32
	buf := make([]byte, 0, 1500)
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		t.mu.Lock()
		peer, pt := t.peer, t.pt
		t.mu.Unlock()
		if peer == nil {
			continue
		}
		payload, err := enc.Encode(buf[:0], silence)
		if err != nil {
			continue
		}
		seq++
		ts += 960
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: 0x7a17c0de}, Payload: payload}
		if raw, err := pkt.Marshal(); err == nil {
			_, _ = t.conn.WriteToUDP(raw, peer)
		}
	}
}

var _ audio.Sink = (*farSink)(nil)

// trunkLeg registers the trunk far end (the lab's sara account, over UDP)
// and returns it as the rig's far leg.
func (b *bench) trunkLeg(ctx context.Context, lab *labctl.State, ear *farSink, log *slog.Logger) (*farLeg, error) {
	trunk, err := newTrunkEnd(ear)
	if err != nil {
		return nil, err
	}
	b.Cleanup(trunk.Close)
	agent, err := sip.New(sip.Config{Server: lab.SIPProxy, Transport: sip.TransportUDP, User: "sara", Domain: lab.Domain, Password: "sara-sip-44d0", Log: log})
	if err != nil {
		return nil, err
	}
	b.Cleanup(func() { _ = agent.Close() })
	if err := agent.Register(ctx); err != nil {
		return nil, fmt.Errorf("trunk far end: register: %w", err)
	}
	keep, stopKeep := context.WithCancel(ctx)
	kept := make(chan struct{})
	go func() { defer close(kept); agent.Maintain(keep, sip.MaintainConfig{}, func(sip.ConnState) {}) }()
	b.Cleanup(func() { stopKeep(); <-kept })
	answered := make(chan time.Time, 1)
	agent.OnIncoming(func(in *sip.Incoming) {
		go func() {
			ans, err := trunk.answer(in.Offer)
			t0 := time.Now() // the 200 OK written (Answer returns at the ACK)
			if err == nil {
				err = in.Answer([]byte(ans))
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "trunk far end:", err)
				return
			}
			select {
			case answered <- t0:
			default:
			}
		}()
	})
	return &farLeg{user: "sara", answered: answered, closeFar: trunk.hangup,
		callAlice: func(ctx context.Context) (func() error, <-chan struct{}, func(), error) {
			dialed := make(chan error, 1)
			go func() {
				call, err := agent.Dial(ctx, "alice", []byte(trunk.offer()), nil)
				if err == nil {
					_, err = trunk.remote(call.Answer)
				}
				dialed <- err
			}()
			return func() error { return <-dialed }, nil, trunk.hangup, nil
		}}, nil
}
