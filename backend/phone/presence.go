package phone

import (
	"sync"
	"time"

	"voicedesk/backend/platform"
)

// presence is the signed-in user's standing with the platform beside the
// calls: the availability last seen, the outbound role selected, and the
// satisfaction survey (PNPS) asked. It has its own lock, never held with
// Phone.mu: noting a status or reading the role for a call does not wait
// for a login or the calls, nor they for it.
type presence struct {
	mu     sync.Mutex
	status *platform.UserStatus
	role   *platform.UserRole
	// The PNPS queries: their mission type, off (disable-pnps-query), and
	// the id of the query shown.
	pnpsMission, pnpsShown string
	pnpsOff                bool
	// events: the platform's event channel is open; heard counts its
	// events, so that a poll answered after one does not undo it.
	events bool
	heard  uint64
}

// heardSoFar is how many events of the channel were handled: a poll takes
// it before asking, and its answer stands only if no event came meanwhile.
func (s *presence) heardSoFar() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heard
}

func (s *presence) setEventsOpen(on bool) {
	s.mu.Lock()
	s.events = on
	s.mu.Unlock()
}

func (s *presence) eventsOpen() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events
}

// noteRole keeps r as the selected role and says whether it differs from
// the one known (the queue, the name or the selected number); asOf and
// event are noteStatusAsOf's.
func (s *presence) noteRole(r platform.UserRole, asOf *uint64, event bool) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overtaken(asOf, event) {
		return false
	}
	changed = s.role == nil || !sameRole(*s.role, r)
	s.role = &r
	return changed
}

// overtaken (under mu) says whether a poll's answer (asOf: heardSoFar
// before it asked) came after an event of the channel, and counts an
// event (event).
func (s *presence) overtaken(asOf *uint64, event bool) bool {
	if asOf != nil && *asOf != s.heard {
		return true
	}
	if event {
		s.heard++
	}
	return false
}

func sameRole(a, b platform.UserRole) bool {
	number := func(r platform.UserRole) string {
		if r.SelectedNumber == nil {
			return ""
		}
		return r.SelectedNumber.DisplayNumber
	}
	return a.QueueID == b.QueueID && a.Name == b.Name && number(a) == number(b)
}

// noteStatus keeps st and says whether it differs from the last seen.
func (s *presence) noteStatus(st platform.UserStatus) (changed bool) {
	return s.noteStatusAsOf(st, nil, false)
}

// noteStatusAsOf is noteStatus for a poll's answer (asOf: heardSoFar
// before it asked; nil for any other reading) or an event of the channel
// (event): an answer older than an event is dropped.
func (s *presence) noteStatusAsOf(st platform.UserStatus, asOf *uint64, event bool) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overtaken(asOf, event) {
		return false
	}
	if s.status != nil && olderThan(st, *s.status) {
		return false // an event or answer overtaken by a newer change
	}
	changed = s.status == nil || !s.status.Same(st)
	s.status = &st
	return changed
}

// olderThan says whether a was last changed before b, by their Timestamps
// (false when either has none).
func olderThan(a, b platform.UserStatus) bool {
	if a.Timestamp == nil || b.Timestamp == nil {
		return false
	}
	ta, errA := time.Parse(time.RFC3339Nano, *a.Timestamp)
	tb, errB := time.Parse(time.RFC3339Nano, *b.Timestamp)
	return errA == nil && errB == nil && ta.Before(tb)
}

func (s *presence) setRole(r *platform.UserRole) {
	s.mu.Lock()
	s.role = r
	s.mu.Unlock()
}

func (s *presence) selectedRole() *platform.UserRole {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.role
}

func (s *presence) setPNPS(mission string, off *bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mission != "" {
		s.pnpsMission = mission
	}
	if off != nil {
		s.pnpsOff = *off
	}
}

// pnps returns the mission type, the query shown, and whether queries are off.
func (s *presence) pnps() (mission, shown string, off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pnpsMission, s.pnpsShown, s.pnpsOff
}

func (s *presence) showPNPS(id string) {
	s.mu.Lock()
	s.pnpsShown = id
	s.mu.Unlock()
}

// signedOut forgets what belonged to the login; the mission type and
// disable-pnps-query are the host's and stay.
func (s *presence) signedOut() {
	s.mu.Lock()
	s.status, s.role, s.pnpsShown = nil, nil, ""
	s.mu.Unlock()
}
