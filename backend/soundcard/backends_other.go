//go:build !windows

package soundcard

import "github.com/gen2brain/malgo"

// systemBackends on Linux: PulseAudio (or PipeWire's pulse server), else
// bare ALSA.
var systemBackends = []malgo.Backend{malgo.BackendPulseaudio, malgo.BackendAlsa}

// holdMTA: COM's apartments are Windows' (see backends_windows.go).
func holdMTA() func() { return func() {} }
