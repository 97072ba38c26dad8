/*
 * rt_voice.c — the voice pool: starting the zones rt_select.c chose,
 * releasing, choking, stealing and fading voices, and rendering them (sample
 * runs through the interpolating kernels, the per-voice filter, and the
 * control-grid ramps of gain, pitch and envelopes).
 *
 * Thread: RT only. Must never allocate, lock, log, do I/O or call back into
 * JavaScript. Works only on the pre-allocated pool and on immutable
 * instrument data; finished instrument data goes back to CT through the
 * return ring (rt_retire_data).
 *
 * Ramps: a voice's gain and pitch are recomputed at "ramp ends": absolute
 * control-grid frames (multiples of MS_CONTROL_FRAMES), the ends of the
 * amplitude envelope's timed stages, and the frames of note events that touch
 * it. In between, gain moves linearly per frame. Because every ramp end is an
 * absolute frame, output does not depend on how the caller slices ms_process
 * calls. Envelopes (rt_env.h) are stepped once per ramp: the amplitude
 * envelope gives the gain at the ramp's last frame; the filter envelope sets
 * the filter coefficients for the whole ramp (it is not rewound when an event
 * cuts a ramp short).
 */
#include <string.h>

#include "rt/rt_dsp.h"
#include "rt/rt_env.h"
#include "rt/rt_mod.h"
#include "rt/rt_select.h"
#include "rt/rt_vctl.h"
#include "shared/engine.h"

/* ------------------------------------------------------------ helpers -- */

static inline uint64_t next_grid(uint64_t f) {
  return (f / MS_CONTROL_FRAMES + 1) * MS_CONTROL_FRAMES;
}

/* Smoothed slot gain and pan at absolute frame t (inside the current chunk). */
static inline void slot_at(const rt_slot_t *slot, uint64_t t, float *gain, float *pan) {
  uint64_t g0 = (t / MS_CONTROL_FRAMES) * MS_CONTROL_FRAMES;
  float w = (float)(t - g0 + 1) * (1.0f / (float)MS_CONTROL_FRAMES);
  *gain = slot->gain0 + (slot->gain1 - slot->gain0) * w;
  *pan = slot->pan0 + (slot->pan1 - slot->pan0) * w;
}

/* a and b hold the same bits (so any arithmetic on them gives the same result) */
static inline bool same_bits(float a, float b) {
  uint32_t x, y;
  memcpy(&x, &a, sizeof x);
  memcpy(&y, &b, sizeof y);
  return x == y;
}

static void voice_gains(const ms_sampler_t *s, const rt_voice_t *v, float level, uint64_t t,
                        float *gl, float *gr) {
  float sg = 1.0f, sp = 0.0f;
  if (!v->detached) slot_at(&s->slots[v->slot], t, &sg, &sp);
  float g = level * v->note_gain * sg;
  if (MS_UNLIKELY(v->zone->mod_flags & RT_MOD_LIVE)) { /* zone rows following a CC (rt_mod.c) */
    g *= v->mod_gain;
    sp += v->mod_pan;
  }
  float pl, pr;
  rt_pan_gains(s, v->note_pan + sp, &pl, &pr);
  if (v->channels == 2) {
    /* stereo samples: balance, unity at centre */
    pl *= 1.41421356f;
    pr *= 1.41421356f;
    if (pl > 1.0f) pl = 1.0f;
    if (pr > 1.0f) pr = 1.0f;
  }
  *gl = g * pl;
  *gr = g * pr;
}

/* A voice stops holding its note: it no longer counts against polyphony. */
static void voice_unhold(ms_sampler_t *s, rt_voice_t *v) {
  if (v->state == VOICE_PLAYING) {
    s->holding--;
    if (!v->detached && s->slots[v->slot].voices) s->slots[v->slot].voices--;
  }
}

/* Move the envelope and fade to their values at frame f-1 when a ramp is cut
 * short by an event at f, so the next ramp starts from where sound really is. */
static void voice_interrupt(rt_voice_t *v, uint64_t f) {
  if (f >= v->ramp_end) return;
  uint64_t len = v->ramp_end - v->ramp_start;
  float w = len ? (float)(f - v->ramp_start) / (float)len : 1.0f;
  const float env = v->env0 + (v->amp.level - v->env0) * w;
  v->fade1 = v->fade0 + (v->fade1 - v->fade0) * w;
  v->gl_end = v->gl + v->dgl * (float)(f - v->ramp_start);
  v->gr_end = v->gr + v->dgr * (float)(f - v->ramp_start);
  rt_env_cut(&v->amp, (uint32_t)(v->ramp_end - f), env);
  v->ramp_end = f;
}

/* Step the filter envelope by m frames and set the filter coefficients
 * for the ramp from the cutoff and its modulation (cents, through tables). */
static void voice_filter_control(ms_sampler_t *s, rt_voice_t *v, uint32_t m) {
  const rt_zone_t *z = v->zone;
  rt_env_settle(&z->fil_env, &v->fil);
  rt_env_step(&z->fil_env, &v->fil, m);
  float cents = v->fil_base_cents + z->fileg_depth * v->fil.level;
  if (z->cutoff_cc && !v->detached) cents += z->cutoff_cc_cents * (float)s->slots[v->slot].cc[z->cutoff_cc] * (1.0f / 127.0f);
  if (MS_UNLIKELY(z->mod_flags & RT_MOD_LIVE)) cents += v->mod_cutoff_cents;
  float x = 2.0f * z->cutoff_hz * (float)rt_pitch_ratio(s, cents) / (float)s->cfg.sample_rate;
  const float xmin = 20.0f / (float)s->cfg.sample_rate;
  if (x < xmin) x = xmin;
  if (x > 0.9f) x = 0.9f;
  float fi = x * (float)MS_TAN_TABLE_SIZE;
  uint32_t i = (uint32_t)fi;
  float g = s->tan_table[i] + (s->tan_table[i + 1] - s->tan_table[i]) * (fi - (float)i);
  float k = z->filter_k;
  v->fk = k;
  v->fa1 = 1.0f / (1.0f + g * (g + k));
  v->fa2 = g * v->fa1;
  v->fa3 = g * v->fa2;
}

