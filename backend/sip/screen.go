package sip

import (
	"bytes"
	"log/slog"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"voicedesk/backend/ratelog"
)

func init() {
	// sipgo reads a WebSocket frame up to ParseMaxMessageLength (64 KB)
	// and ends the connection on a longer one, and copies a frame into a
	// 32 KB buffer (a longer message arrives cut, fails to parse, and
	// ended the connection too). A phone's messages are a few KB: frames up
	// to 1 MB are read whole and one longer than the buffer (64 KB, the
	// most its uint16 allows) is dropped by screen, so that one huge
	// message from the proxy costs its own loss, not the registration.
	sip.ParseMaxMessageLength = 1 << 20
	sip.TransportBufferReadSize = 65535
}

// screen drops a WebSocket message sipgo cannot parse before sipgo sees
// it. sipgo's WebSocket reader ends the connection on the first message
// that does not parse (transport_ws.go, readConnection), so one malformed
// message relayed by the proxy (RFC 4475's torture cases, a truncated
// frame) cost the agent its registration and every call on it. A message
// too broken to parse cannot be answered (no Via to answer to): it is
// logged, a line a second at most, and dropped, as RFC 3261 18.3 has a
// stream transport's element discard it. Parsing twice costs ~10 µs a
// message (a phone gets a few a second). Other transports pass: over UDP
// sipgo already drops such a datagram, and over TCP the filter sees
// chunks of the stream, not messages.
type screen struct {
	log    *slog.Logger
	parser *sip.Parser
	limit  *ratelog.Limiter // one dropped-message line a second
}

func newScreen(log *slog.Logger) *screen {
	return &screen{log: log, parser: sip.NewParser(), limit: ratelog.New(time.Second)}
}

func (s *screen) filter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	if !strings.EqualFold(props.Transport, "ws") && !strings.EqualFold(props.Transport, "wss") {
		return data, nil
	}
	data = unfold(data)
	if _, err := s.parser.ParseSIP(data); err != nil {
		s.dropped(len(data), data, err)
		return nil, nil
	}
	return data, nil
}

// unfold joins a header's continuation lines (RFC 3261 7.3.1: a line
// break followed by a space or tab is the same as one space), which
// sipgo's parser reads as headers of their own, and takes out the spaces
// RFC 3261 allows around the ';' and '=' of parameters (SEMI and EQUAL are
// SWS ";" SWS) in the headers whose parameters the dialog rests on, which
// sipgo keeps in the parameter's name (" tag " is not "tag"). RFC 4475's
// first torture message (wsinv) does both, and was refused with 400: its
// To's tag lost, a re-INVITE was taken for a new call. The body is left
// alone, and so is whatever is quoted.
func unfold(data []byte) []byte {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(data)
	}
	head := data[:end]
	if !bytes.Contains(head, []byte("\r\n ")) && !bytes.Contains(head, []byte("\r\n\t")) && !spacedParams(head) {
		return data
	}
	joined := make([]byte, 0, len(data))
	for i := 0; i < len(head); i++ {
		if head[i] == '\r' && i+2 < len(head) && head[i+1] == '\n' && (head[i+2] == ' ' || head[i+2] == '\t') {
			joined = append(joined, ' ')
			i += 2
			for i+1 < len(head) && (head[i+1] == ' ' || head[i+1] == '\t') {
				i++
			}
			continue
		}
		joined = append(joined, head[i])
	}
	lines := bytes.Split(joined, []byte("\r\n"))
	for n, l := range lines {
		name, _, ok := bytes.Cut(l, []byte(":"))
		if ok && dialogHeaders[strings.ToLower(strings.TrimSpace(string(name)))] {
			lines[n] = tightParams(l)
		}
	}
	return append(bytes.Join(lines, []byte("\r\n")), data[end:]...)
}

var dialogHeaders = map[string]bool{"to": true, "t": true, "from": true, "f": true, "contact": true, "m": true,
	"route": true, "record-route": true}

// spacedParams: some line has a space beside a ';' or an '='.
func spacedParams(head []byte) bool {
	for _, p := range []string{" ;", "; ", " =", "= "} {
		if bytes.Contains(head, []byte(p)) {
			return true
		}
	}
	return false
}

// tightParams drops the spaces beside ';' and '=' outside quotes.
func tightParams(l []byte) []byte {
	out := make([]byte, 0, len(l))
	quoted := false
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == '"' && (i == 0 || l[i-1] != '\\'):
			quoted = !quoted
		case !quoted && (c == ';' || c == '='):
			out = bytes.TrimRight(out, " \t")
			out = append(out, c)
			for i+1 < len(l) && (l[i+1] == ' ' || l[i+1] == '\t') {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// guard answers what parses but is not a request this agent can take
// before h sees it (RFC 4475 3.1.2.16 and 3.1.2.18): another SIP version
// gets 505, a CSeq naming another method 400. sipgo takes both as they come.
func guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if req.SipVersion != "SIP/2.0" {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 505, "Version Not Supported", nil))
			return
		}
		if cs := req.CSeq(); cs == nil || !strings.EqualFold(string(cs.MethodName), string(req.Method)) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (CSeq method)", nil))
			return
		}
		h(req, tx)
	}
}

func (s *screen) dropped(n int, data []byte, err error) {
	ok, skipped := s.limit.Allow(time.Now())
	if !ok {
		return
	}
	first, _, _ := strings.Cut(string(data[:min(len(data), 120)]), "\n")
	s.log.Warn("a SIP message that does not parse was dropped", "bytes", n, "startLine", cleanText(first, 80),
		"error", err, "alsoDroppedSinceLastLine", skipped)
}

// allowed are the methods the agent answers; a request of any other gets
// 405 with them in Allow (RFC 3261 8.2.1; sipgo's own 405 has no Allow).
const allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, NOTIFY"

func notAllowed(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	_ = tx.Respond(res)
}
