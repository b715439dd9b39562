package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// ErrCallFailed is a final non-2xx answer to INVITE.
var ErrCallFailed = errors.New("call failed")

// FailureError carries the final status of a failed INVITE.
type FailureError struct {
	Status int
	Reason string
}

func (e *FailureError) Error() string        { return fmt.Sprintf("%d %s", e.Status, e.Reason) }
func (e *FailureError) Is(target error) bool { return target == ErrCallFailed }

// Call is an established outbound dialog.
type Call struct {
	sess  *sipgo.DialogClientSession
	agent *Agent
	// Answer is the far end's SDP from the 200 OK.
	Answer []byte
	// WrapUp is the service queue's wrap-up time in seconds the platform
	// sent with the answer (X-Queue-Wrap-Up), or "".
	WrapUp string
}

// DialHooks observe a call's set-up.
type DialHooks struct {
	// Sent runs when the INVITE has been written to the transport.
	Sent func()
	// Progress sees each provisional answer (100/180/183).
	Progress func(status int, reason string)
	// EarlySDP gets the SDP of a provisional answer (183 with early media).
	EarlySDP func(sdp []byte)
	// Headers are added to the INVITE (a service call's X-Outbound-*).
	Headers []Header
	// CallID is the INVITE's Call-ID when set (the phone's id of the
	// call, which the platform adopts); sipgo makes one otherwise.
	CallID string
}

// Header is an extra SIP header.
type Header struct{ Name, Value string }

// Dial sends INVITE to target (a user or number in the account's domain, or
// a full sip: URI) with the SDP offer, answers a digest challenge, waits for
// the final answer and ACKs it. progress, if set, sees each provisional
// answer (100/180/183).
func (a *Agent) Dial(ctx context.Context, target string, offer []byte, progress func(status int, reason string)) (*Call, error) {
	return a.DialWithHooks(ctx, target, offer, DialHooks{Progress: progress})
}

// DialWithHooks is Dial with set-up observers.
func (a *Agent) DialWithHooks(ctx context.Context, target string, offer []byte, hooks DialHooks) (*Call, error) {
	progress := hooks.Progress
	var uri sip.Uri
	if strings.HasPrefix(target, "sip:") || strings.HasPrefix(target, "sips:") {
		if err := sip.ParseUri(target, &uri); err != nil {
			return nil, fmt.Errorf("call %q: %w", target, err)
		}
	} else {
		uri = sip.Uri{Scheme: "sip", User: target, Host: a.cfg.Domain}
	}
	req := sip.NewRequest(sip.INVITE, uri)
	from := a.from()
	req.AppendHeader(&from)
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	contact := a.contact()
	req.AppendHeader(&contact)
	if hooks.CallID != "" {
		id := sip.CallIDHeader(hooks.CallID)
		req.AppendHeader(&id)
	}
	for _, h := range hooks.Headers {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	req.SetTransport(a.tp)
	req.SetDestination(a.dest)

	sess, err := a.dialogs.WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("call %s: send INVITE: %w", uri.String(), err)
	}
	if hooks.Sent != nil {
		hooks.Sent()
	}
	// Giving up (ctx ends) is a CANCEL this agent sends itself: sipgo's
	// (v1.7.2/1.7.3) builds it without the INVITE's destination and
	// transport, so it resolved the request's domain in DNS and never
	// reached the proxy (RFC 3263 §4: a CANCEL goes where its INVITE went),
	// and the callee went on ringing. sipgo waits on a context of its own,
	// which only a forced stop (below) ends.
	waitCtx, stopWait := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopWait(nil)
	// The CANCEL is built on WaitAnswer's goroutine, from the INVITE as it
	// stands at a provisional answer (a digest retry changes its Via and
	// CSeq), and handed over: sipgo's session is not safe to read elsewhere.
	cancelReady := make(chan *sip.Request, 1)
	answered := make(chan struct{})
	canceller := make(chan struct{})
	go func() {
		defer close(canceller)
		a.cancelWhenGivenUp(ctx, cancelReady, answered, stopWait)
	}()
	err = sess.WaitAnswer(waitCtx, sipgo.AnswerOptions{
		Username: a.cfg.AuthUser,
		Password: a.cfg.Password,
		OnResponse: func(res *sip.Response) error {
			if res.IsProvisional() {
				select {
				case <-cancelReady: // the newest INVITE's CANCEL replaces an older one
				default:
				}
				cancelReady <- a.cancelRequest(sess.InviteRequest)
			}
			if progress != nil && res.IsProvisional() {
				progress(int(res.StatusCode), res.Reason)
			}
			if hooks.EarlySDP != nil && res.IsProvisional() && res.StatusCode != 100 && len(res.Body()) > 0 {
				hooks.EarlySDP(res.Body())
			}
			return nil
		},
	})
	close(answered)
	<-canceller
	if err != nil && ctx.Err() != nil {
		// Given up: the far end's 487 (or the forced stop) is the
		// cancellation's answer, not a failure of the call.
		_ = sess.Close()
		return nil, fmt.Errorf("call %s: %w", uri.String(), context.Cause(ctx))
	}
	if err != nil {
		_ = sess.Close()
		var dr *sipgo.ErrDialogResponse
		if errors.As(err, &dr) {
			return nil, fmt.Errorf("call %s: %w", uri.String(), &FailureError{Status: int(dr.Res.StatusCode), Reason: dr.Res.Reason})
		}
		return nil, fmt.Errorf("call %s: %w", uri.String(), err)
	}
	if err := sess.Ack(ctx); err != nil {
		_ = sess.Close()
		return nil, fmt.Errorf("call %s: ACK: %w", uri.String(), err)
	}
	return &Call{sess: sess, agent: a, Answer: sess.InviteResponse.Body(), WrapUp: wrapUpOf(sess.InviteResponse)}, nil
}

