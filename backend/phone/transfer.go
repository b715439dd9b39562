package phone

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"voicedesk/backend/sip"
)

// Transfer event names of the reference.
const (
	EventCallTransferStarted = "call-transfer-started"
	EventCallTransferCancel  = "call-transfer-cancel"
	EventCallTransferSuccess = "call-transfer-success"
)

// Transfer types of the reference's TransferTypeEnum.
const (
	TransferDirect    = "direct"
	TransferConsulted = "consulted"
)

// EndTransferred is call-ended's endReason for a call transferred away.
const EndTransferred = "transferred"

// CallTransferState is the reference's CallTransferStateInterface.
type CallTransferState struct {
	CallID        string `json:"callId"`
	Confirmed     bool   `json:"confirmed"`
	TransferredTo string `json:"transferredTo,omitempty"`
}

// Errors of transferCall.
var (
	ErrTransferType     = coded("transfer-type", "Unsupported transfer type. Use 'direct' or 'consulted'")
	ErrNoCallToTransfer = coded("no-call-to-transfer", "There is no ongoing call to transfer")
	ErrConsulting       = coded("consulting", "A consulted transfer is already in progress")
)

// ongoing is the basic call a transfer acts on: connected, not a
// consultation, the one not on hold first.
func (p *Phone) ongoing() (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return nil, ErrNotLoggedIn
	}
	var best *call
	for _, c := range p.active {
		if c.ev.IsConsulted || c.sv != nil || c.established() == "" {
			continue
		}
		c.mu.Lock()
		held := c.localHold
		c.mu.Unlock()
		if best == nil || !held {
			best = c
		}
	}
	if best == nil {
		return nil, ErrNoCallToTransfer
	}
	return best, nil
}

// TransferCall is the reference's transferCall(type, number). A direct
// transfer asks the far end to call number (REFER) and ends this call once
// the far end reports that the target answered; if it does not, the call
// stays and the promise rejects with the reason.
func (p *Phone) TransferCall(ctx context.Context, kind, number string) (CallTransferState, error) {
	// The reference's TransferTypeEnum exactly: 'direct', not 'Direct'.
	if kind != TransferDirect && kind != TransferConsulted {
		return CallTransferState{}, fmt.Errorf("%w (got %q)", ErrTransferType, kind)
	}
	number = strings.Join(strings.Fields(number), "")
	if number == "" {
		return CallTransferState{}, ErrMissingNumber
	}
	if !validNumber(number) {
		return CallTransferState{}, fmt.Errorf("%w (got %q)", ErrBadNumber, number)
	}
	c, err := p.ongoing()
	if err != nil {
		return CallTransferState{}, err
	}
	if p.conferenceOf(c) != nil {
		return CallTransferState{}, ErrTransferMerged
	}
	if kind == TransferConsulted {
		return p.consult(ctx, c, number)
	}
	p.mu.Lock()
	agent := p.agent
	p.mu.Unlock()
	if agent == nil {
		return CallTransferState{}, ErrCallNotConnected
	}
	referTo := agent.TargetURI(number)
	if h := p.userDataHeader(); len(h) > 0 {
		// The data travels as a header of the target's INVITE (RFC 3261
		// 19.1.5: headers in a SIP URI), which the transferee copies.
		referTo += "?" + url.QueryEscape(h[0].Name) + "=" + url.QueryEscape(h[0].Value)
	}
	started := c.ev
	started.TransferredTo = number
	p.emit.Emit(EventCallTransferStarted, started)
	p.log.Info("transfer", "callId", c.ev.CallID, "kind", kind, "to", number, "attended", p.attended)
	if !p.attended {
		// The reference's direct transfer: the far end calls the target
		// and this call ends, once the far end has accepted the REFER.
		if err := p.referAccepted(ctx, c, referTo); err != nil {
			var fe *sip.FailureError
			if errors.As(err, &fe) {
				return CallTransferState{}, fmt.Errorf("Transfer failed: the far end refused it (%d %s)", fe.Status, fe.Reason)
			}
			return CallTransferState{}, fmt.Errorf("Transfer failed: %w", err)
		}
		return p.transferred(c, number), nil
	}
	res, err := p.refer(ctx, c, referTo)
	if err != nil {
		var fe *sip.FailureError
		switch {
		case errors.As(err, &fe):
			return CallTransferState{}, fmt.Errorf("Transfer failed: the far end refused it (%d %s)", fe.Status, fe.Reason)
		case res.Status >= 300:
			return CallTransferState{}, fmt.Errorf("Transfer failed: %s answered %d %s", number, res.Status, res.Reason)
		}
		return CallTransferState{}, fmt.Errorf("Transfer failed: %w", err)
	}
	return p.transferred(c, number), nil
}

