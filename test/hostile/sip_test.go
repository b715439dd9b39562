// Package hostile feeds the phone what a SIP proxy could relay to it and
// an attacker could send: RFC 4475's torture cases, huge and malformed
// messages, requests it has no dialog for, offers it cannot take. The
// phone is the real one (backend/phone on backend/sip and backend/media)
// behind a test proxy on loopback; the platform is a fake (no REST here).
package hostile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
	"voicedesk/backend/platform"
)

// plat is the fake platform with the test proxy as the SIP WebSocket.
type plat struct {
	phonetest.Platform
	ws string
}

func (p plat) SIPSettings(context.Context, *platform.Session) (platform.SIPSettings, error) {
	return platform.SIPSettings{WebSocketURL: p.ws, SIPURI: "sip:alice@voicedesk.lab", AuthUser: "alice", Realm: "voicedesk.lab", Password: "pw"}, nil
}

// events records the phone's events.
type events struct {
	mu  sync.Mutex
	all []string
}

func (e *events) Emit(name string, _ any) {
	e.mu.Lock()
	e.all = append(e.all, name)
	e.mu.Unlock()
}

func (e *events) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.all)
}

func (e *events) since(n int) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.all[n:]...)
}

func token() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// labSDP is the WebRTC offer of an INVITE the lab relayed (captured).
func labSDP(t *testing.T) string {
	raw, err := os.ReadFile("../../backend/sip/testdata/lab-invite.sip")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	return body
}

const plainSDP = "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n"

// req builds a request: the start line, the headers (Via, Max-Forwards,
// From, To, Call-ID, CSeq filled in unless the row gives its own) and
// the body with its Content-Length.
func req(start string, headers []string, body string) func(cid string) string {
	return func(cid string) string {
		var b strings.Builder
		b.WriteString(start + "\r\n")
		has := func(name string) bool {
			for _, h := range headers {
				if strings.HasPrefix(strings.ToLower(h), strings.ToLower(name)+":") {
					return true
				}
			}
			return false
		}
		method, _, _ := strings.Cut(start, " ")
		defaults := []struct{ name, value string }{
			{"Via", "SIP/2.0/WS 127.0.0.1:9;branch=z9hG4bK" + token()},
			{"Max-Forwards", "70"},
			{"From", "<sip:caller@voicedesk.lab>;tag=" + token()},
			{"To", "<sip:alice@voicedesk.lab>"},
			{"Call-ID", cid},
			{"CSeq", "1 " + method},
		}
		if method == "INVITE" {
			defaults = append(defaults, struct{ name, value string }{"Contact", "<sip:caller@127.0.0.1:9;transport=ws>"})
		}
		for _, d := range defaults {
			if !has(d.name) {
				b.WriteString(d.name + ": " + d.value + "\r\n")
			}
		}
		for _, h := range headers {
			b.WriteString(strings.ReplaceAll(h, "{cid}", cid) + "\r\n")
		}
		if body != "" && !has("Content-Type") {
			b.WriteString("Content-Type: application/sdp\r\n")
		}
		if !has("Content-Length") {
			fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
		}
		b.WriteString("\r\n" + body)
		return b.String()
	}
}

