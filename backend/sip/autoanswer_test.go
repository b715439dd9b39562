package sip

import "testing"

func TestAutoAnswerAsked(t *testing.T) {
	for _, c := range []struct {
		rule    string
		headers []string
		seconds int
		asked   bool
	}{
		{"a plain call asks nothing", nil, -1, false},
		{"Call-Info's answer-after (Polycom, Snom)", []string{"Call-Info: <sip:pbx.example>;answer-after=0"}, 0, true},
		{"a delay is kept", []string{"Call-Info: ;answer-after=3"}, 3, true},
		{"a long one is capped", []string{"Call-Info: <sip:x>;answer-after=3600"}, maxAnswerAfter, true},
		{"a negative or broken one is no request", []string{"Call-Info: <sip:x>;answer-after=-1", "Call-Info: <sip:x>;answer-after=soon"}, -1, false},
		{"Call-Info about something else is no request", []string{"Call-Info: <http://x/photo.jpg>;purpose=icon"}, -1, false},
		{"Alert-Info's info=alert-autoanswer", []string{"Alert-Info: <http://127.0.0.1/Bellcore-dr4>;info=alert-autoanswer"}, -1, true},
		{"Alert-Info: intercom", []string{"Alert-Info: <sip:x>;info=intercom"}, -1, true},
		{"Alert-Info: Auto Answer", []string{"Alert-Info: Auto Answer"}, -1, true},
		{"a distinctive ring is no request", []string{"Alert-Info: <http://x/>;info=alert-group"}, -1, false},
	} {
		t.Run(c.rule, func(t *testing.T) {
			req := parseRequest(t, withHeaders(t, `"Caller" <sip:caller@lab>;tag=1`, c.headers...))
			s, asked := autoAnswerAsked(req)
			if s != c.seconds || asked != c.asked {
				t.Errorf("got %d, %v; want %d, %v", s, asked, c.seconds, c.asked)
			}
		})
	}
}
