// Package phonetest has fakes of what backend/phone consumes (the platform,
// the SIP user agent, a call's dialog and media) so that the call model is
// tested in milliseconds, with the test playing the far end: it rings,
// answers, fails, cancels, re-INVITEs and hangs up when a row says so.
//
// The fakes keep to the real ones' contracts where the phone relies on
// them: Dial's hooks run on Dial's goroutine, Dial returns when the far end
// answers or fails or its context ends (the CANCEL), a dialog's Done closes
// once whichever side ends it.
package phonetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
)

// SDP is a minimal WebRTC session description (ICE, DTLS-SRTP, PCMU: what
// media.CheckOffer takes) with the audio direction dir.
func SDP(dir string) string {
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n" +
		"m=audio 4000 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\na=ice-ufrag:fake\r\na=ice-pwd:fakefakefakefakefakefake\r\na=" + dir + "\r\n"
}

// Platform is a platform with one user whose password is "secret".
// SDKLifetime, when set, gives the SIP settings an SDK token (sdk-0) that
// lives that many seconds; each renewal answers the next (sdk-1…).
type Platform struct {
	SDKLifetime int
	renewals    *atomic.Int32
	// Events, when set, is the platform's event channel: FollowEvents
	// hands on what is sent to it; closing it loses the channel. Without
	// it the platform has none.
	Events chan platform.Event
	// Presence, when set, is the user's availability and role as the
	// platform keeps them (what Status and CurrentRole answer): a test
	// changes it and then sends the event, as the platform would.
	Presence *Presence
	// People is the colleagues directory Directory searches: a name's
	// case-insensitive substring, or the ids asked for.
	People []platform.DirectoryEntry
}

// Directory answers from p.People.
func (p Platform) Directory(_ context.Context, _ *platform.Session, q platform.DirectoryQuery) (platform.DirectoryPage, error) {
	page := platform.DirectoryPage{}
	for _, e := range p.People {
		if len(q.IDs) > 0 && !slices.Contains(q.IDs, e.ID) {
			continue
		}
		if !strings.Contains(strings.ToLower(e.Name), strings.ToLower(q.Search)) {
			continue
		}
		page.Total++
		if q.Take == 0 || len(page.Entries) < q.Take {
			page.Entries = append(page.Entries, e)
		}
	}
	return page, nil
}

// Presence is the platform's record of the user's availability and role.
type Presence struct {
	mu     sync.Mutex
	status platform.UserStatus
	role   *platform.UserRole
	reads  int
}

// Reads is how many times the availability was read.
func (p *Presence) Reads() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

// Set records a change of the availability (nil: unchanged) and the role
// (nil: unchanged).
func (p *Presence) Set(st *platform.UserStatus, role *platform.UserRole) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st != nil {
		p.status = *st
	}
	if role != nil {
		r := *role
		p.role = &r
	}
}

// FollowEvents is the platform's event channel.
func (p Platform) FollowEvents(ctx context.Context, _ *platform.Session, open func(), fn func(platform.Event)) error {
	if p.Events == nil {
		return platform.ErrNoEventChannel
	}
	if open != nil {
		open()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-p.Events:
			if !ok {
				return errors.New("phonetest: the event channel closed")
			}
			fn(ev)
		}
	}
}

// NewPlatform returns a Platform whose SDK tokens live lifetime seconds.
func NewPlatform(lifetime int) Platform {
	return Platform{SDKLifetime: lifetime, renewals: &atomic.Int32{}}
}

// NewSDKToken is the platform's renewal of the SDK token.
func (p Platform) NewSDKToken(context.Context, *platform.Session) (platform.SDKToken, error) {
	if p.renewals == nil {
		return platform.SDKToken{}, errors.New("phonetest: no SDK tokens here")
	}
	n := p.renewals.Add(1)
	return platform.SDKToken{Token: fmt.Sprintf("sdk-%d", n), ExpiresIn: p.SDKLifetime}, nil
}

var _ phone.Platform = Platform{}

func (Platform) Discover(context.Context, string, string) ([]platform.Silo, error) {
	return []platform.Silo{{SiloName: "lab", APIEndpoint: "http://127.0.0.1:1/"}}, nil
}

func (Platform) LoginCredentials(_ context.Context, _ platform.Silo, u, pw string) (*platform.Session, error) {
	if pw != "secret" {
		return nil, platform.ErrUnauthorized
	}
	return platform.RestoreSession("http://127.0.0.1:1/", u, "id-1", "key")
}

