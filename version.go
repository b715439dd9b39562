package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release, stamped at build time by make app
// (-ldflags "-X main.version=..." from wails.json's productVersion);
// "dev" for a plain go build.
var version = "dev"

// commit is the source's revision, stamped by make app too: Wails builds
// with -buildvcs=false, so Go's own record (below) is there only for a
// plain go build.
var commit = ""

// About is what the app says of itself: voicedesk --version and the
// settings' last line.
type About struct {
	Version string `json:"version"`
	// Commit is the source's git revision (short), with "+changes" when
	// the tree had uncommitted changes; "" when the build did not know it.
	Commit string `json:"commit"`
	Go     string `json:"go"`
}

// about reads the version and the revision Go records in every build made
// in a git checkout (debug.ReadBuildInfo: vcs.revision, vcs.modified).
func about() About {
	build := readBuildSettings()
	if commit != "" {
		build = map[string]string{"vcs.revision": commit}
	}
	return aboutFrom(version, build)
}

func readBuildSettings() map[string]string {
	out := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			out[s.Key] = s.Value
		}
	}
	return out
}

func aboutFrom(v string, build map[string]string) About {
	a := About{Version: v, Go: runtime.Version()}
	if rev := build["vcs.revision"]; rev != "" {
		rev, changed := strings.CutSuffix(rev, "+changes")
		a.Commit = rev[:min(len(rev), 12)]
		if changed || build["vcs.modified"] == "true" {
			a.Commit += "+changes"
		}
	}
	return a
}

// String is the --version line.
func (a About) String() string {
	s := "VoiceDesk " + a.Version
	if a.Commit != "" {
		s += " (" + a.Commit + ")"
	}
	return fmt.Sprintf("%s, %s", s, a.Go)
}
