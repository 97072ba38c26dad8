/*
 * rt_vctl.c — per-note controls on the render thread: staging a note's run of
 * MS_CMD_CONTROLS records, the instrument-level values, and turning the merged
 * controls (zone < instrument < note) into a voice's playback window, speed,
 * envelopes, vibrato and effect chain; each control step's part for such a
 * voice (see rt_vctl.h).
 *
 * Thread: RT (rt_vctl_state_size/init on CT at sampler create). Never:
 * allocation, locks, I/O, libm: 2^x and sines come from rt_fx_common.h.
 */
#include "rt/rt_vctl.h"

#include <string.h>

#include "rt/rt_env.h"
#include "rt/rt_mod.h"
#include "rt/rt_orbit.h"

/* Each control's default (MS_CONTROLS), as the render thread reads it. */
#define DEFAULT_ROW(ID, name, def, lo, hi, unit, flags) (float)(def),
static const float CONTROL_DEFAULT[MS_CONTROL_COUNT] = {MS_CONTROLS(DEFAULT_ROW)};
#undef DEFAULT_ROW

size_t rt_vctl_state_size(uint32_t max_instruments, uint32_t voices) {
  return sizeof(rt_vctl_t) + sizeof(ms_controls_t) * max_instruments + sizeof(rt_vext_t) * voices + 64;
}

