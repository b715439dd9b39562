package calls

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/secrets"
	"voicedesk/backend/settings"
)

// TestSecretsStayOutOfLogs: a sign-in with "remember me", a call, and a
// sign-out through the lab, every log line at debug level, every event's
// payload and the settings file: none holds the password, the API's
// secret key, the SIP password or the SDK token.
func TestSecretsStayOutOfLogs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var evMu sync.Mutex
	var events bytes.Buffer
	em := emitFunc(func(name string, detail any) {
		b, _ := json.Marshal(detail)
		evMu.Lock()
		events.WriteString(name + " " + string(b) + "\n")
		evMu.Unlock()
	})
	path := filepath.Join(t.TempDir(), "settings.json")
	keys := &secrets.Memory{}
	api := platform.New(platform.Config{})
	p := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL, Media: media.Config{LoopbackOnly: true}, StatusPoll: -1, PNPSFirst: -1,
		Log: log, Settings: settings.Open(path), Secrets: keys}, api, em)
	defer p.Close()
	const user, password = "alice@voicedesk.lab", "alice-secret"
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: user, Password: password, RememberMe: true}); !ok {
		t.Fatalf("login: %v", err)
	}
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// The secrets this sign-in used: the secret key from the keyring, the
	// SIP settings the platform gave for it.
	secret, err := keys.Get(user)
	if err != nil {
		t.Fatalf("the secret key is not in the keyring: %v", err)
	}
	st, err := settings.Open(path).Load()
	if err != nil || st.Remembered == nil {
		t.Fatalf("nothing remembered: %+v, %v", st, err)
	}
	sess, err := platform.RestoreSession(st.Remembered.APIEndpoint, user, st.Remembered.UserID, secret)
	if err != nil {
		t.Fatal(err)
	}
	sip, err := api.SIPSettings(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p.Logout(true)
	time.Sleep(200 * time.Millisecond)
	evMu.Lock()
	emitted := events.String()
	evMu.Unlock()
	checked := 0
	for _, s := range []struct{ what, value string }{
		{"the password", password}, {"the API's secret key", secret}, {"the SIP password", sip.Password}, {"the SDK token", sip.Token},
	} {
		if len(s.value) < 6 {
			continue // none here (the lab gives no SDK token to this user)
		}
		checked++
		for _, place := range []struct{ name, text string }{{"the log", logs.String()}, {"an event", emitted}, {"the settings file", string(file)}} {
			if strings.Contains(place.text, s.value) {
				t.Errorf("%s is in %s", s.what, place.name)
			}
		}
	}
	if checked < 3 || !strings.Contains(logs.String(), "call ended") {
		t.Fatalf("checked %d secrets in %d bytes of log: the test saw too little", checked, len(logs.String()))
	}
}
