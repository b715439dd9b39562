package calls

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// PNPS queries: the mission type set before login picks the question, the
// phone shows a due query once, the answer reaches the platform, and
// disable-pnps-query asks nothing.
func TestPNPSQueriesThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true, StatusPoll: -1, PNPSFirst: 50 * time.Millisecond, PNPSEvery: 100 * time.Millisecond},
		platform.New(platform.Config{}), ev)
	defer p.Close()
	if err := p.SetPNPSMissionType("crm"); !errors.Is(err, phone.ErrPNPSMissionType) {
		t.Errorf("an unknown mission type: %v, want ErrPNPSMissionType", err)
	}
	if err := p.SetPNPSMissionType("salesforce"); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "sara@voicedesk.lab", Password: "sara-secret"}); !ok {
		t.Fatal(err)
	}
	if err := p.SetPNPSMissionType("d365"); !errors.Is(err, phone.ErrPNPSAfterLogin) {
		t.Errorf("the mission type after login: %v, want ErrPNPSAfterLogin", err)
	}
	q := ev.wait(t, ctx, phone.EventPNPSQuery).detail.(platform.PNPSQuery)
	if q.MissionType != "salesforce" || !strings.Contains(q.Question, "Salesforce") || q.ScaleMin != 0 || q.ScaleMax != 10 {
		t.Fatalf("pnps-query %+v", q)
	}
	for _, tc := range []struct {
		rule  string
		id    string
		score int
		want  error
	}{
		{"the score is at most 10", q.ID, 11, phone.ErrPNPSScore},
		{"the score is at least 0", q.ID, -1, phone.ErrPNPSScore},
		{"only the shown query is answered", "pnps-other", 5, phone.ErrNoPNPSQuery},
	} {
		if err := p.AnswerPNPS(ctx, tc.id, tc.score, ""); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, err, tc.want)
		}
	}
	if err := p.AnswerPNPS(ctx, q.ID, 9, "Clear sound"); err != nil {
		t.Fatalf("answer: %v", err)
	}
	if err := p.AnswerPNPS(ctx, q.ID, 9, "again"); err == nil {
		t.Error("the platform took a second answer to the same query")
	}
	// Answered: the poll finds nothing more to ask.
	time.Sleep(300 * time.Millisecond)
	if n := count(ev.names(), phone.EventPNPSQuery); n != 1 {
		t.Fatalf("pnps-query emitted %d times, want once", n)
	}

	off := newEvents()
	quiet := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, NoSIP: true, StatusPoll: -1, PNPSFirst: 50 * time.Millisecond, PNPSEvery: 50 * time.Millisecond},
		platform.New(platform.Config{}), off)
	defer quiet.Close()
	quiet.DisablePNPSQuery(true)
	if ok, err := quiet.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "bob@voicedesk.lab", Password: "bob-secret"}); !ok {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := count(off.names(), phone.EventPNPSQuery); n != 0 {
		t.Fatalf("pnps-query emitted %d times with disable-pnps-query", n)
	}
	fmt.Printf("e2e: PNPS: the salesforce query shown once, answered 9; none with disable-pnps-query\n")
}

func count(names []string, name string) int {
	n := 0
	for _, x := range names {
		if x == name {
			n++
		}
	}
	return n
}
