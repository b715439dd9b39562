package phone

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
)

// Call event names of the reference.
const (
	EventCallStarted    = "call-started"
	EventCallInProgress = "call-in-progress"
	EventCallIncoming   = "call-incoming"
	EventCallAnswered   = "call-answered"
	EventCallConfirmed  = "call-confirmed"
	EventCallEnded      = "call-ended"
)

// Directions of the reference's CallTypeEnum.
const (
	DirectionIncoming = "incoming"
	DirectionOutbound = "outbound"
)

// Why a call ended, in call-ended's endReason (VoiceDesk's addition to the
// reference's payload).
const (
	EndLocalHangup  = "local-hangup"
	EndRemoteHangup = "remote-hangup"
	EndCancelled    = "cancelled"    // the caller gave up before the answer
	EndRejected     = "rejected"     // this phone rejected an incoming call
	EndBusy         = "busy"         // 486 / 600
	EndDeclined     = "declined"     // 603
	EndNotFound     = "not-found"    // 404 / 484 / 604
	EndUnavailable  = "unavailable"  // 480
	EndNoAnswer     = "no-answer"    // 408 or our own timeout
	EndForbidden    = "forbidden"    // 403: e.g. a CLI or queue the user may not call as
	EndFailed       = "failed"       // any other failure
	EndMediaFailed  = "media-failed" // SDP or ICE/DTLS could not be set up
)

// Call errors.
var (
	ErrNoSuchCall    = coded("no-such-call", "Call not found")
	ErrMissingNumber = coded("missing-number", "Target number is missing")
	ErrBadNumber     = coded("bad-number", "Target number may contain only digits, '+', '*', '#' or a SIP user name")
	ErrNotIncoming   = coded("not-incoming", "The call is not an incoming call waiting for an answer")
	ErrPhoneNotReady = coded("phone-not-ready", "The phone is not registered")
)

// CallEvent is the payload of every call event (the reference's table).
type CallEvent struct {
	// CallID is the platform's id of the call (the reference's "given by
	// FreeSwitch"): the one the platform sent with a call to the phone, or
	// the one the phone made for a call it places, which is also that
	// call's SIP Call-ID and which the platform adopts (lab/API.md). It
	// stays the same for the call's life.
	CallID string `json:"callId"`
	// SIPCallID is this phone's SIP Call-ID of the call (an addition to
	// the reference), so that a CRM can match the call with SIP traces.
	SIPCallID     string     `json:"sipCallId,omitempty"`
	CallDirection string     `json:"callDirection"`
	PhoneNumber   string     `json:"phoneNumber"`
	StartTime     time.Time  `json:"startTime"`
	IsConsulted   bool       `json:"isConsulted"`
	EndTime       *time.Time `json:"endTime,omitempty"`
	EndReason     string     `json:"endReason,omitempty"`
	// DisplayName is the caller's name as received: untrusted text.
	DisplayName string `json:"displayName,omitempty"`
	// A service call's queue: for an incoming one, the queue the caller
	// waited in and when they entered it (UTC, RFC 3339); for an outbound
	// one, the queue it is made for.
	QueueArrivalTime string `json:"queueArrivalTime,omitempty"`
	QueueID          string `json:"queueId,omitempty"`
	QueueName        string `json:"queueName,omitempty"`
	// TransferredTo is the number the call was transferred to.
	TransferredTo string `json:"transferredTo,omitempty"`
	// UserData is what the transferring agent set with setUserData.
	UserData map[string]any `json:"userData,omitempty"`
	// WrapUpDuration is a service call's wrap-up time in seconds, as the
	// platform sent it with the call (incoming) or its answer (outbound).
	WrapUpDuration string `json:"wrapUpDuration,omitempty"`
}

// AudioFactory gives each call its sound source and sink when the phone has
// no Sound: tests use tones and recorders.
type AudioFactory func() (audio.Source, audio.Sink)

