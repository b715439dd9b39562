//go:build linux

package webview

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// keep are the libraries the phone itself runs on while the window is
// hidden (signalling, sound, codecs, the echo canceller, the C runtime):
// their pages stay, so a call that comes in finds its code resident. The
// executable stays too.
var keep = []string{"ld-linux", "libc.so", "libm.so", "libstdc++", "libgcc_s", "libpthread",
	"libpulse", "libasound", "libopus", "libspeexdsp", "libwebrtc_audio_processing"}

// Trim gives back the pages of the window's libraries (GTK, WebKit's UI
// side, Mesa and its LLVM, ICU, ...) that only this process holds, once
// the hidden window's page was released: madvise(MADV_PAGEOUT) on each
// file mapping but the phone's own, which reclaims its clean pages now
// rather than when the system runs short. They are read again from the
// file as the window is shown. Anonymous memory (the heap, relocated
// data) is left alone: without swap it has nowhere to go, and with swap
// paging the phone's heap out would slow the next call. Pages another
// process maps too are skipped by the kernel. It returns how many
// mappings it advised.
//
// This is the hidden tray app's equivalent of Windows' EmptyWorkingSet.
func Trim() (int, error) {
	exe, _ := os.Executable()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("trim the hidden window's memory: %w", err)
	}
	defer func() { _ = f.Close() }()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, path, ok := fileMapping(sc.Text())
		if !ok || path == exe || kept(path) {
			continue
		}
		switch _, _, e := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_PAGEOUT); e {
		case 0:
			n++
		case unix.EINVAL:
			// A mapping the kernel does not page (a device's, locked
			// memory): nothing to give back there.
		default:
			return n, fmt.Errorf("trim the hidden window's memory: madvise %s: %w", path, e)
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("trim the hidden window's memory: read the mappings: %w", err)
	}
	return n, nil
}

// fileMapping parses a /proc/PID/maps line: the range of a mapping of a
// file ("" and pseudo-files like [heap] are not).
func fileMapping(line string) (start, end uintptr, path string, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") {
		return 0, 0, "", false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, "", false
	}
	a, err1 := strconv.ParseUint(lo, 16, 64)
	b, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || b <= a {
		return 0, 0, "", false
	}
	return uintptr(a), uintptr(b), strings.Join(fields[5:], " "), true
}

func kept(path string) bool {
	base := filepath.Base(path)
	for _, k := range keep {
		if strings.HasPrefix(base, k) {
			return true
		}
	}
	return false
}
