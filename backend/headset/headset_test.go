package headset

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"voicedesk/backend/hid"
)

// The descriptors are written to the USB HID Usage Tables 1.4 (§14
// Telephony, §11 LEDs) in the two layouts headsets use: buttons as bits of
// a variable field (with a report id), and buttons as an array's values.
// No captured descriptor of a real headset is used: none was at hand (see
// the README's headset table for what needs a device to confirm).
var (
	bitsLayout = []byte{
		0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
		0x09, 0x20, 0x95, 0x01, 0x81, 0x02, // Hook Switch, absolute
		0x09, 0x2F, 0x81, 0x06, // Phone Mute, relative
		0x09, 0x21, 0x81, 0x06, // Flash, relative
		0x95, 0x05, 0x81, 0x01,
		0x05, 0x08, 0x09, 0x17, 0x09, 0x09, 0x09, 0x18, 0x09, 0x20, 0x95, 0x04, 0x91, 0x02, // Off-Hook, Mute, Ring, Hold
		0x95, 0x04, 0x91, 0x01,
		0xC0,
	}
	arrayLayout = []byte{
		0x05, 0x0B, 0x09, 0x01, 0xA1, 0x01, // Telephony Phone, no report ids
		0x15, 0x01, 0x25, 0x02, 0x75, 0x08, 0x95, 0x01,
		0x09, 0x20, 0x09, 0x2F, 0x81, 0x00, // an array: 1 = Hook Switch, 2 = Phone Mute
		0x05, 0x08, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x09, 0x17, 0x09, 0x18, 0x91, 0x02,
		0x95, 0x06, 0x91, 0x01,
		0xC0,
	}
	mouse = []byte{0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00,
		0x25, 0x01, 0x75, 0x01, 0x95, 0x03, 0x81, 0x02, 0x95, 0x05, 0x81, 0x01, 0xC0}
)

