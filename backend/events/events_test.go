package events

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func take(t *testing.T, ch <-chan Event, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream closed after %v", got)
			}
			got = append(got, ev.Name)
		case <-time.After(2 * time.Second):
			t.Fatalf("got %v, want %d events", got, n)
		}
	}
	return got
}

func TestHub(t *testing.T) {
	tests := []struct {
		rule string
		run  func(t *testing.T, h *Hub)
	}{
		{"every subscription gets every event, in the order emitted", func(t *testing.T, h *Hub) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a, b := h.Subscribe(ctx, "a"), h.Subscribe(ctx, "b")
			for i := range 100 {
				h.Emit(fmt.Sprint(i), nil)
			}
			for _, ch := range []<-chan Event{a, b} {
				got := take(t, ch, 100)
				for i, name := range got {
					if name != fmt.Sprint(i) {
						t.Fatalf("event %d is %s", i, name)
					}
				}
			}
		}},
		{"Emit does not wait for a consumer that does not read", func(t *testing.T, h *Hub) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stuck := h.Subscribe(ctx, "stuck")
			done := make(chan struct{})
			go func() {
				for range MaxQueue + 10 {
					h.Emit("x", nil)
				}
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Emit blocked on a consumer that does not read")
			}
			_ = stuck
		}},
		{"a stalled consumer keeps the newest MaxQueue events", func(t *testing.T, h *Hub) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Subscribed, but its feeder is parked until the first read:
			// everything lands in its queue.
			ch := h.Subscribe(ctx, "slow")
			for i := range MaxQueue + 5 {
				h.Emit(fmt.Sprint(i), nil)
			}
			first := take(t, ch, 1)[0]
			if first != "0" && first != "5" {
				// The feeder may have taken event 0 before the queue
				// filled; after that the oldest dropped are 1..5.
				t.Fatalf("first event %s, want 0 (taken before the drop) or 5", first)
			}
		}},
		{"events emitted before Subscribe are not replayed", func(t *testing.T, h *Hub) {
			h.Emit("early", nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch := h.Subscribe(ctx, "late")
			h.Emit("late", nil)
			if got := take(t, ch, 1); got[0] != "late" {
				t.Fatalf("got %v", got)
			}
		}},
		{"the stream closes when its context ends, and its goroutine is gone", func(t *testing.T, h *Hub) {
			ctx, cancel := context.WithCancel(context.Background())
			ch := h.Subscribe(ctx, "a")
			cancel()
			for range ch {
			}
			h.Emit("after", nil) // no subscription left to queue it
			h.mu.Lock()
			n := len(h.subs)
			h.mu.Unlock()
			if n != 0 {
				t.Fatalf("%d subscriptions left", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) { tt.run(t, New(nil)) })
	}
}
