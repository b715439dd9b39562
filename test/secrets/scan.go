// Package secrets is make test's last step: it greps every log the run
// left (the go test output of each target, the apps' logs, the labs'
// logs: test-output/) for every secret the run handed out (the labs'
// ledgers of passwords, SIP passwords, secret keys, SDK and SSO tokens;
// the integration tokens the tests made up). A secret found is a leak.
package secrets

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"voicedesk/test/keep"
)

// minLen: shorter strings would match by chance (the lab's secrets are
// all longer).
const minLen = 8

// Secret is one secret to look for.
type Secret struct {
	Kind, Value string
}

// Finding is a secret seen in a file.
type Finding struct {
	Kind string
	File string
	Line int
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: a %s", f.File, f.Line, f.Kind) }

// IsLedger tells the ledgers (and their numbered copies) apart: they hold
// the secrets, and are not scanned.
func IsLedger(path string) bool { return strings.HasPrefix(filepath.Base(path), keep.LedgerName) }

// Ledgers reads every ledger under root.
func Ledgers(root string) ([]Secret, int, error) {
	seen := map[string]bool{}
	var out []Secret
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !IsLedger(p) {
			return err
		}
		files++
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			kind, value, ok := strings.Cut(sc.Text(), "\t")
			if !ok || len(value) < minLen || seen[value] {
				continue
			}
			seen[value] = true
			out = append(out, Secret{Kind: kind, Value: value})
		}
		return sc.Err()
	})
	return out, files, err
}

// Scan looks for the secrets in every file under root but the ledgers
// and binary files (screenshots, stores: a NUL in their first 8 KB).
// It returns what it found, sorted, and how many files and bytes it read.
func Scan(root string, secrets []Secret) ([]Finding, int, int64, error) {
	// Each secret's first 8 bytes index it: one map lookup per byte of
	// the logs, whatever the number of secrets.
	byPrefix := map[uint64][]Secret{}
	for _, s := range secrets {
		if len(s.Value) >= minLen {
			k := binary.LittleEndian.Uint64([]byte(s.Value[:8]))
			byPrefix[k] = append(byPrefix[k], s)
		}
	}
	var found []Finding
	files, size := 0, int64(0)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || IsLedger(p) || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b[:min(len(b), 8192)], 0) >= 0 {
			return nil
		}
		files++
		size += int64(len(b))
		rel, _ := filepath.Rel(root, p)
		for i := 0; i+minLen <= len(b); i++ {
			for _, s := range byPrefix[binary.LittleEndian.Uint64(b[i:i+8])] {
				if bytes.HasPrefix(b[i:], []byte(s.Value)) {
					found = append(found, Finding{Kind: s.Kind, File: rel, Line: 1 + bytes.Count(b[:i], []byte{'\n'})})
				}
			}
		}
		return nil
	})
	sort.Slice(found, func(i, j int) bool {
		if found[i].File != found[j].File {
			return found[i].File < found[j].File
		}
		return found[i].Line < found[j].Line
	})
	return found, files, size, err
}
