package media

import (
	"reflect"
	"testing"
	"time"
)

// The session's ICE agent must check every iceCheckInterval, not pion's
// 200 ms default; this fails if a pion upgrade moves the fields reached.
func TestICECheckInterval(t *testing.T) {
	s, err := NewSession(Config{LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	agent, err := iceAgent(s.pc)
	if err != nil {
		t.Fatal(err)
	}
	got := time.Duration(reflect.ValueOf(agent).Elem().FieldByName("checkInterval").Int())
	if got != iceCheckInterval {
		t.Fatalf("ICE check interval = %v, want %v", got, iceCheckInterval)
	}
}
