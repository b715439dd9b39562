// Package labctl starts, checks and stops the lab: the platform API stand-in
// (this repository's lab server), Kamailio, rtpengine and two baresip
// phones, all on loopback, on free ports it picks and writes to a state file.
//
// It knows the lab's parts by their wire protocols only and never imports
// the app's backend.
package labctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"voicedesk/lab/apiserver"
)

// Ports are the lab's loopback ports.
type Ports struct {
	API        int `json:"api"`
	SIPUDP     int `json:"sipUdp"`
	SIPWS      int `json:"sipWs"`
	SIPTLS     int `json:"sipTls"`
	SIPWSS     int `json:"sipWss"`
	NG         int `json:"rtpengineNg"`
	RTPMin     int `json:"rtpMin"`
	RTPMax     int `json:"rtpMax"`
	ToneSIP    int `json:"toneSip"`
	ToneCtrl   int `json:"toneCtrl"`
	CallerSIP  int `json:"callerSip"`
	CallerCtrl int `json:"callerCtrl"`
	EarlySIP   int `json:"earlySip"`
	EarlyCtrl  int `json:"earlyCtrl"`
	// The supervision bridge's stand-in phone.
	MonitorSIP  int `json:"monitorSip"`
	MonitorCtrl int `json:"monitorCtrl"`
}

// Login is a platform user's demo login.
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Phone is one of the lab's baresip far ends.
type Phone struct {
	SIPUser    string `json:"sipUser"`
	Number     string `json:"number"`
	ToneHz     int    `json:"toneHz"`
	Ctrl       string `json:"ctrl"`       // ctrl_tcp address
	Recordings string `json:"recordings"` // sndfile's folder
	AutoAnswer bool   `json:"autoAnswer"`
	// EarlyMedia: answers with 183 and its audio, 200 only when told ("accept").
	EarlyMedia bool `json:"earlyMedia"`
}

// State is what the lab's users need to reach it; it is written to
// Dir/state.json by Up and read by Down and by the tests.
type State struct {
	// dieWithCaller: the lab was started with Config.DieWithCaller, and a
	// component started again (StartComponent) is tied to the caller too.
	dieWithCaller bool
	Dir           string `json:"dir"`
	Domain        string `json:"domain"`
	Ports         Ports  `json:"ports"`
	APIURL        string `json:"apiUrl"`
	// Recordings is where rtpengine writes recorded calls (pcaps/).
	Recordings   string `json:"recordings"`
	DiscoveryURL string `json:"discoveryUrl"`
	WebSocketURL string `json:"webSocketUrl"`
	SecureWSURL  string `json:"secureWebSocketUrl"`
	SIPTLSAddr   string `json:"sipTls"`
	// CACert is the lab certificate (PEM) that clients trust for TLS and WSS.
	CACert    string    `json:"caCert"`
	SIPProxy  string    `json:"sipProxy"`
	Tone      Phone     `json:"tone"`
	Caller    Phone     `json:"caller"`
	Early     Phone     `json:"early"`
	Monitor   Phone     `json:"monitor"`
	Probe     Login     `json:"probeSip"` // SIP account for test clients
	Demo      []Login   `json:"demoLogins"`
	Processes []Process `json:"processes"`
	Started   time.Time `json:"started"`
}

// Config configures Up.
type Config struct {
	// Dir holds the state file, generated configs, logs, the store and
	// recordings. Default ".lab".
	Dir string
	// LabBinary is the lab command, started as "LabBinary serve-api ..." for
	// the API server. Default: this executable.
	LabBinary string
	// Progress receives one line per step; default io.Discard.
	Progress io.Writer
	// Timeout bounds each component's start. Default 15 s.
	Timeout time.Duration
	// DieWithCaller ties the components to the calling process (the
	// kernel kills them when it ends): for a lab a test binary starts in
	// process, so that a test that panics (its cleanups never run) leaves
	// no lab running. Not for "lab up", which exits once the lab is up.
	DieWithCaller bool
}