/* The amplitude envelope v follows: the zone's, its per-note one, or the one its zone rows gave it. */
static inline const rt_env_desc_t *voice_amp_desc(const ms_sampler_t *s, const rt_voice_t *v) {
  const rt_env_desc_t *d = rt_vctl_amp_desc(s, v);
  if (MS_UNLIKELY(v->own_env) && d == &v->zone->amp_env) return &v->amp_own;
  return d;
}

/* Compute the ramp starting at frame f: envelopes, fade, gains, pitch. */
static void voice_control(ms_sampler_t *s, rt_voice_t *v, uint64_t f) {
  const rt_zone_t *z = v->zone;
  const rt_env_desc_t *ad = voice_amp_desc(s, v);
  if (MS_UNLIKELY(z->mod_flags & RT_MOD_LIVE) && !v->detached) /* a detached voice keeps its last values */
    rt_mod_voice_live(s, v, &s->slots[v->slot], f, &v->mod_gain, &v->mod_pan, &v->mod_cents, &v->mod_cutoff_cents);
  rt_env_settle(ad, &v->amp); /* timed stages with no frames left end now */
  v->env0 = v->amp.level;
  v->fade0 = v->fade1;
  v->gl = v->gl_end;
  v->gr = v->gr_end;

  /* the ramp ends at the next grid frame, the end of a timed envelope
   * stage, or where a fade reaches 0, whichever comes first */
  uint64_t e = next_grid(f);
  const uint32_t timed = rt_env_timed_left(&v->amp);
  if (timed != UINT32_MAX && f + timed < e) e = f + timed;
  bool fade_ends = false;
  if (v->fade_step > 0.0f) {
    float left = v->fade0 / v->fade_step;
    uint64_t fl = (uint64_t)left + 1;
    if (f + fl <= e) {
      e = f + fl;
      fade_ends = true;
    }
  }
  uint32_t m = (uint32_t)(e - f);

  rt_env_step(ad, &v->amp, m);
  bool last = v->amp.stage == RT_ENV_DONE;
  float fade = v->fade0;
  if (v->fade_step > 0.0f) {
    fade = fade_ends ? 0.0f : v->fade0 - v->fade_step * (float)m;
    if (fade <= 0.0f) {
      fade = 0.0f;
      last = true;
    }
  }
  v->fade1 = fade;
  if (last) v->amp.stage = RT_ENV_DONE;

  /* the gains of the ramp's last frame: the last ramp's while their inputs keep their bits
   * (a held note: same level, slot gain and pan), so pan and gain are not computed again */
  float gl, gr;
  const float level = v->amp.level * fade;
  float sg = 1.0f, sp = 0.0f;
  if (!v->detached) slot_at(&s->slots[v->slot], e - 1, &sg, &sp);
  if (v->memo_inc && !(z->mod_flags & RT_MOD_LIVE) && same_bits(level, v->memo_level) && same_bits(sg, v->memo_sg) &&
      same_bits(sp, v->memo_sp) && same_bits(v->note_gain, v->memo_note_gain) &&
      same_bits(v->note_pan, v->memo_note_pan)) {
    gl = v->memo_gl;
    gr = v->memo_gr;
  } else {
    voice_gains(s, v, level, e - 1, &gl, &gr);
    v->memo_level = level;
    v->memo_sg = sg;
    v->memo_sp = sp;
    v->memo_note_gain = v->note_gain;
    v->memo_note_pan = v->note_pan;
    v->memo_gl = gl;
    v->memo_gr = gr;
  }
  float inv = 1.0f / (float)m;
  v->dgl = (gl - v->gl) * inv;
  v->dgr = (gr - v->gr) * inv;
  v->gl_end = gl;
  v->gr_end = gr;

  float cents = v->cents;
  if (!v->detached) {
    const rt_slot_t *slot = &s->slots[v->slot];
    cents += slot->vib_cents;
    if (MS_LIKELY(!(z->mod_flags & RT_MOD_BEND))) cents += slot->bend * slot->bend_range * 100.0f;
  }
  if (MS_UNLIKELY(z->mod_flags & RT_MOD_LIVE)) cents += v->mod_cents;
  if (z->filter_type != MS_FILTER_NONE) voice_filter_control(s, v, m);
  if (MS_UNLIKELY(v->ext)) {
    float speed = rt_vctl_control(s, v, f, m, &cents);
    double ratio = v->rate_ratio * rt_pitch_ratio(s, cents) * (double)speed;
    if (ratio > 64.0) ratio = 64.0;
    v->inc = (uint64_t)(ratio * 4294967296.0);
    if (v->inc == 0) v->inc = 1;
    v->memo_inc = 0; /* rate_ratio and speed move: no reuse */
  } else if (v->memo_inc && same_bits(cents, v->memo_cents)) {
    v->inc = v->memo_inc; /* the same pitch as the last ramp's */
  } else {
    double ratio = v->rate_ratio * rt_pitch_ratio(s, cents);
    if (ratio > 64.0) ratio = 64.0;
    v->inc = (uint64_t)(ratio * 4294967296.0);
    if (v->inc == 0) v->inc = 1;
    v->memo_cents = cents;
    v->memo_inc = v->inc;
  }

  v->ramp_start = f;
  v->ramp_end = e;
}

