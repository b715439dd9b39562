package main

import (
	"io/fs"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/presenter"
)

// The tray and the notifications read the window's own translation files,
// embedded in the binary: every phone language is there, with the words
// the presenter uses (backend/presenter's tests hold the words).
func TestTheTranslationsAreEmbedded(t *testing.T) {
	words, err := fs.Sub(translations, "frontend/src/i18n")
	if err != nil {
		t.Fatal(err)
	}
	book, err := presenter.Load(words)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range phone.Languages {
		if got := book.Words(lang)("tray.quit"); got == "tray.quit" || got == "" {
			t.Errorf("%s: the tray's Quit is %q", lang, got)
		}
	}
	if got := book.Words("fi")("tray.quit"); got != "Lopeta VoiceDesk" {
		t.Errorf("fi tray.quit = %q: the embedded files are not the frontend's", got)
	}
}
