package pkgtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDebContents (make test's short version of make package): the
// package holds the app, its desktop entry for the link types, its icon
// and the kiosk's unit, and declares what the app needs at run time,
// including libpulse0, which miniaudio opens by name.
func TestDebContents(t *testing.T) {
	deb := os.Getenv("VOICEDESK_DEB")
	if deb == "" {
		t.Fatal("VOICEDESK_DEB must name the package (make test sets it)")
	}
	list, err := exec.Command("dpkg-deb", "--contents", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb --contents: %v", err)
	}
	for _, f := range []string{"./usr/bin/voicedesk", "./usr/share/applications/voicedesk.desktop",
		"./usr/share/icons/hicolor/512x512/apps/voicedesk.png", "./usr/share/doc/voicedesk/examples/voicedesk-kiosk.service",
		"./lib/udev/rules.d/70-voicedesk-headsets.rules"} {
		if !strings.Contains(string(list), " "+f+"\n") {
			t.Errorf("the package lacks %s", f)
		}
	}
	if strings.Contains(string(list), " 1000/") || !strings.Contains(string(list), " root/root ") {
		t.Errorf("the package's files are not root's:\n%s", list)
	}
	fields := map[string]string{}
	for _, f := range []string{"Package", "Version", "Architecture", "Depends"} {
		out, err := exec.Command("dpkg-deb", "--field", deb, f).Output()
		if err != nil {
			t.Fatalf("dpkg-deb --field %s: %v", f, err)
		}
		fields[f] = strings.TrimSpace(string(out))
	}
	if fields["Package"] != "voicedesk" || fields["Architecture"] != "amd64" || !strings.Contains(deb, "voicedesk_"+fields["Version"]+"_amd64.deb") {
		t.Errorf("control fields %v do not match the file name %s", fields, deb)
	}
	for _, dep := range []string{"libwebkit2gtk-4.", "libgtk-3-0", "libopus0", "libspeexdsp1", "libwebrtc-audio-processing1", "libpulse0"} {
		if !strings.Contains(fields["Depends"], dep) {
			t.Errorf("Depends lacks %s: %s", dep, fields["Depends"])
		}
	}
	t.Logf("Depends: %s", fields["Depends"])
}
