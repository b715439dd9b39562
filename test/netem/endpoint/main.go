// Command endpoint is one end of test/netem's calls, run by the test as a
// process of its own on loopback: "far" is the media engine alone (it
// answers an offer and plays a tone), "near" is the phone (backend/phone
// on the real media engine, its SIP faked: the offer and answer go
// through the test), so that the phone's own behaviour under a bad
// network (the line-quality verdict, the RTP timeout) is seen.
//
// It speaks JSON lines: on stdin the test's commands, on stdout what it
// has to say. Both ends record what they hear; "mark" notes where in the
// recording a phase of the test starts, "report" answers with the
// recording's analysis by phase.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"sync"
	"time"

	"voicedesk/backend/audio"
	"voicedesk/backend/media"
	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

type msg struct {
	Cmd    string  `json:"cmd,omitempty"`
	Name   string  `json:"name,omitempty"`
	SDP    string  `json:"sdp,omitempty"`
	Event  string  `json:"event,omitempty"`
	Detail any     `json:"detail,omitempty"`
	Report *Report `json:"report,omitempty"`
	Err    string  `json:"error,omitempty"`
}

// Report is what one end heard in each phase, and its media figures.
type Report struct {
	Phases []Phase      `json:"phases"`
	Stats  *media.Stats `json:"stats,omitempty"`
}

// Phase is one marked stretch of the recording, in 100 ms windows.
type Phase struct {
	Name string `json:"name"`
	// Windows: how many; Heard: those with the tone at its level.
	Windows, Heard int
	// FirstHeardMs: from the phase's start to the first window heard
	// (-1: none).
	FirstHeardMs int `json:"firstHeardMs"`
	// Concealed: frames the jitter buffer made up in the phase; Target
	// its target depth (frames of 20 ms) at the phase's end; -1 when the
	// call's figures were gone.
	Concealed, Target int
	// Recovered: of the concealed, those rebuilt from Opus FEC.
	Recovered int
}

var out = json.NewEncoder(os.Stdout)
var outMu sync.Mutex

func say(m msg) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(m)
}

type marker struct {
	name              string
	at                int // samples
	concealed, target int
	recovered         int
	known             bool // the figures could be read (the call was up)
}

func main() {
	role := flag.String("role", "far", "near (the phone) or far (the engine)")
	hz := flag.Int("tone", 1000, "the tone this end plays")
	hear := flag.Int("hear", 700, "the tone the other end plays")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	read := func() msg {
		if !in.Scan() {
			os.Exit(0) // the test is gone
		}
		var m msg
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			say(msg{Err: err.Error()})
		}
		return m
	}
	heard := &audio.Recorder{}
	var stats func() media.Stats
	var end func()
	if *role == "far" {
		m := read()
		sess, err := media.NewSession(media.Config{Log: log, LoopbackOnly: true})
		if err != nil {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		ans, err := sess.Answer(context.Background(), m.SDP)
		if err != nil {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		if err := sess.Start(&audio.Tone{Hz: float64(*hz)}, heard); err != nil {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		say(msg{SDP: ans})
		stats, end = sess.Stats, func() { _ = sess.Close() }
	} else {
		agent := phonetest.NewAgent()
		em := emitter{}
		p := phone.New(phone.Config{NewUserAgent: agent.New(), StatusPoll: -1, PNPSFirst: -1, Log: log, Media: media.Config{LoopbackOnly: true},
			Audio: func() (audio.Source, audio.Sink) { return &audio.Tone{Hz: float64(*hz)}, heard }}, phonetest.Platform{}, em)
		ctx := context.Background()
		if ok, err := p.Login(ctx, phone.LoginOptions{Type: phone.LoginCredentials, Username: "agent@lab", Password: "secret"}); !ok {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		id, err := p.Call("+358401000199")
		if err != nil {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		d, err := agent.Dialed(ctx)
		if err != nil {
			say(msg{Err: err.Error()})
			os.Exit(1)
		}
		say(msg{SDP: string(d.Offer)})
		m := read()
		d.AnswerSDP(m.SDP)
		stats = func() media.Stats {
			q, err := p.CallStats(id)
			if err != nil {
				return media.Stats{}
			}
			return q.Stats
		}
		end = func() { _ = p.EndCall(id); time.Sleep(200 * time.Millisecond); p.Close() }
	}
	var marks []marker
	for {
		m := read()
		switch m.Cmd {
		case "mark":
			s, _ := heard.Samples()
			st := stats()
			marks = append(marks, marker{name: m.Name, at: len(s), concealed: st.Concealed, target: st.BufferFrames, recovered: st.Recovered, known: st.PacketsReceived > 0})
		case "report":
			say(msg{Report: report(heard, marks, stats(), *hear)})
		case "stop":
			end()
			return
		}
	}
}

// report analyses each marked phase: 100 ms windows with the other end's
// tone (share >= 0.8) within 6 dB of its level before the first phase.
func report(r *audio.Recorder, marks []marker, st media.Stats, hz int) *Report {
	s, rate := r.Samples()
	rep := &Report{Stats: &st}
	if rate == 0 || len(marks) == 0 {
		return rep
	}
	win := rate / 10
	ref := s[max(0, marks[0].at-rate/2):marks[0].at]
	refLevel := audio.Level(ref)
	last := marker{at: len(s), concealed: st.Concealed, target: st.BufferFrames, recovered: st.Recovered, known: st.PacketsReceived > 0}
	for i, mk := range marks {
		next := last
		if i+1 < len(marks) {
			next = marks[i+1]
		}
		endAt := next.at
		// -1: the figures were gone (the call had ended).
		ph := Phase{Name: mk.name, FirstHeardMs: -1, Concealed: -1, Target: -1}
		if mk.known && next.known {
			ph.Concealed, ph.Target, ph.Recovered = next.concealed-mk.concealed, next.target, next.recovered-mk.recovered
		}
		for j := mk.at; j+win <= endAt; j += win {
			w := s[j : j+win]
			ph.Windows++
			lv := audio.Level(w)
			if audio.ToneShare(w, rate, hz) >= 0.8 && lv > refLevel-6 && lv < refLevel+6 {
				ph.Heard++
				if ph.FirstHeardMs < 0 {
					ph.FirstHeardMs = (j - mk.at) * 1000 / rate
				}
			}
		}
		rep.Phases = append(rep.Phases, ph)
	}
	return rep
}

// emitter hands the phone's events to the test.
type emitter struct{}

func (emitter) Emit(name string, detail any) {
	switch name {
	case phone.EventCallQualityChanged, phone.EventCallEnded, phone.EventCallConfirmed:
		say(msg{Event: name, Detail: detail})
	}
}
