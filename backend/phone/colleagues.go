package phone

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
)

// The Colleagues view (a VoiceDesk addition): the platform's directory of
// users and queues with their live availability, searched as the agent
// types, with favourites kept per user in the settings. Changes reach the
// window as colleague-status-changed, from the platform's event channel:
// nothing is polled.

// EventColleagueStatusChanged tells of a colleague's new availability or
// call state, for a colleague on show (the last search's page or a
// favourite); its detail is the Colleague.
const EventColleagueStatusChanged = "colleague-status-changed"

// Presence values: what the view shows of a colleague.
const (
	PresenceAvailable   = "available"   // available, not on a call
	PresenceOnCall      = "on-call"     // on a call now
	PresenceUnavailable = "unavailable" // busy, away, off work, do not disturb, be right back
	PresenceUnknown     = "unknown"     // the platform shares nothing
)

// Colleague is a directory entry as the phone shows it.
type Colleague struct {
	// Kind is "user" or "queue".
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Number string `json:"number"`
	Email  string `json:"email,omitempty"`
	// Presence is one of the Presence values.
	Presence string `json:"presence"`
	// StatusID is the availability's EventTypeID (1-6) when known, and
	// Note its note.
	StatusID int    `json:"statusId,omitempty"`
	Note     string `json:"note,omitempty"`
	// A queue's members and how many of them are free.
	Members          int  `json:"members,omitempty"`
	MembersAvailable int  `json:"membersAvailable,omitempty"`
	Favourite        bool `json:"favourite"`
}

// Colleagues is a search's answer: the favourites (with no search: all of
// them; with one: those matching) and the first page of the others.
type Colleagues struct {
	Favourites []Colleague `json:"favourites"`
	Results    []Colleague `json:"results"`
	// Total counts every match, Results only the first colleaguesPage.
	Total int `json:"total"`
}

// Limits: a page of results, the favourites kept, a search's length.
const (
	colleaguesPage = 50
	maxFavourites  = 100
	maxSearch      = 100
)

// Errors of the Colleagues view.
var (
	ErrSearchTooLong  = coded("search-too-long", fmt.Sprintf("A search is at most %d characters", maxSearch))
	ErrTooManyFavs    = coded("too-many-favourites", fmt.Sprintf("At most %d favourites", maxFavourites))
	ErrBadColleagueID = coded("bad-colleague-id", "A colleague's id is 1 to 100 characters without commas")
)

// presenceOf turns a directory entry into what the view shows.
func presenceOf(e platform.DirectoryEntry) (presence string, statusID int, note string) {
	if e.Kind == "Queue" {
		switch {
		case e.Members == nil || e.MembersAvailable == nil:
			return PresenceUnknown, 0, ""
		case *e.MembersAvailable > 0:
			return PresenceAvailable, 0, ""
		default:
			return PresenceUnavailable, 0, ""
		}
	}
	if e.Availability != nil && e.Availability.EventTypeID != 0 {
		statusID, note = e.Availability.EventTypeID, e.Availability.Note
	}
	switch {
	case e.OnCall != nil && *e.OnCall:
		return PresenceOnCall, statusID, note
	case statusID == 0:
		return PresenceUnknown, 0, ""
	case statusID == platform.StatusAvailable:
		return PresenceAvailable, statusID, note
	default:
		return PresenceUnavailable, statusID, note
	}
}

func colleagueOf(e platform.DirectoryEntry, favs []string) Colleague {
	c := Colleague{Kind: "user", ID: e.ID, Name: e.Name, Number: e.Number, Email: e.Email, Favourite: slices.Contains(favs, e.ID)}
	if e.Kind == "Queue" {
		c.Kind = "queue"
		if e.Members != nil {
			c.Members = *e.Members
		}
		if e.MembersAvailable != nil {
			c.MembersAvailable = *e.MembersAvailable
		}
	}
	if c.Name == "" {
		c.Name = c.Number
	}
	c.Presence, c.StatusID, c.Note = presenceOf(e)
	return c
}

