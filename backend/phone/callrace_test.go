package phone_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/sip"
)

// The call model driven through the Phone, with phonetest playing the
// far end: each row is a call's story (what the far end and the user do,
// in which order, races included) and the events an integration sees.
// They run in milliseconds; the lab suite proves the same on the wire.

// events records what the phone emits, per call.
type events struct {
	mu     sync.Mutex
	all    []string // "name callId"
	byCall map[string][]string
	ended  map[string]phone.CallEvent
	// details are the call events' payloads, in order.
	details []phone.CallEvent
	wake    chan struct{}
}

func newEvents() *events {
	return &events{byCall: map[string][]string{}, ended: map[string]phone.CallEvent{}, wake: make(chan struct{}, 1)}
}

func (e *events) Emit(name string, detail any) {
	e.mu.Lock()
	id := ""
	if ev, ok := detail.(phone.CallEvent); ok {
		id = ev.CallID
		e.byCall[id] = append(e.byCall[id], name)
		e.details = append(e.details, ev)
		if name == phone.EventCallEnded {
			e.ended[id] = ev
		}
	}
	switch d := detail.(type) {
	case phone.QualityEvent:
		e.all = append(e.all, name+" "+d.CallID+" "+d.Quality)
	case phone.ConferenceEvent:
		e.all = append(e.all, name+" "+strings.Join(d.CallIDs, ",")+" "+d.Reason)
	case string:
		e.all = append(e.all, name+":"+d) // phone-error's detail
	case nil:
		e.all = append(e.all, name)
	default:
		e.all = append(e.all, name+" "+id)
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// from returns what was emitted from the first entry that is first on.
func (e *events) from(first string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := slices.Index(e.all, first); i >= 0 {
		return slices.Clone(e.all[i:])
	}
	return nil
}

// of returns the names emitted for a call.
func (e *events) of(id string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.byCall[id])
}

// await waits until the call has emitted name (fails the test after 2 s).
func (e *events) await(t *testing.T, id, name string) {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		if slices.Contains(e.of(id), name) {
			return
		}
		select {
		case <-e.wake:
		case <-deadline:
			t.Fatalf("call %s never emitted %s; it emitted %v", id, name, e.of(id))
		}
	}
}

// endReason is the call's call-ended endReason.
func (e *events) endReason(id string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ended[id].EndReason
}

// rig is a signed-in phone whose far ends the test plays.
type rig struct {
	t      *testing.T
	p      *phone.Phone
	agent  *phonetest.Agent
	medias *phonetest.Medias
	ev     *events
	ctx    context.Context
}

func newRig(t *testing.T, options ...func(*phone.Config)) *rig {
	t.Helper()
	return newRigOn(t, phonetest.Platform{}, newEvents(), options...)
}

// newRigOn is newRig on a platform of the test's, emitting to em.
func newRigOn(t *testing.T, plat phone.Platform, em phone.Emitter, options ...func(*phone.Config)) *rig {
	t.Helper()
	r := &rig{t: t, agent: phonetest.NewAgent(), medias: &phonetest.Medias{}, ev: newEvents()}
	if e, ok := em.(*events); ok {
		r.ev = e
	}
	cfg := phone.Config{NewUserAgent: r.agent.New(), NewMedia: r.medias.New, StatusPoll: -1, PNPSFirst: -1}
	for _, o := range options {
		o(&cfg)
	}
	r.p = phone.New(cfg, plat, em)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(func() { cancel(); r.p.Close() })
	r.ctx = ctx
	if ok, err := r.p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	return r
}

// dial makes an outbound call and returns its id and the far end's INVITE.
func (r *rig) dial(number string) (string, *phonetest.Dialing) {
	r.t.Helper()
	id, err := r.p.Call(number)
	if err != nil {
		r.t.Fatalf("call %s: %v", number, err)
	}
	d, err := r.agent.Dialed(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return id, d
}

// connected makes an outbound call the far end answers.
func (r *rig) connected() (string, *phonetest.Dialog) {
	r.t.Helper()
	id, d := r.dial("200")
	dlg := d.Answer()
	r.ev.await(r.t, id, phone.EventCallConfirmed)
	return id, dlg
}

// incoming rings the phone and returns the call's id and dialog.
func (r *rig) incoming(number string) (string, *phonetest.Dialog) {
	r.t.Helper()
	dlg := r.agent.Ring(number, phone.Offer{})
	for _, c := range r.p.Calls() {
		if c.Number == number {
			return c.CallID, dlg
		}
	}
	r.t.Fatalf("the call from %s is not among the phone's calls", number)
	return "", nil
}

func (r *rig) must(err error, what string) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
}

