package soundcard

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"voicedesk/backend/audio"

	"voicedesk/backend/settings"
)

// Handling is the reference's AudioHandlingEnum.
type Handling string

const (
	// HandlingDefault opens the microphone and speaker only for calls.
	HandlingDefault Handling = "default"
	// HandlingLegacy keeps them open all the time (no start-up delay, and a
	// headset's microphone LED stays on).
	HandlingLegacy Handling = "legacy"
)

// ErrBadHandling is the error of an unknown audio handling.
var ErrBadHandling = errors.New("Audio handling must be 'default' or 'legacy'")

// ErrHandlingByUser is setAudioHandling's error once the user has chosen
// the handling in the phone's UI, which the reference says wins.
var ErrHandlingByUser = errors.New("Audio handling cannot be changed because the user has selected the audio handling mode in the phone UI")

// Choice is the user's audio set-up.
type Choice struct {
	Mic, Speaker, Ringer string // Device.IDs; "" the default
	EchoCancel           bool
	NoiseSuppression     bool
	// AutoGain raises a quiet microphone's speech (off by default: levels
	// are the user's until they ask).
	AutoGain bool
	Handling Handling
	// HandlingByUser: the handling was chosen in the UI (SetHandling).
	HandlingByUser bool
}

// Manager gives the phone its sound according to the user's choice: the
// call stream (per call, or kept open in legacy handling) and tone players
// on the ringer or the speaker. Safe for concurrent use.
type Manager struct {
	card     *Card
	onDevice func(kind, id string, fallback bool)

	mu     sync.Mutex
	choice Choice
	shared *Stream // legacy handling's stream
	inUse  int     // calls holding the shared stream
	// testStop ends the settings' test sound early (a new test, Close).
	testStop func()
}

// NewManager manages card (nil when the sound system could not be opened:
// every call and tone then fails with ErrNoDevice). onDevice is told of
// devices going away and coming back mid-stream.
func NewManager(card *Card, c Choice, onDevice func(kind, id string, fallback bool)) *Manager {
	if c.Handling == "" {
		c.Handling = HandlingDefault
	}
	m := &Manager{card: card, choice: c, onDevice: onDevice}
	if c.Handling == HandlingLegacy {
		_ = m.openShared()
	}
	return m
}

// Choice returns the current choice.
func (m *Manager) Choice() Choice {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.choice
}

// Set changes the choice. A call in progress keeps its devices; the next
// one uses the new ones.
func (m *Manager) Set(c Choice) error {
	if c.Handling == "" {
		c.Handling = HandlingDefault
	}
	if c.Handling != HandlingDefault && c.Handling != HandlingLegacy {
		return fmt.Errorf("%w, got %q", ErrBadHandling, c.Handling)
	}
	m.mu.Lock()
	old := m.choice
	m.choice = c
	var stale *Stream
	if m.shared != nil && m.inUse == 0 && (c.Handling != HandlingLegacy || streamChoiceChanged(old, c)) {
		stale, m.shared = m.shared, nil
	}
	m.mu.Unlock()
	if stale != nil {
		stale.Close()
	}
	if c.Handling == HandlingLegacy {
		return m.openShared()
	}
	return nil
}

// SetHandling is the reference's setAudioHandling (byUser false) and the
// UI's choice (byUser true), which from then on the programmatic call may
// not override.
func (m *Manager) SetHandling(h Handling, byUser bool) (Choice, error) {
	if h != HandlingDefault && h != HandlingLegacy {
		return Choice{}, fmt.Errorf("%w, got %q", ErrBadHandling, h)
	}
	c := m.Choice()
	if !byUser && c.HandlingByUser {
		return c, ErrHandlingByUser
	}
	c.Handling = h
	c.HandlingByUser = c.HandlingByUser || byUser
	return c, m.Set(c)
}

// Choose applies the user's choice from the phone's settings. A handling
// changed there is the user's from then on, which setAudioHandling may
// not override (SetHandling with byUser false is refused).
func (m *Manager) Choose(c Choice) (Choice, error) {
	old := m.Choice()
	c.HandlingByUser = old.HandlingByUser || c.Handling != old.Handling
	return c, m.Set(c)
}

// ChoiceOf is the choice kept in the settings file; what it leaves out
// is the default (echo cancellation and noise suppression on).
func ChoiceOf(a settings.Audio) Choice {
	return Choice{Mic: a.Mic, Speaker: a.Speaker, Ringer: a.Ringer,
		EchoCancel: settings.On(a.EchoCancel), NoiseSuppression: settings.On(a.NoiseSuppression), AutoGain: a.AutoGain,
		Handling: Handling(a.Handling), HandlingByUser: a.HandlingByUser}
}

// Saved is the choice as the settings file keeps it, with the ringtone's
// on or off (the phone's, kept beside the sound card's choice).
func (c Choice) Saved(alerts bool) settings.Audio {
	ec, ns := c.EchoCancel, c.NoiseSuppression
	return settings.Audio{Mic: c.Mic, Speaker: c.Speaker, Ringer: c.Ringer, EchoCancel: &ec, NoiseSuppression: &ns, AutoGain: c.AutoGain,
		Handling: string(c.Handling), HandlingByUser: c.HandlingByUser, Alerts: &alerts}
}

