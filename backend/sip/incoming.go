package sip

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Incoming is an INVITE received by the agent: ring, answer or reject it;
// Done is closed when it ends (cancelled by the caller, rejected, or hung
// up after the answer).
type Incoming struct {
	// From is the caller's number (or SIP user) and DisplayName their name,
	// from P-Asserted-Identity or From, cleaned for display (callerIdentity).
	From, DisplayName string
	// Queue says which service queue the call comes from (a service call).
	Queue Queue
	// SupervisionTarget is the supervised user's id on the platform's
	// supervision call ("" on any other).
	SupervisionTarget string
	// PlatformCallID is the platform's own id of the call, from
	// X-Platform-Call-Id ("" when absent or not a plain token).
	PlatformCallID string
	// UserData and ExtraData are the raw values of the X-User-Data and
	// X-Call-Extra headers ("" when absent or too long).
	UserData, ExtraData string
	// AutoAnswerAsked: the INVITE asks to be answered without the user
	// (Call-Info answer-after, Alert-Info intercom), after AutoAnswerAfter
	// seconds (-1: no delay given). Network text: a request only.
	AutoAnswerAsked bool
	AutoAnswerAfter int
	// Offer is the caller's SDP.
	Offer []byte
	// callID is the SIP Call-ID.
	callID string

	sess  *sipgo.DialogServerSession
	tx    sip.ServerTransaction
	agent *Agent

	mu      sync.Mutex
	settled bool // a final answer was sent
	decided chan struct{}
	done    chan struct{}
	// cancelled closes when the caller's CANCEL arrives. Over UDP the
	// INVITE transaction ends only Timer I (5 s) after its 487, so
	// waiting for the transaction's end kept the phone ringing for 5 s
	// after the caller had hung up.
	cancelled chan struct{}
}

// CallID is the call's SIP Call-ID.
func (in *Incoming) CallID() string { return in.callID }

// ErrAlreadyAnswered is returned when a final answer was already sent.
var ErrAlreadyAnswered = errors.New("the call was already answered or rejected")

// OnIncoming sets the handler of new incoming calls. It is called on the
// SIP server's goroutine and must not block.
func (a *Agent) OnIncoming(h func(*Incoming)) {
	a.mu.Lock()
	a.onIncoming = h
	a.mu.Unlock()
}

// handleInvite owns the INVITE transaction until the call is decided and,
// when answered, until the dialog ends; sipgo runs it on its own goroutine.
func (a *Agent) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		// A re-INVITE in a dialog we are in: the far end holds, resumes or
		// changes the media.
		a.handleRenegotiation(req, tx)
		return
	}
	a.mu.Lock()
	h := a.onIncoming
	a.mu.Unlock()
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", nil))
		return
	}
	sess, err := a.serverDialogs.ReadInvite(req, tx)
	if err != nil {
		a.log.Warn("incoming INVITE", "error", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	in := &Incoming{Offer: req.Body(), sess: sess, tx: tx, agent: a, decided: make(chan struct{}), done: make(chan struct{}),
		cancelled: make(chan struct{})}
	var cancelOnce sync.Once
	markCancelled := func() { cancelOnce.Do(func() { close(in.cancelled) }) }
	if !tx.OnCancel(func(*sip.Request) { markCancelled() }) {
		markCancelled() // already cancelled or ended
	}
	in.From, in.DisplayName = callerIdentity(req)
	in.Queue = queueOf(req)
	in.UserData, in.ExtraData = dataHeader(req, HeaderUserData), dataHeader(req, HeaderCallExtra)
	in.AutoAnswerAfter, in.AutoAnswerAsked = autoAnswerAsked(req)
	if h := req.GetHeader(HeaderSupervisionTarget); h != nil {
		in.SupervisionTarget = cleanText(h.Value(), maxQueueField)
	}
	if id := req.CallID(); id != nil {
		in.callID = id.Value()
	}
	in.PlatformCallID = platformCallID(req)
	defer close(in.done)
	defer func() { _ = sess.Close() }()
	h(in)
	select {
	case <-in.decided:
	case <-in.cancelled: // the caller's CANCEL (sipgo answers 487)
		return
	case <-tx.Done(): // timed out
		return
	}
	if sess.LoadState() == sip.DialogStateEnded {
		return // rejected
	}
	<-sess.Context().Done()
}

// Ringing sends 180 Ringing.
func (in *Incoming) Ringing() error {
	if err := in.sess.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		return fmt.Errorf("send 180: %w", err)
	}
	return nil
}

// Answer sends 200 OK with the SDP answer.
func (in *Incoming) Answer(sdp []byte) error {
	if err := in.settle(); err != nil {
		return err
	}
	defer close(in.decided)
	if err := in.sess.RespondSDP(sdp); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	return nil
}

// Reject sends a final failure, e.g. 486 Busy Here or 603 Decline.
func (in *Incoming) Reject(status int, reason string) error {
	if status < 300 || status > 699 {
		return fmt.Errorf("reject with %d: not a failure status", status)
	}
	if err := in.settle(); err != nil {
		return err
	}
	defer close(in.decided)
	if err := in.sess.Respond(status, reason, nil); err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	return nil
}

func (in *Incoming) settle() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.settled {
		return ErrAlreadyAnswered
	}
	select {
	case <-in.cancelled:
		return errors.New("the caller cancelled the call")
	case <-in.tx.Done():
		return errors.New("the caller cancelled the call")
	default:
	}
	in.settled = true
	return nil
}

// Hangup sends BYE on an answered call.
func (in *Incoming) Hangup(ctx context.Context) error {
	if in.sess.LoadState() == sip.DialogStateEnded {
		return nil
	}
	if err := in.sess.Bye(ctx); err != nil {
		return fmt.Errorf("hang up: %w", err)
	}
	return nil
}

// Done is closed when the call has ended, whichever way.
func (in *Incoming) Done() <-chan struct{} { return in.done }
