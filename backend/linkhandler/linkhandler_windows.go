// Windows: VoiceDesk registers a ProgID that runs it with the link, lists
// it among the capabilities Settings > Default apps offers for each scheme,
// and names it the scheme's handler where no other program has claimed the
// scheme. Since Windows 10 a program cannot take a scheme another one holds
// (the user's choice is kept under a hash only Windows writes): then the
// Default apps page is opened at VoiceDesk for the user to confirm.
// Everything is per user (HKCU), so it needs no admin rights; the
// installer writes the same, per user or per machine.

package linkhandler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// ProgID is VoiceDesk's link handler class (also the installer's).
const ProgID = "VoiceDesk.Link"

const (
	capsKey = `Software\VoiceDesk\Capabilities`
	appName = "VoiceDesk"
)

// ErrNoTools never happens on Windows: the registry is always there.
var ErrNoTools = errors.New("the system's default apps cannot be read or set here")

// settingsPage is Default apps at VoiceDesk's entry (Windows 10 1903+ and
// 11); openSettings is a variable for the tests.
const settingsPage = "ms-settings:defaultapps?registeredAppUser=" + appName

var openSettings = func() error {
	return windows.ShellExecute(0, windows.StringToUTF16Ptr("open"), windows.StringToUTF16Ptr(settingsPage), nil, nil, windows.SW_SHOWNORMAL)
}

// Query reads who opens each scheme: the user's choice where Windows keeps
// one, else the class the scheme's own key runs.
func Query(ctx context.Context) (State, error) {
	st := State{Handlers: map[string]string{}, Ours: true, Self: ProgID}
	for _, s := range Schemes {
		h := handler(s)
		st.Handlers[s] = h
		if h != ProgID {
			st.Ours = false
		}
	}
	return st, nil
}

// handler names who opens scheme s ("" for nobody).
func handler(s string) string {
	if id := userChoice(s); id != "" {
		return id
	}
	for _, root := range []registry.Key{registry.CURRENT_USER, registry.LOCAL_MACHINE} {
		cmd, err := readString(root, `Software\Classes\`+s+`\shell\open\command`, "")
		if err != nil || cmd == "" {
			continue
		}
		if ours(cmd) {
			return ProgID
		}
		return program(cmd)
	}
	return ""
}

func userChoice(s string) string {
	id, _ := readString(registry.CURRENT_USER, `Software\Microsoft\Windows\Shell\Associations\UrlAssociations\`+s+`\UserChoice`, "ProgId")
	return id
}

// ours: the command runs VoiceDesk.
func ours(cmd string) bool {
	return strings.EqualFold(program(cmd), "voicedesk.exe")
}

// program is the file name of the program a command line runs.
func program(cmd string) string {
	cmd = strings.TrimSpace(cmd)
	var exe string
	if strings.HasPrefix(cmd, `"`) {
		exe, _, _ = strings.Cut(cmd[1:], `"`)
	} else {
		exe, _, _ = strings.Cut(cmd, " ")
	}
	if i := strings.LastIndexAny(exe, `\/`); i >= 0 {
		exe = exe[i+1:]
	}
	return exe
}

func readString(root registry.Key, path, name string) (string, error) {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	return v, err
}

// regWrite is a key of HKCU and values to set in it.
type regWrite struct {
	path   string
	values map[string]string
}

func writeStrings(path string, values map[string]string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open HKCU\\%s: %w", path, err)
	}
	defer k.Close()
	for name, v := range values {
		if err := k.SetStringValue(name, v); err != nil {
			return fmt.Errorf("write HKCU\\%s: %w", path, err)
		}
	}
	return nil
}

// Register makes VoiceDesk (exe) the handler of every scheme it can take,
// and opens Default apps for the user to confirm the others. template (the
// Linux desktop entry) is not used here.
func Register(ctx context.Context, exe string, _ []byte) (State, error) {
	if strings.ContainsRune(exe, '"') {
		return State{}, fmt.Errorf("open links with VoiceDesk: the app's path %q holds a quote", exe)
	}
	command := `"` + exe + `" "%1"`
	icon := exe + ",0"
	steps := []regWrite{
		{`Software\Classes\` + ProgID, map[string]string{"": "VoiceDesk phone link", "URL Protocol": ""}},
		{`Software\Classes\` + ProgID + `\DefaultIcon`, map[string]string{"": icon}},
		{`Software\Classes\` + ProgID + `\shell\open\command`, map[string]string{"": command}},
		{capsKey, map[string]string{"ApplicationName": appName, "ApplicationDescription": "Desktop softphone for contact-center agents"}},
		{`Software\RegisteredApplications`, map[string]string{appName: capsKey}},
	}
	assoc := map[string]string{}
	for _, s := range Schemes {
		assoc[s] = ProgID
	}
	steps = append(steps, regWrite{capsKey + `\URLAssociations`, assoc})
	for _, s := range Schemes {
		cmd, _ := readString(registry.CURRENT_USER, `Software\Classes\`+s+`\shell\open\command`, "")
		if cmd != "" && !ours(cmd) {
			continue // another program's, in the user's own classes: theirs to give up
		}
		steps = append(steps,
			regWrite{`Software\Classes\` + s, map[string]string{"": "URL:" + s, "URL Protocol": ""}},
			regWrite{`Software\Classes\` + s + `\DefaultIcon`, map[string]string{"": icon}},
			regWrite{`Software\Classes\` + s + `\shell\open\command`, map[string]string{"": command}})
	}
	for _, st := range steps {
		if err := writeStrings(st.path, st.values); err != nil {
			return State{}, fmt.Errorf("open links with VoiceDesk: %w", err)
		}
	}
	st, err := Query(ctx)
	if err != nil || st.Ours {
		return st, err
	}
	// Another program holds the user's choice of some scheme: only the
	// user can change that, in Settings.
	if err := openSettings(); err != nil {
		return st, fmt.Errorf("open links with VoiceDesk: Windows asks you to choose it in Settings > Apps > Default apps, which did not open: %w", err)
	}
	st.ConfirmInSettings = true
	return st, nil
}
