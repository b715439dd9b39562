package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNoSecretInTheLogs is make test's last step: every log of the run,
// under VOICEDESK_TEST_OUTPUT, against every secret the run's labs and
// tests handed out.
func TestNoSecretInTheLogs(t *testing.T) {
	root := os.Getenv("VOICEDESK_TEST_OUTPUT")
	if root == "" {
		t.Skip("make test sets VOICEDESK_TEST_OUTPUT and runs this after the other tests")
	}
	secrets, ledgers, err := Ledgers(root)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, s := range secrets {
		kinds[s.Kind]++
	}
	// A scan for nothing would pass: the run must have signed in with a
	// password, been given secret keys and SDK tokens, and signed in by SSO.
	for _, k := range []string{"password", "sip-password", "secret-key", "sdk-token", "sso-access-token", "sso-refresh-token", "integration-token"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the %d ledgers under %s: did the other tests run first (make test)?", k, ledgers, root)
		}
	}
	found, files, size, err := Scan(root, secrets)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for k, n := range kinds {
		summary = append(summary, fmt.Sprintf("%d %s", n, k))
	}
	slices.Sort(summary)
	fmt.Printf("e2e: secret scan: %d secrets (%s) from %d ledgers, in %d files (%.1f MB) of this run's logs: %d found\n",
		len(secrets), strings.Join(summary, ", "), ledgers, files, float64(size)/1e6, len(found))
	for _, f := range found {
		t.Errorf("a secret in a log: %s", f)
	}
}

// TestScan: the scan's own rules, so that a pass above means something.
func TestScan(t *testing.T) {
	const key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	cases := []struct {
		rule  string
		files map[string]string
		want  []string
	}{
		{"a secret in a log is found, with its file and line",
			map[string]string{"logs/app.log": "one\ntwo secretKey=" + key + "\n"}, []string{"logs/app.log:2: a secret-key"}},
		{"every occurrence is reported",
			map[string]string{"a.log": key + " " + key}, []string{"a.log:1: a secret-key", "a.log:1: a secret-key"}},
		{"a log without secrets is clean",
			map[string]string{"a.log": "9f8e7d6c5b4a3928 only half of it"}, nil},
		{"the ledgers are not scanned (their numbered copies neither)",
			map[string]string{"issued-secrets.txt.2": "secret-key\t" + key}, nil},
		{"binary files (screenshots) are skipped",
			map[string]string{"shot.png": "\x89PNG\x00" + key}, nil},
		{"a secret at the very end of a file is found",
			map[string]string{"end.log": key}, []string{"end.log:1: a secret-key"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range c.files {
				p := filepath.Join(root, name)
				_ = os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			found, _, _, err := Scan(root, []Secret{{"secret-key", key}, {"short", "abc"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range found {
				got = append(got, f.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("found %q, want %q", got, c.want)
			}
		})
	}
	t.Run("the ledgers are read, duplicates and short ones dropped", func(t *testing.T) {
		root := t.TempDir()
		_ = os.WriteFile(filepath.Join(root, "issued-secrets.txt"), []byte("secret-key\t"+key+"\nsecret-key\t"+key+"\nshort\tabc\nno tab\n"), 0o600)
		got, n, err := Ledgers(root)
		if err != nil || n != 1 || len(got) != 1 || got[0].Value != key {
			t.Errorf("Ledgers: %v, %d files, %v", got, n, err)
		}
	})
}
