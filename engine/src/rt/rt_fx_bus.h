/*
 * rt_fx_bus.h — shared pieces of the orbit (effect bus) DSP: rt_fx_delay,
 * rt_fx_reverb, rt_fx_orbit and rt_fx_limiter. Silence threshold for sleep,
 * denormal flush, libm-free exp2/sin/cos for coefficient updates, and the
 * send-accumulation helper a voice uses to feed an orbit.
 *
 * Thread: RT (pure arithmetic on caller-owned memory); the init functions of
 * the effects use the same helpers on CT.
 * Never: libm (the polynomials here give the same bits on every libc, so a
 * render is byte-identical across machines), allocation, locks, I/O.
 *
 * Control grid: every bus effect keeps `phase`, its position inside the
 * absolute MS_CONTROL_FRAMES grid (it is created/reset at an absolute grid
 * frame and counts every frame it is given, asleep or awake). New parameters
 * are latched at the next grid frame and glide linearly over one control
 * period, so one long call and any slicing of it give identical bytes.
 */
#ifndef MS_RT_FX_BUS_H
#define MS_RT_FX_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/engine.h"

/* -120 dBFS: an orbit whose input and state stay below this sleeps. */
#define RT_FX_BUS_SILENCE 1e-6f

/* Values this small inside a feedback loop are set to 0 (they are 1e-9 of
 * the sleep threshold; flushing them keeps the loop out of denormals even
 * without FTZ/DAZ). */
static inline float rt_fx_bus_flush(float v) { return (v > -1e-18f && v < 1e-18f) ? 0.0f : v; }

static inline float rt_fx_bus_absf(float v) { return v < 0.0f ? -v : v; }

/* 2^x, relative error < 2e-7 on [-126, 126] (clamped outside): exponent bits
 * and a degree-6 minimax polynomial of 2^f on [-0.5, 0.5]. Control rate. */
static inline float rt_fx_bus_exp2f(float x) {
  if (!(x > -126.0f)) x = -126.0f; /* also NaN */
  if (x > 126.0f) x = 126.0f;
  float r = x + (x >= 0.0f ? 0.5f : -0.5f);
  int32_t i = (int32_t)r;
  float f = x - (float)i;
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  union {
    uint32_t u;
    float f;
  } e;
  e.u = (uint32_t)(i + 127) << 23;
  return p * e.f;
}

/* 10^x and e^x through exp2. */
static inline float rt_fx_bus_exp10f(float x) { return rt_fx_bus_exp2f(x * 3.3219280948873623f); }
static inline float rt_fx_bus_expf(float x) { return rt_fx_bus_exp2f(x * 1.4426950408889634f); }

/* sin(2 pi t) for any finite t (turns), |error| < 1e-6: reduce to
 * [-0.25, 0.25] turns by symmetry, then an odd degree-11 Taylor polynomial
 * (its remainder at pi/2 is 5.7e-9). Control rate. */
static inline float rt_fx_bus_sin_turns(float t) {
  t -= (float)(int32_t)t;          /* (-1, 1) */
  if (t < 0.0f) t += 1.0f;         /* [0, 1) */
  if (t > 0.75f) t -= 1.0f;        /* (-0.25, 0.75] */
  else if (t > 0.25f) t = 0.5f - t; /* sin(pi - x) = sin x */
  float x = t * 6.283185307179586f; /* [-pi/2, pi/2] */
  float x2 = x * x;
  float p = -2.5052108385441720e-8f;
  p = p * x2 + 2.7557319223985893e-6f;
  p = p * x2 - 1.9841269841269841e-4f;
  p = p * x2 + 8.3333333333333333e-3f;
  p = p * x2 - 1.6666666666666666e-1f;
  p = p * x2 + 1.0f;
  return p * x;
}
static inline float rt_fx_bus_cos_turns(float t) { return rt_fx_bus_sin_turns(t + 0.25f); }

/* Square root by Newton steps from an exponent-halving guess (x >= 0;
 * relative error < 1e-7 after 4 steps from the bit-trick start). Control rate
 * only; keeps sqrtf (and its errno fallback) off the RT symbol list. */
static inline float rt_fx_bus_sqrtf(float x) {
  if (!(x > 0.0f)) return 0.0f;
  union {
    float f;
    uint32_t u;
  } g;
  g.f = x;
  g.u = (g.u >> 1) + 0x1fbd1df5u;
  float y = g.f;
  for (int i = 0; i < 4; i++) y = 0.5f * (y + x / y);
  return y;
}

/* Add n frames of a voice's stereo output into an orbit send bus with a gain
 * gliding linearly from g0 (before frame 0) to g1 (at frame n-1): the voice's
 * per-note `delay` or `room` amount, ramped on the voice's control grid. */
static inline void rt_fx_bus_send_add(float *restrict bus_l, float *restrict bus_r,
                                      const float *restrict l, const float *restrict r,
                                      uint32_t n, float g0, float g1) {
  if (n == 0) return;
  float step = (g1 - g0) / (float)n;
  for (uint32_t i = 0; i < n; i++) {
    float g = g0 + step * (float)(i + 1);
    bus_l[i] += l[i] * g;
    bus_r[i] += r[i] * g;
  }
}

#endif /* MS_RT_FX_BUS_H */