type call struct {
	ev CallEvent
	// state is where the call is (callstate.go); only step moves it,
	// under mu, and stepMu orders the moves and their events.
	state  CallState
	stepMu sync.Mutex
	// connectedAt is when the call reached CallConnected.
	connectedAt time.Time
	// ctx is the call's life: cancelled by EndCall, RejectCall or Logout.
	ctx    context.Context
	cancel context.CancelFunc
	media  MediaSession
	// release closes the call's sound (set once its media starts);
	// prepared is the sound opened while the call rings, until then.
	release  func()
	prepared *preparedAudio
	// patch is the call's sound as its media reads and writes it: its own,
	// or a local conference's mixer (conference.go).
	patch *audio.Patch
	// quality watches the line quality once the media starts (quality.go);
	// verdict is its latest ("" before the first).
	quality qualityWatch
	verdict string
	mu      sync.Mutex
	answer  chan struct{} // closed by AnswerCall (incoming)
	// up and over close when the call reaches CallConnected and CallEnded
	// (step closes them, as it moves the state).
	up, over chan struct{}
	// service is an outbound service call's data (queue, callback, CLI).
	service OutboundServiceCallData
	// sipCallID is the SIP Call-ID, set once the call is connected.
	sipCallID string
	// extra is the platform's extra data of an incoming call.
	extra []CallExtraData
	// sv is the supervision an incoming supervision call belongs to.
	sv *supervision
	// dlg is the connected call's SIP dialog; renego serialises its
	// renegotiations (holds, the far end's re-INVITEs).
	dlg    Dialog
	renego sync.Mutex
	// Who holds the call, and whether this side is muted.
	localHold, remoteHold, muted bool
	// transferring: a REFER of this call is under way.
	transferring bool
	// headers are added to an outbound call's INVITE (a consultation's
	// user data).
	headers []sip.Header
	// replaces names a consultation call's dialog for the transferee.
	replaces func() string
	reason   string // set by whoever ends the call
}

// connected records that the call is up, under its SIP Call-ID.
func (c *call) connected(sipCallID string, d Dialog) {
	c.mu.Lock()
	c.sipCallID, c.dlg = sipCallID, d
	c.mu.Unlock()
}

// established returns the SIP Call-ID of a connected call, or "".
func (c *call) established() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sipCallID
}

func (c *call) setReason(r string) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = r
	}
	c.mu.Unlock()
}

func (c *call) endReason(def string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason == "" {
		return def
	}
	return c.reason
}

