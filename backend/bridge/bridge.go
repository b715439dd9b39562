// Package bridge serves the phone's surface outside the app's window:
// JSON-RPC 2.0 over a WebSocket on loopback, token-protected, with the
// phone's events as notifications, and the UI's own files, so that the
// element runs in an ordinary browser against the same Go backend (the UI
// tests) and other programs can drive the phone (integrations).
//
// The methods are those of Go values (the app's Wails-bound surfaces),
// found by reflection as Wails finds them: the same names, positional
// arguments and results on both transports. Two surfaces, served fail-closed:
// every connection gets Methods (the phone: what an integration may do);
// only the bridge's own page (the UI in browser mode, Origin the bridge's
// own address) gets Own too (the window's settings of this machine). A
// method added to neither is served to nobody; one added to Own never
// reaches a CRM page, whatever its name.
package bridge

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Config configures a Server.
type Config struct {
	// Addr is where to listen; its host must be a loopback address
	// ("127.0.0.1:0" picks a free port).
	Addr string
	// Token is required on every connection (?token= or "Authorization:
	// Bearer"); at least 16 characters.
	Token string
	// Origins are the browser origins (scheme://host:port) allowed besides
	// the bridge's own; a connection without an Origin header is a program,
	// not a page, and needs only the token.
	Origins []string
	// Methods is the phone surface: its exported methods are served to
	// every connection holding the token.
	Methods any
	// Own, when set, is the window surface: its exported methods are
	// served only to the bridge's own page (Origin "http://" + the
	// bridge's address), never to other origins or to programs without
	// an Origin. A browser cannot forge Origin, so no web page but the
	// bridge's own reaches them; a local program that forges it already
	// holds the token and runs as the user.
	Own any
	// ErrorData, when set, gives a method's rejection its JSON-RPC error
	// data (the phone's stable error code, so that clients match codes
	// rather than English).
	ErrorData func(error) any
	// Files, when set, are served at / (the UI, for browser mode).
	Files fs.FS
	// EventMethod names the notification carrying each event.
	EventMethod string
	// Greeting, when set, is the event each connection gets first (the
	// reference's init: the phone is up and its methods may be called).
	Greeting string
	Log      *slog.Logger
}

// Server is a running bridge.
type Server struct {
	cfg      Config
	methods  *methodSet // the phone surface, for every connection
	own      *methodSet // with the window surface, for the bridge's own page
	ln       net.Listener
	http     *http.Server
	upgrader websocket.Upgrader

	// hosts are the Host headers a request may carry: the loopback
	// address listened on, by number or as localhost.
	hosts map[string]bool

	mu      sync.Mutex
	clients map[*client]struct{}
	conns   int // connections open or being opened (maxClients)
	closed  bool
	wg      sync.WaitGroup // the clients' goroutines
}

// Limits per connection.
const (
	maxMessage  = 1 << 20 // bytes of one request
	maxInFlight = 32      // requests being answered at once
	eventQueue  = 256     // events waiting to be written
	writeWait   = 5 * time.Second
	// maxClients: connections at once. The phone has one window and a few
	// integrations; a program opening a thousand gets 503 beyond this
	// rather than a goroutine pair and 8 KB of buffers each.
	maxClients = 64
)

// The WebSocket close a client that fell behind its events gets: it
// reconnects and reads the state again (RFC 6455 7.4.1: policy violation).
const (
	closeTooSlow       = websocket.ClosePolicyViolation
	closeTooSlowReason = "too slow for the events: reconnect and read the state"
)

