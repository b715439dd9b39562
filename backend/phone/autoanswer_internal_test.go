package phone

import (
	"errors"
	"testing"
	"time"

	"voicedesk/backend/sip"
)

// Which offered calls are answered by themselves, and after how long: a
// row per rule.
func TestAutoAnswerDecision(t *testing.T) {
	queue := sip.Queue{ID: "q1", Name: "Sales"}
	for _, c := range []struct {
		rule    string
		set     AutoAnswer
		offer   Offer
		busy    bool
		want    time.Duration
		answers bool
	}{
		{"off answers nothing", AutoAnswer{Mode: AutoAnswerOff}, Offer{Queue: queue}, false, 0, false},
		{"the empty mode is off", AutoAnswer{}, Offer{}, false, 0, false},
		{"all answers a direct call after the delay", AutoAnswer{Mode: AutoAnswerAll, DelaySeconds: 3}, Offer{}, false, 3 * time.Second, true},
		{"never without ringing first: a 0 s delay rings a second", AutoAnswer{Mode: AutoAnswerAll}, Offer{}, false, minAutoRing, true},
		{"an agent on a call is never answered into a second", AutoAnswer{Mode: AutoAnswerAll}, Offer{}, true, 0, false},
		{"queue answers a service call", AutoAnswer{Mode: AutoAnswerQueue, DelaySeconds: 2}, Offer{Queue: queue}, false, 2 * time.Second, true},
		{"queue leaves a direct call to the agent", AutoAnswer{Mode: AutoAnswerQueue}, Offer{}, false, 0, false},
		{"requested answers a call that asks, after its own delay", AutoAnswer{Mode: AutoAnswerRequested, DelaySeconds: 9}, Offer{AutoAnswerAsked: true, AutoAnswerAfter: 2}, false, 2 * time.Second, true},
		{"requested takes the set delay when the call gives none", AutoAnswer{Mode: AutoAnswerRequested, DelaySeconds: 4}, Offer{AutoAnswerAsked: true, AutoAnswerAfter: -1}, false, 4 * time.Second, true},
		{"requested leaves a call that does not ask", AutoAnswer{Mode: AutoAnswerRequested}, Offer{Queue: queue}, false, 0, false},
		{"all does not answer the supervision call itself (the phone does)", AutoAnswer{Mode: AutoAnswerAll}, Offer{SupervisionTarget: "u1"}, false, 0, false},
	} {
		t.Run(c.rule, func(t *testing.T) {
			got, ok := autoAnswerAfter(c.set, c.offer, c.busy)
			if got != c.want || ok != c.answers {
				t.Errorf("got %v, %v; want %v, %v", got, ok, c.want, c.answers)
			}
		})
	}
}

func TestAutoAnswerValidate(t *testing.T) {
	for _, c := range []struct {
		rule string
		a    AutoAnswer
		ok   bool
	}{
		{"each mode", AutoAnswer{Mode: AutoAnswerQueue, DelaySeconds: 5}, true},
		{"the longest delay", AutoAnswer{Mode: AutoAnswerAll, DelaySeconds: MaxAutoAnswerDelay}, true},
		{"an unknown mode", AutoAnswer{Mode: "sometimes"}, false},
		{"a negative delay", AutoAnswer{Mode: AutoAnswerAll, DelaySeconds: -1}, false},
		{"a delay over a minute", AutoAnswer{Mode: AutoAnswerAll, DelaySeconds: MaxAutoAnswerDelay + 1}, false},
	} {
		err := c.a.Validate()
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadAutoAnswer)) {
			t.Errorf("%s: %v", c.rule, err)
		}
	}
}
