/*
 * api_instrument.c — exported instrument and sample functions: creating
 * instruments, loading samples, adding zones, publishing versions.
 *
 * Thread: CT. Zone edits collect on the CT-side handle and reach the render
 * thread as one immutable version at the next event, commit or collect.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "ctl/ctl_fields.h"
#include "shared/engine.h"

MS_API int32_t ms_instrument_create(ms_sampler_t *s, const char *name, ms_instrument_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot create instrument: sampler is NULL");
  ctl_clear_error(s);
  if (!out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot create instrument: the output pointer is NULL");
  *out = NULL;
  if (!name || !name[0] || strlen(name) >= MS_NAME_MAX)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot create instrument: name must be 1..%u bytes", MS_NAME_MAX - 1);
  ctl_collect(s);
  uint32_t slot = UINT32_MAX;
  for (uint32_t i = 0; i < s->cfg.max_instruments; i++) {
    if (!s->instruments[i] && !s->pending_remove[i]) {
      slot = i;
      break;
    }
  }
  if (slot == UINT32_MAX)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot create instrument \"%s\": all %u instrument slots are in use: "
                    "destroy one or raise max_instruments", name, s->cfg.max_instruments);
  ms_instrument_t *inst = ctl_alloc(s, sizeof *inst);
  if (!inst) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot create instrument \"%s\": out of memory", name);
  inst->sampler = s;
  inst->slot = slot;
  uint32_t gen = (uint32_t)(++s->slot_generation[slot]) & 0xfffu;
  if (gen == 0) gen = (uint32_t)(++s->slot_generation[slot]) & 0xfffu;
  inst->id = ms_make_id(s->serial, gen, slot);
  snprintf(inst->name, sizeof inst->name, "%s", name);
  inst->cc_init[7] = 100; /* sfizz's initial controller values */
  inst->cc_init[10] = 64;
  inst->cc_init[11] = 127;
  inst->dirty = true; /* publish the (empty) instrument so its slot exists on RT */
  s->instruments[slot] = inst;
  *out = inst;
  return MS_OK;
}

static void release_zones(ms_instrument_t *inst) {
  for (uint32_t i = 0; i < inst->zone_count; i++) {
    ctl_sample_unref(inst->zones[i].sample);
    ctl_free(inst->sampler, inst->zones[i].controls);
    inst->zones[i].controls = NULL;
    ctl_free(inst->sampler, inst->zones[i].mods);
    inst->zones[i].mods = NULL;
    inst->zones[i].mod_count = 0;
  }
  inst->zone_count = 0;
}

MS_API void ms_instrument_destroy(ms_instrument_t *inst) {
  if (!inst) return;
  ms_sampler_t *s = inst->sampler;
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.type = MS_CMD_REMOVE_INSTRUMENT;
  c.remove = inst->id;
  c.frame = MS_FRAME_NOW;
  if (!ring_push(&s->ct_producer->ring, &c)) s->pending_remove[inst->slot] = inst->id; /* retried by collect */
  s->instruments[inst->slot] = NULL;
  release_zones(inst);
  ctl_free(s, inst->zones);
  ctl_free(s, inst->curves);
  ctl_free(s, inst);
}

MS_API uint32_t ms_instrument_id(const ms_instrument_t *inst) { return inst ? inst->id : 0; }

MS_API int32_t ms_instrument_set_velocity_curve(ms_instrument_t *inst, uint32_t zone_index, const float *gains) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set a velocity curve: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  if (!gains) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set a velocity curve on instrument \"%s\": gains is NULL", inst->name);
  if (zone_index >= inst->zone_count)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set a velocity curve on instrument \"%s\": zone %u does not exist (%u zones)",
                    inst->name, zone_index, inst->zone_count);
  for (int v = 1; v < 128; v++)
    if (!(gains[v] >= 0.0f && gains[v] <= 4.0f))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set a velocity curve on instrument \"%s\": gain %g at velocity %d is outside 0..4",
                      inst->name, gains[v], v);
  ctl_zone_t *z = &inst->zones[zone_index];
  memcpy(z->vel_curve, gains, sizeof z->vel_curve);
  z->vel_curve[0] = 0.0f;
  z->has_vel_curve = true;
  inst->dirty = true;
  return MS_OK;
}

