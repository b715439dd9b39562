package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"voicedesk/backend/phone"
)

// The tray names the availabilities as the window does: each language's
// names are read from the frontend's translations.
func TestTrayWordsMatchTheWindow(t *testing.T) {
	line := regexp.MustCompile(`^\s*(\d): '(.*)',$`)
	for _, lang := range phone.Languages {
		w, ok := trayWords[lang]
		if !ok {
			t.Errorf("no tray words for %s", lang)
			continue
		}
		src, err := os.ReadFile("frontend/src/i18n/" + lang + ".ts")
		if err != nil {
			t.Fatal(err)
		}
		_, block, found := strings.Cut(string(src), "\n  status: {\n")
		block, _, _ = strings.Cut(block, "\n  },")
		if !found {
			t.Fatalf("%s.ts has no status block", lang)
		}
		window := map[int]string{}
		for _, l := range strings.Split(block, "\n") {
			if m := line.FindStringSubmatch(l); m != nil {
				id, _ := strconv.Atoi(m[1])
				window[id] = m[2]
			}
		}
		if len(window) != 6 || len(w.Status) != 6 {
			t.Fatalf("%s: %d availabilities in the window, %d in the tray; want 6", lang, len(window), len(w.Status))
		}
		for id, name := range window {
			if w.Status[id] != name {
				t.Errorf("%s availability %d: tray %q, window %q", lang, id, w.Status[id], name)
			}
		}
		for _, s := range []string{w.SignedOut, w.Show, w.Quit, w.Ringing, w.InCall} {
			if s == "" {
				t.Errorf("%s: a tray word is missing: %+v", lang, w)
			}
		}
	}
}
