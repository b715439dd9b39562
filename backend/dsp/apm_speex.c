//go:build windows || speexaec

// The C face of apm.h built on speexdsp instead of webrtc-audio-processing,
// for the Windows build: the webrtc library's sources cannot be fetched from
// the places this project builds from (scripts/windows-libs.sh says why),
// while speexdsp's can. speexdsp's MDF canceller follows the echo within its
// filter's tail (tailMs); the Go side (APM in apm.go) has already removed
// the bulk of the delay, as it does for the webrtc library, so the tail only
// needs the margin it leaves plus the room. Its preprocessor then takes out
// the residual echo and, when asked, noise; its AGC is not used (it is the
// float-only legacy one; "gain" asks webrtc's adaptive digital gain, which
// this build does not have: Gain is accepted and does nothing here).
// speexdsp has no high-pass filter: a one-pole DC blocker stands in for it.
#include "apm.h"

#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

// The canceller's filter length: the Go side's margin (40 ms) and a room's
// reverberation (most of a small office's within 100 ms).
enum { tailMs = 160 };

struct vd_apm {
	SpeexEchoState *echo;
	SpeexPreprocessState *pp;
	int rate, frame, highpass;
	int16_t *ref, *out;
	int haveRef;
	float dcIn, dcOut; // the DC blocker's state
};

vd_apm *vd_apm_new(const vd_apm_config *cfg) {
	if (cfg->rate != 8000 && cfg->rate != 16000 && cfg->rate != 32000 && cfg->rate != 48000) return NULL;
	vd_apm *a = calloc(1, sizeof *a);
	if (!a) return NULL;
	a->rate = cfg->rate;
	a->frame = cfg->rate / 100;
	a->highpass = cfg->highpass;
	a->ref = calloc(a->frame, sizeof(int16_t));
	a->out = calloc(a->frame, sizeof(int16_t));
	a->pp = speex_preprocess_state_init(a->frame, a->rate);
	if (!a->ref || !a->out || !a->pp) {
		vd_apm_free(a);
		return NULL;
	}
	if (cfg->echo) {
		a->echo = speex_echo_state_init(a->frame, a->rate * tailMs / 1000);
		if (!a->echo) {
			vd_apm_free(a);
			return NULL;
		}
		int rate = a->rate;
		speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
		speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
	}
	int denoise = cfg->denoise != 0, off = 0;
	speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_DENOISE, &denoise);
	speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_AGC, &off);
	return a;
}

void vd_apm_free(vd_apm *a) {
	if (!a) return;
	if (a->pp) speex_preprocess_state_destroy(a->pp);
	if (a->echo) speex_echo_state_destroy(a->echo);
	free(a->ref);
	free(a->out);
	free(a);
}

// The Go side hands one reference frame before each microphone frame, the
// one that belongs with it: kept for vd_apm_process.
int vd_apm_reverse(vd_apm *a, const int16_t *frame) {
	memcpy(a->ref, frame, a->frame * sizeof(int16_t));
	a->haveRef = 1;
	return 0;
}

int vd_apm_process(vd_apm *a, int16_t *frame, int delay_ms) {
	(void)delay_ms; // the bulk delay is the Go side's; MDF follows the rest
	if (a->highpass) {
		// y[n] = x[n] - x[n-1] + R*y[n-1], R = 0.995: -3 dB near 40 Hz at 48 kHz.
		for (int i = 0; i < a->frame; i++) {
			float x = frame[i], y = x - a->dcIn + 0.995f * a->dcOut;
			a->dcIn = x;
			a->dcOut = y;
			frame[i] = y > 32767.f ? 32767 : y < -32768.f ? -32768 : (int16_t)y;
		}
	}
	if (a->echo && a->haveRef) {
		speex_echo_cancellation(a->echo, frame, a->ref, a->out);
		memcpy(frame, a->out, a->frame * sizeof(int16_t));
		a->haveRef = 0;
	}
	speex_preprocess_run(a->pp, frame);
	return 0;
}

// MDF keeps no delay estimate to report.
int vd_apm_delay(vd_apm *a, int *median, int *std) {
	(void)a;
	*median = -1;
	*std = -1;
	return -1;
}

int vd_apm_has_echo(vd_apm *a) {
	(void)a;
	return 0;
}
