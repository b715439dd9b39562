package notify

import (
	"testing"

	"golang.org/x/sys/windows/registry"
)

// Open gives Windows VoiceDesk's toast identity (its AppUserModelId, with
// the activator that brings clicks back); a click reaches the phone only
// for a call whose toast is up, and never after Withdraw. (Wine has no
// toasts to show: IncomingCall itself is what a real Windows shows.)
func TestToastIdentityAndClicks(t *testing.T) {
	var got []string
	n, err := Open(nil, func(callID, action string) { got = append(got, action+" "+callID) })
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	k, err := registry.OpenKey(registry.CURRENT_USER, `SOFTWARE\Classes\AppUserModelId\VoiceDesk`, registry.QUERY_VALUE)
	if err != nil {
		t.Fatalf("no AppUserModelId for VoiceDesk: %v", err)
	}
	if v, _, err := k.GetStringValue("CustomActivator"); err != nil || v == "" {
		t.Errorf("no activator registered: %q, %v", v, err)
	}
	k.Close()

	n.mu.Lock()
	n.shown["call-1"] = true
	n.mu.Unlock()
	n.activated(toastArgs(ActionAnswer, "call-1"), nil)
	n.activated(toastArgs(ActionReject, "call-2"), nil) // no toast of ours
	n.activated("pay call-1", nil)                      // not an action
	n.Withdraw("call-1")
	n.activated(toastArgs(ActionAnswer, "call-1"), nil) // withdrawn
	if len(got) != 1 || got[0] != "answer call-1" {
		t.Errorf("clicks that reached the phone: %q, want only [answer call-1]", got)
	}
}
