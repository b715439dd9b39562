package phone_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// TestLoginAgainstAFaultyPlatform: the platform's API (here its discovery)
// answering 500, malformed JSON, a captive portal's page, 10 MB of JSON,
// nothing for longer than the client's timeout or no connection at all:
// the login fails with its stable code and a message that says which,
// without retrying, and the phone answers its API meanwhile.
func TestLoginAgainstAFaultyPlatform(t *testing.T) {
	rows := []struct {
		rule    string
		handler http.HandlerFunc
		code    string
		says    string
	}{
		{"500 with the platform's message", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"Message":"database unavailable"}`))
		}, "login-api-error", "API error 500: database unavailable"},
		{"malformed JSON", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"siloName":"lab","apiEndpoint":`))
		}, "login-bad-answer", "malformed JSON"},
		{"a captive portal's page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html><body>Welcome to Hotel Wi-Fi. Accept the terms to continue.</body></html>"))
		}, "login-bad-answer", "text/html page (a captive portal or a proxy?)"},
		{"10 MB of JSON", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`["` + strings.Repeat("x", 10<<20) + `"]`))
		}, "login-bad-answer", "more than"},
		{"no answer within the client's timeout", func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second): // beyond the client's 1 s
			}
		}, "login-timeout", "timed out"},
	}
	for _, row := range rows {
		t.Run(row.rule, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				row.handler(w, r)
			}))
			defer srv.Close()
			api := platform.New(platform.Config{HTTPClient: &http.Client{Timeout: time.Second}})
			p := phone.New(phone.Config{DiscoveryURL: srv.URL + "/api/user/", StatusPoll: -1, PNPSFirst: -1}, api, newEvents())
			defer p.Close()
			done := make(chan error, 1)
			go func() {
				_, err := p.Login(context.Background(), phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"})
				done <- err
			}()
			_ = p.State() // the phone answers while the login waits
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the login hung")
			}
			if phone.ErrorCode(err) != row.code || !strings.Contains(err.Error(), row.says) {
				t.Fatalf("login: %v (code %q), want %q saying %q", err, phone.ErrorCode(err), row.code, row.says)
			}
			if n := calls.Load(); n != 1 {
				t.Fatalf("the API was asked %d times, want once (no retries of a login)", n)
			}
			if st := p.State(); st.User != nil {
				t.Fatalf("signed in after a failed login: %+v", st.User)
			}
		})
	}
	t.Run("no service at the address", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		p := phone.New(phone.Config{DiscoveryURL: "http://" + addr + "/api/user/", StatusPoll: -1, PNPSFirst: -1}, platform.New(platform.Config{}), newEvents())
		defer p.Close()
		_, err = p.Login(context.Background(), phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"})
		if phone.ErrorCode(err) != "login-unreachable" || !strings.Contains(err.Error(), "could not reach the service") {
			t.Fatalf("login: %v (code %q), want login-unreachable", err, phone.ErrorCode(err))
		}
	})
}
