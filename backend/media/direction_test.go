package media

import "testing"

func TestDirection(t *testing.T) {
	for _, tc := range []struct {
		local, remote bool
		want          string
	}{{false, false, SendRecv}, {true, false, SendOnly}, {false, true, RecvOnly}, {true, true, Inactive}} {
		if got := Direction(tc.local, tc.remote); got != tc.want {
			t.Errorf("Direction(%v, %v) = %s, want %s", tc.local, tc.remote, got, tc.want)
		}
	}
}

func TestRemoteHolds(t *testing.T) {
	base := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	for _, tc := range []struct {
		name, sdp string
		want      bool
	}{
		{"sendrecv", base + "m=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n", false},
		{"no attribute means sendrecv", base + "m=audio 4000 RTP/AVP 0\r\n", false},
		{"sendonly holds", base + "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", true},
		{"inactive holds", base + "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n", true},
		{"recvonly does not hold this side", base + "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n", false},
		{"session-level sendonly holds", base + "a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n", true},
		{"port 0 holds", base + "m=audio 0 RTP/AVP 0\r\n", true},
	} {
		got, err := RemoteHolds(tc.sdp)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := RemoteHolds("not sdp"); err == nil {
		t.Error("malformed SDP read as an offer")
	}
}
