package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// DefaultPolicyPath is where an administrator locks settings for every
// user of the machine (a file the users cannot write): /etc/voicedesk on
// Linux, %ProgramData%\VoiceDesk on Windows (policy_windows.go), where
// the machine's policy key in the registry (what Group Policy and Intune
// write) counts too.
var DefaultPolicyPath = defaultPolicyPath()

// Policy is what an administrator locks. The user's settings and the
// window cannot change it.
type Policy struct {
	// Kiosk runs the app as an unattended station: full screen, no
	// settings or sign-out, signed in by itself and restarted after a crash.
	Kiosk bool `json:"kiosk"`
	// DiscoveryURL, when set, is the only discovery service used.
	DiscoveryURL string `json:"discoveryUrl,omitempty"`
	// AutoAnswer, when set, is the auto-answer of every user of the
	// machine, locked: the settings view shows it and cannot change it.
	AutoAnswer *AutoAnswer `json:"autoAnswer,omitempty"`
}

// LoadPolicy reads the administrator's file; no file is no policy. A file
// that is there but unreadable or wrong is an error: a kiosk must not
// start unlocked because of a typo. On Windows the values of the machine's
// policy key (HKLM\Software\Policies\VoiceDesk) are laid over the file's.
func LoadPolicy(path string) (Policy, error) {
	p, err := loadPolicyFile(path)
	if err != nil {
		return p, err
	}
	return machinePolicy(p)
}

func loadPolicyFile(path string) (Policy, error) {
	var p Policy
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read the policy file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("policy file %s: %w (allowed: {\"kiosk\": true|false, \"discoveryUrl\": \"https://...\", \"autoAnswer\": {\"mode\": \"off|all|queue|requested\", \"delaySeconds\": 0-60}})", path, err)
	}
	return p, nil
}
