package phone

import (
	"context"
	"fmt"
	"strings"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
)

// Call control event names of the reference.
const (
	EventCallPaused  = "call-paused"
	EventCallResumed = "call-resumed"
	EventCallMuted   = "call-muted"
	EventCallUnmuted = "call-unmuted"
)

// Errors of the call control methods.
var (
	ErrAlreadyOnHold = coded("already-on-hold", "The call is already on hold")
	ErrNotOnHold     = coded("not-on-hold", "The call is not on hold")
	ErrAlreadyMuted  = coded("already-muted", "The call is already muted")
	ErrNotMuted      = coded("not-muted", "The call is not muted")
)

// controlled returns a connected call with its dialog and media, holding
// its renegotiation lock (released by the caller) so that two holds or a
// hold and the far end's re-INVITE do not cross.
func (p *Phone) controlled(callID string) (*call, Dialog, MediaSession, error) {
	c, err := p.lookup(callID)
	if err != nil {
		return nil, nil, nil, err
	}
	c.renego.Lock()
	c.mu.Lock()
	d, m := c.dlg, c.media
	c.mu.Unlock()
	if d == nil || m == nil {
		c.renego.Unlock()
		return nil, nil, nil, ErrCallNotConnected
	}
	return c, d, m, nil
}

// PauseCall is the reference's pauseCall(callId): a re-INVITE puts the
// call on hold (sendonly, or inactive when the far end holds it too); the
// far end's audio is no longer played and none is sent.
func (p *Phone) PauseCall(ctx context.Context, callID string) error {
	return p.hold(ctx, callID, true)
}

// ResumeCall is the reference's resumeCall(callId).
func (p *Phone) ResumeCall(ctx context.Context, callID string) error {
	return p.hold(ctx, callID, false)
}

func (p *Phone) hold(ctx context.Context, callID string, on bool) error {
	if on {
		// Holding a merged call splits the conference: the other call
		// stays connected on its own sound.
		if c, err := p.lookup(callID); err == nil {
			p.dissolve(p.conferenceOf(c), ConferenceSplit)
		}
	}
	c, d, m, err := p.controlled(callID)
	if err != nil {
		return err
	}
	defer c.renego.Unlock()
	c.mu.Lock()
	held, remote := c.localHold, c.remoteHold
	c.mu.Unlock()
	switch {
	case on && held:
		return ErrAlreadyOnHold
	case !on && !held:
		return ErrNotOnHold
	}
	dir := media.Direction(on, remote)
	offer, err := m.DirectionSDP(dir)
	if err != nil {
		return err
	}
	answer, err := d.Renegotiate(ctx, []byte(offer))
	if err != nil {
		what := "put the call on hold"
		if !on {
			what = "resume the call"
		}
		p.log.Warn("hold", "callId", callID, "on", on, "error", err)
		return fmt.Errorf("Could not %s: %w", what, err)
	}
	m.SetHold(on, remote)
	p.log.Info("hold", "callId", callID, "on", on, "offered", dir, "answered", answerDirection(answer))
	in := inputResume
	if on {
		in = inputHold
	}
	p.step(c, in, nil) // sets the flag, emits call-paused or call-resumed
	return nil
}

func answerDirection(sdp []byte) string {
	for _, d := range []string{media.SendRecv, media.SendOnly, media.RecvOnly, media.Inactive} {
		if strings.Contains(string(sdp), "a="+d) {
			return d
		}
	}
	return media.SendRecv
}

// onRenegotiate answers the far end's re-INVITE or UPDATE: it may hold or
// resume the call. The answer keeps this side's transport and codec and
// states the direction both holds leave.
func (p *Phone) onRenegotiate(sipCallID string, offer []byte) ([]byte, error) {
	p.mu.Lock()
	var c *call
	for _, x := range p.active {
		if x.established() == sipCallID {
			c = x
		}
	}
	p.mu.Unlock()
	if c == nil {
		return nil, sip.ErrNoDialog
	}
	c.renego.Lock()
	defer c.renego.Unlock()
	c.mu.Lock()
	m, local := c.media, c.localHold
	c.mu.Unlock()
	remote := false
	if len(offer) > 0 {
		var err error
		if remote, err = media.RemoteHolds(string(offer)); err != nil {
			return nil, err
		}
	}
	dir := media.Direction(local, remote)
	// pion renegotiates, following a changed codec or an ICE restart; an
	// offer it cannot take is answered with the call's SDP as it is.
	rctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	answer, err := m.AnswerReoffer(rctx, string(offer), dir)
	cancel()
	if err != nil {
		p.log.Info("the far end's offer was not renegotiated; answering with the call's SDP", "callId", c.ev.CallID, "error", err)
		if answer, err = m.DirectionSDP(dir); err != nil {
			return nil, err
		}
	}
	m.SetHold(local, remote)
	c.mu.Lock()
	c.remoteHold = remote
	c.mu.Unlock()
	p.log.Info("the far end renegotiated", "callId", c.ev.CallID, "holds", remote, "direction", dir)
	return []byte(answer), nil
}