const stateFile = "state.json"

// LedgerFile, in the lab's folder, lists every secret the lab handed out
// (passwords, SIP passwords, secret keys, SDK and SSO tokens), one
// "kind<TAB>secret" a line: what make test's secret scan looks for.
const LedgerFile = "issued-secrets.txt"

// ErrNotRunning is returned by Load when no lab state exists.
var ErrNotRunning = errors.New("the lab is not running")

// Load reads the state file of a running lab.
func Load(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotRunning
	}
	if err != nil {
		return nil, fmt.Errorf("read lab state: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parse lab state %s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

func (s *State) save() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write lab state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(s.Dir, stateFile))
}

// Running says whether every recorded process is alive.
func (s *State) Running() bool {
	if len(s.Processes) == 0 {
		return false
	}
	for _, p := range s.Processes {
		if !p.Alive() {
			return false
		}
	}
	return true
}

type runner struct {
	cfg   Config
	dir   string
	state *State
	// dieWithCaller: Config.DieWithCaller, for this lab's components.
	dieWithCaller bool
}

func (r *runner) progress(format string, args ...any) {
	_, _ = fmt.Fprintf(r.cfg.Progress, "lab: "+format+"\n", args...)
}

// Up starts the lab and waits until every component answers. If a lab is
// already running in Dir it returns its state. On failure it stops what it
// started and the error names the component and its log file.
func Up(ctx context.Context, cfg Config) (*State, error) {
	if cfg.Dir == "" {
		cfg.Dir = ".lab"
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.LabBinary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find the lab command: %w", err)
		}
		cfg.LabBinary = exe
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if old, err := Load(dir); err == nil {
		if old.Running() {
			return old, nil
		}
		// A half-dead lab from an earlier run: stop its leftovers first.
		if err := Down(old); err != nil {
			return nil, err
		}
	}
	for _, sub := range []string{"logs", "conf", "recordings/tone", "recordings/caller", "recordings/early"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("create lab folder: %w", err)
		}
	}
	r := &runner{cfg: cfg, dir: dir, dieWithCaller: cfg.DieWithCaller}
	st, err := r.up(ctx)
	if err != nil {
		if r.state != nil {
			_ = Down(r.state)
		}
		return nil, err
	}
	return st, nil
}

