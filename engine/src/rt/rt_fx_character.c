/*
 * rt_fx_character.c — coarse, crush, shape/distort, tremolo, phaser, ring and
 * post gain per note (see rt_fx_character.h for the controls and sources).
 *
 * Thread: RT (init also CT). Never: libm beyond rintf, allocation, locks, I/O.
 * Gliding values come from the whole segment's values (rt_fx_ramp_fill, by
 * the frame's index in its control segment), running state (phases, hold
 * counter) advances per frame: both make the output independent of how a
 * block is sliced, also under -ffast-math.
 */
#include <math.h>

#include "rt/rt_fx_character.h"

/* A parameter kept within [lo, hi]; NaN becomes lo. */
static inline float clamp_param(float v, float lo, float hi) {
  if (!(v >= lo)) v = lo;
  if (v > hi) v = hi;
  return v;
}

/* A ramp's value per frame of this call: the segment's filled values while it
 * glides, its end value otherwise. */
typedef struct ramp_view {
  float v[MS_CONTROL_FRAMES];
  uint32_t t, len;
  float end;
  bool moving;
} ramp_view_t;

static inline void ramp_view(ramp_view_t *w, const rt_fx_ramp_t *r) {
  w->t = r->t, w->len = r->len, w->end = r->end;
  w->moving = rt_fx_ramp_moving(r);
  if (w->moving) rt_fx_ramp_fill(r, w->v);
}

static inline float ramp_view_at(const ramp_view_t *w, uint32_t i) {
  const uint32_t j = w->t + i;
  return (w->moving && j < w->len) ? w->v[j] : w->end;
}

/* ---------------------------------------------------------------- coarse */
void rt_fx_coarse_init(rt_fx_coarse_t *f, float coarse) {
  memset(f, 0, sizeof *f);
  rt_fx_coarse_set(f, coarse);
}

void rt_fx_coarse_set(rt_fx_coarse_t *f, float coarse) {
  coarse = clamp_param(coarse, 1.0f, 65536.0f);
  f->period = coarse;
}

void rt_fx_coarse_process(rt_fx_coarse_t *f, float *ch0, float *ch1, uint32_t n) {
  float left = f->left, h0 = f->held[0], h1 = f->held[1];
  const float period = f->period;
  for (uint32_t i = 0; i < n; i++) {
    if (left <= 0.0f) { /* take a sample, hold it for `period` frames on average */
      h0 = ch0[i];
      if (ch1) h1 = ch1[i];
      left += period;
    }
    left -= 1.0f;
    ch0[i] = h0;
    if (ch1) ch1[i] = h1;
  }
  f->left = left;
  f->held[0] = h0;
  f->held[1] = h1;
}

/* ----------------------------------------------------------------- crush */
void rt_fx_crush_set(rt_fx_crush_t *f, float bits) {
  bits = clamp_param(bits, 1.0f, 24.0f);
  f->scale = rt_fx_exp2f(bits - 1.0f);
  f->inv = 1.0f / f->scale;
}

void rt_fx_crush_process(const rt_fx_crush_t *f, float *ch0, float *ch1, uint32_t n) {
  const float s = f->scale, inv = f->inv;
  for (uint32_t i = 0; i < n; i++) ch0[i] = rintf(ch0[i] * s) * inv;
  if (ch1)
    for (uint32_t i = 0; i < n; i++) ch1[i] = rintf(ch1[i] * s) * inv;
}

/* ------------------------------------------------------- shape, distort */
float rt_fx_shape_k(float shape) {
  /* superdough: < 1 - 4e-10, the float below 1 */
  shape = clamp_param(shape, 0.0f, 0.99999994f);
  return 2.0f * shape / (1.0f - shape);
}

float rt_fx_distort_k(float distort) {
  /* e^d - 1 < 0 would expand and blow up past |x| = 1 */
  distort = clamp_param(distort, 0.0f, 20.0f);
  return rt_fx_expm1f(distort);
}

void rt_fx_shaper_init(rt_fx_shaper_t *f) { memset(f, 0, sizeof *f); }

void rt_fx_shaper_set(rt_fx_shaper_t *f, float k, float vol, uint32_t ramp_frames) {
  if (!(k >= 0.0f)) k = 0.0f;
  vol = clamp_param(vol, 0.001f, 1.0f);
  rt_fx_ramp_set(&f->k, k, ramp_frames);
  rt_fx_ramp_set(&f->vol, vol, ramp_frames);
}

