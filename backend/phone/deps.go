package phone

import (
	"context"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/sip"
)

// The phone's consumer interfaces: what it needs of the SIP user agent and
// of a call's media, so that the call model is tested with fakes
// (backend/phone/phonetest) in milliseconds and runs on backend/sip and
// backend/media in the app. The adapters at the end of this file are the
// only code that names the concrete types.

// UserAgent is a registered SIP account (backend/sip's Agent).
type UserAgent interface {
	Register(ctx context.Context) error
	Unregister(ctx context.Context) error
	// Maintain keeps the registration until ctx ends, reporting changes.
	Maintain(ctx context.Context, cfg sip.MaintainConfig, report func(sip.ConnState))
	Close() error
	// Domain is the account's SIP domain.
	Domain() string
	// TargetURI is the SIP URI of a number in the account's domain.
	TargetURI(number string) string
	// Dial sends an INVITE with the offer and returns the answered dialog.
	Dial(ctx context.Context, target string, offer []byte, hooks sip.DialHooks) (OutboundDialog, error)
	// OnOffer and OnRenegotiate set the handlers of the far end's INVITEs
	// and re-INVITEs; they are set before Register.
	OnOffer(func(Offer))
	OnRenegotiate(sip.Renegotiator)
}

// Dialog is a call's SIP dialog: what call control sends in it.
type Dialog interface {
	CallID() string
	// Done is closed when the dialog ends, by either side.
	Done() <-chan struct{}
	Hangup(ctx context.Context) error
	Renegotiate(ctx context.Context, sdp []byte) ([]byte, error)
	Info(ctx context.Context, contentType string, body []byte) error
	Refer(ctx context.Context, referTo string) (sip.TransferResult, error)
	// ReferAccepted asks for a blind transfer: it returns at the REFER's 2xx.
	ReferAccepted(ctx context.Context, referTo string) error
}

// OutboundDialog is the dialog of an answered outbound call.
type OutboundDialog interface {
	Dialog
	// AnswerSDP is the far end's SDP from the 200 OK.
	AnswerSDP() []byte
	// ReplacesValue names the dialog for a Replaces header (RFC 3891).
	ReplacesValue() string
	// WrapUp is the service queue's wrap-up time in seconds the platform
	// sent with the answer, or "".
	WrapUp() string
}

// OfferedDialog is an incoming call before and after its answer.
type OfferedDialog interface {
	Dialog
	Ringing() error
	Answer(sdp []byte) error
	Reject(status int, reason string) error
}

// Offer is an incoming INVITE: who calls, from which queue, with what.
type Offer struct {
	From, DisplayName string
	Queue             sip.Queue
	// SupervisionTarget is set on the platform's supervision call.
	SupervisionTarget string
	// PlatformCallID is the platform's id of the call, when it sent one.
	PlatformCallID string
	UserData       string
	ExtraData      string
	// AutoAnswerAsked: the caller asks to be answered without the agent,
	// after AutoAnswerAfter seconds (-1: no delay given); see sip.Incoming.
	AutoAnswerAsked bool
	AutoAnswerAfter int
	SDP             []byte
	Dialog          OfferedDialog
}

// MediaSession is one call's media (backend/media's Session).
type MediaSession interface {
	Offer(ctx context.Context) (string, error)
	Answer(ctx context.Context, offer string) (string, error)
	SetAnswer(sdp string) error
	Start(src audio.Source, sink audio.Sink) error
	Close() error
	Stats() media.Stats
	// DirectionSDP is the call's SDP with another direction attribute.
	DirectionSDP(dir string) (string, error)
	AnswerReoffer(ctx context.Context, offer, dir string) (string, error)
	SetHold(local, remote bool)
	SetMuted(on bool)
	CanSendDTMF() bool
	SendDTMF(ctx context.Context, key rune, duration time.Duration) error
}

// NewUserAgent makes the SIP account of a login; NewMedia a call's media.
type (
	NewUserAgent func(sip.Config) (UserAgent, error)
	NewMedia     func(media.Config) (MediaSession, error)
)

// newSIPAgent is NewUserAgent on backend/sip.
func newSIPAgent(cfg sip.Config) (UserAgent, error) {
	a, err := sip.New(cfg)
	if err != nil {
		return nil, err
	}
	return sipAgent{a}, nil
}

// newMediaSession is NewMedia on backend/media.
func newMediaSession(cfg media.Config) (MediaSession, error) {
	s, err := media.NewSession(cfg)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return s, nil
}

// sipAgent adapts *sip.Agent, whose calls are concrete types.
type sipAgent struct{ *sip.Agent }

func (a sipAgent) Dial(ctx context.Context, target string, offer []byte, hooks sip.DialHooks) (OutboundDialog, error) {
	c, err := a.DialWithHooks(ctx, target, offer, hooks)
	if err != nil {
		return nil, err
	}
	return sipCall{c}, nil
}

func (a sipAgent) OnOffer(h func(Offer)) {
	a.OnIncoming(func(in *sip.Incoming) {
		h(Offer{From: in.From, DisplayName: in.DisplayName, Queue: in.Queue, SupervisionTarget: in.SupervisionTarget,
			PlatformCallID: in.PlatformCallID, UserData: in.UserData, ExtraData: in.ExtraData,
			AutoAnswerAsked: in.AutoAnswerAsked, AutoAnswerAfter: in.AutoAnswerAfter, SDP: in.Offer, Dialog: in})
	})
}

type sipCall struct{ *sip.Call }

func (c sipCall) AnswerSDP() []byte { return c.Answer }
func (c sipCall) WrapUp() string    { return c.Call.WrapUp }

var (
	_ OfferedDialog = (*sip.Incoming)(nil)
	_ MediaSession  = (*media.Session)(nil)
)
