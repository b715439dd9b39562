package calls

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/bridge"
	"voicedesk/backend/phone"
	"voicedesk/test/desktop"
)

// floodPhone rejects every incoming call a moment after it rings, as an
// agent busy in a call would, so that the flood keeps meeting a phone with
// room for one more ringing call and one without.
type floodPhone struct {
	mu    sync.Mutex
	p     *phone.Phone
	b     *bridge.Server // the phone's events go to its clients too, as in the app
	rang  int
	names map[string]int
}

func (f *floodPhone) Emit(name string, detail any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.names == nil {
		f.names = map[string]int{}
	}
	f.names[name]++
	if f.b != nil {
		f.b.Emit(name, detail)
	}
	c, ok := detail.(phone.CallEvent)
	if name != phone.EventCallIncoming || !ok || f.p == nil {
		return
	}
	f.rang++
	p := f.p
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = p.RejectCall(c.CallID)
	}()
}

// TestSIPFloods: SIPp (sip-tester) sends 50 INVITEs a second through
// Kamailio to the signed-in agent, who is in a call with the lab's tone
// phone. Every INVITE gets a final answer (486 beyond call waiting, 603
// for those that rang and were rejected), the phone keeps answering, and
// the established call's tone is heard at its level in every 100 ms of the
// flood. VOICEDESK_FLOOD_SECONDS sets its length (5 s here, 30 in make
// chaos).
func TestSIPFloods(t *testing.T) {
	if _, err := exec.LookPath("sipp"); err != nil {
		t.Fatal("sipp is missing (Debian's sip-tester; make setup installs it)")
	}
	seconds := 5
	if s := os.Getenv("VOICEDESK_FLOOD_SECONDS"); s != "" {
		var err error
		if seconds, err = strconv.Atoi(s); err != nil || seconds < 1 || seconds > 120 {
			t.Fatalf("VOICEDESK_FLOOD_SECONDS=%q: want 1-120", s)
		}
	}
	const rate = 50
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second+90*time.Second)
	defer cancel()
	heard := &audio.Recorder{}
	em := &floodPhone{}
	p := aliceHearing(t, ctx, phone.Config{}, em, heard)
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if calls := p.State().Calls; len(calls) == 1 && calls[0].State == "connected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's call did not connect: %+v", p.State().Calls)
		}
	}
	time.Sleep(time.Second) // the tone's level before the flood
	em.mu.Lock()
	em.p = p
	em.mu.Unlock()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()
	// The test's own recording of the call grows by 96 KB a second: the
	// heap's figures leave it out.
	recBefore := uint64(2 * len(samplesOf(heard)))
	_, rateHz := heard.Samples()
	floodStart := len(samplesOf(heard))

	// The phone answers its API throughout, as an integration sees it: the
	// phone served by the bridge (JSON-RPC over a loopback WebSocket), its
	// events broadcast to the client too, and the slowest state request.
	const token = "flood-test-token-0123456789"
	srv, err := bridge.Listen(bridge.Config{Addr: "127.0.0.1:0", Token: token, Methods: p, EventMethod: "phone-event"})
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	go func() { _ = srv.Serve(serveCtx) }()
	em.mu.Lock()
	em.b = srv
	em.mu.Unlock()
	client, err := desktop.DialBridgeFrom(ctx, "http://"+srv.Addr()+"/?token="+token, "")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	stop := make(chan struct{})
	var slowest time.Duration
	var probes int
	var probeErr error
	var probing sync.WaitGroup
	probing.Add(1)
	go func() {
		defer probing.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			t0 := time.Now()
			if _, err := client.Call("state"); err != nil && probeErr == nil {
				probeErr = err
			}
			slowest = max(slowest, time.Since(t0))
			probes++
		}
	}()
	n := rate * seconds
	started := time.Now()
	counts := runSIPp(ctx, t, "invite-flood.xml", rate, n, seconds)
	took := time.Since(started)
	if counts["486"] == 0 || counts["603"] == 0 || counts["486"]+counts["603"] != n {
		t.Errorf("of %d INVITEs: %v; want each answered 486 (busy) or 603 (rung and rejected)", n, counts)
	}
	options := runSIPp(ctx, t, "options-flood.xml", rate, n, seconds)
	if options["200"] != n {
		t.Errorf("of %d OPTIONS: %v; want each answered 200", n, options)
	}
	messages := runSIPp(ctx, t, "message-flood.xml", rate, n, seconds)
	if messages["405"] != n {
		t.Errorf("of %d MESSAGEs: %v; want each answered 405", n, messages)
	}
	close(stop)
	probing.Wait()
	if probeErr != nil {
		t.Errorf("the bridge's state request during the flood: %v", probeErr)
	}
	floodEnd := len(samplesOf(heard))
	if calls := p.State().Calls; len(calls) < 1 || calls[0].Detail.CallID != id || calls[0].State != "connected" {
		t.Fatalf("the agent's call after the flood: %+v", calls)
	}
	// What the agent heard through the flood: the lab's tone in every 100 ms, at its level.
	all := samplesOf(heard)
	ref := all[max(0, floodStart-rateHz):floodStart]
	refLevel := dbfs(ref)
	bad, windows, worst := toneWindows(all[floodStart:floodEnd], rateHz, refLevel)
	if bad > 0 {
		t.Errorf("%d of %d 100 ms windows of the call during the flood lacked the tone at its level (%.1f dBFS; worst off by %.1f dB)", bad, windows, refLevel, worst)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	recAfter := uint64(2 * len(samplesOf(heard)))
	time.Sleep(2 * time.Second) // the rejected calls' goroutines end
	em.mu.Lock()
	rang := em.rang
	em.mu.Unlock()
	fmt.Printf("e2e: SIP floods: %d INVITEs at %d/s in %.1f s through Kamailio: %d busy (486), %d rang and rejected (603); %d OPTIONS: %d 200; %d MESSAGEs: %d 405; the call's tone in every 100 ms (worst %.1f dB off its level); the bridge's state request slowest %v of %d (%d events sent to its client); heap without the recording %.1f -> %.1f MB, goroutines %d -> %d\n",
		n, rate, took.Seconds(), counts["486"], counts["603"], n, options["200"], n, messages["405"], worst, slowest.Round(time.Microsecond), probes, len(client.Events),
		float64(before.HeapAlloc-recBefore)/1e6, float64(after.HeapAlloc-recAfter)/1e6, goroutinesBefore, runtime.NumGoroutine())
	if rang != counts["603"] {
		t.Errorf("%d calls rang the agent, %d were answered 603", rang, counts["603"])
	}
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
}

