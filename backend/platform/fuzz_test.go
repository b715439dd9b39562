package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
)

// answerWith is a transport answering every request 200 with body, as a
// JSON service (or something claiming to be one) would.
type answerWith []byte

func (a answerWith) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a)), Request: r}, nil
}

// FuzzAPIAnswer: the platform's answers, seeded with the lab's real ones
// (make fuzz-seeds), to every call the phone decodes: no panic, and an
// answer that is not JSON is ErrBadAnswer (login-bad-answer for the user),
// never taken for an empty record.
func FuzzAPIAnswer(f *testing.F) {
	f.Add([]byte(`[{"siloName":"lab","apiEndpoint":"http://127.0.0.1:1/"}]`))
	f.Add([]byte(`{"UserID":"u1","SecretKey":"k"}`))
	f.Add([]byte(`<html>captive portal</html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		c := New(Config{HTTPClient: &http.Client{Transport: answerWith(body)}})
		s := &Session{APIEndpoint: "http://127.0.0.1:1/", Username: "u", UserID: "u1", secretKey: "k"}
		calls := map[string]func() error{
			"discovery": func() error { _, err := c.Discover(ctx, "http://127.0.0.1:1/discovery", "u"); return err },
			"login": func() error {
				_, err := c.LoginCredentials(ctx, Silo{APIEndpoint: "http://127.0.0.1:1/"}, "u", "p")
				return err
			},
			"user":         func() error { _, err := c.Me(ctx, s); return err },
			"SIP settings": func() error { _, err := c.SIPSettings(ctx, s); return err },
			"SDK token":    func() error { _, err := c.NewSDKToken(ctx, s); return err },
			"roles":        func() error { _, err := c.Roles(ctx, s); return err },
			"current role": func() error { _, err := c.CurrentRole(ctx, s); return err },
			"status":       func() error { _, err := c.Status(ctx, s); return err },
			"PNPS query":   func() error { _, err := c.DuePNPSQuery(ctx, s, "call"); return err },
		}
		garbage := len(bytes.TrimSpace(body)) > 0 && !json.Valid(body)
		for name, call := range calls {
			err := call()
			if garbage && !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("%s: an answer that is not JSON gave %v, want ErrBadAnswer", name, err)
			}
		}
	})
}