func (Platform) Me(context.Context, *platform.Session) (platform.User, error) {
	return platform.User{ID: "id-1", Username: "agent@lab", DisplayName: "Agent"}, nil
}

func (p Platform) SIPSettings(context.Context, *platform.Session) (platform.SIPSettings, error) {
	s := platform.SIPSettings{SIPProxy: "127.0.0.1:5060", AuthUser: "agent", Realm: "lab", Password: "pw"}
	if p.SDKLifetime > 0 {
		s.Token, s.TokenExpiresIn = "sdk-0", p.SDKLifetime
	}
	return s, nil
}

func (Platform) Call(context.Context, *platform.Session, string, string, any, any) error {
	return errors.New("phonetest: no REST calls")
}

func (Platform) Roles(context.Context, *platform.Session) ([]platform.UserRole, error) {
	return nil, platform.ErrNotV2
}

func (p Platform) CurrentRole(context.Context, *platform.Session) (platform.UserRole, error) {
	if p.Presence != nil {
		p.Presence.mu.Lock()
		defer p.Presence.mu.Unlock()
		if p.Presence.role != nil {
			return *p.Presence.role, nil
		}
	}
	return platform.UserRole{}, platform.ErrNotV2
}

func (Platform) SetCurrentRole(context.Context, *platform.Session, string, string) (platform.UserRole, error) {
	return platform.UserRole{}, platform.ErrNotV2
}

func (p Platform) Status(context.Context, *platform.Session) (platform.UserStatus, error) {
	if p.Presence != nil {
		p.Presence.mu.Lock()
		defer p.Presence.mu.Unlock()
		p.Presence.reads++
		return p.Presence.status, nil
	}
	return platform.UserStatus{}, nil
}

func (Platform) SetStatus(_ context.Context, _ *platform.Session, id int, note string) (platform.UserStatus, error) {
	return platform.UserStatus{EventTypeID: id, Note: note}, nil
}

func (Platform) SetRecording(context.Context, *platform.Session, string, bool) error { return nil }

func (Platform) DuePNPSQuery(context.Context, *platform.Session, string) (*platform.PNPSQuery, error) {
	return nil, nil
}

func (Platform) AnswerPNPS(context.Context, *platform.Session, string, *int, string) error {
	return nil
}

func (Platform) StartSupervision(context.Context, *platform.Session, string) error { return nil }

// Agent is a SIP account whose far ends the test plays.
type Agent struct {
	// maintained carries Maintain's report function while it runs.
	maintained chan func(sip.ConnState)
	dials      chan *Dialing
	mu         sync.Mutex
	offer      func(phone.Offer)
	renego     sip.Renegotiator
	closed     bool
	cfg        sip.Config
	nextID     int
	dialogs    []*Dialog
}

var _ phone.UserAgent = (*Agent)(nil)

// NewAgent returns an Agent; New gives it to a phone.
func NewAgent() *Agent {
	return &Agent{dials: make(chan *Dialing, 8), maintained: make(chan func(sip.ConnState), 1)}
}

// New returns the NewUserAgent that hands out a.
func (a *Agent) New() phone.NewUserAgent {
	return func(cfg sip.Config) (phone.UserAgent, error) {
		a.mu.Lock()
		a.cfg = cfg
		a.mu.Unlock()
		return a, nil
	}
}

// Token is the SDK token the agent's next connection would use.
func (a *Agent) Token() string {
	a.mu.Lock()
	tok := a.cfg.Token
	a.mu.Unlock()
	if tok == nil {
		return ""
	}
	return tok()
}

func (a *Agent) Register(context.Context) error   { return nil }
func (a *Agent) Unregister(context.Context) error { return nil }
func (a *Agent) Maintain(ctx context.Context, _ sip.MaintainConfig, report func(sip.ConnState)) {
	select {
	case a.maintained <- report:
	default: // a report function not yet taken is replaced by a later login's
		select {
		case <-a.maintained:
		default:
		}
		a.maintained <- report
	}
	<-ctx.Done()
}

// Report has the registration keeper report st (lost, restored, given
// up on), as the network or the proxy would make it.
func (a *Agent) Report(ctx context.Context, st sip.ConnState) error {
	select {
	case report := <-a.maintained:
		report(st)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the registration is not being kept: %w", ctx.Err())
	}
}
func (a *Agent) Domain() string              { return "lab" }
func (a *Agent) TargetURI(n string) string   { return "sip:" + n + "@lab" }
func (a *Agent) OnOffer(h func(phone.Offer)) { a.mu.Lock(); a.offer = h; a.mu.Unlock() }
func (a *Agent) OnRenegotiate(h sip.Renegotiator) {
	a.mu.Lock()
	a.renego = h
	a.mu.Unlock()
}

