// Package pulse starts a private, headless PulseAudio for tests, with null
// sinks standing in for a headset, a ringer and a virtual microphone, and
// records and feeds them with pacat/parec. Like a desktop's PulseAudio (and
// PipeWire), it moves the streams of an unplugged device to the default one
// (module-rescue-streams). The server is loopback-free (a
// unix socket in a temporary folder) and stopped by the test's cleanup.
package pulse

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"voicedesk/backend/audio"
)

// Rate of the recordings and feeds.
const Rate = 48000

// T is what the server needs of its user: a *testing.T, or a benchmark
// program's stand-in.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
}

var _ T = testing.TB(nil)

// Program is the T of a program (a benchmark): a failure panics, which
// the program recovers from as its error; Done runs the cleanups.
type Program struct {
	mu       sync.Mutex
	cleanups []func()
}

func (p *Program) Helper()                        {}
func (p *Program) Skip(args ...any)               { panic(fmt.Sprint(args...)) }
func (p *Program) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// Cleanup registers f for Done.
func (p *Program) Cleanup(f func()) {
	p.mu.Lock()
	p.cleanups = append(p.cleanups, f)
	p.mu.Unlock()
}

// Done runs the cleanups, newest first.
func (p *Program) Done() {
	p.mu.Lock()
	c := p.cleanups
	p.cleanups = nil
	p.mu.Unlock()
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}

// Server is a running PulseAudio.
type Server struct {
	t   T
	env []string
	dir string

	mu  sync.Mutex
	cmd *exec.Cmd // the running daemon; nil once killed
}

// The devices every Server has.
const (
	Speaker = "speaker" // the default output
	Ringer  = "ringer"
	MicFeed = "micfeed" // what is played here is heard by Mic
	Mic     = "mic"     // the default input
)

