package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string // "" content: no file
		want          Policy
		wantErr       string
	}{
		{name: "no file", want: Policy{}},
		{name: "kiosk", content: `{"kiosk": true, "discoveryUrl": "https://discovery.example/api/user/"}`,
			want: Policy{Kiosk: true, DiscoveryURL: "https://discovery.example/api/user/"}},
		{name: "a typo", content: `{"kisok": true}`, wantErr: `unknown field "kisok"`},
		{name: "not JSON", content: `kiosk=1`, wantErr: "invalid character"},
		{name: "wrong type", content: `{"kiosk": "yes"}`, wantErr: "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if tc.content != "" {
				if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadPolicy(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %+v, %v; want error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