func (a *Agent) Close() error {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	return nil
}

func (a *Agent) newDialog() *Dialog {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.nextID++
	d := &Dialog{id: fmt.Sprintf("sip-call-%d", a.nextID), done: make(chan struct{}), agent: a, answer: SDP(media.SendRecv)}
	a.dialogs = append(a.dialogs, d)
	return d
}

// Dialing is an INVITE on its way: the test answers it as the far end.
type Dialing struct {
	Target string
	Offer  []byte
	// CallID is the INVITE's Call-ID the phone chose ("" for sipgo's).
	CallID string
	acts   chan func(hooks sip.DialHooks) (phone.OutboundDialog, error, bool)
	agent  *Agent

	mu sync.Mutex
	// crossing: the far end's 200 OK is on the wire when the phone's
	// CANCEL goes out, so Dial returns the answered dialog (RFC 3261
	// 9.1: a CANCEL does not undo an answer).
	crossing chan *Dialog
}

// AnswerCrossingCancel makes the far end answer as the phone gives up:
// the dialog arrives on the channel once Dial has returned it.
func (d *Dialing) AnswerCrossingCancel() <-chan *Dialog {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.crossing = make(chan *Dialog, 1)
	return d.crossing
}

// Dial sends the INVITE: it waits for the test's answer to it, or its
// context's end (the phone's CANCEL).
func (a *Agent) Dial(ctx context.Context, target string, offer []byte, hooks sip.DialHooks) (phone.OutboundDialog, error) {
	d := &Dialing{Target: target, Offer: offer, CallID: hooks.CallID, agent: a, acts: make(chan func(sip.DialHooks) (phone.OutboundDialog, error, bool))}
	a.dials <- d
	for {
		select {
		case act := <-d.acts:
			if out, err, final := act(hooks); final {
				return out, err
			}
		case <-ctx.Done():
			d.mu.Lock()
			crossing := d.crossing
			d.mu.Unlock()
			if crossing != nil {
				dlg := a.newDialog()
				crossing <- dlg
				return dlg, nil
			}
			return nil, fmt.Errorf("dial: %w", context.Cause(ctx))
		}
	}
}

// Dialed waits for the phone's next INVITE.
func (a *Agent) Dialed(ctx context.Context) (*Dialing, error) {
	select {
	case d := <-a.dials:
		return d, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no INVITE was sent: %w", ctx.Err())
	}
}

// do runs act on Dial's goroutine; false when Dial has returned.
func (d *Dialing) do(act func(sip.DialHooks) (phone.OutboundDialog, error, bool)) bool {
	select {
	case d.acts <- act:
		return true
	case <-time.After(2 * time.Second):
		return false
	}
}

// Provisional sends a provisional answer (180, 183), with early SDP when
// sdp is not empty.
func (d *Dialing) Provisional(code int, sdp string) bool {
	return d.do(func(h sip.DialHooks) (phone.OutboundDialog, error, bool) {
		if h.Progress != nil {
			h.Progress(code, "")
		}
		if sdp != "" && h.EarlySDP != nil {
			h.EarlySDP([]byte(sdp))
		}
		return nil, nil, false
	})
}

// Answer sends the 200 OK and returns the dialog it sets up.
func (d *Dialing) Answer() *Dialog { return d.AnswerWrapUp("") }

// AnswerSDP answers with the far end's own session description: a real
// media engine on the other side (test/netem), only the SIP faked.
func (d *Dialing) AnswerSDP(sdp string) *Dialog {
	dlg := d.agent.newDialog()
	dlg.answer = sdp
	if !d.do(func(sip.DialHooks) (phone.OutboundDialog, error, bool) { return dlg, nil, true }) {
		return nil
	}
	return dlg
}

// AnswerWrapUp answers as the platform answers an agent's call for a
// queue: with the queue's wrap-up time in seconds.
func (d *Dialing) AnswerWrapUp(seconds string) *Dialog {
	dlg := d.agent.newDialog()
	dlg.wrapUp = seconds
	if d.CallID != "" {
		dlg.id = d.CallID // the dialog keeps the INVITE's Call-ID
	}
	if !d.do(func(sip.DialHooks) (phone.OutboundDialog, error, bool) { return dlg, nil, true }) {
		return nil
	}
	return dlg
}

