package calls

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// setPeople gives the lab's directory n synthetic people (0: none).
func setPeople(t *testing.T, n int) {
	t.Helper()
	res, err := http.Post(lab.APIURL+"lab/directory/people", "application/json", bytes.NewReader(fmt.Appendf(nil, `{"Count":%d}`, n)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("set %d people: %s", n, res.Status)
	}
}

// The Colleagues view's backend through the lab: a search over 1,005
// entries (its latency printed), favourites, and a colleague's availability
// and calls seen live: Bob goes away (his own API call), then on a call
// (his phone calls the tone phone through Kamailio, whose dialogs the
// platform reads), then is free again, and Alice's phone is told each
// time without asking.
func TestColleaguesThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	setPeople(t, 1000)
	defer setPeople(t, 0)
	api := platform.New(platform.Config{})
	ev := newEvents()
	ev.colleagues = true
	// A status poll of an hour: the event channel, not the poll, must tell.
	alice := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true, StatusPoll: time.Hour}, api, ev)
	defer alice.Close()
	if ok, err := alice.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatal(err)
	}

	// Search as an agent types: each prefix of a name, a number's digits.
	var took []time.Duration
	for _, q := range []string{"", "a", "ai", "ain", "aino", "aino v", "aino vi", "aino vir", "b", "bo", "bob", "sa", "sal", "sales",
		"40300", "403000", "4030001", "40300012", "de", "de v", "de vr", "garc", "nys", "l", "li", "lii", "liisa", "supp", "+358 40 100"} {
		start := time.Now()
		got, err := alice.SearchColleagues(ctx, q)
		took = append(took, time.Since(start))
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if q == "" && got.Total != 1005 {
			t.Fatalf("the whole directory has %d entries, want 1,005", got.Total)
		}
		if len(got.Results) > 50 {
			t.Fatalf("search %q: %d results, a page is 50", q, len(got.Results))
		}
		for _, c := range got.Results {
			if !matchesSearch(c, q) {
				t.Fatalf("search %q found %+v", q, c)
			}
		}
	}
	slices.Sort(took)
	fmt.Printf("e2e: directory search over 1,005 entries (29 searches as typed, phone -> lab API -> phone): median %v, slowest %v\n",
		took[len(took)/2].Round(10*time.Microsecond), took[len(took)-1].Round(10*time.Microsecond))

	bob := findColleague(t, ctx, alice, "bob agent")
	if bob.Presence != phone.PresenceAvailable || bob.Number != "+358401000002" {
		t.Fatalf("Bob at the start: %+v", bob)
	}
	sales := findColleague(t, ctx, alice, "sales")
	if sales.Kind != "queue" || sales.Members != 1 {
		t.Fatalf("Sales: %+v", sales)
	}
	if err := alice.SetFavourite(bob.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := alice.SearchColleagues(ctx, ""); err != nil || len(got.Favourites) != 1 || got.Favourites[0].ID != bob.ID {
		t.Fatalf("favourites: %+v, %v", got.Favourites, err)
	}

	// Bob goes away. The channel's opening is not visible from here: until
	// Alice's phone hears one, Bob's change is made again (a new note each
	// time), at most ten times.
	bobAPI := platform.New(platform.Config{})
	bs := bobSession(t, ctx, bobAPI)
	defer func() { _, _ = bobAPI.SetStatus(context.Background(), bs, platform.StatusAvailable, "") }()
	var away phone.Colleague
	for i := 0; away.ID == "" && i < 10; i++ {
		if _, err := bobAPI.SetStatus(ctx, bs, platform.StatusAway, fmt.Sprintf("lunch %d", i)); err != nil {
			t.Fatal(err)
		}
		away = ev.colleague(ctx, bob.ID, phone.PresenceUnavailable, time.Second)
	}
	if away.StatusID != platform.StatusAway || !strings.HasPrefix(away.Note, "lunch") || !away.Favourite {
		t.Fatalf("Bob away, as told: %+v", away)
	}
	if _, err := bobAPI.SetStatus(ctx, bs, platform.StatusAvailable, ""); err != nil {
		t.Fatal(err)
	}
	if c := ev.colleague(ctx, bob.ID, phone.PresenceAvailable, 5*time.Second); c.ID == "" {
		t.Fatal("Bob available again: not told")
	}

	// Bob's phone calls the tone phone: Alice is told he is on a call,
	// then free once he hangs up.
	bobPhone := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1,
		Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, &audio.Recorder{} }}, platform.New(platform.Config{}), newEvents())
	defer bobPhone.Close()
	if ok, err := bobPhone.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "bob@voicedesk.lab", Password: "bob-secret"}); !ok {
		t.Fatal(err)
	}
	placed := time.Now()
	id, err := bobPhone.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	onCall := ev.colleague(ctx, bob.ID, phone.PresenceOnCall, 10*time.Second)
	if onCall.ID == "" {
		t.Fatal("Bob on a call: not told")
	}
	toldOn := time.Since(placed)
	if got := findColleague(t, ctx, alice, "bob agent"); got.Presence != phone.PresenceOnCall {
		t.Fatalf("a search while Bob is on a call: %+v", got)
	}
	if got := findColleague(t, ctx, alice, "support"); got.MembersAvailable != 1 {
		t.Fatalf("Support with Bob on a call: %+v (Alice is its free member)", got)
	}
	time.Sleep(time.Second)
	ended := time.Now()
	if err := bobPhone.EndCall(id); err != nil {
		t.Fatal(err)
	}
	if c := ev.colleague(ctx, bob.ID, phone.PresenceAvailable, 10*time.Second); c.ID == "" {
		t.Fatal("Bob free again: not told")
	}
	fmt.Printf("e2e: colleagues: Bob's away seen live; on a call %v after his INVITE, free %v after his BYE (the lab reads Kamailio's dialogs every second)\n",
		toldOn.Round(time.Millisecond), time.Since(ended).Round(time.Millisecond))
}

