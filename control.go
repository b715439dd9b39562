package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"voicedesk/backend/instance"
	"voicedesk/backend/phone"
)

// The desktop's own commands: "voicedesk call NUMBER|LINK", "answer",
// "hangup", "status", and a clicked tel:/callto:/sip: link, handed by a
// second launch to the running app over backend/instance. Like app.go they
// only carry: the semantics are backend/phone's.

// Commands of the instance socket.
const (
	cmdCall   = "call"
	cmdAnswer = "answer"
	cmdHangup = "hangup"
	cmdStatus = "status"
	// cmdIntegration tells the integration API's address and token, for
	// configuring a CRM page (the socket is the user's own).
	cmdIntegration = "integration"
	cmdShow        = "show" // a plain second launch: bring the window forward
)

// parseCommand reads the arguments after the flags: a command, a link or
// number (a call), or nothing (the app itself).
func parseCommand(args []string) (instance.Request, error) {
	if len(args) == 0 {
		return instance.Request{}, nil
	}
	switch args[0] {
	case cmdCall:
		if len(args) < 2 {
			return instance.Request{}, errors.New("call needs a number or a tel:, callto: or sip: link")
		}
		// A number may come in pieces: voicedesk call +358 40 123 4567.
		return instance.Request{Command: cmdCall, Arg: strings.Join(args[1:], " ")}, nil
	case cmdAnswer, cmdHangup, cmdStatus, cmdIntegration:
		if len(args) > 1 {
			return instance.Request{}, fmt.Errorf("%s takes no arguments", args[0])
		}
		return instance.Request{Command: args[0]}, nil
	}
	if strings.Contains(args[0], ":") || strings.HasPrefix(args[0], "+") || (args[0] != "" && args[0][0] >= '0' && args[0][0] <= '9') {
		// A link the desktop opened with this app (the .desktop file's %u).
		return instance.Request{Command: cmdCall, Arg: strings.Join(args, " ")}, nil
	}
	return instance.Request{}, fmt.Errorf("unknown command %q: use call NUMBER, answer, hangup, status or integration", args[0])
}

// handOver sends req to the running app and prints its answer. It returns
// the exit code, and false when no app is running.
func handOver(path string, req instance.Request, stdout, stderr io.Writer) (int, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	resp, err := instance.Send(ctx, path, req)
	if errors.Is(err, instance.ErrNotRunning) {
		return 0, false
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "voicedesk:", err)
		return 1, true
	}
	if !resp.OK {
		_, _ = fmt.Fprintln(stderr, "voicedesk:", resp.Error)
		return 1, true
	}
	switch req.Command {
	case cmdStatus, cmdIntegration:
		var v any
		_ = json.Unmarshal(resp.Result, &v)
		b, _ := json.MarshalIndent(v, "", "  ")
		_, _ = fmt.Fprintln(stdout, string(b))
	case cmdCall, cmdAnswer, cmdHangup:
		var id string
		_ = json.Unmarshal(resp.Result, &id)
		_, _ = fmt.Fprintf(stdout, "%s: call %s\n", req.Command, id)
	}
	return 0, true
}

// deskStatus is what "voicedesk status" prints.
type deskStatus struct {
	phone.State
	Calls []phone.CallSummary `json:"calls"`
}

// command carries out a command of a second launch.
func (a *App) command(ctx context.Context, r instance.Request) (any, error) {
	switch r.Command {
	case cmdCall:
		a.raise()
		return a.phone.DialLinkWhenReady(ctx, r.Arg)
	case cmdAnswer:
		return a.phone.AnswerRinging()
	case cmdHangup:
		return a.phone.HangUp()
	case cmdStatus:
		st := a.phone.State()
		st.Kiosk = a.desk.kiosk
		return deskStatus{State: st, Calls: a.phone.Calls()}, nil
	case cmdIntegration:
		info := a.api.Current()
		if info.RPC == "" {
			return nil, errors.New("the integration API is off: turn it on in Settings → Integration API, or start VoiceDesk with --bridge 127.0.0.1:PORT")
		}
		return info, nil
	case cmdShow:
		a.raise()
		return true, nil
	}
	return nil, fmt.Errorf("unknown command %q: use call NUMBER, answer, hangup, status or integration", r.Command)
}

// dialAtLaunch dials the link the app was launched with, once signed in
// (by hand or from the keyring), for at most two minutes.
func (a *App) dialAtLaunch(ctx context.Context, link string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, err := a.phone.DialLinkWhenReady(ctx, link)
	if err != nil {
		log.Warn("the link the app was opened with was not dialled", "link", link, "error", err)
		return
	}
	log.Info("dialled the link the app was opened with", "callId", id)
}
