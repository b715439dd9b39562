// Package baresipctl sends commands to a baresip phone over its ctrl_tcp
// module (netstring-framed JSON), for the lab's tools and its API server.
package baresipctl

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Command sends one command to the phone at addr and returns the answer.
func Command(ctx context.Context, addr, command, params string) (string, error) {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("connect to baresip ctrl %s: %w", addr, err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	body := fmt.Sprintf(`{"command":%q,"params":%q,"token":%q}`, command, params, token)
	if _, err := fmt.Fprintf(conn, "%d:%s,", len(body), body); err != nil {
		return "", fmt.Errorf("send baresip command %s: %w", command, err)
	}
	rd := bufio.NewReader(conn)
	for {
		msg, err := readNetstring(rd)
		if err != nil {
			return "", fmt.Errorf("read baresip answer to %s: %w", command, err)
		}
		// Events arrive on the same connection; the answer carries our token.
		if strings.Contains(msg, `"response":true`) && strings.Contains(msg, token) {
			if strings.Contains(msg, `"ok":false`) {
				return msg, fmt.Errorf("baresip refused %s: %s", command, msg)
			}
			return msg, nil
		}
	}
}

func readNetstring(rd *bufio.Reader) (string, error) {
	lenStr, err := rd.ReadString(':')
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(lenStr, ":"))
	if err != nil || n < 0 || n > 1<<20 {
		return "", errors.New("bad netstring length")
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return "", err
	}
	if buf[n] != ',' {
		return "", errors.New("netstring not terminated")
	}
	return string(buf[:n]), nil
}
