package apiserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// Ledger records every secret the lab hands out (secret keys, SDK tokens,
// the IdP's tokens) so that make test's secret scan (test/secrets) knows
// what to look for in the logs of the whole run. The lab is a test
// fixture: writing its own secrets down is what it is for; the app never
// does. A nil *Ledger records nothing.
type Ledger struct {
	mu  sync.Mutex
	add func(kind, secret string)
}

// NewLedger returns a ledger handing each secret to add (which writes it
// down; calls are serialised).
func NewLedger(add func(kind, secret string)) *Ledger { return &Ledger{add: add} }

// Add records one secret.
func (l *Ledger) Add(kind, secret string) {
	if l == nil || secret == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(kind, secret)
}

// Tokens wraps the IdP's handler: the tokens its token endpoint answers
// with (access, refresh, id) are recorded. Only JSON answers of the token
// endpoint are read; every answer passes through unchanged.
func (l *Ledger) Tokens(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		rec := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		var body struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
			ID      string `json:"id_token"`
		}
		if json.Unmarshal(rec.buf.Bytes(), &body) == nil {
			l.Add("sso-access-token", body.Access)
			l.Add("sso-refresh-token", body.Refresh)
			l.Add("sso-id-token", body.ID)
		}
	})
}

// teeWriter keeps a copy of what is written (token answers are small).
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.buf.Len() < 64<<10 {
		t.buf.Write(b)
	}
	return t.ResponseWriter.Write(b)
}
