package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
)

type options struct {
	Name string `json:"name"`
}

// surface stands for the app's phone surface.
type surface struct{}

// window stands for the window surface (Config.Own): the bridge's own page
// reaches it, no other origin and no program.
type window struct{}

func (window) WindowOnly() string { return "secret" }

func (surface) Hello(o options) (string, error) {
	if o.Name == "" {
		return "", errors.New("Name is missing")
	}
	return "hello " + o.Name, nil
}
func (surface) Add(a, b int) int        { return a + b }
func (surface) Nothing()                {}
func (surface) Fails() error            { return errors.New("Not logged in") }
func (surface) Panics() (string, error) { panic("boom") }
func (surface) Optional(s string, p *options) string {
	if p == nil {
		return s + ":none"
	}
	return s + ":" + p.Name
}

const token = "0123456789abcdef0123"

func start(t *testing.T, origins ...string) *Server {
	t.Helper()
	return serve(t, Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{}, Own: window{}, Origins: origins, EventMethod: "phone-event",
		Files: fstest.MapFS{"index.html": {Data: []byte("<p>ui</p>")}}})
}

// serve runs a bridge with cfg until the test ends.
func serve(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return s
}

func dial(t *testing.T, s *Server, query string, header http.Header) (*websocket.Conn, int) {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+s.Addr()+"/rpc"+query, header)
	if err != nil {
		if resp == nil {
			t.Fatal(err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { c.Close() })
	return c, http.StatusSwitchingProtocols
}

func TestConnectionsRefused(t *testing.T) {
	s := start(t, "http://crm.example:8080")
	own := "http://" + s.Addr()
	cases := []struct {
		name   string
		query  string
		header http.Header
		want   int
	}{
		{"no token", "", nil, http.StatusUnauthorized},
		{"wrong token", "?token=nope", nil, http.StatusUnauthorized},
		{"token as bearer", "", http.Header{"Authorization": {"Bearer " + token}}, http.StatusSwitchingProtocols},
		{"program, no origin", "?token=" + token, nil, http.StatusSwitchingProtocols},
		{"the bridge's own page", "?token=" + token, http.Header{"Origin": {own}}, http.StatusSwitchingProtocols},
		{"an allowed origin", "?token=" + token, http.Header{"Origin": {"http://crm.example:8080"}}, http.StatusSwitchingProtocols},
		{"a foreign origin", "?token=" + token, http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden},
		{"a foreign origin without token", "", http.Header{"Origin": {"http://evil.example"}}, http.StatusUnauthorized},
		{"localhost names the bridge's address", "?token=" + token, http.Header{"Host": {"localhost:" + port(s)}}, http.StatusSwitchingProtocols},
		// DNS rebinding: the attacker's name resolves to 127.0.0.1, so Host
		// and Origin are both that name and the Origin looks like our own.
		{"a rebound name as Host and Origin", "?token=" + token, http.Header{"Host": {"evil.example:" + port(s)}, "Origin": {"http://evil.example:" + port(s)}}, http.StatusMisdirectedRequest},
		{"a rebound name as Host, a program", "?token=" + token, http.Header{"Host": {"evil.example:" + port(s)}}, http.StatusMisdirectedRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, got := dial(t, s, c.query, c.header); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
		})
	}
}

func TestListenRefuses(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"not loopback", Config{Addr: "0.0.0.0:0", Token: token, Methods: surface{}}, "not a loopback address"},
		{"a name", Config{Addr: "example.com:0", Token: token, Methods: surface{}}, "not a loopback address"},
		{"short token", Config{Addr: "127.0.0.1:0", Token: "short", Methods: surface{}}, "at least 16"},
		{"no methods", Config{Addr: "127.0.0.1:0", Token: token}, "no methods"},
		{"bad origin", Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{}, Origins: []string{"crm.example"}}, "origin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Listen(c.cfg)
			if err == nil {
				s.ln.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to say %q", err, c.want)
			}
		})
	}
}

func roundTrip(t *testing.T, c *websocket.Conn, req string) map[string]any {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("no answer to %s: %v", req, err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer %s: %v", data, err)
	}
	return out
}