MS_API int32_t ms_instrument_set_zone_controls(ms_instrument_t *inst, uint32_t zone_index, const ms_controls_t *c) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set zone controls: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  if (zone_index >= inst->zone_count)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set controls of zone %u of instrument \"%s\": it has %u zones",
                    zone_index, inst->name, inst->zone_count);
  char head[128];
  snprintf(head, sizeof head, "Cannot set controls of zone %u of instrument \"%s\"", zone_index, inst->name);
  if (c) {
    int32_t rc = ctl_controls_check(s, c, head);
    if (rc != MS_OK) return rc;
  }
  if (c) {
    int32_t rc = api_controls_orbit(s, c, "set zone controls");
    if (rc != MS_OK) return rc;
  }
  ctl_zone_t *z = &inst->zones[zone_index];
  if (!c || ctl_controls_count(c) == 0) {
    ctl_free(s, z->controls);
    z->controls = NULL;
  } else {
    if (!z->controls && !(z->controls = ctl_alloc(s, sizeof *z->controls)))
      return ctl_fail(s, MS_ERR_NO_MEMORY, "%s: out of memory", head);
    memset(z->controls, 0, sizeof *z->controls);
    for (uint32_t id = 0; id < MS_CONTROL_COUNT; id++)
      if (ms_controls_has(c, id)) ms_controls_set(z->controls, id, c->value[id]);
  }
  inst->dirty = true;
  return MS_OK;
}

/* The depth range of a target (MS_MOD_*), for checks and messages. */
static void mod_depth_range(uint32_t target, float *lo, float *hi) {
  switch (target) {
    case MS_MOD_AMPLITUDE: *lo = -10.0f, *hi = 10.0f; return;
    case MS_MOD_VOLUME_DB: *lo = -144.0f, *hi = 144.0f; return;
    case MS_MOD_PAN:
    case MS_MOD_WIDTH: *lo = -2.0f, *hi = 2.0f; return;
    case MS_MOD_LFO_HZ: *lo = -100.0f, *hi = 100.0f; return;
    case MS_MOD_AMPEG_SUSTAIN: *lo = -1.0f, *hi = 1.0f; return;
    case MS_MOD_OFFSET_FRAMES: *lo = 0.0f, *hi = 2147483648.0f; return;
    case MS_MOD_AMPEG_DELAY_S:
    case MS_MOD_AMPEG_ATTACK_S:
    case MS_MOD_AMPEG_HOLD_S:
    case MS_MOD_AMPEG_DECAY_S:
    case MS_MOD_AMPEG_RELEASE_S: *lo = -100.0f, *hi = 100.0f; return;
    default: *lo = -9600.0f, *hi = 9600.0f; return; /* pitch, cutoff */
  }
}

static bool mod_source_known(uint32_t src) {
  return src < 128u || src == MS_MOD_SRC_BEND || src == MS_MOD_SRC_VELOCITY || src == MS_MOD_SRC_KEY ||
         src == MS_MOD_SRC_RANDOM || src == MS_MOD_SRC_RANDOM_BIPOLAR || src == MS_MOD_SRC_HELD_SECONDS ||
         src == MS_MOD_SRC_LFO;
}

