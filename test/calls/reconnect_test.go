package calls

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/sip"
	"voicedesk/lab/labctl"
	"voicedesk/test/labtest"
)

// This test restarts the lab's Kamailio, which forgets every registration;
// it restarts the far-end phones afterwards so that they register again and
// the tests after it find the lab as it was.
func TestReconnectAfterKamailioRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	baseline := runtime.NumGoroutine()
	ev := newEvents()
	p := phone.New(phone.Config{
		DiscoveryURL: lab.DiscoveryURL,
		// The OPTIONS check is left far apart: a closed WebSocket must be
		// noticed without it.
		Connection: sip.MaintainConfig{Check: 30 * time.Second, GiveUpAfter: 30 * time.Second, MaxBackoff: time.Second},
	}, platform.New(platform.Config{}), ev)
	if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "alice@voicedesk.lab", Password: "alice-secret"}); !ok {
		t.Fatalf("login: %v", err)
	}
	alice := "sip:alice@" + lab.Domain
	if err := labctl.Ping(ctx, lab, alice); err != nil {
		t.Fatalf("alice not reachable before the restart: %v", err)
	}

	if err := labctl.StopComponent(lab, "kamailio"); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionLost)
	noticed := time.Since(stopped)
	if noticed > 3*time.Second {
		t.Errorf("connection-lost %v after Kamailio stopped, want within 3 s (the closed WebSocket, not the 30 s check)", noticed)
	}
	restart := time.Now()
	if err := labctl.StartComponent(ctx, lab, "kamailio"); err != nil {
		t.Fatal(err)
	}
	defer labtest.RestartPhones(ctx, t, lab)
	ev.waitFor(t, ctx, phone.EventPhoneError, phone.ErrorConnectionRestored)
	took := time.Since(restart)
	if took > 10*time.Second {
		t.Errorf("restored %v after Kamailio came back, want within 10 s", took)
	}
	// Registered again: Kamailio routes to Alice and the phone answers.
	if err := labctl.Ping(ctx, lab, alice); err != nil {
		t.Fatalf("alice not reachable after the restart: %v", err)
	}
	fmt.Printf("e2e: Kamailio stopped and restarted: connection-lost %v after it stopped, connection-restored %v after it was back\n",
		noticed.Round(time.Millisecond), took.Round(time.Millisecond))

	p.Close()
	// No goroutine of the phone outlives it.
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > baseline+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before the phone:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}
