/*
 * rt_mod.c — zone modulation rows on the render thread (see rt_mod.h): CC
 * conditions and triggers for zone selection, and the gain, pan, pitch and
 * cutoff the rows give a voice at note-on and at each control step.
 *
 * Thread: RT only. Must never allocate, lock, log or do I/O. Single-precision
 * libm only (expf, sqrtf).
 */
#include <math.h>

#include "rt/rt_env.h"
#include "rt/rt_mod.h"


/* A depth target's curve of a source value (x: 0..1 for CCs, velocity and key; bipolar sources as they are). */
static inline float curve_of(uint32_t curve, float x, const rt_instrument_data_t *d) {
  if (curve >= MS_CURVE_FIRST_CUSTOM) { /* the instrument's curve: linear between its 128 values */
    const uint32_t k = curve - MS_CURVE_FIRST_CUSTOM;
    if (!d || k >= d->curve_count) return x;
    const float *c = d->curves + (size_t)k * 128u;
    float p = x * 127.0f;
    p = p < 0.0f ? 0.0f : p > 127.0f ? 127.0f : p;
    const uint32_t i = (uint32_t)p;
    return i >= 127u ? c[127] : c[i] + (c[i + 1] - c[i]) * (p - (float)i);
  }
  switch (curve) {
    case MS_CURVE_BIPOLAR: return 2.0f * x - 1.0f;
    case MS_CURVE_INVERTED: return 1.0f - x;
    case MS_CURVE_INVERTED_BIPOLAR: return 1.0f - 2.0f * x;
    case MS_CURVE_SQUARE: return x * x;
    case MS_CURVE_SQRT: return x > 0.0f ? sqrtf(x) : 0.0f;
    case MS_CURVE_UPPER: return x > 0.0f ? x : 0.0f;
    case MS_CURVE_LOWER: return x < 0.0f ? -x : 0.0f;
    default: return x;
  }
}

/* A crossfade's gain at source value v (raw unit): XFIN rises over lo..hi, XFOUT falls. */
static inline float xfade(const ms_zone_mod_t *m, float v) {
  float t;
  if (m->target == MS_MOD_XFIN) {
    if (v <= m->lo) t = v < m->lo || m->hi > m->lo ? 0.0f : 1.0f;
    else t = v >= m->hi ? 1.0f : (v - m->lo) / (m->hi - m->lo);
  } else {
    if (v >= m->hi) t = v > m->hi || m->hi > m->lo ? 0.0f : 1.0f;
    else t = v <= m->lo ? 1.0f : (m->hi - v) / (m->hi - m->lo);
  }
  return m->curve == MS_XF_GAIN ? t : sqrtf(t);
}

bool rt_mod_ranges_hold(const rt_zone_t *z, const rt_slot_t *slot) {
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target != MS_MOD_RANGE) continue;
    const float v = rt_mod_cc(slot, m->source & 127u);
    if (v < m->lo || v > m->hi) return false;
  }
  return true;
}

bool rt_mod_cc_triggers(const rt_zone_t *z, const rt_slot_t *slot, uint32_t cc, float value) {
  bool hit = false;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target == MS_MOD_TRIGGER && m->source == cc && value >= m->lo && value <= m->hi) hit = true;
  }
  return hit && rt_mod_ranges_hold(z, slot);
}

/* Apply one depth or crossfade row at source value v (raw) to the sums. */
static inline void apply_row(const ms_zone_mod_t *m, const rt_instrument_data_t *d, float v, float x, float *gain,
                             float *db, float *pan,
                             float *cents, float *cutoff) {
  switch (m->target) {
    case MS_MOD_XFIN:
    case MS_MOD_XFOUT: *gain *= xfade(m, v); break;
    case MS_MOD_AMPLITUDE: {
      /* an LFO scales the gain around 1 (sfizz's lfoN_amplitude, percent / 100); other sources multiply */
      const float a = m->source == MS_MOD_SRC_LFO ? 1.0f + m->depth * curve_of(m->curve, x, d)
                                                  : m->depth * curve_of(m->curve, x, d);
      *gain *= a > 0.0f ? a : 0.0f;
      break;
    }
    case MS_MOD_VOLUME_DB: *db += m->depth * curve_of(m->curve, x, d); break;
    case MS_MOD_PAN: *pan += m->depth * curve_of(m->curve, x, d); break;
    case MS_MOD_PITCH_CENTS: *cents += m->depth * curve_of(m->curve, x, d); break;
    case MS_MOD_CUTOFF_CENTS: *cutoff += m->depth * curve_of(m->curve, x, d); break;
    default: break;
  }
}

static inline bool live_source(uint32_t source) {
  return source < 128u || source == MS_MOD_SRC_BEND || source == MS_MOD_SRC_LFO;
}

