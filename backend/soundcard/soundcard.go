// Package soundcard is the phone's sound hardware, through miniaudio
// (malgo): the list of microphones and speakers with stable ids, the
// duplex stream of a call (with echo cancellation and noise suppression from
// backend/dsp, and resampling between the card's rate and the codecs'), and
// one-off players for the ringtone and other tones.
//
// A call stream's devices run C callbacks on miniaudio's threads that only
// move samples through lock-free rings (direct.go); the call's own clock
// does the rest in Go. The tone players' callbacks are Go. A stream's
// watcher goroutine ends in its Close.
package soundcard

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Rate is the engine's own rate: the card's audio is resampled to it, the
// echo canceller works at it, and Opus uses it as it is.
const Rate = 48000

// frame is the echo canceller's and noise suppressor's frame: 10 ms.
const frame = Rate / 100

// ErrNoDevice is the error of a card with no usable microphone or speaker:
// none present, all busy, or no sound server.
var ErrNoDevice = errors.New("no usable audio device")

// Device is one microphone or speaker.
type Device struct {
	// ID is stable across runs and re-plugging (the sound server's name
	// for the device), so a choice can be stored.
	ID      string `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

// Devices are the inputs (microphones) and outputs (speakers, headsets).
type Devices struct {
	Inputs  []Device `json:"inputs"`
	Outputs []Device `json:"outputs"`
}

// Card is the sound system of the machine.
type Card struct {
	ctx   *malgo.AllocatedContext
	log   *slog.Logger
	pulse bool // the PulseAudio backend (or PipeWire's pulse server)

	// opMu serialises miniaudio's context operations (listing, opening):
	// on PulseAudio they share the context's main loop, which aborts the
	// process when iterated from two threads at once. It also covers the
	// environment that names the device to open (see initDevice).
	opMu sync.Mutex

	// closing counts the players being released in the background (see
	// Player.Close); Close waits for them before ending the context.
	closing sync.WaitGroup
	// releaseMTA ends the thread that keeps COM's multithreaded apartment
	// open on Windows (holdMTA); a no-op elsewhere.
	releaseMTA func()

	mu sync.Mutex
	// ids maps a Device.ID to miniaudio's id, in C memory as InitDevice
	// wants it; kept for the Card's life, so each id is allocated once.
	ids map[string]unsafe.Pointer
	// retired are contexts replaced by reconnect (under opMu): devices
	// opened on them may still be closing, so they are freed by Close.
	retired []*malgo.AllocatedContext
	cfg     malgo.ContextConfig
}

// Open connects to the sound system: the first of systemBackends that
// answers (on Linux PulseAudio or PipeWire's pulse server, else ALSA; on
// Windows WASAPI, else DirectSound).
func Open(log *slog.Logger) (*Card, error) {
	if log == nil {
		log = slog.Default()
	}
	pulse := false
	// The devices' threads ask for real-time scheduling, so that a busy
	// machine (a build, a browser) does not starve them into gaps and
	// echo-path jumps; miniaudio falls back to a normal thread where the
	// system does not allow it (no CAP_SYS_NICE / RLIMIT_RTPRIO).
	cfg := malgo.ContextConfig{ThreadPriority: malgo.ThreadPriorityRealtime}
	var ctx *malgo.AllocatedContext
	err := errors.New("no sound system for this OS")
	releaseMTA := holdMTA()
	for _, b := range systemBackends {
		if ctx, err = malgo.InitContext([]malgo.Backend{b}, cfg, miniaudioLog(log)); err == nil {
			pulse = b == malgo.BackendPulseaudio
			break
		}
	}
	if err != nil {
		releaseMTA()
		return nil, fmt.Errorf("%w: open the sound system: %v", ErrNoDevice, err)
	}
	return &Card{ctx: ctx, log: log, pulse: pulse, ids: map[string]unsafe.Pointer{}, cfg: cfg, releaseMTA: releaseMTA}, nil
}

// miniaudioLog passes on what miniaudio says about a failure (its error
// codes alone, "Unknown error", tell a user nothing); its chatter about the
// machine and the devices it opened goes to the debug level.
func miniaudioLog(log *slog.Logger) func(string) {
	return func(msg string) {
		msg = strings.TrimSpace(msg)
		if msg == "" {
			return
		}
		if strings.Contains(msg, "Failed") || strings.Contains(msg, "failed") || strings.Contains(msg, "Error") {
			log.Warn("sound system", "said", msg)
			return
		}
		log.Debug("sound system", "said", msg)
	}
}

// reconnect (under opMu) connects to the sound server anew. miniaudio's
// PulseAudio context holds one connection to the server for listing
// devices; when the server dies (a crash, a restart by the desktop) that
// connection is dead for good and every listing fails, so a stream never
// learnt that the server was back and a call stayed silent to its end.
// The old context is kept until Close: devices opened on it may still be
// closing.
func (c *Card) reconnect() error {
	if !c.pulse {
		return errors.New("not on PulseAudio")
	}
	ctx, err := malgo.InitContext([]malgo.Backend{malgo.BackendPulseaudio}, c.cfg, miniaudioLog(c.log))
	if err != nil {
		return fmt.Errorf("%w: reconnect to the sound server: %v", ErrNoDevice, err)
	}
	c.retired = append(c.retired, c.ctx)
	c.ctx = ctx
	return nil
}

// initDevice opens device id ("" the default; missing: the default, and
// present false). On PulseAudio a stream opened on a named device is pinned
// to it (miniaudio sets PA_STREAM_DONT_MOVE): unplugging the device kills
// the stream, and closing it then blocks in miniaudio. So there the device
// is named the way pulse's own tools do it, with $PULSE_SINK/$PULSE_SOURCE
// for an unnamed stream, which the server moves to the default device when
// its own goes away.
func (c *Card) initDevice(kind malgo.DeviceType, id string, cfg malgo.DeviceConfig, cb malgo.DeviceCallbacks) (dev *malgo.Device, ctx malgo.Context, present bool, err error) {
	ptr, present := c.lookup(kind, id)
	c.opMu.Lock()
	defer c.opMu.Unlock()
	ctx = c.ctx.Context
	if !c.pulse || !present || id == "" {
		if kind == malgo.Capture {
			cfg.Capture.DeviceID = ptr
		} else {
			cfg.Playback.DeviceID = ptr
		}
		dev, err = malgo.InitDevice(ctx, cfg, cb)
		return dev, ctx, present, err
	}
	env := "PULSE_SINK"
	if kind == malgo.Capture {
		env = "PULSE_SOURCE"
	}
	old, had := os.LookupEnv(env)
	_ = os.Setenv(env, id)
	dev, err = malgo.InitDevice(ctx, cfg, cb)
	if had {
		_ = os.Setenv(env, old)
	} else {
		_ = os.Unsetenv(env)
	}
	return dev, ctx, present, err
}

// Close releases the sound system. Streams must be closed first.
func (c *Card) Close() {
	if c == nil || c.ctx == nil {
		return
	}
	done := make(chan struct{})
	go func() { c.closing.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		// A device miniaudio cannot release still uses the context: it is
		// left to the process's exit rather than freed under it.
		c.log.Warn("a tone's audio device did not close; leaving the sound system open")
		return
	}
	for _, ctx := range append(c.retired, c.ctx) {
		_ = ctx.Uninit()
		ctx.Free()
	}
	c.ctx, c.retired = nil, nil
	c.releaseMTA()
}

// Devices lists the microphones and speakers present now.
func (c *Card) Devices() (Devices, error) {
	var d Devices
	var err error
	if d.Inputs, err = c.list(malgo.Capture); err != nil {
		return d, err
	}
	if d.Outputs, err = c.list(malgo.Playback); err != nil {
		return d, err
	}
	return d, nil
}

func (c *Card) list(kind malgo.DeviceType) ([]Device, error) {
	c.opMu.Lock()
	infos, err := c.ctx.Devices(kind)
	if err != nil && c.pulse {
		// The server may have died and come back: a new connection lists
		// it (and fails the same while it is still away).
		if rerr := c.reconnect(); rerr == nil {
			infos, err = c.ctx.Devices(kind)
		}
	}
	c.opMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("list audio devices: %w", err)
	}
	out := make([]Device, 0, len(infos))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, info := range infos {
		id := deviceID(info.ID)
		if _, ok := c.ids[id]; !ok {
			c.ids[id] = info.ID.Pointer()
		}
		out = append(out, Device{ID: id, Name: info.Name(), Default: info.IsDefault != 0})
	}
	return out, nil
}

// deviceID is the sound server's name for a device (PulseAudio's sink or
// source name, ALSA's "hw:1,0"), which survives restarts and re-plugging;
// miniaudio's id bytes in hex when they are not such a name.
func deviceID(id malgo.DeviceID) string {
	b := id[:]
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	printable := len(b) > 0
	for _, ch := range b {
		if ch < 0x20 || ch > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		return string(b)
	}
	return "x:" + id.String()
}

// lookup returns miniaudio's id for a Device.ID, nil (the default device)
// for "" or an id not present now.
func (c *Card) lookup(kind malgo.DeviceType, id string) (unsafe.Pointer, bool) {
	if id == "" {
		return nil, true
	}
	list, err := c.list(kind)
	if err != nil {
		return nil, false
	}
	for _, d := range list {
		if d.ID == id {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.ids[id], true
		}
	}
	return nil, false
}
