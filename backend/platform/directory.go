package platform

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The colleagues directory: the platform's users and queues with their
// availability. The public documents show no directory endpoint, so this
// follows the lab's (lab/API.md, "Directory"), and reads its answer
// tolerantly: unknown fields are ignored, a missing availability or
// on-call flag means "not known", an entry without an id or a number is
// dropped.

// DirectoryEntry is one user or queue of the directory.
type DirectoryEntry struct {
	// Kind is "User" or "Queue" (anything else is taken as a user).
	Kind   string `json:"Kind"`
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Number string `json:"Number"`
	Email  string `json:"Email,omitempty"`
	// Availability is nil when the platform shares none.
	Availability *UserStatus `json:"Availability,omitempty"`
	// OnCall is nil when the platform cannot tell.
	OnCall *bool `json:"OnCall,omitempty"`
	// A queue's members and how many are free.
	Members          *int `json:"Members,omitempty"`
	MembersAvailable *int `json:"MembersAvailable,omitempty"`
}

// DirectoryPage is one page of a search.
type DirectoryPage struct {
	Total   int              `json:"Total"`
	Entries []DirectoryEntry `json:"Entries"`
}

// EventColleagueStatus is the event channel's message for a change of any
// user's availability or of whether they are on a call (Data: their
// DirectoryEntry).
const EventColleagueStatus = "ColleagueStatus"

// DirectoryQuery is what to search: Search (name words, e-mail or number
// digits) or IDs (favourites), and how many.
type DirectoryQuery struct {
	Search string
	IDs    []string
	Take   int
}

// Directory searches the platform's directory.
func (c *Client) Directory(ctx context.Context, s *Session, q DirectoryQuery) (DirectoryPage, error) {
	v := url.Values{}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	if len(q.IDs) > 0 {
		v.Set("ids", strings.Join(q.IDs, ","))
	}
	if q.Take > 0 {
		v.Set("take", strconv.Itoa(q.Take))
	}
	path := "directory"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out DirectoryPage
	if err := c.Call(ctx, s, http.MethodGet, path, nil, &out); err != nil {
		return DirectoryPage{}, fmt.Errorf("search the directory: %w", err)
	}
	kept := out.Entries[:0]
	for _, e := range out.Entries {
		if e.ID == "" || e.Number == "" {
			continue // nothing to call or to name it by
		}
		if e.Kind != "Queue" {
			e.Kind = "User"
		}
		kept = append(kept, e)
	}
	out.Entries = kept
	return out, nil
}
