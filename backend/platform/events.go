package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// The platform's real-time event channel: the discovery answer's
// rteEndpoint, a WebSocket on which the platform tells a signed-in user of
// changes to their availability and role made anywhere (the protocol is the
// lab's choice where the public documents are silent: lab/API.md).

// Event is one message of the channel.
type Event struct {
	// Type is EventUserStatus or EventUserRole; others are ignored.
	Type   string          `json:"Type"`
	UserID string          `json:"UserId"`
	Data   json.RawMessage `json:"Data"`
}

// Event types.
const (
	EventUserStatus = "UserStatus"
	EventUserRole   = "UserRole"
)

// ErrNoEventChannel says the platform offers no event channel to this
// session (its discovery answer had no usable rteEndpoint).
var ErrNoEventChannel = errors.New("the platform offers no event channel")

// eventSilence is how long the channel may stay silent (no event, no
// ping) before it is taken as lost: the server pings every 25 s.
const eventSilence = 80 * time.Second

// maxEvent bounds one message.
const maxEvent = 64 << 10

// FollowEvents opens the session's event channel and calls fn with each
// event, on this goroutine, until the channel is lost (it returns the
// error) or ctx ends (it returns nil). open, when set, runs once the
// channel is open: what changed before it was open must be read anew.
func (c *Client) FollowEvents(ctx context.Context, s *Session, open func(), fn func(Event)) error {
	if s == nil {
		return errors.New("not logged in")
	}
	target, err := eventsURL(s.EventsEndpoint)
	if err != nil {
		return err
	}
	auth, err := s.authorization()
	if err != nil {
		return err
	}
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, res, err := dialer.DialContext(ctx, target, http.Header{"Authorization": {auth}})
	if res != nil && res.Body != nil {
		_ = res.Body.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if res != nil && res.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("open the event channel: %w", ErrDenied)
		}
		return fmt.Errorf("open the event channel: %w", err)
	}
	// The read below ends when ctx does: closing the connection wakes it.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer func() { _ = conn.Close() }()
	conn.SetReadLimit(maxEvent)
	alive := func() { _ = conn.SetReadDeadline(time.Now().Add(eventSilence)) }
	alive()
	conn.SetPingHandler(func(data string) error {
		alive()
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
	})
	if open != nil {
		open()
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("the event channel closed: %w", err)
		}
		alive()
		var ev Event
		if err := json.Unmarshal(msg, &ev); err != nil || ev.Type == "" {
			continue // not an event this client knows: skipped, not fatal
		}
		fn(ev)
	}
}

func eventsURL(raw string) (string, error) {
	if raw == "" {
		return "", ErrNoEventChannel
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", fmt.Errorf("%w: rteEndpoint %q is not a ws: or wss: URL", ErrNoEventChannel, raw)
	}
	return raw, nil
}
