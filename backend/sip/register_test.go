package sip

import (
	"net"
	"testing"
)

func TestDestination(t *testing.T) {
	tests := []struct {
		rule              string
		server, transport string
		wantDest, wantTP  string
		wantErr           bool
	}{
		{"ws URL gives WS and its port", "ws://127.0.0.1:8080/", "", "127.0.0.1:8080", "WS", false},
		{"wss URL without port uses 443", "wss://sip.example.com/ws", "", "sip.example.com:443", "WSS", false},
		{"ws URL without port uses 80", "ws://sip.example.com", "ws", "sip.example.com:80", "WS", false},
		{"URL scheme and transport must agree", "ws://127.0.0.1:8080/", "wss", "", "", true},
		{"host:port defaults to UDP", "127.0.0.1:5060", "", "127.0.0.1:5060", "UDP", false},
		{"TCP is accepted", "127.0.0.1:5060", "tcp", "127.0.0.1:5060", "TCP", false},
		{"TLS is accepted, case-insensitive", "127.0.0.1:5061", "TLS", "127.0.0.1:5061", "TLS", false},
		{"ws transport needs a URL", "127.0.0.1:5060", "ws", "", "", true},
		{"unknown transport is refused", "127.0.0.1:5060", "sctp", "", "", true},
		{"a port is required", "127.0.0.1", "udp", "", "", true},
		{"the port must be a number", "127.0.0.1:sip", "udp", "", "", true},
		{"an empty server is refused", "", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			dest, tp, err := destination(tt.server, tt.transport)
			if (err != nil) != tt.wantErr || dest != tt.wantDest || tp != tt.wantTP {
				t.Fatalf("destination(%q, %q) = %q, %q, %v", tt.server, tt.transport, dest, tp, err)
			}
		})
	}
}

func TestNewRequiresAccount(t *testing.T) {
	if _, err := New(Config{Server: "127.0.0.1:5060", Domain: "d"}); err == nil {
		t.Fatal("New without a user succeeded")
	}
	a, err := New(Config{Server: "ws://127.0.0.1:1/", User: "u", Domain: "d", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	req := a.newRegister(0)
	if got := req.GetHeader("Expires").Value(); got != "0" {
		t.Fatalf("unregister Expires = %q", got)
	}
	if c := req.Contact(); c == nil || c.Address.UriParams.GetOr("transport", "") != "ws" {
		t.Fatalf("WebSocket Contact lacks transport=ws: %v", req.Contact())
	}
}

// FuzzDestination: server/transport strings come from the platform and the
// user; parsing them must never panic and must give host:port when it accepts.
func FuzzDestination(f *testing.F) {
	for _, s := range []string{"ws://127.0.0.1:8080/", "wss://sip.example.com/ws", "127.0.0.1:5060", "[::1]:5060", "ws://[::1]", ""} {
		f.Add(s, "")
		f.Add(s, "udp")
	}
	f.Fuzz(func(t *testing.T, server, transport string) {
		dest, tp, err := destination(server, transport)
		if err != nil {
			return
		}
		if _, _, err := net.SplitHostPort(dest); err != nil || tp == "" {
			t.Fatalf("destination(%q, %q) = %q, %q: not host:port", server, transport, dest, tp)
		}
	})
}