// runSIPp runs a scenario of testdata at the lab's Kamailio, to alice: n
// calls at rate a second, and returns the answers it got by status.
func runSIPp(ctx context.Context, t *testing.T, scenario string, rate, n, seconds int) map[string]int {
	t.Helper()
	dir := t.TempDir()
	fields := filepath.Join(dir, "fields.csv")
	if err := os.WriteFile(fields, []byte(fmt.Sprintf("SEQUENTIAL\n%s;%s;x;\n", lab.Probe.Username, lab.Domain)), 0o600); err != nil {
		t.Fatal(err)
	}
	sf, err := filepath.Abs(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "sipp", "-sf", sf, "-s", "alice", "-inf", fields,
		"-au", lab.Probe.Username, "-ap", lab.Probe.Password, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", strconv.Itoa(freeUDPPort(t)),
		"-r", strconv.Itoa(rate), "-m", strconv.Itoa(n), "-l", "500", "-timeout", fmt.Sprintf("%ds", seconds+30),
		"-nostdin", "-trace_screen", lab.SIPProxy)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	screen, _ := filepath.Glob(filepath.Join(dir, "*_screen.log"))
	var text string
	if len(screen) == 1 {
		b, _ := os.ReadFile(screen[0])
		text = string(b)
	}
	if err != nil {
		t.Fatalf("sipp %s: %v\n%s\n%s", scenario, err, out, text)
	}
	return sippCounts(text)
}

func samplesOf(r *audio.Recorder) []int16 {
	s, _ := r.Samples()
	return s
}

func dbfs(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	if len(s) == 0 || sum == 0 {
		return -120
	}
	return 10 * math.Log10(sum/float64(len(s))/(32768*32768))
}

var sippRow = regexp.MustCompile(`(?m)^\s+(\d{3}) <-+\s+(\d+)`)

// sippCounts reads the responses received from SIPp's screen.
func sippCounts(screen string) map[string]int {
	counts := map[string]int{}
	for _, m := range sippRow.FindAllStringSubmatch(screen, -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "407" || m[1] == "100" {
			continue
		}
		counts[m[1]] += n
	}
	return counts
}

func freeUDPPort(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
