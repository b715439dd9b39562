package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/settings"
)

type noEvents struct{}

func (noEvents) Emit(string, any) {}

// The user's auto-answer is kept for the next start; the policy's wins
// over it, is shown as locked and cannot be changed.
func TestAutoAnswerSettingAndPolicyLock(t *testing.T) {
	prefs := settings.Open(filepath.Join(t.TempDir(), "settings.json"))
	newApp := func() *App {
		a := (&App{window: true, desk: desk{prefs: prefs}}).withWindow()
		a.phone = phone.New(phone.Config{StatusPoll: -1}, platform.New(platform.Config{}), noEvents{})
		t.Cleanup(a.phone.Close)
		return a
	}
	app := newApp()
	if got := app.win.AutoAnswerSettings(); got.Mode != "off" || got.Locked {
		t.Fatalf("at first: %+v, want off and unlocked", got)
	}
	if err := app.win.SetAutoAnswerSettings(AutoAnswerSettings{Mode: "queue", DelaySeconds: 2}); err != nil {
		t.Fatal(err)
	}
	if err := app.SetAutoAnswer("sometimes", 1); !errors.Is(err, phone.ErrBadAutoAnswer) {
		t.Errorf("an unknown mode: %v, want ErrBadAutoAnswer", err)
	}
	saved, _ := prefs.Load()
	if saved.AutoAnswer == nil || saved.AutoAnswer.Mode != "queue" || saved.AutoAnswer.DelaySeconds != 2 {
		t.Fatalf("kept: %+v", saved.AutoAnswer)
	}

	// The next start takes the saved one...
	next := newApp()
	if err := next.applyAutoAnswer(nil, saved.AutoAnswer); err != nil {
		t.Fatal(err)
	}
	if got := next.win.AutoAnswerSettings(); got.Mode != "queue" || got.DelaySeconds != 2 || got.Locked {
		t.Errorf("after a restart: %+v", got)
	}
	// ...unless the policy sets one: then it is locked.
	locked := newApp()
	if err := locked.applyAutoAnswer(&settings.AutoAnswer{Mode: "all", DelaySeconds: 5}, saved.AutoAnswer); err != nil {
		t.Fatal(err)
	}
	if got := locked.win.AutoAnswerSettings(); got.Mode != "all" || got.DelaySeconds != 5 || !got.Locked {
		t.Errorf("under the policy: %+v, want all, 5 s, locked", got)
	}
	if err := locked.SetAutoAnswer("off", 0); !errors.Is(err, phone.ErrAutoAnswerLocked) {
		t.Errorf("changing a locked setting: %v, want phone.ErrAutoAnswerLocked", err)
	}
	if got := locked.win.AutoAnswerSettings(); got.Mode != "all" {
		t.Errorf("a refused change changed it: %+v", got)
	}
}

// A policy file with a wrong auto-answer is refused at start, as any
// wrong policy is (a locked station must not start unlocked).
func TestAutoAnswerPolicyIsChecked(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		rule, file string
		ok         bool
	}{
		{"a valid policy", `{"autoAnswer": {"mode": "queue", "delaySeconds": 3}}`, true},
		{"an unknown mode", `{"autoAnswer": {"mode": "sometimes"}}`, false},
		{"a delay over a minute", `{"autoAnswer": {"mode": "all", "delaySeconds": 600}}`, false},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.rule, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := &config{policyPath: path, keepalive: 1, giveUp: 1}
		err := cfg.applyPolicy()
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.rule, err)
		}
		if c.ok && (cfg.autoAnswer == nil || cfg.autoAnswer.Mode != "queue") {
			t.Errorf("%s: the policy's auto-answer not taken: %+v", c.rule, cfg.autoAnswer)
		}
	}
}
