package desktopentry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/usr/bin/voicedesk", "/usr/bin/voicedesk"},
		{"--minimized", "--minimized"},
		{"/home/ada/My Apps/voicedesk", `"/home/ada/My Apps/voicedesk"`},
		{`/opt/a"b/voicedesk`, `"/opt/a\\"b/voicedesk"`},
		{"/opt/$HOME/voicedesk", `"/opt/\\$HOME/voicedesk"`},
		{`/opt/back\slash/vd`, `"/opt/back\\\\slash/vd"`},
		{"/opt/100%/vd", "/opt/100%%/vd"},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRender(t *testing.T) {
	template := []byte("[Desktop Entry]\nName=VoiceDesk\nExec=voicedesk %u\nTryExec=voicedesk\n")
	got, err := Render(template, Quote("/opt/My Apps/vd")+" %u", "/opt/My Apps/vd")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[Desktop Entry]\nName=VoiceDesk\nExec=\"/opt/My Apps/vd\" %u\nTryExec=/opt/My Apps/vd\n"; string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	for name, bad := range map[string]func() error{
		"a line break": func() error { _, err := Render(template, "/opt/vd\nExec=evil", "/opt/vd"); return err },
		"no Exec line": func() error { _, err := Render([]byte("[Desktop Entry]\n"), "/opt/vd", "/opt/vd"); return err },
	} {
		if bad() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLauncher(t *testing.T) {
	root := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "data"))
	if got, err := Launcher("/usr/bin/voicedesk"); err != nil || got != "/usr/bin/voicedesk" {
		t.Fatalf("a plain path: %q, %v", got, err)
	}
	if _, err := Launcher("voicedesk"); err == nil {
		t.Fatal("a relative path was accepted")
	}
	exe := filepath.Join(root, "My Apps", "voicedesk")
	got, err := Launcher(exe)
	if err != nil || got != filepath.Join(root, "data", "voicedesk", "voicedesk") || strings.Contains(got, " ") {
		t.Fatalf("a path with a space: %q, %v", got, err)
	}
	if to, err := os.Readlink(got); err != nil || to != exe {
		t.Fatalf("the link points at %q (%v), want %q", to, err, exe)
	}
}
