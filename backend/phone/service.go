package phone

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
)

// OutboundServiceCallData is the reference's OutboundServiceCallDataInterface:
// an outbound call made for a queue or a callback request instead of as a
// personal call, optionally with the caller id (CLI) to show.
type OutboundServiceCallData struct {
	CallbackListID    string `json:"callbackListId,omitempty"`
	CallbackRequestID string `json:"callbackRequestId,omitempty"`
	QueueID           string `json:"queueId,omitempty"`
	CLI               string `json:"cli,omitempty"`
}

// Errors of an outbound service call's data.
var (
	ErrServiceCallBoth  = coded("service-call-both", "Give either queueId, or callbackListId with callbackRequestId, not both")
	ErrCallbackIDs      = coded("callback-ids", "callbackListId and callbackRequestId must be given together")
	ErrServiceCallID    = coded("service-call-id", "Queue, callback list and callback request ids may contain only letters, digits, '-' and '_'")
	ErrBadCLI           = coded("bad-cli", "CLI must be a phone number: digits with an optional leading '+'")
	ErrQueueIDMissing   = coded("queue-id-missing", "Queue id is missing")
	ErrCallbackIDsEmpty = coded("callback-ids-empty", "Callback list id and callback request id are missing")
)

var (
	serviceID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	cliNumber = regexp.MustCompile(`^\+?[0-9]{2,20}$`)
)

// normalize trims the data and checks it as the platform needs it.
func (d OutboundServiceCallData) normalize() (OutboundServiceCallData, error) {
	d.CallbackListID = strings.TrimSpace(d.CallbackListID)
	d.CallbackRequestID = strings.TrimSpace(d.CallbackRequestID)
	d.QueueID = strings.TrimSpace(d.QueueID)
	d.CLI = strings.Join(strings.Fields(d.CLI), "")
	callback := d.CallbackListID != "" || d.CallbackRequestID != ""
	switch {
	case d.QueueID != "" && callback:
		return d, ErrServiceCallBoth
	case callback && (d.CallbackListID == "" || d.CallbackRequestID == ""):
		return d, ErrCallbackIDs
	}
	for _, id := range []string{d.QueueID, d.CallbackListID, d.CallbackRequestID} {
		if id != "" && !serviceID.MatchString(id) {
			return d, fmt.Errorf("%w (got %q)", ErrServiceCallID, id)
		}
	}
	if d.CLI != "" && !cliNumber.MatchString(d.CLI) {
		return d, fmt.Errorf("%w (got %q)", ErrBadCLI, d.CLI)
	}
	return d, nil
}

func (d OutboundServiceCallData) empty() bool { return d == OutboundServiceCallData{} }

// headers carry the data to the platform's proxy, which checks it.
func (d OutboundServiceCallData) headers() []sip.Header {
	var h []sip.Header
	add := func(name, v string) {
		if v != "" {
			h = append(h, sip.Header{Name: name, Value: v})
		}
	}
	add(sip.HeaderOutboundQueue, d.QueueID)
	add(sip.HeaderOutboundCallbackList, d.CallbackListID)
	add(sip.HeaderOutboundCallbackRequest, d.CallbackRequestID)
	add(sip.HeaderOutboundCLI, d.CLI)
	return h
}

// CallService is the reference's call(targetNumber, outboundServiceCallData):
// data overrides the role selected in the UI for this call.
func (p *Phone) CallService(target string, data OutboundServiceCallData) (string, error) {
	d, err := data.normalize()
	if err != nil {
		return "", err
	}
	if d.empty() {
		return p.Call(target)
	}
	return p.dial(target, d)
}

// CallOutboundQueue is the reference's deprecated callOutboundQueue.
func (p *Phone) CallOutboundQueue(target, queueID, cli string) (string, error) {
	if strings.TrimSpace(queueID) == "" {
		return "", ErrQueueIDMissing
	}
	return p.CallService(target, OutboundServiceCallData{QueueID: queueID, CLI: cli})
}

// CallOutboundCallback is the reference's deprecated callOutboundCallback.
func (p *Phone) CallOutboundCallback(target, listID, requestID, cli string) (string, error) {
	if strings.TrimSpace(listID) == "" && strings.TrimSpace(requestID) == "" {
		return "", ErrCallbackIDsEmpty
	}
	return p.CallService(target, OutboundServiceCallData{CallbackListID: listID, CallbackRequestID: requestID, CLI: cli})
}

// roleCallData is what a call without service data is made as: the role
// selected in the UI (V2 outbound UI mode), a service role's queue with
// its selected number, or the personal role's selected number when it is
// not the default.
func (p *Phone) roleCallData() OutboundServiceCallData {
	r := p.pres.selectedRole()
	if r == nil || r.SelectedNumber == nil {
		return OutboundServiceCallData{}
	}
	if r.QueueID != "" {
		return OutboundServiceCallData{QueueID: r.QueueID, CLI: r.SelectedNumber.DisplayNumber}
	}
	if !r.SelectedNumber.Default {
		return OutboundServiceCallData{CLI: r.SelectedNumber.DisplayNumber}
	}
	return OutboundServiceCallData{}
}

// setRole keeps the selected role for the calls that follow.
func (p *Phone) setRole(r *platform.UserRole) { p.pres.setRole(r) }

// loadRole reads the selected role once after login; a V1 user has none.
func (p *Phone) loadRole(ctx context.Context) {
	s, err := p.sessionOrErr()
	if err != nil {
		return
	}
	r, err := p.api.CurrentRole(ctx, s)
	switch {
	case errors.Is(err, platform.ErrNotV2):
	case err != nil:
		p.log.Warn("read the selected role", "error", err)
	default:
		p.setRole(&r)
	}
}
