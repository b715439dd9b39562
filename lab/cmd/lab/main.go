// Command lab starts, checks and stops the VoiceDesk lab, the local stand-in
// for the platform's cloud: "lab up", "lab down", "lab status", "lab health",
// "lab phone NAME COMMAND [PARAMS]"; "lab serve-api" is the API server
// process that "lab up" starts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"voicedesk/lab/apiserver"
	"voicedesk/lab/idp"
	"voicedesk/lab/labctl"
	"voicedesk/lab/ngproto"
)

const usage = `usage: lab [-dir DIR] up|down|status|discovery-url|logins|health|phone NAME COMMAND [PARAMS]|serve-api [flags]

  up         start the lab (idempotent) and print its state
  down       stop every process the lab started, by pid
  status     print the state of a running lab
  discovery-url  print the lab's discovery URL (for the app's -discovery-url)
  logins     print the lab's demo logins and phones
  health     check every component; exit 1 naming the failing one and its log
  phone      send a ctrl_tcp command to a lab phone (tone|caller), e.g.
             "lab phone caller dial sip:alice@voicedesk.lab"
  serve-api  run the platform API server (started by "up")
`

func main() {
	dir := flag.String("dir", envOr("LAB_DIR", ".lab"), "the lab's folder (state, logs, configs)")
	flag.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dir, flag.Arg(0), flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, dir, cmd string, args []string) error {
	switch cmd {
	case "up":
		st, err := labctl.Up(ctx, labctl.Config{Dir: dir, Progress: os.Stderr})
		if err != nil {
			return err
		}
		if err := labctl.Health(ctx, st); err != nil {
			return fmt.Errorf("health check after start: %w", err)
		}
		return printJSON(st)
	case "down":
		st, err := labctl.Load(dir)
		if errors.Is(err, labctl.ErrNotRunning) {
			fmt.Fprintln(os.Stderr, "lab: not running")
			return nil
		}
		if err != nil {
			return err
		}
		if err := labctl.Down(st); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "lab: stopped")
		return nil
	case "status":
		st, err := labctl.Load(dir)
		if err != nil {
			return err
		}
		return printJSON(st)
	case "discovery-url":
		st, err := labctl.Load(dir)
		if err != nil {
			return err
		}
		fmt.Println(st.DiscoveryURL)
		return nil
	case "logins":
		st, err := labctl.Load(dir)
		if err != nil {
			return err
		}
		for _, l := range st.Demo {
			fmt.Printf("  %-22s password: %s\n", l.Username, l.Password)
		}
		fmt.Printf("  lab phones: tone %s (answers, plays %d Hz), caller %s (plays %d Hz), early %s (early media, %d Hz)\n",
			st.Tone.Number, st.Tone.ToneHz, st.Caller.Number, st.Caller.ToneHz, st.Early.Number, st.Early.ToneHz)
		return nil
	case "health":
		st, err := labctl.Load(dir)
		if err != nil {
			return err
		}
		if err := labctl.Health(ctx, st); err != nil {
			return err
		}
		fmt.Println("lab: healthy")
		return nil
	case "phone":
		if len(args) < 2 {
			return errors.New("phone needs NAME and COMMAND")
		}
		st, err := labctl.Load(dir)
		if err != nil {
			return err
		}
		addr := map[string]string{"tone": st.Tone.Ctrl, "caller": st.Caller.Ctrl, "early": st.Early.Ctrl}[args[0]]
		if addr == "" {
			return fmt.Errorf("no lab phone %q (tone|caller|early)", args[0])
		}
		params := ""
		if len(args) > 2 {
			params = args[2]
		}
		out, err := labctl.Ctrl(ctx, addr, args[1], params)
		fmt.Println(out)
		return err
	case "serve-api":
		return serveAPI(ctx, args)
	default:
		flag.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func serveAPI(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve-api", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on")
	db := fs.String("db", "lab.db", "bbolt store")
	ws := fs.String("ws", "", "Kamailio's WebSocket URL")
	sip := fs.String("sip", "", "Kamailio's UDP address")
	ng := fs.String("ng", "", "rtpengine's ng control address (call recording)")
	recordings := fs.String("recordings", "", "rtpengine's --recording-dir")
	monitor := fs.String("monitor", "", "the supervision bridge phone's ctrl_tcp address")
	kamctl := fs.String("kamctl", "", "Kamailio's ctl socket (SDK tokens for the SIP WebSocket)")
	ledgerPath := fs.String("ledger", "", "a file the secrets handed out are appended to (for make test's secret scan)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q: the lab listens on loopback only", *listen)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	store, err := apiserver.OpenStore(*db)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	base := "http://" + ln.Addr().String() + "/"
	seeded, _, _, endpoints := apiserver.Seed()
	var users []idp.User
	sso := map[string]bool{}
	for _, u := range seeded {
		users = append(users, idp.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email})
		sso[u.ID] = u.SSO
	}
	provider, err := idp.New(idp.Config{Issuer: base + "idp", Users: users, ClientIDs: apiserver.SSOClientIDs, Log: log})
	if err != nil {
		return err
	}
	var rec *apiserver.Recorder
	if *ng != "" && *recordings != "" {
		rec = &apiserver.Recorder{NG: ngproto.Client{Addr: *ng}, Dir: *recordings}
	}
	var sup *apiserver.Supervision
	if *monitor != "" {
		sup = &apiserver.Supervision{Bridge: *monitor}
	}
	var tokens *apiserver.SDKTokens
	var dialogs *apiserver.Dialogs
	if *kamctl != "" {
		dialogs = &apiserver.Dialogs{Kamctl: *kamctl}
		if tokens, err = apiserver.NewSDKTokens(*kamctl); err != nil {
			return err
		}
	}
	ledger, closeLedger, err := openLedger(*ledgerPath, seeded, endpoints, log)
	if err != nil {
		return err
	}
	defer closeLedger()
	api := apiserver.New(apiserver.Config{BaseURL: base, WebSocketURL: *ws, SIPProxy: *sip, IdP: provider, SSOUsers: sso, Recorder: rec,
		Supervision: sup, SDKTokens: tokens, Ledger: ledger, Dialogs: dialogs}, store, log)
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		api.Close() // the event channels are hijacked: Shutdown does not end them
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("lab API server listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openLedger opens the file the lab's secrets are written to, one
// "kind<TAB>secret" a line, starting with the seeded users' passwords and
// SIP passwords; "" records nothing.
func openLedger(path string, seeded []apiserver.SeedUser, endpoints []apiserver.SIPEndpoint, log *slog.Logger) (*apiserver.Ledger, func(), error) {
	if path == "" {
		return nil, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open the secrets ledger: %w", err)
	}
	l := apiserver.NewLedger(func(kind, secret string) {
		if _, err := fmt.Fprintf(f, "%s\t%s\n", kind, secret); err != nil {
			log.Warn("secrets ledger", "error", err)
		}
	})
	for _, u := range seeded {
		l.Add("password", u.Password)
		l.Add("sip-password", u.SIPPassword)
	}
	for _, e := range endpoints {
		l.Add("sip-password", e.SIPPassword)
	}
	return l, func() { _ = f.Close() }, nil
}