// Listen checks the configuration, binds the address and returns the
// server; Serve runs it.
func Listen(cfg Config) (*Server, error) {
	if len(cfg.Token) < 16 {
		return nil, errors.New("bridge: the token must be at least 16 characters")
	}
	if cfg.Methods == nil {
		return nil, errors.New("bridge: no methods to serve")
	}
	if cfg.EventMethod == "" {
		cfg.EventMethod = "event"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("bridge: address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("bridge: address %q is not a loopback address; the bridge is for this machine only", cfg.Addr)
	}
	for _, o := range cfg.Origins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return nil, fmt.Errorf("bridge: origin %q: want scheme://host[:port]", o)
		}
	}
	ms, err := newMethodSet(cfg.Methods)
	if err != nil {
		return nil, err
	}
	ms.errData = cfg.ErrorData
	own := ms
	if cfg.Own != nil {
		if own, err = ms.with(cfg.Own); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("bridge: listen on %s: %w", cfg.Addr, err)
	}
	s := &Server{cfg: cfg, methods: ms, own: own, ln: ln, clients: map[*client]struct{}{}}
	s.upgrader = websocket.Upgrader{CheckOrigin: s.originAllowed, ReadBufferSize: 4096, WriteBufferSize: 4096}
	mux := http.NewServeMux()
	mux.HandleFunc("/rpc", s.serveRPC)
	if cfg.Files != nil {
		mux.Handle("/", securityHeaders(http.FileServerFS(cfg.Files)))
	}
	s.hosts = loopbackHosts(ln.Addr().(*net.TCPAddr))
	s.http = &http.Server{Handler: s.hostChecked(mux), ReadHeaderTimeout: 5 * time.Second}
	return s, nil
}

// Addr is the address listened on (with the port picked).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers until ctx ends, then closes every connection and returns.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		s.shutdown()
		return fmt.Errorf("bridge: serve: %w", err)
	case <-ctx.Done():
	}
	s.shutdown()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		s.cfg.Log.Warn("bridge: serve after shutdown", "error", err)
	}
	return nil
}

func (s *Server) shutdown() {
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.http.Shutdown(sctx) // hijacked WebSockets are not closed by this
	s.mu.Lock()
	s.closed = true
	for c := range s.clients {
		c.close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Emit sends an event to every connection as a notification. A connection
// too slow to take its events is closed (its client reconnects and reads
// the state again) rather than let it miss some silently.
func (s *Server) Emit(name string, detail any) {
	msg, err := json.Marshal(notification{JSONRPC: "2.0", Method: s.cfg.EventMethod, Params: event{Name: name, Detail: detail}})
	if err != nil {
		s.cfg.Log.Warn("bridge: encode event", "event", name, "error", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		select {
		case c.events <- msg:
		default:
			s.cfg.Log.Warn("bridge: a client does not keep up with events; closing it", "remote", c.remote, "queued", eventQueue)
			c.closeWith(closeTooSlow, closeTooSlowReason)
			// Out of the list at once: its read loop may take a while to
			// end, and each event meanwhile logged the line again.
			delete(s.clients, c)
		}
	}
}

// Clients is the number of open connections.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *Server) authorized(r *http.Request) bool {
	tok := r.URL.Query().Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) == 1
}

// originAllowed: no Origin (a program), the bridge's own page, or one of
// the configured origins.
func (s *Server) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if ownPage(r) {
		return true
	}
	for _, a := range s.cfg.Origins {
		if strings.EqualFold(o, a) {
			return true
		}
	}
	return false
}

// loopbackHosts are the names of the address a: its own, and localhost's
// when it is the loopback address localhost names.
func loopbackHosts(a *net.TCPAddr) map[string]bool {
	port := fmt.Sprint(a.Port)
	hosts := map[string]bool{net.JoinHostPort(a.IP.String(), port): true}
	if a.IP.Equal(net.IPv4(127, 0, 0, 1)) || a.IP.Equal(net.IPv6loopback) {
		hosts[net.JoinHostPort("localhost", port)] = true
	}
	return hosts
}

