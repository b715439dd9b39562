package netem

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"
)

// impairment is how the link treats each packet, the way tc netem would:
// random loss, Gilbert-Elliott bursts, a delay with normal jitter (so that
// packets overtake one another), or an outage. This machine's kernel has
// no netem (CONFIG_NET_SCH_NETEM is not set: "Specified qdisc kind is
// unknown"), so the link is a UDP relay on loopback that the two ends'
// media is routed through (their SDP's candidates name the relay), and
// the impairment is applied there, to both directions.
type impairment struct {
	loss          float64 // each packet's chance of being lost
	ge            *gilbert
	delay, jitter time.Duration
	down          bool // an outage: nothing passes
}

// gilbert is netem's "gemodel p r 1-h 1-k": p the chance to go from the
// good state to the bad, r back; lossBad (1-h) and lossGood (1-k) the loss
// in each state.
type gilbert struct {
	p, r, lossBad, lossGood float64
	bad                     bool
}

func (g *gilbert) lost(rng *rand.Rand) bool {
	if g.bad {
		if rng.Float64() < g.r {
			g.bad = false
		}
	} else if rng.Float64() < g.p {
		g.bad = true
	}
	if g.bad {
		return rng.Float64() < g.lossBad
	}
	return rng.Float64() < g.lossGood
}

// relay forwards between the phone and the far end, impaired.
type relay struct {
	toNear, toFar *net.UDPConn // toNear: the phone sends here, and hears from here
	near, far     *net.UDPAddr
	mu            sync.Mutex
	imp           impairment
	rngs          [2]*rand.Rand
	passed, lost  [2]int
	wg            sync.WaitGroup
}

func newRelay() (*relay, error) {
	a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		a.Close()
		return nil, err
	}
	return &relay{toNear: a, toFar: b, rngs: [2]*rand.Rand{rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(3, 4))}}, nil
}

// set changes the impairment (a fresh Gilbert-Elliott state each time).
func (r *relay) set(imp impairment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if imp.ge != nil {
		g := *imp.ge
		imp.ge = &g
	}
	r.imp = imp
}

// start forwards until close: what the phone sends (at toNear) goes out of
// toFar to the far end, and the other way round.
func (r *relay) start() {
	r.wg.Add(2)
	go r.pump(0, r.toNear, r.toFar, func() *net.UDPAddr { return r.far })
	go r.pump(1, r.toFar, r.toNear, func() *net.UDPAddr { return r.near })
}

func (r *relay) pump(dir int, from, out *net.UDPConn, to func() *net.UDPAddr) {
	defer r.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := from.ReadFromUDP(buf)
		if err != nil {
			return
		}
		pkt := append([]byte(nil), buf[:n]...)
		r.mu.Lock()
		rng := r.rngs[dir]
		drop := r.imp.down || (r.imp.loss > 0 && rng.Float64() < r.imp.loss) || (r.imp.ge != nil && r.imp.ge.lost(rng))
		delay := r.imp.delay
		if r.imp.jitter > 0 {
			delay += time.Duration(rng.NormFloat64() * float64(r.imp.jitter))
		}
		if drop {
			r.lost[dir]++
		} else {
			r.passed[dir]++
		}
		r.mu.Unlock()
		if drop {
			continue
		}
		dst := to()
		if delay <= 0 {
			_, _ = out.WriteToUDP(pkt, dst)
			continue
		}
		time.AfterFunc(delay, func() { _, _ = out.WriteToUDP(pkt, dst) })
	}
}

func (r *relay) counts() (passed, lost [2]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passed, r.lost
}

func (r *relay) close() {
	r.toNear.Close()
	r.toFar.Close()
	r.wg.Wait()
}

// through rewrites an SDP so that its end is reached through via: every
// ICE candidate is replaced by one host candidate at via's address, and
// the actual address (the first UDP host candidate) is returned.
func through(sdp string, via *net.UDPAddr) (string, *net.UDPAddr, error) {
	var actual *net.UDPAddr
	var lines []string
	placed := false
	for _, l := range strings.Split(strings.TrimRight(sdp, "\r\n"), "\r\n") {
		if !strings.HasPrefix(l, "a=candidate:") {
			lines = append(lines, l)
			continue
		}
		f := strings.Fields(strings.TrimPrefix(l, "a=candidate:"))
		// foundation component transport priority address port "typ" type ...
		if len(f) < 8 || !strings.EqualFold(f[2], "udp") || f[7] != "host" {
			continue
		}
		if actual == nil {
			addr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(f[4], f[5]))
			if err != nil {
				return "", nil, err
			}
			actual = addr
		}
		if !placed {
			f[4], f[5] = via.IP.String(), fmt.Sprint(via.Port)
			lines = append(lines, "a=candidate:"+strings.Join(f, " "))
			placed = true
		}
	}
	if actual == nil {
		return "", nil, fmt.Errorf("no UDP host candidate in the SDP")
	}
	return strings.Join(lines, "\r\n") + "\r\n", actual, nil
}
