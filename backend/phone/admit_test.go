package phone_test

import (
	"strings"
	"sync"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

// TestIncomingAdmission: what the phone declines before it rings, and that
// a declined INVITE leaves the phone's calls and events as they were.
func TestIncomingAdmission(t *testing.T) {
	plainRTP := []byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n")
	g729 := []byte(strings.Replace(strings.Replace(phonetest.SDP("sendrecv"), "SAVPF 0", "SAVPF 18", 1), "0 PCMU/8000", "18 G729/8000", 1))
	tests := []struct {
		rule    string
		ringing int // calls already ringing
		offer   []byte
		want    int // the INVITE's answer
	}{
		{"an offer without SDP is declined 488 (no offer-in-answer)", 0, []byte{}, 488},
		{"a plain RTP offer is declined 488", 0, plainRTP, 488},
		{"an offer of only G.729 is declined 488", 0, g729, 488},
		{"a second caller rings beside the first", 1, nil, 180},
		{"a third caller while two ring hears busy (486)", 2, nil, 486},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := newRig(t)
			var first []*phonetest.Dialog
			for i := range tt.ringing {
				d := r.agent.Ring("+35840100010"+string(rune('0'+i)), phone.Offer{})
				first = append(first, d)
			}
			before := len(r.p.Calls())
			// nil: the fake's WebRTC offer; an empty slice: no body at all.
			d := r.agent.Ring("+358401000199", phone.Offer{SDP: tt.offer})
			if got := d.Status(); got != tt.want {
				t.Fatalf("the INVITE was answered %d, want %d", got, tt.want)
			}
			after := len(r.p.Calls())
			if tt.want >= 400 && after != before {
				t.Fatalf("the declined INVITE changed the calls: %d before, %d after", before, after)
			}
			for _, c := range r.p.Calls() {
				if c.Number == "+358401000199" && tt.want >= 400 {
					t.Fatalf("the declined caller is among the calls: %+v", c)
				}
			}
			for _, f := range first {
				f.Cancel()
			}
		})
	}
}

// TestIncomingFloodRingsAtMostTwo: INVITEs arriving together cannot all
// pass the check (it and the new call are one step under the phone's lock).
func TestIncomingFloodRingsAtMostTwo(t *testing.T) {
	r := newRig(t)
	const n = 50
	var wg sync.WaitGroup
	dialogs := make([]*phonetest.Dialog, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dialogs[i] = r.agent.Ring("+3584010002"+string(rune('0'+i%10)), phone.Offer{})
		}()
	}
	wg.Wait()
	rang, busy := 0, 0
	for _, d := range dialogs {
		switch d.Status() {
		case 180:
			rang++
		case 486:
			busy++
		}
	}
	if rang != 2 || busy != n-2 || len(r.p.Calls()) != 2 {
		t.Fatalf("%d rang, %d busy, %d calls: want 2 ringing and %d busy", rang, busy, len(r.p.Calls()), n-2)
	}
	for _, d := range dialogs {
		d.Cancel()
	}
}
