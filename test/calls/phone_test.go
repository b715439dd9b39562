package calls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/apiserver"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// events records the phone's events and lets a test wait for one.
type events struct {
	mu  sync.Mutex
	all []phoneEvent
	ch  chan phoneEvent
	// colleagues: colleague-status-changed is kept too. Off by default:
	// any change of anyone in the lab sends it, and a test that does not
	// read it would fill ch and hold the phone's event channel.
	colleagues bool
}

type phoneEvent struct {
	name   string
	call   phone.CallEvent
	detail any
}

func newEvents() *events { return &events{ch: make(chan phoneEvent, 64)} }

func (e *events) Emit(name string, detail any) {
	if name == phone.EventColleagueStatusChanged && !e.colleagues {
		return
	}
	ev := phoneEvent{name: name, detail: detail}
	if c, ok := detail.(phone.CallEvent); ok {
		ev.call = c
	}
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	e.ch <- ev
}

func (e *events) wait(t *testing.T, ctx context.Context, name string) phoneEvent {
	t.Helper()
	return e.waitFor(t, ctx, name, nil)
}

// waitAny waits for the first event with one of names.
func (e *events) waitAny(t *testing.T, ctx context.Context, names ...string) phoneEvent {
	t.Helper()
	for {
		select {
		case ev := <-e.ch:
			if slices.Contains(names, ev.name) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("none of %v; events so far: %v", names, e.names())
		}
	}
}

// waitFor waits for an event of that name whose detail matches (nil: any).
func (e *events) waitFor(t *testing.T, ctx context.Context, name string, detail any) phoneEvent {
	t.Helper()
	for {
		select {
		case ev := <-e.ch:
			if ev.name == name && (detail == nil || ev.detail == detail) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no %s %v event; events so far: %v", name, detail, e.names())
		}
	}
}

func (e *events) names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		out = append(out, ev.name)
	}
	return out
}

func TestPhoneCallsThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ev := newEvents()
	heard := &audio.Recorder{}
	p := phone.New(phone.Config{
		DiscoveryURL: lab.DiscoveryURL,
		Media:        media.Config{LoopbackOnly: true},
		Audio:        func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, heard },
	}, platform.New(platform.Config{}), ev)
	defer p.Close()

	if _, err := p.Call("+358401000090"); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Fatalf("Call before login: %v, want ErrNotLoggedIn", err)
	}
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}

	t.Run("validation", func(t *testing.T) {
		for _, tc := range []struct {
			rule   string
			number string
			want   error
		}{
			{"the number is required", "  ", phone.ErrMissingNumber},
			{"the number has no markup", "<script>", phone.ErrBadNumber},
		} {
			if _, err := p.Call(tc.number); !errors.Is(err, tc.want) {
				t.Errorf("%s: Call(%q) = %v, want %v", tc.rule, tc.number, err, tc.want)
			}
		}
		for _, f := range []func(string) error{p.AnswerCall, p.RejectCall, p.EndCall} {
			if err := f("nosuchcall"); !errors.Is(err, phone.ErrNoSuchCall) {
				t.Errorf("unknown call id: %v, want ErrNoSuchCall", err)
			}
		}
	})

	t.Run("outbound, hung up here", func(t *testing.T) {
		id, err := p.Call(lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		started := ev.wait(t, ctx, phone.EventCallStarted)
		if started.call.CallID != id || started.call.CallDirection != phone.DirectionOutbound || started.call.PhoneNumber != lab.Tone.Number {
			t.Fatalf("call-started %+v", started.call)
		}
		ev.wait(t, ctx, phone.EventCallInProgress)
		ev.wait(t, ctx, phone.EventCallConfirmed)
		// A UI that attaches now (a reload, the bridge reconnecting) reads
		// the call from the state, as connected.
		if calls := p.State().Calls; len(calls) != 1 || calls[0].Detail.CallID != id || calls[0].State != "connected" || calls[0].ConnectedAt == nil {
			t.Fatalf("State().Calls mid-call = %+v, want this call, connected", calls)
		}
		time.Sleep(2 * time.Second)
		if err := p.EndCall(id); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.CallID != id || ended.call.EndReason != phone.EndLocalHangup || ended.call.EndTime == nil {
			t.Fatalf("call-ended %+v", ended.call)
		}
		if calls := p.State().Calls; len(calls) != 0 {
			t.Fatalf("State().Calls after the call = %+v, want none", calls)
		}
		s, rate := heard.Samples()
		hz, _ := audio.DominantFrequency(s, rate)
		fmt.Printf("e2e: phone outbound call: events %v, heard %d Hz\n", ev.names(), hz)
		if abs(hz-lab.Tone.ToneHz) > 5 {
			t.Errorf("heard %d Hz, want %d", hz, lab.Tone.ToneHz)
		}
	})

	t.Run("outbound to an unknown number ends with not-found", func(t *testing.T) {
		if _, err := p.Call("+358000000001"); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndNotFound {
			t.Fatalf("endReason %q, want not-found", ended.call.EndReason)
		}
	})

	t.Run("outbound, cancelled here while it rings", func(t *testing.T) {
		// The caller phone answers manually: it rings until told otherwise.
		id, err := p.Call(lab.Caller.Number)
		if err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallInProgress)
		callerRinging(t, ctx)
		if err := p.EndCall(id); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.CallID != id || ended.call.EndReason != phone.EndLocalHangup {
			t.Fatalf("call-ended %+v, want local-hangup", ended.call)
		}
		callerIdle(t, ctx) // the CANCEL reached it
	})

	t.Run("outbound, the far end is busy", func(t *testing.T) {
		id, err := p.Call(lab.Caller.Number)
		if err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallInProgress)
		callerRinging(t, ctx)
		// baresip answers "hangup" of a ringing call with 486 Busy Here.
		if out, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
			t.Fatalf("hangup at the caller phone: %v (%s)", err, out)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.CallID != id || ended.call.EndReason != phone.EndBusy {
			t.Fatalf("call-ended %+v, want busy", ended.call)
		}
		callerIdle(t, ctx)
	})

	t.Run("outbound to a user who is not registered ends with unavailable", func(t *testing.T) {
		if _, err := p.Call("bob"); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndUnavailable {
			t.Fatalf("endReason %q, want unavailable", ended.call.EndReason)
		}
	})

	t.Run("outbound not answered in time ends with no-answer", func(t *testing.T) {
		short := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true},
			NoAnswerTimeout: time.Second}, platform.New(platform.Config{}), ev)
		defer short.Close()
		// Bob's phone: a second login must not take Alice's calls.
		if ok, err := short.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "bob@voicedesk.lab", Password: "bob-secret"}); !ok {
			t.Fatalf("login bob: %v", err)
		}
		id, err := short.Call(lab.Caller.Number) // rings, never answered
		if err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.CallID != id || ended.call.EndReason != phone.EndNoAnswer {
			t.Fatalf("call-ended %+v, want no-answer", ended.call)
		}
		if d := ended.call.EndTime.Sub(ended.call.StartTime); d < time.Second || d > 5*time.Second {
			t.Errorf("ended after %v, want about the 1 s timeout", d)
		}
		callerIdle(t, ctx) // the CANCEL reached the ringing phone
	})

	t.Run("outbound with early media, then answered", func(t *testing.T) {
		earlyHeard := &audio.Recorder{}
		var logBuf syncBuffer
		sara := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true},
			Log:   slog.New(slog.NewTextHandler(&logBuf, nil)),
			Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, earlyHeard }}, platform.New(platform.Config{}), ev)
		defer sara.Close()
		if ok, err := sara.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "sara@voicedesk.lab", Password: "sara-secret"}); !ok {
			t.Fatalf("login sara: %v", err)
		}
		id, err := sara.Call(lab.Early.Number)
		if err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallInProgress)
		// The media session is set up from the 183's SDP. (baresip 1.0's early
		// mode receives but sends nothing, and records only once it accepts,
		// so audio before the answer is not observable with it.)
		time.Sleep(time.Second)
		if _, err := labctl.Ctrl(ctx, lab.Early.Ctrl, "accept", ""); err != nil {
			t.Fatal(err)
		}
		confirmed := ev.wait(t, ctx, phone.EventCallConfirmed)
		if confirmed.call.CallID != id {
			t.Fatalf("call-confirmed for %s, want %s", confirmed.call.CallID, id)
		}
		// After the answer the far end's tone arrives on the same session.
		var hz int
		for i := 0; i < 30 && hz == 0; i++ {
			time.Sleep(100 * time.Millisecond)
			if s, rate := earlyHeard.Samples(); len(s) > rate/2 {
				hz, _ = audio.DominantFrequency(s[len(s)-rate/2:], rate)
			}
		}
		if abs(hz-lab.Early.ToneHz) > 5 {
			t.Errorf("after the answer heard %d Hz, want %d", hz, lab.Early.ToneHz)
		}
		if err := sara.EndCall(id); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndLocalHangup {
			t.Fatalf("endReason %q", ended.call.EndReason)
		}
		// The far end heard our 1000 Hz on the session set up from the 183.
		var farHz int
		for i := 0; i < 20 && farHz == 0; i++ {
			time.Sleep(100 * time.Millisecond)
			path, err := labtest.NewestRecording(lab.Early.Recordings, "dec")
			if err != nil {
				continue
			}
			if s, r, err := labtest.ReadWAV(path); err == nil && len(s) > r/2 {
				farHz, _ = audio.DominantFrequency(s, r)
			}
		}
		if abs(farHz-1000) > 5 {
			t.Errorf("the early phone heard %d Hz, want 1000", farHz)
		}
		// The session came from the 183, and the 200's SDP was not applied again.
		if log := logBuf.String(); !strings.Contains(log, "msg=\"early media\"") || strings.Contains(log, "call answer SDP") {
			t.Errorf("the early-media path did not run; phone log:\n%s", log)
		}
		fmt.Printf("e2e: phone outbound answered with 183+SDP first: media from the 183's SDP, far end heard %d Hz, engine heard %d Hz\n", farHz, hz)
	})

	t.Run("incoming, answered here, hung up by the caller", func(t *testing.T) {
		callerDials(t, ctx)
		in := ev.wait(t, ctx, phone.EventCallIncoming)
		if in.call.PhoneNumber != "caller" || in.call.CallDirection != phone.DirectionIncoming {
			t.Fatalf("call-incoming %+v", in.call)
		}
		if err := p.AnswerCall(in.call.CallID); err != nil {
			t.Fatal(err)
		}
		ev.wait(t, ctx, phone.EventCallAnswered)
		ev.wait(t, ctx, phone.EventCallConfirmed)
		time.Sleep(time.Second)
		if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndRemoteHangup {
			t.Fatalf("endReason %q, want remote-hangup", ended.call.EndReason)
		}
	})

	t.Run("incoming, rejected here", func(t *testing.T) {
		callerDials(t, ctx)
		in := ev.wait(t, ctx, phone.EventCallIncoming)
		if err := p.RejectCall(in.call.CallID); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndRejected {
			t.Fatalf("endReason %q, want rejected", ended.call.EndReason)
		}
		callerIdle(t, ctx)
	})

	t.Run("incoming, cancelled by the caller", func(t *testing.T) {
		callerDials(t, ctx)
		ev.wait(t, ctx, phone.EventCallIncoming)
		if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
			t.Fatal(err)
		}
		ended := ev.wait(t, ctx, phone.EventCallEnded)
		if ended.call.EndReason != phone.EndCancelled {
			t.Fatalf("endReason %q, want cancelled", ended.call.EndReason)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the phone's goroutines to log into.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// An AuthHeader login with an impersonation token from the lab: the phone
// registers with it, calls, and makeAPICall goes out with the token.
func TestAuthHeaderLoginThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := platform.New(platform.Config{})
	silos, err := api.Discover(ctx, lab.DiscoveryURL, "alice@voicedesk.lab")
	if err != nil {
		t.Fatal(err)
	}
	s, err := api.LoginCredentials(ctx, silos[0], "alice@voicedesk.lab", "alice-secret")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
		UserID      string  `json:"UserID"`
	}
	if err := api.Call(ctx, s, "POST", "users/me/impersonationtoken", nil, &tok); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}}, api, ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginAuthHeader, Username: "alice@voicedesk.lab", UserID: tok.UserID,
		AuthHeader: &phone.AuthHeader{Value: "Bearer " + tok.AccessToken, ExpiresIn: tok.ExpiresIn}}); !ok {
		t.Fatalf("AuthHeader login: %v", err)
	}
	me, err := p.MakeAPICall(ctx, "GET", "users/[ME]", nil)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := me.(map[string]any)["Username"].(string); u != "alice@voicedesk.lab" {
		t.Fatalf("makeAPICall users/[ME] = %v", me)
	}
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	fmt.Println("e2e: AuthHeader login with a lab impersonation token: registered, called the tone phone, makeAPICall users/[ME] answered")

	// A made-up token is refused with a clear error.
	other := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true}, api, newEvents())
	defer other.Close()
	_, err = other.Login(ctx, phone.LoginOptions{Type: phone.LoginAuthHeader, Username: "alice@voicedesk.lab", UserID: tok.UserID,
		AuthHeader: &phone.AuthHeader{Value: "Bearer forged", ExpiresIn: 3600}})
	if err == nil || !strings.Contains(err.Error(), "authorization was refused") {
		t.Fatalf("forged token: %v", err)
	}
}