/* ----------------------------------------------------------- rendering -- */

/* Gain ramp of a run: frame i (from the ramp start) plays g + dg * i. */
typedef struct {
  float gl, dgl, gr, dgr;
} ramp_t;

static inline void kernel(uint32_t interp, const rt_voice_t *v, uint32_t n, float *L, float *R, const ramp_t *g,
                          float t0) {
#define RUN(k) RT_KERNEL(k)(v->data, v->pos, v->inc, n, L, R, g->gl, g->dgl, g->gr, g->dgr, t0)
  const bool lin = interp == MS_INTERP_LINEAR;
  if (v->bits == 16) {
    if (v->channels == 1) {
      if (lin) RUN(linear_mono16);
      else RUN(cubic_mono16);
    } else {
      if (lin) RUN(linear_stereo16);
      else RUN(cubic_stereo16);
    }
  } else if (v->channels == 1) {
    if (lin) RUN(linear_mono);
    else RUN(cubic_mono);
  } else {
    if (lin) RUN(linear_stereo);
    else RUN(cubic_stereo);
  }
#undef RUN
}

/* A tap near the loop seam: indices past the loop end wrap to its start, and
 * once the voice has wrapped, indices before the loop start wrap to its end.
 * j >= -1 always; index -1 reads the zero padding before the sample. */
static inline float loop_tap(const rt_voice_t *v, int64_t j, uint32_t c) {
  int64_t ls = v->loop_start, le = v->loop_end, len = le - ls;
  while (j >= le) j -= len;
  if (v->wrapped)
    while (j < ls) j += len;
  const int64_t at = j * (int64_t)v->channels + c;
  return v->bits == 16 ? (float)((const int16_t *)v->data)[at] * RT_S16_SCALE : ((const float *)v->data)[at];
}

static void render_seam_frame(const ms_sampler_t *s, const rt_voice_t *v, float *L, float *R,
                              float gl, float gr) {
  int64_t idx = (int64_t)(v->pos >> 32);
  float f = RT_FRAC(v->pos);
  for (uint32_t c = 0; c < v->channels; c++) {
    float y;
    if (s->interpolation == MS_INTERP_LINEAR) {
      float a = loop_tap(v, idx, c), b = loop_tap(v, idx + 1, c);
      y = a + (b - a) * f;
    } else {
      y = rt_hermite(loop_tap(v, idx - 1, c), loop_tap(v, idx, c), loop_tap(v, idx + 1, c),
                     loop_tap(v, idx + 2, c), f);
    }
    if (v->channels == 1) {
      *L += y * gl;
      *R += y * gr;
    } else if (c == 0) {
      *L += y * gl;
    } else {
      *R += y * gr;
    }
  }
}

/*
 * Render n frames of v at the current ramp (no ramp end inside). Returns the
 * frames rendered: fewer than n when a non-looping sample ran out.
 */
static uint32_t voice_run(ms_sampler_t *s, rt_voice_t *v, uint64_t from, uint32_t n, float *L, float *R,
                          const ramp_t *g) {
  uint32_t done = 0;
  const uint32_t reach = s->interpolation == MS_INTERP_LINEAR ? 1u : 2u; /* taps past idx */
  while (done < n) {
    uint32_t want = n - done;
    const float t0 = (float)(from + done - v->ramp_start);
    if (v->loop_end) {
            uint64_t hi = (uint64_t)(v->loop_end - reach) << 32;
      uint64_t lo = (uint64_t)(v->loop_start + 1) << 32;
      bool seam = v->pos >= hi || (v->wrapped && v->pos < lo);
      if (seam) {
        render_seam_frame(s, v, L + done, R + done, g->gl + g->dgl * (t0 + 1.0f), g->gr + g->dgr * (t0 + 1.0f));
        v->pos += v->inc;
        uint64_t end = (uint64_t)v->loop_end << 32, len = (uint64_t)(v->loop_end - v->loop_start) << 32;
        while (v->pos >= end) {
          v->pos -= len;
          v->wrapped = true;
        }
        done++;
        continue;
      }
      /* frames before the seam: divided out only when this run reaches it (a 64-bit
       * division on every run cost more than the rest of the run's control) */
      if (hi - v->pos <= v->inc * (uint64_t)(want - 1)) want = (uint32_t)((hi - v->pos + v->inc - 1) / v->inc);
    } else {
      uint64_t end = v->length << 32;
      if (v->pos >= end) return done;
      if (end - v->pos <= v->inc * (uint64_t)(want - 1)) want = (uint32_t)((end - v->pos + v->inc - 1) / v->inc);
    }
    /* prefetch the data the next run will read (voices on their own samples
     * miss the cache otherwise: measured 2-4x slower without) */
    {
      /* every line of the span [end of this run, one control chunk beyond] */
      uint64_t a = (v->pos + v->inc * (uint64_t)want) >> 32;
      uint64_t b = (v->pos + v->inc * (uint64_t)(want + MS_CONTROL_FRAMES)) >> 32;
      const char *p = (const char *)v->data + a * v->frame_bytes;
      const char *q = (const char *)v->data + (b + 3) * v->frame_bytes;
      if (q - p > 32 * 64) q = p + 32 * 64;
      for (; p < q; p += 64) rt_prefetch(p);
    }
    kernel(s->interpolation, v, want, L + done, R + done, g, t0);
    v->pos += v->inc * want;
    done += want;
  }
  return done;
}