// TestHostileSIP: each message goes to the signed-in phone alone; the
// phone answers as RFC 3261 and RFC 4475 say (a message too broken to
// parse is dropped: it has no Via to answer to), and afterwards it is
// still registered on the same connection, has no call, emitted nothing,
// and answers an OPTIONS.
func TestHostileSIP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	px := newProxy(t)
	ev := &events{}
	p := phone.New(phone.Config{Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1},
		plat{Platform: phonetest.Platform{}, ws: px.url()}, ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	webrtc := labSDP(t)
	many := func(n int, h string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(h, i)
		}
		return out
	}
	const dropped = 0
	tests := []struct {
		rule  string
		msg   func(cid string) string
		want  int  // the final answer; dropped: none
		allow bool // the answer names the methods allowed
	}{
		// RFC 4475 3.1.1: valid messages, answered as any other.
		{"wsinv: folded lines, escaped quotes, short and long names, unknown headers: a mid-dialog INVITE of no dialog gets 481",
			func(cid string) string {
				return "INVITE sip:alice@voicedesk.lab;unknownparam SIP/2.0\r\nTO :\r\n sip:alice@voicedesk.lab ;   tag    = 1918181833n\r\n" +
					"from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8\r\nMaX-fOrWaRdS: 0068\r\n" +
					"Call-ID: " + cid + "\r\nContent-Length   : " + fmt.Sprint(len(plainSDP)) + "\r\ncseq: 0009\r\n  INVITE\r\n" +
					"Via  : SIP  /   2.0\r\n /WS\r\n    127.0.0.1:9;rport;branch=z9hG4bK390skdjuw" + token() + "\r\ns :\r\n" +
					"NewFangledHeader:   newfangled value\r\n continued newfangled value\r\nUnknownHeaderWithUnusualValue: ;;,,;;,;\r\n" +
					"Content-Type: application/sdp\r\nv:  SIP/2.0/TCP spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n" +
					" SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\nm:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n" +
					"      newvalue ;\r\n  secondparam ; q = 0.33\r\n\r\n" + plainSDP
			}, 481, false},
		{"intmeth: an unknown method of unusual characters gets 405 with Allow",
			req("!interesting-Method0123456789_*+`.%indeed'~ sip:alice@voicedesk.lab SIP/2.0", []string{"CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~"}, ""), 405, true},
		{"esc01: escaped characters in the URIs; an INVITE with a plain RTP offer gets 488",
			req("INVITE sip:sips%3Auser%40example.com@voicedesk.lab SIP/2.0", []string{"To: sip:%61lice@voicedesk.lab", "From: <sip:I%20have%20spaces@example.net>;tag=938"}, plainSDP), 488, false},
		{"escnull: %00 in a URI; a REGISTER to a phone gets 405",
			req("REGISTER sip:voicedesk.lab SIP/2.0", []string{"To: sip:null-%00-null@voicedesk.lab", "From: sip:null-%00-null@voicedesk.lab;tag=839923423", "Contact: <sip:%00@127.0.0.1>"}, ""), 405, true},
		{"lwsdisp: no space between the display name and <: OPTIONS gets 200",
			req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", []string{"From: caller<sip:caller@example.com>;tag=323"}, ""), 200, false},
		{"semiuri: ; in the user part: OPTIONS gets 200",
			req("OPTIONS sip:user;par=u%40example.net@voicedesk.lab SIP/2.0", []string{"To: sip:j_user@voicedesk.lab"}, ""), 200, false},
		{"transports: Vias of every transport: OPTIONS gets 200",
			req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", []string{"Via: SIP/2.0/WS 127.0.0.1:9;branch=z9hG4bKkdjuw" + token(), "Via: SIP/2.0/SCTP t3.example.com;branch=z9hG4bKklasjdhf", "Via: SIP/2.0/TLS t2.example.com;branch=z9hG4bK0a9idfnee", "Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw"}, ""), 200, false},
		{"mpart01: a multipart body; an offer that is not WebRTC gets 488",
			req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"Content-Type: multipart/mixed;boundary=7a9cbec02ceef655"},
				"--7a9cbec02ceef655\r\nContent-Type: application/sdp\r\n\r\n"+plainSDP+"\r\n--7a9cbec02ceef655--\r\n"), 488, false},
		{"zeromf: Max-Forwards 0 at the phone itself: OPTIONS gets 200",
			req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", []string{"Max-Forwards: 0"}, ""), 200, false},
		{"a response to nothing is dropped", func(cid string) string {
			return "SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое\r\nVia: SIP/2.0/WS 127.0.0.1:9;branch=z9hG4bK" + token() + "\r\n" +
				"Call-ID: " + cid + "\r\nCSeq: 353 INVITE\r\nFrom: sip:a@b;tag=1\r\nTo: sip:c@d;tag=2\r\nContent-Length: 0\r\n\r\n"
		}, dropped, false},
		// RFC 4475 3.1.2: invalid messages. Those that parse get 400 (or
		// the RFC's more specific answer); those that do not are dropped.
		{"ncl: a negative Content-Length is dropped",
			req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"Content-Length: -999"}, plainSDP), dropped, false},
		{"clerr: a Content-Length beyond the body is dropped",
			req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"Content-Length: 9999"}, plainSDP), dropped, false},
		{"scalar02: a CSeq beyond 2**32 is dropped",
			req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"CSeq: 36893488147419103232 INVITE"}, plainSDP), dropped, false},
		{"quotbal: an unterminated quote is dropped",
			req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"To: \"Mr. J. User <sip:alice@voicedesk.lab>"}, plainSDP), dropped, false},
		{"ltgtruri: a Request-URI in <> is dropped",
			req("INVITE <sip:alice@voicedesk.lab> SIP/2.0", nil, plainSDP), dropped, false},
		{"lwsruri: spaces in the Request-URI are dropped",
			req("INVITE sip:alice@voicedesk.lab;lr; SIP/2.0 SIP/2.0", nil, plainSDP), dropped, false},
		{"badvers: SIP/7.0 gets 505",
			req("OPTIONS sip:alice@voicedesk.lab SIP/7.0", nil, ""), 505, false},
		{"insuf: no Call-ID, From or To is dropped", func(string) string {
			return "INVITE sip:alice@voicedesk.lab SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:9;branch=z9hG4bK" + token() + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
		}, dropped, false},
		{"mismatch01: a CSeq of another method gets 400",
			req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", []string{"CSeq: 8 INVITE"}, ""), 400, false},
		{"garbage bytes are dropped", func(string) string { return "\x00\x01\x02 this is not SIP at all \xff\xfe" }, dropped, false},
		// Size.
		{"a 40 KB header: OPTIONS gets 200", req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", []string{"X-Huge: " + strings.Repeat("a", 40<<10)}, ""), 200, false},
		{"1,000 Vias: OPTIONS gets 200", req("OPTIONS sip:alice@voicedesk.lab SIP/2.0",
			append([]string{"Via: SIP/2.0/WS 127.0.0.1:9;branch=z9hG4bK" + token()}, many(999, "Via: SIP/2.0/UDP 192.0.2.%d;branch=z9hG4bK%[1]d")...), ""), 200, false},
		{"a 200 KB body (beyond 64 KB) is dropped", req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil, webrtc+strings.Repeat("a=x-pad:"+strings.Repeat("p", 100)+"\r\n", 2000)), dropped, false},
		// What the phone itself must refuse.
		{"an INVITE without Contact gets 400", func(cid string) string {
			return strings.Replace(req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil, "")(cid), "Contact: <sip:caller@127.0.0.1:9;transport=ws>\r\n", "", 1)
		}, 400, false},
		{"an unknown method gets 405 with Allow", req("FOO sip:alice@voicedesk.lab SIP/2.0", nil, ""), 405, true},
		{"MESSAGE gets 405 with Allow", req("MESSAGE sip:alice@voicedesk.lab SIP/2.0", []string{"Content-Type: text/plain"}, "hello"), 405, true},
		{"an INVITE without SDP gets 488 (no offer in the answer)", req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil, ""), 488, false},
		{"an INVITE offering only G.729 gets 488", req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil,
			strings.Replace(strings.Replace(webrtc, "RTP/SAVPF 96 0 8 101", "RTP/SAVPF 18", 1), "a=rtpmap:96 opus/48000/2", "a=rtpmap:18 G729/8000", 1)), 488, false},
		{"an INVITE whose audio has port 0 gets 488", req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil, strings.Replace(webrtc, "m=audio 24800", "m=audio 0", 1)), 488, false},
		{"an INVITE whose body is not SDP gets 488", req("INVITE sip:alice@voicedesk.lab SIP/2.0", nil, "this is not a session description"), 488, false},
		{"a re-INVITE of a call that does not exist gets 481", req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"To: <sip:alice@voicedesk.lab>;tag=nosuchdialog"}, webrtc), 481, false},
		{"a BYE of a call that does not exist gets 481", req("BYE sip:alice@voicedesk.lab SIP/2.0", []string{"To: <sip:alice@voicedesk.lab>;tag=nosuchdialog"}, ""), 481, false},
		{"a CANCEL of no INVITE gets 481", req("CANCEL sip:alice@voicedesk.lab SIP/2.0", nil, ""), 481, false},
		{"an UPDATE of a call that does not exist gets 481", req("UPDATE sip:alice@voicedesk.lab SIP/2.0", []string{"To: <sip:alice@voicedesk.lab>;tag=nosuchdialog"}, webrtc), 481, false},
		{"a NOTIFY of no subscription gets 481", req("NOTIFY sip:alice@voicedesk.lab SIP/2.0", []string{"To: <sip:alice@voicedesk.lab>;tag=nosuchdialog", "Event: refer", "Subscription-State: active", "Content-Type: message/sipfrag"}, "SIP/2.0 200 OK"), 481, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			px.drain()
			before := ev.count()
			cid := "hostile-" + token()
			px.send(tt.msg(cid))
			within := 3 * time.Second
			if tt.want == dropped {
				within = 500 * time.Millisecond
			}
			res, prov, err := px.final(ctx, cid, within)
			switch {
			case tt.want == dropped && err == nil:
				t.Errorf("answered %d %s, want it dropped", res.StatusCode, res.Reason)
			case tt.want != dropped && err != nil:
				t.Errorf("no answer: %v, want %d", err, tt.want)
			case tt.want != dropped && res.StatusCode != tt.want:
				t.Errorf("answered %d %s (provisional %v), want %d", res.StatusCode, res.Reason, prov, tt.want)
			case tt.allow && (res.GetHeader("Allow") == nil || !strings.Contains(res.GetHeader("Allow").Value(), "INVITE")):
				t.Errorf("the %d has no Allow naming the methods", res.StatusCode)
			}
			if res != nil && res.StatusCode >= 300 && strings.HasPrefix(tt.msg(cid), "INVITE") {
				ack(px, res)
			}
			unchanged(ctx, t, px, p, ev, before)
		})
	}
	t.Run("after all that, a caller still rings the phone, and the CANCEL ends it", func(t *testing.T) {
		px.drain()
		before := ev.count()
		cid := "real-" + token()
		branch := "z9hG4bK" + token()
		from := "<sip:caller@voicedesk.lab>;tag=" + token()
		invite := req("INVITE sip:alice@voicedesk.lab SIP/2.0", []string{"Via: SIP/2.0/WS 127.0.0.1:9;branch=" + branch, "From: " + from}, webrtc)(cid)
		px.send(invite)
		deadline := time.Now().Add(3 * time.Second)
		for !strings.Contains(strings.Join(ev.since(before), " "), phone.EventCallIncoming) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if calls := p.State().Calls; len(calls) != 1 || calls[0].State != "incoming" {
			t.Fatalf("the phone's calls after a good INVITE: %+v (events %v)", calls, ev.since(before))
		}
		px.send("CANCEL sip:alice@voicedesk.lab SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:9;branch=" + branch + "\r\nMax-Forwards: 70\r\nFrom: " + from +
			"\r\nTo: <sip:alice@voicedesk.lab>\r\nCall-ID: " + cid + "\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n")
		var got []int
		for len(got) < 2 {
			res, _, err := px.final(ctx, cid, 3*time.Second)
			if err != nil {
				t.Fatalf("answers to the CANCEL and the INVITE: %v, then %v", got, err)
			}
			got = append(got, res.StatusCode)
			if res.StatusCode == 487 {
				ack(px, res)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, []int{200, 487}) {
			t.Fatalf("answered %v, want 200 (the CANCEL) and 487 (the INVITE)", got)
		}
		deadline = time.Now().Add(3 * time.Second)
		for len(p.State().Calls) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := len(p.State().Calls); n != 0 {
			t.Fatalf("%d calls left after the CANCEL", n)
		}
	})
}

