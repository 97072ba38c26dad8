/*
 * rt_osc.c — oscillator voices: band-limited periodic waves read from
 * mip-mapped wavetables (sawtooth, square, triangle, the supersaw's saws),
 * sine from the sampler's sine table, seeded noise (white, pink, brown), and
 * superdough's FM on any of them (see rt_osc.h).
 *
 * Thread: RT only. Never: allocation, locks, I/O, libm (2^x from
 * rt_fx_common.h, log2 below), rand(): every random value comes from the
 * voice's own generator, seeded at its start.
 */
#include "rt/rt_osc.h"

#include <string.h>

#include "rt/rt_env.h"

/* log2(x) for x > 0 (control rate): exponent bits plus a cubic on the
 * mantissa, |error| < 0.005. */
static float osc_log2(float x) {
  union {
    float f;
    uint32_t u;
  } b = {.f = x};
  const float e = (float)(int32_t)((b.u >> 23) & 0xffu) - 127.0f;
  b.u = (b.u & 0x007fffffu) | 0x3f800000u; /* mantissa in [1, 2) */
  const float m = b.f;
  return e + (-0.34484843f * m + 2.02466578f) * m - 0.67487759f;
}

static inline uint64_t osc_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545f4914f6cdd1dull;
}

/* A uniform value in [-1, 1). */
static inline float osc_white(uint64_t *s) { return (float)(int32_t)(osc_next(s) >> 32) * 0x1p-31f; }

void rt_osc_start(rt_osc_t *o, const rt_osc_params_t *p, const rt_osc_tables_t *tables) {
  memset(o, 0, sizeof *o);
  o->source = (uint8_t)p->source;
  o->tables = tables;
  o->rng = rt_osc_mix(p->seed) | 1u;
  o->unison = 1;
  o->mul[0] = 1.0f;
  if (p->source == MS_SOURCE_SUPERSAW) {
    uint32_t n = p->unison < 1 ? 1 : p->unison > RT_OSC_UNISON_MAX ? RT_OSC_UNISON_MAX : p->unison;
    o->unison = n;
    for (uint32_t i = 0; i < n; i++) {
      /* superdough's getUnisonDetune: -detune/2 .. detune/2 semitones, evenly */
      const float semis = n < 2 ? 0.0f : -0.5f * p->detune + p->detune * (float)i / (float)(n - 1);
      o->mul[i] = rt_fx_exp2f(semis * (1.0f / 12.0f));
      o->phase[i] = (uint32_t)(osc_next(&o->rng) >> 32); /* superdough starts each saw at a random phase */
    }
    const float pan = (n > 1 ? p->spread : 0.0f) * 0.5f + 0.5f;
    o->gain_a = rt_fx_sqrtf(1.0f - pan) / rt_fx_sqrtf((float)n);
    o->gain_b = rt_fx_sqrtf(pan) / rt_fx_sqrtf((float)n);
  }
  if (p->fmi > 0.0f) {
    o->fm = true;
    o->fm_wave = (uint8_t)(p->fm_wave > 3 ? 0 : p->fm_wave);
    o->fm_ratio = p->fmh;
    o->fm_depth = p->fmi * p->fmh;
    o->fm0 = o->fm1 = 1.0f;
    if (p->fm_env) {
      o->fm_env = true;
      o->fm_exp = p->fm_exp;
      rt_env_desc_t *d = &o->fm_desc;
      memset(d, 0, sizeof *d);
      d->attack_frames = (uint32_t)(p->fm_attack_frames + 0.5f);
      d->decay_frames = (uint32_t)(p->fm_decay_frames + 0.5f);
      d->sustain = p->fm_sustain;
      d->release_frames = (uint32_t)(p->fm_release_frames + 0.5f);
      d->linear = true;
      o->fm_sustain = p->fm_sustain;
      rt_env_start(d, &o->fm_envs);
      o->fm0 = o->fm1 = 0.0f;
    }
  }
}

/* The FM envelope's gain for its linear level: itself (fmenv lin), or
 * Web Audio's exponential ramps between the same points (fmenv exp: from
 * 0.001 to 1, 1 to sustain, the release level to 0.001). */
static float fm_gain(const rt_osc_t *o) {
  const float l = o->fm_envs.level;
  if (!o->fm_exp) return l;
  switch (o->fm_envs.stage) {
    case RT_ENV_DELAY:
    case RT_ENV_ATTACK: return 0.001f * rt_fx_exp2f(9.9657843f * l);
    case RT_ENV_HOLD:
    case RT_ENV_DECAY:
    case RT_ENV_SUSTAIN: {
      const float s = o->fm_sustain < 0.001f ? 0.001f : o->fm_sustain;
      if (s >= 1.0f) return 1.0f;
      float x = (1.0f - l) / (1.0f - o->fm_sustain);
      if (x > 1.0f) x = 1.0f;
      return rt_fx_exp2f(x * osc_log2(s));
    }
    case RT_ENV_RELEASE: {
      const float r0 = o->fm_release_from;
      if (!(r0 > 0.001f)) return 0.0f;
      const float x = 1.0f - l / r0;
      return r0 * rt_fx_exp2f(x * osc_log2(0.001f / r0));
    }
    default: return 0.0f;
  }
}

