// Package media is one pion PeerConnection per call: the SDP offer/answer,
// ICE, DTLS-SRTP, and the audio loops between an audio.Source/Sink and the
// RTP of the negotiated codec.
//
// It knows SDP as strings handed to and from backend/phone; it never speaks
// SIP. Every goroutine it starts is owned by a Session and ends in Close.
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"

	"voicedesk/backend/audio"
	"voicedesk/backend/codec"
)

// Config configures sessions.
type Config struct {
	// Codecs in order of preference, by SDP name; default opus, PCMU, PCMA.
	Codecs []string
	// LoopbackOnly restricts ICE to loopback addresses (the lab); otherwise
	// loopback is excluded as usual.
	LoopbackOnly bool
	// GatherTimeout bounds waiting for ICE candidates; host candidates come
	// in milliseconds, so set-up is not stalled by slow server reflexive ones.
	GatherTimeout time.Duration
	Log           *slog.Logger
}

// codecs are the engine's codecs as pion registers them, by SDP name in
// upper case: backend/codec's table, the one place they are described.
var codecs = func() map[string]webrtc.RTPCodecParameters {
	m := map[string]webrtc.RTPCodecParameters{}
	for _, c := range codec.Codecs {
		m[strings.ToUpper(c.Name)] = webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(c.PayloadType),
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/" + c.Name, ClockRate: uint32(c.ClockRate), Channels: uint16(c.Channels), SDPFmtpLine: c.Fmtp}}
	}
	return m
}()

// Session is the media of one call.
type Session struct {
	cfg   Config
	pc    *webrtc.PeerConnection
	track *audioTrack
	// dtmf takes the DTMF events the sender is to send (RFC 4733).
	dtmf chan *dtmfEvent
	log  *slog.Logger

	remote chan *webrtc.TrackRemote
	// firstRTP is closed when the first packet of the far end arrives;
	// firstPlayed when its first decoded frame went to the sink.
	firstRTP    chan struct{}
	firstPlayed chan struct{}
	playedOnce  sync.Once
	// sent counts the audio packets written (pion's stats do not).
	sent atomic.Uint32
	// recovered counts lost frames rebuilt from Opus FEC; farLoss is the
	// loss (%) the far end's RTCP reports of our audio, which the encoder
	// is told (more FEC when the far end loses more).
	recovered atomic.Int64
	farLoss   atomic.Int32
	// muted: silence is sent; noSend/noPlay: the direction (hold) stops
	// sending or playing out.
	muted, noSend, noPlay atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	codec  codec.Codec
	jitter *jitterBuffer
	closed bool
	// sdpVersion moves the origin's version on for each renegotiation.
	sdpVersion uint64
	// recodec is set when a renegotiation changed the codec: the clock
	// rebuilds its encoder, decoder and jitter buffer.
	recodec atomic.Bool
}

