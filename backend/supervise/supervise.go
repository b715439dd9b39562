// Package supervise runs a program and starts it again when it crashes:
// what keeps an unattended kiosk station in service without a person at
// the keyboard.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Config says what to run and how to restart it.
type Config struct {
	// Command makes a fresh command for each start.
	Command func() *exec.Cmd
	// First and Max bound the wait before a restart: First, doubling up to
	// Max; defaults 1 s and 30 s.
	First, Max time.Duration
	// Healthy is how long a run must last for the wait to start again from
	// First; default one minute.
	Healthy time.Duration
	// Grace is how long the program has to stop after SIGTERM before it is
	// killed; default 10 s.
	Grace time.Duration
	Log   *slog.Logger
}

// Run starts the program, and starts it again after every exit that is not
// a clean one (a nonzero status, or killed by a signal), until it exits
// cleanly or ctx ends. When ctx ends the program is asked to stop
// (SIGTERM) and killed after Grace. Run returns the restarts it made, and
// an error only when the program could not be started at all.
func Run(ctx context.Context, cfg Config) (restarts int, err error) {
	if cfg.First <= 0 {
		cfg.First = time.Second
	}
	if cfg.Max < cfg.First {
		cfg.Max = max(30*time.Second, cfg.First)
	}
	if cfg.Healthy <= 0 {
		cfg.Healthy = time.Minute
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	wait := cfg.First
	for {
		cmd := cfg.Command()
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		// A supervisor killed outright takes its program with it.
		dieWithParent(cmd.SysProcAttr)
		started := time.Now()
		if err := cmd.Start(); err != nil {
			return restarts, fmt.Errorf("start %s: %w", cmd.Path, err)
		}
		release := adopt(cmd, cfg.Log)
		cfg.Log.Info("supervisor: started", "pid", cmd.Process.Pid, "restarts", restarts)
		exit := make(chan error, 1)
		go func() { exit <- cmd.Wait() }()
		var werr error
		select {
		case werr = <-exit:
			release()
		case <-ctx.Done():
			// Asked to stop: how the child ended is only logged.
			cfg.Log.Info("supervisor: stopped the program", "exit", stop(cmd, exit, cfg.Grace))
			release()
			return restarts, nil
		}
		ran := time.Since(started)
		var ee *exec.ExitError
		if werr == nil {
			cfg.Log.Info("supervisor: the program exited cleanly", "ran", ran.Round(time.Millisecond).String())
			return restarts, nil
		}
		if !errors.As(werr, &ee) {
			return restarts, fmt.Errorf("wait for %s: %w", cmd.Path, werr)
		}
		if ran >= cfg.Healthy {
			wait = cfg.First
		}
		cfg.Log.Warn("supervisor: the program crashed; restarting", "exit", ee.String(),
			"ran", ran.Round(time.Millisecond).String(), "in", wait.String())
		select {
		case <-ctx.Done():
			return restarts, nil
		case <-time.After(wait):
		}
		wait = min(2*wait, cfg.Max)
		restarts++
	}
}

// stop asks the program to stop, kills it after grace, and returns how it
// exited.
func stop(cmd *exec.Cmd, exit <-chan error, grace time.Duration) error {
	if err := askToStop(cmd.Process); err != nil {
		grace = 0 // no way to ask (Windows): killed at once
	}
	select {
	case err := <-exit:
		return err
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		return <-exit
	}
}

// Child makes the supervised program's command for each start: the first
// with args, those after a crash with restartArgs (a link or command the
// first start was given is carried out once, not at every restart). env
// is added to the environment (how the child knows it is supervised); its
// standard streams are the supervisor's.
func Child(exe string, args, restartArgs []string, env ...string) func() *exec.Cmd {
	starts := 0
	return func() *exec.Cmd {
		a := args
		if starts > 0 {
			a = restartArgs
		}
		starts++
		cmd := exec.Command(exe, a...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		return cmd
	}
}
