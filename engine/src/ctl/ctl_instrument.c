/*
 * ctl_instrument.c — turning an instrument's zone list into an immutable
 * version the render thread can play, publishing it through the ring, and
 * freeing versions the render thread hands back.
 *
 * Thread: CT only. A version is built completely (every coefficient and
 * table precomputed here, where pow/exp are allowed) before RT sees it, and
 * never changes afterwards except its RT-owned counters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_fields.h"
#include "rt/rt_mod.h"
#include "shared/engine.h"

static float db_to_gain(float db) { return db <= -144.0f ? 0.0f : (float)pow(10.0, db / 20.0); }

int32_t ctl_check_zone(ms_instrument_t *inst, const struct ms_sample *smp, const ms_zone_t *z) {
  ms_sampler_t *s = inst->sampler;
  const char *n = inst->name;
#define ZFAIL(code, ...) return ctl_fail(s, code, __VA_ARGS__)
  if (!z) ZFAIL(MS_ERR_INVALID_ARGUMENT, "Cannot add zone to instrument \"%s\": zone is NULL", n);
  const bool osc = z->source != MS_SOURCE_SAMPLE; /* an oscillator: no sample, none of its limits */
  if (!smp && !osc)
    ZFAIL(MS_ERR_NO_SAMPLE, "Cannot add zone to instrument \"%s\": the zone has no sample: load one with ms_sample_load first", n);
  if (!osc && smp->owner != s)
    ZFAIL(MS_ERR_WRONG_SAMPLER,
          "Cannot add zone to instrument \"%s\": sample \"%s\" belongs to another sampler: load it into this one", n,
          smp->path[0] ? smp->path : "(memory)");
  char head[MS_NAME_MAX + 40];
  snprintf(head, sizeof head, "Cannot add zone to instrument \"%s\"", n);
  int32_t rc = ctl_fields_check(s, MS_FIELDS_ZONE, z, head);
  if (rc != MS_OK) return rc;
  /* pairs: each end is in range (above), so only their order is left */
  if (z->lo_key > z->hi_key)
    ZFAIL(MS_ERR_OUT_OF_RANGE, "%s: lo_key %u is above hi_key %u", head, z->lo_key, z->hi_key);
  if (z->lo_vel > z->hi_vel)
    ZFAIL(MS_ERR_OUT_OF_RANGE, "%s: lo_vel %u is above hi_vel %u", head, z->lo_vel, z->hi_vel);
  if (z->lo_chan > z->hi_chan)
    ZFAIL(MS_ERR_OUT_OF_RANGE, "%s: lo_chan %u is above hi_chan %u", head, z->lo_chan, z->hi_chan);
  if (z->lo_rand > z->hi_rand)
    ZFAIL(MS_ERR_OUT_OF_RANGE, "%s: lo_rand %g is above hi_rand %g", head, z->lo_rand, z->hi_rand);
  if (osc) return MS_OK;
  if (z->offset_frames >= smp->frames)
    ZFAIL(MS_ERR_OUT_OF_RANGE, "Cannot add zone to instrument \"%s\": offset %u is past the sample's end (%llu frames)", n,
          z->offset_frames, (unsigned long long)smp->frames);
  if (z->loop_start_frames || z->loop_end_frames) {
    if (z->loop_end_frames > smp->frames)
      ZFAIL(MS_ERR_OUT_OF_RANGE, "Cannot add zone to instrument \"%s\": loop end %u is past the sample's end (%llu frames)", n,
            z->loop_end_frames, (unsigned long long)smp->frames);
    if (z->loop_start_frames + 4 > z->loop_end_frames)
      ZFAIL(MS_ERR_OUT_OF_RANGE,
            "Cannot add zone to instrument \"%s\": loop %u..%u is shorter than 4 frames or reversed", n,
            z->loop_start_frames, z->loop_end_frames);
  }
#undef ZFAIL
  return MS_OK;
}

/* ampeg_dynamic with envelope rows to follow: on a CC or the bend, and none
 * random (a random row's note-on draw is not kept to be re-read). */
