// Package presenter shows the phone on the desktop outside the window: the
// tray icon (availability at a glance, the call ringing or in progress)
// and the incoming call's notification. It reads the phone's event stream
// on its own goroutine and speaks the window's words: the frontend's
// translation files, embedded by the root package, are its only source.
package presenter

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Book is the app's strings per language: the frontend's translation
// files (frontend/src/i18n/<lang>.json), flattened to dotted keys.
type Book struct {
	langs map[string]map[string]string
}

// Load reads every <lang>.json at the top of fsys.
func Load(fsys fs.FS) (*Book, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("read the translations: no <lang>.json files (%v)", err)
	}
	b := &Book{langs: map[string]map[string]string{}}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read the translations: %w", err)
		}
		var tree map[string]any
		if err := json.Unmarshal(raw, &tree); err != nil {
			return nil, fmt.Errorf("read the translations: %s: %w", f, err)
		}
		flat := map[string]string{}
		flatten("", tree, flat)
		b.langs[strings.TrimSuffix(path.Base(f), ".json")] = flat
	}
	if _, ok := b.langs["en"]; !ok {
		return nil, fmt.Errorf("read the translations: no en.json, the fallback")
	}
	return b, nil
}

func flatten(prefix string, tree map[string]any, out map[string]string) {
	for k, v := range tree {
		switch v := v.(type) {
		case map[string]any:
			flatten(prefix+k+".", v, out)
		case string:
			out[prefix+k] = v
		}
	}
}

// Words are one language's strings.
type Words func(key string) string

// Words returns lang's strings; a language or key it lacks is English's,
// and a key English lacks is itself (seen, not hidden).
func (b *Book) Words(lang string) Words {
	l, en := b.langs[lang], b.langs["en"]
	return func(key string) string {
		if s, ok := l[key]; ok {
			return s
		}
		if s, ok := en[key]; ok {
			return s
		}
		return key
	}
}
