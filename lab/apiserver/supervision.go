package apiserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"voicedesk/lab/baresipctl"
)

// Supervision is the lab's stand-in for the platform's call supervision:
// on request it has its bridge phone (baresip "monitor", ctrl_tcp at
// Bridge) call the supervisor, with the supervised user in the request URI
// that the proxy turns into X-Supervision-Target. The bridge plays a tone:
// the lab has no media server that forks an agent's call to a listener.
type Supervision struct {
	Bridge string
}

// startSupervision is POST /users/{id}/supervision {"TargetUserId"}.
func (s *Server) startSupervision(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "A supervision is started by the supervisor themself.")
		return
	}
	if !strings.EqualFold(me.Role, "supervisor") {
		writeError(w, http.StatusForbidden, "Only a supervisor may supervise calls.")
		return
	}
	var body struct {
		TargetUserID string `json:"TargetUserId"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case body.TargetUserID == "":
		writeError(w, http.StatusBadRequest, "The field 'TargetUserId' is required.")
		return
	case strings.EqualFold(body.TargetUserID, me.ID):
		writeError(w, http.StatusBadRequest, "A supervisor cannot supervise themself.")
		return
	}
	u, err := s.store.userByID(body.TargetUserID)
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "No such user.")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not read the user.")
		return
	}
	if s.cfg.Supervision == nil {
		writeError(w, http.StatusNotImplemented, "Call supervision is not available in this lab.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	uri := "sip:supervise*" + u.ID + "*" + me.SIPUser + "@" + SIPDomain
	if _, err := baresipctl.Command(ctx, s.cfg.Supervision.Bridge, "dial", uri); err != nil {
		s.log.Warn("supervision bridge", "error", err)
		writeError(w, http.StatusBadGateway, "The supervision bridge did not answer.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"TargetUserId": u.ID, "State": "connecting"})
}