// NewSession creates the PeerConnection with an audio transceiver.
func NewSession(cfg Config) (*Session, error) {
	if len(cfg.Codecs) == 0 {
		for _, c := range codec.Codecs {
			cfg.Codecs = append(cfg.Codecs, c.Name)
		}
	}
	if cfg.GatherTimeout == 0 {
		cfg.GatherTimeout = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	me := &webrtc.MediaEngine{}
	clocks := map[uint32]bool{}
	for _, name := range cfg.Codecs {
		params, ok := codecs[strings.ToUpper(name)]
		if !ok {
			return nil, fmt.Errorf("media codec %q is not supported", name)
		}
		if err := me.RegisterCodec(params, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("register %s: %w", name, err)
		}
		clocks[params.ClockRate] = true
	}
	// DTMF events (RFC 4733) at each audio clock rate offered.
	for _, te := range []webrtc.RTPCodecParameters{
		{PayloadType: 101, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: telephoneEvent, ClockRate: 8000, Channels: 1, SDPFmtpLine: "0-16"}},
		{PayloadType: 110, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: telephoneEvent, ClockRate: 48000, Channels: 1, SDPFmtpLine: "0-16"}},
	} {
		if !clocks[te.ClockRate] {
			continue
		}
		if err := me.RegisterCodec(te, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("register telephone-event/%d: %w", te.ClockRate, err)
		}
	}
	se := webrtc.SettingEngine{}
	if cfg.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	// mDNS host candidates would hide the address rtpengine must reach.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled) // (0 is not "off": it left the default, query-only, running)
	// An answer need not declare its SSRC: rtpengine's answer for a plain-RTP
	// trunk or gateway has no a=ssrc, and audio does not negotiate the MID
	// header. By default pion, as the offerer, then refuses the stream (it
	// waits for an answer declaring it), and the phone played nothing of
	// such calls (TestAnswerWithoutSSRCIsHeard). With this, the one audio
	// section takes the stream, as when we are the answerer.
	se.SetHandleUndeclaredSSRCWithoutAnswer(true)
	// As the controlled agent (we answered; rtpengine controls), start on
	// the first valid pair instead of waiting for the controlling agent's
	// nomination: rtpengine nominates 80-120 ms after its checks succeed,
	// and until then pion neither selects a pair nor starts DTLS, so the
	// caller heard nothing of an answered call for that long. RFC 8445
	// §12.1 lets an agent send on a valid pair before nomination, and
	// Chromium's controlled side does the same (its best writable
	// connection). The pair is taken at the controlling side's first check
	// on it, not only once our own check on it has been answered: pion's
	// controlling agent stops checking a pair once its own check succeeds,
	// so when that last request reached us before our check's response (a
	// loaded machine: 1 run in 20 of TestAnsweringStartsBeforeTheNomination)
	// no request came again and we waited for the nomination after all.
	// Taking it then is safe: the request proves the path to us, our answer
	// goes back on the same 5-tuple with our triggered check right behind it
	// (pion sends it before this handler runs), and the controlling side
	// nominates only a pair whose check succeeded, which still switches us
	// to it (pion's controlled selector) if it is another: the worst case is
	// the wait we had. This decides only the start. Only the RTP
	// component's candidates: rtpengine offers rtcp-mux but also RTCP
	// candidates (component 2, its RTP port + 1), pion, muxing, pairs those
	// too, and DTLS started toward rtpengine's RTCP port is dropped there
	// ("no usable candidates", then pion's retransmission 1 s later).
	var startedEarly atomic.Bool
	se.SetICEBindingRequestHandler(func(m *stun.Message, _, remote ice.Candidate, pair *ice.CandidatePair) bool {
		return m.Contains(stun.AttrICEControlling) && remote.Component() == ice.ComponentRTP &&
			(pair.ResponsesReceived() > 0 || pair.RequestsSent() > 0) && startedEarly.CompareAndSwap(false, true)
	})
	// RTCP sender/receiver reports and the stats the phone reads. Not pion's
	// other defaults: NACK and transport-wide congestion control are for
	// video (a resent voice packet arrives after its playout; Opus FEC covers
	// loss), and their timers cost wake-ups on every call.
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, fmt.Errorf("register RTCP reports: %w", err)
	}
	if err := webrtc.ConfigureStatsInterceptor(ir); err != nil {
		return nil, fmt.Errorf("register RTP stats: %w", err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(ir))
	pc, err := api.NewPeerConnection(webrtc.Configuration{BundlePolicy: webrtc.BundlePolicyMaxBundle, RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire})
	if err != nil {
		return nil, fmt.Errorf("create peer connection: %w", err)
	}
	if err := setICECheckInterval(pc, iceCheckInterval); err != nil {
		_ = pc.Close()
		return nil, err
	}
	// The track binds to whichever registered codec the answer picks.
	track := newAudioTrack()
	tr, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("add audio transceiver: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{cfg: cfg, pc: pc, track: track, dtmf: make(chan *dtmfEvent, 1), log: cfg.Log, remote: make(chan *webrtc.TrackRemote, 4), firstRTP: make(chan struct{}), firstPlayed: make(chan struct{}), ctx: ctx, cancel: cancel}
	s.wg.Add(1)
	go s.readReports(tr.Sender())
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		select {
		case s.remote <- tr:
		default:
		}
	})
	return s, nil
}

// Offer creates the local offer and returns it with the candidates gathered
// so far (all host candidates on loopback).
func (s *Session) Offer(ctx context.Context) (string, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("create offer: %w", err)
	}
	return s.setLocal(ctx, offer)
}

