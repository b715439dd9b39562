package media

import (
	"testing"
	"time"
)

// feed pushes frames with the given sequence numbers, 20 ms apart on the RTP
// clock, arriving at the given offsets (ms) from t0.
func feed(j *jitterBuffer, t0 time.Time, seqs []uint16, arrivalMs []int) {
	for i, s := range seqs {
		// The RTP timestamp advances with the sequence (both wrap on their own).
		ts := uint32(uint16(s-seqs[0])) * 160
		j.push(s, ts, []byte{byte(s)}, t0.Add(time.Duration(arrivalMs[i])*time.Millisecond))
	}
}

func drain(j *jitterBuffer, n int) (out []int) {
	for i := 0; i < n; i++ {
		p, lost, next, ok := j.pop()
		switch {
		case !ok:
			out = append(out, -2) // filling
		case lost && next != nil:
			out = append(out, -100-int(next[0])) // lost, the next packet here for its FEC
		case lost:
			out = append(out, -1)
		default:
			out = append(out, int(p[0]))
		}
	}
	return out
}

func TestJitterBuffer(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		rule    string
		seqs    []uint16
		arrival []int
		pops    int
		want    []int
	}{
		{"in-order packets play in order", []uint16{1, 2, 3, 4}, []int{0, 20, 40, 60}, 4, []int{1, 2, 3, 4}},
		{"reordered packets are put back in order", []uint16{1, 3, 2, 4}, []int{0, 20, 21, 60}, 4, []int{1, 2, 3, 4}},
		{"a missing packet is reported lost once, with the next packet for its FEC", []uint16{1, 2, 4, 5}, []int{0, 20, 60, 80}, 4, []int{1, 2, -104, 4}},
		{"a lost packet whose next is lost too has no FEC to offer", []uint16{1, 2, 5, 6}, []int{0, 20, 80, 100}, 5, []int{1, 2, -1, -105, 5}},
		{"nothing plays before the target is buffered", []uint16{7}, []int{0}, 1, []int{-2}},
		{"sequence numbers wrap around", []uint16{65534, 65535, 0, 1}, []int{0, 20, 40, 60}, 4, []int{254, 255, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			j := newJitterBuffer(8000)
			feed(j, t0, tt.seqs, tt.arrival)
			got := drain(j, tt.pops)
			for i := range tt.want {
				if i >= len(got) || got[i] != tt.want[i] {
					t.Fatalf("played %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestJitterBufferLatePacketDropped(t *testing.T) {
	j := newJitterBuffer(8000)
	feed(j, time.Unix(1000, 0), []uint16{1, 2, 3}, []int{0, 20, 40})
	drain(j, 2) // plays 1, 2
	j.push(1, 160, []byte{1}, time.Unix(1000, 0).Add(100*time.Millisecond))
	if j.late != 1 {
		t.Fatalf("late = %d, want 1", j.late)
	}
	if got := drain(j, 1); got[0] != 3 {
		t.Fatalf("after a late packet played %v, want [3]", got)
	}
}

func TestJitterBufferTargetFollowsJitter(t *testing.T) {
	j := newJitterBuffer(8000)
	t0 := time.Unix(1000, 0)
	// Steady arrivals: the target stays at the minimum.
	for s := uint16(0); s < 50; s++ {
		j.push(s, uint32(s)*160, []byte{0}, t0.Add(time.Duration(s)*20*time.Millisecond))
		j.pop()
	}
	if got := j.targetFrames(); got != 1 {
		t.Fatalf("target with no jitter = %d frames, want 1", got)
	}
	// Arrivals scattered by ±40 ms: the target grows.
	for s := uint16(50); s < 150; s++ {
		skew := time.Duration((int(s)%3)-1) * 40 * time.Millisecond
		j.push(s, uint32(s)*160, []byte{0}, t0.Add(time.Duration(s)*20*time.Millisecond+skew))
		j.pop()
	}
	if got := j.targetFrames(); got < 3 || got > 10 {
		t.Fatalf("target with ±40 ms jitter = %d frames, want 3..10", got)
	}
}
