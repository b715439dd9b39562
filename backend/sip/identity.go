package sip

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// The longest number and name an incoming call shows; a SIP header can be
// kilobytes, the call list and the OS notification cannot.
const (
	maxNumberLen = 64
	maxNameLen   = 64
)

// callerIdentity is who an incoming INVITE is from, as shown to the agent:
// the number from P-Asserted-Identity when the platform asserted one (a
// contact centre's PBX puts the real caller there and its own trunk in From),
// else From. Both are untrusted text from the network, so they are cleaned
// for a call list, a notification and a log line: valid UTF-8, no control or
// bidirectional-override characters, bounded length.
func callerIdentity(req *sip.Request) (number, name string) {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		// The header may list a sip: and a tel: identity; the first is used.
		value, _, _ := strings.Cut(h.Value(), ",")
		var uri sip.Uri
		params := sip.NewParams()
		if display, err := sip.ParseAddressValue(strings.TrimSpace(value), &uri, &params); err == nil {
			number, name = uriUser(uri), display
		}
	}
	if f := req.From(); f != nil {
		if number == "" {
			number = uriUser(f.Address)
		}
		if name == "" {
			name = f.DisplayName
		}
	}
	return cleanText(number, maxNumberLen), cleanText(name, maxNameLen)
}

// Headers the platform's proxy puts on a service call it routes to an
// agent (the lab's choice of names, lab/API.md): the queue the caller
// waited in and when they arrived there. The proxy removes them from what
// callers send, so they are the platform's word, but still network text.
const (
	HeaderQueueID      = "X-Queue-Id"
	HeaderQueueName    = "X-Queue-Name"
	HeaderQueueArrival = "X-Queue-Arrival"
)

// Call data headers (the lab's choice of names, lab/API.md): the user data
// a transfer carries to its target (the reference's setUserData), and the
// platform's extra data of a call (strong authentication by an IVR),
// form-encoded keyword=value pairs.
const (
	HeaderUserData  = "X-User-Data"
	HeaderCallExtra = "X-Call-Extra"
	// HeaderSupervisionTarget marks the platform's call that lets a
	// supervisor listen to the named user's calls.
	HeaderSupervisionTarget = "X-Supervision-Target"
)

// HeaderPlatformCallID carries the platform's own id of a call to the
// phone (the reference's callId, "given by FreeSwitch"; the lab's choice of
// name, lab/API.md). The platform's proxy sets it and removes any a caller
// sent.
const HeaderPlatformCallID = "X-Platform-Call-Id"

// maxCallIDLen bounds a call id taken from the network.
const maxCallIDLen = 64

// platformCallID is the request's X-Platform-Call-Id when it is a plain
// token (letters, digits, '-', '_', '.'; at most 64): the id is shown to
// hosts and used as a map key and in URLs, so anything else is dropped.
func platformCallID(req *sip.Request) string {
	h := req.GetHeader(HeaderPlatformCallID)
	if h == nil {
		return ""
	}
	v := h.Value()
	if !ValidCallID(v) {
		return ""
	}
	return v
}

// ValidCallID says whether id is a plain token a call can be known by.
func ValidCallID(id string) bool {
	if id == "" || len(id) > maxCallIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// maxDataHeader bounds a data header's value.
const maxDataHeader = 2048

func dataHeader(req *sip.Request, name string) string {
	h := req.GetHeader(name)
	if h == nil || len(h.Value()) > maxDataHeader {
		return ""
	}
	return h.Value()
}

// Headers an agent's outbound service call carries to the proxy, which
// checks them (queue membership, the CLI granted, the callback request).
const (
	HeaderOutboundQueue           = "X-Outbound-Queue-Id"
	HeaderOutboundCallbackList    = "X-Outbound-Callback-List-Id"
	HeaderOutboundCallbackRequest = "X-Outbound-Callback-Request-Id"
	HeaderOutboundCLI             = "X-Outbound-CLI"
)

// Queue is the service-call information of an incoming call; empty for a
// personal call.
type Queue struct {
	ID, Name string
	// Arrival is the UTC time the caller entered the queue, RFC 3339.
	Arrival string
	// WrapUp is the queue's wrap-up time in seconds, or "".
	WrapUp string
}

// HeaderQueueWrapUp carries a service queue's wrap-up time in seconds (the
// reference's wrapUpDuration; the lab's choice of name): on the INVITE of a
// call to a queue, and on the 200 OK of an agent's call for a queue.
const HeaderQueueWrapUp = "X-Queue-Wrap-Up"

// maxWrapUpDigits bounds the wrap-up time (99999 s is over a day).
const maxWrapUpDigits = 5

// wrapUpOf is a message's wrap-up time when it is a plain number of
// seconds, else "".
func wrapUpOf(m interface{ GetHeader(string) sip.Header }) string {
	h := m.GetHeader(HeaderQueueWrapUp)
	if h == nil {
		return ""
	}
	v := strings.TrimSpace(h.Value())
	if v == "" || len(v) > maxWrapUpDigits {
		return ""
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return ""
		}
	}
	n, _ := strconv.Atoi(v)
	if n == 0 {
		return "" // no wrap-up
	}
	return strconv.Itoa(n)
}

const maxQueueField = 128

func queueOf(req *sip.Request) Queue {
	get := func(name string) string {
		if h := req.GetHeader(name); h != nil {
			return cleanText(h.Value(), maxQueueField)
		}
		return ""
	}
	q := Queue{ID: get(HeaderQueueID), Name: get(HeaderQueueName), Arrival: get(HeaderQueueArrival), WrapUp: wrapUpOf(req)}
	if q.ID == "" {
		return Queue{}
	}
	return q
}

// uriUser is the user part of a sip: URI, or the number of a tel: URI
// (which sipgo keeps whole), percent-decoded.
func uriUser(u sip.Uri) string {
	user := u.User
	if strings.EqualFold(u.Scheme, "tel") {
		_, user, _ = strings.Cut(u.String(), ":")
		user, _, _ = strings.Cut(user, ";")
	}
	if dec, err := url.PathUnescape(user); err == nil {
		user = dec
	}
	return user
}

// cleanText makes untrusted header text safe to display.
func cleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == limit {
			break
		}
		switch {
		case unicode.IsControl(r), isBidiControl(r), r == utf8.RuneError:
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// isBidiControl reports the characters that reorder text around them: a
// caller name carrying them could make a notification read differently.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}