// Roles (V2 outbound UI mode) through the lab's API.
func TestUserRolesThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := platform.New(platform.Config{})
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true}, api, ev)
	defer p.Close()
	if _, err := p.GetUserRole(ctx); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatal(err)
	}
	roles, err := p.GetUserRoles(ctx)
	if err != nil || len(roles) != 3 {
		t.Fatalf("roles %+v, %v", roles, err)
	}
	for _, r := range roles { // the reference's PublicUserRoleInterface: SelectedNumber is not optional
		if r.SelectedNumber == nil {
			t.Errorf("getUserRoles' %s has no SelectedNumber", r.Name)
		}
	}
	cur, err := p.GetUserRole(ctx)
	if err != nil || cur.Name != "personal" || cur.SelectedNumber == nil || cur.SelectedNumber.DisplayNumber != "+358401000001" {
		t.Fatalf("current role %+v, %v; want personal +358401000001", cur, err)
	}
	if ok, err := p.SetUserRole(ctx, apiserver.SalesQueueID, "+358201000101"); !ok || err != nil {
		t.Fatalf("SetUserRole(Sales, campaign number) = %v, %v", ok, err)
	}
	changed := ev.wait(t, ctx, phone.EventUserRoleChanged)
	if r := changed.detail.(platform.UserRole); r.Name != "Sales" || r.SelectedNumber.DisplayNumber != "+358201000101" {
		t.Fatalf("user-role-changed %+v", r)
	}
	for _, bad := range [][2]string{{"no-such-queue", ""}, {apiserver.SalesQueueID, "+358000"}} {
		if ok, err := p.SetUserRole(ctx, bad[0], bad[1]); ok || err != nil {
			t.Fatalf("SetUserRole(%q, %q) = %v, %v; want false, nil", bad[0], bad[1], ok, err)
		}
	}
	if cur, _ := p.GetUserRole(ctx); cur.Name != "Sales" {
		t.Fatalf("an invalid setUserRole changed the role to %+v", cur)
	}
	if ok, _ := p.SetUserRole(ctx, "", ""); !ok {
		t.Fatal("back to the default role failed")
	}
	if cur, _ := p.GetUserRole(ctx); cur.Name != "personal" {
		t.Fatalf("default role is %+v", cur)
	}

	bob := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true}, api, newEvents())
	defer bob.Close()
	if ok, err := bob.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "bob@voicedesk.lab", Password: "bob-secret"}); !ok {
		t.Fatal(err)
	}
	if _, err := bob.GetUserRole(ctx); !errors.Is(err, phone.ErrRolesNeedV2) {
		t.Fatalf("V1 user's getUserRole: %v, want ErrRolesNeedV2", err)
	}
	fmt.Println("e2e: roles: alice listed 3, switched personal -> Sales (campaign number) -> personal, invalid choices refused; bob (V1) told roles need V2")
}