// MuteCall is the reference's muteCall(callId): silence is sent instead of
// the microphone.
func (p *Phone) MuteCall(callID string) error { return p.mute(callID, true) }

// UnmuteCall is the reference's unmuteCall(callId).
func (p *Phone) UnmuteCall(callID string) error { return p.mute(callID, false) }

func (p *Phone) mute(callID string, on bool) error {
	c, _, m, err := p.controlled(callID)
	if err != nil {
		return err
	}
	defer c.renego.Unlock()
	c.mu.Lock()
	muted := c.muted
	c.mu.Unlock()
	switch {
	case on && muted:
		return ErrAlreadyMuted
	case !on && !muted:
		return ErrNotMuted
	}
	if p.muteMerged(c, on) {
		return nil // the agent's voice, for every merged call
	}
	m.SetMuted(on)
	in := inputUnmute
	if on {
		in = inputMute
	}
	p.step(c, in, nil) // sets the flag, emits call-muted or call-unmuted
	return nil
}

// DTMFOptions are the reference's JsSIPDTMFRequestOptions, in ms.
type DTMFOptions struct {
	Duration     *float64 `json:"duration,omitempty"`
	InterToneGap *float64 `json:"interToneGap,omitempty"`
}

// The reference's DTMF rules and defaults.
const (
	dtmfDefaultDuration = 160
	dtmfDefaultGap      = 1200
	dtmfMinDuration     = 40
	dtmfMaxDuration     = 6000
	dtmfMinGap          = 30
	// dtmfPause is what ',' waits, as JsSIP does.
	dtmfPause = 2 * time.Second
	// maxDTMFTones bounds one request (a pasted wall of digits).
	maxDTMFTones = 64
)

// Errors of sendDTMF.
var (
	ErrDTMFTonesMissing = coded("dtmf-tones-missing", "DTMF tones are missing")
	ErrDTMFTones        = coded("dtmf-tones", "DTMF tones may contain only 0-9, A-D, #, * and ,")
	ErrDTMFTooMany      = coded("dtmf-too-many", "DTMF tones are limited to 64 per request")
	ErrDTMFDuration     = coded("dtmf-duration", "DTMF duration must be from 40 to 6000 milliseconds")
	ErrDTMFGap          = coded("dtmf-gap", "DTMF interToneGap must be at least 30 milliseconds")
)

// validDTMF checks tones and options by the reference's rules and returns
// the tones (upper case) and the duration and gap to use.
func validDTMF(tones string, opts DTMFOptions) (string, time.Duration, time.Duration, error) {
	// The reference's set exactly: [0-9, A-D, #, *, and ,], so a lower-case
	// letter or a space is refused, not mended.
	if tones == "" {
		return "", 0, 0, ErrDTMFTonesMissing
	}
	if len(tones) > maxDTMFTones {
		return "", 0, 0, ErrDTMFTooMany
	}
	for _, r := range tones {
		if r != ',' && !strings.ContainsRune(audio.DTMFKeys, r) { // ',' is a pause
			return "", 0, 0, fmt.Errorf("%w (got %q)", ErrDTMFTones, r)
		}
	}
	dur, gap := float64(dtmfDefaultDuration), float64(dtmfDefaultGap)
	if opts.Duration != nil {
		dur = *opts.Duration
	}
	if opts.InterToneGap != nil {
		gap = *opts.InterToneGap
	}
	if !(dur >= dtmfMinDuration && dur <= dtmfMaxDuration) {
		return "", 0, 0, fmt.Errorf("%w (got %v)", ErrDTMFDuration, dur)
	}
	if !(gap >= dtmfMinGap) {
		return "", 0, 0, fmt.Errorf("%w (got %v)", ErrDTMFGap, gap)
	}
	return tones, time.Duration(dur * float64(time.Millisecond)), time.Duration(gap * float64(time.Millisecond)), nil
}

