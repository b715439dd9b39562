package phone_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
)

func ptr[T any](v T) *T { return &v }

func status(id int, note string) *platform.UserStatus {
	return &platform.UserStatus{EventTypeID: id, Note: note}
}

// What the view shows of each kind of directory entry.
func TestColleaguePresence(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		entry platform.DirectoryEntry
		want  string
		id    int
	}{
		{"available and not on a call is available", platform.DirectoryEntry{Availability: status(1, ""), OnCall: ptr(false)}, phone.PresenceAvailable, 1},
		{"available with the call state unknown is available (what the platform says)", platform.DirectoryEntry{Availability: status(1, "")}, phone.PresenceAvailable, 1},
		{"on a call is shown apart from available", platform.DirectoryEntry{Availability: status(1, ""), OnCall: ptr(true)}, phone.PresenceOnCall, 1},
		{"on a call wins over an away status", platform.DirectoryEntry{Availability: status(6, "lunch"), OnCall: ptr(true)}, phone.PresenceOnCall, 6},
		{"on a call with no availability shared is still on a call", platform.DirectoryEntry{OnCall: ptr(true)}, phone.PresenceOnCall, 0},
		{"busy, away, off work, DND and BRB are unavailable", platform.DirectoryEntry{Availability: status(3, ""), OnCall: ptr(false)}, phone.PresenceUnavailable, 3},
		{"no availability shared is unknown", platform.DirectoryEntry{OnCall: ptr(false)}, phone.PresenceUnknown, 0},
		{"an availability of type 0 is unknown", platform.DirectoryEntry{Availability: status(0, "")}, phone.PresenceUnknown, 0},
		{"a queue with a free member is available", platform.DirectoryEntry{Kind: "Queue", Members: ptr(2), MembersAvailable: ptr(1)}, phone.PresenceAvailable, 0},
		{"a queue with no free member is unavailable", platform.DirectoryEntry{Kind: "Queue", Members: ptr(2), MembersAvailable: ptr(0)}, phone.PresenceUnavailable, 0},
		{"a queue without member counts is unknown", platform.DirectoryEntry{Kind: "Queue"}, phone.PresenceUnknown, 0},
	} {
		tc.entry.ID, tc.entry.Number = "x", "+1"
		if tc.entry.Kind == "" {
			tc.entry.Kind = "User"
		}
		plat := phonetest.Platform{People: []platform.DirectoryEntry{tc.entry}}
		r := newRigOn(t, plat, newEvents())
		got, err := r.p.SearchColleagues(r.ctx, "")
		if err != nil || len(got.Results) != 1 {
			t.Fatalf("%s: %+v, %v", tc.rule, got, err)
		}
		if c := got.Results[0]; c.Presence != tc.want || c.StatusID != tc.id {
			t.Errorf("%s: presence %q status %d, want %q %d", tc.rule, c.Presence, c.StatusID, tc.want, tc.id)
		}
	}
}

// colleagueEvents keeps colleague-status-changed.
type colleagueEvents struct {
	mu   sync.Mutex
	seen []phone.Colleague
}

func (e *colleagueEvents) Emit(name string, detail any) {
	if c, ok := detail.(phone.Colleague); ok && name == phone.EventColleagueStatusChanged {
		e.mu.Lock()
		e.seen = append(e.seen, c)
		e.mu.Unlock()
	}
}

func (e *colleagueEvents) wait(n int) []phone.Colleague {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		e.mu.Lock()
		if len(e.seen) >= n {
			out := append([]phone.Colleague(nil), e.seen...)
			e.mu.Unlock()
			return out
		}
		e.mu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]phone.Colleague(nil), e.seen...)
}

