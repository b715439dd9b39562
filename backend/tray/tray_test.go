//go:build !windows

package tray

import (
	"context"
	"image/color"
	"os"
	"slices"
	"testing"
	"time"

	"voicedesk/test/desktop"
)

// The tray against a tray host on a real D-Bus session (make test runs
// backend/ in one, with scripts/keyring-session.sh).
func TestTrayOnTheSessionBus(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no D-Bus session (run under scripts/keyring-session.sh)")
	}
	icon, err := os.ReadFile("../../build/appicon.png")
	if err != nil {
		t.Fatal(err)
	}
	clicks := make(chan string, 10)
	tr, err := Start(Config{Icon: icon, Statuses: 2,
		OnShow:   func() { clicks <- "show" },
		OnStatus: func(id int) { clicks <- map[int]string{1: "status 1", 2: "status 2"}[id] },
		OnQuit:   func() { clicks <- "quit" },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	// The panel comes after the app (a session still starting): the icon
	// registers when it does.
	if tr.Hosted() {
		t.Fatal("Hosted() is true with no tray host on the bus")
	}
	host, err := desktop.StartTrayHost()
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	item, err := host.WaitItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Hosted() {
		t.Fatal("Hosted() is false with a tray host on the bus")
	}
	green := color.RGBA{0x2e, 0xa0, 0x43, 0xff}
	tr.Update(View{Tooltip: "VoiceDesk: Alice, Available", Header: "Alice: Available", StatusEnabled: true,
		Statuses: []Status{{ID: 1, Label: "Available", Current: true}, {ID: 2, Label: "Busy"}}, Show: "Show VoiceDesk", Quit: "Quit", Dot: green})

	if tip, err := host.Tooltip(item); err != nil || tip != "VoiceDesk: Alice, Available" {
		t.Fatalf("tooltip %q, %v", tip, err)
	}
	menu, err := host.Menu(item)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, m := range menu {
		if m.Kind != "separator" && m.Visible {
			labels = append(labels, m.Label)
		}
		if m.Label == "Available" && !m.Checked || m.Label == "Busy" && m.Checked {
			t.Errorf("%q checked %v", m.Label, m.Checked)
		}
	}
	if want := []string{"Alice: Available", "Available", "Busy", "Show VoiceDesk", "Quit"}; !slices.Equal(labels, want) {
		t.Fatalf("menu %q, want %q", labels, want)
	}
	// The icon carries the availability's colour in its corner (ARGB).
	w, h, pix, err := host.Icon(item)
	if err != nil || w != 64 || h != 64 || len(pix) != 64*64*4 {
		t.Fatalf("icon %dx%d, %d bytes, %v", w, h, len(pix), err)
	}
	at := (50*64 + 50) * 4
	if got := pix[at : at+4]; got[0] != 0xff || got[1] != green.R || got[2] != green.G || got[3] != green.B {
		t.Fatalf("the icon's dot is ARGB %x, want %x%x%x", got, green.R, green.G, green.B)
	}

	// A call rings: the icon blinks between its blue and green; answered,
	// it is steady blue again. (Read from the icons the item announces:
	// see desktop.TrayHost.IconColours.)
	ringing := View{Tooltip: "VoiceDesk: Alice · Incoming call 123", Header: "Alice: Available", StatusEnabled: true,
		Statuses: []Status{{ID: 1, Label: "Available", Current: true}, {ID: 2, Label: "Busy"}}, Show: "Show VoiceDesk", Quit: "Quit", Dot: green, Ringing: true}
	tr.Update(ringing)
	seen, err := host.IconColours(item, 32, 3, 1600*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	blue := [4]byte{0xff, pix[3*64*4+32*4+1], pix[3*64*4+32*4+2], pix[3*64*4+32*4+3]}
	ringGreen := [4]byte{0xff, RingColour.R, RingColour.G, RingColour.B}
	if len(seen) != 2 || !slices.Contains(seen, blue) || !slices.Contains(seen, ringGreen) {
		t.Fatalf("while ringing the icon's background showed %x, want a blink of %x and %x", seen, blue, ringGreen)
	}
	// Updates while it rings (the tooltip's timer, a new availability)
	// keep it blinking, with the new dot in both beats.
	ringing.Dot = color.RGBA{0xd3, 0x2f, 0x2f, 0xff}
	tr.Update(ringing)
	if dots, err := host.IconColours(item, 50, 50, 1600*time.Millisecond); err != nil || len(dots) != 1 || dots[0] != [4]byte{0xff, 0xd3, 0x2f, 0x2f} {
		t.Fatalf("the dot while ringing showed %x (%v), want the new red alone", dots, err)
	}
	ringing.Ringing, ringing.Dot = false, green
	tr.Update(ringing)
	// (The steady icon's own announcement may arrive in the window.)
	if seen, err = host.IconColours(item, 32, 3, 1200*time.Millisecond); err != nil || len(seen) > 1 || len(seen) == 1 && seen[0] != blue {
		t.Fatalf("after the ringing the icon still changed: %x (%v)", seen, err)
	}
	if _, _, now, err := host.Icon(item); err != nil || [4]byte(now[3*64*4+32*4:3*64*4+32*4+4]) != blue {
		t.Fatalf("after the ringing the icon's background is not %x (%v)", blue, err)
	}

	for _, tc := range []struct{ click, want string }{{"Busy", "status 2"}, {"Show VoiceDesk", "show"}, {"Quit", "quit"}, {"", "show"}} {
		if tc.click == "" {
			err = host.Activate(item)
		} else {
			err = host.Click(item, tc.click)
		}
		if err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-clicks:
			if got != tc.want {
				t.Fatalf("clicking %q did %q, want %q", tc.click, got, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("clicking %q did nothing", tc.click)
		}
	}

	// Signed out: the availabilities are shown but cannot be chosen.
	tr.Update(View{Tooltip: "VoiceDesk: signed out", Header: "Signed out", Statuses: []Status{{ID: 1, Label: "Available"}, {ID: 2, Label: "Busy"}}, Show: "Show VoiceDesk", Quit: "Quit"})
	if err := host.Click(item, "Busy"); err == nil {
		t.Fatal("an availability could be chosen while signed out")
	}
}
