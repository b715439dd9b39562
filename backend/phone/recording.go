package phone

import (
	"context"
	"errors"
	"net/http"

	"voicedesk/backend/platform"
)

// Errors of startCallRecording and stopCallRecording.
var (
	ErrCallNotConnected = coded("call-not-connected", "The call is not connected")
	ErrRecordingUnknown = coded("recording-unknown", "Call recording failed: the platform has no such call in progress")
)

// StartCallRecording is the reference's startCallRecording(callId): the
// platform records the connected call's media.
func (p *Phone) StartCallRecording(ctx context.Context, callID string) error {
	return p.setRecording(ctx, callID, true)
}

// StopCallRecording is the reference's stopCallRecording(callId).
func (p *Phone) StopCallRecording(ctx context.Context, callID string) error {
	return p.setRecording(ctx, callID, false)
}

func (p *Phone) setRecording(ctx context.Context, callID string, on bool) error {
	c, err := p.lookup(callID)
	if err != nil {
		return err
	}
	sipID := c.established()
	if sipID == "" {
		return ErrCallNotConnected
	}
	s, err := p.sessionOrErr()
	if err != nil {
		return err
	}
	err = p.api.SetRecording(ctx, s, sipID, on)
	var apiErr *platform.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		return ErrRecordingUnknown
	}
	if err != nil {
		p.apiFailed(err)
		return err
	}
	p.log.Info("call recording", "callId", callID, "recording", on)
	return nil
}
