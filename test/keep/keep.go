// Package keep keeps what a test run leaves for make test's secret scan
// (test/secrets): the logs of the labs and apps the tests start, copied
// under VOICEDESK_TEST_OUTPUT before their temporary folders go, and the
// secrets the tests themselves make up (integration tokens), written to
// a ledger there. Without VOICEDESK_TEST_OUTPUT it does nothing.
package keep

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
)

// LedgerName is the file, in a kept folder, listing secrets one
// "kind<TAB>secret" a line (the lab writes its own, labctl.LedgerFile,
// with the same name).
const LedgerName = "issued-secrets.txt"

// Dir is where kept files go ("" when nothing is kept).
func Dir() string {
	if d := os.Getenv("VOICEDESK_TEST_OUTPUT"); d != "" {
		return filepath.Join(d, "kept")
	}
	return ""
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

var mu sync.Mutex

// Files copies each file, or each file of each folder (not below it),
// into Dir()/<the test's name>/<label>/, keeping their names.
func Files(t testing.TB, label string, paths ...string) {
	if err := Copy(t.Name(), label, paths...); err != nil {
		t.Logf("keep: %v", err)
	}
}

// Copy is Files for a caller with no test (TestMain): into
// Dir()/<name>/<label>/.
func Copy(name, label string, paths ...string) error {
	dir := Dir()
	if dir == "" {
		return nil
	}
	to := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_"), label)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue // a component that never started has no log
		}
		if !fi.IsDir() {
			if err := copyFile(p, filepath.Join(to, filepath.Base(p))); err != nil {
				return err
			}
			continue
		}
		entries, _ := os.ReadDir(p)
		for _, e := range entries {
			if e.Type().IsRegular() {
				if err := copyFile(filepath.Join(p, e.Name()), filepath.Join(to, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Secret records a secret a test made up (an integration token), so that
// the scan looks for it too.
func Secret(kind, secret string) {
	dir := Dir()
	if dir == "" || secret == "" {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, LedgerName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	_, _ = fmt.Fprintf(f, "%s\t%s\n", kind, secret)
	_ = f.Close()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	// A second lab or app of the same test gets a numbered name.
	name := to
	for i := 2; ; i++ {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			break
		}
		name = fmt.Sprintf("%s.%d", to, i)
	}
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