/*
 * A filtered voice's run: dry samples into the scratch buffer at unity gain,
 * then the state-variable filter (Zavalishin's trapezoidal form: stable under
 * modulation) and the gain ramp, per frame. Only voices with a filter pay.
 */
static uint32_t voice_run_filtered(ms_sampler_t *s, rt_voice_t *v, uint64_t from, uint32_t n, float *L, float *R) {
  float *dl = s->scratch, *dr = s->scratch + MS_CONTROL_FRAMES;
  memset(dl, 0, sizeof(float) * n);
  memset(dr, 0, sizeof(float) * n);
  const ramp_t unity = {1.0f, 0.0f, 1.0f, 0.0f};
  uint32_t r = voice_run(s, v, from, n, dl, dr, &unity);
  const float a1 = v->fa1, a2 = v->fa2, a3 = v->fa3, k = v->fk;
  const float t0 = (float)(from - v->ramp_start);
  /* one loop per filter type and channel layout, gain ramp fused in: the
   * recursion through ic1/ic2 is the only serial part left */
#define SVF_STEP(x, ic1, ic2, v1, v2)       \
  float v3 = (x) - ic2;                     \
  float v1 = a1 * ic1 + a2 * v3;            \
  float v2 = ic2 + a2 * ic1 + a3 * v3;      \
  ic1 = 2.0f * v1 - ic1;                    \
  ic2 = 2.0f * v2 - ic2;
#define SVF_LOOP(OUT)                                                                  \
  if (v->channels == 1) {                                                              \
    float ic1 = v->ic1[0], ic2 = v->ic2[0];                                            \
    for (uint32_t i = 0; i < r; i++) {                                                 \
      const float x = dl[i];                                                           \
      SVF_STEP(x, ic1, ic2, v1, v2)                                                    \
      const float y = (OUT), t = t0 + (float)(i + 1);                                  \
      L[i] += y * (v->gl + v->dgl * t);                                                \
      R[i] += y * (v->gr + v->dgr * t);                                                \
    }                                                                                  \
    v->ic1[0] = ic1;                                                                   \
    v->ic2[0] = ic2;                                                                   \
  } else {                                                                             \
    float ic1l = v->ic1[0], ic2l = v->ic2[0], ic1r = v->ic1[1], ic2r = v->ic2[1];      \
    for (uint32_t i = 0; i < r; i++) {                                                 \
      const float t = t0 + (float)(i + 1);                                             \
      {                                                                                \
        const float x = dl[i];                                                         \
        SVF_STEP(x, ic1l, ic2l, v1, v2)                                                \
        L[i] += (OUT) * (v->gl + v->dgl * t);                                          \
      }                                                                                \
      {                                                                                \
        const float x = dr[i];                                                         \
        SVF_STEP(x, ic1r, ic2r, v1, v2)                                                \
        R[i] += (OUT) * (v->gr + v->dgr * t);                                          \
      }                                                                                \
    }                                                                                  \
    v->ic1[0] = ic1l;                                                                  \
    v->ic2[0] = ic2l;                                                                  \
    v->ic1[1] = ic1r;                                                                  \
    v->ic2[1] = ic2r;                                                                  \
  }
  switch (v->zone->filter_type) {
    case MS_FILTER_LOWPASS: SVF_LOOP(v2) break;
    case MS_FILTER_BANDPASS: SVF_LOOP(v1) break;
    default: SVF_LOOP(x - k * v1 - v2) break;
  }
#undef SVF_LOOP
#undef SVF_STEP
  return r;
}

/* One tap of a voice read backwards: frame j, channel c (j >= -1: the zero
 * padding before the sample; a loop wraps both ways). */
static inline float reverse_tap(const rt_voice_t *v, int64_t j, uint32_t c) {
  if (v->loop_end) return loop_tap(v, j, c);
  const int64_t at = j * (int64_t)v->channels + c;
  return v->bits == 16 ? (float)((const int16_t *)v->data)[at] * RT_S16_SCALE : ((const float *)v->data)[at];
}

/*
 * A reversed voice's run at unity gain into L and R (negative speed): the
 * position falls by inc per frame, interpolated like the forward kernels,
 * down to frame `lo` (or round its loop). Scalar: only reversed voices pay.
 * Returns the frames rendered: fewer than n when it ran past `lo`.
 */
