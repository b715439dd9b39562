package platform_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"voicedesk/backend/platform"
	"voicedesk/lab/apiserver"
)

func signIn(t *testing.T, c *platform.Client, srv *httptest.Server, user, password string) *platform.Session {
	t.Helper()
	silos, err := c.Discover(context.Background(), srv.URL+"/api/user/", user)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.LoginCredentials(context.Background(), silos[0], user, password)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The directory against the lab's server: search, favourites by id,
// paging, a change of availability seen by a colleague, and the big
// directory the lab makes for the figures.
func TestDirectory(t *testing.T) {
	srv := startLabAPI(t)
	c := platform.New(platform.Config{})
	ctx := context.Background()
	alice := signIn(t, c, srv, "alice@voicedesk.lab", "alice-secret")
	bob := signIn(t, c, srv, "bob@voicedesk.lab", "bob-secret")

	page, err := c.Directory(ctx, alice, platform.DirectoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range page.Entries {
		names = append(names, e.Kind+":"+e.Name)
	}
	if got := strings.Join(names, ","); got != "User:Alice Agent,User:Bob Agent,Queue:Sales,User:Sara Supervisor,Queue:Support" || page.Total != 5 {
		t.Fatalf("whole directory = %s (total %d)", got, page.Total)
	}
	sales := page.Entries[2]
	if *sales.Members != 1 || *sales.MembersAvailable != 1 || sales.Availability != nil {
		t.Fatalf("a queue: %+v", sales)
	}

	page, err = c.Directory(ctx, alice, platform.DirectoryQuery{Search: "bo"})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("search bo: %+v, %v", page, err)
	}
	b := page.Entries[0]
	if b.ID != apiserver.BobID || b.Number != "+358401000002" || b.Availability == nil || b.Availability.EventTypeID != platform.StatusAvailable || b.OnCall == nil || *b.OnCall {
		t.Fatalf("Bob: %+v", b)
	}

	if _, err := c.SetStatus(ctx, bob, platform.StatusAway, "lunch"); err != nil {
		t.Fatal(err)
	}
	page, err = c.Directory(ctx, alice, platform.DirectoryQuery{IDs: []string{apiserver.BobID, apiserver.SaraID}})
	if err != nil || len(page.Entries) != 2 || page.Entries[0].Availability.EventTypeID != platform.StatusAway || page.Entries[0].Availability.Note != "lunch" {
		t.Fatalf("favourites by id after Bob went away: %+v, %v", page, err)
	}
	page, err = c.Directory(ctx, alice, platform.DirectoryQuery{Search: "support"})
	if err != nil || len(page.Entries) != 1 || *page.Entries[0].MembersAvailable != 1 || *page.Entries[0].Members != 2 {
		t.Fatalf("Support with Bob away: %+v, %v", page, err)
	}

	res, err := http.Post(srv.URL+"/lab/directory/people", "application/json", bytes.NewReader([]byte(`{"Count":1000}`)))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("seed 1000 people: %v %v", res, err)
	}
	res.Body.Close()
	page, err = c.Directory(ctx, alice, platform.DirectoryQuery{Take: 200})
	if err != nil || page.Total != 1005 || len(page.Entries) != 200 {
		t.Fatalf("1,005 entries, a page of 200: total %d, %d entries, %v", page.Total, len(page.Entries), err)
	}
	page, err = c.Directory(ctx, alice, platform.DirectoryQuery{Search: "aino vir"})
	if err != nil || page.Total == 0 {
		t.Fatalf("aino vir: %+v, %v", page, err)
	}
	for _, e := range page.Entries {
		if !strings.HasPrefix(e.Name, "Aino Vir") {
			t.Fatalf("aino vir matched %q", e.Name)
		}
	}

	for _, bad := range []string{"take=0", "take=201", "skip=-1", "take=x", "search=" + strings.Repeat("a", 201)} {
		err := c.Call(ctx, alice, "GET", "directory?"+bad, nil, nil)
		var apiErr *platform.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.Status != 400 {
			t.Errorf("directory?%s: %v, want a 400", bad, err)
		}
	}
}

// A platform's answer with entries the phone cannot use is read
// tolerantly: no id or number dropped, an unknown kind taken as a user,
// unknown fields ignored.
func TestDirectoryIsTolerant(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/directory" || r.URL.Query().Get("search") != "x y" || r.URL.Query().Get("take") != "7" {
			http.Error(w, `{"Message":"bad request"}`, 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Total":4,"Entries":[{"Id":"a","Name":"A","Number":"+1"},{"Id":"","Number":"+2"},{"Id":"c","Name":"C"},
			{"Kind":"Robot","Id":"d","Name":"D","Number":"+4","Extra":{"x":1},"Availability":null}]}`))
	}))
	defer srv.Close()
	c := platform.New(platform.Config{})
	s, err := platform.NewHeaderSession(platform.Silo{APIEndpoint: srv.URL + "/"}, "u", "id", "Bearer x")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Directory(context.Background(), s, platform.DirectoryQuery{Search: "x y", Take: 7})
	if err != nil || len(page.Entries) != 2 || page.Entries[0].ID != "a" || page.Entries[1].Kind != "User" || page.Entries[1].Availability != nil || page.Entries[1].OnCall != nil {
		t.Fatalf("%+v, %v", page, err)
	}
}
