package platform

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// UserStatus is the reference's PublicUserStatusInterface: the user's
// current availability event.
type UserStatus struct {
	EndDate             *string `json:"EndDate"`
	EventSourceCategory string  `json:"EventSourceCategory"`
	EventTypeID         int     `json:"EventTypeID"`
	ID                  string  `json:"Id,omitempty"`
	Note                string  `json:"Note"`
	PresenceTypeID      int     `json:"PresenceTypeID"`
	StartDate           *string `json:"StartDate"`
	Timestamp           *string `json:"Timestamp"`
	TransferNumber      *string `json:"TransferNumber"`
	WrapUpEnd           *string `json:"WrapUpEnd"`
}

// Same reports whether two statuses are the same availability event in the
// same state (what user-status-changed is about).
func (u UserStatus) Same(o UserStatus) bool {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return u.ID == o.ID && u.EventTypeID == o.EventTypeID && u.Note == o.Note && str(u.Timestamp) == str(o.Timestamp) &&
		str(u.EndDate) == str(o.EndDate) && str(u.WrapUpEnd) == str(o.WrapUpEnd) && str(u.TransferNumber) == str(o.TransferNumber)
}

// The availability event types, AvailabilityEventTypeIdEnum (values: the
// lab's choice, see lab/API.md).
const (
	StatusAvailable = 1
	StatusBusy      = 2
	StatusDND       = 3
	StatusOffWork   = 4
	StatusBRB       = 5
	StatusAway      = 6
)

// Status returns the user's current availability.
func (c *Client) Status(ctx context.Context, s *Session) (UserStatus, error) {
	var out UserStatus
	if err := c.Call(ctx, s, http.MethodGet, "users/"+url.PathEscape(s.UserID)+"/availability/current", nil, &out); err != nil {
		return UserStatus{}, fmt.Errorf("read availability: %w", err)
	}
	return out, nil
}

// SetStatus starts a new availability event for the user.
func (c *Client) SetStatus(ctx context.Context, s *Session, eventTypeID int, note string) (UserStatus, error) {
	var out UserStatus
	body := map[string]any{"EventTypeID": eventTypeID, "Note": note}
	if err := c.Call(ctx, s, http.MethodPost, "users/"+url.PathEscape(s.UserID)+"/availability", body, &out); err != nil {
		return UserStatus{}, fmt.Errorf("set availability: %w", err)
	}
	return out, nil
}

// SetRecording starts (on) or stops the recording of the call the platform
// knows by sipCallID.
func (c *Client) SetRecording(ctx context.Context, s *Session, sipCallID string, on bool) error {
	body := map[string]bool{"Recording": on}
	if err := c.Call(ctx, s, http.MethodPut, "calls/"+url.PathEscape(sipCallID)+"/recording", body, nil); err != nil {
		return fmt.Errorf("set the recording of call %s to %v: %w", sipCallID, on, err)
	}
	return nil
}

// PNPSQuery is a due PNPS query: how likely the user is to recommend the
// phone, on a ScaleMin..ScaleMax scale.
type PNPSQuery struct {
	ID          string `json:"Id"`
	MissionType string `json:"MissionType"`
	Question    string `json:"Question"`
	ScaleMin    int    `json:"ScaleMin"`
	ScaleMax    int    `json:"ScaleMax"`
}

// DuePNPSQuery returns the user's due PNPS query of the mission type, or
// nil when none is due.
func (c *Client) DuePNPSQuery(ctx context.Context, s *Session, missionType string) (*PNPSQuery, error) {
	var q PNPSQuery
	path := "users/" + url.PathEscape(s.UserID) + "/pnps/query?missionType=" + url.QueryEscape(missionType)
	if err := c.Call(ctx, s, http.MethodGet, path, nil, &q); err != nil {
		return nil, fmt.Errorf("read the PNPS query: %w", err)
	}
	if q.ID == "" {
		return nil, nil // 204: none due
	}
	return &q, nil
}

// AnswerPNPS answers (score 0..10 and a comment) or, with score nil,
// dismisses a PNPS query.
func (c *Client) AnswerPNPS(ctx context.Context, s *Session, queryID string, score *int, comment string) error {
	body := map[string]any{"Dismissed": score == nil}
	if score != nil {
		body["Score"], body["Comment"] = *score, comment
	}
	path := "users/" + url.PathEscape(s.UserID) + "/pnps/query/" + url.PathEscape(queryID)
	if err := c.Call(ctx, s, http.MethodPost, path, body, nil); err != nil {
		return fmt.Errorf("answer the PNPS query %s: %w", queryID, err)
	}
	return nil
}

// StartSupervision asks the platform to let this supervisor listen to the
// calls of targetUserID: it calls the supervisor back.
func (c *Client) StartSupervision(ctx context.Context, s *Session, targetUserID string) error {
	body := map[string]string{"TargetUserId": targetUserID}
	if err := c.Call(ctx, s, http.MethodPost, "users/"+url.PathEscape(s.UserID)+"/supervision", body, nil); err != nil {
		return fmt.Errorf("start supervising %s: %w", targetUserID, err)
	}
	return nil
}