func (r *runner) up(ctx context.Context) (*State, error) {
	ports, err := pickPorts()
	if err != nil {
		return nil, err
	}
	st := &State{
		dieWithCaller: r.dieWithCaller,
		Dir:           r.dir,
		Domain:        apiserver.SIPDomain,
		Ports:         ports,
		APIURL:        fmt.Sprintf("http://127.0.0.1:%d/", ports.API),
		DiscoveryURL:  fmt.Sprintf("http://127.0.0.1:%d/api/user/", ports.API),
		WebSocketURL:  fmt.Sprintf("ws://127.0.0.1:%d/", ports.SIPWS),
		SecureWSURL:   fmt.Sprintf("wss://127.0.0.1:%d/", ports.SIPWSS),
		SIPTLSAddr:    fmt.Sprintf("127.0.0.1:%d", ports.SIPTLS),
		CACert:        filepath.Join(r.dir, "conf", "lab-cert.pem"),
		SIPProxy:      fmt.Sprintf("127.0.0.1:%d", ports.SIPUDP),
		Started:       time.Now().UTC(),
	}
	r.state = st

	// The store is read here for the registrar's routing, then closed: the API
	// server process owns it (bbolt allows one opener).
	storePath := filepath.Join(r.dir, "lab.db")
	routing, err := readRouting(storePath)
	if err != nil {
		return nil, err
	}
	users, _, _, endpoints := apiserver.Seed()
	for _, u := range users {
		st.Demo = append(st.Demo, Login{Username: u.Username, Password: u.Password})
	}
	for _, e := range endpoints {
		if e.SIPUser == "probe" {
			st.Probe = Login{Username: e.SIPUser, Password: e.SIPPassword}
		}
	}

	// Calls the API is asked to record are written here by rtpengine (pcap).
	recordings := filepath.Join(r.dir, "recordings")
	if err := os.MkdirAll(recordings, 0o755); err != nil {
		return nil, fmt.Errorf("create the recordings folder: %w", err)
	}
	st.Recordings = recordings
	// rtpengine first: Kamailio marks an unanswering rtpengine as down.
	r.progress("starting rtpengine (ng 127.0.0.1:%d, media %d-%d)", ports.NG, ports.RTPMin, ports.RTPMax)
	if err := r.launch(ctx, "rtpengine", func() error { return pingRtpengine(ctx, ports.NG) },
		mustLook("rtpengine"), "--table=-1", "--interface=127.0.0.1",
		fmt.Sprintf("--listen-ng=127.0.0.1:%d", ports.NG),
		fmt.Sprintf("--port-min=%d", ports.RTPMin), fmt.Sprintf("--port-max=%d", ports.RTPMax),
		// A deleted call's ports come back after 2 s rather than 30: the
		// lab's floods set up and end calls by the hundred.
		"--delete-delay=2",
		"--foreground", "--log-stderr", "--config-file=none", "--no-fallback", "--log-level=6",
		"--recording-method=pcap", "--recording-dir="+recordings,
	); err != nil {
		return nil, err
	}

	r.progress("starting kamailio (udp 127.0.0.1:%d, ws 127.0.0.1:%d)", ports.SIPUDP, ports.SIPWS)
	cfgPath := filepath.Join(r.dir, "conf", "kamailio.cfg")
	keyPath := filepath.Join(r.dir, "conf", "lab-key.pem")
	tlsCfg := filepath.Join(r.dir, "conf", "tls.cfg")
	if err := writeLabCert(st.CACert, keyPath, apiserver.SIPDomain); err != nil {
		return nil, err
	}
	if err := writeTLSConfig(tlsCfg, st.CACert, keyPath); err != nil {
		return nil, err
	}
	ctlSocket := filepath.Join(r.dir, "kamailio-ctl.sock")
	if err := writeKamailioConfig(cfgPath, ports, routing, tlsCfg, ctlSocket); err != nil {
		return nil, err
	}
	if err := r.launch(ctx, "kamailio", func() error { return sipOptions(ctx, ports.SIPUDP, "sip:"+apiserver.SIPDomain) },
		mustLook("kamailio"), "-DD", "-E", "-f", cfgPath, "-Y", filepath.Join(r.dir, "conf"), "-m", "64", "-M", "8",
	); err != nil {
		return nil, err
	}

	r.progress("starting the platform API server (http://127.0.0.1:%d/)", ports.API)
	if err := r.launch(ctx, "api", func() error { return httpHealth(ctx, st.APIURL+"healthz") },
		r.cfg.LabBinary, "serve-api", "-listen", fmt.Sprintf("127.0.0.1:%d", ports.API), "-db", storePath,
		"-ws", st.WebSocketURL, "-sip", st.SIPProxy,
		"-ng", fmt.Sprintf("127.0.0.1:%d", ports.NG), "-recordings", recordings,
		"-monitor", fmt.Sprintf("127.0.0.1:%d", ports.MonitorCtrl), "-kamctl", ctlSocket,
		"-ledger", filepath.Join(r.dir, LedgerFile),
	); err != nil {
		return nil, err
	}

	st.Tone = Phone{SIPUser: "tone", Number: numberOf(routing.Accounts, "tone"), ToneHz: 700, AutoAnswer: true,
		Ctrl: fmt.Sprintf("127.0.0.1:%d", ports.ToneCtrl), Recordings: filepath.Join(r.dir, "recordings", "tone")}
	st.Caller = Phone{SIPUser: "caller", Number: numberOf(routing.Accounts, "caller"), ToneHz: 550,
		Ctrl: fmt.Sprintf("127.0.0.1:%d", ports.CallerCtrl), Recordings: filepath.Join(r.dir, "recordings", "caller")}
	st.Early = Phone{SIPUser: "early", Number: numberOf(routing.Accounts, "early"), ToneHz: 620, EarlyMedia: true,
		Ctrl: fmt.Sprintf("127.0.0.1:%d", ports.EarlyCtrl), Recordings: filepath.Join(r.dir, "recordings", "early")}
	st.Monitor = Phone{SIPUser: "monitor", Number: numberOf(routing.Accounts, "monitor"), ToneHz: 440,
		Ctrl: fmt.Sprintf("127.0.0.1:%d", ports.MonitorCtrl), Recordings: filepath.Join(r.dir, "recordings", "monitor")}
	for _, ph := range []struct {
		p       Phone
		sipPort int
	}{{st.Tone, ports.ToneSIP}, {st.Caller, ports.CallerSIP}, {st.Early, ports.EarlySIP}, {st.Monitor, ports.MonitorSIP}} {
		r.progress("starting baresip %q (sip 127.0.0.1:%d, tone %d Hz)", ph.p.SIPUser, ph.sipPort, ph.p.ToneHz)
		confDir := filepath.Join(r.dir, "conf", "baresip-"+ph.p.SIPUser)
		if err := writeBaresipConfig(confDir, ph.p, ph.sipPort, passwordOf(routing.Accounts, ph.p.SIPUser), ports); err != nil {
			return nil, err
		}
		p := ph.p
		if err := r.launch(ctx, "baresip-"+p.SIPUser, func() error {
			return sipOptions(ctx, ports.SIPUDP, "sip:"+p.SIPUser+"@"+apiserver.SIPDomain)
		}, mustLook("baresip"), "-f", confDir); err != nil {
			return nil, err
		}
	}
	if err := st.save(); err != nil {
		return nil, err
	}
	r.progress("up: discovery %s, websocket %s", st.DiscoveryURL, st.WebSocketURL)
	return st, nil
}

