package apiserver

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The platform's real-time event channel (the discovery answer's
// rteEndpoint; its protocol is the lab's choice, lab/API.md): a WebSocket
// on which a signed-in user hears of changes to their own availability and
// role, whoever made them (another phone, the platform's UI, a supervisor),
// so that the phone need not poll for them.

// RTEEvent is one message of the channel.
type RTEEvent struct {
	// Type is "UserStatus" (Data: PublicUserStatusInterface) or "UserRole"
	// (Data: PublicUserRoleInterface with SelectedNumber).
	Type   string `json:"Type"`
	UserID string `json:"UserId"`
	Data   any    `json:"Data"`
}

// Event types.
const (
	RTEUserStatus = "UserStatus"
	RTEUserRole   = "UserRole"
)

// rtePing is how often the server pings an idle channel (a client that
// heard nothing for three times as long may take it as lost).
const rtePing = 25 * time.Second

// rteBuffer is how many events wait for a slow client; past that it is cut
// off (it reconnects and reads the current state again).
const rteBuffer = 16

// rteHub holds each user's open channels.
type rteHub struct {
	mu     sync.Mutex
	subs   map[string]map[chan RTEEvent]struct{}
	closed bool
}

func (h *rteHub) subscribe(userID string) (chan RTEEvent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	if h.subs == nil {
		h.subs = map[string]map[chan RTEEvent]struct{}{}
	}
	if h.subs[userID] == nil {
		h.subs[userID] = map[chan RTEEvent]struct{}{}
	}
	ch := make(chan RTEEvent, rteBuffer)
	h.subs[userID][ch] = struct{}{}
	return ch, true
}

func (h *rteHub) unsubscribe(userID string, ch chan RTEEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[userID][ch]; ok {
		delete(h.subs[userID], ch)
		close(ch)
	}
}

// publish sends ev to every channel of its user; a channel whose buffer is
// full is closed (its client is cut off) rather than waited for.
func (h *rteHub) publish(ev RTEEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[ev.UserID] {
		select {
		case ch <- ev:
		default:
			delete(h.subs[ev.UserID], ch)
			close(ch)
		}
	}
}

// publishAll sends ev to every open channel, whoever's (the directory's
// ColleagueStatus), cutting off a full one as publish does.
func (h *rteHub) publishAll(ev RTEEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for user, subs := range h.subs {
		for ch := range subs {
			select {
			case ch <- ev:
			default:
				delete(h.subs[user], ch)
				close(ch)
			}
		}
	}
}

// any says whether a channel is open.
func (h *rteHub) any() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.subs {
		if len(subs) > 0 {
			return true
		}
	}
	return false
}

// close ends every channel (the server stops).
func (h *rteHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, subs := range h.subs {
		for ch := range subs {
			close(ch)
		}
	}
	h.subs = nil
}

var rteUpgrader = websocket.Upgrader{
	HandshakeTimeout: 10 * time.Second,
	// Native clients send no Origin; a page on another origin must not
	// open a channel with a user's credentials (the lab has no page of
	// its own that uses it).
	CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
}

// rte is GET /rte/: the caller's event channel.
func (s *Server) rte(w http.ResponseWriter, r *http.Request, me storedUser) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, "The event channel is a WebSocket.")
		return
	}
	ch, ok := s.events.subscribe(me.ID)
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "The server is stopping.")
		return
	}
	conn, err := rteUpgrader.Upgrade(w, r, nil)
	if err != nil {
		s.events.unsubscribe(me.ID, ch)
		return // the upgrader answered the client
	}
	s.log.Info("event channel open", "user", me.Username)
	defer func() { _ = conn.Close() }()
	defer s.events.unsubscribe(me.ID, ch)
	// The reader notices the client leaving (and answers its pings).
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		conn.SetReadLimit(1 << 10)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(rtePing)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(time.Second))
				return
			}
			b, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
				return
			}
		case <-gone:
			return
		}
	}
}

// Close ends the open event channels and the directory's watch of the
// calls.
func (s *Server) Close() {
	s.events.close()
	if s.dir.cancel != nil {
		s.dir.cancel()
		<-s.dir.done
	}
}
