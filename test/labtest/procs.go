package labtest

import (
	"os"
	"strconv"
	"strings"
)

// Proc is a running process as /proc/PID/stat tells it.
type Proc struct {
	PID, PPID, PGID int
	// Comm is the command name (15 characters at most); State the
	// one-letter state ("Z": a zombie).
	Comm, State string
}

// Procs lists the machine's processes, for tests that look for what a
// program started or left behind.
func Procs() []Proc {
	var out []Proc
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		// The command name (field 2) may hold spaces and parentheses; the
		// fields after its last ")" are plain.
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open {
			continue
		}
		f := strings.Fields(s[closing+1:]) // state, ppid, pgrp, ...
		if len(f) < 3 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgid, _ := strconv.Atoi(f[2])
		out = append(out, Proc{PID: pid, PPID: ppid, PGID: pgid, Comm: s[open+1 : closing], State: f[0]})
	}
	return out
}
