package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// UserRoleNumber is the reference's UserRoleNumberInterface.
type UserRoleNumber struct {
	Default       bool   `json:"Default"`
	DisplayNumber string `json:"DisplayNumber"`
	DisplayName   string `json:"DisplayName"`
}

// UserRole is the reference's PublicUserRoleInterface; SelectedNumber is
// set for the current role only.
type UserRole struct {
	Name           string           `json:"Name"`
	Numbers        []UserRoleNumber `json:"Numbers"`
	SelectedNumber *UserRoleNumber  `json:"SelectedNumber,omitempty"`
	QueueID        string           `json:"QueueId,omitempty"`
	Recorded       bool             `json:"Recorded"`
}

// Errors of the role calls.
var (
	// ErrNotV2 is the answer for a user without the V2 outbound UI mode.
	ErrNotV2 = errors.New("user roles need the V2 outbound UI mode")
	// ErrNoSuchRole is a queue id or display number the user has no role for.
	ErrNoSuchRole = errors.New("no such role or display number for the user")
)

func roleErr(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.Status {
		case http.StatusConflict:
			return fmt.Errorf("%w: %w", ErrNotV2, err)
		case http.StatusBadRequest:
			return fmt.Errorf("%w: %w", ErrNoSuchRole, err)
		}
	}
	return err
}

// Roles lists the roles the user may select.
func (c *Client) Roles(ctx context.Context, s *Session) ([]UserRole, error) {
	var out []UserRole
	if err := c.Call(ctx, s, http.MethodGet, "users/"+url.PathEscape(s.UserID)+"/roles", nil, &out); err != nil {
		return nil, fmt.Errorf("read roles: %w", roleErr(err))
	}
	return out, nil
}

// CurrentRole returns the selected role with its selected number.
func (c *Client) CurrentRole(ctx context.Context, s *Session) (UserRole, error) {
	var out UserRole
	if err := c.Call(ctx, s, http.MethodGet, "users/"+url.PathEscape(s.UserID)+"/roles/current", nil, &out); err != nil {
		return UserRole{}, fmt.Errorf("read current role: %w", roleErr(err))
	}
	return out, nil
}

// SetCurrentRole selects a role: no queue id is the personal role, no
// number the role's default one.
func (c *Client) SetCurrentRole(ctx context.Context, s *Session, queueID, number string) (UserRole, error) {
	var out UserRole
	body := map[string]string{"QueueId": queueID, "Number": number}
	if err := c.Call(ctx, s, http.MethodPut, "users/"+url.PathEscape(s.UserID)+"/roles/current", body, &out); err != nil {
		return UserRole{}, fmt.Errorf("set role: %w", roleErr(err))
	}
	return out, nil
}
