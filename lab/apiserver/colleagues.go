package apiserver

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The colleagues directory: the platform's users and queues with their live
// availability, for the phone's Colleagues view and its transfer search.
// The public documents name no such endpoint, so its shape is the lab's
// choice (lab/API.md, "Directory"). Who is on a call comes from the SIP
// proxy itself: Kamailio's dialog module, read over its control socket.

// DirectoryEntry is one user or queue of the directory.
type DirectoryEntry struct {
	// Kind is "User" or "Queue".
	Kind   string `json:"Kind"`
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Number string `json:"Number"`
	Email  string `json:"Email,omitempty"`
	// Availability is the user's current availability event
	// (PublicUserStatusInterface); omitted when the platform has none to
	// share (the phone shows "unknown").
	Availability *UserStatus `json:"Availability,omitempty"`
	// OnCall says whether the user is on a call now; omitted when the
	// platform cannot tell (the SIP proxy did not answer).
	OnCall *bool `json:"OnCall,omitempty"`
	// A queue's members, and how many of them are available and not on a
	// call.
	Members          *int `json:"Members,omitempty"`
	MembersAvailable *int `json:"MembersAvailable,omitempty"`
}

// DirectoryPage is GET /directory's answer.
type DirectoryPage struct {
	Total   int              `json:"Total"`
	Entries []DirectoryEntry `json:"Entries"`
}

// RTEColleagueStatus is the event channel's message for a change of any
// user's availability or of whether they are on a call (Data: their
// DirectoryEntry). Every open channel gets it.
const RTEColleagueStatus = "ColleagueStatus"

// Paging limits of GET /directory, and how long after a search the calls
// are followed.
const (
	directoryInUse   = 5 * time.Minute
	directoryTake    = 50
	directoryMaxTake = 200
	maxPeople        = 20000
)

// Dialogs reads the calls under way from Kamailio's dialog module.
type Dialogs struct {
	// Kamctl is Kamailio's ctl socket (binrpc), driven with kamcmd.
	Kamctl string
}

// Parties returns the user parts of the From and To URIs of the dialogs
// that are answered (states 3 and 4): who is on a call.
func (d *Dialogs) Parties(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "kamcmd", "-s", "unix:"+d.Kamctl, "dlg.list").Output()
	if err != nil {
		return nil, fmt.Errorf("read kamailio's dialogs: %w", err)
	}
	return parseDialogs(string(out)), nil
}

// parseDialogs reads kamcmd's printout of dlg.list: one "{ ... }" block a
// dialog with "key: value" lines, nested blocks for its legs.
func parseDialogs(out string) []string {
	var parties []string
	var from, to string
	state, depth := 0, 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasSuffix(line, "{"):
			depth++
			if depth == 1 {
				from, to, state = "", "", 0
			}
			continue
		case line == "}":
			depth--
			if depth == 0 && (state == 3 || state == 4) {
				for _, u := range []string{uriUser(from), uriUser(to)} {
					if u != "" {
						parties = append(parties, u)
					}
				}
			}
			continue
		}
		if depth != 1 {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "from_uri":
			from = val
		case "to_uri":
			to = val
		case "state":
			state, _ = strconv.Atoi(val)
		}
	}
	return parties
}

// uriUser is the user part of a SIP URI ("" when it has none).
func uriUser(uri string) string {
	rest, ok := strings.CutPrefix(uri, "sip:")
	if !ok {
		rest, ok = strings.CutPrefix(uri, "sips:")
	}
	if !ok {
		return ""
	}
	user, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	return user
}

// directory is the server's view of who is on a call, and the synthetic
// people a test adds to make the directory big.
type directory struct {
	mu sync.Mutex
	// onCall: user id -> on a call; known: the last read of the dialogs
	// worked (otherwise OnCall is omitted).
	onCall map[string]bool
	known  bool
	read   time.Time
	people []DirectoryEntry // synthetic users: no login, no SIP account
	// used is when the directory was last searched.
	used   time.Time
	cancel context.CancelFunc
	done   chan struct{}
}

// peopleCallEvery: the lab shows every 17th synthetic person on a call,
// so that a big directory has all four states.
const peopleCallEvery = 17