// hostChecked refuses a request whose Host is not the bridge's address
// (421), for the WebSocket and the UI's files alike. A page on a name the
// attacker controls can point that name at 127.0.0.1 (DNS rebinding):
// the browser then sends its requests here with Host and Origin both that
// name, so the Origin check alone takes it for the bridge's own page.
func (s *Server) hostChecked(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts[strings.ToLower(r.Host)] {
			s.cfg.Log.Warn("bridge: request refused: Host is not the bridge's address (DNS rebinding?)", "remote", r.RemoteAddr, "host", cleanHost(r.Host))
			httpError(w, http.StatusMisdirectedRequest, "Host is not the bridge's address")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// cleanHost is a Host header fit for a log line.
func cleanHost(h string) string {
	if len(h) > 100 {
		h = h[:100]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, h)
}

// ownPage: the connection comes from the page the bridge itself served.
func ownPage(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Origin"), "http://"+r.Host)
}

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.cfg.Log.Warn("bridge: connection refused: missing or wrong token", "remote", r.RemoteAddr)
		httpError(w, http.StatusUnauthorized, "missing or wrong token")
		return
	}
	if !s.originAllowed(r) {
		s.cfg.Log.Warn("bridge: connection refused: origin not allowed", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"))
		httpError(w, http.StatusForbidden, "origin not allowed")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		httpError(w, http.StatusBadRequest, "a WebSocket upgrade is expected here")
		return
	}
	// The slot is taken before the upgrade, under the lock, so that
	// connections opened together cannot all pass; readLoop gives it back.
	s.mu.Lock()
	full := s.conns >= maxClients
	if !full {
		s.conns++
	}
	s.mu.Unlock()
	if full {
		s.cfg.Log.Warn("bridge: connection refused: too many connections", "remote", r.RemoteAddr, "max", maxClients)
		httpError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many connections (at most %d)", maxClients))
		return
	}
	release := func() { s.mu.Lock(); s.conns--; s.mu.Unlock() }
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		release()
		return // the upgrader has answered
	}
	conn.SetReadLimit(maxMessage)
	methods := s.methods
	if ownPage(r) {
		methods = s.own
	}
	c := &client{conn: conn, methods: methods, remote: r.RemoteAddr, events: make(chan []byte, eventQueue), done: make(chan struct{}), slots: make(chan struct{}, maxInFlight)}
	if s.cfg.Greeting != "" {
		if msg, err := json.Marshal(notification{JSONRPC: "2.0", Method: s.cfg.EventMethod, Params: event{Name: s.cfg.Greeting}}); err == nil {
			c.events <- msg // first in its queue, ahead of every event
		}
	}
	s.mu.Lock()
	if s.closed {
		s.conns--
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	s.clients[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	go s.writeLoop(c)
	go s.readLoop(c)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// securityHeaders is the UI's Content-Security-Policy in browser mode, the
// same as index.html's for the window.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://"+r.Host+"; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// client is one connection: its read loop owns the requests it starts,
// its write loop is the only writer and closes the connection.
type client struct {
	conn    *websocket.Conn
	methods *methodSet // what this connection may call
	remote  string
	events  chan []byte
	slots   chan struct{}
	done    chan struct{}
	once    sync.Once
	// why is the close frame's code and reason (set before done closes).
	code int
	why  string
}

func (c *client) close() { c.closeWith(websocket.CloseGoingAway, "") }

func (c *client) closeWith(code int, why string) {
	c.once.Do(func() {
		c.code, c.why = code, why
		close(c.done)
	})
}

func (s *Server) readLoop(c *client) {
	defer s.wg.Done()
	var calls sync.WaitGroup
	defer func() {
		c.close()
		calls.Wait()
		s.mu.Lock()
		delete(s.clients, c)
		s.conns--
		s.mu.Unlock()
	}()
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		if kind != websocket.TextMessage {
			c.reply(errorReply(nil, codeInvalidRequest, "requests are JSON text messages"))
			continue
		}
		select {
		case c.slots <- struct{}{}:
		case <-c.done:
			return
		}
		calls.Add(1)
		go func() {
			defer calls.Done()
			defer func() { <-c.slots }()
			if out := c.methods.handle(data, s.cfg.Log); out != nil {
				c.reply(out)
			}
		}()
	}
}

// reply queues an answer; answers share the events' queue, so they keep
// their order with the events sent before them.
func (c *client) reply(msg []byte) {
	select {
	case c.events <- msg:
	case <-c.done:
	}
}

func (s *Server) writeLoop(c *client) {
	defer s.wg.Done()
	defer c.close()
	for {
		select {
		case <-c.done:
			// Closing the connection also ends readLoop's ReadMessage.
			_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.code, c.why), time.Now().Add(time.Second))
			_ = c.conn.Close()
			return
		case msg := <-c.events:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				_ = c.conn.Close()
				return
			}
		}
	}
}
