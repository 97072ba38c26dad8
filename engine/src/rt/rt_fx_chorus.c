/*
 * rt_fx_chorus.c — an orbit's chorus: one delay line read by three taps
 * whose delays slow sines sweep, mixed into left and right with FluidSynth's
 * default stereo weights (see rt_fx_chorus.h for the parameters and the rules).
 *
 * Thread: rt_fx_chorus_bytes/init on CT; everything else on RT.
 * Never: allocation, locks, I/O, libm, logging. The sines come from
 * rt_fx_sin_turns (a polynomial: the same bits on every libc).
 */
#include "rt/rt_fx_chorus.h"

#include <string.h>

#include "rt/rt_fx_common.h"

#define CF MS_CONTROL_FRAMES
#define NV RT_FX_CHORUS_VOICES
#define CHORUS_QUIET2 1e-12f /* -120 dBFS, squared */

/* Each voice's gain into left and right: what FluidSynth's default level (2)
 * and stereo width (10) come to for three voices (its documented settings
 * worked through its stereo unit's equations): a voice mostly on one side and
 * negatively on the other, which keeps a low frequency (all taps alike) at
 * 11/3 - 3 + 2/3 = 4/3 and gives decorrelated content 13.6 dB. */
static const float k_chorus_gain_l[NV] = {11.0f / 3.0f, -3.0f, 2.0f / 3.0f};
static const float k_chorus_gain_r[NV] = {-3.0f, 11.0f / 3.0f, 2.0f / 3.0f};
/* The mono input: a centre-panned voice (equal power: 0.7071 on each side) comes in at its own level. */
#define CHORUS_IN 0.70710678f

static uint32_t chorus_pow2(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

static float chorus_half_depth(float sample_rate) { return 0.5f * RT_FX_CHORUS_DEPTH_S * sample_rate; }

static uint32_t chorus_line_size(float sample_rate) {
  /* the longest delay (2 + 2h frames) plus the interpolation's frame before and slack */
  return chorus_pow2((uint32_t)(2.0f + 2.0f * chorus_half_depth(sample_rate)) + 5u);
}

size_t rt_fx_chorus_bytes(float sample_rate) { return (size_t)chorus_line_size(sample_rate) * sizeof(float); }

/* Voice k's delay (frames) at LFO phase `lfo` of voice 0. */
static float chorus_delay_at(const rt_fx_chorus_t *c, uint32_t lfo, uint32_t k) {
  const uint32_t p = lfo + k * (uint32_t)(4294967296.0 / NV);
  const float turns = (float)(p >> 8) * (1.0f / 16777216.0f);
  return 2.0f + c->half_depth + c->half_depth * rt_fx_sin_turns(turns);
}

void rt_fx_chorus_reset_state(rt_fx_chorus_t *c) {
  c->w = 0;
  c->lfo = 0;
  for (uint32_t k = 0; k < NV; k++) {
    c->d[k] = chorus_delay_at(c, 0, k);
    c->d_step[k] = 0.0f;
  }
  c->lfo = c->lfo_step; /* the phase the next grid frame glides to */
  c->quiet_frames = 0;
  c->asleep = true;
}

void rt_fx_chorus_init(rt_fx_chorus_t *c, float sample_rate, void *mem) {
  memset(c, 0, sizeof *c);
  c->sample_rate = sample_rate;
  c->size = chorus_line_size(sample_rate);
  c->line = (float *)mem;
  memset(c->line, 0, rt_fx_chorus_bytes(sample_rate));
  c->half_depth = chorus_half_depth(sample_rate);
  c->lfo_step = (uint32_t)((double)RT_FX_CHORUS_RATE_HZ * CF / (double)sample_rate * 4294967296.0 + 0.5);
  for (uint32_t k = 0; k < NV; k++) {
    c->gl[k] = k_chorus_gain_l[k];
    c->gr[k] = k_chorus_gain_r[k];
  }
  c->phase = 0;
  rt_fx_chorus_reset_state(c);
}

void rt_fx_chorus_reset(rt_fx_chorus_t *c) {
  memset(c->line, 0, (size_t)c->size * sizeof(float));
  rt_fx_chorus_reset_state(c);
}

/* At a grid frame: each voice glides from where it is to its delay at the next grid frame. */
static void chorus_retarget(rt_fx_chorus_t *c) {
  for (uint32_t k = 0; k < NV; k++) c->d_step[k] = (chorus_delay_at(c, c->lfo, k) - c->d[k]) * (1.0f / (float)CF);
  c->lfo += c->lfo_step;
}

void rt_fx_chorus_process(rt_fx_chorus_t *c, const float *in_l, const float *in_r, bool in_silent,
                          float *out_l, float *out_r, uint32_t n) {
  if (c->asleep && in_silent) {
    c->phase = (c->phase + n) & (CF - 1u);
    return;
  }
  const uint32_t mask = c->size - 1u;
  float *line = c->line;
  for (uint32_t i = 0; i < n; i++) {
    const float x = in_silent ? 0.0f : CHORUS_IN * (in_l[i] + in_r[i]);
    const bool loud = x * x > CHORUS_QUIET2;
    if (c->asleep) { /* sleep and wake on exact frames: the same whatever the slicing */
      if (!loud) {
        c->phase = (c->phase + 1u) & (CF - 1u);
        continue;
      }
      c->asleep = false;
    }
    if (c->phase == 0) chorus_retarget(c);
    line[c->w] = x;
    float l = 0.0f, r = 0.0f;
    for (uint32_t k = 0; k < NV; k++) {
      const float pos = (float)c->w - c->d[k]; /* d >= 2: the 4 points end at this frame at the latest */
      int32_t ip = (int32_t)pos;
      if ((float)ip > pos) ip--; /* floor */
      const float fr = pos - (float)ip;
      const uint32_t a = (uint32_t)ip & mask;
      /* 4-point Hermite: keeps the treble a linear interpolation loses on fractional delays */
      const float xm = line[(a - 1u) & mask], x0 = line[a], x1 = line[(a + 1u) & mask], x2 = line[(a + 2u) & mask];
      const float c1 = 0.5f * (x1 - xm), c2 = xm - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
      const float c3 = 0.5f * (x2 - xm) + 1.5f * (x0 - x1);
      const float y = ((c3 * fr + c2) * fr + c1) * fr + x0;
      l += c->gl[k] * y;
      r += c->gr[k] * y;
      c->d[k] += c->d_step[k];
    }
    out_l[i] += l;
    out_r[i] += r;
    c->w = (c->w + 1u) & mask;
    c->phase = (c->phase + 1u) & (CF - 1u);
    c->quiet_frames = loud ? 0u : c->quiet_frames + 1u;
    if (c->quiet_frames >= c->size) { /* every tap reads silence from the next frame on */
      c->asleep = true;
      c->quiet_frames = 0;
    }
  }
}
