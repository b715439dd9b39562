package apiserver

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"voicedesk/lab/ngproto"
)

// Recorder starts and stops the recording of a call's media in rtpengine
// (its pcap recording method), by the call's SIP Call-ID: rtpengine knows
// calls by the Call-ID Kamailio passes it.
type Recorder struct {
	NG ngproto.Client
	// Dir is rtpengine's --recording-dir; its pcaps/ holds the files.
	Dir string

	mu sync.Mutex
	on map[string]bool
}

// callIDPattern bounds what a Call-ID in a path may be.
var callIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~!%*+@:=-]{1,128}$`)

// RecordingFile is a recording's file.
type RecordingFile struct {
	Name  string `json:"Name"`
	Bytes int64  `json:"Bytes"`
}

// RecordingState is the answer of the recording endpoints.
type RecordingState struct {
	CallID    string          `json:"CallId"`
	Recording bool            `json:"Recording"`
	Files     []RecordingFile `json:"Files"`
}

var errNoRecorder = errors.New("recording is not available")

func (r *Recorder) set(ctx context.Context, callID string, on bool) error {
	if r == nil {
		return errNoRecorder
	}
	cmd := "stop recording"
	if on {
		cmd = "start recording"
	}
	if _, err := r.NG.Command(ctx, cmd, map[string]any{"call-id": callID}); err != nil {
		return err
	}
	r.mu.Lock()
	if r.on == nil {
		r.on = map[string]bool{}
	}
	r.on[callID] = on
	r.mu.Unlock()
	return nil
}

func (r *Recorder) state(callID string) RecordingState {
	st := RecordingState{CallID: callID, Files: []RecordingFile{}}
	if r == nil {
		return st
	}
	r.mu.Lock()
	st.Recording = r.on[callID]
	r.mu.Unlock()
	entries, _ := os.ReadDir(filepath.Join(r.Dir, "pcaps"))
	for _, e := range entries {
		// rtpengine names a call's pcap after its Call-ID.
		if !strings.HasPrefix(e.Name(), callID) {
			continue
		}
		if info, err := e.Info(); err == nil {
			st.Files = append(st.Files, RecordingFile{Name: e.Name(), Bytes: info.Size()})
		}
	}
	sort.Slice(st.Files, func(i, j int) bool { return st.Files[i].Name < st.Files[j].Name })
	return st
}

// setRecording is PUT /calls/{callId}/recording {"Recording": bool}.
func (s *Server) setRecording(w http.ResponseWriter, r *http.Request, _ storedUser) {
	callID := r.PathValue("callId")
	if !callIDPattern.MatchString(callID) {
		writeError(w, http.StatusBadRequest, "The call id is not valid.")
		return
	}
	var body struct {
		Recording *bool `json:"Recording"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.Recording == nil {
		writeError(w, http.StatusBadRequest, "The field 'Recording' (true or false) is required.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	err := s.cfg.Recorder.set(ctx, callID, *body.Recording)
	switch {
	case errors.Is(err, errNoRecorder):
		writeError(w, http.StatusNotImplemented, "Call recording is not available in this lab.")
		return
	case errors.Is(err, ngproto.ErrRefused):
		// rtpengine answers "Unknown call-id" for a call it does not carry.
		writeError(w, http.StatusNotFound, "No call with that id is in progress.")
		return
	case err != nil:
		s.log.Warn("recording", "callId", callID, "error", err)
		writeError(w, http.StatusBadGateway, "The media server did not answer.")
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Recorder.state(callID))
}

// getRecording is GET /calls/{callId}/recording.
func (s *Server) getRecording(w http.ResponseWriter, r *http.Request, _ storedUser) {
	callID := r.PathValue("callId")
	if !callIDPattern.MatchString(callID) {
		writeError(w, http.StatusBadRequest, "The call id is not valid.")
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Recorder.state(callID))
}
