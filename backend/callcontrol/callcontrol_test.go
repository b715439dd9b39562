package callcontrol

import (
	"slices"
	"testing"

	"voicedesk/backend/phone"
)

func view(id, state string, held, muted bool) phone.CallView {
	return phone.CallView{Detail: phone.CallEvent{CallID: id}, State: state, Held: held, Muted: muted}
}

// What the headset follows of the phone's calls, a row per rule.
func TestCallsOf(t *testing.T) {
	for _, c := range []struct {
		rule    string
		views   []phone.CallView
		ringing []string
		active  string
		held    bool
		muted   bool
	}{
		{"no calls", nil, nil, "", false, false},
		{"incoming calls ring, oldest first", []phone.CallView{view("a", "incoming", false, false), view("b", "incoming", false, false)}, []string{"a", "b"}, "", false, false},
		{"a connected call is the active one, with its mute", []phone.CallView{view("a", "connected", false, true)}, nil, "a", false, true},
		{"a held call is held, not active", []phone.CallView{view("a", "connected", true, false)}, nil, "", true, false},
		{"call waiting: one up, one ringing", []phone.CallView{view("a", "connected", false, false), view("b", "incoming", false, false)}, []string{"b"}, "a", false, false},
		{"an outbound call still ringing out is none of them", []phone.CallView{view("a", "calling", false, false)}, nil, "", false, false},
	} {
		got := CallsOf(c.views)
		if !slices.Equal(got.Ringing, c.ringing) || got.Active != c.active || got.Held != c.held || got.Muted != c.muted {
			t.Errorf("%s: %+v", c.rule, got)
		}
	}
}