void rt_fx_shaper_process(rt_fx_shaper_t *f, float *ch0, float *ch1, uint32_t n) {
  ramp_view_t kw, vw;
  ramp_view(&kw, &f->k);
  ramp_view(&vw, &f->vol);
  for (uint32_t i = 0; i < n; i++) {
    const float k = ramp_view_at(&kw, i), v = ramp_view_at(&vw, i);
    const float a = (1.0f + k) * v;
    const float x0 = ch0[i];
    ch0[i] = a * x0 / (1.0f + k * fabsf(x0));
    if (ch1) {
      const float x1 = ch1[i];
      ch1[i] = a * x1 / (1.0f + k * fabsf(x1));
    }
  }
  rt_fx_ramp_advance(&f->k, n);
  rt_fx_ramp_advance(&f->vol, n);
}

/* --------------------------------------------------------------- tremolo */
/* The LFO in [0, 1], 1 at phase 0. */
static inline float lfo_unipolar(const rt_fx_ctx_t *c, uint32_t shape, float ph) {
  switch (shape) {
    case RT_FX_LFO_TRI: return ph < 0.5f ? 1.0f - 2.0f * ph : 2.0f * ph - 1.0f;
    case RT_FX_LFO_SQUARE: return ph < 0.5f ? 1.0f : 0.0f;
    case RT_FX_LFO_SAW: return 1.0f - ph;
    case RT_FX_LFO_RAMP: return ph;
    default: { /* (1 + cos 2 pi ph) / 2 */
      float q = ph + 0.25f;
      if (q >= 1.0f) q -= 1.0f;
      return 0.5f + 0.5f * rt_fx_sin(c, q);
    }
  }
}

void rt_fx_tremolo_init(rt_fx_tremolo_t *f, const rt_fx_ctx_t *c, uint32_t shape) {
  memset(f, 0, sizeof *f);
  f->ctx = c;
  f->shape = (uint8_t)(shape <= RT_FX_LFO_RAMP ? shape : RT_FX_LFO_SINE);
}

void rt_fx_tremolo_set(rt_fx_tremolo_t *f, float rate_hz, float depth, uint32_t ramp_frames) {
  rate_hz = clamp_param(rate_hz, 0.0f, 100.0f);
  depth = clamp_param(depth, 0.0f, 1.0f);
  f->inc = (double)rate_hz / (double)f->ctx->sample_rate;
  rt_fx_ramp_set(&f->depth, depth, ramp_frames);
}

void rt_fx_tremolo_process(rt_fx_tremolo_t *f, float *ch0, float *ch1, uint32_t n) {
  ramp_view_t dw;
  ramp_view(&dw, &f->depth);
  double ph = f->phase;
  for (uint32_t i = 0; i < n; i++) {
    const float d = ramp_view_at(&dw, i);
    const float g = 1.0f - d * (1.0f - lfo_unipolar(f->ctx, f->shape, (float)ph));
    ch0[i] *= g;
    if (ch1) ch1[i] *= g;
    ph += f->inc;
    if (ph >= 1.0f) ph -= 1.0f;
  }
  f->phase = ph;
  rt_fx_ramp_advance(&f->depth, n);
}

/* ---------------------------------------------------------------- phaser */
void rt_fx_phaser_params(rt_fx_phaser_t *f, float rate_hz, float depth, float center_hz, float sweep_cents) {
  rate_hz = clamp_param(rate_hz, 0.0f, 100.0f);
  if (!(depth >= 0.0f)) depth = 0.0f;
  center_hz = clamp_param(center_hz, 20.0f, 20000.0f);
  sweep_cents = clamp_param(sweep_cents, 0.0f, 4800.0f);
  float d2 = 2.0f * depth;
  if (d2 > 1.9f) d2 = 1.9f;
  f->rate_hz = rate_hz;
  f->center_hz = center_hz;
  f->sweep_cents = sweep_cents;
  f->q = 2.0f - d2; /* superdough: Q = 2 - min(max(depth * 2, 0), 1.9) */
}