void rt_vctl_init(ms_sampler_t *s, void *mem) {
  unsigned char *p = mem;
  rt_vctl_t *c = (rt_vctl_t *)p;
  p += sizeof(rt_vctl_t);
  c->slot = (ms_controls_t *)p;
  p += sizeof(ms_controls_t) * s->cfg.max_instruments;
  p = (unsigned char *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
  c->voice = (rt_vext_t *)p;
  c->ctx.sample_rate = (float)s->cfg.sample_rate;
  c->ctx.inv_sample_rate = 1.0f / (float)s->cfg.sample_rate;
  c->ctx.tan_table = s->tan_table;
  c->ctx.sine = s->sine;
  s->vctl = c;
}

/* ------------------------------------------------------------ staging -- */

void rt_vctl_stage(ms_sampler_t *s, const ms_cmd_controls_t *c) {
  rt_vctl_t *vc = s->vctl;
  if (c->index == 0) {
    memset(vc->staged.present, 0, sizeof vc->staged.present);
    vc->staged_instrument = c->instrument;
    vc->staged_records = 0;
  } else if (c->instrument != vc->staged_instrument || c->index != vc->staged_records) {
    vc->staged_records = UINT32_MAX; /* a broken run (a record lost): its note plays without */
    return;
  }
  if (vc->staged_records == UINT32_MAX) return;
  for (uint32_t k = 0; k < MS_CMD_CONTROLS_PER_RECORD; k++)
    if (c->id[k] < MS_CONTROL_COUNT) ms_controls_set(&vc->staged, c->id[k], c->value[k]);
  vc->staged_records++;
}

const ms_controls_t *rt_vctl_note_controls(ms_sampler_t *s, const ms_cmd_note_t *note) {
  rt_vctl_t *vc = s->vctl;
  if (!note->controls) return NULL;
  if (vc->staged_instrument != note->instrument || vc->staged_records != note->controls) return NULL;
  return &vc->staged;
}

void rt_vctl_note_done(ms_sampler_t *s) { s->vctl->staged_records = UINT32_MAX; }

void rt_vctl_slot_param(ms_sampler_t *s, uint32_t slot_index, uint32_t param, float value) {
  ms_controls_t *c = &s->vctl->slot[slot_index];
  if (param >= MS_PARAM_CONTROL_CLEAR) {
    uint32_t id = param - MS_PARAM_CONTROL_CLEAR;
    if (id < MS_CONTROL_COUNT) c->present[id >> 5] &= ~(1u << (id & 31u));
  } else if (param - MS_PARAM_CONTROL < MS_CONTROL_COUNT) {
    ms_controls_set(c, param - MS_PARAM_CONTROL, value);
  }
}

void rt_vctl_slot_clear(ms_sampler_t *s, uint32_t slot_index) {
  memset(s->vctl->slot[slot_index].present, 0, sizeof s->vctl->slot[slot_index].present);
}

/* ------------------------------------------------------------ merging -- */

typedef struct {
  const ms_controls_t *src[3]; /* note, slot, zone: the first that has a control wins */
  uint32_t present[4];
} merged_t;

static inline bool has(const merged_t *m, uint32_t id) { return (m->present[id >> 5] >> (id & 31u)) & 1u; }

static inline float get(const merged_t *m, uint32_t id) {
  for (uint32_t k = 0; k < 3; k++)
    if (m->src[k] && ms_controls_has(m->src[k], id)) return m->src[k]->value[id];
  return CONTROL_DEFAULT[id];
}

static inline uint32_t frames_of(float seconds, float rate) {
  float f = seconds * rate + 0.5f;
  return f >= 4294967040.0f ? 4294967040u : (uint32_t)f;
}

/* superdough's ADSR: linear segments, release from wherever the level is. */
static void linear_env(rt_env_desc_t *d, float rate, float attack, float hold, float decay, float sustain,
                       float release, float floor) {
  memset(d, 0, sizeof *d);
  d->attack_frames = frames_of(attack, rate);
  d->hold_frames = frames_of(hold, rate);
  d->decay_frames = frames_of(decay, rate);
  d->sustain = sustain;
  d->release_frames = frames_of(release, rate);
  d->floor = floor;
  d->linear = true;
}

/* A filter's cutoff and envelope: present when its cutoff control is. */
static void filter_env(const merged_t *m, float rate, uint32_t env_id, uint32_t first_time_id, float *oct,
                       rt_env_desc_t *d, rt_env_t *e, uint32_t *vx) {
  *oct = has(m, env_id) ? get(m, env_id) : 0.0f;
  if (*oct == 0.0f) return;
  linear_env(d, rate, get(m, first_time_id), 0.0f, get(m, first_time_id + 1), get(m, first_time_id + 2),
             get(m, first_time_id + 3), 0.0f);
  rt_env_start(d, e);
  *vx |= RT_VX_FENV;
}

/* An oscillator zone's voice: its frequency (the key's, or `freq`) and
 * oscillator (rt_osc.h) from the merged controls. */
static uint32_t osc_start(ms_sampler_t *s, rt_voice_t *v, const rt_zone_t *z, rt_vext_t *x, const merged_t *m,
                          uint64_t f) {
  const float rate = (float)s->cfg.sample_rate;
  if (has(m, MS_CONTROL_FREQ)) {
    /* the frequency replaces the key's: keep the zone's and the note's tuning only */
    v->rate_ratio = (double)get(m, MS_CONTROL_FREQ) / (double)rate;
    v->cents -= ((float)v->note - (float)z->root_key) * z->keytrack;
  }
  rt_osc_params_t p;
  memset(&p, 0, sizeof p);
  p.source = z->source;
  /* the note's own generator: the sampler's seed, its frame, key and zone */
  const uint64_t zi = v->idata ? (uint64_t)(z - v->idata->zones) : 0;
  p.seed = rt_osc_mix(rt_osc_mix(rt_osc_mix((uint64_t)s->cfg.seed) ^ f) ^ ((uint64_t)v->note << 32 | zi));
  p.fmi = has(m, MS_CONTROL_FMI) ? get(m, MS_CONTROL_FMI) : 0.0f;
  p.fmh = get(m, MS_CONTROL_FMH);
  p.fm_wave = (uint32_t)get(m, MS_CONTROL_FMWAVE);
  p.fm_exp = get(m, MS_CONTROL_FMENV) >= 1.0f;
  p.fm_env = has(m, MS_CONTROL_FMATTACK) || has(m, MS_CONTROL_FMDECAY) || has(m, MS_CONTROL_FMSUSTAIN) ||
             has(m, MS_CONTROL_FMRELEASE);
  if (p.fm_env) {
    /* getADSRValues: sustain 1 with only an attack (or nothing), else 0.001 when absent; times >= 0.001 s */
    const bool a = has(m, MS_CONTROL_FMATTACK), d = has(m, MS_CONTROL_FMDECAY);
    float at = get(m, MS_CONTROL_FMATTACK), dt = get(m, MS_CONTROL_FMDECAY), rt = get(m, MS_CONTROL_FMRELEASE);
    p.fm_sustain = has(m, MS_CONTROL_FMSUSTAIN) ? get(m, MS_CONTROL_FMSUSTAIN) : ((a && !d) || (!a && !d)) ? 1.0f : 0.001f;
    if (!a) at = 0.0f;
    if (!d) dt = 0.0f;
    if (!has(m, MS_CONTROL_FMRELEASE)) rt = 0.0f;
    p.fm_attack_frames = (at < 0.001f ? 0.001f : at) * rate;
    p.fm_decay_frames = (dt < 0.001f ? 0.001f : dt) * rate;
    p.fm_release_frames = (rt < 0.01f ? 0.01f : rt) * rate;
  }
  p.unison = (uint32_t)get(m, MS_CONTROL_UNISON);
  p.detune = get(m, MS_CONTROL_DETUNE);
  p.spread = get(m, MS_CONTROL_SPREAD);
  rt_osc_start(&x->osc, &p, z->osc_tables);
  return RT_VX_OSC;
}

bool rt_vctl_voice_start(ms_sampler_t *s, rt_voice_t *v, const rt_zone_t *z, uint32_t slot_index,
                         const ms_controls_t *note, uint64_t f) {
  merged_t m;
  m.src[0] = note;
  m.src[1] = v->detached ? NULL : &s->vctl->slot[slot_index];
  m.src[2] = z->controls;
  bool any = false;
  for (uint32_t w = 0; w < 4; w++) {
    m.present[w] = 0;
    for (uint32_t k = 0; k < 3; k++)
      if (m.src[k]) m.present[w] |= m.src[k]->present[w];
    any |= m.present[w] != 0;
  }
  const bool osc = z->source != MS_SOURCE_SAMPLE;
  const bool wide = v->channels == 2 && !osc && (z->mod_flags & RT_MOD_WIDTH); /* width: SFZ width, width_onccN */
  if (!any && !osc && !wide && !(z->chorus_send > 0.0f)) return false;

  rt_vext_t *x = rt_vctl_of(s, v);
  const float rate = (float)s->cfg.sample_rate;
  uint32_t vx = 0;
  x->start_frame = f;

  /* gain */
  if (has(&m, MS_CONTROL_VELOCITY)) v->note_gain *= get(&m, MS_CONTROL_VELOCITY);

  if (osc) {
    vx |= osc_start(s, v, z, x, &m, f);
    goto pitch; /* no sample: no window, speed or direction */
  }

  /* playback window, speed, direction */
  const uint64_t len = v->length;
  float speed = get(&m, MS_CONTROL_SPEED);
  if (has(&m, MS_CONTROL_UNIT) && get(&m, MS_CONTROL_UNIT) == 1.0f) {
    /* unit "c": the sample lasts one cycle at speed 1 */
    double seconds = (double)len / (z->rate_ratio * (double)s->cfg.sample_rate);
    /* the note's cps, else the sampler's tempo (ms_set_cps_at), else superdough's 0.5 */
    const double fpc = s->orbits->frames_per_cycle;
    double cps = has(&m, MS_CONTROL_CPS) ? (double)get(&m, MS_CONTROL_CPS)
                 : fpc > 0.0              ? (double)s->cfg.sample_rate / fpc
                                          : 0.5;
    speed = (float)((double)speed * seconds * cps);
  }
  const bool reverse = speed < 0.0f;
  float aspeed = reverse ? -speed : speed;
  if (aspeed < 1.0f / 1024.0f) aspeed = 1.0f / 1024.0f;
  if (aspeed != 1.0f) v->rate_ratio *= (double)aspeed;
  const bool window = has(&m, MS_CONTROL_BEGIN) || has(&m, MS_CONTROL_END);
  const bool loop_set = has(&m, MS_CONTROL_LOOP); /* absent: the zone's own loop plays on (forward) */
  const bool loop = loop_set && get(&m, MS_CONTROL_LOOP) == 1.0f;
  if (window || reverse || loop_set) {
    uint64_t b = (uint64_t)((double)get(&m, MS_CONTROL_BEGIN) * (double)len);
    uint64_t e = (uint64_t)((double)get(&m, MS_CONTROL_END) * (double)len);
    if (e > len) e = len;
    if (b >= e) b = e ? e - 1 : 0;
    const uint64_t at = v->pos >> 32;
    uint64_t off = at > z->offset ? at - z->offset : 0; /* the note's own start offset */
    if (loop) {
      uint64_t ls = (uint64_t)((double)get(&m, MS_CONTROL_LOOP_BEGIN) * (double)len);
      uint64_t le = (uint64_t)((double)get(&m, MS_CONTROL_LOOP_END) * (double)len);
      if (le > len) le = len;
      if (ls >= le) ls = le ? le - 1 : 0;
      v->loop_mode = MS_LOOP_FORWARD;
      v->loop_start = (uint32_t)(reverse ? len - le : ls);
      v->loop_end = (uint32_t)(reverse ? len - ls : le);
      v->wrapped = reverse; /* reading down, taps below the loop start wrap from the first frame */
    } else if (loop_set || reverse) { /* loop 0, or reversed: no loop (a zone's loop reads forward) */
      /* a one-shot zone stays one-shot reversed: it plays to its end whatever the note-off */
      v->loop_mode = !loop_set && v->loop_mode == MS_LOOP_ONE_SHOT ? MS_LOOP_ONE_SHOT : MS_LOOP_NONE;
      v->loop_end = 0;
    }
    if (reverse) {
      /* superdough reverses the buffer, then applies begin/end to it: reversed
       * frame i is frame len-1-i */
      uint64_t top = len - 1 - b;
      top = top > off ? top - off : 0;
      x->lo = len - e;
      if (top < x->lo) top = x->lo;
      v->pos = top << 32;
      vx |= RT_VX_REVERSE;
    } else {
      uint64_t start = b + off;
      if (start >= e) start = e ? e - 1 : 0;
      v->pos = start << 32;
      v->length = e;
    }
  }

pitch:
  /* pitch: envelope, vibrato, accelerate */
  x->penv_cents = has(&m, MS_CONTROL_PENV) ? get(&m, MS_CONTROL_PENV) * 100.0f : 0.0f;
  if (x->penv_cents != 0.0f) {
    linear_env(&x->pitch_desc, rate, get(&m, MS_CONTROL_PATTACK), z->penv_hold_s, get(&m, MS_CONTROL_PDECAY),
               get(&m, MS_CONTROL_PSUSTAIN), get(&m, MS_CONTROL_PRELEASE), 0.0f);
    x->pitch_desc.delay_frames = frames_of(z->penv_delay_s, rate); /* the zone's delay and hold stages */
    rt_env_start(&x->pitch_desc, &x->pitch);
    x->panchor = get(&m, MS_CONTROL_PANCHOR);
    vx |= RT_VX_PITCH;
  }
  x->vib_hz = has(&m, MS_CONTROL_VIB) ? get(&m, MS_CONTROL_VIB) : 0.0f;
  x->vib_cents = get(&m, MS_CONTROL_VIBMOD) * 100.0f;
  if (x->vib_hz > 0.0f && x->vib_cents != 0.0f) vx |= RT_VX_PITCH;
  else x->vib_hz = 0.0f;
  x->accel_slope = 0.0f;
  if (has(&m, MS_CONTROL_ACCELERATE) && get(&m, MS_CONTROL_ACCELERATE) != 0.0f) {
    float dur = get(&m, MS_CONTROL_DURATION);
    if (!(dur > 0.0f)) dur = 1.0f;
    x->accel_frames = dur * rate;
    x->accel_slope = get(&m, MS_CONTROL_ACCELERATE) / x->accel_frames;
    vx |= RT_VX_PITCH;
  }

  /* amplitude envelope: any of its controls replaces the zone's */
  if (has(&m, MS_CONTROL_ATTACK) || has(&m, MS_CONTROL_DECAY) || has(&m, MS_CONTROL_SUSTAIN) ||
      has(&m, MS_CONTROL_RELEASE) || has(&m, MS_CONTROL_HOLD)) {
    /* superdough's getADSRValues: an absent sustain is 0 when a decay is given, else 1 */
    float sus = has(&m, MS_CONTROL_SUSTAIN) ? get(&m, MS_CONTROL_SUSTAIN) : has(&m, MS_CONTROL_DECAY) ? 0.0f : 1.0f;
    linear_env(&x->amp_desc, rate, get(&m, MS_CONTROL_ATTACK), get(&m, MS_CONTROL_HOLD), get(&m, MS_CONTROL_DECAY),
               sus, get(&m, MS_CONTROL_RELEASE), 2e-4f);
    rt_env_start(&x->amp_desc, &v->amp);
    vx |= RT_VX_AMP;
  }

  /* effect chain */
  rt_fx_note_params_t p;
  rt_fx_note_params_default(&p);
  uint32_t fl = 0;
  if (has(&m, MS_CONTROL_CUTOFF)) {
    fl |= RT_FX_LPF;
    x->lp_hz = get(&m, MS_CONTROL_CUTOFF);
    p.lp_hz = x->lp_hz;
    p.lp_q = rt_fx_resonance_q(get(&m, MS_CONTROL_RESONANCE));
    filter_env(&m, rate, MS_CONTROL_LPENV, MS_CONTROL_LPATTACK, &x->lp_oct, &x->lp_desc, &x->lp, &vx);
  }
  if (has(&m, MS_CONTROL_HCUTOFF)) {
    fl |= RT_FX_HPF;
    x->hp_hz = get(&m, MS_CONTROL_HCUTOFF);
    p.hp_hz = x->hp_hz;
    p.hp_q = rt_fx_resonance_q(get(&m, MS_CONTROL_HRESONANCE));
    filter_env(&m, rate, MS_CONTROL_HPENV, MS_CONTROL_HPATTACK, &x->hp_oct, &x->hp_desc, &x->hp, &vx);
  }
  if (has(&m, MS_CONTROL_BANDF)) {
    fl |= RT_FX_BPF;
    x->bp_hz = get(&m, MS_CONTROL_BANDF);
    p.bp_hz = x->bp_hz;
    p.bp_q = rt_fx_bandq_q(get(&m, MS_CONTROL_BANDQ));
    filter_env(&m, rate, MS_CONTROL_BPENV, MS_CONTROL_BPATTACK, &x->bp_oct, &x->bp_desc, &x->bp, &vx);
  }
  x->fanchor = get(&m, MS_CONTROL_FANCHOR);
  p.filter_stages = get(&m, MS_CONTROL_FTYPE) >= 1.0f ? 2u : 1u; /* ladder plays as 24db */
  if (has(&m, MS_CONTROL_DJF)) {
    fl |= RT_FX_DJF;
    p.djf = get(&m, MS_CONTROL_DJF);
  }
  if (has(&m, MS_CONTROL_VOWEL)) {
    fl |= RT_FX_VOWEL;
    p.vowel = (uint32_t)get(&m, MS_CONTROL_VOWEL);
  }
  if (has(&m, MS_CONTROL_COARSE)) {
    fl |= RT_FX_COARSE;
    p.coarse = get(&m, MS_CONTROL_COARSE);
  }
  if (has(&m, MS_CONTROL_CRUSH)) {
    fl |= RT_FX_CRUSH;
    p.crush = get(&m, MS_CONTROL_CRUSH);
  }
  if (has(&m, MS_CONTROL_SHAPE) && get(&m, MS_CONTROL_SHAPE) > 0.0f) {
    fl |= RT_FX_SHAPE;
    p.shape = get(&m, MS_CONTROL_SHAPE);
    p.shapevol = get(&m, MS_CONTROL_SHAPEVOL);
  }
  if (has(&m, MS_CONTROL_DISTORT) && get(&m, MS_CONTROL_DISTORT) > 0.0f) {
    fl |= RT_FX_DISTORT;
    p.distort = get(&m, MS_CONTROL_DISTORT);
    p.distortvol = get(&m, MS_CONTROL_DISTORTVOL);
  }
  if (has(&m, MS_CONTROL_TREMOLO) || has(&m, MS_CONTROL_TREMOLODEPTH)) {
    fl |= RT_FX_TREMOLO;
    p.tremolo_hz = get(&m, MS_CONTROL_TREMOLO);
    p.tremolo_depth = get(&m, MS_CONTROL_TREMOLODEPTH);
    p.tremolo_shape = (uint32_t)get(&m, MS_CONTROL_TREMOLOSHAPE);
  }
  if (has(&m, MS_CONTROL_PHASERRATE)) {
    fl |= RT_FX_PHASER;
    p.phaser_hz = get(&m, MS_CONTROL_PHASERRATE);
    p.phaser_depth = get(&m, MS_CONTROL_PHASERDEPTH);
    p.phaser_center_hz = get(&m, MS_CONTROL_PHASERCENTER);
    p.phaser_sweep_cents = get(&m, MS_CONTROL_PHASERSWEEP);
  }
  if (has(&m, MS_CONTROL_RING) && get(&m, MS_CONTROL_RING) > 0.0f) {
    fl |= RT_FX_RING;
    p.ring = get(&m, MS_CONTROL_RING);
    p.ring_hz = get(&m, MS_CONTROL_RINGF);
  }
  if (has(&m, MS_CONTROL_POSTGAIN) && get(&m, MS_CONTROL_POSTGAIN) != 1.0f) {
    fl |= RT_FX_POSTGAIN;
    p.postgain = get(&m, MS_CONTROL_POSTGAIN);
  }
  if (fl) {
    p.flags = fl;
    rt_fx_note_start(&x->fx, &s->vctl->ctx, &p, v->channels, f);
    if (x->fx.flags) vx |= RT_VX_FX;
  } else {
    x->fx.flags = 0;
  }
  if (!(vx & RT_VX_FX)) vx &= ~RT_VX_FENV;

  /* orbit and its levels */
  x->orbit = (uint32_t)get(&m, MS_CONTROL_ORBIT);
  if (x->orbit >= s->orbits->count) x->orbit = s->orbits->count ? s->orbits->count - 1 : 0; /* checked on CT */
  v->orbit = (uint8_t)x->orbit;
  x->levels.dry = 1.0f;
  x->levels.delay = get(&m, MS_CONTROL_DELAY);
  x->levels.room = get(&m, MS_CONTROL_ROOM);
  x->levels.chorus = z->chorus_send;
  if (x->levels.chorus > 0.0f) {
    /* The chorus takes (left + right) x 0.7071 of what it is sent; FluidSynth's
     * hears the voice before its pan: scale the send so a voice panned anywhere
     * (at note-on) reaches it at its own level, a centred stereo sample (unity
     * on each side) at L + R, as FluidSynth's two voices of a stereo pair. */
    float pl = 0.5f, pr = 0.5f;
    if (v->channels != 2) rt_pan_gains(s, v->note_pan, &pl, &pr);
    x->levels.chorus *= 1.41421356f / (pl + pr);
    vx |= RT_VX_SENDS;
  }
  if (x->levels.delay > 0.0f || x->levels.room > 0.0f) {
    vx |= RT_VX_SENDS;
    /* the note's orbit parameters, for the effects it sends to */
    rt_orbit_params_t op;
    rt_orbit_params_defaults(&op);
    op.set = (x->levels.delay > 0.0f ? RT_ORBIT_SET_DELAY : 0u) | (x->levels.room > 0.0f ? RT_ORBIT_SET_REVERB : 0u);
    if (has(&m, MS_CONTROL_DELAYSYNC) && get(&m, MS_CONTROL_DELAYSYNC) > 0.0f) {
      op.delay.time = get(&m, MS_CONTROL_DELAYSYNC); /* cycles */
      op.delay.sync = 1;
    } else {
      op.delay.time = get(&m, MS_CONTROL_DELAYTIME);
      op.delay.sync = get(&m, MS_CONTROL_LOCK) == 1.0f; /* lock: delaytime in cycles */
    }
    op.delay.feedback = get(&m, MS_CONTROL_DELAYFEEDBACK);
    if (has(&m, MS_CONTROL_CPS)) op.delay.frames_per_cycle = (double)rate / (double)get(&m, MS_CONTROL_CPS);
    op.reverb.size_s = get(&m, MS_CONTROL_ROOMSIZE);
    op.reverb.fade_s = get(&m, MS_CONTROL_ROOMFADE);
    op.reverb.lp_hz = get(&m, MS_CONTROL_ROOMLP);
    op.reverb.dim_hz = get(&m, MS_CONTROL_ROOMDIM);
    op.reverb.dry = get(&m, MS_CONTROL_DRY);
    rt_orbit_note(s, x->orbit, &op);
  }

  if (wide) {
    rt_mod_width_gains(v->detached ? z->width : rt_mod_width(v, &s->slots[slot_index]), &x->w_same1, &x->w_cross1);
    x->w_same0 = x->w_same1, x->w_cross0 = x->w_cross1, x->w_inv_frames = 0.0f, x->w_frames = 0;
    vx |= RT_VX_WIDTH;
  }

  x->flags = vx;
  return vx != 0;
}

void rt_vctl_width(const rt_vext_t *x, float *dl, float *dr, uint32_t n, float t0) {
  const float ds = (x->w_same1 - x->w_same0) * x->w_inv_frames, dc = (x->w_cross1 - x->w_cross0) * x->w_inv_frames;
  for (uint32_t i = 0; i < n; i++) {
    const float t = t0 + (float)(i + 1), same = x->w_same0 + ds * t, cross = x->w_cross0 + dc * t;
    const float l = dl[i], r = dr[i];
    dl[i] = l * same + r * cross;
    dr[i] = l * cross + r * same;
  }
}

/* ------------------------------------------------------- control step -- */

static float env_cutoff(const rt_vext_t *x, const rt_env_desc_t *d, rt_env_t *e, float hz, float oct, uint32_t m) {
  if (oct == 0.0f) return hz;
  rt_env_settle(d, e);
  rt_env_step(d, e, m);
  /* superdough createFilter: from 2^(-env fanchor) cutoff to 2^(env (1 - fanchor)) cutoff */
  return hz * rt_fx_exp2f(oct * (e->level - x->fanchor));
}

float rt_vctl_control(ms_sampler_t *s, rt_voice_t *v, uint64_t f, uint32_t m, float *cents) {
  rt_vext_t *x = rt_vctl_of(s, v);
  float mult = 1.0f;
  if (x->flags & RT_VX_PITCH) {
    if (x->penv_cents != 0.0f) {
      rt_env_settle(&x->pitch_desc, &x->pitch);
      rt_env_step(&x->pitch_desc, &x->pitch, m);
      *cents += x->penv_cents * (x->pitch.level - x->panchor);
    }
    const uint64_t t = f - x->start_frame;
    if (x->vib_hz > 0.0f) {
      double ph = (double)t * (double)x->vib_hz * (double)s->vctl->ctx.inv_sample_rate;
      ph -= (double)(uint64_t)ph;
      *cents += x->vib_cents * rt_fx_sin(&s->vctl->ctx, (float)ph);
    }
    if (x->accel_slope != 0.0f) {
      float el = (float)(t + m);
      if (el > x->accel_frames) el = x->accel_frames;
      mult = 1.0f + x->accel_slope * el;
      if (mult < 1.0f / 1024.0f) mult = 1.0f / 1024.0f;
    }
  }
  if (x->flags & RT_VX_FX) {
    float lp = x->lp_hz, hp = x->hp_hz, bp = x->bp_hz;
    if (x->flags & RT_VX_FENV) {
      if (x->fx.flags & RT_FX_LPF) lp = env_cutoff(x, &x->lp_desc, &x->lp, lp, x->lp_oct, m);
      if (x->fx.flags & RT_FX_HPF) hp = env_cutoff(x, &x->hp_desc, &x->hp, hp, x->hp_oct, m);
      if (x->fx.flags & RT_FX_BPF) bp = env_cutoff(x, &x->bp_desc, &x->bp, bp, x->bp_oct, m);
    }
    rt_fx_note_control(&x->fx, &s->vctl->ctx, lp, hp, bp, m);
  }
  if (x->flags & RT_VX_OSC) rt_osc_control(&x->osc, m);
  if (x->flags & RT_VX_WIDTH) { /* from where the last ramp ended (an event may cut it) to the width now */
    const uint64_t done = f - v->ramp_start; /* v->ramp_* still hold the last ramp's */
    if (done < x->w_frames) {
      const float w = (float)done * x->w_inv_frames;
      x->w_same0 += (x->w_same1 - x->w_same0) * w;
      x->w_cross0 += (x->w_cross1 - x->w_cross0) * w;
    } else {
      x->w_same0 = x->w_same1, x->w_cross0 = x->w_cross1;
    }
    if (!v->detached) rt_mod_width_gains(rt_mod_width(v, &s->slots[v->slot]), &x->w_same1, &x->w_cross1);
    x->w_inv_frames = 1.0f / (float)m;
    x->w_frames = m;
  }
  return mult;
}

void rt_vctl_release(ms_sampler_t *s, rt_voice_t *v) {
  rt_vext_t *x = rt_vctl_of(s, v);
  if (x->flags & RT_VX_OSC) rt_osc_release(&x->osc);
  if (x->penv_cents != 0.0f && (x->flags & RT_VX_PITCH)) rt_env_release(&x->pitch_desc, &x->pitch);
  if (x->flags & RT_VX_FENV) {
    if (x->lp_oct != 0.0f) rt_env_release(&x->lp_desc, &x->lp);
    if (x->hp_oct != 0.0f) rt_env_release(&x->hp_desc, &x->hp);
    if (x->bp_oct != 0.0f) rt_env_release(&x->bp_desc, &x->bp);
  }
}
