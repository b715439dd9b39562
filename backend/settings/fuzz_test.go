package settings

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSettingsFile: whatever is in the settings file (a crash mid-write,
// a hand edit), Load never panics, says ErrCorrupt or nothing, and an
// Update after it writes a file Load reads back.
func FuzzSettingsFile(f *testing.F) {
	for _, s := range []string{`{"language":"fi"}`, `{"language":"fi","discoveryUrl":42}`, `{not json`, ``, `null`, `[]`,
		`{"remembered":{"username":"a","loginType":"SSO"},"desktop":{"tray":true}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "settings.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := Open(path)
		if _, err := s.Load(); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Load: %v, want nil or ErrCorrupt", err)
		}
		if err := s.Update(func(v *Settings) { v.Language = "sv" }); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got, err := s.Load(); err != nil || got.Language != "sv" {
			t.Fatalf("after Update: %+v, %v", got, err)
		}
	})
}

// FuzzPolicyFile: the administrator's policy file never panics LoadPolicy.
func FuzzPolicyFile(f *testing.F) {
	for _, s := range []string{`{}`, `{"kiosk":true}`, `{not json`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "policy.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = LoadPolicy(path)
	})
}
