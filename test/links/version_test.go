package links

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestVersion: the built app says its release (wails.json's
// productVersion, stamped by make app) and the revision it was built from
// (Go's own record of the git checkout), without starting anything.
func TestVersion(t *testing.T) {
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	raw, err := os.ReadFile("../../wails.json")
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Info struct {
			ProductVersion string `json:"productVersion"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &w); err != nil || w.Info.ProductVersion == "" {
		t.Fatalf("wails.json's productVersion: %v", err)
	}
	out, err := exec.Command(app, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("voicedesk --version: %v\n%s", err, out)
	}
	line := strings.TrimSpace(string(out))
	m := regexp.MustCompile(`^VoiceDesk (\S+) \(([0-9a-f]{12})(\+changes)?\), go\S+$`).FindStringSubmatch(line)
	if m == nil || m[1] != w.Info.ProductVersion {
		t.Fatalf("voicedesk --version = %q, want \"VoiceDesk %s (<revision>), go...\"", line, w.Info.ProductVersion)
	}
	// The revision is a commit of this repository that HEAD contains (the
	// app may have been built a commit or two before the test runs).
	if err := exec.Command("git", "merge-base", "--is-ancestor", m[2], "HEAD").Run(); err != nil {
		t.Fatalf("the revision %s the app names is not HEAD's or an ancestor's: %v", m[2], err)
	}
	t.Logf("voicedesk --version: %s", line)
}