static uint32_t voice_run_reverse(const ms_sampler_t *s, rt_voice_t *v, uint64_t lo, uint32_t n, float *L,
                                  float *R) {
  const bool lin = s->interpolation == MS_INTERP_LINEAR;
  const int64_t ls = (int64_t)v->loop_start << 32, span = ((int64_t)v->loop_end - (int64_t)v->loop_start) << 32;
  if (v->length == 0) return 0; /* ran out at the end of the last run */
  if (!v->loop_end && v->bits == 32 && v->channels == 1) {
    /* the common case (a one-shot float mono sample): direct taps, no wrap;
     * frames before lo read real data or the zero padding (idx - 1 >= -1) */
    const float *d = (const float *)v->data;
    const int64_t low = (int64_t)(lo << 32);
    int64_t p = (int64_t)v->pos;
    for (uint32_t i = 0; i < n; i++) {
      const int64_t idx = p >> 32;
      const float fr = RT_FRAC((uint64_t)p);
      const float y = lin ? d[idx] + (d[idx + 1] - d[idx]) * fr : rt_hermite(d[idx - 1], d[idx], d[idx + 1], d[idx + 2], fr);
      L[i] += y;
      R[i] += y;
      p -= (int64_t)v->inc;
      if (p < low) {
        v->length = 0;
        return i + 1;
      }
    }
    v->pos = (uint64_t)p;
    return n;
  }
  for (uint32_t i = 0; i < n; i++) {
    const int64_t idx = (int64_t)(v->pos >> 32);
    const float fr = RT_FRAC(v->pos);
    float y[2] = {0.0f, 0.0f};
    for (uint32_t c = 0; c < v->channels; c++) {
      if (lin) {
        float a = reverse_tap(v, idx, c), b = reverse_tap(v, idx + 1, c);
        y[c] = a + (b - a) * fr;
      } else {
        y[c] = rt_hermite(reverse_tap(v, idx - 1, c), reverse_tap(v, idx, c), reverse_tap(v, idx + 1, c),
                          reverse_tap(v, idx + 2, c), fr);
      }
    }
    L[i] += y[0];
    R[i] += v->channels == 2 ? y[1] : y[0];
    int64_t p = (int64_t)v->pos - (int64_t)v->inc;
    if (v->loop_end) {
      while (p < ls) p += span;
    } else if (p < (int64_t)(lo << 32)) {
      v->length = 0; /* a reversed voice's "ran out" (its length is not read otherwise) */
      return i + 1;
    }
    v->pos = (uint64_t)p;
  }
  return n;
}

/* The zone's filter (MS_FILTER_*) in place on a controlled voice's dry run. */
static void zone_filter_inplace(rt_voice_t *v, float *dl, float *dr, uint32_t n) {
  const float a1 = v->fa1, a2 = v->fa2, a3 = v->fa3, k = v->fk;
  const uint32_t type = v->zone->filter_type;
  for (uint32_t c = 0; c < v->channels; c++) {
    float *x = c ? dr : dl;
    float ic1 = v->ic1[c], ic2 = v->ic2[c];
    for (uint32_t i = 0; i < n; i++) {
      const float in = x[i], v3 = in - ic2;
      const float v1 = a1 * ic1 + a2 * v3, v2 = ic2 + a2 * ic1 + a3 * v3;
      ic1 = 2.0f * v1 - ic1;
      ic2 = 2.0f * v2 - ic2;
      x[i] = type == MS_FILTER_LOWPASS ? v2 : type == MS_FILTER_BANDPASS ? v1 : in - k * v1 - v2;
    }
    v->ic1[c] = ic1;
    v->ic2[c] = ic2;
  }
}

/*
 * A controlled voice's run (per-note controls, v->ext): the dry samples at
 * unity into the scratch (forward through the kernels, or backwards), the
 * zone filter, the note's effect chain, then the gain ramp and pan into the
 * bus. Runs never cross a ramp end, so the effects' control segments hold.
 */
__attribute__((noinline)) static uint32_t voice_run_ext(ms_sampler_t *s, rt_voice_t *v, uint64_t from, uint32_t n, float *L, float *R,
                              uint32_t offset) {
  rt_vext_t *x = rt_vctl_of(s, v);
  float *dl = s->scratch, *dr = s->scratch + MS_CONTROL_FRAMES;
  memset(dl, 0, sizeof(float) * n);
  memset(dr, 0, sizeof(float) * n);
  uint32_t r;
  if (x->flags & RT_VX_OSC) { /* an oscillator zone (rt_osc.c): v->inc is its frequency in turns per frame */
    r = rt_osc_run(&x->osc, &s->vctl->ctx, v->inc, (uint32_t)(from - v->ramp_start),
                   (uint32_t)(v->ramp_end - v->ramp_start), n, dl, dr);
  } else if (x->flags & RT_VX_REVERSE) {
    r = voice_run_reverse(s, v, x->lo, n, dl, dr);
  } else {
    const ramp_t unity = {1.0f, 0.0f, 1.0f, 0.0f};
    r = voice_run(s, v, from, n, dl, dr, &unity);
  }
  if (v->zone->filter_type != MS_FILTER_NONE) zone_filter_inplace(v, dl, dr, r);
  /* a mono sample's run is dl (the kernels wrote it to both): the chain runs once */
  if (x->flags & RT_VX_FX) rt_fx_note_process(&x->fx, dl, v->channels == 2 ? dr : NULL, r);
  if (x->flags & RT_VX_WIDTH) rt_vctl_width(x, dl, dr, r, (float)(from - v->ramp_start)); /* before pan */
  const float *sr = v->channels == 2 ? dr : dl;
  const float t0 = (float)(from - v->ramp_start);
  if (x->flags & RT_VX_SENDS) { /* dry and sends through the orbit, levels fixed for the note */
    for (uint32_t i = 0; i < r; i++) {
      const float t = t0 + (float)(i + 1);
      dr[i] = sr[i] * (v->gr + v->dgr * t);
      dl[i] *= v->gl + v->dgl * t;
    }
    rt_orbit_mix(s, x->orbit, v->bus, offset, dl, dr, r, &x->levels, &x->levels);
    return r;
  }
  for (uint32_t i = 0; i < r; i++) {
    const float t = t0 + (float)(i + 1);
    L[i] += dl[i] * (v->gl + v->dgl * t);
    R[i] += sr[i] * (v->gr + v->dgr * t);
  }
  return r;
}

static void voice_free(ms_sampler_t *s, rt_voice_t *v) {
  voice_unhold(s, v);
  v->state = VOICE_FREE;
  rt_instrument_data_t *d = v->idata;
  v->idata = NULL;
  if (d && d->voices_using && --d->voices_using == 0 && d->retired) rt_retire_data(s, d);
}

