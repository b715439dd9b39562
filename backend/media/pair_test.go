package media

import (
	"context"
	"testing"
)

// newTestSession is a loopback session on PCMU, closed when the test ends.
func newTestSession(t *testing.T) *Session {
	t.Helper()
	s, err := NewSession(Config{LoopbackOnly: true, Codecs: []string{"PCMU"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// negotiate has offerer offer and answerer answer; edit (when not nil)
// changes the answer on its way back, as a proxy or media server might.
// It returns the offer and the answer as sent.
func negotiate(t *testing.T, ctx context.Context, offerer, answerer *Session, edit func(string) string) (offer, answer string) {
	t.Helper()
	offer, err := offerer.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err = answerer.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		answer = edit(answer)
	}
	if err := offerer.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	return offer, answer
}