/* An LFO wave at phase p (0..1): -1..1. */
static float lfo_wave(uint8_t wave, float p) {
  switch (wave) {
    case MS_LFO_TRIANGLE: return p < 0.25f ? 4.0f * p : p < 0.75f ? 2.0f - 4.0f * p : 4.0f * p - 4.0f;
    case MS_LFO_PULSE75: return p < 0.75f ? 1.0f : -1.0f;
    case MS_LFO_SQUARE: return p < 0.5f ? 1.0f : -1.0f;
    case MS_LFO_PULSE25: return p < 0.25f ? 1.0f : -1.0f;
    case MS_LFO_PULSE12: return p < 0.125f ? 1.0f : -1.0f;
    case MS_LFO_SAW_UP: return 2.0f * p - 1.0f;
    case MS_LFO_SAW_DOWN: return 1.0f - 2.0f * p;
    default: return sinf(6.28318531f * p);
  }
}

/* The fade-in of a row's LFO t seconds after its delay (t >= 0). */
static inline float lfo_fade(const ms_zone_mod_t *m, double t) {
  return m->lfo_fade_s > 0.0f && t < (double)m->lfo_fade_s ? (float)(t / (double)m->lfo_fade_s) : 1.0f;
}

/* A row's LFO at `seconds` after the voice's start: -1..1, 0 during its delay, faded in after. */
static float lfo_value(const ms_zone_mod_t *m, double seconds) {
  double t = seconds - (double)m->lfo_delay_s;
  if (t < 0.0) return 0.0f;
  double ph = (double)m->lfo_hz * t;
  ph -= (double)(int64_t)ph;
  return lfo_wave(m->lfo_wave, (float)ph) * lfo_fade(m, t);
}

/* Hz the zone's LFO_HZ rows for LFO `index` add at the slot's controllers now. */
static float lfo_hz_added(const rt_zone_t *z, const rt_instrument_data_t *d, const rt_slot_t *slot, uint8_t index,
                          bool *any) {
  float hz = 0.0f;
  *any = false;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target != MS_MOD_LFO_HZ || m->lfo_index != index) continue;
    *any = true;
    const float x = m->source == MS_MOD_SRC_BEND ? slot->bend : rt_mod_cc(slot, m->source) * (1.0f / 127.0f);
    hz += m->depth * curve_of(m->curve, x, d);
  }
  return hz;
}

/*
 * An LFO row whose rate LFO_HZ rows move, at frame f: its phase (st[0]) moves
 * on by the rate it had since the last read (st[1]), from the end of its
 * delay, and the rate is read anew; a rate change so never jumps the phase.
 * last is the frame of the last read, f0 the voice's first.
 */
static float lfo_accumulated(const ms_zone_mod_t *m, const rt_voice_t *v, const rt_slot_t *slot, double *st,
                             uint64_t last, uint64_t f, uint64_t f0, double rate) {
  const double delay = (double)m->lfo_delay_s * rate;
  double a = (double)(last - f0) - delay, b = (double)(f - f0) - delay;
  a = a < 0.0 ? 0.0 : a;
  b = b < 0.0 ? 0.0 : b;
  double ph = st[0] + st[1] * (b - a) / rate;
  ph -= (double)(int64_t)ph;
  st[0] = ph;
  bool any;
  float hz = m->lfo_hz + lfo_hz_added(v->zone, v->idata, slot, m->lfo_index, &any);
  st[1] = hz < 0.0f ? 0.0 : hz > 100.0f ? 100.0 : (double)hz;
  if ((double)(f - f0) < delay) return 0.0f;
  return lfo_wave(m->lfo_wave, (float)ph) * lfo_fade(m, b / rate);
}

static inline float db_gain(float db) { return db <= -144.0f ? 0.0f : expf(db * 0.11512925465f); }

static void env_follow(const ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot);