// Fail answers with a final failure (486 Busy Here…).
func (d *Dialing) Fail(status int, reason string) bool {
	return d.do(func(sip.DialHooks) (phone.OutboundDialog, error, bool) {
		return nil, &sip.FailureError{Status: status, Reason: reason}, true
	})
}

// Ring offers the phone an incoming call from number and returns its
// dialog; the phone's handler has run when Ring returns.
func (a *Agent) Ring(number string, o phone.Offer) *Dialog {
	d := a.newDialog()
	d.offered = true
	o.From, o.Dialog = number, d
	if o.SDP == nil {
		o.SDP = []byte(SDP(media.SendRecv))
	}
	a.mu.Lock()
	h := a.offer
	a.mu.Unlock()
	h(o)
	return d
}

// Reinvite sends the phone a re-INVITE in d with the far end's direction.
func (a *Agent) Reinvite(d *Dialog, dir string) ([]byte, error) {
	a.mu.Lock()
	h := a.renego
	a.mu.Unlock()
	return h(d.id, []byte(SDP(dir)))
}

// Dialog is a call's dialog with the test as the far end.
type Dialog struct {
	id    string
	agent *Agent
	// answer is the SDP of the 200 OK (outbound), wrapUp its queue's
	// wrap-up time.
	answer, wrapUp string

	mu          sync.Mutex
	offered     bool
	done        chan struct{}
	ended       bool
	status      int // incoming: 180, 200 or the rejection's status
	hangups     int
	offers      []string
	infos       []string
	refer       func(referTo string) (sip.TransferResult, error)
	referStatus int // the REFER's own answer when over 299
	referred    []string
}

var (
	_ phone.OutboundDialog = (*Dialog)(nil)
	_ phone.OfferedDialog  = (*Dialog)(nil)
)

func (d *Dialog) CallID() string        { return d.id }
func (d *Dialog) Done() <-chan struct{} { return d.done }
func (d *Dialog) AnswerSDP() []byte     { return []byte(d.answer) }
func (d *Dialog) WrapUp() string        { return d.wrapUp }
func (d *Dialog) ReplacesValue() string { return d.id + ";to-tag=b;from-tag=a" }
func (d *Dialog) Ringing() error        { d.set(180); return nil }

// Answer is the phone's 200 OK to an incoming call; it fails when the
// caller's CANCEL came first.
func (d *Dialog) Answer([]byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended {
		return errors.New("phonetest: the caller has gone (CANCEL crossed the answer)")
	}
	d.status = 200
	return nil
}

func (d *Dialog) set(status int) {
	d.mu.Lock()
	d.status = status
	d.mu.Unlock()
}

// end closes Done once.
func (d *Dialog) end() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.ended {
		d.ended = true
		close(d.done)
	}
}

func (d *Dialog) Reject(status int, _ string) error {
	d.set(status)
	d.end()
	return nil
}

func (d *Dialog) Hangup(context.Context) error {
	d.mu.Lock()
	d.hangups++
	d.mu.Unlock()
	d.end()
	return nil
}

// HangUp is the far end's BYE; Cancel its CANCEL before the answer.
func (d *Dialog) HangUp() { d.end() }
func (d *Dialog) Cancel() { d.end() }

// Renegotiate answers the phone's re-INVITE as a far end that takes it:
// the answer's direction mirrors the offer's.
func (d *Dialog) Renegotiate(_ context.Context, sdp []byte) ([]byte, error) {
	d.mu.Lock()
	d.offers = append(d.offers, string(sdp))
	d.mu.Unlock()
	mirror := map[string]string{media.SendOnly: media.RecvOnly, media.RecvOnly: media.SendOnly, media.Inactive: media.Inactive}
	for dir, back := range mirror {
		if strings.Contains(string(sdp), "a="+dir) {
			return []byte(SDP(back)), nil
		}
	}
	return []byte(SDP(media.SendRecv)), nil
}

func (d *Dialog) Info(_ context.Context, contentType string, body []byte) error {
	d.mu.Lock()
	d.infos = append(d.infos, contentType+": "+string(body))
	d.mu.Unlock()
	return nil
}

// OnRefer sets how the far end answers a REFER (default: accepted, and
// the transfer succeeds).
func (d *Dialog) OnRefer(f func(referTo string) (sip.TransferResult, error)) {
	d.mu.Lock()
	d.refer = f
	d.mu.Unlock()
}

