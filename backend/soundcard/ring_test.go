package soundcard

import (
	"slices"
	"testing"
)

func TestRing(t *testing.T) {
	r := newRing(5)
	r.push([]int16{1, 2, 3})
	out := make([]int16, 2)
	if n := r.pop(out); n != 2 || !slices.Equal(out, []int16{1, 2}) {
		t.Fatalf("pop = %d %v", n, out)
	}
	r.push([]int16{4, 5, 6, 7}) // wraps: holds 3..7
	r.push([]int16{8})          // full: drops 3
	all := make([]int16, 10)
	n := r.pop(all)
	if !slices.Equal(all[:n], []int16{4, 5, 6, 7, 8}) {
		t.Fatalf("after overflow: %v", all[:n])
	}
	r.push([]int16{1, 2, 3, 4, 5, 6, 7}) // longer than the ring: the newest 5
	n = r.pop(all)
	if !slices.Equal(all[:n], []int16{3, 4, 5, 6, 7}) {
		t.Fatalf("long push: %v", all[:n])
	}
	if r.pop(all) != 0 || r.len() != 0 {
		t.Fatal("not empty")
	}
}
