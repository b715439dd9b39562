// Package pkgtest installs the Debian package make package built into a
// clean Debian 12 (a debootstrap minbase root, kept under
// /var/cache/voicedesk and overlaid afresh for each run) with apt, as an
// administrator would, and runs it there: --version, then a headless
// sign-in to the lab through its bridge. It needs root (chroot, mounts)
// and VOICEDESK_DEB.
package pkgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voicedesk/test/desktop"
	"voicedesk/test/labtest"
)

// cache keeps the clean root and apt's downloads between runs (a minute
// and ~100 MB the first time).
const cache = "/var/cache/voicedesk"

func TestDebInstallsOnACleanDebian(t *testing.T) {
	deb := os.Getenv("VOICEDESK_DEB")
	if deb == "" {
		t.Fatal("VOICEDESK_DEB must name the package (make package sets it)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the package test needs root (chroot, mounts)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	base := cleanRoot(t, ctx)
	root := overlay(t, base)

	b, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "tmp", filepath.Base(deb)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	in(t, ctx, root, "apt-get", "update", "-q")
	out := in(t, ctx, root, "apt-get", "install", "-y", "-q", "--no-install-recommends", "/tmp/"+filepath.Base(deb))
	fmt.Printf("e2e: apt install ./%s into a clean Debian 12: %s, %s\n", filepath.Base(deb), installedLine(out), time.Since(start).Round(time.Second))

	version := strings.TrimSpace(in(t, ctx, root, "voicedesk", "--version"))
	if !strings.HasPrefix(version, "VoiceDesk ") {
		t.Fatalf("voicedesk --version in the clean root: %q", version)
	}
	for _, f := range []string{"/usr/share/applications/voicedesk.desktop", "/usr/share/icons/hicolor/512x512/apps/voicedesk.png",
		"/usr/share/doc/voicedesk/examples/voicedesk-kiosk.service"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("the package did not install %s: %v", f, err)
		}
	}
	// The desktop entry's link types reached the MIME cache (the trigger
	// of desktop-file-utils, when it is installed; --no-install-recommends
	// may leave it out, so only a cache that exists is checked).
	if cacheFile, err := os.ReadFile(filepath.Join(root, "usr/share/applications/mimeinfo.cache")); err == nil && !strings.Contains(string(cacheFile), "x-scheme-handler/tel=voicedesk.desktop") {
		t.Errorf("mimeinfo.cache does not name VoiceDesk for tel: links")
	}

	// A headless sign-in there, against the lab on this machine's loopback
	// (a chroot shares the network).
	lab := labtest.Start(ctx, t)
	const token = "package-test-token-0123456789"
	cmd := exec.CommandContext(ctx, "chroot", root, "/usr/bin/voicedesk", "--headless", "--bridge", "127.0.0.1:0",
		"--discovery-url", lab.DiscoveryURL, "--settings", "/tmp/settings.json", "--control", "/tmp/control.sock")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "VOICEDESK_BRIDGE_TOKEN=" + token}
	app := desktop.StartHeadless(t, cmd, 20*time.Second, "the packaged app in the clean root")
	rpc, err := desktop.DialBridgeFrom(ctx, app.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rpc.Close()
	_, connection, err := rpc.SignIn(lab.Demo[0].Username, lab.Demo[0].Password, 15*time.Second)
	if err != nil {
		t.Fatalf("in the clean root: %v", err)
	}
	fmt.Printf("e2e: the packaged app in the clean root: %s; signed in to the lab headless, %s\n", version, connection)
}

// installedLine is apt's summary ("N newly installed").
func installedLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "newly installed") {
			return strings.TrimSpace(l)
		}
	}
	return "?"
}

// cleanRoot is a debootstrap minbase Debian 12, made once.
func cleanRoot(t *testing.T, ctx context.Context) string {
	base := filepath.Join(cache, "bookworm-minbase")
	done := filepath.Join(cache, "bookworm-minbase.done")
	if _, err := os.Stat(done); err == nil {
		return base
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatal("debootstrap is missing (make setup installs it)")
	}
	_ = os.RemoveAll(base)
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("debootstrap: a clean Debian 12 into %s (once, about a minute)", base)
	if out, err := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "bookworm", base, "http://deb.debian.org/debian").CombinedOutput(); err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, tail(string(out)))
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return base
}

// overlay mounts a writable copy of base for this test (overlayfs: the
// base stays clean), with /proc, /dev, the host's DNS and apt's download
// cache, and unmounts it all when the test ends.
func overlay(t *testing.T, base string) string {
	dir := t.TempDir()
	upper, work, root := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "root")
	archives := filepath.Join(cache, "apt-archives")
	for _, d := range []string{upper, work, root, filepath.Join(archives, "partial")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var mounted []string
	mount := func(args ...string) {
		if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
			t.Fatalf("mount %v: %v\n%s", args, err, out)
		}
		mounted = append(mounted, args[len(args)-1])
	}
	t.Cleanup(func() {
		for i := len(mounted) - 1; i >= 0; i-- {
			if out, err := exec.Command("umount", "-l", mounted[i]).CombinedOutput(); err != nil {
				t.Logf("umount %s: %v %s", mounted[i], err, out)
			}
		}
	})
	mount("-t", "overlay", "overlay", "-o", "lowerdir="+base+",upperdir="+upper+",workdir="+work, root)
	mount("-t", "proc", "proc", filepath.Join(root, "proc"))
	mount("--bind", "/dev", filepath.Join(root, "dev"))
	mount("--bind", archives, filepath.Join(root, "var/cache/apt/archives"))
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err == nil {
		_ = os.WriteFile(filepath.Join(root, "etc/resolv.conf"), resolv, 0o644)
	}
	return root
}

// in runs a command in the root and returns its output; a failure fails
// the test with the output's end.
func in(t *testing.T, ctx context.Context, root string, argv ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "chroot", append([]string{root}, argv...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "DEBIAN_FRONTEND=noninteractive", "LANG=C"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in the clean root, %s: %v\n%s", strings.Join(argv, " "), err, tail(string(out)))
	}
	return string(out)
}

func tail(s string) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-30):], "\n")
}
