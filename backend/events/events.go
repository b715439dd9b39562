// Package events is the phone's event stream: the phone emits each event
// once, and every consumer (the window, the integration API, the tray, the
// notifications) reads it on its own goroutine, in order.
//
// Emit never blocks and never runs a consumer's code: it only appends to
// each subscription's queue. So no consumer runs on the goroutine that
// emitted (a call's, holding the call model's lock) and none can call
// back into the phone under its locks; a slow consumer (a tray whose
// D-Bus host hangs) delays only itself.
package events

import (
	"context"
	"log/slog"
	"sync"
)

// Event is one of the phone's events: the reference's name and payload.
type Event struct {
	Name   string
	Detail any
}

// MaxQueue bounds what a stalled consumer holds: past it the oldest events
// are dropped (and counted in the log) rather than the app's memory grow.
// The phone emits a few events per call, so only a consumer stuck for a
// very long time ever reaches it.
const MaxQueue = 4096

// Hub fans the phone's events out to its subscriptions.
type Hub struct {
	log  *slog.Logger
	mu   sync.Mutex
	subs map[*sub]struct{}
}

// New returns a Hub; log may be nil.
func New(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{log: log, subs: map[*sub]struct{}{}}
}

type sub struct {
	name    string
	mu      sync.Mutex
	queue   []Event
	wake    chan struct{}
	dropped int
}

// Emit queues the event for every subscription (phone.Emitter).
func (h *Hub) Emit(name string, detail any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.mu.Lock()
		if len(s.queue) >= MaxQueue {
			s.queue = s.queue[1:]
			s.dropped++
		}
		s.queue = append(s.queue, Event{name, detail})
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Subscribe returns the events emitted from now on, in order, until ctx
// ends; then the channel is closed. name says who reads, for the log.
// The goroutine that feeds the channel ends with ctx, so the reader must
// either read until the channel closes or cancel ctx.
func (h *Hub) Subscribe(ctx context.Context, name string) <-chan Event {
	s := &sub{name: name, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	out := make(chan Event)
	go func() {
		defer close(out)
		defer func() {
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
		}()
		for {
			s.mu.Lock()
			batch, dropped := s.queue, s.dropped
			s.queue, s.dropped = nil, 0
			s.mu.Unlock()
			if dropped > 0 {
				h.log.Warn("events: a consumer fell behind; its oldest events were dropped", "consumer", s.name, "dropped", dropped)
			}
			for _, ev := range batch {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
			if len(batch) > 0 {
				continue // more may have come meanwhile
			}
			select {
			case <-s.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
