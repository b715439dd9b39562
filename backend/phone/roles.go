package phone

import (
	"context"
	"errors"

	"voicedesk/backend/platform"
)

// EventUserRoleChanged is the reference's user-role-changed; its detail is
// the new role (PublicUserRoleInterface).
const EventUserRoleChanged = "user-role-changed"

// ErrRolesNeedV2 is the role methods' error for a user without the V2
// outbound UI mode, worded as the reference describes it.
var ErrRolesNeedV2 = coded("roles-need-v2", "User roles require the V2 outbound UI mode to be enabled for the user")

func (p *Phone) sessionOrErr() (*platform.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return nil, ErrNotLoggedIn
	}
	return p.session, nil
}

func (p *Phone) roleErr(err error) error {
	p.apiFailed(err)
	if errors.Is(err, platform.ErrNotV2) {
		return ErrRolesNeedV2
	}
	return err
}

// GetUserRoles is the reference's getUserRoles.
func (p *Phone) GetUserRoles(ctx context.Context) ([]platform.UserRole, error) {
	s, err := p.sessionOrErr()
	if err != nil {
		return nil, err
	}
	roles, err := p.api.Roles(ctx, s)
	if err != nil {
		return nil, p.roleErr(err)
	}
	// The reference's PublicUserRoleInterface always has SelectedNumber:
	// the selected role's as selected, every other role's default.
	current, cerr := p.api.CurrentRole(ctx, s)
	if cerr != nil {
		p.log.Debug("read the selected role for getUserRoles", "error", cerr)
	}
	return withSelectedNumbers(roles, current), nil
}

// withSelectedNumbers gives each role the number it would call as: the
// current role's selected one, else the role's default (else its first).
func withSelectedNumbers(roles []platform.UserRole, current platform.UserRole) []platform.UserRole {
	out := make([]platform.UserRole, len(roles))
	for i, r := range roles {
		switch {
		case r.SelectedNumber != nil:
		case r.QueueID == current.QueueID && r.Name == current.Name && current.SelectedNumber != nil:
			n := *current.SelectedNumber
			r.SelectedNumber = &n
		case len(r.Numbers) > 0:
			n := r.Numbers[0]
			for _, x := range r.Numbers {
				if x.Default {
					n = x
					break
				}
			}
			r.SelectedNumber = &n
		}
		out[i] = r
	}
	return out
}

// GetUserRole is the reference's getUserRole: the selected role.
func (p *Phone) GetUserRole(ctx context.Context) (platform.UserRole, error) {
	s, err := p.sessionOrErr()
	if err != nil {
		return platform.UserRole{}, err
	}
	r, err := p.api.CurrentRole(ctx, s)
	if err != nil {
		return platform.UserRole{}, p.roleErr(err)
	}
	p.noteRole(r) // changed elsewhere since: user-role-changed
	return r, nil
}

// SetUserRole is the reference's setUserRole(queueId?, number?): true when
// the role changed (user-role-changed follows), false when the queue or
// number is not one of the user's, in which case nothing changes.
func (p *Phone) SetUserRole(ctx context.Context, queueID, number string) (bool, error) {
	s, err := p.sessionOrErr()
	if err != nil {
		return false, err
	}
	r, err := p.api.SetCurrentRole(ctx, s, queueID, number)
	if errors.Is(err, platform.ErrNoSuchRole) {
		return false, nil
	}
	if err != nil {
		return false, p.roleErr(err)
	}
	p.noteRole(r)
	return true, nil
}

// noteRole keeps r as the selected role and emits user-role-changed when it
// differs from the one known: the user's own choice, or one made elsewhere
// (the event channel, the poll), emitted once whichever tells first.
func (p *Phone) noteRole(r platform.UserRole) { p.noteRoleAsOf(r, nil, false) }

// noteRoleAsOf is noteRole for a poll's answer or an event of the channel
// (presence.noteStatusAsOf).
func (p *Phone) noteRoleAsOf(r platform.UserRole, asOf *uint64, event bool) {
	if p.pres.noteRole(r, asOf, event) {
		p.emit.Emit(EventUserRoleChanged, r)
	}
}