void rt_mod_voice_live(const ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint64_t f, float *gain,
                       float *pan, float *cents, float *cutoff_cents) {
  const rt_zone_t *z = v->zone;
  if (MS_UNLIKELY(z->mod_flags & RT_MOD_ENV_LIVE) && v->own_env) env_follow(s, v, slot);
  const rt_instrument_data_t *d = v->idata;
  float g = 1.0f, db = 0.0f, p = 0.0f, c = 0.0f, fc = 0.0f;
  /* LFO rows with a moving rate: their phases and rates in the version's state for this voice */
  double *st = d->lfo_state ? d->lfo_state + (size_t)(v - s->voices) * d->lfo_stride : NULL;
  const uint64_t last = st ? (uint64_t)st[0] : 0;
  uint32_t k = 0;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (!live_source(m->source) || m->target == MS_MOD_LFO_HZ || m->target == MS_MOD_WIDTH) continue;
    float raw, x;
    if (m->source == MS_MOD_SRC_BEND) {
      raw = x = slot->bend;
    } else if (m->source == MS_MOD_SRC_LFO) {
      bool moving = false;
      if (st && m->lfo_index) lfo_hz_added(z, d, slot, m->lfo_index, &moving);
      if (moving) {
        raw = x = lfo_accumulated(m, v, slot, st + 1 + 2 * k++, last, f, v->mod_start, (double)s->cfg.sample_rate);
      } else {
        const uint64_t age = f > v->mod_start ? f - v->mod_start : 0;
        raw = x = lfo_value(m, (double)age / (double)s->cfg.sample_rate);
      }
      if (m->lfo_depth_cc) raw = x *= rt_mod_cc(slot, m->lfo_depth_cc - 1u) * (1.0f / 127.0f);
    } else {
      raw = rt_mod_cc(slot, m->source);
      x = raw * (1.0f / 127.0f);
    }
    apply_row(m, d, raw, x, &g, &db, &p, &c, &fc);
  }
  if (st) st[0] = (double)f;
  *gain = g * (db != 0.0f ? db_gain(db) : 1.0f);
  *pan = p;
  *cents = c;
  *cutoff_cents = fc;
}

/* An amplitude envelope from its times on RT, in single precision: as
 * ctl_env_describe (a -60 dB decay and release, ending at -74 dB). */
static void env_describe(rt_env_desc_t *d, const float t[6], float rate) {
  d->delay_frames = (uint32_t)lrintf(t[0] * rate);
  d->attack_frames = (uint32_t)lrintf(t[1] * rate);
  d->hold_frames = (uint32_t)lrintf(t[2] * rate);
  d->decay_coef = t[3] > 0.0f ? expf(-6.90775528f / (t[3] * rate)) : 0.0f;
  d->sustain = t[4];
  const float rel = t[5] < 0.002f ? 0.002f : t[5];
  d->release_coef = expf(-6.90775528f / (rel * rate));
  d->settle = 1e-4f;
  d->floor = 2e-4f;
  d->decay_frames = d->release_frames = 0;
  d->linear = false;
}

/* A row's source value for the envelope rows: x = 0..1 for CCs, velocity
 * and key, the bend and random sources as they are. */
static float env_source(ms_sampler_t *s, const ms_zone_mod_t *m, const rt_slot_t *slot, uint8_t key, uint8_t vel) {
  float x;
  if (m->source < 128u) x = rt_mod_cc(slot, m->source) * (1.0f / 127.0f);
  else if (m->source == MS_MOD_SRC_VELOCITY) x = (float)vel * (1.0f / 127.0f);
  else if (m->source == MS_MOD_SRC_KEY) x = (float)key * (1.0f / 127.0f);
  else if (m->source == MS_MOD_SRC_BEND) x = slot->bend;
  else x = (float)(rt_rng_next(s) >> 8) * 0x1p-24f; /* random sources (never re-read: RT_MOD_ENV_LIVE) */
  if (m->source == MS_MOD_SRC_RANDOM_BIPOLAR) x = 2.0f * x - 1.0f;
  return x;
}

/* The envelope's times from the zone's and its rows (t: delay, attack, hold,
 * decay, sustain, release), kept >= 0 and the sustain <= 1; true when a row
 * set one. s is NULL when re-read (RT_MOD_ENV_LIVE: no random rows). */
static bool env_times(ms_sampler_t *s, const rt_voice_t *v, const rt_slot_t *slot, uint8_t key, uint8_t vel,
                      float t[6]) {
  const rt_zone_t *z = v->zone;
  for (int k = 0; k < 6; k++) t[k] = z->amp_times[k];
  bool env = false;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target < MS_MOD_AMPEG_DELAY_S || m->target > MS_MOD_AMPEG_RELEASE_S) continue;
    env = true;
    t[m->target - MS_MOD_AMPEG_DELAY_S] += m->depth * curve_of(m->curve, env_source(s, m, slot, key, vel), v->idata);
  }
  for (int k = 0; k < 6; k++) t[k] = t[k] < 0.0f ? 0.0f : t[k];
  if (t[4] > 1.0f) t[4] = 1.0f;
  return env;
}

/* The envelope rows (read at note-on, whatever their source) into the voice's
 * own envelope, and the offset rows into its start. */
static void voice_env(ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint8_t key, uint8_t vel) {
  const rt_zone_t *z = v->zone;
  float offset = 0.0f;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target == MS_MOD_OFFSET_FRAMES) offset += m->depth * curve_of(m->curve, env_source(s, m, slot, key, vel), v->idata);
  }
  if (offset >= 1.0f) { /* the start moves later, within the sample */
    const uint64_t at = (v->pos >> 32) + (uint64_t)offset, last = v->length ? v->length - 1 : 0;
    v->pos = (at < last ? at : last) << 32;
  }
  float t[6];
  if (!env_times(s, v, slot, key, vel, t)) return;
  env_describe(&v->amp_own, t, (float)s->cfg.sample_rate);
  v->own_env = true;
  rt_env_start(&v->amp_own, &v->amp);
}

