package instance

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestOneInstanceAnswersTheNext(t *testing.T) {
	path := testPath(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(path, func(_ context.Context, r Request) (any, error) {
		if r.Command == "fail" {
			return nil, errors.New("no such call")
		}
		return map[string]string{"got": r.Command + " " + r.Arg}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()

	checkPrivate(t, path)
	if _, err := Listen(path, nil, nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("a second Listen: %v, want ErrRunning", err)
	}
	for _, tc := range []struct {
		req    Request
		ok     bool
		result string
		errSub string
	}{
		{req: Request{Command: "call", Arg: "tel:+358401234567"}, ok: true, result: `{"got":"call tel:+358401234567"}`},
		{req: Request{Command: "fail"}, errSub: "no such call"},
	} {
		resp, err := Send(context.Background(), path, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.OK != tc.ok || string(resp.Result) != tc.result || !strings.Contains(resp.Error, tc.errSub) {
			t.Errorf("%+v: got %+v", tc.req, resp)
		}
	}
	// Not a command: a clear answer, not a hang.
	for _, raw := range []string{"not json\n", "{}\n", strings.Repeat("x", maxRequest+10)} {
		c, err := dial(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		// Written while the answer is read: the server stops reading at
		// 64 KiB, and a pipe (Windows) holds less than a socket's buffer.
		go func() { _, _ = c.Write([]byte(raw)) }()
		var resp Response
		if err := json.NewDecoder(c).Decode(&resp); err != nil || resp.OK || resp.Error == "" {
			t.Errorf("%.20q: %+v %v, want an error answer", raw, resp, err)
		}
		c.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkGone(t, path)
	if _, err := Send(context.Background(), path, Request{Command: "status"}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Send with nobody listening: %v, want ErrNotRunning", err)
	}
}
