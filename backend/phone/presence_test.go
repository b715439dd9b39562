package phone_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/platform"
)

// presenceEvents keeps the details of user-status-changed and
// user-role-changed.
type presenceEvents struct {
	mu     sync.Mutex
	status []platform.UserStatus
	roles  []platform.UserRole
	wake   chan struct{}
}

func (e *presenceEvents) Emit(name string, detail any) {
	e.mu.Lock()
	switch d := detail.(type) {
	case platform.UserStatus:
		if name == phone.EventUserStatusChanged {
			e.status = append(e.status, d)
		}
	case platform.UserRole:
		if name == phone.EventUserRoleChanged {
			e.roles = append(e.roles, d)
		}
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// counts waits up to 2 s for at least the given numbers of events and
// returns what it has by then (the caller compares).
func (e *presenceEvents) counts(status, roles int) (int, int) {
	deadline := time.After(2 * time.Second)
	for {
		e.mu.Lock()
		s, r := len(e.status), len(e.roles)
		e.mu.Unlock()
		if s >= status && r >= roles {
			return s, r
		}
		select {
		case <-e.wake:
		case <-deadline:
			return s, r
		}
	}
}

func event(t *testing.T, typ, user string, data any) platform.Event {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return platform.Event{Type: typ, UserID: user, Data: b}
}

// Changes made elsewhere reach the phone on the platform's event channel
// and become the reference's user-status-changed and user-role-changed,
// once each; what is not the user's, not new, or not well-formed is not.
func TestPresenceFromElsewhere(t *testing.T) {
	stamp := func(d time.Duration) *string {
		s := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(d).Format(time.RFC3339Nano)
		return &s
	}
	busy := platform.UserStatus{EventSourceCategory: "User", EventTypeID: platform.StatusBusy, Note: "in a meeting", Timestamp: stamp(time.Minute)}
	earlier := platform.UserStatus{EventSourceCategory: "User", EventTypeID: platform.StatusDND, Note: "before", Timestamp: stamp(0)}
	sales := platform.UserRole{Name: "Sales", QueueID: "q-sales", SelectedNumber: &platform.UserRoleNumber{DisplayNumber: "+358201000100"}}
	const me = "id-1" // phonetest's user
	// Each row's events; the platform's record changes with the user's own
	// (valid) events before they are sent, as a platform's does.
	for _, tc := range []struct {
		rule              string
		send              func(t *testing.T) []platform.Event
		wantStatus, wantR int
	}{
		{"an availability set elsewhere is emitted", func(t *testing.T) []platform.Event {
			return []platform.Event{event(t, platform.EventUserStatus, me, busy)}
		}, 1, 0},
		{"the same availability twice is emitted once", func(t *testing.T) []platform.Event {
			return []platform.Event{event(t, platform.EventUserStatus, me, busy), event(t, platform.EventUserStatus, me, busy)}
		}, 1, 0},
		{"a role chosen elsewhere is emitted", func(t *testing.T) []platform.Event {
			return []platform.Event{event(t, platform.EventUserRole, me, sales)}
		}, 0, 1},
		{"another user's events are not this user's", func(t *testing.T) []platform.Event {
			return []platform.Event{event(t, platform.EventUserStatus, "someone-else", busy), event(t, platform.EventUserRole, "someone-else", sales)}
		}, 0, 0},
		{"an event older than the status known is not emitted (it was overtaken)", func(t *testing.T) []platform.Event {
			return []platform.Event{event(t, platform.EventUserStatus, me, busy), event(t, platform.EventUserStatus, me, earlier)}
		}, 1, 0},
		{"a malformed event is ignored", func(t *testing.T) []platform.Event {
			return []platform.Event{{Type: platform.EventUserStatus, UserID: me, Data: json.RawMessage(`"busy"`)},
				event(t, platform.EventUserRole, me, map[string]string{"QueueId": "x"})}
		}, 0, 0},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			plat := phonetest.Platform{Events: make(chan platform.Event), Presence: &phonetest.Presence{}}
			em := &presenceEvents{wake: make(chan struct{}, 1)}
			// The availability is read at the start (the poll; EventTypeID
			// 0 from phonetest) and as the channel opens, then not within
			// the test: the events are sent after both reads, so that no
			// poll's answer crosses them.
			newRigOn(t, plat, em, func(c *phone.Config) { c.StatusPoll = time.Hour })
			s0, _ := em.counts(1, 0)
			for deadline := time.Now().Add(2 * time.Second); plat.Presence.Reads() < 2 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			send := func(ev platform.Event) {
				if ev.UserID == me {
					var st platform.UserStatus
					var r platform.UserRole
					switch {
					case ev.Type == platform.EventUserStatus && json.Unmarshal(ev.Data, &st) == nil && st.EventTypeID != 0:
						plat.Presence.Set(&st, nil)
					case ev.Type == platform.EventUserRole && json.Unmarshal(ev.Data, &r) == nil && r.Name != "":
						plat.Presence.Set(nil, &r)
					}
				}
				plat.Events <- ev // handed over: the phone took it
			}
			for _, ev := range tc.send(t) {
				send(ev)
			}
			// One more known event after them: once it is seen, the ones
			// before were handled.
			mark := platform.UserStatus{EventTypeID: platform.StatusAway, Note: "mark", Timestamp: stamp(time.Hour)}
			send(event(t, platform.EventUserStatus, me, mark))
			s, r := em.counts(s0+tc.wantStatus+1, tc.wantR)
			if s-s0-1 != tc.wantStatus || r != tc.wantR {
				em.mu.Lock()
				t.Errorf("user-status-changed %d, user-role-changed %d; want %d and %d (all: %+v)", s-s0-1, r, tc.wantStatus, tc.wantR, em.status)
				em.mu.Unlock()
			}
		})
	}
}
