// Package ngproto speaks rtpengine's control protocol ("ng"): a bencoded
// dictionary behind a random cookie, over UDP. The lab's API server uses it
// to start and stop call recording in rtpengine.
//
// The bencode codec is written here because no bencode module is served to
// this project; the ng protocol needs only strings, integers, lists and
// dictionaries, and the decoder bounds what it accepts.
package ngproto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Client sends ng commands to one rtpengine.
type Client struct {
	Addr    string        // host:port of rtpengine's --listen-ng
	Timeout time.Duration // default 2 s
}

// Command sends command with args and returns rtpengine's answer
// dictionary. An answer whose result is "error" comes back as an error
// with rtpengine's reason.
func (c Client) Command(ctx context.Context, command string, args map[string]any) (map[string]any, error) {
	msg := map[string]any{"command": command}
	for k, v := range args {
		msg[k] = v
	}
	body, err := Encode(msg)
	if err != nil {
		return nil, fmt.Errorf("ng %s: %w", command, err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("ng %s: %w", command, err)
	}
	defer func() { _ = conn.Close() }()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cookie := hex.EncodeToString(b)
	if _, err := conn.Write(append([]byte(cookie+" "), body...)); err != nil {
		return nil, fmt.Errorf("ng %s: send: %w", command, err)
	}
	buf := make([]byte, 65536)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, fmt.Errorf("ng %s: read the answer: %w", command, err)
		}
		got, rest, ok := strings.Cut(string(buf[:n]), " ")
		if !ok || got != cookie {
			continue // an answer to someone else's (or an old) request
		}
		v, err := Decode([]byte(rest))
		if err != nil {
			return nil, fmt.Errorf("ng %s: %w", command, err)
		}
		answer, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("ng %s: the answer is not a dictionary", command)
		}
		if answer["result"] == "error" {
			reason, _ := answer["error-reason"].(string)
			return answer, fmt.Errorf("ng %s: %w: %s", command, ErrRefused, reason)
		}
		return answer, nil
	}
}

// ErrRefused is an answer with result "error".
var ErrRefused = errors.New("rtpengine refused the command")

// Encode bencodes v: a string, an int, a []string, a []any or a
// map[string]any of those.
func Encode(v any) ([]byte, error) {
	var b strings.Builder
	if err := encode(&b, v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func encode(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case string:
		b.WriteString(strconv.Itoa(len(x)) + ":" + x)
	case int:
		b.WriteString("i" + strconv.Itoa(x) + "e")
	case []string:
		b.WriteByte('l')
		for _, s := range x {
			b.WriteString(strconv.Itoa(len(s)) + ":" + s)
		}
		b.WriteByte('e')
	case []any:
		b.WriteByte('l')
		for _, e := range x {
			if err := encode(b, e); err != nil {
				return err
			}
		}
		b.WriteByte('e')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // bencode wants sorted keys
		b.WriteByte('d')
		for _, k := range keys {
			b.WriteString(strconv.Itoa(len(k)) + ":" + k)
			if err := encode(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('e')
	default:
		return fmt.Errorf("bencode: cannot encode %T", v)
	}
	return nil
}

// maxDepth bounds nesting in what Decode accepts.
const maxDepth = 32

// Decode reads one bencoded value: string, int, []any or map[string]any.
func Decode(data []byte) (any, error) {
	v, rest, err := decode(data, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("bencode: trailing data")
	}
	return v, nil
}

func decode(d []byte, depth int) (any, []byte, error) {
	if len(d) == 0 {
		return nil, nil, errors.New("bencode: unexpected end")
	}
	if depth > maxDepth {
		return nil, nil, errors.New("bencode: nested too deeply")
	}
	switch c := d[0]; {
	case c == 'i':
		end := indexByte(d, 'e')
		if end < 0 {
			return nil, nil, errors.New("bencode: unterminated integer")
		}
		n, err := strconv.Atoi(string(d[1:end]))
		if err != nil {
			return nil, nil, fmt.Errorf("bencode: bad integer: %w", err)
		}
		return n, d[end+1:], nil
	case c == 'l':
		var out []any
		d = d[1:]
		for len(d) > 0 && d[0] != 'e' {
			v, rest, err := decode(d, depth+1)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, v)
			d = rest
		}
		if len(d) == 0 {
			return nil, nil, errors.New("bencode: unterminated list")
		}
		return out, d[1:], nil
	case c == 'd':
		out := map[string]any{}
		d = d[1:]
		for len(d) > 0 && d[0] != 'e' {
			k, rest, err := decode(d, depth+1)
			if err != nil {
				return nil, nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, nil, errors.New("bencode: a dictionary key is not a string")
			}
			v, rest, err := decode(rest, depth+1)
			if err != nil {
				return nil, nil, err
			}
			out[key] = v
			d = rest
		}
		if len(d) == 0 {
			return nil, nil, errors.New("bencode: unterminated dictionary")
		}
		return out, d[1:], nil
	case c >= '0' && c <= '9':
		colon := indexByte(d, ':')
		if colon < 0 {
			return nil, nil, errors.New("bencode: string without length")
		}
		n, err := strconv.Atoi(string(d[:colon]))
		if err != nil || n < 0 || n > len(d)-colon-1 {
			return nil, nil, errors.New("bencode: bad string length")
		}
		return string(d[colon+1 : colon+1+n]), d[colon+1+n:], nil
	}
	return nil, nil, fmt.Errorf("bencode: unexpected %q", d[0])
}

func indexByte(d []byte, c byte) int {
	for i, x := range d {
		if x == c {
			return i
		}
	}
	return -1
}
