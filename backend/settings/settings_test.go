package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTripAndCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "settings.json")
	s := Open(path)
	got, err := s.Load()
	if err != nil || !reflect.DeepEqual(got, Settings{}) {
		t.Fatalf("Load of a missing file = %+v, %v; want zero, nil", got, err)
	}
	if err := s.Update(func(v *Settings) { v.Language = "fi" }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(v *Settings) { v.DiscoveryURL = "http://127.0.0.1:1/api/user/" }); err != nil {
		t.Fatal(err)
	}
	got, err = Open(path).Load()
	if err != nil || got.Language != "fi" || got.DiscoveryURL != "http://127.0.0.1:1/api/user/" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err == nil {
		t.Fatal("Load of a corrupt file succeeded")
	}
	if err := s.Update(func(v *Settings) { v.Language = "sv" }); err != nil {
		t.Fatalf("Update over a corrupt file: %v", err)
	}
	if got, _ := s.Load(); got.Language != "sv" {
		t.Fatalf("after repair Load = %+v", got)
	}
}

// TestFaultyFiles: what a corrupt, half-right, unreadable or unwritable
// settings file does: nothing that can be kept is lost, and every failure
// is an error that names the file.
func TestFaultyFiles(t *testing.T) {
	t.Run("a field of the wrong type leaves the others", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "settings.json")
		if err := os.WriteFile(path, []byte(`{"language":"fi","discoveryUrl":42}`), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Open(path).Load()
		if !errors.Is(err, ErrCorrupt) || got.Language != "fi" {
			t.Fatalf("Load = %+v, %v; want the language kept and ErrCorrupt", got, err)
		}
		if err := Open(path).Update(func(s *Settings) { s.DiscoveryURL = "http://127.0.0.1:1/" }); err != nil {
			t.Fatal(err)
		}
		if got, err := Open(path).Load(); err != nil || got.Language != "fi" || got.DiscoveryURL != "http://127.0.0.1:1/" {
			t.Fatalf("after the update: %+v, %v; want both", got, err)
		}
	})
	t.Run("a corrupt file is kept beside the new one", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "settings.json")
		if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Open(path).Update(func(s *Settings) { s.Language = "sv" }); err != nil {
			t.Fatal(err)
		}
		if kept, err := os.ReadFile(CorruptCopy(path)); err != nil || string(kept) != "{not json" {
			t.Fatalf("the corrupt copy: %q, %v", kept, err)
		}
	})
	t.Run("an unreadable file is not overwritten", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "settings.json")
		if err := os.Mkdir(path, 0o700); err != nil { // reading a folder fails, even for root
			t.Fatal(err)
		}
		err := Open(path).Update(func(s *Settings) { s.Language = "sv" })
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("Update of an unreadable file: %v, want an error naming it", err)
		}
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			t.Fatalf("the unreadable entry was replaced: %v", err)
		}
	})
	t.Run("an unwritable folder is an error, not a panic", func(t *testing.T) {
		dir := t.TempDir()
		blocker := filepath.Join(dir, "VoiceDesk")
		if err := os.WriteFile(blocker, []byte("a file where the folder goes"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := Open(filepath.Join(blocker, "settings.json")).Update(func(s *Settings) { s.Language = "sv" })
		if err == nil || !strings.Contains(err.Error(), "settings") {
			t.Fatalf("Update under a file: %v, want an error", err)
		}
	})
}
