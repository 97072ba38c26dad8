/*
 * rt_fx_common.h — shared pieces of the per-note effects and the orbit buses
 * (rt_fx_*.c, rt_orbit.c): the
 * context (sample rate and the CT-built lookup tables), a table-free 2^x,
 * cutoff-to-g through the tan table, a table sine, and the control ramp every
 * effect uses to glide a parameter across one control segment.
 *
 * Thread: RT (everything here is pure arithmetic on caller-owned memory).
 * Never: libm, allocation, locks, I/O. The 2^x here is a polynomial on purpose:
 * same bits on every libc, so renders stay byte-identical across machines.
 *
 * Control grid: the caller (the voice) calls an effect's set function at the
 * start of each control segment (absolute multiples of MS_CONTROL_FRAMES, and
 * at the note start) with the segment's length; the effect ramps linearly
 * from the value reached to the new target over that segment. A value at
 * frame j of the segment is computed from j alone (start + step * (j + 1)), so
 * processing the segment in one call or in slices gives identical bytes.
 */
#ifndef MS_RT_FX_COMMON_H
#define MS_RT_FX_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/engine.h"

/* What every effect needs from the engine: filled once on CT. The tables are
 * the sampler's own (ctl_tables.c): tan_table[i] = tan(pi/2 * i / N) for
 * i < N = MS_TAN_TABLE_SIZE (entry N repeats N-1), sine[i] = sin(2 pi i / M)
 * for i <= M = MS_SINE_TABLE_SIZE. */
typedef struct rt_fx_ctx {
  float sample_rate;        /* output frames per second */
  float inv_sample_rate;
  const float *tan_table;   /* MS_TAN_TABLE_SIZE + 1 */
  const float *sine;        /* MS_SINE_TABLE_SIZE + 1 */
} rt_fx_ctx_t;

/* Lowest and highest filter cutoff as x = 2 fc / fs: 5 Hz (at 48 kHz) and
 * 0.475 fs. Cutoffs at or above Nyquist clamp to the top (WebAudio clamps to
 * Nyquist too); g = tan(pi x / 2) stays finite (12.7 at the top). */
#define RT_FX_X_MIN (10.0f / 48000.0f)
#define RT_FX_X_MAX 0.95f

/* 2^x, relative error below 2e-7 for x in [-126, 126] (clamped outside):
 * exponent bits plus Cephes' degree-6 minimax polynomial for 2^f on
 * [-0.5, 0.5]. No libm, no tables. */
