package sip

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ConnState is the registration's health as Maintain sees it.
type ConnState int

// Connection states reported by Maintain.
const (
	ConnLost     ConnState = iota + 1 // the registration stopped working; reconnecting
	ConnRestored                      // registered again after a loss
	ConnFailed                        // gave up after GiveUpAfter
)

// MaintainConfig says how the agent keeps its registration alive.
type MaintainConfig struct {
	// Check is how often the path is checked; default 25 s.
	Check time.Duration
	// GiveUpAfter bounds reconnecting; default 5 min.
	GiveUpAfter time.Duration
	// MaxBackoff caps the wait between attempts; default 10 s.
	MaxBackoff time.Duration
}

// Maintain keeps the agent registered until ctx ends or it gives up:
// it refreshes the registration before it expires and checks the whole path
// every Check with an OPTIONS to its own address through the proxy, which
// answers 200 only while the proxy can route to this agent. On a failure it
// reports ConnLost and re-registers with exponential backoff, then reports
// ConnRestored, or ConnFailed after GiveUpAfter (and returns).
// It runs on the caller's goroutine; the caller owns and stops it with ctx.
func (a *Agent) Maintain(ctx context.Context, cfg MaintainConfig, report func(ConnState)) {
	if cfg.Check <= 0 {
		cfg.Check = 25 * time.Second
	}
	if cfg.GiveUpAfter <= 0 {
		cfg.GiveUpAfter = 5 * time.Minute
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	check := time.NewTicker(cfg.Check)
	defer check.Stop()
	// A reliable transport's connection that closes (the server restarted,
	// the network went) is noticed within a second by looking it up in
	// the transport's pool, which costs nothing on the wire; the OPTIONS
	// check still finds a path that died silently.
	var watch <-chan time.Time
	if a.tp != TransportUDP {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		watch = t.C
	}
	seen := a.connected()
	refreshAt := time.Now().Add(a.refreshIn())
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-watch:
			// Only a connection seen before counts as closed: the pool's
			// key may differ from dest (a name, not an address).
			up := a.connected()
			if !seen || up {
				seen = seen || up
				continue
			}
			err = errors.New("the connection to the SIP server closed")
		case <-check.C:
		}
		switch {
		case err != nil: // the connection closed
		case time.Now().After(refreshAt):
			err = a.Register(ctx)
		default:
			err = a.ping(ctx, cfg.Check)
		}
		if err == nil {
			if time.Now().After(refreshAt) {
				refreshAt = time.Now().Add(a.refreshIn())
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("registration lost", "error", err)
		report(ConnLost)
		if !a.reconnect(ctx, cfg) {
			if ctx.Err() == nil {
				report(ConnFailed)
			}
			return
		}
		report(ConnRestored)
		seen = a.connected()
		refreshAt = time.Now().Add(a.refreshIn())
	}
}

// refreshIn is when to re-register: before 80 % of the granted lifetime.
func (a *Agent) refreshIn() time.Duration {
	exp := a.Expires()
	if exp <= 0 {
		exp = a.cfg.Expires
	}
	return exp * 8 / 10
}

func (a *Agent) reconnect(ctx context.Context, cfg MaintainConfig) bool {
	start := time.Now()
	backoff := 250 * time.Millisecond
	for {
		attempt, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := a.Register(attempt)
		cancel()
		if err == nil {
			return true
		}
		if time.Since(start)+backoff > cfg.GiveUpAfter {
			a.log.Error("giving up reconnecting", "after", time.Since(start).Round(time.Millisecond), "error", err)
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, cfg.MaxBackoff)
	}
}

// connected reports whether the transport holds a connection to the
// server (always false for UDP, which has none).
func (a *Agent) connected() bool {
	c, err := a.ua.TransportLayer().GetConnection(a.tp, a.dest)
	return err == nil && c != nil
}

// ping sends OPTIONS to the agent's own address of record through the proxy.
func (a *Agent) ping(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, min(timeout, 5*time.Second))
	defer cancel()
	aor := a.aor()
	req := sip.NewRequest(sip.OPTIONS, aor)
	from := a.from()
	req.AppendHeader(&from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.SetTransport(a.tp)
	req.SetDestination(a.dest)
	res, err := a.client.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("keep-alive OPTIONS: %w", err)
	}
	if res.StatusCode != sip.StatusOK {
		return fmt.Errorf("keep-alive OPTIONS: %d %s", res.StatusCode, res.Reason)
	}
	return nil
}