func mapping(t *testing.T, desc []byte, q Quirk) *Mapping {
	t.Helper()
	d, err := hid.Parse(desc)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(d, q)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapping(t *testing.T) {
	m := mapping(t, bitsLayout, Quirk{})
	for _, c := range []Control{Hook, Mute, Flash} {
		if _, ok := m.Controls[c]; !ok {
			t.Errorf("%v not found", c)
		}
	}
	if m.Relative[Hook] || !m.Relative[Mute] {
		t.Errorf("hook relative %v, mute relative %v: want an absolute hook and a relative mute", m.Relative[Hook], m.Relative[Mute])
	}
	st, ok := m.Read([]byte{2, 0b011})
	if !ok || !st[Hook] || !st[Mute] || st[Flash] {
		t.Errorf("report 2 0b011 read %v %v", st, ok)
	}
	if _, ok := m.Read([]byte{5, 0xFF}); ok {
		t.Error("another report id was read as the telephony one")
	}
	reports := m.Reports(map[Light]bool{LightOffHook: true, LightRing: true})
	if len(reports) != 1 || !slices.Equal(reports[0], []byte{2, 0b101}) {
		t.Errorf("lights off-hook+ring as %x, want report 2 = 0b101", reports)
	}

	arr := mapping(t, arrayLayout, Quirk{})
	if st, ok := arr.Read([]byte{2}); !ok || st[Hook] || !st[Mute] {
		t.Errorf("array value 2 read %v: want Phone Mute pressed", st)
	}
	if r := arr.Reports(map[Light]bool{LightRing: true}); len(r) != 1 || !slices.Equal(r[0], []byte{0b10}) {
		t.Errorf("an unnumbered device's ring light as %x", r)
	}

	d, _ := hid.Parse(mouse)
	if _, err := Map(d, Quirk{}); !errors.Is(err, ErrNoTelephony) {
		t.Errorf("a mouse: %v, want ErrNoTelephony", err)
	}
	// A quirk turns a hook switch that reports presses into one.
	if q := mapping(t, bitsLayout, Quirk{relative: map[Control]bool{Hook: true}}); !q.Relative[Hook] {
		t.Error("the quirk did not make the hook relative")
	}
}

type actions struct{ did []string }

func (a *actions) Answer(id string) error { a.did = append(a.did, "answer "+id); return nil }
func (a *actions) HangUp(id string) error { a.did = append(a.did, "hangup "+id); return nil }
func (a *actions) SetMuted(id string, on bool) error {
	a.did = append(a.did, fmt.Sprintf("mute %s %v", id, on))
	return nil
}

type writes struct{ reports [][]byte }

func (w *writes) Write(r []byte) error { w.reports = append(w.reports, slices.Clone(r)); return nil }

// The buttons' rules, a row each: the phone's calls, the reports the
// headset sends, what the phone is asked to do.
func TestButtons(t *testing.T) {
	const hook, mute, flash = 0b001, 0b010, 0b100
	rows := []struct {
		rule    string
		quirk   Quirk
		calls   Calls
		reports []byte // report 2's data, one per report
		want    []string
	}{
		{"off-hook answers the ringing call", Quirk{}, Calls{Ringing: []string{"c1"}}, []byte{hook}, []string{"answer c1"}},
		{"on-hook hangs up the call", Quirk{}, Calls{Active: "c1"}, []byte{hook, 0}, []string{"hangup c1"}},
		{"the headset's echo of an answer made in the window does nothing", Quirk{}, Calls{Active: "c1"}, []byte{hook}, nil},
		{"off-hook with nothing ringing does nothing", Quirk{}, Calls{}, []byte{hook}, nil},
		{"a mute press asks the opposite of the phone's mute", Quirk{}, Calls{Active: "c1"}, []byte{hook | mute, hook}, []string{"mute c1 true"}},
		{"holding the mute button is one press", Quirk{}, Calls{Active: "c1"}, []byte{hook | mute, hook | mute, hook | mute}, []string{"mute c1 true"}},
		{"mute with no call does nothing", Quirk{}, Calls{Ringing: []string{"c1"}}, []byte{mute}, nil},
		{"flash answers the waiting call (the phone holds the first)", Quirk{}, Calls{Active: "c1", Ringing: []string{"c2"}}, []byte{hook | flash}, []string{"answer c2"}},
		{"flash with nothing waiting does nothing", Quirk{}, Calls{Active: "c1"}, []byte{hook | flash}, nil},
		{"a hook that reports presses: a press answers", Quirk{relative: map[Control]bool{Hook: true}}, Calls{Ringing: []string{"c1"}}, []byte{hook, 0}, []string{"answer c1"}},
		{"a hook that reports presses: a press in a call hangs up", Quirk{relative: map[Control]bool{Hook: true}}, Calls{Active: "c1"}, []byte{hook, 0}, []string{"hangup c1"}},
		{"a hook that reports presses: a press while a second call rings answers it (the first goes on hold)", Quirk{relative: map[Control]bool{Hook: true}}, Calls{Active: "c1", Ringing: []string{"c2"}}, []byte{hook, 0}, []string{"answer c2"}},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			m := mapping(t, bitsLayout, r.quirk)
			act := &actions{}
			c := NewController(m, nil, act, nil)
			c.Update(r.calls)
			if r.calls.Active != "" && !m.Relative[Hook] {
				c.Input([]byte{2, 0b001}) // the headset is off-hook in a call already
				act.did = nil
			}
			for _, data := range r.reports {
				c.Input([]byte{2, data})
			}
			if !slices.Equal(act.did, r.want) {
				t.Errorf("did %q, want %q", act.did, r.want)
			}
		})
	}
}

// The lights follow the calls, and a report goes out only when one
// changes.
func TestLights(t *testing.T) {
	m := mapping(t, bitsLayout, Quirk{})
	w := &writes{}
	c := NewController(m, w, &actions{}, nil)
	steps := []struct {
		rule  string
		calls Calls
		want  byte // Off-Hook, Mute, Ring, Hold in bits 0-3; 0xFF: nothing sent
	}{
		{"idle: all off", Calls{}, 0},
		{"ringing: the ring light", Calls{Ringing: []string{"c1"}}, 0b0100},
		{"the same again: nothing sent", Calls{Ringing: []string{"c1"}}, 0xFF},
		{"answered: off-hook", Calls{Active: "c1"}, 0b0001},
		{"muted: off-hook and mute", Calls{Active: "c1", Muted: true}, 0b0011},
		{"held: off-hook and hold", Calls{Held: true}, 0b1001},
		{"a second call rings while one is up", Calls{Active: "c1", Ringing: []string{"c2"}}, 0b0101},
		{"over", Calls{}, 0},
	}
	for _, s := range steps {
		n := len(w.reports)
		c.Update(s.calls)
		if s.want == 0xFF {
			if len(w.reports) != n {
				t.Errorf("%s: sent %x", s.rule, w.reports[n:])
			}
			continue
		}
		if len(w.reports) != n+1 || !slices.Equal(w.reports[n], []byte{2, s.want}) {
			t.Errorf("%s: sent %x, want report 2 = %04b", s.rule, w.reports[n:], s.want)
		}
	}
}
