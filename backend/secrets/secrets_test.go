package secrets

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The real OS keyring: make test runs this package inside a D-Bus session
// with gnome-keyring (scripts/keyring-session.sh); without one it skips.
func TestKeyring(t *testing.T) {
	// Windows: the Credential Manager (make test-windows, under Wine).
	if runtime.GOOS != "windows" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
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

// TestLockedKeyring: a keyring the user has not unlocked (and no prompt
// can appear: a headless or kiosk session) refuses at once with an error
// that is not ErrNotFound: "remember me" reports it (phone-error
// not-remembered) and a remembered login is not taken for gone and
// forgotten. It runs in a D-Bus session and keyring of its own, which it
// locks, so that no other test's keyring is touched.
func TestLockedKeyring(t *testing.T) {
	if os.Getenv("VOICEDESK_LOCKED_KEYRING") == "1" {
		lockedKeyringChecks(t)
		return
	}
	if _, err := exec.LookPath("gnome-keyring-daemon"); err != nil {
		t.Skip("no gnome-keyring (make setup installs it)")
	}
	cmd := exec.Command("../../scripts/keyring-session.sh", os.Args[0], "-test.run=^TestLockedKeyring$", "-test.v")
	cmd.Env = append(os.Environ(), "VOICEDESK_LOCKED_KEYRING=1", "VOICEDESK_IN_KEYRING_SESSION=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestLockedKeyring") {
		t.Fatalf("in a keyring of its own: %v\n%s", err, out)
	}
}

func lockedKeyringChecks(t *testing.T) {
	const account = "voicedesk-locked@voicedesk.lab"
	k := Keyring{}
	if err := k.Set(account, "kept"); err != nil {
		t.Fatal(err)
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	call := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").Call(
		"org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/aliases/default"})
	if call.Err != nil {
		t.Fatalf("lock the keyring: %v", call.Err)
	}
	for _, row := range []struct {
		rule string
		op   func() error
	}{
		{"storing is refused", func() error { return k.Set(account, "new") }},
		{"reading is refused, not taken for a missing secret", func() error { _, err := k.Get(account); return err }},
	} {
		done := make(chan error, 1)
		go func() { done <- row.op() }()
		select {
		case err := <-done:
			if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "OS keyring") {
				t.Errorf("%s: %v, want an error naming the OS keyring, not ErrNotFound", row.rule, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: no answer in 10 s (waiting for a prompt no one can answer)", row.rule)
		}
	}
}
