// Package settings keeps the user's preferences (language, discovery URL)
// in a JSON file under the OS's per-user config folder. Secrets never go
// here: they belong in the OS keyring.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Settings are the persisted preferences.
type Settings struct {
	Language     string `json:"language,omitempty"`
	DiscoveryURL string `json:"discoveryUrl,omitempty"`
	Audio        Audio  `json:"audio"`
	// Remembered is the login kept for a silent sign-in at start-up; its
	// secret is in the OS keyring, never here.
	Remembered *Remembered `json:"remembered,omitempty"`
	Desktop    Desktop     `json:"desktop"`
	// Integration is the integration API as the settings view turns it on.
	Integration Integration `json:"integration"`
	// AutoAnswer is which calls the phone answers by itself (nil: off).
	AutoAnswer *AutoAnswer `json:"autoAnswer,omitempty"`
	// Favourites are each user's favourite colleagues: user id -> the
	// directory ids, in the order they were added.
	Favourites map[string][]string `json:"favourites,omitempty"`
}

// AutoAnswer is the auto-answer setting (phone.AutoAnswer: mode off, all,
// queue or requested; the delay in seconds).
type AutoAnswer struct {
	Mode         string `json:"mode,omitempty"`
	DelaySeconds int    `json:"delaySeconds,omitempty"`
}

// Integration is the integration API's setting: on or off (off unless
// the user turns it on), its loopback port, and the web pages allowed.
// Its token is in the OS keyring, never here.
type Integration struct {
	Enabled bool `json:"enabled,omitempty"`
	// Port on 127.0.0.1 (0: the default, 7788).
	Port int `json:"port,omitempty"`
	// Origins are the browser origins (scheme://host[:port]) allowed.
	Origins []string `json:"origins,omitempty"`
}

// Desktop is how the app lives on the desktop.
type Desktop struct {
	// KeepRunning: closing the window hides it to the tray and the phone
	// stays signed in (nil: on). Without a tray to come back from, closing
	// quits.
	KeepRunning *bool `json:"keepRunning,omitempty"`
	// StartMinimized: start in the tray (minimized without one).
	StartMinimized bool `json:"startMinimized,omitempty"`
}

// Remembered is who signed in with "remember me", and where.
type Remembered struct {
	// LoginType is "SSO" for a single sign-on (the keyring holds its
	// refresh token), "" for a credentials login (the API secret key).
	LoginType string `json:"loginType,omitempty"`
	// Issuer and ClientID say where an SSO login is refreshed.
	Issuer      string `json:"issuer,omitempty"`
	ClientID    string `json:"clientId,omitempty"`
	Username    string `json:"username"`
	UserID      string `json:"userId"`
	SiloName    string `json:"siloName"`
	APIEndpoint string `json:"apiEndpoint"`
	// RTEEndpoint is the silo's event channel ("" for none, or for a login
	// kept before it was remembered: the phone then polls).
	RTEEndpoint string `json:"rteEndpoint,omitempty"`
}

// Audio is the user's sound set-up. Devices are the sound server's stable
// ids ("" the system default); nil switches mean their default (on).
type Audio struct {
	Mic              string `json:"mic,omitempty"`
	Speaker          string `json:"speaker,omitempty"`
	Ringer           string `json:"ringer,omitempty"`
	EchoCancel       *bool  `json:"echoCancel,omitempty"`
	NoiseSuppression *bool  `json:"noiseSuppression,omitempty"`
	// AutoGain is off unless turned on.
	AutoGain bool `json:"autoGain,omitempty"`
	// Handling is "default" or "legacy"; HandlingByUser says it was chosen
	// in the phone's UI, which setAudioHandling may then not override.
	Handling       string `json:"handling,omitempty"`
	HandlingByUser bool   `json:"handlingByUser,omitempty"`
	// Alerts off silences the ringtone (setPhoneAlerts(false)).
	Alerts *bool `json:"alerts,omitempty"`
}

// On reads an optional switch whose default is on.
func On(b *bool) bool { return b == nil || *b }

// Store reads and writes one settings file.
type Store struct {
	path string
	mu   sync.Mutex
}

// DefaultPath is <user config dir>/VoiceDesk/settings.json.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config folder: %w", err)
	}
	return filepath.Join(dir, "VoiceDesk", "settings.json"), nil
}

// ErrCorrupt is Load's error for a file that is not the settings' JSON;
// Load then returns what of it could be read (a field of the wrong type
// leaves the others), and the next Update keeps the file's bytes beside it
// (CorruptCopy) before it writes a sound one.
var ErrCorrupt = errors.New("the settings file is corrupt")

// CorruptCopy is where Update moves a corrupt settings file at path.
func CorruptCopy(path string) string { return path + ".corrupt" }

// Open returns a Store for path (the file need not exist yet).
func Open(path string) *Store { return &Store{path: path} }

// Load reads the settings; a missing file gives the zero Settings.
func (s *Store) Load() (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Settings
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read settings %s: %w", s.path, err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			// encoding/json fills every other field before it reports a
			// field of the wrong type: those are kept.
			return out, fmt.Errorf("%w: %s: %v (the other settings were read)", ErrCorrupt, s.path, err)
		}
		return Settings{}, fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, err)
	}
	return out, nil
}

// Update applies change to the stored settings and writes them atomically.
func (s *Store) Update(change func(*Settings)) error {
	cur, err := s.Load()
	corrupt := errors.Is(err, ErrCorrupt)
	if err != nil && !corrupt {
		// Unreadable (not corrupt): writing now would replace settings
		// this process never saw with this one change.
		return fmt.Errorf("update settings: %w", err)
	}
	change(&cur)
	s.mu.Lock()
	defer s.mu.Unlock()
	if corrupt {
		// A corrupt file is replaced rather than blocking every later
		// change, and kept beside it for whoever wants what it held.
		if err := os.Rename(s.path, CorruptCopy(s.path)); err != nil {
			return fmt.Errorf("keep the corrupt settings file: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("create settings folder: %w", err)
	}
	data, err := json.MarshalIndent(cur, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	return os.Rename(tmp, s.path)
}