// newCallID makes an id in the reference's style: 20 lowercase letters and digits.
func newCallID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func validNumber(n string) bool {
	for _, r := range n {
		switch {
		case r >= '0' && r <= '9', r == '+', r == '*', r == '#':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return n != ""
}

// Call starts an outbound call and returns its id once call-started is
// emitted; the rest of the call's life arrives as events.
func (p *Phone) Call(target string) (string, error) {
	return p.dial(target, p.roleCallData())
}

// dial starts an outbound call, a service call when data is not empty.
func (p *Phone) dial(target string, data OutboundServiceCallData) (string, error) {
	target = strings.Join(strings.Fields(target), "")
	if target == "" {
		return "", ErrMissingNumber
	}
	if !validNumber(target) {
		return "", fmt.Errorf("%w (got %q)", ErrBadNumber, target)
	}
	p.mu.Lock()
	if p.session == nil {
		p.mu.Unlock()
		return "", ErrNotLoggedIn
	}
	agent := p.agent
	p.mu.Unlock()
	if agent == nil {
		return "", ErrPhoneNotReady
	}
	c := p.newCall(DirectionOutbound, target, "", "")
	c.ev.SIPCallID = c.ev.CallID
	c.ev.QueueID = data.QueueID
	c.service = data
	p.step(c, inputDial, nil)
	p.calls.Add(1)
	go p.runOutbound(c, agent)
	return c.ev.CallID, nil
}

// newCall registers a call under id, the platform's, or under an id of its
// own when the platform sent none or one already in use here (a platform
// that gave two legs of a call to this phone the same id).
func (p *Phone) newCall(direction, number, name, id string) *call {
	c := p.makeCall(direction, number, name)
	p.mu.Lock()
	p.addLocked(c, id)
	p.mu.Unlock()
	return c
}

// The calls an agent takes at once: a held call, a consultation and one
// waiting (maxCalls); of them at most two incoming calls ringing (two
// callers at once reach an idle agent; a third is a flood, not a queue).
// An INVITE beyond them is declined with 486 Busy Here without ringing.
const (
	maxCalls   = 3
	maxRinging = 2
)

// admitIncoming makes the call of an INVITE if the phone has room for it
// (nil if not), checked and added under one lock so that INVITEs arriving
// together cannot all pass; busy tells whether another call is up, alerts
// whether the agent is alerted.
func (p *Phone) admitIncoming(in Offer) (c *call, busy, alerts bool) {
	c = p.makeCall(DirectionIncoming, in.From, in.DisplayName)
	p.mu.Lock()
	defer p.mu.Unlock()
	ringing := 0
	for _, o := range p.active {
		o.mu.Lock()
		if o.ev.CallDirection == DirectionIncoming && o.state < CallConnected {
			ringing++
		}
		o.mu.Unlock()
	}
	if len(p.active) >= maxCalls || ringing >= maxRinging {
		c.cancel()
		return nil, true, false
	}
	busy, alerts = len(p.active) > 0, !p.alertsOff
	p.addLocked(c, in.PlatformCallID)
	return c, busy, alerts
}

func (p *Phone) makeCall(direction, number, name string) *call {
	ctx, cancel := context.WithCancel(p.ctx)
	return &call{ev: CallEvent{CallDirection: direction, PhoneNumber: number, StartTime: p.now(), DisplayName: name},
		ctx: ctx, cancel: cancel, answer: make(chan struct{}), up: make(chan struct{}), over: make(chan struct{})}
}

// addLocked gives c its id (the platform's, when free) and makes it active.
func (p *Phone) addLocked(c *call, id string) {
	if _, taken := p.active[id]; taken {
		p.log.Warn("the platform's call id is already in use here; the call gets one of its own", "callId", id)
		id = ""
	}
	for id == "" || p.active[id] != nil {
		id = newCallID()
	}
	c.ev.CallID = id
	p.active[id] = c
}

func (p *Phone) runOutbound(c *call, agent UserAgent) {
	defer p.calls.Done()
	ctx := c.ctx
	defer c.cancel()
	defer p.finish(c, EndFailed)
	p.prepareAudio(c)
	sess, err := p.newMedia(p.mediaCfg)
	if err != nil {
		p.log.Warn("call media", "callId", c.ev.CallID, "error", err)
		c.setReason(EndMediaFailed)
		return
	}
	c.mu.Lock()
	c.media = sess
	c.mu.Unlock()
	offer, err := sess.Offer(ctx)
	if err != nil {
		c.setReason(EndMediaFailed)
		return
	}
	// The far end has NoAnswerTimeout to answer; sipgo CANCELs on expiry.
	dialCtx, stopDial := context.WithTimeout(ctx, p.noAnswer)
	// Early media: the first provisional SDP is applied as the answer (pion
	// has no usable pranswer for an offerer) and the far end's audio plays
	// before the call is answered; the 200's SDP, normally the same, is then
	// not applied again.
	var early []byte
	// Local ringback while the far end rings (180) and sends no early media.
	var ringback *toneOnce
	var ringbackOnce sync.Once
	defer func() { ringback.Stop() }()
	out, err := agent.Dial(dialCtx, c.ev.PhoneNumber, []byte(offer), sip.DialHooks{
		Headers: append(c.service.headers(), c.headers...),
		CallID:  c.ev.CallID,
		Progress: func(code int, _ string) {
			p.step(c, inputProvisional, nil) // once: the model refuses a second
			if code == 180 && early == nil {
				ringbackOnce.Do(func() { ringback = p.play(ToneRingback) })
			}
		},
		EarlySDP: func(sdp []byte) {
			if early != nil {
				return
			}
			ringbackOnce.Do(func() {})
			ringback.Stop()
			if err := sess.SetAnswer(string(sdp)); err != nil {
				p.log.Warn("early media SDP", "callId", c.ev.CallID, "error", err)
				return
			}
			early = sdp
			p.log.Info("early media", "callId", c.ev.CallID)
			p.startAudio(c, sess)
		},
	})
	timedOut := errors.Is(dialCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	stopDial()
	ringbackOnce.Do(func() {})
	ringback.Stop()
	if err != nil {
		p.log.Info("call failed", "callId", c.ev.CallID, "error", err)
		if timedOut {
			c.setReason(EndNoAnswer)
		} else {
			c.setReason(failureReason(ctx, err))
		}
		return
	}
	if early == nil {
		if err := sess.SetAnswer(string(out.AnswerSDP())); err != nil {
			p.log.Warn("call answer SDP", "callId", c.ev.CallID, "error", err)
			c.setReason(EndMediaFailed)
			_ = out.Hangup(context.Background())
			return
		}
		p.startAudio(c, sess)
	} else if !bytes.Equal(early, out.AnswerSDP()) {
		// Changing the media after early media needs a re-INVITE; keep the
		// early session, which the far end has been using.
		p.log.Warn("answer SDP differs from the early media SDP; keeping the early one", "callId", c.ev.CallID)
	}
	c.mu.Lock()
	c.replaces = out.ReplacesValue
	if w := out.WrapUp(); w != "" {
		c.ev.WrapUpDuration = w
	}
	c.mu.Unlock()
	c.connected(out.CallID(), out)
	if ctx.Err() != nil {
		// Hung up while the answer was on its way (a 200 OK crossing the
		// CANCEL): the call ends now, never confirmed.
		untilEnd(ctx, c, out.Done(), out.Hangup)
		return
	}
	p.step(c, inputConnected, nil)
	untilEnd(ctx, c, out.Done(), out.Hangup)
}

// untilEnd waits until the far end ends the call (done) or this phone does
// (ctx), and then hangs up.
func untilEnd(ctx context.Context, c *call, done <-chan struct{}, hangup func(context.Context) error) {
	select {
	case <-done:
		c.mu.Lock()
		transferring := c.transferring
		c.mu.Unlock()
		if transferring {
			// A transferee hangs up once its call to the target is up.
			c.setReason(EndTransferred)
		}
		c.setReason(EndRemoteHangup)
	case <-ctx.Done():
		c.setReason(EndLocalHangup)
		hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = hangup(hctx)
		hcancel()
	}
}

func failureReason(ctx context.Context, err error) string {
	var fe *sip.FailureError
	switch {
	case ctx.Err() != nil:
		return EndLocalHangup
	case errors.As(err, &fe):
		switch fe.Status {
		case 486, 600:
			return EndBusy
		case 603:
			return EndDeclined
		case 404, 484, 604:
			return EndNotFound
		case 480:
			return EndUnavailable
		case 408:
			return EndNoAnswer
		case 401, 403, 407:
			return EndForbidden
		case 487:
			return EndCancelled
		}
	}
	return EndFailed
}

func (p *Phone) startAudio(c *call, sess MediaSession) {
	src, sink, release := p.takeAudio(c)
	if c.sv != nil {
		src = audio.Silence{} // a supervisor listens: nothing goes to the call
	}
	patch := audio.NewPatch(src, sink)
	c.mu.Lock()
	c.release = release
	c.patch = patch
	c.mu.Unlock()
	if err := sess.Start(patch, patch); err != nil {
		p.log.Warn("start call audio", "callId", c.ev.CallID, "error", err)
		return
	}
	p.watchQuality(c, sess)
}

// finish removes the call, closes its media and emits call-ended once.
func (p *Phone) finish(c *call, def string) {
	// A merged call leaves its conference first: the other call goes back
	// to its own sound before this one's (maybe the conference's) closes.
	if lc := p.conferenceOf(c); lc != nil {
		p.dissolve(lc, ConferenceHangup)
	}
	c.mu.Lock()
	sess, release := c.media, c.release
	stopQuality := c.quality.end()
	c.mu.Unlock()
	stopQuality()
	if sess != nil {
		_ = sess.Close()
	}
	if release != nil {
		release() // after the media, which reads and writes the sound
	}
	c.dropPrepared()
	p.mu.Lock()
	_, ok := p.active[c.ev.CallID]
	delete(p.active, c.ev.CallID)
	p.mu.Unlock()
	if !ok {
		return
	}
	if c.sv != nil {
		state := SupervisingFailed
		if c.established() != "" {
			state = SupervisingEnded
		}
		p.endSupervision(c.sv, state)
	}
	end := p.now()
	c.mu.Lock()
	ev := c.ev
	c.mu.Unlock()
	ev.EndTime = &end
	ev.EndReason = c.endReason(def)
	p.log.Info("call ended", "callId", ev.CallID, "reason", ev.EndReason)
	p.step(c, inputEnded, &ev)
	if ev.IsConsulted {
		// Off this call's goroutine: taking the held call off hold is a
		// re-INVITE. Counted with the calls, so that Close waits for it.
		p.calls.Add(1)
		go func() {
			defer p.calls.Done()
			p.consultationEnded(c)
		}()
	}
}

// onOffer is the SIP agent's handler for a new INVITE.
func (p *Phone) onOffer(in Offer) {
	if in.SupervisionTarget != "" {
		p.onSupervisionCall(in)
		return
	}
	if err := media.CheckOffer(string(in.SDP)); err != nil {
		// Refused before it rings: answering could only fail (media-failed).
		p.refused.note(p.log, p.now(), "an incoming call's offer cannot be taken; declined with 488", "from", in.From, "error", err)
		_ = in.Dialog.Reject(488, "Not Acceptable Here")
		return
	}
	c, busy, alerts := p.admitIncoming(in)
	if c == nil {
		// Beyond call waiting: the caller hears busy at once, and the agent
		// is not interrupted (a flood of INVITEs rings nothing).
		p.refused.note(p.log, p.now(), "an incoming call beyond call waiting; declined with 486", "from", in.From)
		_ = in.Dialog.Reject(486, "Busy Here")
		return
	}
	c.ev.SIPCallID = in.Dialog.CallID()
	c.ev.QueueID, c.ev.QueueName, c.ev.QueueArrivalTime = in.Queue.ID, in.Queue.Name, in.Queue.Arrival
	c.ev.WrapUpDuration = in.Queue.WrapUp
	c.ev.UserData = userDataOf(in.UserData)
	c.extra = extraDataOf(c.ev.CallID, in.ExtraData)
	_ = in.Dialog.Ringing()
	p.step(c, inputOffered, nil)
	ring := &toneOnce{}
	switch {
	case alerts && busy:
		ring = p.play(ToneCallWaiting) // not the ringer: the agent is in a call
	case alerts:
		ring = p.play(ToneRingtone)
	}
	var auto *time.Timer
	if d, ok := autoAnswerAfter(p.AutoAnswerSetting(), in, busy); ok {
		auto = time.NewTimer(d)
		p.log.Info("the call will be answered by itself", "callId", c.ev.CallID, "after", d.String())
	}
	p.calls.Add(1)
	go p.runIncoming(c, in, ring, auto)
}

// runIncoming rings the call until it is answered (by the agent, or by
// auto, the auto-answer's timer, when set), rejected or cancelled, and then
// runs it to its end.
func (p *Phone) runIncoming(c *call, in Offer, ring *toneOnce, auto *time.Timer) {
	d := in.Dialog
	defer p.calls.Done()
	var autoC <-chan time.Time // nil: never
	if auto != nil {
		defer auto.Stop()
		autoC = auto.C
	}
	ctx := c.ctx
	defer c.cancel()
	defer p.finish(c, EndRemoteHangup)
	defer ring.Stop()
	p.prepareAudio(c)
	for answered := false; !answered; {
		select {
		case <-d.Done():
			c.setReason(EndCancelled)
			return
		case <-ctx.Done():
			// EndCall/RejectCall before the answer, or logout.
			c.setReason(EndRejected)
			_ = d.Reject(603, "Decline")
			return
		case <-c.answer:
			answered = true
		case <-autoC:
			// Auto-answer, once: as the agent's own answer (which closes
			// c.answer for the next turn), unless another call came up
			// meanwhile (the agent is never answered into a second one);
			// then, or if it fails, the call rings on for the agent.
			autoC = nil
			if p.otherCallUp(c) {
				p.log.Info("auto-answer skipped: another call is up", "callId", c.ev.CallID)
				continue
			}
			if err := p.AnswerCall(c.ev.CallID); err != nil {
				p.log.Warn("auto-answer", "callId", c.ev.CallID, "error", err)
				continue
			}
			beep := p.play(ToneAutoAnswer)
			defer beep.Stop()
		}
	}
	ring.Stop()
	sess, err := p.newMedia(p.mediaCfg)
	if err == nil {
		c.mu.Lock()
		c.media = sess
		c.mu.Unlock()
		var answer string
		answer, err = sess.Answer(ctx, string(in.SDP))
		if err == nil {
			err = d.Answer([]byte(answer))
		}
	}
	if err != nil {
		select {
		case <-d.Done():
			// The caller's CANCEL crossed the answer: the call was never
			// answered, whatever failed on the way.
			p.log.Info("the caller hung up as the call was answered", "callId", c.ev.CallID, "error", err)
			c.setReason(EndCancelled)
			return
		default:
		}
		p.log.Warn("answer call", "callId", c.ev.CallID, "error", err)
		c.setReason(EndMediaFailed)
		_ = d.Reject(488, "Not Acceptable Here")
		return
	}
	p.startAudio(c, sess)
	c.connected(d.CallID(), d)
	if c.sv != nil {
		p.supervisionAnswered(c.sv, c.ev.CallID)
	}
	p.step(c, inputConnected, nil) // call-answered, call-confirmed
	untilEnd(ctx, c, d.Done(), d.Hangup)
}

func (p *Phone) lookup(callID string) (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return nil, ErrNotLoggedIn
	}
	c, ok := p.active[callID]
	if !ok {
		return nil, fmt.Errorf("%w (callId %q)", ErrNoSuchCall, callID)
	}
	return c, nil
}

// AnswerCall answers an incoming call.
func (p *Phone) AnswerCall(callID string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return err
	}
	if c.ev.CallDirection != DirectionIncoming {
		return ErrNotIncoming
	}
	select {
	case <-c.answer:
		return ErrNotIncoming
	default:
	}
	// Call waiting: the call in progress goes on hold first.
	p.holdOthers(c)
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.answer:
		return ErrNotIncoming
	default:
		close(c.answer)
	}
	return nil
}

// otherCallUp: a call besides c is connected, held or being placed (an
// auto-answer then waits for the agent).
func (p *Phone) otherCallUp(c *call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range p.active {
		if x != c && (x.established() != "" || x.ev.CallDirection == DirectionOutbound) {
			return true
		}
	}
	return false
}

// holdOthers puts every connected call but c on hold (call waiting).
func (p *Phone) holdOthers(c *call) {
	p.mu.Lock()
	var others []string
	for id, x := range p.active {
		if x != c && x.established() != "" {
			others = append(others, id)
		}
	}
	p.mu.Unlock()
	for _, id := range others {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		if err := p.PauseCall(ctx, id); err != nil && !errors.Is(err, ErrAlreadyOnHold) {
			p.log.Warn("hold the call in progress for the waiting one", "callId", id, "error", err)
		}
		cancel()
	}
}

// RejectCall rejects an incoming call (603 Decline) or ends any other.
func (p *Phone) RejectCall(callID string) error { return p.EndCall(callID) }

// EndCall ends a call whatever its state: cancels an outbound call not yet
// answered, declines an incoming one, hangs up an answered one.
func (p *Phone) EndCall(callID string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return err
	}
	c.cancel()
	return nil
}