// cancelWhenGivenUp sends the INVITE's CANCEL once ctx ends, if no final
// answer came first. RFC 3261 §9.1: not before a provisional response (the
// CANCEL could overtake the INVITE), so it waits for one (its CANCEL comes
// with it on ready). After the CANCEL the far end's 487 ends WaitAnswer; if
// none comes within cancelWait (the CANCEL or the 487 lost), stop forces
// WaitAnswer to return without sipgo's own CANCEL.
func (a *Agent) cancelWhenGivenUp(ctx context.Context, ready <-chan *sip.Request, answered <-chan struct{}, stop context.CancelCauseFunc) {
	select {
	case <-ctx.Done():
	case <-answered:
		return
	}
	var req *sip.Request
	select {
	case req = <-ready:
	case <-answered:
		return
	case <-time.After(cancelWait):
		stop(sipgo.WaitAnswerForceCancelErr)
		return
	}
	callID := req.CallID().Value()
	cctx, cancel := context.WithTimeout(context.Background(), cancelWait)
	defer cancel()
	// As built: no option of sipgo's rewrites its Via, CSeq or headers.
	tx, err := a.client.TransactionRequest(cctx, req, func(*sipgo.Client, *sip.Request) error { return nil })
	if err != nil {
		a.log.Warn("CANCEL of an outbound call", "callID", callID, "error", err)
		stop(sipgo.WaitAnswerForceCancelErr)
		return
	}
	defer tx.Terminate()
	select {
	case res := <-tx.Responses():
		if res.StatusCode != sip.StatusOK {
			a.log.Warn("CANCEL of an outbound call refused", "callID", callID, "status", res.StatusCode)
			break
		}
		select {
		case <-answered: // the 487
			return
		case <-time.After(cancelWait):
		}
	case <-tx.Done():
		a.log.Warn("CANCEL of an outbound call unanswered", "callID", callID, "error", tx.Err())
	case <-cctx.Done():
		a.log.Warn("CANCEL of an outbound call unanswered", "callID", callID)
	}
	stop(sipgo.WaitAnswerForceCancelErr)
}

// cancelRequest is the CANCEL of inv: its Request-URI, top Via (whose
// branch names the transaction), From, To, Call-ID, CSeq number and
// Route, sent where and how inv was.
func (a *Agent) cancelRequest(inv *sip.Request) *sip.Request {
	req := sip.NewRequest(sip.CANCEL, inv.Recipient)
	req.AppendHeader(sip.HeaderClone(inv.Via()))
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(inv.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	sip.CopyHeaders("Route", inv, req)
	req.SetBody(nil)
	req.SetTransport(a.tp)
	req.SetDestination(a.dest)
	req.Laddr = inv.Laddr
	return req
}

// cancelWait bounds each step of giving up a call: waiting for a
// provisional answer to CANCEL, the CANCEL's own answer, then the 487.
const cancelWait = 5 * time.Second

// Hangup sends BYE (if the far end has not already ended the call).
func (c *Call) Hangup(ctx context.Context) error {
	defer func() { _ = c.sess.Close() }()
	if c.sess.LoadState() == sip.DialogStateEnded {
		return nil
	}
	if err := c.sess.Bye(ctx); err != nil {
		return fmt.Errorf("hang up: %w", err)
	}
	return nil
}

// Done is closed when the dialog ends, by either side.
func (c *Call) Done() <-chan struct{} { return c.sess.Context().Done() }

// CallID is the dialog's SIP Call-ID: how the platform (and its media
// server) knows the call.
func (c *Call) CallID() string {
	if id := c.sess.InviteRequest.CallID(); id != nil {
		return id.Value()
	}
	return ""
}

func (a *Agent) contact() sip.ContactHeader {
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: a.cfg.User, Host: a.client.Hostname(),
		UriParams: sip.NewParams(), Headers: sip.NewParams()}, Params: sip.NewParams()}
	if a.tp == "WS" || a.tp == "WSS" || a.tp == "TCP" || a.tp == "TLS" {
		contact.Address.UriParams.Add("transport", strings.ToLower(a.tp))
	}
	contact.Address.Port = a.udpPort // 0 (none) but over UDP
	return contact
}
