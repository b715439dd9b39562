//go:build !windows

package linkhandler

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEntry(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	template, err := os.ReadFile("../../build/linux/voicedesk.desktop")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Entry(template, "/opt/voicedesk/voicedesk")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nExec=/opt/voicedesk/voicedesk %u\n", "\nTryExec=/opt/voicedesk/voicedesk\n",
		"MimeType=x-scheme-handler/tel;x-scheme-handler/callto;x-scheme-handler/sip;x-scheme-handler/sips;"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("entry lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []struct {
		name, exe string
		template  []byte
	}{
		{"a relative path", "voicedesk", template},
		{"a line break", "/opt/vd\nExec=evil", template},
		{"no Exec line", "/usr/bin/voicedesk", []byte("[Desktop Entry]\nName=x\n")},
	} {
		if _, err := Entry(bad.template, bad.exe); err == nil {
			t.Errorf("%s: accepted", bad.name)
		}
	}
}

// isolate points the XDG folders at a fresh tree, so that the test reads
// and sets no real desktop's defaults, and xdg-utils runs its generic
// (any desktop) way.
func isolate(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("xdg-mime"); err != nil {
		t.Skip("no xdg-mime (xdg-utils); make setup installs it")
	}
	root := t.TempDir()
	for k, v := range map[string]string{"HOME": root, "XDG_DATA_HOME": filepath.Join(root, "data"), "XDG_CONFIG_HOME": filepath.Join(root, "config"),
		"XDG_DATA_DIRS": filepath.Join(root, "system"), "XDG_CONFIG_DIRS": filepath.Join(root, "etc"),
		// xdg-open opens links only with a display; nothing is drawn.
		"DISPLAY":             ":404",
		"XDG_CURRENT_DESKTOP": "", "DESKTOP_SESSION": "", "KDE_FULL_SESSION": "", "GNOME_DESKTOP_SESSION_ID": "", "BROWSER": ""} {
		t.Setenv(k, v)
	}
	return root
}

// Made the default, the written entry opens a clicked tel: link with the
// app, even from a folder with a space in its name.
func TestRegisterAndOpenALink(t *testing.T) {
	root := isolate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := Query(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ours || st.Handlers["tel"] != "" {
		t.Fatalf("before: %+v, want no handler", st)
	}
	// The app: a script that notes the link it was given.
	dir := filepath.Join(root, "My Apps")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(root, "opened")
	exe := filepath.Join(dir, "voicedesk")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '"+got+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	template, err := os.ReadFile("../../build/linux/voicedesk.desktop")
	if err != nil {
		t.Fatal(err)
	}
	st, err = Register(ctx, exe, template)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Ours {
		t.Fatalf("after Register: %+v, want VoiceDesk for every scheme", st)
	}
	entry, err := os.ReadFile(filepath.Join(root, "data", "applications", DesktopID))
	if err != nil {
		t.Fatalf("no user desktop entry: %v", err)
	}
	// The folder's space would split Exec in xdg-open's generic way: the
	// entry runs a link to the app instead.
	if want := "\nExec=" + filepath.Join(root, "data", "voicedesk", "voicedesk") + " %u\n"; !strings.Contains(string(entry), want) {
		t.Fatalf("entry:\n%s\nwant %q", entry, want)
	}
	for _, link := range []string{"tel:+358401234567", "callto:+358401234567", "sip:bob@voicedesk.lab"} {
		if out, err := exec.CommandContext(ctx, "xdg-open", link).CombinedOutput(); err != nil {
			t.Fatalf("xdg-open %s: %v: %s", link, err, out)
		}
	}
	b, _ := os.ReadFile(got)
	if want := "tel:+358401234567\ncallto:+358401234567\nsip:bob@voicedesk.lab\n"; string(b) != want {
		t.Fatalf("the app was given %q, want %q", b, want)
	}

	// An installed entry (a package's) is used, not shadowed by the user's.
	if err := os.Remove(filepath.Join(root, "data", "applications", DesktopID)); err != nil {
		t.Fatal(err)
	}
	sys := filepath.Join(root, "system", "applications")
	if err := os.MkdirAll(sys, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, DesktopID), template, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err = Register(ctx, exe, template); err != nil || !st.Ours {
		t.Fatalf("with an installed entry: %+v, %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(root, "data", "applications", DesktopID)); err == nil {
		t.Fatal("a user entry was written over the installed one")
	}
}

func TestWithoutXDGUtils(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Query(context.Background()); err != ErrNoTools {
		t.Fatalf("Query: %v, want ErrNoTools", err)
	}
	if _, err := Register(context.Background(), "/usr/bin/voicedesk", []byte("Exec=x\n")); err != ErrNoTools {
		t.Fatalf("Register: %v, want ErrNoTools", err)
	}
}