// transferred ends c as transferred to number: this leg hangs up, the far
// end talks to the target now.
func (p *Phone) transferred(c *call, number string) CallTransferState {
	c.mu.Lock()
	c.ev.TransferredTo = number
	c.mu.Unlock()
	c.setReason(EndTransferred)
	c.cancel()
	return CallTransferState{CallID: c.ev.CallID, Confirmed: true, TransferredTo: number}
}

// referAccepted sends c's far end a blind REFER to referTo; while it is
// under way the far end's hang-up counts as the transfer's.
func (p *Phone) referAccepted(ctx context.Context, c *call, referTo string) error {
	c.mu.Lock()
	d := c.dlg
	c.transferring = d != nil
	c.mu.Unlock()
	if d == nil {
		return ErrCallNotConnected
	}
	if err := d.ReferAccepted(ctx, referTo); err != nil {
		c.mu.Lock()
		c.transferring = false
		c.mu.Unlock()
		p.log.Info("transfer refused", "callId", c.ev.CallID, "error", err)
		return err
	}
	return nil
}

// ErrNoConsultation is confirmTransfer's answer when no consulted transfer
// waits for confirmation.
var ErrNoConsultation = coded("no-consultation", "There is no consulted transfer to confirm")

// refer sends c's far end a REFER to referTo and follows it to the end;
// while it is under way the far end's hang-up counts as the transfer's.
func (p *Phone) refer(ctx context.Context, c *call, referTo string) (sip.TransferResult, error) {
	c.mu.Lock()
	d := c.dlg
	c.transferring = d != nil
	c.mu.Unlock()
	if d == nil {
		return sip.TransferResult{}, ErrCallNotConnected
	}
	res, err := d.Refer(ctx, referTo)
	if err != nil {
		c.mu.Lock()
		c.transferring = false
		c.mu.Unlock()
		p.log.Info("transfer failed", "callId", c.ev.CallID, "status", res.Status, "error", err)
	}
	return res, err
}

// consultation is a consulted transfer under way: the held call, and the
// consultation call to the transfer target.
type consultation struct {
	original, consult *call
	number            string
	confirmed         bool // under Phone.mu
}