static bool z_dyn_env(const ctl_zone_t *cz) {
  if (!cz->desc.ampeg_dynamic) return false;
  bool follow = false;
  for (uint32_t k = 0; k < cz->mod_count; k++) {
    const ms_zone_mod_t *m = &cz->mods[k];
    if (m->target < MS_MOD_AMPEG_DELAY_S || m->target > MS_MOD_AMPEG_RELEASE_S) continue;
    if (m->source == MS_MOD_SRC_RANDOM || m->source == MS_MOD_SRC_RANDOM_BIPOLAR) return false;
    follow |= m->source < 128u || m->source == MS_MOD_SRC_BEND;
  }
  return follow;
}

int32_t ctl_instrument_build(ms_instrument_t *inst, rt_instrument_data_t **out) {
  ms_sampler_t *s = inst->sampler;
  const uint32_t n = inst->zone_count, rate = s->cfg.sample_rate;
  /* alternative groups, numbered in order of first appearance through a
   * temporary hash table sized by the zone count (no fixed cap: round-robin
   * sets grow with the instrument); alt_index is 16 bits, 0xffff = none */
  uint32_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  uint32_t *keys = calloc(cap, sizeof *keys), *vals = malloc(cap * sizeof *vals);
  uint16_t *alt = malloc((n ? n : 1) * sizeof *alt);
  if (!keys || !vals || !alt) {
    free(keys), free(vals), free(alt);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot build instrument \"%s\": out of memory", inst->name);
  }
  uint32_t ng = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t g = inst->zones[i].desc.alt_group, h = (g * 2654435761u) & (cap - 1);
    alt[i] = 0xffff;
    if (!g) continue;
    while (keys[h] && keys[h] != g) h = (h + 1) & (cap - 1);
    if (!keys[h]) {
      if (ng == 0xffff) {
        free(keys), free(vals), free(alt);
        return ctl_fail(s, MS_ERR_LIMIT, "Cannot build instrument \"%s\": more than %u alternative groups", inst->name, ng);
      }
      keys[h] = g;
      vals[h] = ng++;
    }
    alt[i] = (uint16_t)vals[h];
  }
  free(keys);
  free(vals);
  uint32_t nctl = 0; /* zones with per-note controls: each version holds its own copy */
  for (uint32_t i = 0; i < n; i++) nctl += inst->zones[i].controls != NULL;
  size_t nmods = 0; /* modulation rows: one array per version, as long as the zones' rows */
  for (uint32_t i = 0; i < n; i++) nmods += inst->zones[i].mod_count;
  uint32_t lfo_rows = 0; /* the most LFO rows of one zone that keep a phase per voice (rt_mod.c) */
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t k = rt_mod_phase_rows(inst->zones[i].mods, inst->zones[i].mod_count);
    if (k > lfo_rows) lfo_rows = k;
  }
  const size_t lfo_doubles = lfo_rows ? (size_t)s->voice_capacity * (1u + 2u * lfo_rows) : 0;
  size_t bytes = sizeof(rt_instrument_data_t) + sizeof(rt_zone_t) * n + sizeof(uint32_t) * (ng + 1) +
                 sizeof(uint32_t) * 3u * n + /* select scratch: every zone may answer one note */
                 sizeof(struct ms_sample *) * (n + 1) + sizeof(ms_controls_t) * nctl +
                 sizeof(ms_zone_mod_t) * nmods + sizeof(float) * 128u * inst->curve_count + sizeof(double) * lfo_doubles +
                 128;
  char *mem = ctl_alloc(s, bytes);
  if (!mem) {
    free(alt);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot build instrument \"%s\": out of memory", inst->name);
  }
  rt_instrument_data_t *d = (rt_instrument_data_t *)mem;
  char *p = mem + ((sizeof *d + 63) & ~(size_t)63);
  d->zones = (rt_zone_t *)p;
  p += sizeof(rt_zone_t) * n;
  d->alt_counters = (uint32_t *)p;
  p += sizeof(uint32_t) * (ng + 1);
  d->select_scratch = (uint32_t *)p;
  p += sizeof(uint32_t) * 3u * n;
  /* the counters may end at 4 mod 8: align the pointer array (the slack above covers it) */
  p = (char *)(((uintptr_t)p + _Alignof(struct ms_sample *) - 1) & ~(uintptr_t)(_Alignof(struct ms_sample *) - 1));
  d->samples = (struct ms_sample **)p;
  p += sizeof(struct ms_sample *) * (n + 1);
  ms_controls_t *ctl_copy = (ms_controls_t *)p;
  p += sizeof(ms_controls_t) * nctl;
  d->mods = nmods ? (ms_zone_mod_t *)p : NULL;
  d->mod_count = (uint32_t)nmods;
  memcpy(d->cc_init, inst->cc_init, sizeof d->cc_init);
  p += sizeof(ms_zone_mod_t) * nmods;
  if (inst->curve_count) { /* the custom curves, after the rows (floats: 4-byte aligned there) */
    memcpy(p, inst->curves, sizeof(float) * 128u * inst->curve_count);
    d->curves = (const float *)p;
    d->curve_count = inst->curve_count;
  }
  p += sizeof(float) * 128u * inst->curve_count;
  if (lfo_rows) { /* the LFO phases, 8-byte aligned (the slack above covers it) */
    p = (char *)(((uintptr_t)p + 7u) & ~(uintptr_t)7u);
    d->lfo_state = (double *)p;
    d->lfo_stride = 1u + 2u * lfo_rows;
  }
  ms_zone_mod_t *mod_copy = d->mods;
  d->zone_count = n;
  d->alt_count = ng;
  d->sample_count = n;
  for (uint32_t i = 0; i < n; i++) {
    const ms_zone_t *z = &inst->zones[i].desc;
    struct ms_sample *smp = inst->zones[i].sample;
    rt_zone_t *r = &d->zones[i];
    d->samples[i] = smp;
    r->controls = NULL;
    if (inst->zones[i].controls) {
      *ctl_copy = *inst->zones[i].controls;
      r->controls = ctl_copy++;
    }
    r->mods = NULL;
    r->mod_count = 0;
    r->mod_flags = 0;
    if (inst->zones[i].mod_count) {
      const uint32_t nm = inst->zones[i].mod_count;
      memcpy(mod_copy, inst->zones[i].mods, sizeof *mod_copy * nm);
      r->mods = mod_copy;
      r->mod_count = (uint16_t)nm;
      for (uint32_t k = 0; k < nm; k++) {
        const ms_zone_mod_t *m = &mod_copy[k];
        if (m->target == MS_MOD_RANGE) r->mod_flags |= RT_MOD_RANGE;
        else if (m->target == MS_MOD_TRIGGER) r->mod_flags |= RT_MOD_TRIGGER;
        else if (m->target == MS_MOD_WIDTH) r->mod_flags |= RT_MOD_WIDTH;
        else if (m->target == MS_MOD_LFO_HZ) r->mod_flags |= RT_MOD_LIVE; /* read by its LFO rows */
        else if (m->target >= MS_MOD_AMPEG_DELAY_S) r->mod_flags |= RT_MOD_ENV; /* and OFFSET_FRAMES: note-on */
        else if (m->source < 128u || m->source == MS_MOD_SRC_BEND || m->source == MS_MOD_SRC_LFO)
          r->mod_flags |= RT_MOD_LIVE;
        else r->mod_flags |= RT_MOD_NOTE;
        if (m->source == MS_MOD_SRC_BEND && m->target == MS_MOD_PITCH_CENTS) r->mod_flags |= RT_MOD_BEND;
      }
      if (z_dyn_env(&inst->zones[i])) r->mod_flags |= RT_MOD_ENV_LIVE | RT_MOD_LIVE;
      if (r->mod_flags & RT_MOD_TRIGGER) d->has_cc_triggers = true;
      mod_copy += nm;
    }
    r->source = z->source;
    if (smp) {
      ctl_sample_ref(smp);
      r->data = smp->data;
      r->bits = smp->bits;
      r->length = smp->frames;
      r->channels = smp->channels;
    } else {
      ctl_osc_zone(r, z, rate); /* an oscillator zone: its tables, channels and reference pitch */
    }
    r->lo_key = z->lo_key;
    r->hi_key = z->hi_key;
    r->lo_vel = z->lo_vel ? z->lo_vel : 1;
    r->hi_vel = z->hi_vel;
    bool explicit_loop = smp && (z->loop_start_frames || z->loop_end_frames);
    uint8_t mode = smp ? z->loop_mode : MS_LOOP_NONE;
    if (mode == MS_LOOP_AUTO) mode = (smp->has_loop || explicit_loop) ? MS_LOOP_FORWARD : MS_LOOP_NONE;
    r->loop_mode = mode;
    if (!smp) {
      r->loop_start = r->loop_end = 0;
    } else if (explicit_loop) {
      r->loop_start = z->loop_start_frames;
      r->loop_end = z->loop_end_frames;
    } else if (smp->has_loop) {
      r->loop_start = smp->loop_start;
      r->loop_end = smp->loop_end;
    } else {
      r->loop_start = 0;
      r->loop_end = (uint32_t)smp->frames;
    }
    if ((mode == MS_LOOP_FORWARD || mode == MS_LOOP_SUSTAIN) && r->loop_end < r->loop_start + 4) {
      r->loop_mode = MS_LOOP_NONE; /* a whole sample shorter than 4 frames cannot loop */
    }
    r->alt_index = alt[i];
    r->alt_mode = z->alt_mode;
    r->exclusive_group = z->exclusive_group;
    r->note_polyphony = z->note_polyphony;
    r->off_step = 1.0f / (z->off_time_s * (float)rate);
    r->choked_by = z->off_by == MS_OFF_BY_NONE ? 0u : z->off_by == MS_OFF_BY_OWN ? z->exclusive_group : z->off_by;
    r->trigger = z->trigger;
    r->off_mode = z->off_mode;
    r->lo_chan = z->lo_chan;
    r->hi_chan = z->hi_chan;
    r->sw_last = z->sw_last;
    if (z->sw_lo <= z->sw_hi)
      for (uint32_t k = z->sw_lo; k <= z->sw_hi && k < 128; k++) d->keyswitch[k] = true;
    if (z->trigger == MS_TRIGGER_RELEASE) d->has_release_zones = true;
    r->lo_rand = z->lo_rand;
    r->hi_rand = z->hi_rand;
    r->offset = smp ? z->offset_frames : 0;
    r->tune_cents = z->tune_cents;
    r->keytrack = z->pitch_keytrack;
    r->root_key = z->root_key;
    r->filter_type = z->filter_type;
    r->cutoff_hz = z->cutoff_hz;
    /* Q = 0.7071 * 10^(dB/20): 0 dB is Butterworth */
    r->filter_k = (float)(1.0 / (0.70710678 * pow(10.0, z->resonance_db / 20.0)));
    r->fil_veltrack = z->fil_veltrack_cents;
    r->fil_keytrack = z->fil_keytrack_cents;
    r->fil_keycenter = z->fil_keycenter;
    r->fileg_depth = z->fileg_depth_cents;
    r->cutoff_cc = z->cutoff_cc;
    r->cutoff_cc_cents = z->cutoff_cc_cents;
    r->chorus_send = z->chorus_send;
    r->penv_delay_s = z->penv_delay_s;
    r->penv_hold_s = z->penv_hold_s;
    ctl_env_describe(&r->fil_env,
                     &(ctl_env_times_t){.delay_s = z->fileg_delay_s, .attack_s = z->fileg_attack_s,
                                        .hold_s = z->fileg_hold_s, .decay_s = z->fileg_decay_s,
                                        .sustain = z->fileg_sustain, .release_s = z->fileg_release_s},
                     rate, false);
    if (smp) r->rate_ratio = (double)smp->sample_rate / (double)rate; /* an oscillator's: ctl_osc_zone */
    r->gain = db_to_gain(z->gain_db);
    r->pan = z->pan;
    r->width = z->width * 0.01f;
    if (z->width != 100.0f) r->mod_flags |= RT_MOD_WIDTH; /* a stereo voice of it takes the controlled path */
    r->amp_times[0] = z->delay_s;
    r->amp_times[1] = z->attack_s;
    r->amp_times[2] = z->hold_s;
    r->amp_times[3] = z->decay_s;
    r->amp_times[4] = z->sustain;
    r->amp_times[5] = z->release_s;
    ctl_env_describe(&r->amp_env,
                     &(ctl_env_times_t){.delay_s = z->delay_s, .attack_s = z->attack_s, .hold_s = z->hold_s,
                                        .decay_s = z->decay_s, .sustain = z->sustain, .release_s = z->release_s},
                     rate, true);
    r->vel_gain[0] = 0.0f;
    for (int v = 1; v < 128; v++) {
      float x = (float)v / 127.0f;
      r->vel_gain[v] = inst->zones[i].has_vel_curve ? inst->zones[i].vel_curve[v]
                                                    : (1.0f - z->velocity_track) + z->velocity_track * x * x;
    }
  }
  free(alt);
  *out = d;
  return MS_OK;
}

