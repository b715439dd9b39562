package sip

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// maxAnswerAfter caps the delay a call may ask for (seconds).
const maxAnswerAfter = 60

// autoAnswerAsked reads whether the INVITE asks to be answered without the
// user (an intercom or paging call) and after how many seconds. The ways
// desk phones and PBXs ask (Polycom, Snom, Yealink, Grandstream, Asterisk's
// and FreeSWITCH's intercom examples):
//
//	Call-Info: <sip:host>;answer-after=0
//	Call-Info: ;answer-after=2
//	Alert-Info: <http://x/>;info=alert-autoanswer   (and info=intercom)
//	Alert-Info: Auto Answer / Alert-Info: intercom
//
// It is network text: asked is only a request, which the phone follows in
// its "requested" mode alone. -1 seconds: asked without a delay.
func autoAnswerAsked(req *sip.Request) (seconds int, asked bool) {
	for _, h := range req.GetHeaders("Call-Info") {
		for _, param := range strings.Split(h.Value(), ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "answer-after") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`))
			if err != nil || n < 0 {
				continue
			}
			return min(n, maxAnswerAfter), true
		}
	}
	for _, h := range req.GetHeaders("Alert-Info") {
		v := strings.ToLower(h.Value())
		for _, word := range []string{"alert-autoanswer", "auto answer", "autoanswer", "auto-answer", "intercom"} {
			if strings.Contains(v, word) {
				return -1, true
			}
		}
	}
	return -1, false
}
