// Package sip is the phone's SIP user agent on sipgo: transports (WebSocket
// first, also UDP/TCP/TLS), registration with digest authentication, and
// later the dialogs of calls.
//
// It knows SIP only: SDP bodies are opaque bytes passed in and out by
// backend/phone, and it never imports the media packages.
package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Transport names as the platform and the user give them.
const (
	TransportWS  = "ws"
	TransportWSS = "wss"
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
)

// Config is an account to register.
type Config struct {
	// Server is a ws:// or wss:// URL for WebSocket, else host:port.
	Server string
	// Transport is one of ws, wss, udp, tcp, tls; derived from a ws(s) URL
	// when empty.
	Transport string
	User      string // user part of the address of record
	Domain    string // domain of the address of record (the registrar's realm)
	AuthUser  string // digest user name; default User
	Password  string
	// DisplayName goes into From.
	DisplayName string
	// Expires asks the registrar for this lifetime; default 300 s.
	Expires time.Duration
	// UserAgent names the client in requests; default "VoiceDesk".
	UserAgent string
	// TLS configures tls and wss; default: the system's roots.
	TLS *tls.Config
	// Token, when set, gives the SDK token a WebSocket connects with (as
	// its token query parameter); it is read at each (re)connect.
	Token func() string
	Log   *slog.Logger
}

// ErrRejected is a final non-2xx answer to REGISTER.
var ErrRejected = errors.New("registration rejected")

// Agent is a SIP user agent for one account.
type Agent struct {
	cfg     Config
	dest    string // host:port the requests go to
	tp      string // sipgo transport name
	ua      *sipgo.UserAgent
	client  *sipgo.Client
	server  *sipgo.Server
	dialogs *sipgo.DialogClientCache
	// serverDialogs are the calls this agent received.
	serverDialogs *sipgo.DialogServerCache
	log           *slog.Logger

	mu            sync.Mutex
	onIncoming    func(*Incoming)
	onRenegotiate Renegotiator
	// notify routes refer subscriptions' NOTIFYs by the dialog's Call-ID.
	notify  map[string]chan TransferResult
	cseqReg uint32
	callID  string
	expires time.Duration // granted by the registrar
	// udpPort is the UDP socket's port (UDP only; 0 otherwise), named in
	// the Contact; udpDone closes when its reader has stopped.
	udp     net.PacketConn
	udpPort int
	udpDone chan struct{}
}

