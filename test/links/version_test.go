package links

import (
	"encoding/json"
	"os"
	"os/exec"
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
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	out, err := exec.Command(app, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("voicedesk --version: %v\n%s", err, out)
	}
	line := strings.TrimSpace(string(out))
	// A build of a changed tree says "+changes" after the revision.
	want := "VoiceDesk " + w.Info.ProductVersion + " (" + string(rev[:12])
	if !strings.HasPrefix(line, want) || strings.Count(line, "\n") != 0 {
		t.Fatalf("voicedesk --version = %q, want it to start %q", line, want)
	}
	t.Logf("voicedesk --version: %s", line)
}
