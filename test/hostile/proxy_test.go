package hostile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/gorilla/websocket"
)

// proxy stands where the platform's SIP proxy stands: the phone's SIP
// WebSocket connects to it, it registers the phone (200 OK to every
// request the phone sends) and sends the phone whatever a test writes,
// however broken: Kamailio would have cleaned it, this does not.
type proxy struct {
	t      *testing.T
	srv    *httptest.Server
	parser *sip.Parser

	mu      sync.Mutex
	conn    *websocket.Conn
	conns   int // connections the phone opened (1: it never lost one)
	writeMu sync.Mutex
	// responses: the phone's answers to what was sent, in order.
	responses chan *sip.Response
	// requests: what the phone sent on its own (REGISTER, BYE...).
	requests chan *sip.Request
}

func newProxy(t *testing.T) *proxy {
	p := &proxy{t: t, parser: sip.NewParser(), responses: make(chan *sip.Response, 256), requests: make(chan *sip.Request, 256)}
	up := websocket.Upgrader{Subprotocols: []string{"sip"}, CheckOrigin: func(*http.Request) bool { return true }}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c.SetReadLimit(4 << 20)
		p.mu.Lock()
		p.conn = c
		p.conns++
		p.mu.Unlock()
		p.read(c)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// url is the WebSocket URL the platform gives the phone.
func (p *proxy) url() string { return "ws" + strings.TrimPrefix(p.srv.URL, "http") + "/" }

func (p *proxy) read(c *websocket.Conn) {
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		msg, err := p.parser.ParseSIP(data)
		if err != nil {
			p.t.Errorf("the phone sent what does not parse: %v\n%s", err, data)
			continue
		}
		switch m := msg.(type) {
		case *sip.Response:
			p.responses <- m
		case *sip.Request:
			if m.IsAck() {
				continue
			}
			res := sip.NewResponseFromRequest(m, 200, "OK", nil)
			if m.Method == sip.REGISTER {
				if c := m.Contact(); c != nil {
					res.AppendHeader(c.Clone())
				}
				res.AppendHeader(sip.NewHeader("Expires", "300"))
			}
			if to := res.To(); to != nil && !to.Params.Has("tag") {
				to.Params.Add("tag", "proxy")
			}
			p.send(res.String())
			select {
			case p.requests <- m:
			default:
			}
		}
	}
}

// send writes one WebSocket text frame to the phone.
func (p *proxy) send(raw string) {
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c == nil {
		p.t.Fatal("the phone is not connected")
	}
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	if err := c.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
		p.t.Errorf("send to the phone: %v", err)
	}
}

func (p *proxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// drain forgets answers left from earlier messages.
func (p *proxy) drain() {
	for {
		select {
		case <-p.responses:
		default:
			return
		}
	}
}

var errNoAnswer = errors.New("no answer")

// final waits for the phone's final answer in the call callID, returning
// the provisional ones seen before it.
func (p *proxy) final(ctx context.Context, callID string, within time.Duration) (*sip.Response, []int, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var prov []int
	for {
		select {
		case r := <-p.responses:
			if id := r.CallID(); id == nil || id.Value() != callID {
				continue
			}
			if r.StatusCode < 200 {
				prov = append(prov, r.StatusCode)
				continue
			}
			return r, prov, nil
		case <-ctx.Done():
			return nil, prov, fmt.Errorf("%w within %v (provisional: %v)", errNoAnswer, within, prov)
		}
	}
}
