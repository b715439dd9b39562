// A C face for webrtc-audio-processing 0.3's AudioProcessing (C++), for cgo.
#ifndef VD_APM_H
#define VD_APM_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vd_apm vd_apm;

typedef struct {
	int rate;            // 8000, 16000, 32000 or 48000
	int echo;            // the acoustic echo canceller (AEC, not the mobile AECM)
	int delay_agnostic;  // the canceller estimates the echo's delay itself
	int extended;        // the extended filter (128 ms, robust to delay changes)
	int denoise;         // noise suppression
	int gain;            // adaptive digital gain (AGC) for quiet headsets
	int highpass;        // the high-pass filter (rumble, DC)
} vd_apm_config;

vd_apm *vd_apm_new(const vd_apm_config *cfg);
void vd_apm_free(vd_apm *a);
// One 10 ms frame (rate/100 samples) that the speaker played.
int vd_apm_reverse(vd_apm *a, const int16_t *frame);
// One 10 ms frame of the microphone, processed in place; delay_ms is the
// time from a frame's playback to its echo's capture beyond the bulk delay
// the Go side already removed (0: the delay-agnostic estimator finds it).
int vd_apm_process(vd_apm *a, int16_t *frame, int delay_ms);
// The canceller's own delay estimate (median, spread, in ms); -1 when unknown.
int vd_apm_delay(vd_apm *a, int *median, int *std);
// Whether the last processed frame held echo (the canceller's judgement).
int vd_apm_has_echo(vd_apm *a);

#ifdef __cplusplus
}
#endif
#endif