func streamChoiceChanged(a, b Choice) bool {
	return a.Mic != b.Mic || a.Speaker != b.Speaker || a.EchoCancel != b.EchoCancel || a.NoiseSuppression != b.NoiseSuppression || a.AutoGain != b.AutoGain
}

func (m *Manager) options() Options {
	return Options{Mic: m.choice.Mic, Speaker: m.choice.Speaker, EchoCancel: m.choice.EchoCancel,
		Denoise: m.choice.NoiseSuppression, Gain: m.choice.AutoGain, OnDevice: m.onDevice}
}

func (m *Manager) openShared() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shared != nil {
		return nil
	}
	if m.card == nil {
		return fmt.Errorf("%w: no sound system", ErrNoDevice)
	}
	s, err := m.card.OpenStream(m.options())
	if err != nil {
		return err
	}
	m.shared = s
	return nil
}

// CallAudio opens a call's microphone and speaker (or lends the shared
// stream); release gives them back.
func (m *Manager) CallAudio() (audio.Source, audio.Sink, func(), error) {
	m.mu.Lock()
	legacy := m.choice.Handling == HandlingLegacy
	m.mu.Unlock()
	if legacy {
		if err := m.openShared(); err != nil {
			return nil, nil, nil, err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		s := m.shared
		m.inUse++
		var once sync.Once
		return s, s, func() {
			once.Do(func() {
				m.mu.Lock()
				m.inUse--
				m.mu.Unlock()
			})
		}, nil
	}
	m.mu.Lock()
	card, opts := m.card, m.options()
	m.mu.Unlock()
	if card == nil {
		return nil, nil, nil, fmt.Errorf("%w: no sound system", ErrNoDevice)
	}
	s, err := card.OpenStream(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	var once sync.Once
	return s, s, func() { once.Do(s.Close) }, nil
}

// PlayRinger plays src on the ringer device.
func (m *Manager) PlayRinger(src audio.Source) (stop func(), err error) {
	return m.play(func(c Choice) string { return c.Ringer }, src)
}

// PlaySpeaker plays src on the speaker device (over a call's audio).
func (m *Manager) PlaySpeaker(src audio.Source) (stop func(), err error) {
	return m.play(func(c Choice) string { return c.Speaker }, src)
}

func (m *Manager) play(device func(Choice) string, src audio.Source) (func(), error) {
	m.mu.Lock()
	card, id := m.card, device(m.choice)
	m.mu.Unlock()
	if card == nil {
		return nil, fmt.Errorf("%w: no sound system", ErrNoDevice)
	}
	p, err := card.Play(id, src)
	if err != nil {
		return nil, err
	}
	return p.Close, nil
}

// Devices lists the devices present.
func (m *Manager) Devices() (Devices, error) {
	if m.card == nil {
		return Devices{}, fmt.Errorf("%w: no sound system", ErrNoDevice)
	}
	return m.card.Devices()
}

// TestSound plays src on the chosen speaker ("speaker") or ringer
// ("ringer") for d, for the settings' test buttons; it returns once the
// sound started. A new test ends the one before.
func (m *Manager) TestSound(kind string, src audio.Source, d time.Duration) error {
	var device func(Choice) string
	switch kind {
	case "speaker":
		device = func(c Choice) string { return c.Speaker }
	case "ringer":
		device = func(c Choice) string { return c.Ringer }
	default:
		return fmt.Errorf("test sound: unknown output %q (speaker or ringer)", kind)
	}
	stop, err := m.play(device, src)
	if err != nil {
		return err
	}
	var once sync.Once
	end := func() { once.Do(stop) }
	timer := time.AfterFunc(d, end)
	m.mu.Lock()
	prev := m.testStop
	m.testStop = func() { timer.Stop(); end() }
	m.mu.Unlock()
	if prev != nil {
		prev()
	}
	return nil
}

// MicLevel listens to the chosen microphone for d and returns its level
// (RMS, dBFS; -100 for silence), for the settings' level meter.
func (m *Manager) MicLevel(d time.Duration) (float64, error) {
	m.mu.Lock()
	card, id := m.card, m.choice.Mic
	m.mu.Unlock()
	if card == nil {
		return 0, fmt.Errorf("%w: no sound system", ErrNoDevice)
	}
	var mu sync.Mutex
	var energy float64
	var n int
	l, err := card.Listen(id, func(pcm []int16, _ int) {
		mu.Lock()
		for _, v := range pcm {
			energy += float64(v) * float64(v)
		}
		n += len(pcm)
		mu.Unlock()
	})
	if err != nil {
		return 0, err
	}
	time.Sleep(d)
	l.Close()
	mu.Lock()
	defer mu.Unlock()
	if n == 0 || energy == 0 {
		return -100, nil
	}
	return max(-100, 10*math.Log10(energy/float64(n)/(32768*32768))), nil
}

// Close closes the shared stream and ends a test sound.
func (m *Manager) Close() {
	m.mu.Lock()
	s := m.shared
	m.shared = nil
	stopTest := m.testStop
	m.testStop = nil
	m.mu.Unlock()
	if stopTest != nil {
		stopTest()
	}
	if s != nil {
		s.Close()
	}
}
