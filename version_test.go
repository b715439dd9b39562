package main

import "testing"

func TestAbout(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		version string
		build   map[string]string
		want    string
	}{
		{"the stamped version and the revision, shortened", "1.2.0",
			map[string]string{"vcs.revision": "0123456789abcdef0123456789abcdef01234567", "vcs.modified": "false"}, "VoiceDesk 1.2.0 (0123456789ab)"},
		{"a build of a changed tree says so", "1.2.0",
			map[string]string{"vcs.revision": "0123456789abcdef", "vcs.modified": "true"}, "VoiceDesk 1.2.0 (0123456789ab+changes)"},
		{"no revision known: the version alone", "dev", map[string]string{}, "VoiceDesk dev"},
		{"make app's stamp of a changed tree (its own +changes)", "1.2.0",
			map[string]string{"vcs.revision": "0123456789ab+changes"}, "VoiceDesk 1.2.0 (0123456789ab+changes)"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			a := aboutFrom(tc.version, tc.build)
			if got := a.String(); got != tc.want+", "+a.Go {
				t.Errorf("%q, want %q", got, tc.want+", "+a.Go)
			}
		})
	}
}
