package phone

import (
	"fmt"
	"time"
)

// AutoAnswerMode says which incoming calls the phone answers by itself
// (VoiceDesk's addition; the reference has none).
type AutoAnswerMode string

const (
	// AutoAnswerOff: every call waits for the agent (the default).
	AutoAnswerOff AutoAnswerMode = "off"
	// AutoAnswerAll: every call, after the delay.
	AutoAnswerAll AutoAnswerMode = "all"
	// AutoAnswerQueue: only service calls, from a queue.
	AutoAnswerQueue AutoAnswerMode = "queue"
	// AutoAnswerRequested: only calls that ask for it (Call-Info
	// answer-after, Alert-Info intercom: paging, a supervisor's intercom),
	// after the delay they ask for or else the one set here. Turn it on only
	// where the platform's proxy removes those headers from outside callers.
	AutoAnswerRequested AutoAnswerMode = "requested"
)

// AutoAnswer is the phone's auto-answer setting.
type AutoAnswer struct {
	Mode AutoAnswerMode `json:"mode"`
	// DelaySeconds the call rings first (0-60). The phone always rings at
	// least minAutoRing and beeps on the speaker as it answers: never
	// silently.
	DelaySeconds int `json:"delaySeconds"`
}

// MaxAutoAnswerDelay is the longest delay accepted (s).
const MaxAutoAnswerDelay = 60

// minAutoRing: an auto-answered call rings at least this long, so that the
// agent hears a call come in before the line opens.
const minAutoRing = time.Second

// ErrBadAutoAnswer: an unknown mode or a delay out of range.
var ErrBadAutoAnswer = coded("invalid-auto-answer", "invalid auto-answer setting")

// ErrAutoAnswerLocked: the administrator's policy sets auto-answer for every
// user of the machine (refused by the app, which reads the policy).
var ErrAutoAnswerLocked = coded("auto-answer-locked", "auto-answer is set by the administrator's policy and cannot be changed here")

// Validate checks the setting; the empty mode is off.
func (a AutoAnswer) Validate() error {
	switch a.Mode {
	case "", AutoAnswerOff, AutoAnswerAll, AutoAnswerQueue, AutoAnswerRequested:
	default:
		return fmt.Errorf("%w: mode %q (off, all, queue or requested)", ErrBadAutoAnswer, a.Mode)
	}
	if a.DelaySeconds < 0 || a.DelaySeconds > MaxAutoAnswerDelay {
		return fmt.Errorf("%w: delay %d s (0 to %d)", ErrBadAutoAnswer, a.DelaySeconds, MaxAutoAnswerDelay)
	}
	return nil
}

// SetAutoAnswer changes which calls the phone answers by itself, from the
// next call on.
func (p *Phone) SetAutoAnswer(a AutoAnswer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Mode == "" {
		a.Mode = AutoAnswerOff
	}
	p.mu.Lock()
	p.autoAnswer = a
	p.mu.Unlock()
	p.log.Info("auto-answer", "mode", a.Mode, "delaySeconds", a.DelaySeconds)
	return nil
}

// AutoAnswerSetting is the current setting.
func (p *Phone) AutoAnswerSetting() AutoAnswer {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.autoAnswer
	if a.Mode == "" {
		a.Mode = AutoAnswerOff
	}
	return a
}

// autoAnswerAfter decides whether the offered call is answered by itself
// and after how long. An agent on a call is never answered into a second
// one (busy), nor is the platform's supervision call.
func autoAnswerAfter(a AutoAnswer, in Offer, busy bool) (time.Duration, bool) {
	if busy || in.SupervisionTarget != "" {
		return 0, false
	}
	delay := time.Duration(a.DelaySeconds) * time.Second
	switch a.Mode {
	case AutoAnswerAll:
	case AutoAnswerQueue:
		if in.Queue.ID == "" && in.Queue.Name == "" {
			return 0, false
		}
	case AutoAnswerRequested:
		if !in.AutoAnswerAsked {
			return 0, false
		}
		if in.AutoAnswerAfter >= 0 {
			delay = time.Duration(min(in.AutoAnswerAfter, MaxAutoAnswerDelay)) * time.Second
		}
	default:
		return 0, false
	}
	return max(delay, minAutoRing), true
}