/* Voices ahead whose sample data is prefetched before rendering the current
 * one: a voice's own next-run prefetch is a whole pass over the pool old by
 * the time it is used, evicted when many voices play (measured at 1024). */
#define PREFETCH_AHEAD 4u

static inline void prefetch_voice(const rt_voice_t *v, uint32_t frames) {
  if (v->state == VOICE_FREE) return;
  const char *p = (const char *)v->data + (v->pos >> 32) * v->frame_bytes - 64;
  const char *q = (const char *)v->data + ((v->pos + v->inc * (uint64_t)frames) >> 32) * v->frame_bytes + 64;
  if (q - p > 24 * 64) q = p + 24 * 64;
  for (; p < q; p += 64) rt_prefetch(p);
}

void rt_voices_render(ms_sampler_t *s, uint64_t from, uint32_t frames, uint32_t offset) {
  bool any_freed = false;
  for (uint32_t a = 0; a < PREFETCH_AHEAD && a < s->active_count; a++)
    prefetch_voice(&s->voices[s->active[a]], frames);
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (a + PREFETCH_AHEAD < s->active_count) prefetch_voice(&s->voices[s->active[a + PREFETCH_AHEAD]], frames);
    if (v->state == VOICE_FREE) continue;
    float *L = rt_orbit_dry_bus(s, v->bus, v->orbit) + offset;
    float *R = L + s->cfg.buffer_size;
    uint32_t done = 0;
    while (done < frames) {
      uint64_t f = from + done;
      if (f >= v->ramp_end) {
        if (v->amp.stage == RT_ENV_DONE) break;
        voice_control(s, v, f);
      }
      uint32_t m = frames - done;
      if (v->ramp_end - f < m) m = (uint32_t)(v->ramp_end - f);
      uint32_t r;
      if (MS_UNLIKELY(v->ext)) {
        r = voice_run_ext(s, v, f, m, L + done, R + done, offset + done);
      } else if (v->zone->filter_type == MS_FILTER_NONE) {
        const ramp_t g = {v->gl, v->dgl, v->gr, v->dgr};
        r = voice_run(s, v, f, m, L + done, R + done, &g);
      } else {
        r = voice_run_filtered(s, v, f, m, L + done, R + done);
      }
      done += r;
      if (r < m) {
        v->amp.stage = RT_ENV_DONE;
        v->ramp_end = from + done;
        break;
      }
    }
    if (v->amp.stage == RT_ENV_DONE && from + done >= v->ramp_end) {
      voice_free(s, v);
      any_freed = true;
    }
  }
  if (any_freed) {
    uint32_t w = 0;
    for (uint32_t a = 0; a < s->active_count; a++) {
      uint16_t i = s->active[a];
      if (s->voices[i].state != VOICE_FREE) {
        s->voices[i].active_index = (uint16_t)w;
        s->active[w++] = i;
      }
    }
    s->active_count = w;
  }
}

/* -------------------------------------------------------- voice events -- */

static void voice_start_fade(ms_sampler_t *s, rt_voice_t *v, uint64_t f) {
  voice_interrupt(v, f);
  voice_unhold(s, v);
  v->state = VOICE_FADING;
  float step = 1.0f / (float)s->fade_frames;
  if (v->fade_step < step) v->fade_step = step;
  if (v->amp.stage == RT_ENV_DONE) v->amp.stage = RT_ENV_RELEASE;
}

/* Both envelopes into their release; a sustain loop plays on to the sample's end. */
static void voice_enter_release(ms_sampler_t *s, rt_voice_t *v, uint64_t f) {
  voice_interrupt(v, f);
  v->released = true;
  v->sustained = false;
  rt_env_release(&v->zone->fil_env, &v->fil);
  rt_env_release(voice_amp_desc(s, v), &v->amp);
  if (MS_UNLIKELY(v->ext)) rt_vctl_release(s, v);
  if (v->loop_mode == MS_LOOP_SUSTAIN) {
    v->loop_end = 0;
    v->wrapped = false;
  }
}

/* Note-off: one-shots play on. */
static void voice_release(ms_sampler_t *s, rt_voice_t *v, uint64_t f) {
  if (v->loop_mode == MS_LOOP_ONE_SHOT) return;
  voice_enter_release(s, v, f);
}

/* A choked voice: a fast fade, or its own release (MS_OFF_NORMAL), one-shots included. */
static void voice_choke(ms_sampler_t *s, rt_voice_t *v, uint64_t f) {
  if (v->zone->off_mode == MS_OFF_NORMAL) {
    voice_enter_release(s, v, f);
  } else {
    voice_start_fade(s, v, f);
    if (v->zone->off_mode == MS_OFF_TIME) v->fade_step = v->zone->off_step; /* off_time_s, however long */
  }
}

/* Choke the slot's playing voices that exclusive group g turns off. */
static void choke_group(ms_sampler_t *s, uint32_t slot_index, uint32_t g, uint64_t f) {
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state == VOICE_PLAYING && !v->detached && v->slot == slot_index && v->choked_by == g)
      voice_choke(s, v, f);
  }
}

/* The voice to steal among PLAYING voices (of one slot, or all when slot < 0):
 * a released voice, quietest first; otherwise the oldest. */
static rt_voice_t *pick_victim(ms_sampler_t *s, int32_t slot) {
  rt_voice_t *best_rel = NULL, *oldest = NULL;
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state != VOICE_PLAYING) continue;
    if (slot >= 0 && (v->detached || v->slot != (uint32_t)slot)) continue;
    if (v->released || v->amp.stage == RT_ENV_RELEASE) {
      if (!best_rel || v->amp.level * v->note_gain < best_rel->amp.level * best_rel->note_gain) best_rel = v;
    } else if (!oldest || v->start_seq < oldest->start_seq) {
      oldest = v;
    }
  }
  return best_rel ? best_rel : oldest;
}

