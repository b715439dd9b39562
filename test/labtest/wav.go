package labtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-audio/wav"
)

// ReadWAV returns the first channel of a PCM WAV file and its sample rate.
func ReadWAV(path string) ([]int16, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = f.Close() }()
	d := wav.NewDecoder(f)
	buf, err := d.FullPCMBuffer()
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	ch := buf.Format.NumChannels
	out := make([]int16, 0, len(buf.Data)/max(ch, 1))
	for i := 0; i < len(buf.Data); i += ch {
		out = append(out, int16(buf.Data[i]))
	}
	return out, buf.Format.SampleRate, nil
}

// NewestRecording returns the newest baresip recording of kind ("dec" is
// what the phone heard, "enc" what it sent) in dir.
func NewestRecording(dir, kind string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "dump-*-"+kind+".wav"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no %s recording in %s", kind, dir)
	}
	sort.Strings(files) // names carry the time, to the second
	return files[len(files)-1], nil
}
