//go:build linux

package webview

import (
	"os"
	"strings"
	"testing"
)

func TestFileMapping(t *testing.T) {
	for _, tc := range []struct {
		rule, line string
		ok         bool
		start, end uintptr
		path       string
	}{
		{"a library's mapping is a file mapping", "7f0a1c000000-7f0a1c200000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", true, 0x7f0a1c000000, 0x7f0a1c200000, "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1"},
		{"a path with a space is kept whole", "1000-2000 r--p 00000000 fe:01 1 /opt/Voice Desk/lib.so", true, 0x1000, 0x2000, "/opt/Voice Desk/lib.so"},
		{"anonymous memory is not", "7f0a1c000000-7f0a1c200000 rw-p 00000000 00:00 0", false, 0, 0, ""},
		{"the heap is not", "01000000-02000000 rw-p 00000000 00:00 0 [heap]", false, 0, 0, ""},
		{"a broken range is not", "zz-2000 r--p 00000000 fe:01 1 /lib.so", false, 0, 0, ""},
		{"an empty range is not", "2000-2000 r--p 00000000 fe:01 1 /lib.so", false, 0, 0, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			start, end, path, ok := fileMapping(tc.line)
			if ok != tc.ok || start != tc.start || end != tc.end || path != tc.path {
				t.Errorf("fileMapping(%q) = %#x %#x %q %v, want %#x %#x %q %v", tc.line, start, end, path, ok, tc.start, tc.end, tc.path, tc.ok)
			}
		})
	}
}

func TestKept(t *testing.T) {
	for _, tc := range []struct {
		rule, path string
		kept       bool
	}{
		{"the C library stays", "/usr/lib/x86_64-linux-gnu/libc.so.6", true},
		{"the sound server's client stays", "/usr/lib/x86_64-linux-gnu/pulseaudio/libpulsecommon-16.1.so", true},
		{"the codec stays", "/usr/lib/x86_64-linux-gnu/libopus.so.0.8.0", true},
		{"the echo canceller stays", "/usr/lib/x86_64-linux-gnu/libwebrtc_audio_processing.so.1.0.0", true},
		{"WebKit goes", "/usr/lib/x86_64-linux-gnu/libwebkit2gtk-4.0.so.37", false},
		{"Mesa's LLVM goes", "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", false},
		{"a library named like libc but not it goes", "/usr/lib/libcairo.so.2", false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := kept(tc.path); got != tc.kept {
				t.Errorf("kept(%q) = %v, want %v", tc.path, got, tc.kept)
			}
		})
	}
}

// TestTrimThisProcess trims the test binary's own libraries: the kernel
// takes the advice (no error) and the libraries are still there after.
func TestTrimThisProcess(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc here")
	}
	n, err := Trim()
	if err != nil {
		t.Fatalf("Trim: %v", err)
	}
	want := 0
	exe, _ := os.Executable()
	for _, line := range strings.Split(string(maps), "\n") {
		if _, _, path, ok := fileMapping(line); ok && path != exe && !kept(path) {
			want++
		}
	}
	if n == 0 && want > 0 {
		t.Errorf("Trim advised no mapping of %d", want)
	}
}