// Start runs pulseaudio and points this process (PULSE_SERVER) at it.
func Start(t T) *Server {
	t.Helper()
	if _, err := exec.LookPath("pulseaudio"); err != nil {
		t.Skip("pulseaudio is not installed (scripts/setup.sh installs it)")
	}
	dir, err := os.MkdirTemp("", "voicedesk-pulse-")
	if err != nil {
		t.Fatalf("%v", err)
	}
	script := `load-module module-native-protocol-unix auth-anonymous=1 socket=` + filepath.Join(dir, "native") + `
load-module module-rescue-streams
load-module module-null-sink sink_name=speaker sink_properties=device.description=Headset rate=48000
load-module module-null-sink sink_name=ringer sink_properties=device.description=Ringer rate=48000
load-module module-null-sink sink_name=micfeed sink_properties=device.description=MicFeed rate=48000
load-module module-remap-source source_name=mic master=micfeed.monitor source_properties=device.description=Microphone
set-default-sink speaker
set-default-source mic
`
	if err := os.WriteFile(filepath.Join(dir, "default.pa"), []byte(script), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	s := &Server{t: t, dir: dir, env: []string{"PULSE_SERVER=unix:" + filepath.Join(dir, "native"), "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir}}
	t.Cleanup(func() {
		s.Kill()
		_ = os.RemoveAll(dir)
	})
	s.run()
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "PULSE_SERVER" {
			old, had := os.LookupEnv(k)
			_ = os.Setenv(k, v)
			t.Cleanup(func() {
				if had {
					_ = os.Setenv(k, old)
				} else {
					_ = os.Unsetenv(k)
				}
			})
		}
	}
	return s
}

// run starts the daemon on the server's socket and waits until it answers.
func (s *Server) run() {
	t := s.t
	cmd := exec.Command("pulseaudio", "-n", "-F", filepath.Join(s.dir, "default.pa"), "--daemonize=no",
		// real-time, as a desktop's sound server runs where it may
		"--realtime=yes", "--high-priority=yes", "--exit-idle-time=-1", "--disallow-exit", "--use-pid-file=no", "--log-target=file:"+filepath.Join(s.dir, "pulse.log"))
	cmd.Env = append(os.Environ(), s.env...)
	cmd.SysProcAttr = dieWithTest()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ctl("info") != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "pulse.log"))
			t.Fatalf("pulseaudio did not start:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill ends the daemon with SIGKILL, as a crash does: its clients lose
// their streams mid-call. Restart brings it back on the same socket, with
// the same devices.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// Restart starts the daemon again after Kill.
func (s *Server) Restart() { s.run() }

// Env is what a child process needs to use this server.
func (s *Server) Env() []string { return s.env }

// Ctl runs pactl with args.
func (s *Server) Ctl(args ...string) error {
	_, err := s.Output(args...)
	return err
}

// Output runs pactl with args and returns its output.
func (s *Server) Output(args ...string) (string, error) {
	cmd := exec.Command("pactl", args...)
	cmd.Env = append(os.Environ(), s.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("pactl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// AddSink adds a null sink (a USB headset being plugged in) and returns its
// module index, for Unplug.
func (s *Server) AddSink(name string) string {
	s.t.Helper()
	out, err := s.Output("load-module", "module-null-sink", "sink_name="+name, "rate=48000", "sink_properties=device.description="+name)
	if err != nil {
		s.t.Fatalf("%v", err)
	}
	return strings.TrimSpace(out)
}

// Unplug unloads a module: its devices disappear.
func (s *Server) Unplug(module string) {
	s.t.Helper()
	if err := s.Ctl("unload-module", module); err != nil {
		s.t.Fatalf("%v", err)
	}
}

// Recording is the audio of a sink's monitor, being recorded.
type Recording struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

// Record starts recording what is played on sink.
func (s *Server) Record(sink string) *Recording {
	s.t.Helper()
	cmd := exec.Command("parec", "--raw", "--device="+sink+".monitor", "--format=s16le", "--channels=1", fmt.Sprintf("--rate=%d", Rate), "--latency-msec=20")
	cmd.Env = append(os.Environ(), s.env...)
	cmd.SysProcAttr = dieWithTest()
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatalf("%v", err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("parec: %v", err)
	}
	r := &Recording{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		b := make([]byte, 4096)
		for {
			n, err := out.Read(b)
			r.mu.Lock()
			r.buf.Write(b[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	s.t.Cleanup(r.Stop)
	// parec takes up to a second to deliver its first samples (silence
	// included): wait for them, so the recording covers what comes next.
	deadline := time.Now().Add(5 * time.Second)
	for len(r.Samples(0)) < Rate/100 {
		if time.Now().After(deadline) {
			s.t.Fatalf("parec recorded nothing from %s in 5 s", sink)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

// Samples returns what was recorded so far; since returns only the last d.
func (r *Recording) Samples(last time.Duration) []int16 {
	r.mu.Lock()
	b := append([]byte(nil), r.buf.Bytes()...)
	r.mu.Unlock()
	pcm := make([]int16, len(b)/2)
	_ = binary.Read(bytes.NewReader(b[:len(pcm)*2]), binary.LittleEndian, pcm)
	if n := int(last.Seconds() * Rate); last > 0 && n < len(pcm) {
		pcm = pcm[len(pcm)-n:]
	}
	return pcm
}

// Reset forgets what was recorded so far.
func (r *Recording) Reset() {
	r.mu.Lock()
	r.buf.Reset()
	r.mu.Unlock()
}

// Stop ends the recording.
func (r *Recording) Stop() {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
	<-r.done
	_ = r.cmd.Wait()
}

// Feed plays src into sink (MicFeed: into the microphone) until the test
// ends, through a 20 ms playback buffer.
func (s *Server) Feed(sink string, src audio.Source) { s.FeedLatency(sink, src, 20*time.Millisecond) }

// FeedLatency is Feed through a playback buffer of latency: a feed whose
// timing nobody measures (a microphone's steady self-noise) need not keep
// the sink's latency low.
func (s *Server) FeedLatency(sink string, src audio.Source, latency time.Duration) {
	s.t.Helper()
	cmd := exec.Command("pacat", "--playback", "--raw", "--device="+sink, "--format=s16le", "--channels=1", fmt.Sprintf("--rate=%d", Rate), fmt.Sprintf("--latency-msec=%d", latency.Milliseconds()))
	cmd.Env = append(os.Environ(), s.env...)
	cmd.SysProcAttr = dieWithTest()
	in, err := cmd.StdinPipe()
	if err != nil {
		s.t.Fatalf("%v", err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("pacat: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		frame := make([]int16, Rate/50)
		b := make([]byte, len(frame)*2)
		for ctx.Err() == nil {
			_ = src.Read(frame, Rate)
			for i, v := range frame {
				binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
			}
			// pacat's pipe paces the writes to real time.
			if _, err := in.Write(b); err != nil {
				return
			}
		}
	}()
	s.t.Cleanup(func() {
		cancel()
		_ = in.Close()
		<-done
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// pacat, like parec, takes a while to start: wait until the sink plays.
	// Anything but exact zeros is pacat playing (a fed microphone's
	// self-noise is -70 dBFS).
	r := s.Record(sink)
	defer r.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for Level(r.Samples(100*time.Millisecond)) < -100 {
		if time.Now().After(deadline) {
			s.t.Fatalf("nothing is heard on %s 5 s after feeding it", sink)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Level is the RMS of samples in dBFS (-inf for silence, shown as -200).
func Level(samples []int16) float64 { return audio.Level(samples) }

// dieWithTest makes a helper process die with the test binary, so a test
// killed by its timeout leaves no PulseAudio behind.
func dieWithTest() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// ExpectTone fails the test unless a tone of want Hz carries most of
// samples' energy.
//
// The samples are judged in five windows, and the tone must hold half the
// energy of at least three, measured by 20 ms blocks (audio.ToneShare,
// whose 50 Hz bins tell the tests' tones apart): on a contended machine
// (steal time seen at 5-15 % here) the sound server drops a few periods,
// and each click jumps the tone's phase, which pulls a single bin over a
// whole window or second far under 0.5 while the tone plays.
func ExpectTone(t testing.TB, what string, samples []int16, rate, want int) {
	t.Helper()
	hz, share := audio.DominantFrequency(samples, rate)
	const windows = 5
	held, n := 0, len(samples)/windows
	// Each window is judged by 20 ms blocks (audio.ToneShare): a hiccup of
	// the machine (a stalled card, a trimmed buffer) jumps the tone's
	// phase, which costs a block, not the window.
	for i := 0; n > 0 && i < windows; i++ {
		if audio.ToneShare(samples[i*n:(i+1)*n], rate, want) >= 0.5 {
			held++
		}
	}
	t.Logf("%s: %d Hz (share %.2f; %.2f by blocks, %.1f dBFS), the tone in %d of %d windows", what, hz, share,
		audio.ToneShare(samples, rate, want), Level(samples), held, windows)
	if held < 3 {
		t.Fatalf("%s: dominant %d Hz (share %.2f), the tone in %d of %d windows, want %d Hz", what, hz, share, held, windows, want)
	}
}

// ExpectSilence fails the test unless samples are below -60 dBFS.
func ExpectSilence(t testing.TB, what string, samples []int16) {
	t.Helper()
	if l := Level(samples); l > -60 {
		t.Fatalf("%s: %.1f dBFS, want silence", what, l)
	}
}
