package calls

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
)

// pcapPackets counts the packets of a pcap file (classic format).
func pcapPackets(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		return 0
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.BigEndian.Uint32(data) == 0xa1b2c3d4 {
		order = binary.BigEndian
	}
	n := 0
	for off := 24; off+16 <= len(data); n++ {
		off += 16 + int(order.Uint32(data[off+8:]))
	}
	return n
}

func pcaps(dir string) map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir(filepath.Join(dir, "pcaps"))
	for _, e := range entries {
		out[e.Name()] = true
	}
	return out
}

// Recording a connected call: the platform's media server (rtpengine)
// writes the call's media while recording is on, and stops after.
func TestCallRecordingThroughTheLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	idle := phone.New(phone.Config{DiscoveryURL: lab.DiscoveryURL}, platform.New(platform.Config{}), newEvents())
	defer idle.Close()
	if err := idle.StartCallRecording(ctx, "x"); !errors.Is(err, phone.ErrNotLoggedIn) {
		t.Errorf("recording before login: %v, want ErrNotLoggedIn", err)
	}
	p, ev := loggedInPhone(t, ctx, "alice@voicedesk.lab", "alice-secret")
	if err := p.StartCallRecording(ctx, "nosuchcall"); !errors.Is(err, phone.ErrNoSuchCall) {
		t.Errorf("recording an unknown call: %v, want ErrNoSuchCall", err)
	}

	// The early-media phone answers 183 and waits: the call is not up.
	early, err := p.Call(lab.Early.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallInProgress)
	if err := p.StartCallRecording(ctx, early); !errors.Is(err, phone.ErrCallNotConnected) {
		t.Errorf("recording a call not yet answered: %v, want ErrCallNotConnected", err)
	}
	if err := p.EndCall(early); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)

	before := pcaps(lab.Recordings)
	id, err := p.Call(lab.Tone.Number)
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallConfirmed)
	time.Sleep(500 * time.Millisecond)
	if err := p.StartCallRecording(ctx, id); err != nil {
		t.Fatalf("startCallRecording: %v", err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := p.StopCallRecording(ctx, id); err != nil {
		t.Fatalf("stopCallRecording: %v", err)
	}
	var files []string
	for name := range pcaps(lab.Recordings) {
		if !before[name] {
			files = append(files, filepath.Join(lab.Recordings, "pcaps", name))
		}
	}
	if len(files) != 1 {
		t.Fatalf("new recordings %v, want one", files)
	}
	recorded := pcapPackets(t, files[0])
	// 1.5 s of two 50 packet/s streams, on each of the call's two legs.
	if recorded < 100 {
		t.Fatalf("the recording holds %d packets, want the call's media (> 100)", recorded)
	}
	time.Sleep(time.Second)
	if after := pcapPackets(t, files[0]); after > recorded+10 {
		t.Errorf("the recording grew from %d to %d packets after stopCallRecording", recorded, after)
	}
	if err := p.EndCall(id); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, ctx, phone.EventCallEnded)
	if err := p.StartCallRecording(ctx, id); !errors.Is(err, phone.ErrNoSuchCall) {
		t.Errorf("recording an ended call: %v, want ErrNoSuchCall", err)
	}
	fmt.Printf("e2e: call recording: rtpengine wrote %d packets while recording was on (%s)\n", recorded, filepath.Base(files[0]))
}
