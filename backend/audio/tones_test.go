package audio

import "testing"

func TestTones(t *testing.T) {
	const rate = 48000
	read := func(p *Pattern, d int) []int16 {
		buf := make([]int16, rate*d/1000)
		_ = p.Read(buf, rate)
		return buf
	}
	loud := func(s []int16) bool {
		for _, v := range s {
			if v > 1000 || v < -1000 {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name   string
		p      *Pattern
		wantHz int
	}{
		{"ringback", Ringback(), RingbackHz},
		{"call waiting", CallWaiting(), RingbackHz},
	} {
		on := read(tc.p, 200)
		if hz, share := DominantFrequency(on, rate); hz < tc.wantHz-10 || hz > tc.wantHz+10 || share < 0.9 {
			t.Errorf("%s: %d Hz (%.2f), want %d", tc.name, hz, share, tc.wantHz)
		}
	}
	rb := Ringback()
	read(rb, 1000)
	if loud(read(rb, 3000)) {
		t.Error("ringback is not silent after its 1 s tone")
	}
	if !loud(read(rb, 1200)[rate:]) {
		t.Error("ringback does not repeat after 5 s")
	}
	rt := Ringtone()
	chord := read(rt, 300)
	if hz, _ := DominantFrequency(chord, rate); (hz < 518 || hz > 528) && (hz < 654 || hz > 664) {
		t.Errorf("ringtone's dominant %d Hz, want one of its notes", hz)
	}
	k, ok := DTMF('5')
	if !ok {
		t.Fatal("no DTMF for 5")
	}
	if !loud(read(k, 100)) || loud(read(k, 100)) {
		t.Error("DTMF feedback is not one 100 ms burst")
	}
	if _, ok := DTMF('x'); ok {
		t.Error("DTMF for x")
	}
}

// The tone table and the key table are the same keys: every DTMF key has
// its tone pair, and nothing else has one.
func TestDTMFKeysHaveTones(t *testing.T) {
	if len(dtmf) != len(DTMFKeys) {
		t.Fatalf("%d tone pairs for %d keys", len(dtmf), len(DTMFKeys))
	}
	for _, k := range DTMFKeys {
		if _, ok := DTMF(k); !ok {
			t.Errorf("key %q has no tone pair", k)
		}
	}
}
