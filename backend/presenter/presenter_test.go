package presenter

import (
	"context"
	"image/color"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"voicedesk/backend/events"
	"voicedesk/backend/notify"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/tray"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The translations are the frontend's own files: the tray says what the
// window says.
func book(t *testing.T) *Book {
	t.Helper()
	b, err := Load(os.DirFS("../../frontend/src/i18n"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWords(t *testing.T) {
	b := book(t)
	tests := []struct {
		rule, lang, key, want string
	}{
		{"a language's own word", "fi", "status.1", "Tavoitettavissa"},
		{"nested keys are dotted", "sv", "call.state.incoming", "Inkommande samtal"},
		{"an unknown language speaks English", "xx", "tray.quit", "Quit VoiceDesk"},
		{"an unknown key shows itself, not nothing", "en", "tray.nope", "tray.nope"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := b.Words(tt.lang)(tt.key); got != tt.want {
				t.Errorf("%s %s = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
	// Every word the presenter uses exists in every language.
	keys := []string{"tray.show", "tray.quit", "tray.signedOut", "tray.inCall", "call.state.incoming", "call.answer", "call.reject", "call.queue", "connection.lost"}
	for id := 1; id <= Statuses; id++ {
		keys = append(keys, "status."+string(rune('0'+id)))
	}
	for _, lang := range phone.Languages {
		for _, k := range keys {
			if _, ok := b.langs[lang][k]; !ok {
				t.Errorf("%s.json has no %s", lang, k)
			}
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files":        {},
		"broken JSON":     {"en.json": "{"},
		"no English file": {"fi.json": `{"a":"b"}`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, body := range files {
				if err := os.WriteFile(dir+"/"+f, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Load(os.DirFS(dir)); err == nil || !strings.HasPrefix(err.Error(), "read the translations") {
				t.Errorf("Load: %v, want a translations error", err)
			}
		})
	}
}

func TestTrayView(t *testing.T) {
	en := book(t).Words("en")
	ringing := phone.CallSummary{Number: "+358402", State: phone.StateRinging}
	talking := phone.CallSummary{Number: "+358401", State: phone.StateConnected}
	tests := []struct {
		rule    string
		st      TrayState
		tooltip string
		dot     color.Color
		ringing bool
	}{
		{"signed out: said so, no availability to pick", TrayState{}, "VoiceDesk: Signed out", nil, false},
		{"signed in: the user and the availability, its colour on the icon", TrayState{SignedIn: true, User: "Alice", Status: platform.StatusAvailable},
			"VoiceDesk: Alice: Available", statusColours[platform.StatusAvailable], false},
		{"an unknown availability shows no dot", TrayState{SignedIn: true, User: "Alice", Status: 42}, "VoiceDesk: Alice", nil, false},
		{"on a call: the number in the tooltip", TrayState{SignedIn: true, User: "Alice", Calls: []phone.CallSummary{talking}},
			"VoiceDesk: Alice · On a call +358401", nil, false},
		{"the registration lost: said, and the dot grey (no calls can arrive)", TrayState{SignedIn: true, User: "Alice", Status: platform.StatusAvailable, Away: true},
			"VoiceDesk: Alice: Available · Connection lost: reconnecting…", statusColours[platform.StatusOffWork], false},
		{"a second call ringing while on the first: the ringing one is told and blinks", TrayState{SignedIn: true, User: "Alice", Calls: []phone.CallSummary{talking, ringing}},
			"VoiceDesk: Alice · Incoming call +358402", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			v := TrayView(en, tt.st)
			if v.Tooltip != tt.tooltip || v.Ringing != tt.ringing || v.Dot != tt.dot {
				t.Errorf("tooltip %q ringing %t dot %v, want %q %t %v", v.Tooltip, v.Ringing, v.Dot, tt.tooltip, tt.ringing, tt.dot)
			}
			if len(v.Statuses) != Statuses || v.StatusEnabled != tt.st.SignedIn || v.Quit != "Quit VoiceDesk" {
				t.Errorf("menu %+v", v)
			}
		})
	}
}

type fakePhone struct {
	mu    sync.Mutex
	state phone.State
	calls []phone.CallSummary
}

func (f *fakePhone) State() phone.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

func (f *fakePhone) Calls() []phone.CallSummary {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type shown struct {
	mu    sync.Mutex
	views []tray.View
	notes []string
}

func (s *shown) Update(v tray.View) { s.mu.Lock(); s.views = append(s.views, v); s.mu.Unlock() }
func (s *shown) IncomingCall(c notify.Call, l notify.Labels) error {
	s.mu.Lock()
	s.notes = append(s.notes, "show "+c.ID+" "+l.Title+"/"+l.Answer)
	s.mu.Unlock()
	return nil
}
func (s *shown) Withdraw(id string) {
	s.mu.Lock()
	s.notes = append(s.notes, "withdraw "+id)
	s.mu.Unlock()
}

func (s *shown) last() (tray.View, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v tray.View
	if len(s.views) > 0 {
		v = s.views[len(s.views)-1]
	}
	return v, append([]string(nil), s.notes...)
}

// The presenter follows the stream on its own goroutine: an incoming call
// raises the window, shows a notification in the phone's language and
// makes the icon blink; its answer withdraws the notification.
func TestPresenterFollowsTheStream(t *testing.T) {
	hub := events.New(nil)
	ph := &fakePhone{state: phone.State{LoggedIn: true, Language: "nl", User: &phone.UserInfo{DisplayName: "Alice"}}}
	out := &shown{}
	raised := 0
	p := &Presenter{Phone: ph, Book: book(t), Tray: out, Notes: out, Raise: func() { raised++ }}
	ctx, cancel := context.WithCancel(context.Background())
	done := Start(ctx, hub, p)

	hub.Emit(phone.EventUserStatusChanged, platform.UserStatus{EventTypeID: platform.StatusBusy})
	ph.mu.Lock()
	ph.calls = []phone.CallSummary{{CallID: "c1", Number: "+3584", State: phone.StateRinging}}
	ph.mu.Unlock()
	hub.Emit(phone.EventCallIncoming, phone.CallEvent{CallID: "c1", PhoneNumber: "+3584"})
	hub.Emit(phone.EventCallAnswered, phone.CallEvent{CallID: "c1"})
	hub.Emit("end-of-test", nil) // handled only after all of the above
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, notes := out.last()
		if len(notes) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	v, notes := out.last()
	if strings.Join(notes, "; ") != "show c1 Inkomende oproep/Opnemen; withdraw c1" {
		t.Errorf("notifications %q", notes)
	}
	if raised != 1 {
		t.Errorf("the window was raised %d times, want 1", raised)
	}
	if !strings.HasPrefix(v.Tooltip, "VoiceDesk: Alice: Bezet") || !v.Ringing {
		t.Errorf("tray %q ringing %t", v.Tooltip, v.Ringing)
	}
}
