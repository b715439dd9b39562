// Package netem puts a call across a bad link: the phone (backend/phone on
// the real media engine; its SIP faked) in one process, the media engine
// as the far end in another, and between them on loopback a relay that
// loses, delays, reorders and cuts their packets as tc netem would (this
// kernel has no netem; relay_test.go): random and bursty loss, jitter with
// reordering, outages, both directions.
//
// VOICEDESK_NETEM=all (make chaos) runs every condition; make test runs
// one (5 % loss).
package netem

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

type msg struct {
	Cmd    string          `json:"cmd,omitempty"`
	Name   string          `json:"name,omitempty"`
	SDP    string          `json:"sdp,omitempty"`
	Event  string          `json:"event,omitempty"`
	Detail json.RawMessage `json:"detail,omitempty"`
	Report *report         `json:"report,omitempty"`
	Err    string          `json:"error,omitempty"`
}

type report struct {
	Phases []phase `json:"phases"`
	Stats  *struct {
		PacketsReceived uint32  `json:"packetsReceived"`
		PacketsLost     int32   `json:"packetsLost"`
		Jitter          float64 `json:"jitterMs"`
		Concealed       int     `json:"concealed"`
		BufferFrames    int     `json:"bufferFrames"`
	} `json:"stats"`
}

type phase struct {
	Name              string
	Windows, Heard    int
	FirstHeardMs      int `json:"firstHeardMs"`
	Concealed, Target int
	Recovered         int
}

// end is one endpoint process in its namespace.
type end struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	in     *json.Encoder
	out    chan msg
	stderr *bytes.Buffer
	mu     sync.Mutex
	events []msg
}

func run(t *testing.T, ns, bin string, args ...string) *end {
	e := &end{t: t, name: ns, out: make(chan msg, 64), stderr: &bytes.Buffer{}}
	e.cmd = exec.Command(bin, args...)
	e.cmd.Stderr = e.stderr
	w, err := e.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	e.in = json.NewEncoder(w)
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m msg
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			if m.Event != "" {
				e.mu.Lock()
				e.events = append(e.events, m)
				e.mu.Unlock()
				continue
			}
			e.out <- m
		}
		close(e.out)
	}()
	t.Cleanup(func() {
		_ = e.in.Encode(msg{Cmd: "stop"})
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = e.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("%s's log:\n%s", ns, e.stderr.String())
		}
	})
	return e
}

func (e *end) send(m msg) {
	if err := e.in.Encode(m); err != nil {
		e.t.Fatalf("%s: %v", e.name, err)
	}
}

func (e *end) next() msg {
	select {
	case m, ok := <-e.out:
		if !ok {
			e.t.Fatalf("%s ended:\n%s", e.name, e.stderr.String())
		}
		if m.Err != "" {
			e.t.Fatalf("%s: %s\n%s", e.name, m.Err, e.stderr.String())
		}
		return m
	case <-time.After(20 * time.Second):
		e.t.Fatalf("%s said nothing for 20 s:\n%s", e.name, e.stderr.String())
	}
	return msg{}
}

// said returns the events named so far (call-quality-changed: with the verdict).
func (e *end) said() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, m := range e.events {
		s := m.Event
		var q struct {
			Quality   string `json:"quality"`
			EndReason string `json:"endReason"`
		}
		if json.Unmarshal(m.Detail, &q) == nil {
			if q.Quality != "" {
				s += ":" + q.Quality
			}
			if q.EndReason != "" {
				s += ":" + q.EndReason
			}
		}
		out = append(out, s)
	}
	return out
}

// condition is one way the network goes bad, for how long, and what must hold.
type condition struct {
	name string
	imp  impairment
	for_ time.Duration
	// heardDuring: the share of 100 ms windows each way with the tone at
	// its level while the condition lasts (0: not judged).
	heardDuring float64
	// ends: the call ends (the phone's RTP timeout), with this endReason.
	ends string
}

var conditions = []condition{
	{"random loss 5%", impairment{loss: 0.05}, 8 * time.Second, 0.90, ""},
	{"random loss 15%", impairment{loss: 0.15}, 8 * time.Second, 0.70, ""},
	{"bursty loss (Gilbert-Elliott p 1%, r 30%, 70% lost in bursts)", impairment{ge: &gilbert{p: 0.01, r: 0.30, lossBad: 0.70, lossGood: 0.001}}, 8 * time.Second, 0.80, ""},
	{"jitter 30 +- 20 ms with reordering", impairment{delay: 30 * time.Millisecond, jitter: 20 * time.Millisecond}, 8 * time.Second, 0.95, ""},
	{"a 2 s outage", impairment{down: true}, 2 * time.Second, 0, ""},
	{"a 30 s outage", impairment{down: true}, 30 * time.Second, 0, "media-failed"},
}

