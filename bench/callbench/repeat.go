package main

import (
	"fmt"
	"slices"
)

// scalar is one figure of a run, for the medians over runs.
type scalar[T any] struct {
	name, unit string
	at         func(*T) *float64
}

// medianRun returns the runs' median: a copy of the run whose key is the
// median (its breakdowns by process and thread go with it), with each
// scalar set to the median of the runs; and a line per scalar with the
// median and the spread (lowest-highest). A scalar left at 0 in every run
// (not measured) reads "-".
func medianRun[T any](runs []*T, key func(*T) float64, scalars []scalar[T]) (*T, []string) {
	byKey := slices.Clone(runs)
	slices.SortFunc(byKey, func(a, b *T) int {
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	out := *byKey[len(byKey)/2]
	var lines []string
	for _, s := range scalars {
		vals := make([]float64, 0, len(runs))
		for _, r := range runs {
			vals = append(vals, *s.at(r))
		}
		m := median(vals)
		*s.at(&out) = m
		if slices.Max(vals) == 0 {
			lines = append(lines, fmt.Sprintf("  %-52s %10s", s.name, "-"))
			continue
		}
		lines = append(lines, fmt.Sprintf("  %-52s %8.2f %-2s (%.2f-%.2f)", s.name, m, s.unit, slices.Min(vals), slices.Max(vals)))
	}
	return &out, lines
}

// appScalars are the app's figures taken as medians over runs.
var appScalars = []scalar[appFigures]{
	{"CPU per call-minute, all processes", "s", func(f *appFigures) *float64 { return &f.CallCPU }},
	{"idle CPU per minute, window open and focused", "s", func(f *appFigures) *float64 { return &f.IdleCPU }},
	{"idle CPU per minute, another window focused", "s", func(f *appFigures) *float64 { return &f.IdleAwayCPU }},
	{"idle CPU per minute, hidden to the tray", "s", func(f *appFigures) *float64 { return &f.HiddenCPU }},
	{"PSS, idle, window open", "MB", func(f *appFigures) *float64 { return &f.IdlePSS }},
	{"PSS, in a call", "MB", func(f *appFigures) *float64 { return &f.CallPSS }},
	{"PSS, hidden to the tray", "MB", func(f *appFigures) *float64 { return &f.HiddenPSS }},
	{"launch -> login screen", "ms", func(f *appFigures) *float64 { return &f.LaunchToUI }},
	{"launch -> registered from the keyring", "ms", func(f *appFigures) *float64 { return &f.LaunchToRegistered }},
	{"a call -> the hidden window shown", "ms", func(f *appFigures) *float64 { return &f.RingToWindow }},
	{"a call -> the released page drawn again", "ms", func(f *appFigures) *float64 { return &f.RingToPage }},
}

// browserScalars are the baseline's figures taken as medians over runs.
var browserScalars = []scalar[browserPhone]{
	{"CPU per call-minute, all processes (Opus)", "s", func(b *browserPhone) *float64 { return &b.CallCPU }},
	{"CPU per call-minute, all processes (PCMU)", "s", func(b *browserPhone) *float64 { return &b.PCMUCPU }},
	{"idle CPU per minute, registered", "s", func(b *browserPhone) *float64 { return &b.IdleCPU }},
	{"PSS, idle", "MB", func(b *browserPhone) *float64 { return &b.IdlePSS }},
	{"PSS, in a call", "MB", func(b *browserPhone) *float64 { return &b.CallPSS }},
	{"launch -> page shown", "ms", func(b *browserPhone) *float64 { return &b.LaunchToPage }},
	{"launch -> registered", "ms", func(b *browserPhone) *float64 { return &b.LaunchToRegistered }},
}
