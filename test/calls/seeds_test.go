package calls

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/lab/labctl"
)

// TestCaptureFuzzSeeds records the lab's real traffic as the fuzz targets'
// seed corpora (make fuzz-seeds; VOICEDESK_CAPTURE_SEEDS names the
// repository): every SIP message the phone reads from Kamailio, the SDP
// offers and answers in them, and the platform API's answers, through a
// sign-in, an outbound call held and resumed, an incoming call answered
// and one cancelled. The files are committed: go test runs the corpora in
// make test, make fuzz mutates them.
func TestCaptureFuzzSeeds(t *testing.T) {
	repo := os.Getenv("VOICEDESK_CAPTURE_SEEDS")
	if repo == "" {
		t.Skip("make fuzz-seeds sets VOICEDESK_CAPTURE_SEEDS")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr := &sipTrace{}
	sip.SIPDebugTracer(tr)
	sip.SIPDebug = true
	defer func() { sip.SIPDebug = false }()
	api := &answerTrace{next: http.DefaultTransport}
	ev := newEvents()
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
		Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: 1000}, audio.Discard{} }},
		platform.New(platform.Config{HTTPClient: &http.Client{Transport: api, Timeout: 15 * time.Second}}), ev)
	defer p.Close()
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	time.Sleep(500 * time.Millisecond)
	if err := p.PauseCall(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := p.ResumeCall(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	callerDials(t, ctx)
	in := ev.wait(t, ctx, phone.EventCallIncoming)
	if err := p.AnswerCall(in.call.CallID); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	time.Sleep(500 * time.Millisecond)
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	callerDials(t, ctx)
	ev.wait(t, ctx, phone.EventCallIncoming)
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	p.Logout(false)

	reads, offers, answers := tr.split()
	n := write(t, filepath.Join(repo, "backend/sip/testdata/fuzz/FuzzScreen"), "bytes", reads)
	n += write(t, filepath.Join(repo, "backend/sip/testdata/fuzz/FuzzCallerIdentity"), "bytes", reads)
	n += write(t, filepath.Join(repo, "backend/media/testdata/fuzz/FuzzCheckOffer"), "string", offers)
	n += write(t, filepath.Join(repo, "backend/media/testdata/fuzz/FuzzRemoteAnswer"), "string", answers)
	n += write(t, filepath.Join(repo, "backend/media/testdata/fuzz/FuzzWithDefaultCandidate"), "string", append(offers, answers...))
	n += write(t, filepath.Join(repo, "backend/platform/testdata/fuzz/FuzzAPIAnswer"), "bytes", api.bodies())
	fmt.Printf("e2e: fuzz seeds from the lab: %d SIP messages read, %d offers, %d answers, %d API answers; %d new files\n",
		len(reads), len(offers), len(answers), len(api.bodies()), n)
	if len(reads) == 0 || len(offers) == 0 || len(answers) == 0 || len(api.bodies()) == 0 {
		t.Fatal("a kind of traffic was not seen")
	}
}

// sipTrace keeps what sipgo read and wrote.
type sipTrace struct {
	mu            sync.Mutex
	read, written [][]byte
}

func (s *sipTrace) SIPTraceRead(_, _, _ string, msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read = append(s.read, bytes.Clone(msg))
}

func (s *sipTrace) SIPTraceWrite(_, _, _ string, msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written = append(s.written, bytes.Clone(msg))
}

// split returns the messages read, and the SDP offers (in INVITEs, either
// way) and answers (in 200s and 183s, either way) seen.
func (s *sipTrace) split() (reads, offers, answers [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range append(append([][]byte{}, s.read...), s.written...) {
		head, body, ok := bytes.Cut(m, []byte("\r\n\r\n"))
		if !ok || !bytes.HasPrefix(body, []byte("v=0")) {
			continue
		}
		if bytes.HasPrefix(head, []byte("SIP/2.0")) {
			answers = append(answers, body)
		} else if bytes.HasPrefix(head, []byte("INVITE")) {
			offers = append(offers, body)
		}
	}
	// One message of each kind (its first line's method or status, and
	// its CSeq's method): the REGISTER refreshes add nothing new.
	seen := map[string]bool{}
	for _, m := range s.read {
		first, _, _ := bytes.Cut(m, []byte("\r\n"))
		kind := string(bytes.Fields(first)[0])
		if bytes.HasPrefix(first, []byte("SIP/2.0")) && len(bytes.Fields(first)) > 1 {
			kind = string(bytes.Fields(first)[1])
		}
		if _, rest, ok := bytes.Cut(m, []byte("\r\nCSeq: ")); ok {
			line, _, _ := bytes.Cut(rest, []byte("\r\n"))
			kind += " " + string(line[bytes.LastIndexByte(line, ' ')+1:])
		}
		if !seen[kind] {
			seen[kind] = true
			reads = append(reads, m)
		}
	}
	return reads, offers, answers
}

var secretField = regexp.MustCompile(`"(SecretKey|Password|Token|access_token|refresh_token|id_token)"\s*:\s*"[^"]*"`)

// answerTrace keeps the platform's JSON answers.
type answerTrace struct {
	next http.RoundTripper
	mu   sync.Mutex
	got  [][]byte
}

func (a *answerTrace) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := a.next.RoundTrip(r)
	if err != nil || !strings.Contains(res.Header.Get("Content-Type"), "json") {
		return res, err
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	// The shapes are what the fuzzer needs; the lab's keys and tokens are
	// not kept in the repository.
	a.got = append(a.got, secretField.ReplaceAll(b, []byte(`"$1":"redacted-0123456789abcdef"`)))
	a.mu.Unlock()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res, nil
}

func (a *answerTrace) bodies() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.got
}

// write stores each input as a go fuzz corpus file named by its hash (so
// that a second capture adds only what is new) and returns how many it
// added.
func write(t *testing.T, dir, kind string, inputs [][]byte) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		sum := sha256.Sum256(in)
		path := filepath.Join(dir, "lab-"+hex.EncodeToString(sum[:8]))
		if _, err := os.Stat(path); err == nil {
			continue
		}
		v := "string(" + strconv.Quote(string(in)) + ")"
		if kind == "bytes" {
			v = "[]byte(" + strconv.Quote(string(in)) + ")"
		}
		if err := os.WriteFile(path, []byte("go test fuzz v1\n"+v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