// launch starts a component and waits until ready() succeeds.
func (r *runner) launch(ctx context.Context, name string, ready func() error, argv ...string) error {
	logPath := filepath.Join(r.dir, "logs", name+".log")
	p, err := r.start(name, logPath, argv...)
	if err != nil {
		return &ComponentError{Component: name, Log: logPath, Err: err}
	}
	r.state.Processes = append(r.state.Processes, p)
	// Save after every start so that a crash of this command still lets
	// "lab down" find what it started.
	if err := r.state.save(); err != nil {
		return err
	}
	deadline := time.Now().Add(r.cfg.Timeout)
	var last error
	for time.Now().Before(deadline) {
		if !p.Alive() {
			// How it ended says more than its log when it died before writing
			// one (a signal loses what its stdio had buffered).
			msg := "exited during start-up"
			if st := p.exitStatus(); st != "" {
				msg += " (" + st + ")"
			}
			return &ComponentError{Component: name, Log: logPath, Err: errors.New(msg)}
		}
		if last = ready(); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return &ComponentError{Component: name, Log: logPath, Err: fmt.Errorf("not answering after %s: %w", r.cfg.Timeout, last)}
}

// ComponentError names the failing component and its log.
type ComponentError struct {
	Component string
	Log       string
	Err       error
}

func (e *ComponentError) Error() string {
	return fmt.Sprintf("%s: %v (log: %s)", e.Component, e.Err, e.Log)
}

func (e *ComponentError) Unwrap() error { return e.Err }

// Down stops every recorded process, newest first, and removes the state file.
func Down(s *State) error {
	var errs []error
	for i := len(s.Processes) - 1; i >= 0; i-- {
		if err := s.Processes[i].Stop(3 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := os.Remove(filepath.Join(s.Dir, stateFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func readRouting(storePath string) (apiserver.Routing, error) {
	store, err := apiserver.OpenStore(storePath)
	if err != nil {
		return apiserver.Routing{}, err
	}
	defer func() { _ = store.Close() }()
	return store.Routing()
}

func numberOf(accts []apiserver.SIPAccount, user string) string {
	for _, a := range accts {
		if a.User == user {
			return a.Number
		}
	}
	return ""
}

func passwordOf(accts []apiserver.SIPAccount, user string) string {
	for _, a := range accts {
		if a.User == user {
			return a.Password
		}
	}
	return ""
}

func mustLook(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	return name // exec reports it missing, naming it
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// pickPorts asks the kernel for free loopback ports. A port could be taken
// between this and the component's bind; the component's health check then
// fails and names it.
func pickPorts() (Ports, error) {
	var p Ports
	tcp := []*int{&p.API, &p.SIPWS, &p.SIPTLS, &p.SIPWSS}
	baresipCtrl := []*int{&p.ToneCtrl, &p.CallerCtrl, &p.EarlyCtrl, &p.MonitorCtrl}
	udp := []*int{&p.SIPUDP, &p.NG}
	// baresip's sip_listen port is three sockets: UDP and TCP on the port,
	// and TLS (TCP) on the next one (ss -lntup of a lab's baresip).
	baresipSIP := []*int{&p.ToneSIP, &p.CallerSIP, &p.EarlySIP, &p.MonitorSIP}
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}()
	// Go's listeners set SO_REUSEADDR, which would hand out a port still in
	// TIME_WAIT from an earlier lab's connections; baresip's ctrl_tcp binds
	// without it and would fail to start there. Probe as baresip binds.
	strict := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0)
		}); err != nil {
			return err
		}
		return serr
	}}
	for _, dst := range tcp {
		l, err := strict.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return p, fmt.Errorf("pick a tcp port: %w", err)
		}
		closers = append(closers, l)
		*dst = l.Addr().(*net.TCPAddr).Port
	}
	for _, dst := range udp {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return p, fmt.Errorf("pick a udp port: %w", err)
		}
		closers = append(closers, c)
		*dst = c.LocalAddr().(*net.UDPAddr).Port
	}
	// baresip binds its ports without SO_REUSEADDR, and the ports picked
	// here are let go before it starts: a port from the kernel's ephemeral
	// range was then now and then taken meanwhile as the source port of
	// one of the lab's own connections (the health checks of the parts
	// started before it), whose TIME_WAIT made baresip exit with status 98
	// (its log: "tcp: sock_bind: Address already in use", the port in
	// TIME_WAIT with the API's). Its ports come from below that range,
	// where no connection takes a source port.
	for _, dst := range baresipCtrl {
		port, l, err := pickFixedTCP(strict)
		if err != nil {
			return p, err
		}
		closers = append(closers, l)
		*dst = port
	}
	for _, dst := range baresipSIP {
		port, held, err := pickSIPPort(strict, func() (net.PacketConn, error) {
			return net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", belowEphemeral()))
		})
		if err != nil {
			return p, err
		}
		closers = append(closers, held...)
		*dst = port
	}
	// Media ports: a random block of 800 below the kernel's ephemeral range,
	// so that two labs (or a lab and a test) rarely meet: rtpengine takes the
	// first 700 (a test run sets up well over a hundred calls, and the INVITE
	// flood 50 a second, each holding its ports for rtpengine's delete
	// delay: 300 ran out, and Kamailio relayed the flood's offers without
	// rtpengine), the four baresip phones 24 each (see baresipRTPPorts).
	base := 20000 + 800*rand.IntN(15)
	p.RTPMin, p.RTPMax = base, base+rtpenginePorts-1
	return p, nil
}

