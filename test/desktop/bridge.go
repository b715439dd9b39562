package desktop

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Bridge is a minimal JSON-RPC 2.0 client of the app's bridge (what its UI
// does through Wails), for tests and benchmarks.
type Bridge struct {
	conn *websocket.Conn
	next int
	// Events are the phone events received while waiting for answers, and
	// Details their payloads, in the same order.
	Events  []string
	Details []json.RawMessage
}

// event is a phone-event notification's params.
type event struct {
	Name   string          `json:"name"`
	Detail json.RawMessage `json:"detail"`
}

func (c *Bridge) note(params json.RawMessage) string {
	var ev event
	_ = json.Unmarshal(params, &ev)
	c.Events = append(c.Events, ev.Name)
	c.Details = append(c.Details, ev.Detail)
	return ev.Name
}

// Detail is the payload of the last event name received, or nil.
func (c *Bridge) Detail(name string) json.RawMessage {
	for i := len(c.Events) - 1; i >= 0; i-- {
		if c.Events[i] == name {
			return c.Details[i]
		}
	}
	return nil
}

// DialBridge connects to the bridge whose page URL (with its token) the
// app printed ("bridge http://127.0.0.1:PORT/?token=..."), as the app's own
// page (the UI in browser mode): its origin is the bridge's, which reaches
// the window surface (settings) as well as the phone.
func DialBridge(ctx context.Context, pageURL string) (*Bridge, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("the bridge's page URL %q: %w", pageURL, err)
	}
	return DialBridgeFrom(ctx, pageURL, "http://"+u.Host)
}

// DialBridgeFrom connects as a page of origin (a CRM's; "" for a program),
// which reaches the phone surface only.
func DialBridgeFrom(ctx context.Context, pageURL, origin string) (*Bridge, error) {
	ws := strings.Replace(strings.Replace(pageURL, "http://", "ws://", 1), "/?token=", "/rpc?token=", 1)
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, ws, h)
	if err != nil {
		return nil, fmt.Errorf("connect to the app's bridge: %w", err)
	}
	return &Bridge{conn: conn}, nil
}

// WaitEvent reads until the phone event name arrives (or was already
// received), for at most d.
func (c *Bridge) WaitEvent(name string, d time.Duration) error {
	return c.WaitEventSince(name, 0, d)
}

// WaitEventSince is WaitEvent counting only the events from the since-th
// received on (len(Events) before an action: an event the action caused,
// even one that came with its answer).
func (c *Bridge) WaitEventSince(name string, since int, d time.Duration) error {
	for _, e := range c.Events[min(since, len(c.Events)):] {
		if e == name {
			return nil
		}
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	for {
		var msg struct {
			Params json.RawMessage `json:"params"`
		}
		if err := c.conn.ReadJSON(&msg); err != nil {
			return fmt.Errorf("waiting for %s (received %v): %w", name, c.Events, err)
		}
		if c.note(msg.Params) == name {
			return nil
		}
	}
}

// Close ends the connection.
func (c *Bridge) Close() { _ = c.conn.Close() }

// Call sends one request and waits for its answer, noting the events that
// arrive meanwhile.
func (c *Bridge) Call(method string, params ...any) (json.RawMessage, error) {
	c.next++
	id := c.next
	if err := c.conn.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var msg struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int             `json:"code"`
				Message string          `json:"message"`
				Data    json.RawMessage `json:"data"`
			} `json:"error"`
		}
		if err := c.conn.ReadJSON(&msg); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		if msg.ID == nil || *msg.ID != id {
			c.note(msg.Params)
			continue
		}
		if msg.Error != nil {
			return nil, &RPCError{Method: method, Code: msg.Error.Code, Message: msg.Error.Message, Data: msg.Error.Data}
		}
		return msg.Result, nil
	}
}

// RPCError is a JSON-RPC error answer.
type RPCError struct {
	Method  string
	Code    int
	Message string
	Data    json.RawMessage
}

func (e *RPCError) Error() string { return fmt.Sprintf("%s: %s", e.Method, e.Message) }

// BridgeURL is the page URL an app started with --bridge prints on its
// standard output ("bridge http://127.0.0.1:PORT/?token=..."), read from
// stdout in the background; "" if it does not come within d.
func BridgeURL(stdout io.Reader, d time.Duration) string {
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "bridge "); ok {
				select {
				case got <- rest:
				default:
				}
			}
		}
	}()
	select {
	case u := <-got:
		return u
	case <-time.After(d):
		return ""
	}
}

// SignIn logs in with a username and password through the bridge and waits
// (up to d) until the phone is registered; it returns the last state read.
func (c *Bridge) SignIn(username, password string, d time.Duration) (loggedIn bool, connection string, err error) {
	if _, err := c.Call("login", map[string]any{"type": "Credentials", "username": username, "password": password}); err != nil {
		return false, "", fmt.Errorf("login: %w", err)
	}
	var st struct {
		LoggedIn   bool   `json:"loggedIn"`
		Connection string `json:"connection"`
	}
	for deadline := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		raw, err := c.Call("state")
		if err != nil {
			return false, "", err
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return false, "", fmt.Errorf("state: %w", err)
		}
		if st.LoggedIn && st.Connection == "registered" {
			return true, st.Connection, nil
		}
		if time.Now().After(deadline) {
			return st.LoggedIn, st.Connection, fmt.Errorf("not registered within %v: %+v", d, st)
		}
	}
}