// Availability through the lab's API: read, changed here, changed
// elsewhere and seen by the phone.
func TestUserStatusThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := platform.New(platform.Config{})
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true, StatusPoll: 100 * time.Millisecond}, api, ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "sara@voicedesk.lab", Password: "sara-secret"}); !ok {
		t.Fatal(err)
	}
	first := ev.wait(t, ctx, phone.EventUserStatusChanged).detail.(platform.UserStatus)
	if first.EventTypeID != platform.StatusAvailable {
		t.Fatalf("initial status %+v, want Available", first)
	}
	st, err := p.SetUserStatus(ctx, platform.StatusDND, "In training")
	if err != nil || st.EventTypeID != platform.StatusDND || st.Note != "In training" || st.ID == "" {
		t.Fatalf("SetUserStatus: %+v, %v", st, err)
	}
	ev.wait(t, ctx, phone.EventUserStatusChanged)
	if got, _ := p.GetUserStatus(ctx); got.EventTypeID != platform.StatusDND {
		t.Fatalf("getUserStatus %+v", got)
	}
	// Another client of Sara's changes it; the phone's poll notices.
	silos, _ := api.Discover(ctx, lab.DiscoveryURL, "sara@voicedesk.lab")
	other, err := api.LoginCredentials(ctx, silos[0], "sara@voicedesk.lab", "sara-secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.SetStatus(ctx, other, platform.StatusAway, "elsewhere"); err != nil {
		t.Fatal(err)
	}
	seen := ev.wait(t, ctx, phone.EventUserStatusChanged).detail.(platform.UserStatus)
	if seen.EventTypeID != platform.StatusAway || seen.Note != "elsewhere" {
		t.Fatalf("polled status %+v", seen)
	}
	if _, err := api.SetStatus(ctx, other, 42, ""); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("an unknown availability type: %v, want 400", err)
	}
	_, _ = p.SetUserStatus(ctx, platform.StatusAvailable, "")
	fmt.Println("e2e: availability: read Available, set DND here, Away set by another client seen by the phone")
}

