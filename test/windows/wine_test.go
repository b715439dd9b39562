// Package windows runs the cross-built Windows exe under Debian's Wine
// against the lab: headless with its bridge, it signs in, places a call
// and answers one, and the sound is checked at both ends, through Wine's
// PulseAudio driver (winepulse.drv) and a private PulseAudio server with
// null sinks. make test-windows builds the exe (scripts/windows-build.sh)
// and names it in VOICEDESK_WINDOWS_EXE.
package windows

import (
	"context"
	"debug/pe"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/lab/labctl"
	"voicedesk/test/desktop"
	"voicedesk/test/keep"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

const wine = "/usr/lib/wine/wine64"

// winePath is how a Windows program under Wine names a Unix path (drive Z:
// is the root).
func winePath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

func TestWindowsExeUnderWine(t *testing.T) {
	exe := os.Getenv("VOICEDESK_WINDOWS_EXE")
	if exe == "" {
		t.Skip("VOICEDESK_WINDOWS_EXE is not set: make test-windows builds the exe and runs this test")
	}
	if _, err := os.Stat(wine); err != nil {
		t.Fatalf("Wine is missing (make setup installs wine64): %v", err)
	}
	prefix := os.Getenv("WINEPREFIX")
	if prefix == "" {
		t.Fatal("WINEPREFIX is not set: make test-windows prepares the prefix (scripts/wine-test.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	lab := labtest.Start(ctx, t)
	sound := pulse.Start(t) // PULSE_SERVER for winepulse: default sink "speaker", source "mic"
	home := t.TempDir()
	const token = "wine-test-token-0123456789abcdef"
	keep.Secret("integration-token", token) // the secret scan looks for it in every log
	started := time.Now()
	cmd := exec.CommandContext(ctx, wine, exe, "--headless", "--bridge", "127.0.0.1:0",
		"--discovery-url", lab.DiscoveryURL,
		"--settings", winePath(filepath.Join(home, "settings.json")),
		"--control", fmt.Sprintf(`\\.\pipe\voicedesk-wine-test-%d`, os.Getpid()))
	cmd.Env = append(os.Environ(), "WINEDEBUG="+envOr("VOICEDESK_WINEDEBUG", "-all"), "VOICEDESK_BRIDGE_TOKEN="+token)
	cmd.Env = append(cmd.Env, sound.Env()...)
	app := desktop.StartHeadless(t, cmd, 40*time.Second, "the exe under Wine")
	up := time.Since(started)
	if strings.Contains(app.Log(), `"no sound"`) {
		t.Fatalf("the exe found no sound device under Wine (WASAPI through winepulse): %s", app.Log())
	}
	rpc, err := desktop.DialBridgeFrom(ctx, app.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rpc.Close()
	if _, _, err := rpc.SignIn(lab.Demo[0].Username, lab.Demo[0].Password, 20*time.Second); err != nil {
		t.Fatalf("under Wine: %v", err)
	}
	signedIn := time.Since(started)

	// The microphone says 1000 Hz throughout.
	sound.Feed(pulse.MicFeed, &audio.Tone{Hz: 1000, Amplitude: 0.3})

	// An outbound call to the tone phone: the exe plays its tone and the tone
	// phone hears the exe's microphone.
	res, err := rpc.Call("call", lab.Tone.Number)
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	var id string
	if err := json.Unmarshal(res, &id); err != nil || id == "" {
		t.Fatalf("call resolved %s, want the call's id", res)
	}
	if err := rpc.WaitEvent("call-confirmed", 15*time.Second); err != nil {
		t.Fatal(err)
	}
	heard := listen(t, sound)
	if _, err := rpc.Call("endCall", id); err != nil {
		t.Fatalf("endCall: %v", err)
	}
	checkTone(t, "outbound: the speaker (the tone phone's tone)", heard, pulse.Rate, lab.Tone.ToneHz)
	far, rate := farHeard(t, lab.Tone.Recordings)
	checkTone(t, "outbound: the tone phone (the exe's microphone)", far, rate, 1000)

	// An inbound call from the caller phone, answered through the bridge.
	since := len(rpc.Events)
	if _, err := labctl.Ctrl(ctx, lab.Caller.Ctrl, "dial", "sip:alice@"+lab.Domain); err != nil {
		t.Fatal(err)
	}
	if err := rpc.WaitEventSince("call-incoming", since, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	var in struct {
		CallID        string `json:"callId"`
		CallDirection string `json:"callDirection"`
	}
	if err := json.Unmarshal(rpc.Detail("call-incoming"), &in); err != nil || in.CallID == "" || in.CallDirection != "incoming" {
		t.Fatalf("call-incoming's payload %s, want a callId and callDirection incoming", rpc.Detail("call-incoming"))
	}
	if _, err := rpc.Call("answerCall", in.CallID); err != nil {
		t.Fatalf("answerCall: %v", err)
	}
	if err := rpc.WaitEventSince("call-confirmed", since, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	heard = listen(t, sound)
	if _, err := rpc.Call("endCall", in.CallID); err != nil {
		t.Fatalf("endCall: %v", err)
	}
	checkTone(t, "inbound: the speaker (the caller's tone)", heard, pulse.Rate, lab.Caller.ToneHz)
	far, rate = farHeard(t, lab.Caller.Recordings)
	checkTone(t, "inbound: the caller (the exe's microphone)", far, rate, 1000)
	if !t.Failed() {
		fmt.Printf("e2e: the Windows exe under Wine: bridge up in %d ms, registered in %d ms; outbound and inbound calls with sound both ways\n",
			up.Milliseconds(), signedIn.Milliseconds())
	}
}

// The exe is linked statically: it imports only DLLs every Windows has (no
// libopus-0.dll, libgcc or libstdc++ from mingw to ship beside it).
func TestExeNeedsNoDLLsBesideIt(t *testing.T) {
	exe := os.Getenv("VOICEDESK_WINDOWS_EXE")
	if exe == "" {
		t.Skip("VOICEDESK_WINDOWS_EXE is not set: make test-windows builds the exe and runs this test")
	}
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// (debug/pe's ImportedLibraries is empty for PE files; each imported
	// symbol names its DLL: "Func:DLL".)
	syms, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var libs []string
	for _, s := range syms {
		if _, dll, ok := strings.Cut(s, ":"); ok && !seen[strings.ToLower(dll)] {
			seen[strings.ToLower(dll)] = true
			libs = append(libs, dll)
		}
	}
	if len(libs) == 0 {
		t.Fatal("no imported DLL read from the exe")
	}
	system := map[string]bool{"kernel32.dll": true, "advapi32.dll": true, "msvcrt.dll": true, "user32.dll": true,
		"ws2_32.dll": true, "ole32.dll": true, "shell32.dll": true, "winmm.dll": true, "bcrypt.dll": true}
	for _, l := range libs {
		if !system[strings.ToLower(l)] {
			t.Errorf("the exe imports %s, which Windows does not ship", l)
		}
	}
	st, _ := os.Stat(exe)
	t.Logf("imports %v; %.1f MB", libs, float64(st.Size())/(1<<20))
}

// listen records the speaker through two seconds of the call, from half a
// second after it was confirmed (the media path's start is the sound
// tests' business; this one asks whether Wine's sound path carries it).
func listen(t *testing.T, sound *pulse.Server) []int16 {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	rec := sound.Record(pulse.Speaker)
	defer rec.Stop()
	time.Sleep(2 * time.Second)
	return rec.Samples(2 * time.Second)
}

// farHeard is the far end's recording of the call just ended (baresip closes
// it at hang-up), from its second quarter on.
func farHeard(t *testing.T, dir string) ([]int16, int) {
	t.Helper()
	for i := 0; i < 30; i++ {
		time.Sleep(100 * time.Millisecond)
		path, err := labtest.NewestRecording(dir, "dec")
		if err != nil {
			continue
		}
		s, r, err := labtest.ReadWAV(path)
		if err != nil || len(s) < r {
			continue
		}
		return s[len(s)/4:], r
	}
	t.Errorf("no recording of the far end in %s", dir)
	return nil, 1
}

// checkTone: the dominant frequency within 5 Hz of want and the tone in at
// least half of the 20 ms blocks, and audible.
func checkTone(t *testing.T, what string, s []int16, rate, want int) {
	t.Helper()
	if len(s) < rate/2 {
		t.Errorf("%s: %d samples, want at least half a second", what, len(s))
		return
	}
	hz, _ := audio.DominantFrequency(s, rate)
	share := audio.ToneShare(s, rate, want)
	level := audio.Level(s)
	t.Logf("%s: %d Hz (share %.2f) at %.1f dBFS", what, hz, share, level)
	if abs(hz-want) > 5 || share < 0.5 || level < -40 {
		t.Errorf("%s: heard %d Hz (share %.2f, %.1f dBFS), want %d Hz", what, hz, share, level, want)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