// SearchColleagues searches the directory: search matches the start of a
// name's words or the number's digits; "" lists the favourites and the
// first page of everyone.
func (p *Phone) SearchColleagues(ctx context.Context, search string) (Colleagues, error) {
	search = strings.TrimSpace(search)
	if utf8.RuneCountInString(search) > maxSearch {
		return Colleagues{}, ErrSearchTooLong
	}
	s, err := p.sessionOrErr()
	if err != nil {
		return Colleagues{}, err
	}
	favs := p.favourites(s.UserID)
	page, err := p.api.Directory(ctx, s, platform.DirectoryQuery{Search: search, Take: colleaguesPage})
	if err != nil {
		p.apiFailed(err)
		return Colleagues{}, err
	}
	out := Colleagues{Favourites: []Colleague{}, Results: make([]Colleague, 0, len(page.Entries)), Total: page.Total}
	onPage := map[string]bool{}
	for _, e := range page.Entries {
		out.Results = append(out.Results, colleagueOf(e, favs))
		onPage[e.ID] = true
	}
	favSet := map[string]bool{}
	for _, id := range favs {
		favSet[id] = true
	}
	p.mu.Lock()
	p.onPage, p.favSet = onPage, favSet
	p.mu.Unlock()
	if len(favs) == 0 {
		return out, nil
	}
	fp, err := p.api.Directory(ctx, s, platform.DirectoryQuery{Search: search, IDs: favs, Take: maxFavourites})
	if err != nil {
		p.apiFailed(err)
		return Colleagues{}, err
	}
	// In the order they were made favourites: the agent's own order.
	byID := map[string]platform.DirectoryEntry{}
	for _, e := range fp.Entries {
		byID[e.ID] = e
	}
	for _, id := range favs {
		if e, ok := byID[id]; ok {
			out.Favourites = append(out.Favourites, colleagueOf(e, favs))
		}
	}
	return out, nil
}

// SetFavourite makes a colleague a favourite of the signed-in user, or no
// longer one; the list is kept in the settings (in memory when the phone
// has no settings store: a test's).
func (p *Phone) SetFavourite(id string, on bool) error {
	if id == "" || len(id) > 100 || strings.ContainsAny(id, ",\n") {
		return ErrBadColleagueID
	}
	s, err := p.sessionOrErr()
	if err != nil {
		return err
	}
	var tooMany bool
	change := func(all map[string][]string) map[string][]string {
		cur := all[s.UserID]
		if on && slices.Contains(cur, id) {
			return all // already one, in its place
		}
		favs := slices.DeleteFunc(slices.Clone(cur), func(f string) bool { return f == id })
		if on {
			if len(favs) >= maxFavourites {
				tooMany = true
				return all
			}
			favs = append(favs, id)
		}
		if all == nil {
			all = map[string][]string{}
		}
		if len(favs) == 0 {
			delete(all, s.UserID)
		} else {
			all[s.UserID] = favs
		}
		return all
	}
	if p.prefs == nil {
		p.mu.Lock()
		p.favs = change(p.favs)
		p.mu.Unlock()
	} else if err := p.prefs.Update(func(st *settings.Settings) { st.Favourites = change(st.Favourites) }); err != nil {
		return fmt.Errorf("keep the favourites: %w", err)
	}
	if tooMany {
		return ErrTooManyFavs
	}
	p.mu.Lock()
	if p.favSet == nil {
		p.favSet = map[string]bool{}
	}
	if on {
		p.favSet[id] = true
	} else {
		delete(p.favSet, id)
	}
	p.mu.Unlock()
	return nil
}

// favourites are the user's favourite colleagues' ids.
func (p *Phone) favourites(userID string) []string {
	if p.prefs == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return slices.Clone(p.favs[userID])
	}
	st, err := p.prefs.Load()
	if err != nil {
		return nil
	}
	return st.Favourites[userID]
}

// onColleagueEvent turns the event channel's ColleagueStatus into
// colleague-status-changed.
func (p *Phone) onColleagueEvent(ev platform.Event) {
	var e platform.DirectoryEntry
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.ID == "" || e.ID != ev.UserID {
		p.log.Warn("event channel: a malformed colleague status was ignored", "error", err)
		return
	}
	// Only the colleagues on show (the last search's page and the
	// favourites) are told: a platform sends every change of a big
	// organisation, and each would wake the window for nothing.
	p.mu.Lock()
	fav := p.favSet[e.ID]
	shown := fav || p.onPage[e.ID]
	p.mu.Unlock()
	if !shown {
		return
	}
	if e.Kind != "Queue" {
		e.Kind = "User"
	}
	c := colleagueOf(e, nil)
	c.Favourite = fav
	p.emit.Emit(EventColleagueStatusChanged, c)
}