func TestCallOverABadNetwork(t *testing.T) {
	rl, err := newRelay()
	if err != nil {
		t.Fatal(err)
	}
	defer rl.close()
	bin := filepath.Join(t.TempDir(), "endpoint")
	if out, err := exec.Command("go", "build", "-o", bin, "./endpoint").CombinedOutput(); err != nil {
		t.Fatalf("build the endpoint: %v\n%s", err, out)
	}
	run_ := conditions[:1]
	if os.Getenv("VOICEDESK_NETEM") == "all" {
		run_ = conditions
	}
	near := run(t, "phone", bin, "-role", "near", "-tone", "1000", "-hear", "700")
	far := run(t, "far end", bin, "-role", "far", "-tone", "700", "-hear", "1000")
	// The far end learns of the phone at the relay's far side, and the
	// phone of the far end at the relay's near side.
	offerFar, nearAddr, err := through(near.next().SDP, rl.toFar.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	rl.near = nearAddr
	far.send(msg{SDP: offerFar})
	answer, farAddr, err := through(far.next().SDP, rl.toNear.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	rl.far = farAddr
	rl.start()
	near.send(msg{SDP: answer})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(near.said(), " "), "call-confirmed") {
		if time.Now().After(deadline) {
			t.Fatalf("the call did not connect: %v", near.said())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	// saidAt: how many of the phone's events had come at each mark.
	saidAt := map[string]int{}
	mark := func(name string) {
		near.send(msg{Cmd: "mark", Name: name})
		far.send(msg{Cmd: "mark", Name: name})
		saidAt[name] = len(near.said())
	}
	mark("clean")
	time.Sleep(3 * time.Second)
	for _, c := range run_ {
		rl.set(c.imp)
		mark(c.name)
		time.Sleep(c.for_)
		rl.set(impairment{})
		mark("after " + c.name)
		time.Sleep(4 * time.Second)
	}
	near.send(msg{Cmd: "report"})
	far.send(msg{Cmd: "report"})
	nr, fr := near.next().Report, far.next().Report
	said := near.said()
	t.Logf("the phone said: %v", said)
	passed, lost := rl.counts()
	fmt.Printf("e2e: bad network (both directions; heard = 100 ms windows with the other end's tone at its level; the relay passed %d/%d and lost %d/%d packets phone->far/far->phone)\n", passed[0], passed[1], lost[0], lost[1])
	fmt.Printf("e2e: %-58s %-18s %-18s %-16s %-9s %s\n", "condition", "phone hears", "far end hears", "concealed (FEC)", "jb target", "audio back after")
	for i := range nr.Phases {
		np, fp := nr.Phases[i], fr.Phases[i]
		back := "-"
		if strings.HasPrefix(np.Name, "after ") && np.FirstHeardMs >= 0 {
			back = fmt.Sprintf("%d ms", np.FirstHeardMs)
		}
		fmt.Printf("e2e: %-58s %3d/%3d (%5.1f%%)  %3d/%3d (%5.1f%%)  %-16s %-9d %s\n", np.Name, np.Heard, np.Windows, pct(np), fp.Heard, fp.Windows, pct(fp),
			fmt.Sprintf("%d (%d)", np.Concealed, np.Recovered), np.Target, back)
	}
	for i, c := range run_ {
		// The line-quality indicator: not "good" while the line is bad,
		// "good" again after (an outage of no packets is "poor" too).
		next := len(said)
		if i+1 < len(run_) {
			next = saidAt[run_[i+1].name]
		}
		while, then := said[saidAt[c.name]:saidAt["after "+c.name]], said[saidAt["after "+c.name]:next]
		bad := func(s string) bool { return s == "call-quality-changed:fair" || s == "call-quality-changed:poor" }
		// An outage shorter than the 2 s verdict is seen as the loss it
		// leaves once audio is back: in the interval after it.
		if c.imp.delay == 0 && !slices.ContainsFunc(append(slices.Clone(while), then...), bad) {
			t.Errorf("%s: the phone did not say the line was fair or poor: %v then %v", c.name, while, then)
		}
		if c.ends == "" && (len(then) == 0 && slices.ContainsFunc(while, bad) || len(then) > 0 && then[len(then)-1] != "call-quality-changed:good") {
			t.Errorf("%s: the phone did not end by saying the line was good again: %v then %v", c.name, while, then)
		}
		during, after := nr.Phases[1+2*i], nr.Phases[2+2*i]
		fDuring, fAfter := fr.Phases[1+2*i], fr.Phases[2+2*i]
		if c.heardDuring > 0 && (pct(during) < 100*c.heardDuring || pct(fDuring) < 100*c.heardDuring) {
			t.Errorf("%s: heard %.1f%% (phone) and %.1f%% (far end) of the windows, want %.0f%% or more", c.name, pct(during), pct(fDuring), 100*c.heardDuring)
		}
		if c.ends != "" {
			if !strings.Contains(strings.Join(said, " "), "call-ended:"+c.ends) {
				t.Errorf("%s: the call did not end as %s: %v", c.name, c.ends, said)
			}
			continue
		}
		if slices.ContainsFunc(said[:next], func(s string) bool { return strings.HasPrefix(s, "call-ended") }) {
			t.Errorf("%s: the call ended: %v", c.name, said[:next])
		}
		// After the condition the call is whole again within a second.
		if after.FirstHeardMs < 0 || after.FirstHeardMs > 1000 || fAfter.FirstHeardMs < 0 || fAfter.FirstHeardMs > 1000 {
			t.Errorf("%s: audio back after %d ms (phone) and %d ms (far end), want within 1 s", c.name, after.FirstHeardMs, fAfter.FirstHeardMs)
		}
	}
}

func pct(p phase) float64 {
	if p.Windows == 0 {
		return 0
	}
	return 100 * float64(p.Heard) / float64(p.Windows)
}
