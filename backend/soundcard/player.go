package soundcard

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gen2brain/malgo"

	"voicedesk/backend/audio"
)

// Player plays a generated sound (a ringtone, ringback) on one device
// until closed.
type Player struct {
	dev   *malgo.Device
	card  *Card
	muted atomic.Bool
	once  sync.Once
}

// Play starts src on the output device id ("" or missing: the default).
// src is read on the card's thread at the card's rate, so it must be cheap
// and must not block; the generators of backend/audio are.
func (c *Card) Play(id string, src audio.Source) (*Player, error) {
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format, cfg.Playback.Channels = malgo.FormatS16, 1
	// Short periods: DTMF feedback and ringback start when they should.
	cfg.PeriodSizeInMilliseconds = periodMs
	cfg.PerformanceProfile = malgo.LowLatency
	var rate int
	var pcm []int16
	pl := &Player{card: c}
	dev, _, _, err := c.initDevice(malgo.Playback, id, cfg, malgo.DeviceCallbacks{
		Data: func(out, _ []byte, n uint32) {
			if cap(pcm) < int(n) {
				pcm = make([]int16, n)
			}
			p := pcm[:n]
			if pl.muted.Load() {
				clear(p)
			} else if err := src.Read(p, rate); err != nil {
				clear(p)
			}
			for i, v := range p {
				binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: open speaker %q for a tone: %v", ErrNoDevice, id, err)
	}
	rate = int(dev.SampleRate())
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, fmt.Errorf("%w: start speaker %q for a tone: %v", ErrNoDevice, id, err)
	}
	pl.dev = dev
	return pl, nil
}

// Close stops the sound at once and releases the device in the background:
// closing a PulseAudio stream waits for the server to cork it, which is
// acknowledged by the sink's own thread, and a sink that was idle renders in
// blocks of up to two seconds (module-null-sink, and any sink whose
// latency was raised while nothing played) before it reads its messages
// again. Measured: a ringtone closed 700 ms after it started held the
// caller's answer for 1.3 s. Answering a call must not wait for that; the
// muted device plays silence until it is gone, and Card.Close waits for it.
func (p *Player) Close() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		p.muted.Store(true)
		p.card.closing.Add(1)
		go func() {
			defer p.card.closing.Done()
			p.dev.Uninit()
		}()
	})
}

// Listener hears one input device (a microphone, or PulseAudio's monitor of
// an output) until closed.
type Listener struct {
	dev  *malgo.Device
	once sync.Once
}

// Listen calls fn with every period captured from the input device id, at
// the card's rate, on the card's thread (fn must be quick). Tests and
// benchmarks use it to hear what an output played.
func (c *Card) Listen(id string, fn func(pcm []int16, rate int)) (*Listener, error) {
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatS16, 1
	cfg.PeriodSizeInMilliseconds = periodMs
	cfg.PerformanceProfile = malgo.LowLatency
	var rate int
	var pcm []int16
	dev, _, _, err := c.initDevice(malgo.Capture, id, cfg, malgo.DeviceCallbacks{
		Data: func(_, in []byte, n uint32) {
			if cap(pcm) < int(n) {
				pcm = make([]int16, n)
			}
			p := pcm[:n]
			for i := range p {
				p[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
			}
			fn(p, rate)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: open input %q: %v", ErrNoDevice, id, err)
	}
	rate = int(dev.SampleRate())
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, fmt.Errorf("%w: start input %q: %v", ErrNoDevice, id, err)
	}
	return &Listener{dev: dev}, nil
}

// Close stops listening.
func (l *Listener) Close() {
	if l == nil {
		return
	}
	l.once.Do(func() { l.dev.Uninit() })
}
