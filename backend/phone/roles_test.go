package phone

import (
	"testing"

	"voicedesk/backend/platform"
)

// getUserRoles' entries are the reference's PublicUserRoleInterface, whose
// SelectedNumber is not optional.
func TestRolesHaveTheirSelectedNumber(t *testing.T) {
	a := platform.UserRoleNumber{DisplayNumber: "+3581", Default: true}
	b := platform.UserRoleNumber{DisplayNumber: "+3582"}
	q := platform.UserRoleNumber{DisplayNumber: "+3589"}
	roles := []platform.UserRole{
		{Name: "personal", Numbers: []platform.UserRoleNumber{b, a}},
		{Name: "sales", QueueID: "q1", Numbers: []platform.UserRoleNumber{q}},
	}
	tests := []struct {
		rule    string
		current platform.UserRole
		want    []string
	}{
		{"the selected role has its selected number, another its default", platform.UserRole{Name: "personal", SelectedNumber: &b},
			[]string{"+3582", "+3589"}},
		{"no selected role known: each its default, else its first", platform.UserRole{}, []string{"+3581", "+3589"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := withSelectedNumbers(roles, tt.current)
			for i, r := range got {
				if r.SelectedNumber == nil || r.SelectedNumber.DisplayNumber != tt.want[i] {
					t.Errorf("%s: %+v, want %s", r.Name, r.SelectedNumber, tt.want[i])
				}
			}
			if roles[0].SelectedNumber != nil {
				t.Error("the platform's answer was changed in place")
			}
		})
	}
}
