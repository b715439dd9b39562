package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The machine's policy key: its values win over the file's; a value of the
// wrong type is an error; no key is no policy. (Under a key of the test's
// own: Wine's prefix is shared.)
func TestMachinePolicyKey(t *testing.T) {
	policyKey = `Software\Policies\VoiceDeskTest`
	t.Cleanup(func() { _ = registry.DeleteKey(registry.LOCAL_MACHINE, policyKey) })
	if !strings.HasSuffix(DefaultPolicyPath, `\VoiceDesk\policy.json`) {
		t.Errorf("DefaultPolicyPath %q, want it under ProgramData", DefaultPolicyPath)
	}
	// Not t.TempDir: Go 1.26's RemoveAll fails under Wine 8 ("Invalid
	// function": its POSIX-semantics delete), which would fail the test
	// for Wine's sake; os.Remove uses the plain DeleteFile.
	dir, err := os.MkdirTemp("", "voicedesk-policy-")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "policy.json")
	t.Cleanup(func() { _ = os.Remove(file); _ = os.Remove(dir) })
	if err := os.WriteFile(file, []byte(`{"discoveryUrl": "https://file.example/"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadPolicy(file); err != nil || p.DiscoveryURL != "https://file.example/" || p.Kiosk {
		t.Fatalf("file only: %+v, %v", p, err)
	}
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, policyKey, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err = k.SetDWordValue("Kiosk", 1); err != nil {
		t.Fatal(err)
	}
	if err := k.SetStringValue("DiscoveryUrl", "https://gpo.example/"); err != nil {
		t.Fatal(err)
	}
	if err = k.SetStringValue("AutoAnswerMode", "queue"); err != nil {
		t.Fatal(err)
	}
	if err = k.SetDWordValue("AutoAnswerDelay", 3); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadPolicy(file); err != nil || p.DiscoveryURL != "https://gpo.example/" || !p.Kiosk ||
		p.AutoAnswer == nil || p.AutoAnswer.Mode != "queue" || p.AutoAnswer.DelaySeconds != 3 {
		t.Errorf("key over file: %+v, %v; want the key's values", p, err)
	}
	if err := k.SetStringValue("Kiosk", "yes"); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPolicy(file); err == nil || !strings.Contains(err.Error(), "REG_DWORD") {
		t.Errorf("Kiosk as a string: %v, want an error naming REG_DWORD", err)
	}
}