// Favourites come first in the order they were made, are kept in the
// settings, and are flagged in the results; the platform's news of a
// colleague on show becomes colleague-status-changed, of anyone else
// nothing; bad input is refused with a coded error.
func TestColleaguesFavouritesAndEvents(t *testing.T) {
	people := []platform.DirectoryEntry{
		{Kind: "User", ID: "u-bob", Name: "Bob Agent", Number: "+2", Availability: status(1, ""), OnCall: ptr(false)},
		{Kind: "Queue", ID: "q-sales", Name: "Sales", Number: "+100", Members: ptr(1), MembersAvailable: ptr(1)},
		{Kind: "User", ID: "u-sara", Name: "Sara Supervisor", Number: "+3", Availability: status(6, "lunch"), OnCall: ptr(false)},
	}
	plat := phonetest.Platform{People: people, Events: make(chan platform.Event)}
	prefs := settings.Open(filepath.Join(t.TempDir(), "settings.json"))
	em := &colleagueEvents{}
	// A status poll (of an hour) makes the phone follow the event channel.
	r := newRigOn(t, plat, em, func(c *phone.Config) { c.Settings = prefs; c.StatusPoll = time.Hour })
	send := func(ev platform.Event) {
		t.Helper()
		select {
		case plat.Events <- ev:
		case <-time.After(2 * time.Second):
			t.Fatal("the phone does not read the event channel")
		}
	}

	for _, id := range []string{"u-sara", "q-sales"} {
		if err := r.p.SetFavourite(id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.p.SetFavourite("u-sara", true); err != nil { // twice: still once
		t.Fatal(err)
	}
	got, err := r.p.SearchColleagues(r.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Favourites) != 2 || got.Favourites[0].ID != "u-sara" || got.Favourites[1].ID != "q-sales" || got.Favourites[1].Kind != "queue" {
		t.Fatalf("favourites in the order made: %+v", got.Favourites)
	}
	if len(got.Results) != 3 || got.Results[0].Favourite || !got.Results[1].Favourite || got.Total != 3 {
		t.Fatalf("results flag the favourites: %+v", got.Results)
	}
	got, err = r.p.SearchColleagues(r.ctx, "  sa ")
	if err != nil || len(got.Favourites) != 2 || len(got.Results) != 2 {
		t.Fatalf("a search narrows the favourites too: %+v, %v", got, err)
	}
	got, _ = r.p.SearchColleagues(r.ctx, "bob")
	if len(got.Favourites) != 0 || len(got.Results) != 1 {
		t.Fatalf("bob: %+v", got)
	}

	st, err := prefs.Load()
	if err != nil || strings.Join(st.Favourites["id-1"], ",") != "u-sara,q-sales" {
		t.Fatalf("kept per user in the settings: %v, %v", st.Favourites, err)
	}
	if err := r.p.SetFavourite("u-sara", false); err != nil {
		t.Fatal(err)
	}
	if st, _ := prefs.Load(); strings.Join(st.Favourites["id-1"], ",") != "q-sales" {
		t.Fatalf("unfavoured: %v", st.Favourites)
	}

	data, _ := json.Marshal(platform.DirectoryEntry{Kind: "User", ID: "u-bob", Name: "Bob Agent", Number: "+2", Availability: status(1, ""), OnCall: ptr(true)})
	send(platform.Event{Type: platform.EventColleagueStatus, UserID: "u-bob", Data: data})
	send(platform.Event{Type: platform.EventColleagueStatus, UserID: "u-other", Data: data}) // id and data disagree
	send(platform.Event{Type: platform.EventColleagueStatus, UserID: "u-bob", Data: json.RawMessage(`[1]`)})
	// Sara is neither on the last search's page ("bob") nor a favourite
	// any more: not told.
	data, _ = json.Marshal(platform.DirectoryEntry{Kind: "User", ID: "u-sara", Name: "Sara Supervisor", Number: "+3", OnCall: ptr(true)})
	send(platform.Event{Type: platform.EventColleagueStatus, UserID: "u-sara", Data: data})
	data, _ = json.Marshal(platform.DirectoryEntry{Kind: "Queue", ID: "q-sales", Name: "Sales", Number: "+100", Members: ptr(1), MembersAvailable: ptr(0)})
	send(platform.Event{Type: platform.EventColleagueStatus, UserID: "q-sales", Data: data})
	seen := em.wait(2)
	if len(seen) != 2 || seen[0].ID != "u-bob" || seen[0].Presence != phone.PresenceOnCall || seen[1].ID != "q-sales" || seen[1].Presence != phone.PresenceUnavailable || !seen[1].Favourite {
		t.Fatalf("colleague-status-changed: %+v", seen)
	}

	for _, tc := range []struct {
		rule string
		err  error
		do   func() error
	}{
		{"a search over 100 characters", phone.ErrSearchTooLong, func() error { _, err := r.p.SearchColleagues(r.ctx, strings.Repeat("a", 101)); return err }},
		{"an empty id", phone.ErrBadColleagueID, func() error { return r.p.SetFavourite("", true) }},
		{"an id with a comma (it would name two)", phone.ErrBadColleagueID, func() error { return r.p.SetFavourite("a,b", true) }},
	} {
		if err := tc.do(); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.err)
		}
	}
	for i := 0; i < 99; i++ {
		if err := r.p.SetFavourite("f"+string(rune('a'+i%26))+strings.Repeat("x", i/26), true); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := r.p.SetFavourite("one-too-many", true); !errors.Is(err, phone.ErrTooManyFavs) {
		t.Fatalf("the 101st favourite: %v", err)
	}
}

// Signed out, the directory is not there to search.
func TestColleaguesNeedALogin(t *testing.T) {
	p := phone.New(phone.Config{StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, phone.EmitterFunc(func(string, any) {}))
	defer p.Close()
	if _, err := p.SearchColleagues(t.Context(), "x"); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Fatalf("%v", err)
	}
	if err := p.SetFavourite("x", true); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Fatalf("%v", err)
	}
}
