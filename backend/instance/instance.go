// Package instance keeps VoiceDesk to one running copy per user. The first
// launch listens on a Unix socket in the user's private runtime folder; a
// later launch (a clicked tel: link, "voicedesk call NUMBER") hands its
// command there, prints the answer and exits.
//
// The socket's folder is the user's own (0700), so only the user's programs
// reach it. One request per connection: a JSON line in, a JSON line out.
// It knows nothing of the phone: the Handler it is given does the work.
package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Request is one command of a second launch.
type Request struct {
	Command string `json:"command"`
	Arg     string `json:"arg,omitempty"`
}

// Response is the running app's answer.
type Response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// Handler carries out a command; its error is sent back as the answer's
// Error.
type Handler func(ctx context.Context, req Request) (any, error)

var (
	// ErrRunning is Listen's answer when another instance already listens.
	ErrRunning = errors.New("VoiceDesk is already running")
	// ErrNotRunning is Send's answer when no instance listens.
	ErrNotRunning = errors.New("VoiceDesk is not running")
)

// How long a command may take (a call is placed, not waited for) and how
// large a request may be.
const (
	commandTimeout = 30 * time.Second
	maxRequest     = 64 << 10
)

// Server is the running instance's end of the socket.
type Server struct {
	ln      net.Listener
	path    string
	cleanup func() // removes what listen left (the socket file)
	h       Handler
	log     *slog.Logger
	wg      sync.WaitGroup
}

// Listen makes this the running instance, or returns ErrRunning when
// another one answers on path. A socket left by a crashed instance is
// replaced. The transport is the system's (transport_unix.go: a Unix
// socket only the user may open; transport_windows.go: a named pipe).
func Listen(path string, h Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	ln, cleanup, err := listen(path)
	if err != nil {
		return nil, err
	}
	return &Server{ln: ln, path: path, cleanup: cleanup, h: h, log: log}, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers commands until ctx ends, then removes the socket and waits
// for the commands under way.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.ln.Close() })
	defer stop()
	defer s.wg.Wait()
	defer s.cleanup()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("instance socket: %w", err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(ctx, c)
		}()
	}
}

func (s *Server) serve(ctx context.Context, c net.Conn) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(commandTimeout + 5*time.Second))
	var resp Response
	line, err := bufio.NewReaderSize(io.LimitReader(c, maxRequest), maxRequest).ReadSlice('\n')
	var req Request
	switch {
	case err != nil:
		resp.Error = "the request must be one JSON line of at most 64 KiB"
	case json.Unmarshal(line, &req) != nil || req.Command == "":
		resp.Error = "the request must be a JSON object with a command"
	default:
		cctx, cancel := context.WithTimeout(ctx, commandTimeout)
		result, err := s.h(cctx, req)
		cancel()
		if err != nil {
			resp.Error = err.Error()
		} else if resp.Result, err = json.Marshal(result); err != nil {
			resp.Error = "the answer could not be encoded: " + err.Error()
		} else {
			resp.OK = true
		}
	}
	s.log.Info("instance command", "command", req.Command, "ok", resp.OK, "error", resp.Error)
	b, _ := json.Marshal(resp)
	_, _ = c.Write(append(b, '\n'))
}

// Send hands a command to the running instance and returns its answer;
// ErrNotRunning when none listens on path.
func Send(ctx context.Context, path string, req Request) (Response, error) {
	c, err := dial(ctx, path)
	if err != nil {
		return Response{}, ErrNotRunning
	}
	defer func() { _ = c.Close() }()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	} else {
		_ = c.SetDeadline(time.Now().Add(commandTimeout + 10*time.Second))
	}
	b, err := json.Marshal(req)
	if err != nil {
		return Response{}, err
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return Response{}, fmt.Errorf("send %s to VoiceDesk: %w", req.Command, err)
	}
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("read VoiceDesk's answer to %s: %w", req.Command, err)
	}
	return resp, nil
}