// consult starts a consulted transfer: the call goes on hold and a
// consultation call (isConsulted) goes to number, carrying setUserData's
// data. It resolves once the target has answered; if it does not, the
// call is taken off hold again and the promise rejects.
func (p *Phone) consult(ctx context.Context, c *call, number string) (CallTransferState, error) {
	p.mu.Lock()
	if p.consultation != nil {
		p.mu.Unlock()
		return CallTransferState{}, ErrConsulting
	}
	agent := p.agent
	p.mu.Unlock()
	if agent == nil {
		return CallTransferState{}, ErrPhoneNotReady
	}
	c.mu.Lock()
	held := c.localHold
	c.mu.Unlock()
	if !held {
		if err := p.PauseCall(ctx, c.ev.CallID); err != nil {
			return CallTransferState{}, err
		}
	}
	k := p.newCall(DirectionOutbound, number, "", "")
	k.ev.SIPCallID = k.ev.CallID
	k.ev.IsConsulted = true
	k.headers = p.userDataHeader()
	cons := &consultation{original: c, consult: k, number: number}
	p.mu.Lock()
	p.consultation = cons
	p.mu.Unlock()
	started := c.ev
	started.TransferredTo = number
	p.emit.Emit(EventCallTransferStarted, started)
	p.step(k, inputDial, nil)
	p.calls.Add(1)
	go p.runOutbound(k, agent)
	p.log.Info("consulted transfer", "callId", c.ev.CallID, "consultation", k.ev.CallID, "to", number)
	// Wait for the target's answer (or the consultation's end).
	select {
	case <-k.up:
		return CallTransferState{CallID: c.ev.CallID, Confirmed: false, TransferredTo: number}, nil
	case <-k.over:
		return CallTransferState{}, fmt.Errorf("Transfer failed: the consultation call to %s ended (%s)", number, k.endReason(EndFailed))
	case <-ctx.Done():
		k.cancel()
		return CallTransferState{}, ctx.Err()
	}
}

// ConfirmTransfer is the reference's confirmTransfer(): the held call's far
// end is asked (REFER with Replaces) to take over the consultation call;
// both legs here end and call-transfer-success follows.
func (p *Phone) ConfirmTransfer(ctx context.Context) (CallTransferState, error) {
	if _, err := p.sessionOrErr(); err != nil {
		return CallTransferState{}, err
	}
	p.mu.Lock()
	cons := p.consultation
	p.mu.Unlock()
	if cons == nil {
		return CallTransferState{}, ErrNoConsultation
	}
	k, c := cons.consult, cons.original
	k.mu.Lock()
	replaces := k.replaces
	k.mu.Unlock()
	p.mu.Lock()
	agent := p.agent
	p.mu.Unlock()
	if replaces == nil || k.established() == "" || agent == nil {
		return CallTransferState{}, ErrCallNotConnected
	}
	referTo := agent.TargetURI(cons.number) + "?Replaces=" + url.QueryEscape(replaces())
	if _, err := p.refer(ctx, c, referTo); err != nil {
		return CallTransferState{}, fmt.Errorf("Transfer failed: %w", err)
	}
	p.mu.Lock()
	cons.confirmed = true
	p.mu.Unlock()
	for _, x := range []*call{c, k} {
		x.mu.Lock()
		x.ev.TransferredTo = cons.number
		x.mu.Unlock()
		x.setReason(EndTransferred)
		x.cancel()
	}
	return CallTransferState{CallID: c.ev.CallID, Confirmed: true, TransferredTo: cons.number}, nil
}

// consultationEnded is told by finish when a call ends: the end of the
// consultation call ends the consulted transfer, with success when it was
// confirmed, and otherwise takes the original call off hold.
func (p *Phone) consultationEnded(c *call) {
	p.mu.Lock()
	cons := p.consultation
	if cons == nil || cons.consult != c {
		p.mu.Unlock()
		return
	}
	p.consultation = nil
	confirmed := cons.confirmed
	p.mu.Unlock()
	ev := cons.original.ev
	ev.TransferredTo = cons.number
	if confirmed {
		// Both legs are ending; the transfer has succeeded once the
		// original's call-ended is out too, so that an integration sees
		// the two calls end and then the success.
		select {
		case <-cons.original.over:
		case <-p.ctx.Done():
		}
		p.emit.Emit(EventCallTransferSuccess, ev)
		return
	}
	p.emit.Emit(EventCallTransferCancel, ev)
	if _, err := p.lookup(cons.original.ev.CallID); err == nil {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		if err := p.ResumeCall(ctx, cons.original.ev.CallID); err != nil && !errors.Is(err, ErrNotOnHold) {
			p.log.Warn("resume after the consultation", "callId", cons.original.ev.CallID, "error", err)
		}
	}
}
