/*
 * rt_fx_limiter.h — the master soft limiter: overloads are pulled under
 * full scale smoothly instead of clipping or wrapping in the integer
 * conversion after it.
 *
 * Thread: init on CT; process/reset on RT.
 * Never: allocation, locks, I/O, libm.
 *
 * No lookahead (no added latency): a stereo-linked (all channels) peak
 * envelope with instant attack and exponential release drives a soft-knee
 * gain curve. Below the knee (-1 dBFS) the gain is exactly 1, so a signal
 * that never reaches -1 dBFS passes bit for bit. Above it, the output level
 * follows knee + span * u / (1 + u), u = (env - knee) / span, which is
 * tangent to identity at the knee and approaches the ceiling (0.99) without
 * reaching it: |output| <= 0.99 for any input, however loud. Non-finite
 * samples (NaN, inf) become 0 first (SuperDirt's CheckBadValues does the
 * same). A pure per-frame recurrence with no parameters from outside: split
 * invariant and deterministic by construction.
 */
#ifndef MS_RT_FX_LIMITER_H
#define MS_RT_FX_LIMITER_H

#include <stdint.h>

#define RT_FX_LIMITER_KNEE 0.89125094f   /* -1 dBFS */
#define RT_FX_LIMITER_CEILING 0.99f
#define RT_FX_LIMITER_RELEASE_S 0.08f

typedef struct rt_fx_limiter {
  float env;  /* peak envelope */
  float rel;  /* release factor per frame */
} rt_fx_limiter_t;

/* CT. */
void rt_fx_limiter_init(rt_fx_limiter_t *l, float sample_rate);
/* RT. */
void rt_fx_limiter_reset(rt_fx_limiter_t *l);
/* Limit `frames` interleaved frames of `channels` channels in place. RT. */
void rt_fx_limiter_process(rt_fx_limiter_t *l, float *buf, uint32_t frames, uint32_t channels);

#endif /* MS_RT_FX_LIMITER_H */
