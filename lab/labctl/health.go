package labctl

import (
	"voicedesk/lab/baresipctl"

	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Health checks every component of a running lab and returns the first
// failure, naming the component and its log.
func Health(ctx context.Context, s *State) error {
	logOf := func(name string) string {
		for _, p := range s.Processes {
			if p.Name == name {
				return p.Log
			}
		}
		return ""
	}
	for _, p := range s.Processes {
		if !p.Alive() {
			return &ComponentError{Component: p.Name, Log: p.Log, Err: fmt.Errorf("process %d is not running", p.PID)}
		}
	}
	for _, name := range []string{"rtpengine", "kamailio", "api", "baresip-tone", "baresip-caller", "baresip-early", "baresip-monitor"} {
		if err := s.ready(ctx, name); err != nil {
			return &ComponentError{Component: name, Log: logOf(name), Err: err}
		}
	}
	return nil
}

// ready checks that one component answers on its protocol.
func (s *State) ready(ctx context.Context, name string) error {
	switch name {
	case "rtpengine":
		return pingRtpengine(ctx, s.Ports.NG)
	case "kamailio":
		return sipOptions(ctx, s.Ports.SIPUDP, "sip:"+s.Domain)
	case "api":
		return httpHealth(ctx, s.APIURL+"healthz")
	case "baresip-tone":
		return sipOptions(ctx, s.Ports.SIPUDP, "sip:tone@"+s.Domain)
	case "baresip-caller":
		return sipOptions(ctx, s.Ports.SIPUDP, "sip:caller@"+s.Domain)
	case "baresip-early":
		return sipOptions(ctx, s.Ports.SIPUDP, "sip:early@"+s.Domain)
	case "baresip-monitor":
		return sipOptions(ctx, s.Ports.SIPUDP, "sip:monitor@"+s.Domain)
	}
	return fmt.Errorf("no lab component %q", name)
}

// Ping sends OPTIONS to uri through the lab's Kamailio and expects 200: for a
// user, that proves the user is registered and answers.
func Ping(ctx context.Context, s *State, uri string) error {
	return sipOptions(ctx, s.Ports.SIPUDP, uri)
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// pingRtpengine sends the ng protocol's ping (bencoded, behind a cookie).
func pingRtpengine(ctx context.Context, port int) error {
	conn, err := dialUDP(ctx, port)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	cookie := randomToken(4)
	if _, err := conn.Write([]byte(cookie + " d7:command4:pinge")); err != nil {
		return fmt.Errorf("send ng ping: %w", err)
	}
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err != nil {
		return fmt.Errorf("read ng answer: %w", err)
	}
	if got := string(buf[:n]); !strings.HasPrefix(got, cookie+" ") || !strings.Contains(got, "4:pong") {
		return fmt.Errorf("unexpected ng answer %q", got)
	}
	return nil
}

func dialUDP(ctx context.Context, port int) (net.Conn, error) {
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	return conn, nil
}

// sipOptions sends an OPTIONS to uri through the proxy at 127.0.0.1:port
// and expects 200. Addressed to the proxy's domain, Kamailio answers itself;
// addressed to a user, the registered phone answers, which proves that it
// is registered and routable.
func sipOptions(ctx context.Context, port int, uri string) error {
	conn, err := dialUDP(ctx, port)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	local := conn.LocalAddr().(*net.UDPAddr)
	branch := "z9hG4bK" + randomToken(8)
	callID := randomToken(12) + "@labctl"
	req := strings.Join([]string{
		"OPTIONS " + uri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport", local.Port, branch),
		"Max-Forwards: 5",
		"From: <sip:labctl@127.0.0.1>;tag=" + randomToken(4),
		"To: <" + uri + ">",
		"Call-ID: " + callID,
		"CSeq: 1 OPTIONS",
		"Accept: application/sdp",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	if _, err := conn.Write([]byte(req)); err != nil {
		return fmt.Errorf("send OPTIONS: %w", err)
	}
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return fmt.Errorf("OPTIONS %s: no answer: %w", uri, err)
		}
		status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if !strings.Contains(string(buf[:n]), callID) {
			continue
		}
		if strings.HasPrefix(status, "SIP/2.0 1") {
			continue // provisional
		}
		if strings.HasPrefix(status, "SIP/2.0 200") {
			return nil
		}
		return fmt.Errorf("OPTIONS %s: %s", uri, status)
	}
}

func httpHealth(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return nil
}

// Ctrl sends one command to a baresip phone over ctrl_tcp and returns the
// answer's data.
func Ctrl(ctx context.Context, addr, command, params string) (string, error) {
	return baresipctl.Command(ctx, addr, command, params)
}