static inline float rt_fx_exp2f(float x) {
  if (!(x > -126.0f)) x = -126.0f; /* also NaN */
  if (x > 126.0f) x = 126.0f;
  float r = x + (x >= 0.0f ? 0.5f : -0.5f);
  int32_t i = (int32_t)r; /* round half away from zero */
  float f = x - (float)i; /* [-0.5, 0.5] */
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

/* e^x, e^x - 1 and 10^x through rt_fx_exp2f (control-rate use only). */
static inline float rt_fx_expf(float x) { return rt_fx_exp2f(x * 1.4426950408889634f); }
static inline float rt_fx_expm1f(float x) { return rt_fx_exp2f(x * 1.4426950408889634f) - 1.0f; }
static inline float rt_fx_exp10f(float x) { return rt_fx_exp2f(x * 3.3219280948873623f); }

static inline float rt_fx_absf(float v) { return v < 0.0f ? -v : v; }

/* sin(2 pi t) for any finite t (turns), |error| < 1e-6: reduce to
 * [-0.25, 0.25] turns by symmetry, then an odd degree-11 Taylor polynomial
 * (its remainder at pi/2 is 5.7e-9). Control rate; no table needed (the
 * orbit effects' coefficient updates; rt_fx_sin is the table version). */
static inline float rt_fx_sin_turns(float t) {
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
static inline float rt_fx_cos_turns(float t) { return rt_fx_sin_turns(t + 0.25f); }

/* Square root by Newton steps from an exponent-halving guess (x >= 0;
 * relative error < 1e-7 after 4 steps from the bit-trick start). Control rate
 * only; keeps sqrtf (and its errno fallback) off the RT symbol list. */
static inline float rt_fx_sqrtf(float x) {
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

/* The SVF's g = tan(pi fc / fs) for a cutoff in Hz, clamped to
 * [RT_FX_X_MIN, RT_FX_X_MAX] in x = 2 fc / fs, linear in the tan table. */
static inline float rt_fx_cutoff_g(const rt_fx_ctx_t *c, float hz) {
  float x = 2.0f * hz * c->inv_sample_rate;
  if (!(x >= RT_FX_X_MIN)) x = RT_FX_X_MIN; /* also catches NaN without fast-math */
  if (x > RT_FX_X_MAX) x = RT_FX_X_MAX;
  float fi = x * (float)MS_TAN_TABLE_SIZE;
  uint32_t i = (uint32_t)fi;
  return c->tan_table[i] + (c->tan_table[i + 1] - c->tan_table[i]) * (fi - (float)i);
}

/* sin(2 pi phase) for phase in [0, 1), linear in the sine table. */
static inline float rt_fx_sin(const rt_fx_ctx_t *c, float phase) {
  float x = phase * (float)MS_SINE_TABLE_SIZE;
  int32_t i = (int32_t)x;
  if (i < 0) i = 0;
  if (i >= (int32_t)MS_SINE_TABLE_SIZE) i = MS_SINE_TABLE_SIZE - 1;
  return c->sine[i] + (c->sine[i + 1] - c->sine[i]) * (x - (float)i);
}

/* A parameter's ramp across one control segment. */
typedef struct rt_fx_ramp {
  float start, step, end; /* value at frame j < len: start + step * (j + 1) */
  uint32_t t, len;        /* frames of the segment done, segment length */
  bool primed;            /* false until the first set: it snaps, no glide */
} rt_fx_ramp_t;

/* The value after the last frame processed. */
static inline float rt_fx_ramp_now(const rt_fx_ramp_t *r) {
  if (r->t == 0 || r->t >= r->len) return r->t == 0 ? r->start : r->end;
  return r->start + r->step * (float)r->t;
}

/* Begin a segment of len frames gliding to target (snap on the first call or
 * when len is 0). */
static inline void rt_fx_ramp_set(rt_fx_ramp_t *r, float target, uint32_t len) {
  float from = r->primed ? rt_fx_ramp_now(r) : target;
  r->primed = true;
  r->start = from;
  r->end = target;
  if (len > MS_CONTROL_FRAMES) len = MS_CONTROL_FRAMES; /* a segment never exceeds the grid */
  r->t = 0;
  r->len = len;
  r->step = len ? (target - from) / (float)len : 0.0f;
  if (!len) r->start = target;
}

/* True while frames remain to glide (the value differs across them). */
static inline bool rt_fx_ramp_moving(const rt_fx_ramp_t *r) { return r->t < r->len && r->step != 0.0f; }

/* Frames left in the glide (0 when done). */
static inline uint32_t rt_fx_ramp_left(const rt_fx_ramp_t *r) { return r->t < r->len ? r->len - r->t : 0; }

/* The value at frame j of the segment (j counted from the segment start). */
static inline float rt_fx_ramp_at(const rt_fx_ramp_t *r, uint32_t j) {
  return j < r->len ? r->start + r->step * (float)(j + 1) : r->end;
}

/* The whole segment's values, v[j] for j < len. Loops that glide use this
 * instead of rt_fx_ramp_at per frame: under -ffast-math the vectoriser turns
 * start + step * j into a running float sum whose rounding depends on where
 * the loop starts, i.e. on the caller's slicing; filling from j = 0 every time
 * gives the same bits for every slicing. */
static inline void rt_fx_ramp_fill(const rt_fx_ramp_t *r, float v[MS_CONTROL_FRAMES]) {
  const uint32_t len = r->len <= MS_CONTROL_FRAMES ? r->len : MS_CONTROL_FRAMES;
  for (uint32_t j = 0; j < len; j++) v[j] = r->start + r->step * (float)(j + 1);
}

/* Count n frames processed (saturating at the segment's end). */
static inline void rt_fx_ramp_advance(rt_fx_ramp_t *r, uint32_t n) {
  uint32_t t = r->t + n;
  r->t = (t < r->len && t >= r->t) ? t : r->len;
}

/* Flush a state variable that decayed toward the denormal range (called at
 * control steps, not per frame or per call: the engine also sets FTZ/DAZ per
 * block, this keeps the effects safe without it). */
static inline float rt_fx_flush(float v) { return (v > -1e-15f && v < 1e-15f) ? 0.0f : v; }

/* ------------------------------------------------------ orbit buses -- */
/* The orbit (effect bus) pieces: rt_fx_delay, rt_fx_reverb, rt_fx_orbit,
 * rt_fx_limiter and rt_orbit. Their control grid: every bus effect keeps
 * `phase`, its position inside the absolute MS_CONTROL_FRAMES grid (created or
 * reset at an absolute grid frame, counting every frame it is given, asleep or
 * awake); new parameters latch at the next grid frame and glide linearly over
 * one control period, so one long call and any slicing give identical bytes. */

/* -120 dBFS: an orbit whose input and state stay below this sleeps. */
#define RT_FX_BUS_SILENCE 1e-6f

/* The first frame j in [from, n) where the input rises above
 * RT_FX_BUS_SILENCE on either side, or n (also at once when in_silent): where
 * a sleeping bus effect wakes. */
static inline uint32_t rt_fx_bus_wake_frame(const float *in_l, const float *in_r, bool in_silent,
                                            uint32_t from, uint32_t n) {
  if (in_silent) return n;
  for (uint32_t j = from; j < n; j++) {
    if (rt_fx_absf(in_l[j]) > RT_FX_BUS_SILENCE || rt_fx_absf(in_r[j]) > RT_FX_BUS_SILENCE) return j;
  }
  return n;
}

/* Values this small inside a feedback loop are set to 0 (1e-9 of the sleep
 * threshold; flushing them keeps the loop out of denormals even without
 * FTZ/DAZ). */
static inline float rt_fx_bus_flush(float v) { return rt_fx_absf(v) < 1e-18f ? 0.0f : v; }

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

#endif /* MS_RT_FX_COMMON_H */
