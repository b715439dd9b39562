package phone

import (
	"time"

	"voicedesk/backend/media"
)

// EventCallQualityChanged is VoiceDesk's own (README, additions): a
// connected call's line quality verdict ("good", "fair", "poor"; see judge)
// changed. The window shows it beside the call's timer; it used to ask for
// CallStats every two seconds, which cost its page process more than the
// verdict ever changes (bench/README, issue 20). The figures themselves
// stay with CallStats.
const EventCallQualityChanged = "call-quality-changed"

// QualityEvent is call-quality-changed's payload.
type QualityEvent struct {
	CallID  string `json:"callId"`
	Quality string `json:"quality"`
}

// qualityEvery is how often a call's verdict is taken again: RTCP reports
// and the ICE consent checks that feed it come every few seconds.
const qualityEvery = 2 * time.Second

// qualityWatch is a call's quality timer (under call.mu): stop cancels the
// pending check; ended is set once the call finishes, after which no check
// is scheduled.
type qualityWatch struct {
	stop  func()
	ended bool
}

// end marks the watch over and returns the pending check's cancel.
func (w *qualityWatch) end() func() {
	w.ended = true
	stop := w.stop
	w.stop = nil
	if stop == nil {
		return func() {}
	}
	return stop
}

// rtpTimeout is Config.RTPTimeout's default: long enough for a network's
// hiccup (a Wi-Fi roam, a 2 s outage: the call goes on), short enough
// that an agent is not left in a dead call (rtpengine killed: the
// platform's relay is gone for good) — below the 10 s a caller waits
// before hanging up on silence.
const rtpTimeout = 8 * time.Second

// watchQuality takes the call's verdict every qualityEvery on the Phone's
// clock and emits call-quality-changed when it changes, until the call
// finishes. A verdict of "" (no audio came yet) is not announced. The same
// check ends the call as media-failed when the far end's audio stopped for
// rtpTimeout while neither side holds the call (no RTP is due then).
func (p *Phone) watchQuality(c *call, sess MediaSession) {
	var last string // only the one pending check touches it
	var received uint32
	var prev media.Stats
	heardAt := p.now()
	var check func()
	schedule := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.quality.ended {
			c.quality.stop = p.after(qualityEvery, check)
		}
	}
	check = func() {
		c.mu.Lock()
		ended := c.quality.ended
		c.mu.Unlock()
		if ended {
			return
		}
		st := sess.Stats()
		c.mu.Lock()
		held := c.localHold || c.remoteHold
		c.mu.Unlock()
		// The verdict is the last interval's: judged on the call's totals,
		// a lossy minute kept it "fair" or "poor" long after the line was
		// clean again (test/netem), and an outage, with no packets at all,
		// said nothing.
		q := ""
		if !held {
			q = judgeInterval(prev, st)
		}
		prev = st
		if q != "" && q != last {
			last = q
			c.mu.Lock()
			c.verdict = q
			c.mu.Unlock()
			p.emit.Emit(EventCallQualityChanged, QualityEvent{CallID: c.ev.CallID, Quality: q})
		}
		now := p.now()
		if held || st.PacketsReceived != received {
			received, heardAt = st.PacketsReceived, now
		} else if p.rtpTimeout > 0 && now.Sub(heardAt) >= p.rtpTimeout {
			p.log.Warn("no audio from the far end; ending the call", "callId", c.ev.CallID, "silentFor", now.Sub(heardAt).Round(time.Second),
				"packetsReceived", st.PacketsReceived)
			c.setReason(EndMediaFailed)
			c.cancel() // the call's goroutine sends the BYE and ends it
			return
		}
		schedule()
	}
	c.mu.Lock()
	started := c.quality.stop != nil
	c.mu.Unlock()
	if !started {
		schedule()
	}
}

// judgeInterval rates the interval between two readings of a call's
// figures: its loss (the packets received and lost in it), and the jitter
// and round trip as they are now. No packet in the interval, once some had
// come, is an outage: poor. Before any packet: no verdict.
func judgeInterval(prev, now media.Stats) string {
	if now.PacketsReceived == 0 {
		return ""
	}
	if now.PacketsReceived < prev.PacketsReceived {
		prev = media.Stats{} // new figures (the media was set up anew)
	}
	d := now
	d.PacketsReceived = now.PacketsReceived - prev.PacketsReceived
	d.PacketsLost = max(now.PacketsLost-prev.PacketsLost, 0)
	if d.PacketsReceived == 0 {
		return "poor"
	}
	return judge(d)
}
