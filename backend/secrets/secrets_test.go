package secrets

import (
	"errors"
	"os"
	"testing"
)

// The real OS keyring: make test runs this package inside a D-Bus session
// with gnome-keyring (scripts/keyring-session.sh); without one it skips.
func TestKeyring(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no D-Bus session (make test provides one with gnome-keyring)")
	}
	testStore(t, Keyring{})
}

func TestMemory(t *testing.T) { testStore(t, &Memory{}) }

func testStore(t *testing.T, s Store) {
	const account = "voicedesk-test@voicedesk.lab"
	_ = s.Delete(account)
	if _, err := s.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing secret: %v, want ErrNotFound", err)
	}
	if err := s.Set(account, "s3cret"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(account); err != nil || got != "s3cret" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Set(account, "n3w"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(account); got != "n3w" {
		t.Fatalf("after overwrite Get = %q", got)
	}
	if err := s.Delete(account); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(account); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, err := s.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
}

func TestIntegrationTokenIsMadeOnceAndKept(t *testing.T) {
	m := &Memory{}
	first, err := IntegrationToken(m)
	if err != nil || len(first) != 48 {
		t.Fatalf("first token %q, %v", first, err)
	}
	again, err := IntegrationToken(m)
	if err != nil || again != first {
		t.Fatalf("second read %q, %v; want the kept %q", again, err, first)
	}
	if err := m.Delete(integrationAccount); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := IntegrationToken(m); fresh == first || len(fresh) != 48 {
		t.Fatalf("after deleting it: %q, want a new one", fresh)
	}
}

func TestRenewIntegrationTokenReplacesTheKeptOne(t *testing.T) {
	m := &Memory{}
	first, err := IntegrationToken(m)
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := RenewIntegrationToken(m)
	if err != nil || renewed == first || len(renewed) != 48 {
		t.Fatalf("renewed %q, %v; want a new 48-digit token", renewed, err)
	}
	if kept, _ := IntegrationToken(m); kept != renewed {
		t.Fatalf("kept %q after renewing, want %q", kept, renewed)
	}
}
