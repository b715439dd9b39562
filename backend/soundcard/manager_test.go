package soundcard

import (
	"errors"
	"testing"
)

// The handling rules need no sound system: a Manager without a card.
func TestSetHandling(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []struct {
			h      Handling
			byUser bool
		}
		wantErr error
		want    Handling
	}{
		{"programmatic legacy", []struct {
			h      Handling
			byUser bool
		}{{HandlingLegacy, false}}, nil, HandlingLegacy},
		{"unknown", []struct {
			h      Handling
			byUser bool
		}{{"loud", false}}, ErrBadHandling, HandlingDefault},
		{"the user's choice wins", []struct {
			h      Handling
			byUser bool
		}{{HandlingDefault, true}, {HandlingLegacy, false}}, ErrHandlingByUser, HandlingDefault},
		{"the user may change it again", []struct {
			h      Handling
			byUser bool
		}{{HandlingDefault, true}, {HandlingLegacy, true}}, nil, HandlingLegacy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewManager(nil, Choice{}, nil)
			var err error
			for _, st := range tc.steps {
				_, err = m.SetHandling(st.h, st.byUser)
				if errors.Is(err, ErrNoDevice) {
					err = nil // legacy opens the stream; there is no card here
				}
			}
			if !errors.Is(err, tc.wantErr) { // errors.Is(nil, nil) holds
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if got := m.Choice().Handling; got != tc.want {
				t.Fatalf("handling %q, want %q", got, tc.want)
			}
		})
	}
}
