package dsp

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// delayEstimator finds the echo's bulk delay: how many frames after a
// frame was played its echo reaches the microphone. WebRTC 0.3's canceller
// (delay-agnostic, extended filter) follows delays up to about 100 ms by
// itself and loses the echo beyond (measured with aecsim: 70 dB at 40 ms,
// 33 dB at 150 ms, 4 dB at 330 ms). A Bluetooth headset or a sound server
// with deep buffers puts the echo 150-400 ms late, so APM delays the
// reference it hands the canceller by most of the bulk delay found here and
// leaves the rest, and the room's tail, to the canceller. AEC3 does the
// same with its matched filters, but only webrtc-audio-processing 0.3 is
// packaged for Debian 12 (1.3's source is not reachable here), hence this
// small estimator, written for that one job.
//
// Both signals are decimated to 2 kHz (a 24-sample mean at 48 kHz: speech's
// low band, where most of its energy is) and the normalised
// cross-correlation of the last second is searched over 0..maxLag every
// hop. A peak is believed when it stands out (corr ≥ minCorr) and two
// searches in a row agree, so a burst of double talk cannot move it.
type delayEstimator struct {
	dec     int // input samples per decimated sample
	perFrm  int // decimated samples per frame
	ref     []float32
	mic     []float32
	refN    int // decimated reference samples ever added
	micN    int
	maxLag  int // decimated samples
	window  int
	hop     int
	sinceUp int
	// The last search's lag (decimated samples) and how often in a row
	// searches agreed on it.
	last, agreed int
	// found is the believed delay in frames; ok once there is one.
	found int
	ok    bool
	// The search's transform and buffers (ensureFFT).
	fft              *fourier.FFT
	m, r, xc, energy []float64
	mc, rc           []complex128
}

const (
	decimatedRate = 2000
	estWindowMs   = 1000
	estHopMs      = 500
	maxEchoMs     = 500
	minCorr       = 0.35
)

func newDelayEstimator(rate, frame int) *delayEstimator {
	dec := rate / decimatedRate
	d := &delayEstimator{dec: dec, perFrm: frame / dec,
		maxLag: maxEchoMs * decimatedRate / 1000, window: estWindowMs * decimatedRate / 1000, hop: estHopMs * decimatedRate / 1000}
	size := d.window + d.maxLag + 4*d.perFrm
	d.ref, d.mic = make([]float32, size), make([]float32, size)
	return d
}

func (d *delayEstimator) decimate(dst []float32, n int, f []int16) {
	for i := 0; i+d.dec <= len(f); i += d.dec {
		var s int32
		for _, v := range f[i : i+d.dec] {
			s += int32(v)
		}
		dst[n%len(dst)] = float32(s) / float32(d.dec)
		n++
	}
}

// played adds a frame that was played.
func (d *delayEstimator) played(f []int16) {
	d.decimate(d.ref, d.refN, f)
	d.refN += len(f) / d.dec
}

// captured adds a microphone frame and, every hop, searches; it reports
// whether the believed delay changed.
func (d *delayEstimator) captured(f []int16) bool {
	d.decimate(d.mic, d.micN, f)
	d.micN += len(f) / d.dec
	if d.sinceUp += len(f) / d.dec; d.sinceUp < d.hop || d.micN < d.window {
		return false
	}
	d.sinceUp = 0
	lag, corr := d.search()
	if corr < minCorr {
		d.agreed = 0
		return false
	}
	if abs(lag-d.last) <= d.perFrm/2 {
		d.agreed++
	} else {
		d.last, d.agreed = lag, 1
	}
	frames := (lag + d.perFrm/2) / d.perFrm
	// A move of one frame is not followed: an echo wavering by a few ms
	// about a frame boundary would move the alignment back and forth, and
	// each move costs the canceller's filter a second of converging again
	// (10-15 dB less; TestDelayEstimateHoldsAtAFrameBoundary). The filter
	// (delay-agnostic, extended) covers a frame's residual itself.
	if d.agreed >= 2 && (!d.ok || abs(frames-d.found) >= 2) {
		d.found, d.ok = frames, true
		return true
	}
	return false
}

// search is the lag (decimated samples) of the best normalised correlation
// of the microphone's last window with the reference, and that correlation.
// The correlations of all lags come from one FFT product (a direct sum over
// every lag cost 0.8 s of CPU per call-minute, more than the canceller);
// each lag's reference energy from a running sum.
func (d *delayEstimator) search() (int, float64) {
	end := d.micN
	start := end - d.window
	size := len(d.mic)
	var mm float64
	for t := start; t < end; t++ {
		v := float64(d.mic[t%size])
		mm += v * v
	}
	if mm == 0 {
		return 0, 0
	}
	// m[i] = mic[start+i]; r[j] = ref[start-maxLag+j], zero where the
	// reference does not exist (yet or any more). Lag l pairs m[i] with
	// r[i+maxLag-l].
	d.ensureFFT()
	clear(d.m)
	clear(d.r)
	for i := 0; i < d.window; i++ {
		d.m[i] = float64(d.mic[(start+i)%size])
	}
	base := start - d.maxLag
	for j := 0; j < d.window+d.maxLag; j++ {
		if t := base + j; t >= 0 && t < d.refN && d.refN-t <= size {
			d.r[j] = float64(d.ref[t%size])
		}
	}
	d.fft.Coefficients(d.mc, d.m)
	d.fft.Coefficients(d.rc, d.r)
	for k := range d.mc {
		d.rc[k] *= cmplx.Conj(d.mc[k])
	}
	d.fft.Sequence(d.xc, d.rc) // d.xc[k] = n·Σ m[i]·r[i+k]
	n := float64(len(d.m))
	d.energy[0] = 0
	for j, v := range d.r[:d.window+d.maxLag] {
		d.energy[j+1] = d.energy[j] + v*v
	}
	best, bestC := 0, 0.0
	for lag := 0; lag <= d.maxLag; lag++ {
		// The reference at t-lag must exist and still be in the ring.
		if start-lag < 0 || d.refN-(start-lag) > size || end-lag > d.refN {
			continue
		}
		k := d.maxLag - lag
		rr := d.energy[k+d.window] - d.energy[k]
		if rr <= 0 {
			continue
		}
		if c := d.xc[k] / n / math.Sqrt(mm*rr); c > bestC {
			best, bestC = lag, c
		}
	}
	return best, bestC
}

// ensureFFT sizes the search's buffers: a transform long enough that the
// circular correlation of the window with window+maxLag of reference does
// not wrap.
func (d *delayEstimator) ensureFFT() {
	if d.fft != nil {
		return
	}
	n := 1
	for n < 2*d.window+d.maxLag {
		n *= 2
	}
	d.fft = fourier.NewFFT(n)
	d.m, d.r, d.xc = make([]float64, n), make([]float64, n), make([]float64, n)
	d.mc, d.rc = make([]complex128, n/2+1), make([]complex128, n/2+1)
	d.energy = make([]float64, d.window+d.maxLag+1)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