func TestCallStories(t *testing.T) {
	tests := []struct {
		rule string
		// attended: the phone runs with AttendedTransfer (VoiceDesk's option).
		attended bool
		// story plays the call and returns its id; the rig checks the
		// events and the end reason.
		story  func(r *rig) string
		events []string
		reason string
	}{
		{
			rule: "an outbound call: call-started, call-in-progress at the far end's 180, call-confirmed at its 200, call-ended at endCall",
			story: func(r *rig) string {
				id, d := r.dial("200")
				d.Provisional(180, "")
				d.Answer()
				r.ev.await(r.t, id, phone.EventCallConfirmed)
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-in-progress", "call-confirmed", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "a second provisional answer (183 after 180) is no second call-in-progress",
			story: func(r *rig) string {
				id, d := r.dial("200")
				d.Provisional(180, "")
				d.Provisional(183, phonetest.SDP(media.SendRecv))
				d.Answer().HangUp()
				return id
			},
			events: []string{"call-started", "call-in-progress", "call-confirmed", "call-ended"},
			reason: phone.EndRemoteHangup,
		},
		{
			rule: "the far end busy (486) ends the call with endReason busy, never confirmed",
			story: func(r *rig) string {
				id, d := r.dial("486")
				d.Provisional(180, "")
				d.Fail(486, "Busy Here")
				return id
			},
			events: []string{"call-started", "call-in-progress", "call-ended"},
			reason: phone.EndBusy,
		},
		{
			rule: "endCall while the far end rings cancels the INVITE: ended locally, never confirmed",
			story: func(r *rig) string {
				id, d := r.dial("200")
				d.Provisional(180, "")
				r.ev.await(r.t, id, phone.EventCallInProgress)
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-in-progress", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "a 200 OK crossing the hang-up is not confirmed: the answered dialog gets a BYE at once",
			story: func(r *rig) string {
				id, d := r.dial("200")
				answered := d.AnswerCrossingCancel()
				r.must(r.p.EndCall(id), "endCall")
				dlg := <-answered
				r.ev.await(r.t, id, phone.EventCallEnded)
				if dlg.Hangups() != 1 {
					r.t.Errorf("the answered dialog got %d BYEs, want 1", dlg.Hangups())
				}
				return id
			},
			events: []string{"call-started", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "an incoming call answered: call-incoming, then call-answered and call-confirmed; the far end's BYE ends it",
			story: func(r *rig) string {
				id, dlg := r.incoming("301")
				r.must(r.p.AnswerCall(id), "answerCall")
				r.ev.await(r.t, id, phone.EventCallConfirmed)
				if dlg.Status() != 200 {
					r.t.Errorf("the caller got %d, want 200", dlg.Status())
				}
				dlg.HangUp()
				return id
			},
			events: []string{"call-incoming", "call-answered", "call-confirmed", "call-ended"},
			reason: phone.EndRemoteHangup,
		},
		{
			rule: "rejectCall answers an incoming call 603 Decline: endReason rejected",
			story: func(r *rig) string {
				id, dlg := r.incoming("302")
				r.must(r.p.RejectCall(id), "rejectCall")
				r.ev.await(r.t, id, phone.EventCallEnded)
				if dlg.Status() != 603 {
					r.t.Errorf("the caller got %d, want 603", dlg.Status())
				}
				return id
			},
			events: []string{"call-incoming", "call-ended"},
			reason: phone.EndRejected,
		},
		{
			rule: "the caller's CANCEL ends a ringing call (cancelled); answerCall afterwards is refused",
			story: func(r *rig) string {
				id, dlg := r.incoming("303")
				dlg.Cancel()
				r.ev.await(r.t, id, phone.EventCallEnded)
				if err := r.p.AnswerCall(id); err == nil {
					r.t.Error("answerCall of a cancelled call succeeded")
				}
				return id
			},
			events: []string{"call-incoming", "call-ended"},
			reason: phone.EndCancelled,
		},
		{
			rule: "an answer racing the caller's CANCEL: whichever wins, the call ends cancelled and is never answered",
			story: func(r *rig) string {
				id, dlg := r.incoming("304")
				dlg.Cancel()
				_ = r.p.AnswerCall(id) // may be refused or may lose at SIP
				return id
			},
			events: []string{"call-incoming", "call-ended"},
			reason: phone.EndCancelled,
		},
		{
			rule: "pauseCall sends a sendonly re-INVITE and emits call-paused; resumeCall sendrecv and call-resumed",
			story: func(r *rig) string {
				id, dlg := r.connected()
				r.must(r.p.PauseCall(r.ctx, id), "pauseCall")
				r.must(r.p.ResumeCall(r.ctx, id), "resumeCall")
				offers := dlg.Offers()
				if len(offers) != 2 || !strings.Contains(offers[0], "a=sendonly") || !strings.Contains(offers[1], "a=sendrecv") {
					r.t.Errorf("re-INVITEs %q, want sendonly then sendrecv", offers)
				}
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-paused", "call-resumed", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "a second pauseCall is refused (already on hold) and emits nothing",
			story: func(r *rig) string {
				id, _ := r.connected()
				r.must(r.p.PauseCall(r.ctx, id), "pauseCall")
				if err := r.p.PauseCall(r.ctx, id); err == nil {
					r.t.Error("a second pauseCall succeeded")
				}
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-paused", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "a re-INVITE while held here: the far end's hold and resume leave the call held (inactive, then sendonly), with no event",
			story: func(r *rig) string {
				id, dlg := r.connected()
				r.must(r.p.PauseCall(r.ctx, id), "pauseCall")
				both, err := r.agent.Reinvite(dlg, media.SendOnly)
				r.must(err, "the far end's hold")
				back, err := r.agent.Reinvite(dlg, media.SendRecv)
				r.must(err, "the far end's resume")
				if !strings.Contains(string(both), "a=inactive") || !strings.Contains(string(back), "a=sendonly") {
					r.t.Errorf("answers %q and %q, want inactive then sendonly", both, back)
				}
				_, _, local, remote := r.medias.Last().State()
				if !local || remote {
					r.t.Errorf("media held here=%t by the far end=%t, want true, false", local, remote)
				}
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-paused", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "the far end hangs up a held call: call-ended remote-hangup and the media is closed",
			story: func(r *rig) string {
				id, dlg := r.connected()
				r.must(r.p.PauseCall(r.ctx, id), "pauseCall")
				dlg.HangUp()
				r.ev.await(r.t, id, phone.EventCallEnded)
				if _, closed, _, _ := r.medias.Last().State(); !closed {
					r.t.Error("the ended call's media is still open")
				}
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-paused", "call-ended"},
			reason: phone.EndRemoteHangup,
		},
		{
			rule: "mute and unmute emit call-muted and call-unmuted once each; a second mute is refused",
			story: func(r *rig) string {
				id, _ := r.connected()
				r.must(r.p.MuteCall(id), "muteCall")
				if err := r.p.MuteCall(id); err == nil {
					r.t.Error("a second muteCall succeeded")
				}
				r.must(r.p.UnmuteCall(id), "unmuteCall")
				r.must(r.p.EndCall(id), "endCall")
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-muted", "call-unmuted", "call-ended"},
			reason: phone.EndLocalHangup,
		},
		{
			rule: "pauseCall of a call not yet answered is refused and emits nothing",
			story: func(r *rig) string {
				id, d := r.dial("200")
				d.Provisional(180, "")
				r.ev.await(r.t, id, phone.EventCallInProgress)
				if err := r.p.PauseCall(r.ctx, id); err == nil {
					r.t.Error("pauseCall of a ringing call succeeded")
				}
				d.Fail(480, "Temporarily Unavailable")
				return id
			},
			events: []string{"call-started", "call-in-progress", "call-ended"},
			reason: phone.EndUnavailable,
		},
		{
			rule: "a direct transfer is blind, as the reference's: the call ends transferred once the far end accepts the REFER",
			story: func(r *rig) string {
				id, dlg := r.connected()
				res, err := r.p.TransferCall(r.ctx, phone.TransferDirect, "400")
				r.must(err, "transferCall")
				if !res.Confirmed || res.TransferredTo != "400" {
					r.t.Errorf("transfer state %+v", res)
				}
				r.ev.await(r.t, id, phone.EventCallEnded)
				if dlg.Hangups() != 1 {
					r.t.Errorf("the transferred leg got %d BYEs, want 1", dlg.Hangups())
				}
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-transfer-started", "call-ended"},
			reason: phone.EndTransferred,
		},
		{
			rule: "a REFER the far end refuses leaves the call connected and the promise rejects with its answer",
			story: func(r *rig) string {
				id, dlg := r.connected()
				dlg.RefuseRefer(405)
				_, err := r.p.TransferCall(r.ctx, phone.TransferDirect, "400")
				if err == nil || !strings.Contains(err.Error(), "405") {
					r.t.Errorf("transferCall: %v, want the far end's 405", err)
				}
				if got := r.p.Calls(); len(got) != 1 {
					r.t.Errorf("%d calls after a refused REFER, want the one", len(got))
				}
				dlg.HangUp()
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-transfer-started", "call-ended"},
			reason: phone.EndRemoteHangup,
		},
		{
			rule:     "attended (VoiceDesk's option): a target that does not answer leaves the call connected and the promise rejects with the reason",
			attended: true,
			story: func(r *rig) string {
				id, dlg := r.connected()
				dlg.OnRefer(func(string) (sip.TransferResult, error) {
					return sip.TransferResult{Status: 486, Reason: "Busy Here"}, fmt.Errorf("the target answered 486")
				})
				_, err := r.p.TransferCall(r.ctx, phone.TransferDirect, "486")
				if err == nil || !strings.Contains(err.Error(), "486") {
					r.t.Errorf("transferCall: %v, want the target's 486", err)
				}
				if got := r.p.Calls(); len(got) != 1 {
					r.t.Errorf("%d calls after a failed transfer, want the one", len(got))
				}
				dlg.HangUp()
				return id
			},
			events: []string{"call-started", "call-confirmed", "call-transfer-started", "call-ended"},
			reason: phone.EndRemoteHangup,
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := newRig(t, func(c *phone.Config) { c.AttendedTransfer = tt.attended })
			id := tt.story(r)
			r.ev.await(t, id, phone.EventCallEnded)
			if got := r.ev.of(id); !slices.Equal(got, tt.events) {
				t.Errorf("events %v, want %v", got, tt.events)
			}
			if got := r.ev.endReason(id); got != tt.reason {
				t.Errorf("endReason %q, want %q", got, tt.reason)
			}
			if calls := r.p.Calls(); len(calls) != 0 {
				t.Errorf("calls left after the story: %+v", calls)
			}
		})
	}
}

// A consulted transfer is two calls; the row checks both.
func TestConsultedTransferStories(t *testing.T) {
	tests := []struct {
		rule      string
		target    func(d *phonetest.Dialing) // how the target answers
		confirm   bool
		wantErr   bool
		original  []string
		reason    string
		consulted string // the consultation call's endReason
	}{
		{
			rule:      "confirmed: the original is held, the consultation answered; confirmTransfer ends both transferred and emits call-transfer-success",
			target:    func(d *phonetest.Dialing) { d.Answer() },
			confirm:   true,
			original:  []string{"call-started", "call-confirmed", "call-paused", "call-transfer-started", "call-ended", "call-transfer-success"},
			reason:    phone.EndTransferred,
			consulted: phone.EndTransferred,
		},
		{
			rule:      "the target is busy: the promise rejects, call-transfer-cancel, and the original is resumed",
			target:    func(d *phonetest.Dialing) { d.Fail(486, "Busy Here") },
			wantErr:   true,
			original:  []string{"call-started", "call-confirmed", "call-paused", "call-transfer-started", "call-transfer-cancel", "call-resumed", "call-ended"},
			reason:    phone.EndLocalHangup,
			consulted: phone.EndBusy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := newRig(t)
			id, _ := r.connected()
			go func() {
				if d, err := r.agent.Dialed(r.ctx); err == nil {
					tt.target(d)
				}
			}()
			_, err := r.p.TransferCall(r.ctx, phone.TransferConsulted, "500")
			if (err != nil) != tt.wantErr {
				t.Fatalf("transferCall: %v, want error %t", err, tt.wantErr)
			}
			if tt.confirm {
				if _, err := r.p.ConfirmTransfer(r.ctx); err != nil {
					t.Fatalf("confirmTransfer: %v", err)
				}
				r.ev.await(t, id, phone.EventCallTransferSuccess)
			} else {
				r.ev.await(t, id, phone.EventCallResumed)
				r.must(r.p.EndCall(id), "endCall")
			}
			r.ev.await(t, id, phone.EventCallEnded)
			if got := r.ev.of(id); !slices.Equal(got, tt.original) {
				t.Errorf("the original call's events %v, want %v", got, tt.original)
			}
			if got := r.ev.endReason(id); got != tt.reason {
				t.Errorf("the original's endReason %q, want %q", got, tt.reason)
			}
			var consult string
			r.ev.mu.Lock()
			for cid, ev := range r.ev.ended {
				if ev.IsConsulted {
					consult = cid
				}
			}
			r.ev.mu.Unlock()
			if got := r.ev.endReason(consult); got != tt.consulted {
				t.Errorf("the consultation's endReason %q, want %q", got, tt.consulted)
			}
		})
	}
}

// A link that launched the app is dialled once the phone signs in: it
// waits on the sign-in (no poll), and gives up when its context ends.
func TestDialLinkWhenReady(t *testing.T) {
	agent, medias, ev := phonetest.NewAgent(), &phonetest.Medias{}, newEvents()
	p := phone.New(phone.Config{NewUserAgent: agent.New(), NewMedia: medias.New, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, ev)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	if _, err := p.DialLinkWhenReady(short, "tel:+358401"); err == nil || !strings.Contains(err.Error(), "waited for the phone to sign in") {
		t.Fatalf("with nobody signing in: %v, want a timeout that says what it waited for", err)
	}

	type result struct {
		id  string
		err error
	}
	got := make(chan result, 1)
	go func() {
		id, err := p.DialLinkWhenReady(ctx, "tel:+358401")
		got <- result{id, err}
	}()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	d, err := agent.Dialed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Target != "+358401" {
		t.Errorf("dialled %q, want +358401", d.Target)
	}
	r := <-got
	if r.err != nil || r.id == "" {
		t.Fatalf("DialLinkWhenReady: %q, %v", r.id, r.err)
	}
	d.Fail(486, "Busy Here")
	ev.await(t, r.id, phone.EventCallEnded)
}

// sendDTMF checks as the reference orders it: logged in, the call exists,
// then the tones and options.
func TestDTMFChecksInTheReferencesOrder(t *testing.T) {
	out := phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, newEvents())
	defer out.Close()
	if _, err := out.SendDTMF(context.Background(), "x", "bad tones", phone.DTMFOptions{}); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("signed out: %v, want ErrNotLoggedIn first", err)
	}
	r := newRig(t)
	if _, err := r.p.SendDTMF(r.ctx, "nosuchcall", "bad tones", phone.DTMFOptions{}); !errors.Is(err, phone.ErrNoSuchCall) {
		t.Errorf("no such call: %v, want ErrNoSuchCall before the tones", err)
	}
	id, _ := r.connected()
	if _, err := r.p.SendDTMF(r.ctx, id, "12a", phone.DTMFOptions{}); !errors.Is(err, phone.ErrDTMFTones) {
		t.Errorf("lower case: %v, want ErrDTMFTones", err)
	}
	if ok, err := r.p.SendDTMF(r.ctx, id, "1#", phone.DTMFOptions{Duration: f64(40), InterToneGap: f64(30)}); !ok {
		t.Errorf("valid tones: %v", err)
	}
}

func f64(v float64) *float64 { return &v }