func TestMethods(t *testing.T) {
	s := start(t)
	c, _ := dial(t, s, "?token="+token, nil)
	cases := []struct {
		name, req string
		result    any
		code      float64
		msg       string
	}{
		{"result", `{"jsonrpc":"2.0","id":1,"method":"hello","params":[{"name":"Ada"}]}`, "hello Ada", 0, ""},
		{"rejected as the element would", `{"jsonrpc":"2.0","id":2,"method":"hello","params":[{}]}`, nil, CodeRejected, "Name is missing"},
		{"two arguments", `{"jsonrpc":"2.0","id":3,"method":"add","params":[2,3]}`, 5.0, 0, ""},
		{"no result", `{"jsonrpc":"2.0","id":"x","method":"nothing"}`, nil, 0, ""},
		{"error only", `{"jsonrpc":"2.0","id":4,"method":"fails","params":[]}`, nil, CodeRejected, "Not logged in"},
		{"optional left out", `{"jsonrpc":"2.0","id":5,"method":"optional","params":["a"]}`, "a:none", 0, ""},
		{"optional given", `{"jsonrpc":"2.0","id":6,"method":"optional","params":["a",{"name":"b"}]}`, "a:b", 0, ""},
		{"unknown method", `{"jsonrpc":"2.0","id":7,"method":"nope"}`, nil, codeNoMethod, "method not found: nope"},
		{"the reference's names are case-sensitive: the Go spelling is unknown", `{"jsonrpc":"2.0","id":14,"method":"Add","params":[2,3]}`, nil, codeNoMethod, "method not found: Add"},
		{"the window surface, to a program", `{"jsonrpc":"2.0","id":13,"method":"windowOnly"}`, nil, codeNoMethod, "method not found: windowOnly"},
		{"wrong argument type", `{"jsonrpc":"2.0","id":8,"method":"add","params":["2",3]}`, nil, codeInvalidParams, "argument 1 of add"},
		{"too many arguments", `{"jsonrpc":"2.0","id":9,"method":"add","params":[1,2,3]}`, nil, codeInvalidParams, "takes 2 arguments, got 3"},
		{"named params", `{"jsonrpc":"2.0","id":10,"method":"add","params":{"a":1}}`, nil, codeInvalidParams, "as an array"},
		{"not JSON", `{"jsonrpc":`, nil, codeParse, "parse error"},
		{"no version", `{"id":11,"method":"add"}`, nil, codeInvalidRequest, "jsonrpc"},
		{"bad id", `{"jsonrpc":"2.0","id":{},"method":"add"}`, nil, codeInvalidRequest, "id must be"},
		{"a panic is an internal error", `{"jsonrpc":"2.0","id":12,"method":"panics"}`, nil, codeInternal, "internal error in panics"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := roundTrip(t, c, tc.req)
			if out["jsonrpc"] != "2.0" {
				t.Fatalf("answer %v has no jsonrpc 2.0", out)
			}
			if tc.code == 0 {
				if out["error"] != nil {
					t.Fatalf("error %v, want result %v", out["error"], tc.result)
				}
				if out["result"] != tc.result {
					t.Fatalf("result %#v, want %#v", out["result"], tc.result)
				}
				return
			}
			e, _ := out["error"].(map[string]any)
			if e == nil || e["code"] != tc.code || !strings.Contains(e["message"].(string), tc.msg) {
				t.Fatalf("answer %v, want error %v saying %q", out, tc.code, tc.msg)
			}
		})
	}
	// A notification (no id) gets no answer; the next request's answer is
	// the next message.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","method":"add","params":[1,1]}`)); err != nil {
		t.Fatal(err)
	}
	if out := roundTrip(t, c, `{"jsonrpc":"2.0","id":"after","method":"add","params":[1,2]}`); out["id"] != "after" {
		t.Fatalf("after a notification got %v", out)
	}
	// A batch is answered as one array.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`[{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},{"jsonrpc":"2.0","id":2,"method":"nope"}]`)); err != nil {
		t.Fatal(err)
	}
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var batch []map[string]any
	if err := json.Unmarshal(data, &batch); err != nil || len(batch) != 2 {
		t.Fatalf("batch answer %s (%v)", data, err)
	}
}

func TestEventsReachEveryClient(t *testing.T) {
	s := start(t)
	a, _ := dial(t, s, "?token="+token, nil)
	b, _ := dial(t, s, "?token="+token, nil)
	deadline := time.Now().Add(5 * time.Second)
	for s.Clients() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients, want 2", s.Clients())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Emit("call-incoming", map[string]string{"callId": "c1"})
	for _, c := range []*websocket.Conn{a, b} {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		want := `{"jsonrpc":"2.0","method":"phone-event","params":{"name":"call-incoming","detail":{"callId":"c1"}}}`
		if string(data) != want {
			t.Fatalf("got %s, want %s", data, want)
		}
	}
}