MS_API int32_t ms_instrument_set_zone_mods(ms_instrument_t *inst, uint32_t zone_index, const ms_zone_mod_t *rows,
                                           uint32_t count) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set zone modulation: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  ctl_clear_error(s);
  if (zone_index >= inst->zone_count)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set modulation of zone %u of instrument \"%s\": it has %u zones",
                    zone_index, inst->name, inst->zone_count);
  char head[160];
  snprintf(head, sizeof head, "Cannot set modulation of zone %u of instrument \"%s\"", zone_index, inst->name);
  if (count && !rows) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: rows is NULL with count %u", head, count);
  if (count > 65535u) return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: %u rows is more than 65535", head, count);
  for (uint32_t i = 0; i < count; i++) {
    const ms_zone_mod_t *m = &rows[i];
    if (!mod_source_known(m->source))
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: row %u: source %u is unknown (0..127 a CC, or MS_MOD_SRC_*)", head, i,
                      m->source);
    if (m->target < 1 || m->target > MS_MOD_TARGET_MAX)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: row %u: target %u is unknown (MS_MOD_*)", head, i, m->target);
    const bool ranged = m->target <= MS_MOD_XFOUT;
    if (m->source == MS_MOD_SRC_LFO &&
        !(m->lfo_hz >= 0.001f && m->lfo_hz <= 100.0f && m->lfo_delay_s >= 0.0f && m->lfo_delay_s <= 100.0f &&
          m->lfo_fade_s >= 0.0f && m->lfo_fade_s <= 100.0f && m->lfo_wave <= MS_LFO_SAW_DOWN))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE,
                      "%s: row %u: LFO %g Hz, delay %g s, fade %g s, wave %u is outside 0.001..100 Hz, 0..100 s, "
                      "0..100 s, MS_LFO_*",
                      head, i, m->lfo_hz, m->lfo_delay_s, m->lfo_fade_s, m->lfo_wave);
    if (m->lfo_depth_cc > 128u || (m->lfo_depth_cc && m->source != MS_MOD_SRC_LFO))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE,
                      "%s: row %u: lfo_depth_cc %u is outside 1..128 (an LFO row's CC + 1), or 0", head, i,
                      m->lfo_depth_cc);
    if (m->target == MS_MOD_LFO_HZ ? !(m->lfo_index && (m->source < 128u || m->source == MS_MOD_SRC_BEND))
                                   : m->lfo_index && m->source != MS_MOD_SRC_LFO)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                      "%s: row %u: lfo_index %u with source %u and target %u: an LFO rate row reads a CC or the bend and "
                      "names its LFO (1..255), an LFO row may name one, no other row does",
                      head, i, m->lfo_index, m->source, m->target);
    if ((m->target == MS_MOD_RANGE || m->target == MS_MOD_TRIGGER) && m->source > 127u)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: row %u: a CC range or trigger reads a CC (0..127), not source %u",
                      head, i, m->source);
    if (m->target >= MS_MOD_XFIN && ranged && m->curve > MS_XF_GAIN)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: row %u: curve %u is unknown (%s)", head, i, m->curve,
                      ranged ? "MS_XF_POWER or MS_XF_GAIN" : "MS_CURVE_*");
    if (ranged) {
      if (!(m->lo >= -1.0f && m->hi <= 127.0f && m->lo <= m->hi))
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: row %u: range %g..%g is not an ordered range within -1..127", head,
                        i, m->lo, m->hi);
    } else {
      float lo, hi;
      mod_depth_range(m->target, &lo, &hi);
      if (!(m->depth >= lo && m->depth <= hi))
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: row %u: depth %g is outside %g..%g", head, i, m->depth, lo, hi);
    }
  }
  ctl_zone_t *z = &inst->zones[zone_index];
  ms_zone_mod_t *copy = NULL;
  if (count) {
    copy = ctl_alloc(s, sizeof *copy * count);
    if (!copy) return ctl_fail(s, MS_ERR_NO_MEMORY, "%s: out of memory", head);
    memcpy(copy, rows, sizeof *copy * count);
  }
  ctl_free(s, z->mods);
  z->mods = copy;
  z->mod_count = count;
  inst->dirty = true;
  return MS_OK;
}

MS_API int32_t ms_instrument_set_cc_init(ms_instrument_t *inst, uint32_t controller, float value) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set a controller's initial value: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  ctl_clear_error(s);
  if (controller > 127)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set the initial value of CC%u of instrument \"%s\": controllers are 0..127",
                    controller, inst->name);
  if (!(value >= 0.0f && value <= 127.0f))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set the initial value of CC%u of instrument \"%s\": %g is outside 0..127",
                    controller, inst->name, value);
  inst->cc_init[controller] = (uint8_t)(value + 0.5f);
  inst->dirty = true;
  return MS_OK;
}

