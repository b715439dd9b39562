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
	return roles, nil
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
	p.setRole(&r)
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
	p.setRole(&r)
	p.emit.Emit(EventUserRoleChanged, r)
	return true, nil
}