// matchesSearch is the lab's rule as a reader would check it: every term
// starts a word of the name or e-mail, or its digits are in the number.
func matchesSearch(c phone.Colleague, q string) bool {
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	if d := digits(q); d != "" && d == strings.Join(strings.Fields(strings.TrimPrefix(q, "+")), "") {
		return strings.Contains(digits(c.Number), d)
	}
	words := strings.FieldsFunc(strings.ToLower(c.Name+" "+c.Email), func(r rune) bool { return r == ' ' || r == '.' || r == '@' || r == '-' })
	for _, term := range strings.Fields(strings.ToLower(q)) {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, term) }) {
			return false
		}
	}
	return true
}

func findColleague(t *testing.T, ctx context.Context, p *phone.Phone, q string) phone.Colleague {
	t.Helper()
	got, err := p.SearchColleagues(ctx, q)
	if err != nil || len(got.Results) != 1 {
		t.Fatalf("search %q: %+v, %v", q, got, err)
	}
	return got.Results[0]
}

func bobSession(t *testing.T, ctx context.Context, api *platform.Client) *platform.Session {
	t.Helper()
	silos, err := api.Discover(ctx, lab.DiscoveryURL, "bob@voicedesk.lab")
	if err != nil {
		t.Fatal(err)
	}
	s, err := api.LoginCredentials(ctx, silos[0], "bob@voicedesk.lab", "bob-secret")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// colleague waits up to d for colleague-status-changed telling that id is
// now presence; the zero Colleague when it does not come.
func (e *events) colleague(ctx context.Context, id, presence string, d time.Duration) phone.Colleague {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		select {
		case ev := <-e.ch:
			if c, ok := ev.detail.(phone.Colleague); ok && ev.name == phone.EventColleagueStatusChanged && c.ID == id && c.Presence == presence {
				return c
			}
		case <-deadline.C:
			return phone.Colleague{}
		case <-ctx.Done():
			return phone.Colleague{}
		}
	}
}