MS_API int32_t ms_instrument_set_curve(ms_instrument_t *inst, uint32_t curve, const float *values) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set a curve: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  ctl_clear_error(s);
  if (!values || curve < MS_CURVE_FIRST_CUSTOM || curve > 255)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set curve %u of instrument \"%s\": %s", curve, inst->name,
                    values ? "custom curves are 8..255" : "values is NULL");
  for (uint32_t i = 0; i < 128; i++)
    if (!(values[i] >= -1000.0f && values[i] <= 1000.0f))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set curve %u of instrument \"%s\": value %g at %u is outside -1000..1000",
                      curve, inst->name, values[i], i);
  const uint32_t need = curve - MS_CURVE_FIRST_CUSTOM + 1;
  if (need > inst->curve_count) {
    float *c = ctl_alloc(s, sizeof(float) * 128u * need);
    if (!c) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot set curve %u of instrument \"%s\": out of memory", curve, inst->name);
    if (inst->curves) memcpy(c, inst->curves, sizeof(float) * 128u * inst->curve_count);
    for (uint32_t k = inst->curve_count; k < need; k++) /* linear until set */
      for (uint32_t i = 0; i < 128; i++) c[k * 128u + i] = (float)i / 127.0f;
    ctl_free(s, inst->curves);
    inst->curves = c;
    inst->curve_count = need;
  }
  memcpy(inst->curves + (size_t)(curve - MS_CURVE_FIRST_CUSTOM) * 128u, values, sizeof(float) * 128u);
  inst->dirty = true;
  return MS_OK;
}

MS_API int32_t ms_instrument_add_zone(ms_instrument_t *inst, ms_sample_t *smp, const ms_zone_t *zone, uint32_t *index) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot add zone: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  ctl_clear_error(s);
  int32_t rc = ctl_check_zone(inst, smp, zone);
  if (rc != MS_OK) return rc;
  /* a chorus send needs its orbit's memory: orbit 0 here; one its controls name gets it there */
  if (zone->chorus_send > 0.0f && (rc = ctl_orbit_prepare(s, 0, "add zone")) != MS_OK) return rc;
  if (zone->source != MS_SOURCE_SAMPLE) smp = NULL; /* an oscillator zone holds no sample */
  if (inst->zone_count == inst->zone_capacity) {
    uint32_t cap = inst->zone_capacity ? inst->zone_capacity * 2 : 8;
    if (cap > 65536) return ctl_fail(s, MS_ERR_LIMIT, "Cannot add zone to instrument \"%s\": 65536 zones is the limit", inst->name);
    ctl_zone_t *z = ctl_alloc(s, sizeof *z * cap);
    if (!z) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot add zone to instrument \"%s\": out of memory", inst->name);
    if (inst->zones) memcpy(z, inst->zones, sizeof *z * inst->zone_count);
    ctl_free(s, inst->zones);
    inst->zones = z;
    inst->zone_capacity = cap;
  }
  ctl_zone_t *z = &inst->zones[inst->zone_count];
  z->desc = *zone;
  z->sample = smp;
  z->has_vel_curve = false;
  z->controls = NULL;
  z->mods = NULL;
  z->mod_count = 0;
  if (smp) ctl_sample_ref(smp);
  if (index) *index = inst->zone_count;
  inst->zone_count++;
  inst->dirty = true;
  return MS_OK;
}

MS_API int32_t ms_instrument_clear_zones(ms_instrument_t *inst) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot clear zones: instrument is NULL");
  release_zones(inst);
  inst->dirty = true;
  return MS_OK;
}

MS_API uint32_t ms_instrument_zone_count(const ms_instrument_t *inst) { return inst ? inst->zone_count : 0; }

MS_API int32_t ms_instrument_commit(ms_instrument_t *inst) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot commit instrument: instrument is NULL");
  ctl_collect(inst->sampler);
  return ctl_instrument_publish(inst);
}

MS_API int32_t ms_instrument_load_sample(ms_instrument_t *inst, const char *path, const ms_sample_metadata_t *meta) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot load sample: instrument is NULL");
  ms_sampler_t *s = inst->sampler;
  if (!path) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot load sample into instrument \"%s\": path is NULL", inst->name);
  ms_zone_t z;
  ms_zone_init(&z);
  if (meta) {
    if (meta->root_note > 127 || meta->lo_key > 127 || meta->hi_key > 127 || meta->lo_vel > 127 || meta->hi_vel > 127)
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot load sample \"%s\" into instrument \"%s\": a note or velocity is above 127",
                      path, inst->name);
    z.root_key = meta->root_note;
    z.lo_key = meta->lo_key;
    z.hi_key = meta->hi_key ? meta->hi_key : 127;
    z.lo_vel = meta->lo_vel ? meta->lo_vel : 1;
    z.hi_vel = meta->hi_vel ? meta->hi_vel : 127;
    z.loop_mode = meta->loop_mode;
    z.tune_cents = meta->fine_tune_cents;
    z.gain_db = meta->gain_db;
    z.pan = meta->pan;
    z.loop_start_frames = meta->loop_start_frames;
    z.loop_end_frames = meta->loop_end_frames;
  }
  ms_sample_t *smp = NULL;
  int32_t rc = ctl_sample_decode(s, path, inst->name, &smp);
  if (rc != MS_OK) return rc;
  if (!meta) z.root_key = (uint8_t)smp->root_key;
  rc = ms_instrument_add_zone(inst, smp, &z, NULL);
  ctl_sample_unref(smp); /* the zone holds its own reference */
  return rc;
}

