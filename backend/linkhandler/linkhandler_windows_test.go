package linkhandler

import (
	"context"
	"os"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The rules of registering on Windows, against the registry of a Wine
// prefix (the test rewrites the user's link registrations, so it runs only
// there).
func TestRegisterOnWindows(t *testing.T) {
	if os.Getenv("WINEPREFIX") == "" {
		t.Skip("rewrites the user's phone-link registrations: runs only under Wine (make test-windows)")
	}
	clean := func() {
		for _, s := range append([]string{ProgID}, Schemes...) {
			deleteTree(registry.CURRENT_USER, `Software\Classes\`+s)
			deleteTree(registry.CURRENT_USER, `Software\Microsoft\Windows\Shell\Associations\UrlAssociations\`+s)
		}
		deleteTree(registry.CURRENT_USER, `Software\VoiceDesk`)
		if k, err := registry.OpenKey(registry.CURRENT_USER, `Software\RegisteredApplications`, registry.SET_VALUE); err == nil {
			_ = k.DeleteValue(appName)
			k.Close()
		}
	}
	clean()
	t.Cleanup(clean)
	opened := 0
	openSettings = func() error { opened++; return nil }
	ctx := context.Background()
	const exe = `C:\Users\agent\AppData\Local\Programs\VoiceDesk\voicedesk.exe`

	if st, err := Query(ctx); err != nil || st.Ours || st.Handlers["tel"] != "" {
		t.Fatalf("nothing registered: %+v, %v; want no handler", st, err)
	}

	st, err := Register(ctx, exe, nil)
	if err != nil || !st.Ours || st.ConfirmInSettings || opened != 0 {
		t.Fatalf("the schemes free: %+v, %v (settings opened %d times); want all ours without asking", st, err, opened)
	}
	if cmd, _ := readString(registry.CURRENT_USER, `Software\Classes\tel\shell\open\command`, ""); cmd != `"`+exe+`" "%1"` {
		t.Errorf("tel: runs %q", cmd)
	}
	if v, _ := readString(registry.CURRENT_USER, capsKey+`\URLAssociations`, "sips"); v != ProgID {
		t.Errorf("sips: capability %q, want %s", v, ProgID)
	}
	if v, _ := readString(registry.CURRENT_USER, `Software\RegisteredApplications`, appName); v != capsKey {
		t.Errorf("RegisteredApplications names %q", v)
	}

	// Another program's scheme in the user's classes stays its own, and the
	// user's choice kept by Windows wins over any command.
	if err := writeStrings(`Software\Classes\callto\shell\open\command`, map[string]string{"": `"C:\Program Files\Skype\skype.exe" "%1"`}); err != nil {
		t.Fatal(err)
	}
	if err := writeStrings(`Software\Microsoft\Windows\Shell\Associations\UrlAssociations\sip\UserChoice`, map[string]string{"ProgId": "TeamsURL"}); err != nil {
		t.Fatal(err)
	}
	st, err = Register(ctx, exe, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ours || st.Handlers["callto"] != "skype.exe" || st.Handlers["sip"] != "TeamsURL" || st.Handlers["tel"] != ProgID {
		t.Errorf("with Skype and Teams holding two schemes: %+v", st)
	}
	if !st.ConfirmInSettings || opened != 1 {
		t.Errorf("Default apps not opened for the user to confirm: %+v, opened %d", st, opened)
	}
	if cmd, _ := readString(registry.CURRENT_USER, `Software\Classes\callto\shell\open\command`, ""); cmd != `"C:\Program Files\Skype\skype.exe" "%1"` {
		t.Errorf("Skype's callto: was overwritten: %q", cmd)
	}

	if _, err := Register(ctx, `C:\a"b\voicedesk.exe`, nil); err == nil {
		t.Error("a path with a quote was written into a command")
	}
}

func deleteTree(root registry.Key, path string) {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return
	}
	names, _ := k.ReadSubKeyNames(-1)
	k.Close()
	for _, n := range names {
		deleteTree(root, path+`\`+n)
	}
	_ = registry.DeleteKey(root, path)
}

func TestProgram(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{
		{`"C:\Program Files\VoiceDesk\voicedesk.exe" "%1"`, "voicedesk.exe"},
		{`C:\Tools\phone.exe %1`, "phone.exe"},
		{`  "C:\x y\Teams.exe"`, "Teams.exe"},
	} {
		if got := program(c.cmd); got != c.want {
			t.Errorf("program(%q) = %q, want %q", c.cmd, got, c.want)
		}
	}
}