void rt_fx_phaser_init(rt_fx_phaser_t *f, const rt_fx_ctx_t *c, uint32_t channels, uint64_t start_frame,
                       float rate_hz, float depth, float center_hz, float sweep_cents) {
  memset(f, 0, sizeof *f);
  rt_fx_svf_init(&f->stage[0], RT_FX_SVF_NOTCH, 1, channels);
  rt_fx_svf_init(&f->stage[1], RT_FX_SVF_NOTCH, 1, channels);
  rt_fx_phaser_params(f, rate_hz, depth, center_hz, sweep_cents);
  /* phase = frac(start * rate / fs) in double: exact enough for hours of frames */
  double cyc = (double)start_frame * (double)f->rate_hz / (double)c->sample_rate;
  f->phase = cyc - (double)(uint64_t)cyc;
}

static void phaser_aim(rt_fx_phaser_t *f, const rt_fx_ctx_t *c, uint32_t ramp_frames) {
  const float detune = f->sweep_cents * rt_fx_sin(c, (float)f->phase);
  const float ratio = rt_fx_exp2f(detune * (1.0f / 1200.0f));
  rt_fx_svf_set_hz(&f->stage[0], c, f->center_hz * ratio, f->q, ramp_frames);
  rt_fx_svf_set_hz(&f->stage[1], c, (f->center_hz + 282.0f) * ratio, f->q, ramp_frames);
}

void rt_fx_phaser_control(rt_fx_phaser_t *f, const rt_fx_ctx_t *c, uint32_t ramp_frames) {
  /* f->phase is the LFO at the segment's start: the first call snaps the
   * notches there; every call then glides them to the segment's end */
  if (!f->stage[0].g.primed) phaser_aim(f, c, 0);
  f->phase += (double)ramp_frames * (double)f->rate_hz / (double)c->sample_rate;
  f->phase -= (double)(uint64_t)f->phase;
  phaser_aim(f, c, ramp_frames);
}

void rt_fx_phaser_process(rt_fx_phaser_t *f, float *ch0, float *ch1, uint32_t n) {
  rt_fx_svf_process(&f->stage[0], ch0, ch1, n);
  rt_fx_svf_process(&f->stage[1], ch0, ch1, n);
}

/* ------------------------------------------------------------------ ring */
void rt_fx_ring_init(rt_fx_ring_t *f, const rt_fx_ctx_t *c) {
  memset(f, 0, sizeof *f);
  f->ctx = c;
}

void rt_fx_ring_set(rt_fx_ring_t *f, float amount, float freq_hz, uint32_t ramp_frames) {
  amount = clamp_param(amount, 0.0f, 10.0f);
  freq_hz = clamp_param(freq_hz, 0.0f, 0.49f * f->ctx->sample_rate);
  f->inc = (double)freq_hz / (double)f->ctx->sample_rate;
  rt_fx_ramp_set(&f->amount, amount, ramp_frames);
}

void rt_fx_ring_process(rt_fx_ring_t *f, float *ch0, float *ch1, uint32_t n) {
  ramp_view_t aw;
  ramp_view(&aw, &f->amount);
  double ph = f->phase;
  for (uint32_t i = 0; i < n; i++) {
    const float a = ramp_view_at(&aw, i);
    const float g = (1.0f + a * rt_fx_sin(f->ctx, (float)ph)) / (1.0f + a);
    ch0[i] *= g;
    if (ch1) ch1[i] *= g;
    ph += f->inc;
    if (ph >= 1.0f) ph -= 1.0f;
  }
  f->phase = ph;
  rt_fx_ramp_advance(&f->amount, n);
}

/* -------------------------------------------------------------- postgain */
void rt_fx_gain_set(rt_fx_gain_t *f, float gain, uint32_t ramp_frames) {
  gain = clamp_param(gain, 0.0f, 10.0f);
  rt_fx_ramp_set(&f->g, gain, ramp_frames);
}

void rt_fx_gain_process(rt_fx_gain_t *f, float *ch0, float *ch1, uint32_t n) {
  if (!rt_fx_ramp_moving(&f->g)) {
    const float g = f->g.end;
    for (uint32_t i = 0; i < n; i++) ch0[i] *= g;
    if (ch1)
      for (uint32_t i = 0; i < n; i++) ch1[i] *= g;
  } else {
    ramp_view_t gw;
    ramp_view(&gw, &f->g);
    for (uint32_t i = 0; i < n; i++) ch0[i] *= ramp_view_at(&gw, i);
    if (ch1)
      for (uint32_t i = 0; i < n; i++) ch1[i] *= ramp_view_at(&gw, i);
  }
  rt_fx_ramp_advance(&f->g, n);
}
