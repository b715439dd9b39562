package aecsim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
)

// Speech is text spoken by espeak-ng (Debian's espeak-ng package), mono
// 16-bit at the rate espeak-ng speaks (22050 Hz), for tests of speech
// rather than tones. voice is an espeak-ng voice ("en-us", "fi").
func Speech(text, voice string) ([]int16, int, error) {
	out, err := exec.Command("espeak-ng", "-v", voice, "-s", "150", "--stdout", text).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("espeak-ng (scripts/setup.sh installs it): %w", err)
	}
	return parseWAV(out)
}

// parseWAV reads a mono 16-bit PCM WAV; espeak-ng's streamed header has
// its sizes unset, so the data chunk runs to the end.
func parseWAV(b []byte) ([]int16, int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	rate := 0
	for at := 12; at+8 <= len(b); {
		id, size := string(b[at:at+4]), int(binary.LittleEndian.Uint32(b[at+4:]))
		body := b[at+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			if ch, bits := binary.LittleEndian.Uint16(body[2:]), binary.LittleEndian.Uint16(body[14:]); ch != 1 || bits != 16 {
				return nil, 0, fmt.Errorf("want mono 16-bit, got %d channels, %d bits", ch, bits)
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			if size <= 0 || size > len(body) {
				size = len(body)
			}
			s := make([]int16, size/2)
			_ = binary.Read(bytes.NewReader(body[:size/2*2]), binary.LittleEndian, s)
			if rate == 0 {
				return nil, 0, errors.New("data before fmt")
			}
			return s, rate, nil
		}
		if size < 0 || at+8+size > len(b) {
			break
		}
		at += 8 + size + size%2
	}
	return nil, 0, errors.New("no data chunk")
}