// The reference's init reaches each integration first, when it connects:
// the phone is up and its methods may be called.
func TestGreetingComesFirst(t *testing.T) {
	s := serve(t, Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{}, EventMethod: "phone-event", Greeting: "init"})
	c, _ := dial(t, s, "?token="+token, nil)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"jsonrpc":"2.0","method":"phone-event","params":{"name":"init"}}`; string(data) != want {
		t.Fatalf("first message %s, want %s", data, want)
	}
}

func TestUIFilesWithCSP(t *testing.T) {
	s := start(t)
	resp, err := http.Get("http://" + s.Addr() + "/index.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("status %d, CSP %q", resp.StatusCode, csp)
	}
	// The RPC endpoint without a WebSocket upgrade answers JSON, not HTML.
	resp, err = http.Get("http://" + s.Addr() + "/rpc?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("plain GET /rpc: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// The window surface is served to the bridge's own page only: an allowed
// CRM origin and a program (no Origin) get "method not found", fail-closed,
// and both get the phone surface.
func TestWindowSurfaceOnlyToTheOwnPage(t *testing.T) {
	s := start(t, "http://crm.example:8080")
	cases := []struct {
		name   string
		origin string
		window bool
	}{
		{"the bridge's own page", "http://" + s.Addr(), true},
		{"an allowed CRM origin", "http://crm.example:8080", false},
		{"a program, no Origin", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			c, status := dial(t, s, "?token="+token, h)
			if status != http.StatusSwitchingProtocols {
				t.Fatalf("status %d", status)
			}
			if out := roundTrip(t, c, `{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}`); out["result"] != 3.0 {
				t.Fatalf("the phone surface: %v, want 3", out)
			}
			out := roundTrip(t, c, `{"jsonrpc":"2.0","id":2,"method":"windowOnly"}`)
			if got := out["result"] == "secret"; got != tc.window {
				t.Fatalf("WindowOnly answered %v; served = %v, want %v", out, got, tc.window)
			}
		})
	}
}

// A name on both surfaces is refused: which one serves it would be an accident.
func TestListenRefusesANameOnBothSurfaces(t *testing.T) {
	_, err := Listen(Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{}, Own: surface{}})
	if err == nil || !strings.Contains(err.Error(), "two surfaces") {
		t.Fatalf("Listen: %v, want an error naming two surfaces", err)
	}
}

// A method's rejection carries the error data ErrorData gives (the phone's
// stable code), so that a client matches a code, not English; the errors of
// the protocol itself carry none.
func TestRejectionCarriesItsCode(t *testing.T) {
	s, err := Listen(Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{},
		ErrorData: func(err error) any { return map[string]string{"code": "not-logged-in"} }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	c, status := dial(t, s, "?token="+token, nil)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", status)
	}
	out := roundTrip(t, c, `{"jsonrpc":"2.0","id":1,"method":"fails"}`)
	e, _ := out["error"].(map[string]any)
	data, _ := e["data"].(map[string]any)
	if e["message"] != "Not logged in" || data["code"] != "not-logged-in" {
		t.Fatalf("rejection %v, want the message and data.code not-logged-in", out)
	}
	out = roundTrip(t, c, `{"jsonrpc":"2.0","id":2,"method":"nope"}`)
	if e, _ := out["error"].(map[string]any); e["data"] != nil {
		t.Fatalf("a protocol error %v carries data", out)
	}
}

func port(s *Server) string {
	_, p, _ := strings.Cut(s.Addr(), ":")
	return p
}

// TestUIFilesRefuseAReboundHost: the UI's files answer only to the
// bridge's own address, with a JSON body saying why.
func TestUIFilesRefuseAReboundHost(t *testing.T) {
	s := start(t)
	for _, tc := range []struct {
		rule, host string
		want       int
	}{
		{"the bridge's address is served", s.Addr(), http.StatusOK},
		{"localhost is served", "localhost:" + port(s), http.StatusOK},
		{"a rebound name is refused", "evil.example:" + port(s), http.StatusMisdirectedRequest},
		{"the right port under another name is refused", "127.0.0.2:" + port(s), http.StatusMisdirectedRequest},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/index.html", nil)
			req.Host = tc.host
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want != http.StatusOK {
				var body struct{ Error string }
				if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Error == "" {
					t.Fatalf("the refusal's body is not JSON with an error: %v", err)
				}
			}
		})
	}
}

// TestThousandConnections: a program opening 1,000 connections gets
// maxClients of them and 503 for the rest; the connections already open
// keep being answered, and once they close new ones are taken again.
func TestThousandConnections(t *testing.T) {
	s := start(t)
	first, code := dial(t, s, "?token="+token, nil)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("first connection: %d", code)
	}
	var mu sync.Mutex
	var open []*websocket.Conn
	codes := map[int]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, resp, err := websocket.DefaultDialer.Dial("ws://"+s.Addr()+"/rpc?token="+token, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				open = append(open, c)
				codes[http.StatusSwitchingProtocols]++
			case resp != nil:
				codes[resp.StatusCode]++
			default:
				codes[0]++
			}
		}()
	}
	wg.Wait()
	if codes[http.StatusSwitchingProtocols] != maxClients-1 || codes[http.StatusServiceUnavailable] != 1000-(maxClients-1) {
		t.Fatalf("of 1,000 connections: %v; want %d taken and the rest 503", codes, maxClients-1)
	}
	if got := call(t, first, `{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}`); !strings.Contains(got, `"result":5`) {
		t.Fatalf("an open connection's call with the bridge full: %s", got)
	}
	for _, c := range open {
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Clients() > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, code := dial(t, s, "?token="+token, nil); code != http.StatusSwitchingProtocols {
		t.Fatalf("a connection after the others closed: %d", code)
	}
}

func call(t *testing.T, c *websocket.Conn, req string) string {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(msg), `"id"`) {
			return string(msg)
		}
	}
}

// TestSlowClientIsToldAndDropped: 5,000 events of 4 KB (20 MB, beyond
// what the sockets buffer) at a client that reads none: Emit never waits
// for it, it is closed with the reason, and a client that reads gets every
// event.
func TestSlowClientIsToldAndDropped(t *testing.T) {
	s := start(t)
	slow, _ := dial(t, s, "?token="+token, nil)
	fast, _ := dial(t, s, "?token="+token, nil)
	// The server takes a connection into its list just after the upgrade
	// answered: events emitted before both are in would never reach the
	// reading client (under load, the first 20-60 of them did not: it then
	// waited for them until its read deadline).
	for deadline := time.Now().Add(5 * time.Second); s.Clients() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections registered, want 2", s.Clients())
		}
	}
	const n, batch = 5000, 100
	var read atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for read.Load() < n {
			_ = fast.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, _, err := fast.ReadMessage(); err != nil {
				return
			}
			read.Add(1)
		}
	}()
	pad := strings.Repeat("x", 4096)
	emitted := make(chan struct{})
	go func() {
		defer close(emitted)
		for i := range n {
			s.Emit("phone-event", map[string]any{"n": i, "pad": pad})
			// The reading client is let catch up after each batch (its
			// queue holds eventQueue): the slow one never reads.
			for i%batch == batch-1 && read.Load() < int64(i+1) {
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}
	}()
	select {
	case <-emitted:
	case <-time.After(60 * time.Second):
		t.Fatal("Emit hung on a client that reads nothing")
	}
	<-done
	if c := read.Load(); c != n {
		t.Fatalf("the reading client got %d of %d events", c, n)
	}
	// The slow client finds the close with its reason after what was sent.
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := slow.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != closeTooSlow || ce.Text != closeTooSlowReason {
			t.Fatalf("the slow client's connection ended with %v, want close %d %q", err, closeTooSlow, closeTooSlowReason)
		}
		break
	}
	if c := s.Clients(); c != 1 {
		t.Fatalf("%d clients left, want the reading one", c)
	}
}

// TestTokensStayOutOfTheLog: connections with the right token and with a
// wrong one in the URL, refused ones of every kind: the bridge's log never
// holds either token.
func TestTokensStayOutOfTheLog(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	s := serve(t, Config{Addr: "127.0.0.1:0", Token: token, Methods: surface{}, EventMethod: "phone-event",
		Log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	const wrong = "wrong-token-0123456789"
	dial(t, s, "?token="+token, nil)
	dial(t, s, "?token="+wrong, nil)
	dial(t, s, "?token="+token, http.Header{"Origin": {"http://evil.example"}})
	dial(t, s, "?token="+token, http.Header{"Host": {"evil.example:1"}})
	c, _ := dial(t, s, "?token="+token, nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"fails"}`))
	_, _, _ = c.ReadMessage()
	mu.Lock()
	got := logs.String()
	mu.Unlock()
	if !strings.Contains(got, "refused") {
		t.Fatalf("the refusals were not logged at all:\n%s", got)
	}
	for _, secret := range []string{token, wrong} {
		if strings.Contains(got, secret) {
			t.Errorf("a token is in the bridge's log:\n%s", got)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