// belowEphemeral is a random port in 10000-19999: below the kernel's
// ephemeral ports (32768 up by default) and the media blocks (20000 up).
func belowEphemeral() int { return 10000 + rand.IntN(10000) }

// pickFixedTCP finds a TCP port below the ephemeral range, free as
// baresip binds (strict), and holds it.
func pickFixedTCP(strict net.ListenConfig) (int, io.Closer, error) {
	for range 50 {
		port := belowEphemeral()
		l, err := strict.Listen(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			return port, l, nil
		}
	}
	return 0, nil, errors.New("pick a TCP port for baresip: none free in 50 tries below the ephemeral range")
}

// pickSIPPort finds a port for a baresip phone's SIP: free for UDP (from
// next), and for TCP on it and on the next port, probed as baresip binds.
// Only the UDP side was probed until 2026-12-07: a lab's baresip then
// exited at start with status 98 (EADDRINUSE) when a TCP connection of
// another program held the port number as its own (seen twice, once in a
// fresh clone's make test while a bench ran beside it). It returns the
// port and the sockets that hold it until the lab's processes start.
func pickSIPPort(strict net.ListenConfig, next func() (net.PacketConn, error)) (int, []io.Closer, error) {
	for range 50 {
		c, err := next()
		if err != nil {
			continue // taken for UDP: another
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		held := []io.Closer{c}
		ok := port < 65535
		for _, tp := range []int{port, port + 1} {
			if !ok {
				break
			}
			l, err := strict.Listen(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", tp))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		if ok {
			return port, held, nil
		}
		for _, h := range held {
			_ = h.Close()
		}
	}
	return 0, nil, errors.New("pick a SIP port for baresip: no port free for UDP and TCP (and the next for TLS) in 50 tries")
}

// StopComponent stops one running component (e.g. "kamailio") by its pid,
// to test how clients survive its loss; StartComponent brings it back.
func StopComponent(s *State, name string) error {
	for _, p := range s.Processes {
		if p.Name == name {
			return p.Stop(3 * time.Second)
		}
	}
	return fmt.Errorf("no lab component %q", name)
}

// StartComponent starts a stopped component again with the same arguments,
// appending to its log, waits until it answers, and records the new pid.
func StartComponent(ctx context.Context, s *State, name string) error {
	for i, p := range s.Processes {
		if p.Name != name {
			continue
		}
		if p.Alive() {
			return fmt.Errorf("%s is already running (pid %d)", name, p.PID)
		}
		r := &runner{dir: s.Dir, dieWithCaller: s.dieWithCaller}
		np, err := r.startLog(name, p.Log, os.O_APPEND, p.Argv...)
		if err != nil {
			return &ComponentError{Component: name, Log: p.Log, Err: err}
		}
		s.Processes[i] = np
		if err := s.save(); err != nil {
			return err
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			err := s.ready(ctx, name)
			if err == nil && name == "kamailio" {
				// Kamailio keeps the SDK tokens in memory: the API sets them again.
				err = resyncTokens(ctx, s.APIURL)
			}
			if err == nil {
				return nil
			}
			if time.Now().After(deadline) || !np.Alive() {
				return &ComponentError{Component: name, Log: p.Log, Err: fmt.Errorf("not answering after restart: %w", err)}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return fmt.Errorf("no lab component %q", name)
}

func resyncTokens(ctx context.Context, apiURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"lab/sdktokens/resync", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("resync the SDK tokens: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("resync the SDK tokens: %s", res.Status)
	}
	return nil
}

// SetSDKTokenLifetime makes the lab's API issue the SDK tokens of sipUser
// with the given lifetime from now on (0: the default hour), so that a
// test sees one expire and the phone renew it.
func SetSDKTokenLifetime(ctx context.Context, s *State, sipUser string, d time.Duration) error {
	body := fmt.Sprintf(`{"User":%q,"Seconds":%d}`, sipUser, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.APIURL+"lab/sdktokens/lifetime", strings.NewReader(body))
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("set the SDK token lifetime: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("set the SDK token lifetime: %s: %s", res.Status, msg)
	}
	return nil
}
