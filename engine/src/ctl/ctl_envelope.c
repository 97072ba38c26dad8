/*
 * ctl_envelope.c — envelope descriptions: a zone's envelope times turned
 * into the frame counts and per-frame coefficients the render thread steps
 * (rt/rt_env.h).
 *
 * Thread: CT only (instrument build), where exp/log are allowed. Never
 * called by the render thread; allocates nothing.
 */
#include <math.h>

#include "shared/engine.h"

/* An amplitude envelope ends under this level (-74 dB): the voice is then
 * silent and given back. Its decay becomes sustain within ENV_SETTLE. */
#define ENV_FLOOR 2e-4f
#define ENV_SETTLE 1e-4f
/* A release shorter than this would click: keep at least that. */
#define ENV_MIN_RELEASE_S 0.002f

static uint32_t frames_of(float seconds, uint32_t rate) { return (uint32_t)lrint((double)seconds * rate); }

/* Per-frame coefficient that falls to -60 dB in `seconds`. */
static float fall_coef(float seconds, uint32_t rate) {
  if (seconds <= 0.0f) return 0.0f;
  return (float)exp(log(0.001) / ((double)seconds * rate));
}

void ctl_env_describe(rt_env_desc_t *d, const ctl_env_times_t *t, uint32_t rate, bool amplitude) {
  d->delay_frames = frames_of(t->delay_s, rate);
  d->attack_frames = frames_of(t->attack_s, rate);
  d->hold_frames = frames_of(t->hold_s, rate);
  d->decay_coef = fall_coef(t->decay_s, rate);
  d->sustain = t->sustain;
  d->release_coef = fall_coef(t->release_s < ENV_MIN_RELEASE_S ? ENV_MIN_RELEASE_S : t->release_s, rate);
  d->settle = amplitude ? ENV_SETTLE : 0.0f;
  d->floor = amplitude ? ENV_FLOOR : 0.0f;
  d->decay_frames = d->release_frames = 0; /* exponential: the coefficients above */
  d->linear = false;
}