// RefuseRefer has the far end answer a REFER with status (405, 603…).
func (d *Dialog) RefuseRefer(status int) {
	d.mu.Lock()
	d.referStatus = status
	d.mu.Unlock()
}

// ReferAccepted is a blind transfer: the far end accepts the REFER unless
// RefuseRefer said otherwise; what its call to the target does is its own.
func (d *Dialog) ReferAccepted(_ context.Context, referTo string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.referStatus >= 300 {
		return &sip.FailureError{Status: d.referStatus, Reason: "Refused"}
	}
	d.referred = append(d.referred, referTo)
	return nil
}

func (d *Dialog) Refer(_ context.Context, referTo string) (sip.TransferResult, error) {
	d.mu.Lock()
	d.referred = append(d.referred, referTo)
	f := d.refer
	d.mu.Unlock()
	if f == nil {
		return sip.TransferResult{Status: 200, Reason: "OK"}, nil
	}
	return f(referTo)
}

// Status is an incoming call's last answer: 180, 200 or the rejection's.
func (d *Dialog) Status() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

// Hangups counts the phone's BYEs and CANCELs in this dialog.
func (d *Dialog) Hangups() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hangups
}

// Offers are the SDPs of the phone's re-INVITEs, in order.
func (d *Dialog) Offers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.offers...)
}

// Media is a call's media that carries no sound.
type Media struct {
	mu      sync.Mutex
	hold    [2]bool
	muted   bool
	started bool
	closed  bool
	dir     string
	stats   media.Stats
	src     audio.Source
	sink    audio.Sink
}

var _ phone.MediaSession = (*Media)(nil)

// Muted is what SetMuted last set: whether the session itself sends
// silence.
func (m *Media) Muted() bool { m.mu.Lock(); defer m.mu.Unlock(); return m.muted }

// Audio is the sound the phone started the media with (a test reads and
// writes it as the media's clock would).
func (m *Media) Audio() (audio.Source, audio.Sink) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.src, m.sink
}

// Medias hands out Media and keeps them for the test.
type Medias struct {
	mu  sync.Mutex
	all []*Media
}

// New is the phone's NewMedia.
func (ms *Medias) New(media.Config) (phone.MediaSession, error) {
	m := &Media{dir: media.SendRecv}
	ms.mu.Lock()
	ms.all = append(ms.all, m)
	ms.mu.Unlock()
	return m, nil
}

// Last is the newest call's media.
func (ms *Medias) Last() *Media {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if len(ms.all) == 0 {
		return nil
	}
	return ms.all[len(ms.all)-1]
}

func (m *Media) Offer(context.Context) (string, error)          { return SDP(media.SendRecv), nil }
func (m *Media) Answer(context.Context, string) (string, error) { return SDP(media.SendRecv), nil }
func (m *Media) SetAnswer(string) error                         { return nil }

// Stats are what SetStats last set.
func (m *Media) Stats() media.Stats { m.mu.Lock(); defer m.mu.Unlock(); return m.stats }

// SetStats sets the figures Stats returns.
func (m *Media) SetStats(s media.Stats) { m.mu.Lock(); m.stats = s; m.mu.Unlock() }
func (m *Media) CanSendDTMF() bool      { return true }
func (m *Media) SendDTMF(context.Context, rune, time.Duration) error {
	return nil
}

func (m *Media) Start(src audio.Source, sink audio.Sink) error {
	m.mu.Lock()
	m.started = true
	m.src, m.sink = src, sink
	m.mu.Unlock()
	return nil
}

func (m *Media) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}

func (m *Media) DirectionSDP(dir string) (string, error) {
	return SDP(dir), nil
}

func (m *Media) AnswerReoffer(_ context.Context, _ string, dir string) (string, error) {
	m.mu.Lock()
	m.dir = dir
	m.mu.Unlock()
	return SDP(dir), nil
}

func (m *Media) SetHold(local, remote bool) {
	m.mu.Lock()
	m.hold = [2]bool{local, remote}
	m.mu.Unlock()
}

func (m *Media) SetMuted(on bool) {
	m.mu.Lock()
	m.muted = on
	m.mu.Unlock()
}

// State says what the media does: started, closed, held by either side.
func (m *Media) State() (started, closed, localHold, remoteHold bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.started, m.closed, m.hold[0], m.hold[1]
}
