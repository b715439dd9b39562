package labctl

import (
	"context"
	"fmt"
	"net"
	"testing"
)

// A baresip phone's SIP port must be free for UDP, for TCP, and for TCP on
// the next port (its TLS): a port free for UDP only made baresip exit at
// start with EADDRINUSE. Each row takes one of those sockets first; the
// port offered first is then passed over.
func TestPickSIPPortSkipsPortsTakenForTCP(t *testing.T) {
	rows := []struct {
		rule   string
		offset int // the TCP port taken: the offered port + offset; -1 none
	}{
		{"a port free for UDP and TCP is taken", -1},
		{"a port whose TCP is taken is passed over", 0},
		{"a port whose next port (TLS) is taken is passed over", 1},
	}
	strict := net.ListenConfig{}
	for _, row := range rows {
		t.Run(row.rule, func(t *testing.T) {
			// Below the ephemeral range, as the lab picks them: a port from
			// it could be taken meanwhile for TCP as another test's source
			// port (seen in a fresh clone's make test: the free row saw its
			// port passed over).
			first, err := udpBelowEphemeral()
			if err != nil {
				t.Fatal(err)
			}
			offered := first.LocalAddr().(*net.UDPAddr).Port
			if row.offset >= 0 {
				l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", offered+row.offset))
				if err != nil {
					t.Skipf("the port to take for TCP is in use already: %v", err)
				}
				defer func() { _ = l.Close() }()
			}
			calls := 0
			next := func() (net.PacketConn, error) {
				calls++
				if calls == 1 {
					return first, nil
				}
				return udpBelowEphemeral()
			}
			port, held, err := pickSIPPort(strict, next)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, h := range held {
					_ = h.Close()
				}
			}()
			if got, want := port == offered, row.offset < 0; got != want {
				t.Errorf("picked %d (offered first %d, TCP taken at +%d): took the first %v, want %v", port, offered, row.offset, got, want)
			}
			if len(held) != 3 {
				t.Errorf("%d sockets held, want 3 (UDP, TCP, TCP+1)", len(held))
			}
			// What is held is what baresip will bind: nobody else can.
			if _, err := strict.Listen(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", port+1)); err == nil {
				t.Errorf("TCP %d is not held", port+1)
			}
		})
	}
}

func udpBelowEphemeral() (net.PacketConn, error) {
	var err error
	for range 50 {
		var c net.PacketConn
		if c, err = net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", belowEphemeral())); err == nil {
			return c, nil
		}
	}
	return nil, err
}