// New validates cfg and creates the agent; nothing is sent yet.
func New(cfg Config) (*Agent, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "VoiceDesk"
	}
	if cfg.AuthUser == "" {
		cfg.AuthUser = cfg.User
	}
	if cfg.Expires == 0 {
		cfg.Expires = 300 * time.Second
	}
	if cfg.User == "" || cfg.Domain == "" {
		return nil, errors.New("sip account: user and domain are required")
	}
	dest, tp, err := destination(cfg.Server, cfg.Transport)
	if err != nil {
		return nil, err
	}
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(cfg.UserAgent)}
	// One call: sipgo keeps the last WithUserAgentTransportLayerOptions.
	tpOpts := []sip.TransportLayerOption{sip.WithTransportLayerReadFilter(newScreen(cfg.Log).filter)}
	if strings.EqualFold(tp, TransportWS) || strings.EqualFold(tp, TransportWSS) {
		tpOpts = append(tpOpts, sip.WithTransportLayerTransports(webSocketTransports(cfg)))
	}
	uaOpts = append(uaOpts, sipgo.WithUserAgentTransportLayerOptions(tpOpts...))
	if cfg.TLS != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(cfg.TLS))
	}
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return nil, fmt.Errorf("create SIP user agent: %w", err)
	}
	host, _, _ := net.SplitHostPort(dest)
	// The Via/Contact host: on loopback the local address is loopback too.
	localHost := "127.0.0.1"
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		localHost = outboundIP(dest)
	}
	clientOpts := []sipgo.ClientOption{sipgo.WithClientHostname(localHost), sipgo.WithClientNAT()}
	// Over UDP the proxy reaches us at the Contact's address: without a
	// socket of our own bound there and named in the Contact (its port),
	// an INVITE goes to port 5060, where nothing listens, and times out
	// (408). Requests are sent from that socket too, so the registrar's
	// view of us (source address, rport) is the Contact. The connection-
	// oriented transports need none: the proxy answers on the connection.
	var udp net.PacketConn
	if strings.EqualFold(tp, TransportUDP) {
		if udp, err = net.ListenPacket("udp", net.JoinHostPort(localHost, "0")); err != nil {
			_ = ua.Close()
			return nil, fmt.Errorf("open the SIP UDP socket on %s: %w", localHost, err)
		}
		addr := udp.LocalAddr().(*net.UDPAddr)
		clientOpts = append(clientOpts, sipgo.WithClientConnectionAddr(addr.String()), sipgo.WithClientPort(addr.Port))
	}
	client, err := sipgo.NewClient(ua, clientOpts...)
	if err != nil {
		if udp != nil {
			_ = udp.Close()
		}
		_ = ua.Close()
		return nil, fmt.Errorf("create SIP client: %w", err)
	}
	// The server side handles what the proxy sends on the same connection:
	// BYE of calls, OPTIONS pings.
	server, err := sipgo.NewServer(ua)
	if err != nil {
		if udp != nil {
			_ = udp.Close()
		}
		_ = ua.Close()
		return nil, fmt.Errorf("create SIP server: %w", err)
	}
	a := &Agent{cfg: cfg, dest: dest, tp: tp, ua: ua, client: client, server: server, log: cfg.Log,
		callID: sip.GenerateTagN(16) + "@voicedesk"}
	if udp != nil {
		a.udp, a.udpPort = udp, udp.LocalAddr().(*net.UDPAddr).Port
		a.udpDone = make(chan struct{})
		go func() {
			defer close(a.udpDone)
			// Returns when Close closes the socket.
			if err := server.ServeUDP(udp); err != nil && !errors.Is(err, net.ErrClosed) {
				a.log.Debug("SIP UDP socket closed", "err", err)
			}
		}()
		// ServeUDP puts the socket in the transport's pool as it starts;
		// a request sent before that would bind a second socket to the
		// same address and fail (EADDRINUSE). sipgo has no hook for
		// "serving", so its pool is watched for the socket (microseconds).
		served := false
		for i := 0; i < 200 && !served; i++ {
			c, _ := ua.TransportLayer().GetConnection("udp", udp.LocalAddr().String())
			if served = c != nil; !served {
				time.Sleep(time.Millisecond)
			}
		}
		if !served {
			_ = a.Close()
			return nil, errors.New("open the SIP UDP socket: sipgo did not take it within 200 ms")
		}
	}
	a.dialogs = sipgo.NewDialogClientCache(client, a.contact())
	a.serverDialogs = sipgo.NewDialogServerCache(client, a.contact())
	server.OnInvite(guard(a.handleInvite))
	server.OnUpdate(guard(a.handleRenegotiation))
	server.OnNotify(guard(a.handleNotify))
	// An ACK is never answered, so it is not guarded.
	server.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = a.serverDialogs.ReadAck(req, tx)
	})
	server.OnBye(guard(func(req *sip.Request, tx sip.ServerTransaction) {
		// A BYE ends a call we placed or one we received.
		if err := a.dialogs.ReadBye(req, tx); err == nil {
			return
		}
		if err := a.serverDialogs.ReadBye(req, tx); err != nil {
			noDialog(tx, req)
		}
	}))
	server.OnNoRoute(guard(notAllowed))
	// A CANCEL that matched an INVITE was answered by sipgo's transaction
	// layer; one that reaches here matches nothing (RFC 3261 9.2).
	server.OnCancel(guard(func(req *sip.Request, tx sip.ServerTransaction) { noDialog(tx, req) }))
	server.OnOptions(guard(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	}))
	return a, nil
}

// destination turns Server and Transport into host:port and sipgo's name.
// webSocketTransports dial the WebSocket at the server URL's path, with the
// SDK token (cfg.Token, read at each dial so that a renewed one is used on
// the next reconnect) as its token query parameter.
func webSocketTransports(cfg Config) sip.TransportsConfig {
	u, _ := url.Parse(cfg.Server) // destination has checked it
	dialURI := func(scheme string) func(host string) string {
		return func(host string) string {
			target := url.URL{Scheme: scheme, Host: host, Path: u.Path}
			if target.Path == "" {
				target.Path = "/"
			}
			if cfg.Token != nil {
				if tok := cfg.Token(); tok != "" {
					target.RawQuery = url.Values{"token": {tok}}.Encode()
				}
			}
			return target.String()
		}
	}
	return sip.TransportsConfig{
		WS:  &sip.TransportWS{DialURI: dialURI("ws")},
		WSS: &sip.TransportWSS{TransportWS: &sip.TransportWS{DialURI: dialURI("wss")}},
	}
}