// setLocal applies the local description, waits (bounded) for the ICE
// candidates and returns the SDP to send, with its default candidate.
func (s *Session) setLocal(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("set local %s: %w", desc.Type, err)
	}
	select {
	case <-gathered:
	case <-time.After(s.cfg.GatherTimeout):
		s.log.Warn("ICE gathering not complete; sending the candidates so far", "sdp", desc.Type.String())
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return withDefaultCandidate(s.pc.LocalDescription().SDP)
}

// Answer applies the remote offer and returns the local answer.
func (s *Session) Answer(ctx context.Context, offer string) (string, error) {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("set remote offer: %w", err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("create answer: %w", err)
	}
	sdp, err := s.setLocal(ctx, answer)
	if err != nil {
		return "", err
	}
	if err := s.pickCodec(); err != nil {
		return "", err
	}
	return sdp, nil
}

// SetAnswer applies the remote answer and picks the negotiated codec.
func (s *Session) SetAnswer(sdp string) error {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return fmt.Errorf("set remote answer: %w", err)
	}
	return s.pickCodec()
}

func (s *Session) pickCodec() error {
	for _, tr := range s.pc.GetTransceivers() {
		params := tr.Sender().GetParameters()
		var name string
		for _, c := range params.Codecs {
			if !strings.EqualFold(c.MimeType, telephoneEvent) {
				name = strings.TrimPrefix(c.MimeType, "audio/")
				break
			}
		}
		if name == "" {
			continue
		}
		c, err := codec.ByName(name)
		if err != nil {
			return fmt.Errorf("negotiated codec: %w", err)
		}
		s.mu.Lock()
		s.codec = c
		s.mu.Unlock()
		return nil
	}
	return errors.New("the answer negotiated no audio codec")
}

// Codec is the negotiated codec's name, or "" before the answer.
func (s *Session) Codec() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codec == nil {
		return ""
	}
	return s.codec.Name()
}

// Start runs the audio until Close: every 20 ms one frame of src is sent and
// one frame of the far end's audio is played into sink.
func (s *Session) Start(src audio.Source, sink audio.Sink) error {
	s.mu.Lock()
	c := s.codec
	if c == nil {
		s.mu.Unlock()
		return errors.New("start media: no codec negotiated yet")
	}
	jb := newJitterBuffer(c.ClockRate())
	s.jitter = jb
	s.mu.Unlock()
	s.wg.Add(2)
	go s.receive()
	go s.clock(c, jb, src, sink)
	return nil
}

// receive feeds the far end's packets into the jitter buffer. A far end
// that renegotiates with a new media session brings a new stream (SSRC),
// which pion hands over as another track: each gets a reader.
func (s *Session) receive() {
	defer s.wg.Done()
	var first sync.Once
	for {
		var tr *webrtc.TrackRemote
		select {
		case <-s.ctx.Done():
			return
		case tr = <-s.remote:
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				// ReadRTP returns an error once the peer connection closes.
				pkt, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				first.Do(func() { close(s.firstRTP) })
				// The current buffer: a renegotiated codec brings a new one.
				s.mu.Lock()
				jb := s.jitter
				s.mu.Unlock()
				jb.push(pkt.SequenceNumber, pkt.Timestamp, pkt.Payload, time.Now())
			}
		}()
	}
}

// clock is the call's one 20 ms tick: sending and playing out in the same
// wake-up halves the wake-ups of two loops, which is most of a call's CPU
// (each wake-up after idle also wakes Go's sysmon).
func (s *Session) clock(c codec.Codec, jb *jitterBuffer, src audio.Source, sink audio.Sink) {
	defer s.wg.Done()
	const ptime = 20 * time.Millisecond
	var tx sender
	var rx player
	build := func(c codec.Codec, jb *jitterBuffer) {
		tx = sender{s: s, c: c, src: src, frame: make([]int16, c.ClockRate()/50)}
		rx = player{s: s, c: c, jb: jb, sink: sink, frame: c.ClockRate() / 50}
		rx.pcm = make([]int16, 0, rx.frame*6)
		rx.last = make([]int16, rx.frame)
	}
	build(c, jb)
	tick := time.NewTicker(ptime)
	defer tick.Stop()
	for tx.src != nil || rx.sink != nil {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		if s.recodec.CompareAndSwap(true, false) {
			s.mu.Lock()
			c = s.codec
			jb = newJitterBuffer(c.ClockRate())
			s.jitter = jb
			s.mu.Unlock()
			src, sink = tx.src, rx.sink
			build(c, jb)
			s.log.Info("media follows the renegotiated codec", "codec", c.Name())
		}
		tx.step(ptime)
		rx.step()
	}
}

