package audio

import "sync/atomic"

// Patch is a call's Source and Sink with a switch: they lead to the call's
// own sound (its microphone and speaker) until Route sends them elsewhere
// (a local conference's mixer), and back again with Restore. The call's
// clock reads and writes it on its own goroutine while the switch is
// thrown on another: each Read and Write goes wholly one way.
type Patch struct {
	own route
	cur atomic.Pointer[route]
}

type route struct {
	src  Source
	sink Sink
}

// NewPatch leads to src and sink.
func NewPatch(src Source, sink Sink) *Patch {
	p := &Patch{own: route{src, sink}}
	p.cur.Store(&p.own)
	return p
}

// Read implements Source.
func (p *Patch) Read(frame []int16, sampleRate int) error {
	return p.cur.Load().src.Read(frame, sampleRate)
}

// Write implements Sink.
func (p *Patch) Write(frame []int16, sampleRate int) error {
	return p.cur.Load().sink.Write(frame, sampleRate)
}

// Route leads the patch to src and sink.
func (p *Patch) Route(src Source, sink Sink) { p.cur.Store(&route{src, sink}) }

// Restore leads it back to its own sound.
func (p *Patch) Restore() { p.cur.Store(&p.own) }

// Own is the patch's own sound.
func (p *Patch) Own() (Source, Sink) { return p.own.src, p.own.sink }