// SendDTMF is the reference's sendDTMF(callId, tones, options): each tone
// as RFC 4733 telephone-events in the call's RTP when the far end
// negotiated them (at the audio's clock rate), otherwise as a SIP INFO
// (application/dtmf-relay); paced by duration and gap, ',' pausing 2 s.
// It resolves true when all are sent.
func (p *Phone) SendDTMF(ctx context.Context, callID, tones string, opts DTMFOptions) (bool, error) {
	// The reference's order: logged in, the call exists, then the tones
	// and options.
	if _, err := p.lookup(callID); err != nil {
		return false, err
	}
	tones, dur, gap, err := validDTMF(tones, opts)
	if err != nil {
		return false, err
	}
	c, d, m, err := p.controlled(callID)
	if err != nil {
		return false, err
	}
	c.renego.Unlock() // DTMF does not renegotiate; a hold may interleave
	inBand := m.CanSendDTMF()
	for i, r := range tones {
		if i > 0 {
			if err := sleepCtx(ctx, c.ctx, gap); err != nil {
				return false, err
			}
		}
		if r == ',' {
			if err := sleepCtx(ctx, c.ctx, dtmfPause); err != nil {
				return false, err
			}
			continue
		}
		p.keyFeedback(r)
		if inBand {
			// The event lasts dur: SendDTMF returns at its end.
			if err := m.SendDTMF(ctx, r, dur); err != nil {
				return false, fmt.Errorf("Sending DTMF failed: %w", err)
			}
			continue
		}
		body := fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", r, dur.Milliseconds())
		if err := d.Info(ctx, "application/dtmf-relay", []byte(body)); err != nil {
			return false, fmt.Errorf("Sending DTMF failed: %w", err)
		}
		if err := sleepCtx(ctx, c.ctx, dur); err != nil {
			return false, err
		}
	}
	p.log.Info("dtmf sent", "callId", callID, "tones", len(tones), "rfc4733", inBand)
	return true, nil
}

func sleepCtx(ctx, call context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-call.Done():
		return ErrNoSuchCall
	}
}

// keyFeedback plays a sent key's tone pair on the speaker (100 ms), so the
// agent hears what the far end receives.
func (p *Phone) keyFeedback(key rune) {
	if p.sound == nil {
		return
	}
	pat, ok := audio.DTMF(key)
	if !ok {
		return
	}
	stop, err := p.sound.PlaySpeaker(pat)
	if err != nil {
		p.log.Debug("key feedback", "error", err)
		return
	}
	time.AfterFunc(200*time.Millisecond, stop)
}

// CallQuality is a call's media figures with a verdict for the UI's
// quality indicator.
type CallQuality struct {
	media.Stats
	// Quality is "good", "fair" or "poor" (see judge), or "" before any
	// audio came.
	Quality string `json:"quality"`
}

// CallStats returns a call's media figures (packets, loss, jitter, round
// trip, jitter buffer) and a verdict.
func (p *Phone) CallStats(callID string) (CallQuality, error) {
	c, err := p.lookup(callID)
	if err != nil {
		return CallQuality{}, err
	}
	c.mu.Lock()
	m, verdict := c.media, c.verdict
	c.mu.Unlock()
	if m == nil {
		return CallQuality{}, fmt.Errorf("%w: the call %q has no media yet", ErrCallNotConnected, callID)
	}
	s := m.Stats()
	if verdict == "" {
		verdict = judge(s) // before the first interval's verdict
	}
	return CallQuality{Stats: s, Quality: verdict}, nil
}

// judge rates a call by what degrades speech most: loss, jitter and the
// round trip (ITU-T G.114 puts one-way delay above 150 ms as noticeable,
// above 400 ms as unacceptable). The thresholds are the usual softphone
// ones; they are not a MOS.
func judge(s media.Stats) string {
	if s.PacketsReceived == 0 {
		return ""
	}
	total := float64(s.PacketsReceived) + float64(max(s.PacketsLost, 0))
	loss := float64(max(s.PacketsLost, 0)) / total
	rtt := s.RTT.Seconds() * 1000
	switch {
	case loss > 0.05 || s.Jitter > 60 || rtt > 600:
		return "poor"
	case loss > 0.01 || s.Jitter > 30 || rtt > 300:
		return "fair"
	}
	return "good"
}