// Changes made elsewhere reach the phone on the platform's event channel
// (rteEndpoint), promptly: the phone polls only every 15 s, and every 5
// minutes while the channel is open, so an event within 3 s is the
// channel's. The channel survives a restart of the platform's API.
func TestPresenceChangedElsewhere(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	api := platform.New(platform.Config{})
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true}, api, ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventUserStatusChanged) // the first reading
	silos, _ := api.Discover(ctx, lab.DiscoveryURL, "alice@voicedesk.lab")
	other, err := api.LoginCredentials(ctx, silos[0], "alice@voicedesk.lab", "alice-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = api.SetStatus(context.Background(), other, platform.StatusAvailable, "")
		_, _ = api.SetCurrentRole(context.Background(), other, "", "")
	}()
	prompt := func(what string, change func() error, name string, check func(any) bool) time.Duration {
		t.Helper()
		// The channel is open before the change (a change before it opens is
		// read by the poll the opening kicks, which is right but not this test).
		for deadline := time.Now().Add(5 * time.Second); !channelOpen(p) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		wctx, wcancel := context.WithTimeout(ctx, 3*time.Second)
		defer wcancel()
		start := time.Now()
		if err := change(); err != nil {
			t.Fatal(err)
		}
		for {
			e := ev.wait(t, wctx, name)
			if check(e.detail) {
				return time.Since(start)
			}
		}
	}
	busy := prompt("availability", func() error {
		_, err := api.SetStatus(ctx, other, platform.StatusBusy, "set elsewhere")
		return err
	}, phone.EventUserStatusChanged, func(d any) bool { s := d.(platform.UserStatus); return s.EventTypeID == platform.StatusBusy })
	role := prompt("role", func() error {
		_, err := api.SetCurrentRole(ctx, other, apiserver.SupportQID, "")
		return err
	}, phone.EventUserRoleChanged, func(d any) bool { return d.(platform.UserRole).QueueID == apiserver.SupportQID })

	// The API restarts: the phone opens the channel again (after 1, 2, 4 s)
	// and hears the next change.
	if err := labctl.StopComponent(lab, "api"); err != nil {
		t.Fatal(err)
	}
	if err := labctl.StartComponent(ctx, lab, "api"); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	for !channelOpen(p) && time.Since(restarted) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	if !channelOpen(p) {
		t.Fatal("the event channel did not open again within 10 s of the API's restart")
	}
	reopened := time.Since(restarted)
	away := prompt("availability after the restart", func() error {
		_, err := api.SetStatus(ctx, other, platform.StatusAway, "after the restart")
		return err
	}, phone.EventUserStatusChanged, func(d any) bool { s := d.(platform.UserStatus); return s.EventTypeID == platform.StatusAway })
	fmt.Printf("e2e: changes made elsewhere: availability heard in %v, role in %v; channel open again %v after the API restarted, then heard in %v\n",
		busy.Round(time.Millisecond), role.Round(time.Millisecond), reopened.Round(time.Millisecond), away.Round(time.Millisecond))
}

// channelOpen says whether the phone's event channel is open, from its
// state (State.events, for the status line).
func channelOpen(p *phone.Phone) bool { return p.State().Events }