// sender encodes and sends one frame of the source per tick.
type sender struct {
	s       *Session
	c       codec.Codec
	src     audio.Source // nil once it failed
	frame   []int16
	payload []byte
	ev      *dtmfEvent // the DTMF event being sent
	// loss is the far end's loss (%) the encoder was last told.
	loss int
}

func (t *sender) step(ptime time.Duration) {
	if t.src == nil {
		return
	}
	if err := t.src.Read(t.frame, t.c.ClockRate()); err != nil {
		t.s.log.Warn("audio source", "error", err)
		t.src = nil
		return
	}
	samples := uint32(t.c.ClockRate() / 50)
	if t.s.noSend.Load() {
		t.s.track.skip(samples)
		return // on hold: the source is read (and dropped) to keep it in step
	}
	if t.event(samples) {
		return // a DTMF event takes this frame's place
	}
	if t.s.muted.Load() {
		clear(t.frame)
	}
	if l := int(t.s.farLoss.Load()); l != t.loss {
		if lt, ok := t.c.(lossTuner); ok {
			if err := lt.ExpectLoss(l); err != nil {
				t.s.log.Debug("tell the encoder the loss", "error", err)
			}
		}
		t.loss = l
	}
	var err error
	if t.payload, err = t.c.Encode(t.payload[:0], t.frame); err != nil {
		t.s.log.Warn("encode audio", "codec", t.c.Name(), "error", err)
		return
	}
	if err := t.s.track.writeAudio(t.payload, samples); err != nil {
		t.s.log.Debug("write sample", "error", err)
		return
	}
	t.s.sent.Add(1)
}

// concealer is a codec that can make up a lost frame (Opus' PLC).
type concealer interface {
	Conceal(dst []int16, samples int) ([]int16, error)
}

// recoverer is a codec that rebuilds a lost frame from the next packet's
// in-band FEC (Opus).
type recoverer interface {
	Recover(dst []int16, next []byte, samples int) ([]int16, error)
}

// lossTuner is a codec whose encoder is told the loss the far end sees.
type lossTuner interface {
	ExpectLoss(percent int) error
}

// player releases one frame per tick from the jitter buffer to the sink,
// decoding it or concealing a lost one.
type player struct {
	s       *Session
	c       codec.Codec
	jb      *jitterBuffer
	sink    audio.Sink // nil once it failed
	frame   int
	pcm     []int16
	last    []int16
	lostRun int
}

func (p *player) step() {
	if p.sink == nil {
		return
	}
	payload, lost, next, ok := p.jb.pop()
	if !ok || p.s.noPlay.Load() {
		return
	}
	var err error
	p.pcm = p.pcm[:0]
	switch {
	case !lost:
		p.lostRun = 0
		if p.pcm, err = p.c.Decode(p.pcm, payload); err != nil {
			p.s.log.Debug("decode audio", "codec", p.c.Name(), "error", err)
			return
		}
		if len(p.pcm) >= p.frame {
			copy(p.last, p.pcm[len(p.pcm)-p.frame:])
		}
	default:
		p.lostRun++
		fr, canRecover := p.c.(recoverer)
		switch {
		case canRecover && next != nil:
			// The next packet is here: the lost frame from its FEC.
			if p.pcm, err = fr.Recover(p.pcm, next, p.frame); err == nil {
				p.s.recovered.Add(1)
			}
		default:
			if pc, ok := p.c.(concealer); ok {
				p.pcm, err = pc.Conceal(p.pcm, p.frame)
			}
		}
		if err != nil || len(p.pcm) == 0 {
			// G.711 has no PLC of its own: repeat the last frame, fading
			// out by half per lost frame, so a gap is not a click.
			p.pcm = p.pcm[:0]
			scale := math.Pow(0.5, float64(p.lostRun))
			for _, v := range p.last {
				p.pcm = append(p.pcm, int16(float64(v)*scale))
			}
		}
	}
	if err := p.sink.Write(p.pcm, p.c.ClockRate()); err != nil {
		p.s.log.Warn("audio sink", "error", err)
		p.sink = nil
		return
	}
	if !lost {
		p.s.playedOnce.Do(func() { close(p.s.firstPlayed) })
	}
}

