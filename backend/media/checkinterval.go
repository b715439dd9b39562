package media

import (
	"errors"
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// iceCheckInterval paces connectivity checks while ICE is connecting. As the
// offerer we are the controlling agent, and pion nominates a pair that has
// already succeeded only on its next check tick: with pion's fixed 200 ms,
// the far end's first words are lost on every call. 20 ms is within RFC 8445's
// pacing for the handful of pairs a softphone has (host, srflx, relay).
const iceCheckInterval = 20 * time.Millisecond

// setICECheckInterval sets the check interval of the peer connection's ICE
// agent. pion/ice has the option (ice.WithCheckInterval) but pion/webrtc
// v4.2.26's SettingEngine does not pass it on, so the agent is reached through
// the connection's unexported gatherer and its unexported field is set. TestICECheckInterval fails if a pion
// upgrade moves these fields, rather than silently going back to 200 ms.
func setICECheckInterval(pc *webrtc.PeerConnection, d time.Duration) error {
	agent, err := iceAgent(pc)
	if err != nil {
		return err
	}
	// ice.WithCheckInterval refuses an agent already constructed, so the
	// field is written directly. This is safe only because the agent's check
	// loop starts with the remote description, after this.
	f := reflect.ValueOf(agent).Elem().FieldByName("checkInterval")
	if !f.IsValid() || f.Type() != reflect.TypeOf(time.Duration(0)) {
		return errors.New("set ICE check interval: pion's ice.Agent has no checkInterval field")
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetInt(int64(d))
	return nil
}

func iceAgent(pc *webrtc.PeerConnection) (*ice.Agent, error) {
	f := reflect.ValueOf(pc).Elem().FieldByName("iceGatherer")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*webrtc.ICEGatherer)(nil)) || f.IsNil() {
		return nil, errors.New("reach ICE agent: pion's PeerConnection has no iceGatherer field")
	}
	g := (*webrtc.ICEGatherer)(unsafe.Pointer(f.Pointer()))
	// Creates the agent (under the gatherer's lock) if gathering has not yet.
	if _, err := g.GetLocalParameters(); err != nil {
		return nil, fmt.Errorf("reach ICE agent: %w", err)
	}
	a := reflect.ValueOf(g).Elem().FieldByName("agent")
	if !a.IsValid() || a.Type() != reflect.TypeOf((*ice.Agent)(nil)) || a.IsNil() {
		return nil, errors.New("reach ICE agent: pion's ICEGatherer has no agent field")
	}
	return (*ice.Agent)(unsafe.Pointer(a.Pointer())), nil
}
