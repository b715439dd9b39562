package sip

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Transfer outcomes.
var (
	// ErrTransferFailed: the REFER was refused, or the transferee's call to
	// the target failed (its NOTIFY said so).
	ErrTransferFailed = errors.New("transfer failed")
)

// TransferResult is the final outcome a transferee reported.
type TransferResult struct {
	Status int // the sipfrag's status: 200 when the target answered
	Reason string
}

// Refer asks the far end to call referTo (RFC 3515) and follows it: it
// returns when the far end has reported the outcome of its call to the
// target in a NOTIFY (sipfrag), or ctx ends.
func (c *Call) Refer(ctx context.Context, referTo string) (TransferResult, error) {
	return refer(ctx, c.agent, c.sess, c.remoteTarget(), c.CallID(), referTo, true)
}

// Refer asks the far end of a received call to call referTo.
func (in *Incoming) Refer(ctx context.Context, referTo string) (TransferResult, error) {
	return refer(ctx, in.agent, in.sess, in.remoteTarget(), in.callID, referTo, true)
}

// ReferAccepted asks the far end to call referTo and returns once it has
// accepted the REFER (2xx): a blind transfer, whose outcome is the far
// end's to see to.
func (c *Call) ReferAccepted(ctx context.Context, referTo string) error {
	_, err := refer(ctx, c.agent, c.sess, c.remoteTarget(), c.CallID(), referTo, false)
	return err
}

// ReferAccepted is Call.ReferAccepted for a received call.
func (in *Incoming) ReferAccepted(ctx context.Context, referTo string) error {
	_, err := refer(ctx, in.agent, in.sess, in.remoteTarget(), in.callID, referTo, false)
	return err
}

// TargetURI is the SIP URI of a number or user in the account's domain.
func (a *Agent) TargetURI(number string) string {
	return (&sip.Uri{Scheme: "sip", User: number, Host: a.cfg.Domain}).String()
}

func refer(ctx context.Context, a *Agent, d dialogRequests, target sip.Uri, callID, referTo string, untilOutcome bool) (TransferResult, error) {
	notes := a.watchNotify(callID)
	defer a.unwatchNotify(callID)
	req := sip.NewRequest(sip.REFER, target)
	req.AppendHeader(sip.NewHeader("Refer-To", "<"+referTo+">"))
	from := a.from()
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+from.Address.String()+">"))
	res, err := d.Do(ctx, req)
	if err != nil {
		return TransferResult{}, fmt.Errorf("REFER: %w", err)
	}
	if !res.IsSuccess() {
		return TransferResult{Status: int(res.StatusCode), Reason: res.Reason}, fmt.Errorf("REFER: %w: %w", ErrTransferFailed, &FailureError{Status: int(res.StatusCode), Reason: res.Reason})
	}
	if !untilOutcome {
		return TransferResult{Status: int(res.StatusCode), Reason: res.Reason}, nil
	}
	for {
		select {
		case n := <-notes:
			if n.Status < 200 {
				continue // 100 Trying, 180 Ringing: the transferee is calling
			}
			if n.Status >= 300 {
				return n, fmt.Errorf("%w: the target answered %d %s", ErrTransferFailed, n.Status, n.Reason)
			}
			return n, nil
		case <-ctx.Done():
			return TransferResult{}, fmt.Errorf("waiting for the transfer's outcome: %w", ctx.Err())
		}
	}
}

// watchNotify routes the NOTIFYs of refer subscriptions in the dialog of
// callID to the returned channel.
func (a *Agent) watchNotify(callID string) <-chan TransferResult {
	ch := make(chan TransferResult, 8)
	a.mu.Lock()
	if a.notify == nil {
		a.notify = map[string]chan TransferResult{}
	}
	a.notify[callID] = ch
	a.mu.Unlock()
	return ch
}

func (a *Agent) unwatchNotify(callID string) {
	a.mu.Lock()
	delete(a.notify, callID)
	a.mu.Unlock()
}

// handleNotify takes a refer subscription's NOTIFY: 200, and its sipfrag
// to whoever waits for it.
func (a *Agent) handleNotify(req *sip.Request, tx sip.ServerTransaction) {
	id := ""
	if cid := req.CallID(); cid != nil {
		id = cid.Value()
	}
	a.mu.Lock()
	ch := a.notify[id]
	a.mu.Unlock()
	if ch == nil {
		noDialog(tx, req)
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	if r, ok := parseSipfrag(req.Body()); ok {
		select {
		case ch <- r:
		default:
		}
	}
}

// parseSipfrag reads the status line of a message/sipfrag body.
func parseSipfrag(body []byte) (TransferResult, bool) {
	line, err := bufio.NewReader(strings.NewReader(string(body))).ReadString('\n')
	if err != nil && line == "" {
		return TransferResult{}, false
	}
	f := strings.SplitN(strings.TrimSpace(line), " ", 3)
	if len(f) < 2 || !strings.HasPrefix(f[0], "SIP/") {
		return TransferResult{}, false
	}
	code, err := strconv.Atoi(f[1])
	if err != nil || code < 100 || code > 699 {
		return TransferResult{}, false
	}
	r := TransferResult{Status: code}
	if len(f) == 3 {
		r.Reason = cleanText(f[2], maxNameLen)
	}
	return r, true
}

// ReplacesValue is the Replaces header value (RFC 3891) that names this
// call's dialog to the far end of another call: a transferee sends it to
// this call's far end, which then replaces this call with the new one.
func (c *Call) ReplacesValue() string {
	local, remote := "", ""
	if f := c.sess.InviteRequest.From(); f != nil {
		local, _ = f.Params.Get("tag")
	}
	if res := c.sess.InviteResponse; res != nil && res.To() != nil {
		remote, _ = res.To().Params.Get("tag")
	}
	return c.CallID() + ";to-tag=" + remote + ";from-tag=" + local
}
