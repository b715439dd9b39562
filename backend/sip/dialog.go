package sip

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// dialogRequests are the in-dialog requests of a call, placed or received.
type dialogRequests interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteRequest(req *sip.Request) error
}

// Renegotiate sends a re-INVITE with sdp in the call's dialog (hold,
// resume) and returns the far end's answer; the 200 is ACKed.
func (c *Call) Renegotiate(ctx context.Context, sdp []byte) ([]byte, error) {
	return renegotiate(ctx, c.sess, c.remoteTarget(), sip.INVITE, sdp)
}

// Update sends an UPDATE (RFC 3311) with sdp in the call's dialog and
// returns the far end's answer; there is no ACK.
func (c *Call) Update(ctx context.Context, sdp []byte) ([]byte, error) {
	return renegotiate(ctx, c.sess, c.remoteTarget(), sip.UPDATE, sdp)
}

// Renegotiate sends a re-INVITE in a received call's dialog.
func (in *Incoming) Renegotiate(ctx context.Context, sdp []byte) ([]byte, error) {
	return renegotiate(ctx, in.sess, in.remoteTarget(), sip.INVITE, sdp)
}

// Info sends an INFO in the call's dialog (DTMF without RTP events).
func (c *Call) Info(ctx context.Context, contentType string, body []byte) error {
	return info(ctx, c.sess, c.remoteTarget(), contentType, body)
}

// Info sends an INFO in a received call's dialog.
func (in *Incoming) Info(ctx context.Context, contentType string, body []byte) error {
	return info(ctx, in.sess, in.remoteTarget(), contentType, body)
}

// remoteTarget is where in-dialog requests go: the far end's Contact.
func (c *Call) remoteTarget() sip.Uri {
	if res := c.sess.InviteResponse; res != nil && res.Contact() != nil {
		return res.Contact().Address
	}
	return c.sess.InviteRequest.Recipient
}

func (in *Incoming) remoteTarget() sip.Uri {
	if ct := in.sess.InviteRequest.Contact(); ct != nil {
		return ct.Address
	}
	return in.sess.InviteRequest.From().Address
}

func renegotiate(ctx context.Context, d dialogRequests, target sip.Uri, method sip.RequestMethod, sdp []byte) ([]byte, error) {
	name := "re-INVITE"
	if method == sip.UPDATE {
		name = "UPDATE"
	}
	req := sip.NewRequest(method, target)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(sdp)
	res, err := d.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !res.IsSuccess() {
		return nil, fmt.Errorf("%s: %w", name, &FailureError{Status: int(res.StatusCode), Reason: res.Reason})
	}
	if method == sip.UPDATE {
		return res.Body(), nil
	}
	ack := sip.NewRequest(sip.ACK, target)
	if err := d.WriteRequest(ack); err != nil {
		return nil, fmt.Errorf("ACK the re-INVITE: %w", err)
	}
	return res.Body(), nil
}

func info(ctx context.Context, d dialogRequests, target sip.Uri, contentType string, body []byte) error {
	req := sip.NewRequest(sip.INFO, target)
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	res, err := d.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("INFO: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("INFO: %w", &FailureError{Status: int(res.StatusCode), Reason: res.Reason})
	}
	return nil
}

// Renegotiator answers the far end's re-INVITE or UPDATE in the dialog of
// the SIP Call-ID, with the SDP to send back.
type Renegotiator func(sipCallID string, offer []byte) (answer []byte, err error)

// OnRenegotiate sets the handler of the far end's re-INVITEs and UPDATEs.
func (a *Agent) OnRenegotiate(h Renegotiator) {
	a.mu.Lock()
	a.onRenegotiate = h
	a.mu.Unlock()
}

// handleRenegotiation answers an in-dialog INVITE or UPDATE: 200 with the
// phone's answer, 488 when it has none, 481 for an unknown dialog.
func (a *Agent) handleRenegotiation(req *sip.Request, tx sip.ServerTransaction) {
	a.mu.Lock()
	h := a.onRenegotiate
	a.mu.Unlock()
	id := ""
	if cid := req.CallID(); cid != nil {
		id = cid.Value()
	}
	if h == nil {
		noDialog(tx, req)
		return
	}
	answer, err := h(id, req.Body())
	if err != nil {
		a.log.Info("renegotiation refused", "sipCallId", id, "method", req.Method, "error", err)
		if errors.Is(err, ErrNoDialog) {
			noDialog(tx, req)
			return
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", answer)
	if len(answer) > 0 {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	contact := a.contact()
	res.AppendHeader(&contact)
	if err := tx.Respond(res); err != nil {
		a.log.Warn("answer the renegotiation", "sipCallId", id, "error", err)
	}
}

// ErrNoDialog is a Renegotiator's answer for a Call-ID it has no call for.
var ErrNoDialog = fmt.Errorf("no call in this dialog")

var _ dialogRequests = (*sipgo.DialogClientSession)(nil)
var _ dialogRequests = (*sipgo.DialogServerSession)(nil)

// noDialog answers a request in a dialog this agent does not have (RFC
// 3261 12.2.2): 481, the one answer for it in this package.
func noDialog(tx sip.ServerTransaction, req *sip.Request) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
}
