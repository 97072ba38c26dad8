/*
 * rt_dsp.h — render-thread DSP helpers: table lookups for pitch and pan,
 * integer powers for envelope steps, and the interpolating voice kernels.
 *
 * Thread: RT only. Everything here is pure arithmetic on memory the CT
 * allocated and filled at create time: no libm pow/exp, no allocation.
 */
#ifndef MS_RT_DSP_H
#define MS_RT_DSP_H

#include <stdint.h>

#include "shared/engine.h"

/* x^n for small n by squaring (envelope coefficient over a ramp). */
static inline float rt_powi(float x, uint32_t n) {
  float r = 1.0f;
  while (n) {
    if (n & 1u) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/* 2^(cents/1200) from the semitone and cent tables (no pow()). */
static inline double rt_pitch_ratio(const ms_sampler_t *s, float cents) {
  if (cents > 12700.0f) cents = 12700.0f;
  if (cents < -12700.0f) cents = -12700.0f;
  float semis_f = cents * 0.01f;
  int32_t semis = (int32_t)semis_f;
  if ((float)semis > semis_f) semis -= 1; /* floor */
  float rest = cents - (float)semis * 100.0f; /* 0..100 */
  if (rest < 0.0f) rest = 0.0f;
  if (rest > 100.0f) rest = 100.0f;
  int32_t ci = (int32_t)rest;
  if (ci > 99) ci = 99;
  float cf = rest - (float)ci;
  float c = s->cent_ratio[ci] + (s->cent_ratio[ci + 1] - s->cent_ratio[ci]) * cf;
  return (double)s->semitone_ratio[semis + 128] * (double)c;
}

/* sin(2*pi*phase) for phase in [0, 1), linear interpolation in the table. */
static inline float rt_sine(const ms_sampler_t *s, float phase) {
  float x = phase * (float)MS_SINE_TABLE_SIZE;
  int32_t i = (int32_t)x;
  if (i < 0) i = 0;
  if (i >= (int32_t)MS_SINE_TABLE_SIZE) i = MS_SINE_TABLE_SIZE - 1;
  float f = x - (float)i;
  return s->sine[i] + (s->sine[i + 1] - s->sine[i]) * f;
}

/* Constant-power pan gains for pan in [-1, 1]: theta = (pan+1)*pi/4. */
static inline void rt_pan_gains(const ms_sampler_t *s, float pan, float *l, float *r) {
  if (pan < -1.0f) pan = -1.0f;
  if (pan > 1.0f) pan = 1.0f;
  float phase = (pan + 1.0f) * 0.125f; /* theta / (2*pi) */
  *r = rt_sine(s, phase);
  *l = rt_sine(s, phase + 0.25f);      /* cos */
}

#define RT_FRAC(pos) ((float)(uint32_t)(pos) * 0x1p-32f)

/* Hermite 4-point, 3rd order (x form). */
static inline float rt_hermite(float xm1, float x0, float x1, float x2, float f) {
  float c1 = 0.5f * (x1 - xm1);
  float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
  float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
  return ((c3 * f + c2) * f + c1) * f + x0;
}

/*
 * The inner loops. gl/gr are the gains of the frame before the first; frame i
 * uses gl + dgl*(i+1) (no loop-carried dependency on the gain). Taps may read
 * MS_PAD_BEFORE frames before and MS_PAD_AFTER after the sample: callers
 * guarantee the run stays within those.
 */
static inline void rt_kernel_linear_mono(const float *restrict d, uint64_t pos, uint64_t inc,
                                         uint32_t n, float *restrict L, float *restrict R,
                                         float gl, float dgl, float gr, float dgr) {
  for (uint32_t i = 0; i < n; i++) {
    const float *p = d + (pos >> 32);
    float f = RT_FRAC(pos);
    float y = p[0] + (p[1] - p[0]) * f;
    float t = (float)(i + 1);
    L[i] += y * (gl + dgl * t);
    R[i] += y * (gr + dgr * t);
    pos += inc;
  }
}

static inline void rt_kernel_cubic_mono(const float *restrict d, uint64_t pos, uint64_t inc,
                                        uint32_t n, float *restrict L, float *restrict R,
                                        float gl, float dgl, float gr, float dgr) {
  for (uint32_t i = 0; i < n; i++) {
    const float *p = d + (pos >> 32);
    float y = rt_hermite(p[-1], p[0], p[1], p[2], RT_FRAC(pos));
    float t = (float)(i + 1);
    L[i] += y * (gl + dgl * t);
    R[i] += y * (gr + dgr * t);
    pos += inc;
  }
}

static inline void rt_kernel_linear_stereo(const float *restrict d, uint64_t pos, uint64_t inc,
                                           uint32_t n, float *restrict L, float *restrict R,
                                           float gl, float dgl, float gr, float dgr) {
  for (uint32_t i = 0; i < n; i++) {
    const float *p = d + (pos >> 32) * 2;
    float f = RT_FRAC(pos);
    float yl = p[0] + (p[2] - p[0]) * f;
    float yr = p[1] + (p[3] - p[1]) * f;
    float t = (float)(i + 1);
    L[i] += yl * (gl + dgl * t);
    R[i] += yr * (gr + dgr * t);
    pos += inc;
  }
}

static inline void rt_kernel_cubic_stereo(const float *restrict d, uint64_t pos, uint64_t inc,
                                          uint32_t n, float *restrict L, float *restrict R,
                                          float gl, float dgl, float gr, float dgr) {
  for (uint32_t i = 0; i < n; i++) {
    const float *p = d + (pos >> 32) * 2;
    float f = RT_FRAC(pos);
    float yl = rt_hermite(p[-2], p[0], p[2], p[4], f);
    float yr = rt_hermite(p[-1], p[1], p[3], p[5], f);
    float t = (float)(i + 1);
    L[i] += yl * (gl + dgl * t);
    R[i] += yr * (gr + dgr * t);
    pos += inc;
  }
}

#endif /* MS_RT_DSP_H */
