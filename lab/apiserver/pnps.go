package apiserver

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
)

// PNPS queries: the platform periodically asks users how likely they are
// to recommend the phone (0-10) and why. The lab keeps one due query per
// user and mission type in memory (a restart asks again).
type pnpsState struct {
	mu   sync.Mutex
	done map[string]bool // user id + mission type -> answered or dismissed
}

// PNPSQuery is a due query (the lab's choice of shape, lab/API.md).
type PNPSQuery struct {
	ID          string `json:"Id"`
	MissionType string `json:"MissionType"`
	Question    string `json:"Question"`
	ScaleMin    int    `json:"ScaleMin"`
	ScaleMax    int    `json:"ScaleMax"`
}

var pnpsQuestions = map[string]string{
	"default":    "How likely are you to recommend the phone to a colleague?",
	"standalone": "How likely are you to recommend the standalone phone to a colleague?",
	"salesforce": "How likely are you to recommend the phone in Salesforce to a colleague?",
	"d365":       "How likely are you to recommend the phone in Dynamics 365 to a colleague?",
}

func pnpsID(userID, mission string) string { return "pnps-" + mission + "-" + userID }

// pnpsQuery is GET /users/{id}/pnps/query?missionType=: 200 with the due
// query, 204 when none is due.
func (s *Server) pnpsQuery(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "Only the user themself has PNPS queries.")
		return
	}
	mission := r.URL.Query().Get("missionType")
	if mission == "" {
		mission = "default"
	}
	q, ok := pnpsQuestions[mission]
	if !ok {
		writeError(w, http.StatusBadRequest, "Unknown missionType: use default, standalone, salesforce or d365.")
		return
	}
	s.pnps.mu.Lock()
	done := s.pnps.done[pnpsID(me.ID, mission)]
	s.pnps.mu.Unlock()
	if done {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, PNPSQuery{ID: pnpsID(me.ID, mission), MissionType: mission, Question: q, ScaleMin: 0, ScaleMax: 10})
}

// pnpsAnswer is POST /users/{id}/pnps/query/{queryId} {Score, Comment} or
// {Dismissed: true}.
func (s *Server) pnpsAnswer(w http.ResponseWriter, r *http.Request, me storedUser) {
	if target(r, me) != me.ID {
		writeError(w, http.StatusForbidden, "Only the user themself answers their PNPS queries.")
		return
	}
	id := r.PathValue("queryId")
	mission, ok := strings.CutPrefix(id, "pnps-")
	if ok {
		mission, _, ok = strings.Cut(mission, "-")
	}
	if !ok || pnpsID(me.ID, mission) != id {
		writeError(w, http.StatusNotFound, "No such PNPS query.")
		return
	}
	var body struct {
		Score     *int   `json:"Score"`
		Comment   string `json:"Comment"`
		Dismissed bool   `json:"Dismissed"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case body.Dismissed:
	case body.Score == nil || *body.Score < 0 || *body.Score > 10:
		writeError(w, http.StatusBadRequest, "Score must be a whole number from 0 to 10 (or Dismissed true).")
		return
	case utf8.RuneCountInString(body.Comment) > 1000:
		writeError(w, http.StatusBadRequest, "Comment may be at most 1000 characters.")
		return
	}
	s.pnps.mu.Lock()
	if s.pnps.done == nil {
		s.pnps.done = map[string]bool{}
	}
	already := s.pnps.done[id]
	s.pnps.done[id] = true
	s.pnps.mu.Unlock()
	if already {
		writeError(w, http.StatusConflict, "The PNPS query was already answered.")
		return
	}
	score := "dismissed"
	if body.Score != nil && !body.Dismissed {
		score = fmt.Sprint(*body.Score)
	}
	s.log.Info("pnps answer", "user", me.ID, "mission", mission, "score", score, "commentChars", utf8.RuneCountInString(body.Comment))
	writeJSON(w, http.StatusOK, map[string]any{"Id": id, "Answered": !body.Dismissed})
}
