//go:build !windows && !speexaec

// The C face of webrtc-audio-processing 0.3 (see apm.h). Set up the way
// PulseAudio's and PipeWire's echo-cancel modules set it up on Debian 12
// (extended filter, delay-agnostic, high-pass), frames of 10 ms, mono.
#include "apm.h"

#include <string.h>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

struct vd_apm {
	webrtc::AudioProcessing *apm;
	webrtc::AudioFrame far, near;
	int rate, frame;
};

extern "C" vd_apm *vd_apm_new(const vd_apm_config *cfg) {
	if (cfg->rate != 8000 && cfg->rate != 16000 && cfg->rate != 32000 && cfg->rate != 48000) return NULL;
	webrtc::Config config;
	config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(cfg->extended != 0));
	config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(cfg->delay_agnostic != 0));
	// The experimental AGC drives an analog microphone volume, which this
	// phone leaves to the user: the digital one below is used instead.
	config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
	webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create(config);
	if (!apm) return NULL;
	webrtc::StreamConfig mono(cfg->rate, 1, false);
	webrtc::ProcessingConfig pc = {{mono, mono, mono, mono}};
	if (apm->Initialize(pc) != webrtc::AudioProcessing::kNoError) {
		delete apm;
		return NULL;
	}
	apm->high_pass_filter()->Enable(cfg->highpass != 0);
	if (cfg->echo) {
		apm->echo_cancellation()->enable_drift_compensation(false);
		apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kHighSuppression);
		apm->echo_cancellation()->enable_metrics(true);
		apm->echo_cancellation()->enable_delay_logging(true);
		apm->echo_cancellation()->Enable(true);
	}
	if (cfg->denoise) {
		apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kModerate);
		apm->noise_suppression()->Enable(true);
	}
	if (cfg->gain) {
		apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
		apm->gain_control()->set_target_level_dbfs(6); // -6 dBFS peaks
		apm->gain_control()->set_compression_gain_db(9);
		apm->gain_control()->enable_limiter(true);
		apm->gain_control()->Enable(true);
	}
	vd_apm *a = new vd_apm;
	a->apm = apm;
	a->rate = cfg->rate;
	a->frame = cfg->rate / 100;
	return a;
}

extern "C" void vd_apm_free(vd_apm *a) {
	if (!a) return;
	delete a->apm;
	delete a;
}

static void fill(webrtc::AudioFrame *f, const int16_t *pcm, int n, int rate) {
	f->UpdateFrame(-1, 0, pcm, n, rate, webrtc::AudioFrame::kNormalSpeech, webrtc::AudioFrame::kVadUnknown, 1);
}

extern "C" int vd_apm_reverse(vd_apm *a, const int16_t *frame) {
	fill(&a->far, frame, a->frame, a->rate);
	return a->apm->ProcessReverseStream(&a->far);
}

extern "C" int vd_apm_process(vd_apm *a, int16_t *frame, int delay_ms) {
	fill(&a->near, frame, a->frame, a->rate);
	a->apm->set_stream_delay_ms(delay_ms);
	if (a->apm->gain_control()->is_enabled()) a->apm->gain_control()->set_stream_analog_level(0);
	int err = a->apm->ProcessStream(&a->near);
	memcpy(frame, a->near.data_, a->frame * sizeof(int16_t));
	return err;
}

extern "C" int vd_apm_delay(vd_apm *a, int *median, int *std) {
	float poor = 0;
	if (!a->apm->echo_cancellation()->is_enabled()) return -1;
	return a->apm->echo_cancellation()->GetDelayMetrics(median, std, &poor);
}

extern "C" int vd_apm_has_echo(vd_apm *a) {
	return a->apm->echo_cancellation()->is_enabled() && a->apm->echo_cancellation()->stream_has_echo();
}