/* ampeg_dynamic: the voice's own envelope from its rows now. A timed stage
 * under way keeps its length (its ramp would jump otherwise); the later ones,
 * decay, sustain and release take the new values. */
static void env_follow(const ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot) {
  float t[6];
  env_times(NULL, v, slot, v->note, v->velocity, t);
  rt_env_desc_t n;
  env_describe(&n, t, (float)s->cfg.sample_rate);
  rt_env_desc_t *d = &v->amp_own;
  const uint8_t stage = v->amp.stage;
  if (stage < RT_ENV_ATTACK) d->attack_frames = n.attack_frames;
  if (stage < RT_ENV_HOLD) d->hold_frames = n.hold_frames;
  d->decay_coef = n.decay_coef;
  d->sustain = n.sustain;
  d->release_coef = n.release_coef;
}

void rt_mod_voice_start(ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint8_t key, uint8_t vel,
                        uint64_t f) {
  const rt_zone_t *z = v->zone;
  const rt_instrument_data_t *d = v->idata;
  if (z->mod_flags & RT_MOD_ENV) voice_env(s, v, slot, key, vel);
  if (z->mod_flags & RT_MOD_NOTE) {
    float g = 1.0f, db = 0.0f, p = 0.0f, c = 0.0f, fc = 0.0f;
    for (uint32_t i = 0; i < z->mod_count; i++) {
      const ms_zone_mod_t *m = &z->mods[i];
      if (m->target >= MS_MOD_AMPEG_DELAY_S) continue; /* voice_env; width: rt_mod_width */
      float raw, x;
      switch (m->source) {
        case MS_MOD_SRC_VELOCITY: raw = vel, x = raw * (1.0f / 127.0f); break;
        case MS_MOD_SRC_KEY: raw = key, x = raw * (1.0f / 127.0f); break;
        case MS_MOD_SRC_RANDOM: raw = x = (float)(rt_rng_next(s) >> 8) * 0x1p-24f; break;
        case MS_MOD_SRC_RANDOM_BIPOLAR: raw = x = (float)(rt_rng_next(s) >> 8) * 0x1p-23f - 1.0f; break;
        case MS_MOD_SRC_HELD_SECONDS: {
          const uint64_t on = slot->note_frame[key & 127u];
          raw = x = f > on ? (float)(f - on) / (float)s->cfg.sample_rate : 0.0f;
          break;
        }
        default: continue;
      }
      apply_row(m, d, raw, x, &g, &db, &p, &c, &fc);
    }
    v->note_gain *= g * (db != 0.0f ? db_gain(db) : 1.0f);
    v->note_pan += p;
    v->cents += c;
    v->fil_base_cents += fc;
  }
  v->mod_gain = 1.0f;
  v->mod_start = f;
  if (d && d->lfo_state) { /* LFO rows with a moving rate start at phase 0 */
    double *st = d->lfo_state + (size_t)(v - s->voices) * d->lfo_stride;
    st[0] = (double)f;
    for (uint32_t i = 1; i < d->lfo_stride; i++) st[i] = 0.0;
  }
  if (z->mod_flags & RT_MOD_LIVE)
    rt_mod_voice_live(s, v, slot, f, &v->mod_gain, &v->mod_pan, &v->mod_cents, &v->mod_cutoff_cents);
}

float rt_mod_width(const rt_voice_t *v, const rt_slot_t *slot) {
  const rt_zone_t *z = v->zone;
  float w = z->width;
  for (uint32_t i = 0; i < z->mod_count; i++) {
    const ms_zone_mod_t *m = &z->mods[i];
    if (m->target != MS_MOD_WIDTH) continue;
    float x;
    if (m->source < 128u) x = rt_mod_cc(slot, m->source) * (1.0f / 127.0f);
    else if (m->source == MS_MOD_SRC_BEND) x = slot->bend;
    else if (m->source == MS_MOD_SRC_VELOCITY) x = (float)v->velocity * (1.0f / 127.0f);
    else if (m->source == MS_MOD_SRC_KEY) x = (float)v->note * (1.0f / 127.0f);
    else continue; /* random, held and LFO sources do not move the width */
    w += m->depth * curve_of(m->curve, x, v->idata);
  }
  return w < -1.0f ? -1.0f : w > 1.0f ? 1.0f : w;
}

void rt_mod_width_gains(float w, float *same, float *cross) {
  const float p = (w + 1.0f) * 0.5f;
  *same = sinf(1.57079633f * p);
  *cross = sinf(1.57079633f * (1.0f - p));
}