/* A physical voice for a new note; kills the most faded voice if none is free. */
static rt_voice_t *take_free_voice(ms_sampler_t *s) {
  if (s->active_count < s->voice_capacity) {
    for (uint32_t i = 0; i < s->voice_capacity; i++) {
      if (s->voices[i].state == VOICE_FREE) {
        s->voices[i].active_index = (uint16_t)s->active_count;
        s->active[s->active_count++] = (uint16_t)i;
        return &s->voices[i];
      }
    }
  }
  /* every physical voice is busy (a burst of steals): end the quietest fading one now */
  rt_voice_t *q = NULL;
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state == VOICE_FADING && (!q || v->fade1 < q->fade1)) q = v;
  }
  if (!q) return NULL;
  voice_free(s, q);
  return q; /* keeps its place in the active list */
}

/* Set up voice v to play zone z of version d for this note. */
static void voice_start(ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint32_t slot_index,
                        rt_instrument_data_t *d, const rt_zone_t *z, const rt_selection_t *sel,
                        const ms_cmd_note_t *params, const ms_controls_t *nc, uint64_t f) {
  const uint8_t note = sel->trigger == RT_TRIGGER_CC ? z->root_key : sel->note, vel = sel->velocity;
  uint16_t ai = v->active_index;
  memset(v, 0, sizeof *v);
  v->active_index = ai;
  v->state = VOICE_PLAYING;
  v->data = z->data;
  v->length = z->length;
  v->channels = z->channels;
  v->bits = z->bits;
  v->frame_bytes = z->channels * (z->bits == 16 ? 2u : 4u);
  v->loop_mode = z->loop_mode;
  if (z->loop_mode == MS_LOOP_FORWARD || z->loop_mode == MS_LOOP_SUSTAIN) {
    v->loop_start = z->loop_start;
    v->loop_end = z->loop_end;
  }
  uint64_t off = (uint64_t)z->offset + (params ? params->offset_frames : 0);
  if (off >= z->length) off = z->length ? z->length - 1 : 0;
  v->pos = off << 32;
  v->note = note;
  v->velocity = vel;
  /* a release sample, or one a CC started, ignores later note-offs */
  v->released = sel->trigger == MS_TRIGGER_RELEASE || sel->trigger == RT_TRIGGER_CC;
  v->slot = (uint16_t)slot_index;
  v->bus = slot->bus;
  v->zone = z;
  v->idata = d;
  d->voices_using++;
  v->start_seq = ++s->voice_seq;
  v->exclusive_group = z->exclusive_group;
  v->choked_by = z->choked_by;
  v->rate_ratio = z->rate_ratio;
  v->cents = z->tune_cents + ((float)note - (float)z->root_key) * z->keytrack + (params ? params->tune_cents : 0.0f);
  v->note_gain = z->gain * z->vel_gain[vel] * (params ? params->gain : 1.0f);
  v->note_pan = z->pan + (params ? params->pan : 0.0f);
  rt_env_start(&z->amp_env, &v->amp);
  v->fade1 = 1.0f;
  if (z->filter_type != MS_FILTER_NONE) {
    v->fil_base_cents = z->fil_veltrack * (float)vel * (1.0f / 127.0f) +
                        z->fil_keytrack * ((float)note - (float)z->fil_keycenter);
    rt_env_start(&z->fil_env, &v->fil);
  }
  if (MS_UNLIKELY(z->mod_flags & (RT_MOD_NOTE | RT_MOD_LIVE | RT_MOD_ENV))) rt_mod_voice_start(s, v, slot, note, vel, f);
  if (MS_UNLIKELY(z->source || nc || z->controls || z->chorus_send > 0.0f || (z->mod_flags & RT_MOD_WIDTH) || s->vctl->slot[slot_index].present[0] | s->vctl->slot[slot_index].present[1] |
                                           s->vctl->slot[slot_index].present[2] | s->vctl->slot[slot_index].present[3]))
    v->ext = rt_vctl_voice_start(s, v, z, slot_index, nc, f);
  voice_gains(s, v, v->amp.level, f ? f - 1 : 0, &v->gl_end, &v->gr_end);
  v->ramp_start = v->ramp_end = f;
}

/* note_polyphony: while the slot holds `limit` or more unreleased voices of
 * this key in the zone's exclusive group, release the oldest (one-shots fade). */
static void limit_note_voices(ms_sampler_t *s, uint32_t slot_index, const rt_zone_t *z, uint8_t note, uint64_t f) {
  for (;;) {
    uint32_t n = 0;
    rt_voice_t *oldest = NULL;
    for (uint32_t a = 0; a < s->active_count; a++) {
      rt_voice_t *v = &s->voices[s->active[a]];
      if (v->state != VOICE_PLAYING || v->released || v->detached || v->slot != slot_index || v->note != note ||
          v->exclusive_group != z->exclusive_group)
        continue;
      n++;
      if (!oldest || v->start_seq < oldest->start_seq) oldest = v;
    }
    if (n < z->note_polyphony) return;
    if (oldest->loop_mode == MS_LOOP_ONE_SHOT) voice_start_fade(s, oldest, f);
    else voice_enter_release(s, oldest, f);
  }
}