// Stats are a call's media figures, from RTCP and the packets themselves.
type Stats struct {
	Codec           string        `json:"codec"`
	PacketsSent     uint32        `json:"packetsSent"`     // RTP packets of our audio
	PacketsReceived uint32        `json:"packetsReceived"` // RTP packets of the far end's audio
	PacketsLost     int32         `json:"packetsLost"`     // of the far end's audio
	Jitter          float64       `json:"jitterMs"`        // of the far end's audio, in ms
	RTT             time.Duration `json:"rttNs"`           // latest ICE consent check round trip
	Concealed       int           `json:"concealed"`       // frames made up for lost packets
	Recovered       int           `json:"recovered"`       // of them, rebuilt from the next packet's Opus FEC
	FarLoss         int           `json:"farLossPercent"`  // the loss the far end reports of our audio (RTCP), %
	LatePackets     int           `json:"latePackets"`     // arrived after their playout time
	BufferFrames    int           `json:"bufferFrames"`    // the jitter buffer's current target
}

// Stats returns the call's current media figures.
func (s *Session) Stats() Stats {
	st := Stats{Codec: s.Codec(), PacketsSent: s.sent.Load(), Recovered: int(s.recovered.Load()), FarLoss: int(s.farLoss.Load())}
	s.mu.Lock()
	jb := s.jitter
	s.mu.Unlock()
	if jb != nil {
		jb.mu.Lock()
		st.Concealed, st.LatePackets, st.BufferFrames = jb.concealed, jb.late, jb.target
		jb.mu.Unlock()
	}
	for _, v := range s.pc.GetStats() {
		// This pion version reports no outbound-rtp or remote-inbound-rtp
		// stats: sent packets are counted here, RTT comes from the ICE pair.
		switch x := v.(type) {
		case webrtc.InboundRTPStreamStats:
			st.PacketsReceived += x.PacketsReceived
			st.PacketsLost += x.PacketsLost
			st.Jitter = x.Jitter * 1000
		case webrtc.ICECandidatePairStats:
			if x.Nominated && x.CurrentRoundTripTime > 0 {
				st.RTT = time.Duration(x.CurrentRoundTripTime * float64(time.Second))
			}
		}
	}
	return st
}

// FirstRTP is closed when the far end's first RTP packet has been received.
func (s *Session) FirstRTP() <-chan struct{} { return s.firstRTP }

// FirstPlayed is closed when the far end's first audio frame has been
// decoded and handed to the sink (the speaker's buffer).
func (s *Session) FirstPlayed() <-chan struct{} { return s.firstPlayed }

// Connected returns a channel closed when ICE and DTLS have connected.
func (s *Session) Connected() <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	s.pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(ch) })
		}
	})
	if s.pc.ConnectionState() == webrtc.PeerConnectionStateConnected {
		once.Do(func() { close(ch) })
	}
	return ch
}

// Close stops the loops and the peer connection, and waits for them.
// readReports reads the far end's RTCP about our audio until the
// PeerConnection closes: the fraction it lost of our packets (its
// receiver reports) goes to the encoder, so that Opus puts in as much FEC
// as the far end's loss calls for (it was a fixed 5 % before, whatever the
// line did). Reading the sender's RTCP also lets pion's interceptors see it.
func (s *Session) readReports(sender *webrtc.RTPSender) {
	defer s.wg.Done()
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return // closed
		}
		for _, pkt := range pkts {
			var reports []rtcp.ReceptionReport
			switch r := pkt.(type) {
			case *rtcp.ReceiverReport:
				reports = r.Reports
			case *rtcp.SenderReport:
				reports = r.Reports
			}
			for _, rr := range reports {
				s.farLoss.Store(int32(rr.FractionLost) * 100 / 256)
			}
		}
	}
}

func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	err := s.pc.Close()
	s.wg.Wait()
	return err
}
