package settings

import (
	"os"
	"path/filepath"
	"reflect"
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