// setPeople makes n synthetic people, named from common first and last
// names, numbered +35840300nnnn; their availability is spread: about every
// 5th busy, 11th away, 13th do-not-disturb, 10th sharing none, 17th on a
// call, in any stretch of names.
func (d *directory) setPeople(n int) {
	first := []string{"Aino", "Eero", "Liisa", "Mikko", "Sanna", "Jukka", "Helmi", "Oskari", "Emma", "Ville",
		"Noora", "Antti", "Laura", "Timo", "Kaisa", "Pekka", "Sofia", "Juha", "Elina", "Matti",
		"Anna", "Lars", "Ingrid", "Sven", "Maria", "Jan", "Eva", "Pieter", "Lucia", "Carlos",
		"Sara", "Daan", "Lotte", "Hugo", "Nina", "Olli", "Riikka", "Tuomas", "Veera", "Kalle"}
	last := []string{"Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen",
		"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "de Vries", "Jansen", "Bakker", "Visser", "Smit",
		"García", "Martínez", "López", "Sánchez", "Pérez", "Lindqvist", "Berg", "Saarinen", "Salo", "Turunen",
		"Ahonen", "Rantanen", "Kallio", "Peltonen", "Hiltunen", "Lindholm", "Nyström", "Meijer", "Mulder", "Romero"}
	people := make([]DirectoryEntry, n)
	for i := range people {
		name := first[i%len(first)] + " " + last[(i/len(first))%len(last)]
		if i >= len(first)*len(last) {
			name += " " + strconv.Itoa(i/(len(first)*len(last))+1)
		}
		e := DirectoryEntry{Kind: "User", ID: fmt.Sprintf("person-%05d", i), Name: name, Number: fmt.Sprintf("+35840300%04d", i),
			Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@people.voicedesk.lab"}
		// k spreads the states over the names too: the names repeat every
		// 40 people, and 40 is a multiple of 5 and 10.
		k := i + i/len(first)
		if k%10 != 9 {
			st := UserStatus{EventSourceCategory: "User", EventTypeID: StatusAvailable}
			switch {
			case k%13 == 12:
				st.EventTypeID = 3
			case k%11 == 10:
				st.EventTypeID = 6
			case k%5 == 4:
				st.EventTypeID = 2
			}
			e.Availability = &st
		}
		onCall := k%peopleCallEvery == peopleCallEvery-1
		e.OnCall = &onCall
		people[i] = e
	}
	d.mu.Lock()
	d.people = people
	d.mu.Unlock()
}

// watchCalls follows the proxy's dialogs every second while an event
// channel is open, and tells every channel of each user whose being on a
// call changed.
func (s *Server) watchCalls(ctx context.Context) {
	defer close(s.dir.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Only while the directory is in use (searched in the last five
		// minutes) and someone listens: the lab's other tests (the sound
		// tests' timing among them) run without a kamcmd a second.
		s.dir.mu.Lock()
		inUse := time.Since(s.dir.used) < directoryInUse
		s.dir.mu.Unlock()
		if !inUse || !s.events.any() {
			continue
		}
		changed := s.refreshCalls(ctx)
		for _, id := range changed {
			u, err := s.store.userByID(id)
			if err != nil {
				continue
			}
			s.events.publishAll(RTEEvent{Type: RTEColleagueStatus, UserID: id, Data: s.userEntry(u)})
		}
	}
}

// refreshCalls reads the dialogs and returns the ids of the users whose
// being on a call changed.
func (s *Server) refreshCalls(ctx context.Context) []string {
	if s.cfg.Dialogs == nil {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	parties, err := s.cfg.Dialogs.Parties(rctx)
	cancel()
	users, lerr := listJSON[storedUser](s.store, bucketUsers)
	queues, qerr := listJSON[Queue](s.store, bucketQueues)
	if lerr != nil || qerr != nil {
		return nil
	}
	now := map[string]bool{}
	if err == nil {
		byName := map[string]string{}
		for _, u := range users {
			byName[u.SIPUser], byName[u.Number] = u.ID, u.ID
		}
		// A queue's calls go to its first member (the lab's routing).
		for _, q := range queues {
			if len(q.Members) > 0 {
				byName[q.Number] = q.Members[0]
			}
		}
		for _, p := range parties {
			if id := byName[p]; id != "" {
				now[id] = true
			}
		}
	} else {
		s.log.Warn("directory: who is on a call is unknown", "error", err)
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	var changed []string
	for _, u := range users {
		if s.dir.known != (err == nil) || s.dir.onCall[u.ID] != now[u.ID] {
			changed = append(changed, u.ID)
		}
	}
	s.dir.onCall, s.dir.known, s.dir.read = now, err == nil, time.Now()
	return changed
}

// userEntry is a platform user as the directory shows them.
func (s *Server) userEntry(u storedUser) DirectoryEntry {
	st := s.statusOf(u)
	e := DirectoryEntry{Kind: "User", ID: u.ID, Name: u.DisplayName, Number: u.Number, Email: u.Email, Availability: &st}
	s.dir.mu.Lock()
	if s.dir.known || s.cfg.Dialogs == nil {
		on := s.dir.onCall[u.ID]
		e.OnCall = &on
	}
	s.dir.mu.Unlock()
	return e
}

// entries is the whole directory: the users, the synthetic people and the
// queues, by name.
func (s *Server) entries(ctx context.Context) ([]DirectoryEntry, error) {
	s.dir.mu.Lock()
	s.dir.used = time.Now()
	stale := time.Since(s.dir.read) > time.Second
	s.dir.mu.Unlock()
	if stale {
		s.refreshCalls(ctx)
	}
	users, err := listJSON[storedUser](s.store, bucketUsers)
	if err != nil {
		return nil, err
	}
	queues, err := listJSON[Queue](s.store, bucketQueues)
	if err != nil {
		return nil, err
	}
	out := make([]DirectoryEntry, 0, len(users)+len(queues))
	free := map[string]bool{}
	for _, u := range users {
		e := s.userEntry(u)
		free[u.ID] = e.Availability.EventTypeID == StatusAvailable && (e.OnCall == nil || !*e.OnCall)
		out = append(out, e)
	}
	for _, q := range queues {
		n, avail := len(q.Members), 0
		for _, m := range q.Members {
			if free[m] {
				avail++
			}
		}
		out = append(out, DirectoryEntry{Kind: "Queue", ID: q.ID, Name: q.Name, Number: q.Number, Members: &n, MembersAvailable: &avail})
	}
	s.dir.mu.Lock()
	out = append(out, s.dir.people...)
	s.dir.mu.Unlock()
	slices.SortStableFunc(out, func(a, b DirectoryEntry) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// matches says whether e matches every term of the search: a term matches
// the start of a word of the name or the e-mail address, or, written in
// digits, any part of the number's digits.
func matches(e DirectoryEntry, terms []string) bool {
	words := strings.FieldsFunc(strings.ToLower(e.Name+" "+e.Email), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	digits := onlyDigits(e.Number)
	for _, t := range terms {
		if onlyDigits(t) == t {
			if strings.Contains(digits, t) {
				continue
			}
			return false
		}
		found := false
		for _, w := range words {
			if strings.HasPrefix(w, t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// searchTerms splits a search into lower-case terms (punctuation inside a
// name term, as in "o'neil", splits it as the words do). A search of only
// a number's characters ("+358 40 100", "040-100") is one number.
func searchTerms(q string) []string {
	if d := onlyDigits(q); d != "" && strings.Trim(q, "0123456789+-() ") == "" {
		return []string{d}
	}
	var terms []string
	for _, f := range strings.Fields(strings.ToLower(q)) {
		if d := onlyDigits(f); d != "" && d == strings.TrimLeft(strings.NewReplacer("-", "", "(", "", ")", "").Replace(f), "+") {
			terms = append(terms, d)
			continue
		}
		terms = append(terms, strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })...)
	}
	return terms
}

// directoryList is GET /directory?search=&skip=&take= (or ?ids=a,b,c).
func (s *Server) directoryList(w http.ResponseWriter, r *http.Request, _ storedUser) {
	q := r.URL.Query()
	take, skip := directoryTake, 0
	var err error
	if v := q.Get("take"); v != "" {
		if take, err = strconv.Atoi(v); err != nil || take < 1 || take > directoryMaxTake {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("take must be 1 to %d.", directoryMaxTake))
			return
		}
	}
	if v := q.Get("skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			writeError(w, http.StatusBadRequest, "skip must be 0 or more.")
			return
		}
	}
	search := q.Get("search")
	if len(search) > 200 {
		writeError(w, http.StatusBadRequest, "search is at most 200 characters.")
		return
	}
	var ids map[string]bool
	if v := q.Get("ids"); v != "" {
		list := strings.Split(v, ",")
		if len(list) > directoryMaxTake {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("ids names at most %d entries.", directoryMaxTake))
			return
		}
		ids = map[string]bool{}
		for _, id := range list {
			ids[strings.TrimSpace(id)] = true
		}
	}
	all, err := s.entries(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not read the directory.")
		return
	}
	terms := searchTerms(search)
	page := DirectoryPage{Entries: []DirectoryEntry{}}
	for _, e := range all {
		if (ids != nil && !ids[e.ID]) || !matches(e, terms) {
			continue
		}
		if page.Total >= skip && len(page.Entries) < take {
			page.Entries = append(page.Entries, e)
		}
		page.Total++
	}
	writeJSON(w, http.StatusOK, page)
}

// setPeople is POST /lab/directory/people {"Count": n}: the directory gets
// n synthetic people (0 removes them). Lab only, for the directory's
// figures over 1,000 users.
func (s *Server) setPeople(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Count int `json:"Count"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.Count < 0 || body.Count > maxPeople {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Count must be 0 to %d.", maxPeople))
		return
	}
	s.dir.setPeople(body.Count)
	writeJSON(w, http.StatusOK, map[string]int{"Count": body.Count})
}
