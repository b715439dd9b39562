package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"voicedesk/backend/platform"
)

// EventCallSupervisingStateChanged is the reference's
// call-supervising-state-changed; its detail is a SupervisingState.
const EventCallSupervisingStateChanged = "call-supervising-state-changed"

// The reference's CallSupervisingStateEnum.
const (
	SupervisingConnecting = "connecting"
	SupervisingStarted    = "started"
	SupervisingEnded      = "ended"
	SupervisingFailed     = "failed"
)

// SupervisingState is the reference's CallSupervisingInterface.
type SupervisingState struct {
	State        string `json:"state"`
	TargetUserID string `json:"targetUserId"`
}

// Errors of startCallSupervision.
var (
	ErrSupervisionTarget   = coded("supervision-target", "Target user id is missing")
	ErrSupervisionTargetID = coded("supervision-target-id", "Target user id may contain only letters, digits, '-' and '_'")
	ErrCallInProgress      = coded("call-in-progress", "Call supervision cannot start while a call is in progress")
	ErrSupervising         = coded("supervising", "A call supervision is already in progress")
	ErrSupervisionNoCall   = coded("supervision-no-call", "Call supervision failed: the supervision call did not arrive")
)

// supervisionWait is how long the platform has to call the supervisor after
// it accepted the request.
const supervisionWait = 15 * time.Second

// supervision is a supervision under way: who is supervised and, once the
// platform's supervision call has been answered, its call id.
type supervision struct {
	target  string
	started chan struct{} // closed when the supervision call is answered
	callID  string        // under Phone.mu
}

// StartCallSupervision is the reference's startCallSupervision(targetUserId):
// the platform calls this supervisor back with the target's call, which
// the phone answers by itself, listen-only. It resolves true once that call
// is up; the states arrive as call-supervising-state-changed.
func (p *Phone) StartCallSupervision(ctx context.Context, targetUserID string) (bool, error) {
	// The reference's order: signed in first, then the target.
	if _, err := p.sessionOrErr(); err != nil {
		return false, err
	}
	target := strings.TrimSpace(targetUserID)
	if target == "" {
		return false, ErrSupervisionTarget
	}
	if !serviceID.MatchString(target) {
		return false, fmt.Errorf("%w (got %q)", ErrSupervisionTargetID, target)
	}
	p.mu.Lock()
	s := p.session
	switch {
	case s == nil:
		p.mu.Unlock()
		return false, ErrNotLoggedIn
	case len(p.active) > 0:
		p.mu.Unlock()
		return false, ErrCallInProgress
	case p.supervision != nil:
		p.mu.Unlock()
		return false, ErrSupervising
	}
	sv := &supervision{target: target, started: make(chan struct{})}
	p.supervision = sv
	p.mu.Unlock()

	p.supervisingState(sv, SupervisingConnecting)
	if err := p.api.StartSupervision(ctx, s, target); err != nil {
		p.apiFailed(err)
		p.endSupervision(sv, SupervisingFailed)
		var apiErr *platform.APIError
		if errors.As(err, &apiErr) && apiErr.Message != "" {
			return false, fmt.Errorf("Call supervision failed: %s", apiErr.Message)
		}
		return false, fmt.Errorf("Call supervision failed: %w", err)
	}
	select {
	case <-sv.started:
		return true, nil
	case <-time.After(supervisionWait):
		p.endSupervision(sv, SupervisingFailed)
		return false, ErrSupervisionNoCall
	case <-ctx.Done():
		p.endSupervision(sv, SupervisingFailed)
		return false, fmt.Errorf("Call supervision failed: %w", ctx.Err())
	}
}

func (p *Phone) supervisingState(sv *supervision, state string) {
	p.log.Info("call supervision", "target", sv.target, "state", state)
	p.emit.Emit(EventCallSupervisingStateChanged, SupervisingState{State: state, TargetUserID: sv.target})
}

// endSupervision ends sv with state (ended or failed), once.
func (p *Phone) endSupervision(sv *supervision, state string) {
	p.mu.Lock()
	current := p.supervision == sv
	if current {
		p.supervision = nil
	}
	p.mu.Unlock()
	if current {
		p.supervisingState(sv, state)
	}
}

// supervisionFor claims the supervision an incoming supervision call of
// target belongs to; nil when none is waiting for it.
func (p *Phone) supervisionFor(target string) *supervision {
	p.mu.Lock()
	defer p.mu.Unlock()
	sv := p.supervision
	if sv == nil || !strings.EqualFold(sv.target, target) || sv.callID != "" {
		return nil
	}
	sv.callID = "claimed"
	return sv
}

// supervisionAnswered marks the supervision started with its call.
func (p *Phone) supervisionAnswered(sv *supervision, callID string) {
	p.mu.Lock()
	sv.callID = callID
	p.mu.Unlock()
	p.supervisingState(sv, SupervisingStarted)
	close(sv.started)
}

// onSupervisionCall answers the platform's supervision call, without
// ringing, if this phone asked for it; any other is refused.
func (p *Phone) onSupervisionCall(in Offer) {
	sv := p.supervisionFor(in.SupervisionTarget)
	if sv == nil {
		p.log.Warn("an unrequested supervision call was refused", "target", in.SupervisionTarget)
		_ = in.Dialog.Reject(603, "Decline")
		return
	}
	c := p.newCall(DirectionIncoming, in.From, in.DisplayName, in.PlatformCallID)
	c.ev.SIPCallID = in.Dialog.CallID()
	c.sv = sv
	p.step(c, inputSupervision, nil)
	close(c.answer) // answered by the phone itself
	p.calls.Add(1)
	go p.runIncoming(c, in, &toneOnce{}, nil)
}