void ctl_instrument_data_free(ms_sampler_t *s, rt_instrument_data_t *d) {
  if (!d) return;
  for (uint32_t i = 0; i < d->sample_count; i++) ctl_sample_unref(d->samples[i]);
  ctl_free(s, d);
}

int32_t ctl_push(ms_sampler_t *s, const ms_cmd_t *cmd) {
  if (ring_push(&s->ct_producer->ring, cmd)) return MS_OK;
  stat_add(&s->stats.events_dropped, 1);
  return MS_ERR_RING_FULL;
}

static int32_t retry_pending_removals(ms_sampler_t *s) {
  for (uint32_t i = 0; i < s->cfg.max_instruments; i++) {
    if (!s->pending_remove[i]) continue;
    ms_cmd_t c;
    memset(&c, 0, sizeof c);
    c.type = MS_CMD_REMOVE_INSTRUMENT;
    c.remove = s->pending_remove[i];
    c.frame = MS_FRAME_NOW;
    if (!ring_push(&s->ct_producer->ring, &c)) return MS_ERR_RING_FULL;
    s->pending_remove[i] = 0;
  }
  return MS_OK;
}

int32_t ctl_instrument_publish(ms_instrument_t *inst) {
  ms_sampler_t *s = inst->sampler;
  if (!inst->dirty) return MS_OK;
  if (retry_pending_removals(s) != MS_OK)
    return ctl_fail(s, MS_ERR_RING_FULL,
                    "Cannot update instrument \"%s\": the event ring is full: the engine is not rendering "
                    "(call ms_process) or events are sent faster than it plays them",
                    inst->name);
  rt_instrument_data_t *d = NULL;
  int32_t rc = ctl_instrument_build(inst, &d);
  if (rc != MS_OK) return rc;
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.type = MS_CMD_SWAP_INSTRUMENT;
  c.swap.instrument = inst->id;
  c.swap.data = d;
  c.frame = MS_FRAME_NOW;
  if (ctl_push(s, &c) != MS_OK) {
    ctl_instrument_data_free(s, d);
    return ctl_fail(s, MS_ERR_RING_FULL,
                    "Cannot update instrument \"%s\": the event ring is full: the engine is not rendering "
                    "(call ms_process) or events are sent faster than it plays them",
                    inst->name);
  }
  inst->dirty = false;
  return MS_OK;
}

void ctl_collect(ms_sampler_t *s) {
  ms_ret_t r;
  while (ring_pop(&s->ret_ring, &r)) {
    if (r.type == MS_RET_INSTRUMENT_DATA) {
      ctl_instrument_data_free(s, (rt_instrument_data_t *)r.ptr);
    } else if (r.type == MS_RET_MIDI_MAP) {
      ctl_free(s, r.ptr);
    } else if (r.type == MS_RET_PRODUCER && r.index < MS_MAX_PRODUCERS) {
      ms_producer_t *p = (ms_producer_t *)r.ptr;
      ctl_free(s, p->storage);
      ctl_free(s, p);
      s->producer_used[r.index] = false;
    }
  }
  retry_pending_removals(s);
}