void rt_osc_control(rt_osc_t *o, uint32_t m) {
  if (!o->fm_env) return;
  o->fm0 = o->fm1;
  rt_env_settle(&o->fm_desc, &o->fm_envs);
  rt_env_step(&o->fm_desc, &o->fm_envs, m);
  o->fm1 = fm_gain(o);
}

void rt_osc_release(rt_osc_t *o) {
  if (!o->fm_env) return;
  o->fm_release_from = o->fm1;
  /* in exp mode the ramp falls from the gain reached, as Web Audio's does */
  if (o->fm_exp) o->fm_envs.level = o->fm1;
  o->fm_release_from = o->fm_envs.level;
  rt_env_release(&o->fm_desc, &o->fm_envs);
}

/* ------------------------------------------------------------- reading -- */

static inline const float *osc_level(const rt_osc_tables_t *t, uint32_t wave, uint64_t inc) {
  uint32_t k = 0;
  while (k + 1 < RT_OSC_LEVELS && inc > t->max_inc[k]) k++;
  return t->table[wave][k];
}

static inline float wt_read(const float *t, uint32_t ph) {
  const uint32_t i = ph >> (32u - RT_OSC_TABLE_BITS);
  const float f = (float)(ph & ((1u << (32u - RT_OSC_TABLE_BITS)) - 1u)) * 0x1p-21f;
  return t[i] + (t[i + 1] - t[i]) * f;
}

static inline float sine_read(const float *s, uint32_t ph) {
  const uint32_t i = ph >> 20; /* MS_SINE_TABLE_SIZE 4096 */
  const float f = (float)(ph & 0xfffffu) * 0x1p-20f;
  return s[i] + (s[i + 1] - s[i]) * f;
}

_Static_assert(MS_SINE_TABLE_SIZE == 4096u, "sine_read takes 12 index bits");

/* The table a periodic source reads at increment inc (NULL: the sine table). */
static inline const float *wave_table(const rt_osc_t *o, const rt_fx_ctx_t *c, uint32_t wave_source, uint64_t inc) {
  switch (wave_source) {
    case MS_SOURCE_SAWTOOTH:
    case MS_SOURCE_SUPERSAW: return osc_level(o->tables, RT_OSC_SAW, inc);
    case MS_SOURCE_SQUARE: return osc_level(o->tables, RT_OSC_SQUARE, inc);
    case MS_SOURCE_TRIANGLE: return osc_level(o->tables, RT_OSC_TRIANGLE, inc);
    default: return c->sine;
  }
}

/* A non-negative increment in float as turns * 2^32, held below Nyquist
 * (a supersaw's upper voices at the top of the range). */
static inline uint32_t inc_below_nyquist(float x) { return x >= 2147483647.0f ? 0x7fffffffu : (uint32_t)x; }

static const uint8_t FM_WAVE_SOURCE[4] = {MS_SOURCE_SINE, MS_SOURCE_SAWTOOTH, MS_SOURCE_SQUARE, MS_SOURCE_TRIANGLE};

