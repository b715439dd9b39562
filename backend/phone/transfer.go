package phone

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

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
	ErrTransferType      = errors.New("Unsupported transfer type. Use 'direct' or 'consulted'")
	ErrNoCallToTransfer  = errors.New("There is no ongoing call to transfer")
	ErrConsultedNotReady = errors.New("Consulted transfer is not available in this version of VoiceDesk")
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
	kind = strings.ToLower(strings.TrimSpace(kind))
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
	if kind == TransferConsulted {
		return CallTransferState{}, ErrConsultedNotReady
	}
	c, err := p.ongoing()
	if err != nil {
		return CallTransferState{}, err
	}
	p.mu.Lock()
	agent := p.agent
	p.mu.Unlock()
	c.mu.Lock()
	d := c.dlg
	c.mu.Unlock()
	if agent == nil || d == nil {
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
	p.log.Info("transfer", "callId", c.ev.CallID, "kind", kind, "to", number)
	c.mu.Lock()
	c.transferring = true
	c.mu.Unlock()
	res, err := d.Refer(ctx, referTo)
	c.mu.Lock()
	c.transferring = err == nil
	c.mu.Unlock()
	if err != nil {
		p.log.Info("transfer failed", "callId", c.ev.CallID, "status", res.Status, "error", err)
		var fe *sip.FailureError
		switch {
		case errors.As(err, &fe):
			return CallTransferState{}, fmt.Errorf("Transfer failed: the far end refused it (%d %s)", fe.Status, fe.Reason)
		case res.Status >= 300:
			return CallTransferState{}, fmt.Errorf("Transfer failed: %s answered %d %s", number, res.Status, res.Reason)
		}
		return CallTransferState{}, fmt.Errorf("Transfer failed: %w", err)
	}
	c.mu.Lock()
	c.ev.TransferredTo = number
	c.mu.Unlock()
	c.setReason(EndTransferred)
	c.cancel() // this leg hangs up: the far end talks to the target now
	return CallTransferState{CallID: c.ev.CallID, Confirmed: true, TransferredTo: number}, nil
}

// ErrNoConsultation is confirmTransfer's answer when no consulted transfer
// waits for confirmation.
var ErrNoConsultation = errors.New("There is no consulted transfer to confirm")

// ConfirmTransfer is the reference's confirmTransfer(): it completes a
// consulted transfer.
func (p *Phone) ConfirmTransfer(ctx context.Context) (CallTransferState, error) {
	if _, err := p.sessionOrErr(); err != nil {
		return CallTransferState{}, err
	}
	return CallTransferState{}, ErrNoConsultation
}
