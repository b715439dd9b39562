package windows

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// webView2Key is where the installer looks for an installed WebView2
// runtime (Wails' wails_tools.nsh); the test says it is there, since the
// bootstrapper would try to download it and Wine has no Edge.
const webView2Key = `HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}`

// The installer, run silently the two ways the README gives (an agent
// without admin rights, a fleet per machine), installs the exe, its
// uninstaller, the Start menu entry, the four link schemes and the entry in
// Apps & features in the right hive; the installed exe runs; the silent
// uninstall takes all of it away again.
func TestInstallerUnderWine(t *testing.T) {
	setup := os.Getenv("VOICEDESK_WINDOWS_SETUP")
	if setup == "" {
		t.Skip("VOICEDESK_WINDOWS_SETUP is not set: make package builds the installer and runs this test")
	}
	prefix := os.Getenv("WINEPREFIX")
	if prefix == "" {
		t.Fatal("WINEPREFIX is not set (scripts/wine-test.sh makes the prefix)")
	}
	if st, err := os.Stat(setup); err != nil || st.Size() < 5<<20 {
		t.Fatalf("the installer %s: %v (want the exe inside it: more than 5 MB)", setup, err)
	}
	if _, err := reg(t, "query", webView2Key, "/v", "pv"); err != nil {
		if _, err := reg(t, "add", webView2Key, "/v", "pv", "/d", "wine-test", "/f"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = reg(t, "delete", webView2Key, "/f") })
	}
	user := os.Getenv("USER")
	if user == "" {
		user = "root"
	}
	cases := []struct {
		rule, flag, hive string
		dir, startMenu   string // Unix paths in the prefix
	}{
		{"an agent installs it for themselves, without admin rights", "/CurrentUser", "HKCU",
			filepath.Join(prefix, "drive_c/users", user, "AppData/Local/Programs/VoiceDesk"),
			filepath.Join(prefix, "drive_c/users", user, "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/VoiceDesk.lnk")},
		{"a fleet installs it per machine", "/AllUsers", "HKLM",
			filepath.Join(prefix, "drive_c/Program Files/VoiceDesk"),
			filepath.Join(prefix, "drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/VoiceDesk.lnk")},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if out, err := run(ctx, setup, "/S", c.flag); err != nil {
				t.Fatalf("%s /S %s: %v\n%s", filepath.Base(setup), c.flag, err, out)
			}
			exe := filepath.Join(c.dir, "voicedesk.exe")
			waitFor(t, "the installed exe", func() bool { _, err := os.Stat(exe); return err == nil })
			entries, _ := os.ReadDir(c.dir)
			var files []string
			for _, e := range entries {
				files = append(files, e.Name())
			}
			t.Logf("installed into %s: %v", c.dir, files)
			for _, f := range []string{exe, filepath.Join(c.dir, "uninstall.exe"), c.startMenu} {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("not installed: %s", f)
				}
			}
			for _, scheme := range []string{"tel", "callto", "sip", "sips"} {
				out, err := reg(t, "query", c.hive+`\Software\Classes\`+scheme+`\shell\open\command`)
				if err != nil || !strings.Contains(out, `voicedesk.exe" "%1"`) {
					t.Errorf("%s: links are not opened with VoiceDesk: %v\n%s", scheme, err, out)
				}
				if out, err := reg(t, "query", c.hive+`\Software\VoiceDesk\Capabilities\URLAssociations`, "/v", scheme); err != nil || !strings.Contains(out, "VoiceDesk.Link") {
					t.Errorf("%s: not among the capabilities Default apps lists: %v\n%s", scheme, err, out)
				}
			}
			un, err := reg(t, "query", c.hive+`\Software\Microsoft\Windows\CurrentVersion\Uninstall\VoiceDesk`)
			if err != nil || !strings.Contains(un, "QuietUninstallString") || !strings.Contains(un, c.flag) {
				t.Errorf("no entry in Apps & features (%s) that uninstalls %s: %v\n%s", c.hive, c.flag, err, un)
			}
			// The installed exe runs there.
			if out, err := run(ctx, exe, "--version"); err != nil || !strings.HasPrefix(out, "VoiceDesk ") {
				t.Errorf("the installed exe --version: %v: %q", err, out)
			}

			// Silent uninstall: the uninstaller hands itself to a copy in
			// %TEMP% and returns, so what it removes is waited for.
			if out, err := run(ctx, filepath.Join(c.dir, "uninstall.exe"), "/S", c.flag); err != nil {
				t.Fatalf("uninstall: %v\n%s", err, out)
			}
			waitFor(t, "the uninstall", func() bool { _, err := os.Stat(exe); return os.IsNotExist(err) })
			waitFor(t, "the uninstall's registry", func() bool {
				_, err := reg(t, "query", c.hive+`\Software\Microsoft\Windows\CurrentVersion\Uninstall\VoiceDesk`)
				return err != nil
			})
			for _, f := range []string{c.dir, c.startMenu} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("left behind by the uninstall: %s", f)
				}
			}
			for _, key := range []string{`\Software\Classes\tel`, `\Software\Classes\VoiceDesk.Link`, `\Software\VoiceDesk`} {
				if _, err := reg(t, "query", c.hive+key); err == nil {
					t.Errorf("left behind by the uninstall: %s%s", c.hive, key)
				}
			}
			if !t.Failed() {
				fmt.Printf("e2e: the installer /S %s: %v into %s, a Start menu entry, tel/callto/sip/sips links and Apps & features in %s; the silent uninstall left nothing\n",
					c.flag, files, strings.TrimPrefix(c.dir, prefix+"/"), c.hive)
			}
		})
	}
}

// reg runs Wine's reg.exe.
func reg(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return run(context.Background(), "reg", args...)
}

// run runs a program under Wine and returns what it printed. The output
// goes through a file, not a pipe: the wineserver the first Wine program
// starts inherits the pipe and keeps it open for seconds after the program
// has ended, which made each step wait for it.
func run(ctx context.Context, prog string, args ...string) (string, error) {
	f, err := os.CreateTemp("", "voicedesk-wine-out-")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := exec.CommandContext(ctx, wine, append([]string{prog}, args...)...)
	cmd.Env = append(os.Environ(), "WINEDEBUG=-all")
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, _ := os.ReadFile(f.Name())
	return string(out), err
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
	}
}