func destination(server, transport string) (string, string, error) {
	transport = strings.ToLower(transport)
	if strings.HasPrefix(server, "ws://") || strings.HasPrefix(server, "wss://") {
		u, err := url.Parse(server)
		if err != nil || u.Host == "" {
			return "", "", fmt.Errorf("sip server %q: bad WebSocket URL", server)
		}
		if transport == "" {
			transport = u.Scheme
		}
		if transport != u.Scheme {
			return "", "", fmt.Errorf("sip server %q does not match transport %q", server, transport)
		}
		host := u.Host
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "wss" {
				port = "443"
			}
			host = net.JoinHostPort(u.Hostname(), port)
		}
		return host, strings.ToUpper(transport), nil
	}
	switch transport {
	case "":
		transport = TransportUDP
	case TransportUDP, TransportTCP, TransportTLS:
	case TransportWS, TransportWSS:
		return "", "", fmt.Errorf("sip server %q: a %s transport needs a %s:// URL", server, transport, transport)
	default:
		return "", "", fmt.Errorf("sip transport %q: use ws, wss, udp, tcp or tls", transport)
	}
	host, port, err := net.SplitHostPort(server)
	if err != nil || host == "" {
		return "", "", fmt.Errorf("sip server %q: want host:port", server)
	}
	if _, err := strconv.Atoi(port); err != nil {
		return "", "", fmt.Errorf("sip server %q: bad port", server)
	}
	return server, strings.ToUpper(transport), nil
}

// outboundIP is the local address toward dest, for Via and Contact.
func outboundIP(dest string) string {
	c, err := net.Dial("udp", dest)
	if err != nil {
		return "127.0.0.1"
	}
	defer func() { _ = c.Close() }()
	return c.LocalAddr().(*net.UDPAddr).IP.String()
}

// Close closes the agent's transports (and waits for the UDP socket's
// reader, which the transports' closing stops).
func (a *Agent) Close() error {
	err := a.ua.Close()
	if a.udp != nil {
		_ = a.udp.Close() // ours; closing it twice is harmless
		<-a.udpDone
	}
	return err
}

// Domain is the SIP domain the agent registers in.
func (a *Agent) Domain() string { return a.cfg.Domain }

// Expires is the lifetime the registrar granted at the last registration.
func (a *Agent) Expires() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expires
}

// Register sends REGISTER, answering a digest challenge once.
func (a *Agent) Register(ctx context.Context) error {
	granted, err := a.register(ctx, a.cfg.Expires)
	if err != nil {
		return fmt.Errorf("register %s@%s: %w", a.cfg.User, a.cfg.Domain, err)
	}
	a.mu.Lock()
	a.expires = granted
	a.mu.Unlock()
	a.log.Info("registered", "aor", a.cfg.User+"@"+a.cfg.Domain, "transport", a.tp, "expires", granted)
	return nil
}

// Unregister removes the binding (Expires: 0).
func (a *Agent) Unregister(ctx context.Context) error {
	if _, err := a.register(ctx, 0); err != nil {
		return fmt.Errorf("unregister %s@%s: %w", a.cfg.User, a.cfg.Domain, err)
	}
	a.mu.Lock()
	a.expires = 0
	a.mu.Unlock()
	return nil
}

func (a *Agent) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	req := a.newRegister(expires)
	res, err := a.client.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
		// DoDigestAuth answers the challenge with a new CSeq and Via.
		res, err = a.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: a.cfg.AuthUser, Password: a.cfg.Password})
		if err != nil {
			return 0, err
		}
		a.mu.Lock()
		if cseq := req.CSeq(); cseq != nil {
			a.cseqReg = cseq.SeqNo
		}
		a.mu.Unlock()
	}
	if res.StatusCode != sip.StatusOK {
		return 0, fmt.Errorf("%w: %d %s", ErrRejected, res.StatusCode, res.Reason)
	}
	return grantedExpiry(res, expires), nil
}

func (a *Agent) newRegister(expires time.Duration) *sip.Request {
	recipient := sip.Uri{Scheme: "sip", Host: a.cfg.Domain}
	req := sip.NewRequest(sip.REGISTER, recipient)
	from := a.from()
	req.AppendHeader(&from)
	req.AppendHeader(&sip.ToHeader{Address: a.aor(), Params: sip.NewParams()})
	callID := sip.CallIDHeader(a.callID)
	req.AppendHeader(&callID)
	a.mu.Lock()
	a.cseqReg++
	seq := a.cseqReg
	a.mu.Unlock()
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: sip.REGISTER})
	contact := a.contact()
	req.AppendHeader(&contact)
	exp := sip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(&exp)
	req.SetTransport(a.tp)
	req.SetDestination(a.dest)
	return req
}

// grantedExpiry reads the lifetime the registrar granted: the Contact's
// expires parameter, else the Expires header, else what was asked.
func grantedExpiry(res *sip.Response, asked time.Duration) time.Duration {
	if c := res.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// aor is the account's address of record.
func (a *Agent) aor() sip.Uri { return sip.Uri{Scheme: "sip", User: a.cfg.User, Host: a.cfg.Domain} }

// from is a From header for a new request: the AOR with a fresh tag.
func (a *Agent) from() sip.FromHeader {
	from := sip.FromHeader{DisplayName: a.cfg.DisplayName, Address: a.aor(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	return from
}