/*
 * Start what rt_select.c chose for a note: first choke the voices its zones'
 * groups turn off, then start a voice per zone, stealing one when the slot's
 * or the sampler's polyphony is reached.
 */
static void start_selection(ms_sampler_t *s, rt_slot_t *slot, uint32_t slot_index, const rt_selection_t *sel,
                            const ms_cmd_note_t *params, const ms_controls_t *nc, uint64_t f) {
  if (sel->count == 0) return;
  rt_instrument_data_t *d = slot->data;
  for (uint32_t c = 0; c < sel->choke_count; c++) choke_group(s, slot_index, sel->chokes[c], f);

  for (uint32_t c = 0; c < sel->count; c++) {
    rt_voice_t *victim = NULL;
    if (slot->voices >= slot->polyphony) victim = pick_victim(s, (int32_t)slot_index);
    else if (s->holding >= s->cfg.max_polyphony) victim = pick_victim(s, -1);
    if (victim) {
      voice_start_fade(s, victim, f);
      stat_set(&s->stats.voices_stolen, stat_get(&s->stats.voices_stolen) + 1);
    }
    if (slot->voices >= slot->polyphony || s->holding >= s->cfg.max_polyphony) continue;
    const rt_zone_t *z = &d->zones[sel->zones[c]];
    if (MS_UNLIKELY(z->note_polyphony) && sel->trigger != RT_TRIGGER_CC) limit_note_voices(s, slot_index, z, sel->note, f);
    rt_voice_t *v = take_free_voice(s);
    if (!v) continue;
    voice_start(s, v, slot, slot_index, d, &d->zones[sel->zones[c]], sel, params, nc, f);
    slot->voices++;
    s->holding++;
  }
  if (s->holding > stat_get(&s->stats.voices_peak)) stat_set(&s->stats.voices_peak, s->holding);
}

void rt_voice_note_on(ms_sampler_t *s, rt_slot_t *slot, uint32_t slot_index, const ms_cmd_note_t *cmd, uint64_t f) {
  rt_selection_t sel;
  slot->note_frame[cmd->key & 127u] = f;
  rt_select_note_on(s, slot, cmd->key, cmd->velocity, (uint8_t)(cmd->channel & 15u), &sel);
  const ms_controls_t *nc = rt_vctl_note_controls(s, cmd);
  start_selection(s, slot, slot_index, &sel, cmd, nc, f);
  if (cmd->controls) rt_vctl_note_done(s);
}

void rt_voice_cc_trigger(ms_sampler_t *s, rt_slot_t *slot, uint32_t slot_index, uint32_t cc, uint32_t value,
                         uint64_t f) {
  rt_selection_t sel;
  rt_select_cc(s, slot, cc, value, &sel);
  start_selection(s, slot, slot_index, &sel, NULL, NULL, f);
}

/* Release samples of a key, with its note-on's velocity. */
static void release_trigger(ms_sampler_t *s, uint32_t slot_index, uint8_t note, uint64_t f) {
  rt_slot_t *slot = &s->slots[slot_index];
  rt_selection_t sel;
  rt_select_release(s, slot, note, &sel);
  start_selection(s, slot, slot_index, &sel, NULL, NULL, f);
}

void rt_voice_note_off(ms_sampler_t *s, uint32_t slot_index, uint8_t note, uint64_t f) {
  bool pedal = s->slots[slot_index].sustain;
  if (pedal) rt_select_defer_release(&s->slots[slot_index], note);
  else release_trigger(s, slot_index, note, f);
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state != VOICE_PLAYING || v->detached || v->slot != slot_index || v->note != note ||
        v->released || v->sustained)
      continue;
    if (pedal) v->sustained = true;
    else voice_release(s, v, f);
  }
}

void rt_voice_release_sustained(ms_sampler_t *s, uint32_t slot_index, uint64_t f) {
  for (uint32_t k = 0; k < 128; k++)
    if (rt_select_release_pending(&s->slots[slot_index], (uint8_t)k)) release_trigger(s, slot_index, (uint8_t)k, f);
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state == VOICE_PLAYING && !v->detached && v->slot == slot_index && v->sustained)
      voice_release(s, v, f);
  }
}

void rt_voice_all_notes_off(ms_sampler_t *s, int32_t slot_index, uint64_t f) {
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state != VOICE_PLAYING || v->released) continue;
    if (slot_index >= 0 && (v->detached || v->slot != (uint32_t)slot_index)) continue;
    voice_release(s, v, f);
  }
}

void rt_voice_fade_all(ms_sampler_t *s, int32_t slot_index, uint64_t f, bool detach) {
  for (uint32_t a = 0; a < s->active_count; a++) {
    rt_voice_t *v = &s->voices[s->active[a]];
    if (v->state == VOICE_FREE) continue;
    if (slot_index >= 0 && (v->detached || v->slot != (uint32_t)slot_index)) continue;
    if (detach) {
      /* freeze the slot's contribution: the slot is about to be reused */
      float sg, sp;
      slot_at(&s->slots[v->slot], f ? f - 1 : 0, &sg, &sp);
      voice_interrupt(v, f);
      if (v->state == VOICE_PLAYING) {
        s->holding--;
        if (s->slots[v->slot].voices) s->slots[v->slot].voices--;
        v->state = VOICE_FADING;
      }
      v->note_gain *= sg;
      v->note_pan += sp;
      v->detached = true;
      float step = 1.0f / (float)s->fade_frames;
      if (v->fade_step < step) v->fade_step = step;
      if (v->amp.stage == RT_ENV_DONE) v->amp.stage = RT_ENV_RELEASE;
    } else {
      voice_start_fade(s, v, f);
    }
  }
}
