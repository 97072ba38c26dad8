/*
 * rt_fx_limiter.c — the master soft limiter (see rt_fx_limiter.h).
 *
 * Thread: rt_fx_limiter_init on CT; process/reset on RT.
 * Never: allocation, locks, I/O, libm, logging.
 */
#include "rt/rt_fx_limiter.h"

#include <string.h>

#include "rt/rt_fx_common.h"

void rt_fx_limiter_init(rt_fx_limiter_t *l, float sample_rate) {
  l->rel = rt_fx_expf(-1.0f / (RT_FX_LIMITER_RELEASE_S * sample_rate));
  l->env = 0.0f;
}

void rt_fx_limiter_reset(rt_fx_limiter_t *l) { l->env = 0.0f; }

/* 0 for NaN and +-inf (exponent all ones), by bits, and clamped to 1e30: -ffast-math may assume
 * finite values and drop an isfinite() test. */
static inline float finite_or_zero(float x) {
  union {
    float f;
    uint32_t u;
  } b;
  b.f = x;
  if ((b.u & 0x7f800000u) == 0x7f800000u) return 0.0f;
  /* Beyond 1e30 the gain arithmetic would overflow; it is an overload anyway. */
  return x > 1e30f ? 1e30f : x < -1e30f ? -1e30f : x;
}

/* |x| bits: for finite x the order of |x|; NaN and inf are above every finite value. */
static inline uint32_t abs_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u & 0x7fffffffu;
}

void rt_fx_limiter_process(rt_fx_limiter_t *l, float *buf, uint32_t frames, uint32_t channels) {
  const float knee = RT_FX_LIMITER_KNEE;
  /* Fast path. The output depends on the envelope only while it is above the
   * knee: from env <= knee, env * rel stays below it, so the next env is above
   * the knee exactly when the frame's peak is, and then equals that peak. An
   * envelope at or under the knee is therefore as good as 0. So when it starts
   * there and no sample (NaN and inf included, by their bits) is above the
   * knee, nothing changes and the envelope can be 0: the same bytes as the
   * recursion below, for any slicing, at the cost of one max scan. */
  if (l->env <= knee) {
    const uint32_t kb = abs_bits(knee);
    const size_t n = (size_t)frames * channels;
    uint32_t worst = 0;
    for (size_t i = 0; i < n; i++) {
      const uint32_t b = abs_bits(buf[i]);
      worst = b > worst ? b : worst;
    }
    if (worst <= kb) {
      l->env = 0.0f;
      return;
    }
  }
  const float span = RT_FX_LIMITER_CEILING - RT_FX_LIMITER_KNEE;
  float env = l->env;
  const float rel = l->rel;
  for (uint32_t f = 0; f < frames; f++) {
    float *x = buf + (size_t)f * channels;
    float peak = 0.0f;
    for (uint32_t c = 0; c < channels; c++) {
      float v = finite_or_zero(x[c]);
      x[c] = v;
      float a = rt_fx_absf(v);
      peak = a > peak ? a : peak;
    }
    env *= rel;
    if (env < 1e-20f) env = 0.0f;
    if (peak > env) env = peak;
    if (env > knee) {
      float u = (env - knee) / span;
      float out = knee + span * (u / (1.0f + u));
      float g = out / env;
      for (uint32_t c = 0; c < channels; c++) x[c] *= g;
    }
  }
  l->env = env;
}