/* ---------------------------------------------------------- samples -- */

MS_API int32_t ms_sample_load(ms_sampler_t *s, const char *path, ms_sample_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot load sample: sampler is NULL");
  ctl_clear_error(s);
  if (!path || !out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot load sample: path or output pointer is NULL");
  *out = NULL;
  return ctl_sample_decode(s, path, NULL, out);
}

MS_API int32_t ms_sample_load_msg(ms_sampler_t *s, const char *path, ms_sample_t **out, char *msg, uint32_t cap) {
  if (msg && cap) msg[0] = 0;
  if (!s || !path || !out) {
    if (msg && cap) snprintf(msg, cap, "Cannot load sample: sampler, path or output pointer is NULL");
    return MS_ERR_INVALID_ARGUMENT;
  }
  *out = NULL;
  int32_t rc = ctl_sample_decode(s, path, NULL, out);
  if (rc != MS_OK) ctl_copy_thread_error(msg, cap);
  return rc;
}

MS_API int32_t ms_sample_create(ms_sampler_t *s, const float *data, uint64_t frames, uint32_t channels,
                                uint32_t sample_rate, ms_sample_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot create sample: sampler is NULL");
  ctl_clear_error(s);
  if (frames == 0 || frames >= (1ull << 31))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot create sample: %llu frames is outside 1..2^31", (unsigned long long)frames);
  if (!data || !out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot create sample: data or output pointer is NULL");
  *out = NULL;
  if (channels < 1 || channels > 2)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot create sample: %u channels; only mono and stereo are supported", channels);
  if (sample_rate < 1000 || sample_rate > 768000)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot create sample: sample rate %u Hz is outside 1000..768000", sample_rate);
  for (uint64_t i = 0; i < frames * channels; i++)
    if (!isfinite(data[i]))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot create sample: value %llu is NaN or infinite", (unsigned long long)i);
  ms_sample_t *smp = ctl_sample_new(s, frames, channels, s->sample_bits);
  if (!smp) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot create sample: out of memory for %llu frames", (unsigned long long)frames);
  if (smp->bits == 16) {
    int16_t *d = smp->data;
    for (uint64_t i = 0; i < frames * channels; i++) {
      float x = data[i] * 32768.0f;
      d[i] = (int16_t)(x >= 32767.0f ? 32767 : x <= -32768.0f ? -32768 : lrintf(x));
    }
  } else {
    memcpy(smp->data, data, sizeof(float) * frames * channels);
  }
  smp->sample_rate = sample_rate;
  *out = smp;
  return MS_OK;
}

MS_API void ms_sample_destroy(ms_sample_t *smp) { ctl_sample_unref(smp); }

MS_API int32_t ms_sampler_set_sample_bits(ms_sampler_t *s, uint32_t bits) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set the sample width: sampler is NULL");
  if (bits != 16 && bits != 32)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set the sample width: %u bits is not 16 or 32", bits);
  s->sample_bits = bits;
  return MS_OK;
}

MS_API int32_t ms_sample_get_info(const ms_sample_t *smp, ms_sample_info_t *out) {
  if (!smp || !out) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot read sample info: sample or output is NULL");
  memset(out, 0, sizeof *out);
  out->frames = smp->frames;
  out->channels = smp->channels;
  out->sample_rate = smp->sample_rate;
  out->has_loop = smp->has_loop;
  out->loop_start_frames = smp->loop_start;
  out->loop_end_frames = smp->loop_end;
  out->root_key = smp->root_key;
  out->bytes = smp->bytes;
  out->bits = smp->bits;
  return MS_OK;
}
