package calls

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/callcontrol"
	"voicedesk/backend/headset"
	"voicedesk/backend/hid"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/labctl"
)

// telephonyHeadset is a report descriptor written to the USB HID Usage
// Tables (§14 Telephony, §11 LEDs): report 2 in, Hook Switch (absolute),
// Phone Mute and Flash (relative); report 2 out, the Off-Hook, Mute, Ring
// and Hold lights.
var telephonyHeadset = []byte{
	0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
	0x09, 0x20, 0x95, 0x01, 0x81, 0x02, 0x09, 0x2F, 0x81, 0x06, 0x09, 0x21, 0x81, 0x06, 0x95, 0x05, 0x81, 0x01,
	0x05, 0x08, 0x09, 0x17, 0x09, 0x09, 0x09, 0x18, 0x09, 0x20, 0x95, 0x04, 0x91, 0x02, 0x95, 0x04, 0x91, 0x01,
	0xC0,
}

// lights is the fake device's output side: the reports the phone sent.
type lights struct {
	mu  sync.Mutex
	out []byte
}

func (l *lights) Write(r []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(r) == 2 && r[0] == 2 {
		l.out = append(l.out, r[1])
	}
	return nil
}

func (l *lights) last() byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.out) == 0 {
		return 0xFF
	}
	return l.out[len(l.out)-1]
}

// The headset's buttons against the phone and the lab, through the call
// control's state machine and a fake device at the access layer (the
// reports a headset of telephonyHeadset's layout sends): the ring light
// while the lab's caller rings, off-hook answers, the mute button mutes and
// lights the mute light, on-hook hangs up and every light goes out.
func TestHeadsetButtonsThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1},
		platform.New(platform.Config{}), ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	ev.wait(t, ctx, phone.EventLoggedIn)
	d, err := hid.Parse(telephonyHeadset)
	if err != nil {
		t.Fatal(err)
	}
	m, err := headset.Map(d, headset.Quirk{})
	if err != nil {
		t.Fatal(err)
	}
	out := &lights{}
	ctl := headset.NewController(m, out, callcontrol.Actions(p), nil)
	follow := func() { ctl.Update(callcontrol.CallsOf(p.State().Calls)) }
	const offHookLight, muteLight, ringLight = 0b0001, 0b0010, 0b0100
	expect := func(what string, want byte) {
		t.Helper()
		follow()
		if got := out.last(); got != want {
			t.Errorf("%s: the lights %04b, want %04b", what, got, want)
		}
	}
	expect("idle", 0)

	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(t, ctx, phone.EventCallIncoming).call
	expect("ringing", ringLight)

	ctl.Input([]byte{2, 0b001}) // off-hook
	ev.wait(t, ctx, phone.EventCallAnswered)
	expect("answered", offHookLight)

	ctl.Input([]byte{2, 0b011}) // the mute button down (still off-hook)
	ctl.Input([]byte{2, 0b001}) // and up
	ev.wait(t, ctx, phone.EventCallMuted)
	expect("muted", offHookLight|muteLight)

	ctl.Input([]byte{2, 0b011})
	ctl.Input([]byte{2, 0b001})
	ev.wait(t, ctx, phone.EventCallUnmuted)
	expect("unmuted", offHookLight)

	ctl.Input([]byte{2, 0b000}) // on-hook
	ended := ev.wait(t, ctx, phone.EventCallEnded).call
	if ended.CallID != in.CallID {
		t.Errorf("ended %s, want %s", ended.CallID, in.CallID)
	}
	expect("hung up", 0)
	callerIdle(t, ctx)
	if names := ev.names(); !slices.Contains(names, phone.EventCallMuted) {
		t.Errorf("events %v", names)
	}
	fmt.Println("e2e: headset buttons (HID telephony reports, fake device): ring light while ringing, off-hook answered, mute button muted and unmuted with its light, on-hook hung up, lights out")
}
