package apiserver

import (
	"slices"
	"strings"
	"testing"
)

// A dlg.list printout as kamcmd gives it (Kamailio 5.6), trimmed: an
// answered call, a ringing one and one being torn down.
const dlgList = `{
	h_entry: 770
	h_id: 6619
	call-id: 91eb723d9ce89d2f
	from_uri: sip:caller@voicedesk.lab
	to_uri: sip:+358401000002@voicedesk.lab
	state: 4
	caller: {
		tag: 83ae7dbd79a90e2e
		contact: sip:caller-0x55947188c430@127.0.0.1:18868
	}
	callee: {
		contact: sip:bob@127.0.0.1:10630
		state: 9
	}
	profiles: {
	}
}
{
	call-id: ringing
	from_uri: sip:alice@voicedesk.lab
	to_uri: sip:tone@voicedesk.lab
	state: 2
}
{
	call-id: ending
	from_uri: sip:sara@voicedesk.lab
	to_uri: sips:tone@voicedesk.lab
	state: 5
}
{
	call-id: confirmed-no-ack
	from_uri: sip:sara@voicedesk.lab
	to_uri: sips:monitor@voicedesk.lab;user=phone
	state: 3
}
`

func TestParseDialogs(t *testing.T) {
	got := parseDialogs(dlgList)
	want := []string{"caller", "+358401000002", "sara", "monitor"}
	if !slices.Equal(got, want) {
		t.Fatalf("parties = %q, want %q (answered dialogs only, nested blocks' keys ignored)", got, want)
	}
	if got := parseDialogs(""); len(got) != 0 {
		t.Fatalf("no dialogs: %q", got)
	}
}

func TestDirectorySearch(t *testing.T) {
	bob := DirectoryEntry{Name: "Bob Agent", Number: "+358401000002", Email: "bob@voicedesk.lab"}
	devries := DirectoryEntry{Name: "Daan de Vries", Number: "+35840 300 0015", Email: "daan.de.vries@people.voicedesk.lab"}
	for _, tc := range []struct {
		rule   string
		search string
		entry  DirectoryEntry
		want   bool
	}{
		{"an empty search matches everyone", "", bob, true},
		{"a term matches the start of a word of the name", "ag", bob, true},
		{"case does not matter", "BOB", bob, true},
		{"a term inside a word does not match", "gent", bob, false},
		{"every term must match", "bob sara", bob, false},
		{"terms in any order", "agent bob", bob, true},
		{"the e-mail address's words match", "voicedesk", bob, true},
		{"digits match any part of the number", "1000002", bob, true},
		{"a number written with + and spaces matches", "+358 40 1000002", bob, true},
		{"digits of another number do not match", "1000003", bob, false},
		{"a number in groups is one number, not three terms", "+358 40 1002", bob, false},
		{"a number's spaces are ignored in the entry", "403000015", devries, true},
		{"a name with a particle", "de vries", devries, true},
	} {
		if got := matches(tc.entry, searchTerms(tc.search)); got != tc.want {
			t.Errorf("%s: search %q in %q = %v, want %v", tc.rule, tc.search, tc.entry.Name, got, tc.want)
		}
	}
}

func TestSyntheticPeopleHaveEveryState(t *testing.T) {
	var d directory
	d.setPeople(1000)
	if len(d.people) != 1000 {
		t.Fatalf("%d people", len(d.people))
	}
	seen := map[string]int{}
	names := map[string]bool{}
	for _, p := range d.people {
		if names[p.Name] {
			t.Fatalf("two people named %q", p.Name)
		}
		names[p.Name] = true
		switch {
		case p.Availability == nil:
			seen["unknown"]++
		case *p.OnCall:
			seen["on a call"]++
		case p.Availability.EventTypeID == StatusAvailable:
			seen["available"]++
		default:
			seen["unavailable"]++
		}
	}
	// The first 50 by name (the Colleagues view's first page) show all
	// four too: Aino, Anna and Antti with every last name.
	firstPage := map[string]bool{}
	for _, p := range d.people {
		if strings.HasPrefix(p.Name, "Aino ") || strings.HasPrefix(p.Name, "Anna ") {
			switch {
			case p.Availability == nil:
				firstPage["unknown"] = true
			case *p.OnCall:
				firstPage["on a call"] = true
			case p.Availability.EventTypeID == StatusAvailable:
				firstPage["available"] = true
			default:
				firstPage["unavailable"] = true
			}
		}
	}
	if len(firstPage) != 4 {
		t.Errorf("Aino and Anna (the first page by name) show only %v", firstPage)
	}
	for _, k := range []string{"unknown", "on a call", "available", "unavailable"} {
		if seen[k] == 0 {
			t.Errorf("no one %s: %v", k, seen)
		}
	}
}