// ack acknowledges a failed INVITE (RFC 3261 17.1.1.3).
func ack(px *proxy, res interface{ String() string }) {
	r := res.String()
	var via, from, to, cid, cseq string
	for _, l := range strings.Split(r, "\r\n") {
		name, value, _ := strings.Cut(l, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "via":
			if via == "" {
				via = value
			}
		case "from":
			from = value
		case "to":
			to = value
		case "call-id":
			cid = value
		case "cseq":
			n, _, _ := strings.Cut(value, " ")
			cseq = n + " ACK"
		}
	}
	px.send("ACK sip:alice@voicedesk.lab SIP/2.0\r\nVia: " + via + "\r\nMax-Forwards: 70\r\nFrom: " + from + "\r\nTo: " + to +
		"\r\nCall-ID: " + cid + "\r\nCSeq: " + cseq + "\r\nContent-Length: 0\r\n\r\n")
}

// unchanged: the phone is registered on its first connection, has no
// call, emitted nothing since before, and still answers.
func unchanged(ctx context.Context, t *testing.T, px *proxy, p *phone.Phone, ev *events, before int) {
	t.Helper()
	cid := "probe-" + token()
	px.send(req("OPTIONS sip:alice@voicedesk.lab SIP/2.0", nil, "")(cid))
	if res, _, err := px.final(ctx, cid, 3*time.Second); err != nil || res.StatusCode != 200 {
		t.Fatalf("the phone no longer answers an OPTIONS: %v %v", res, err)
	}
	st := p.State()
	if st.Connection != phone.ConnectionRegistered || len(st.Calls) != 0 {
		t.Errorf("the phone's state changed: connection %q, %d calls", st.Connection, len(st.Calls))
	}
	if n := px.connections(); n != 1 {
		t.Errorf("the phone connected %d times: it lost its connection", n)
	}
	if got := ev.since(before); len(got) > 0 {
		t.Errorf("the phone emitted %v", got)
	}
}