uint32_t rt_osc_run(rt_osc_t *o, const rt_fx_ctx_t *c, uint64_t inc64, uint32_t t0, uint32_t m, uint32_t n, float *L,
                    float *R) {
  if (inc64 > 0x7fffffffull) inc64 = 0x7fffffffull; /* below Nyquist */
  const uint32_t inc = (uint32_t)inc64;
  switch (o->source) {
    case MS_SOURCE_SILENCE: return n;
    case MS_SOURCE_WHITE:
      for (uint32_t i = 0; i < n; i++) L[i] += osc_white(&o->rng);
      return n;
    case MS_SOURCE_PINK: {
      /* Paul Kellet's filter bank (as superdough's noise.mjs) */
      float b0 = o->pink[0], b1 = o->pink[1], b2 = o->pink[2], b3 = o->pink[3], b4 = o->pink[4], b5 = o->pink[5],
            b6 = o->pink[6];
      for (uint32_t i = 0; i < n; i++) {
        const float w = osc_white(&o->rng);
        b0 = 0.99886f * b0 + w * 0.0555179f;
        b1 = 0.99332f * b1 + w * 0.0750759f;
        b2 = 0.96900f * b2 + w * 0.1538520f;
        b3 = 0.86650f * b3 + w * 0.3104856f;
        b4 = 0.55000f * b4 + w * 0.5329522f;
        b5 = -0.7616f * b5 - w * 0.0168980f;
        L[i] += (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362f) * 0.11f;
        b6 = w * 0.115926f;
      }
      o->pink[0] = rt_fx_flush(b0), o->pink[1] = rt_fx_flush(b1), o->pink[2] = rt_fx_flush(b2);
      o->pink[3] = rt_fx_flush(b3), o->pink[4] = rt_fx_flush(b4), o->pink[5] = rt_fx_flush(b5), o->pink[6] = b6;
      return n;
    }
    case MS_SOURCE_BROWN: {
      float b = o->brown;
      for (uint32_t i = 0; i < n; i++) {
        b = (b + 0.02f * osc_white(&o->rng)) * (1.0f / 1.02f);
        L[i] += b * 3.5f;
      }
      o->brown = rt_fx_flush(b);
      return n;
    }
    default: break;
  }

  /* the increment's glide across the ramp: from the last ramp's to this one's (latched at the ramp's first frame) */
  if (t0 == 0) {
    o->inc_from = o->inc_to ? o->inc_to : inc;
    o->inc_to = inc;
  }
  const float inv_m = m ? 1.0f / (float)m : 1.0f;
  const float i_from = (float)o->inc_from, i_step = ((float)inc - i_from) * inv_m;
  const bool glide = o->inc_from != inc;
  const uint32_t inc_max = o->inc_from > inc ? o->inc_from : inc;

  if (!o->fm) {
    if (o->source == MS_SOURCE_SUPERSAW) {
      for (uint32_t u = 0; u < o->unison; u++) {
        const float mul = o->mul[u];
        const uint32_t ui = inc_below_nyquist((float)inc * mul);
        const float *t = wave_table(o, c, MS_SOURCE_SUPERSAW, (uint64_t)((float)inc_max * mul));
        const float gl = (u & 1u) ? o->gain_b : o->gain_a, gr = (u & 1u) ? o->gain_a : o->gain_b;
        uint32_t ph = o->phase[u];
        for (uint32_t i = 0; i < n; i++) {
          const float y = wt_read(t, ph);
          L[i] += y * gl;
          R[i] += y * gr;
          ph += glide ? inc_below_nyquist((i_from + i_step * (float)(t0 + i + 1)) * mul) : ui;
        }
        o->phase[u] = ph;
      }
      return n;
    }
    const float *t = wave_table(o, c, o->source, inc_max);
    uint32_t ph = o->phase[0];
    if (glide) {
      const bool sine = o->source == MS_SOURCE_SINE;
      for (uint32_t i = 0; i < n; i++) {
        L[i] += sine ? sine_read(t, ph) : wt_read(t, ph);
        ph += (uint32_t)(i_from + i_step * (float)(t0 + i + 1));
      }
    } else if (o->source == MS_SOURCE_SINE) {
      for (uint32_t i = 0; i < n; i++, ph += inc) L[i] += sine_read(t, ph);
    } else {
      for (uint32_t i = 0; i < n; i++, ph += inc) L[i] += wt_read(t, ph);
    }
    o->phase[0] = ph;
    return n;
  }

  /* FM: the modulator at fmh x the carrier, the carrier's increment moved by
   * fm_depth x its increment x the envelope, per frame */
  const float e_step = (o->fm1 - o->fm0) * inv_m;
  const float e_max = o->fm0 > o->fm1 ? o->fm0 : o->fm1;
  const float finc_f = (float)inc_max * o->fm_ratio;
  const float *mt = wave_table(o, c, FM_WAVE_SOURCE[o->fm_wave], finc_f >= 2147483647.0f ? 0x7fffffffu : (uint32_t)finc_f);
  const bool msine = o->fm_wave == 0;
  const uint32_t voices = o->unison;
  uint32_t fph_end = o->fm_phase;
  for (uint32_t u = 0; u < voices; u++) {
    const float mul = o->mul[u];
    const float peak = (float)inc_max * (1.0f + o->fm_depth * e_max) * mul;
    const float *t = wave_table(o, c, o->source, peak >= 2147483647.0f ? 0x7fffffffu : (uint32_t)peak);
    const bool sine = o->source == MS_SOURCE_SINE;
    const float gl = o->source != MS_SOURCE_SUPERSAW ? 1.0f : (u & 1u) ? o->gain_b : o->gain_a;
    const float gr = (u & 1u) ? o->gain_a : o->gain_b;
    uint32_t ph = o->phase[u], fph = o->fm_phase;
    for (uint32_t i = 0; i < n; i++) {
      const float at = (float)(t0 + i + 1); /* from the ramp's start: any slicing, same values */
      const float base = glide ? i_from + i_step * at : (float)inc;
      const float mod = msine ? sine_read(mt, fph) : wt_read(mt, fph);
      fph += (uint32_t)(int64_t)(base * o->fm_ratio); /* modulo 2^32: above Nyquist it aliases, as in Web Audio */
      const float env = o->fm0 + e_step * at;
      const float y = sine ? sine_read(t, ph) : wt_read(t, ph);
      const float step = base * (1.0f + o->fm_depth * env * mod) * mul;
      ph += (uint32_t)(int64_t)step; /* modulo 2^32: a negative frequency runs the phase backwards */
      if (o->source == MS_SOURCE_SUPERSAW) {
        L[i] += y * gl;
        R[i] += y * gr;
      } else {
        L[i] += y;
      }
    }
    o->phase[u] = ph;
    fph_end = fph;
  }
  o->fm_phase = fph_end;
  return n;
}
