/*
 * rt_midi.c — the render thread's side of MIDI input: apply the current
 * MIDI map to MS_CMD_MIDI records, as commands for rt_dispatch (layers and splits with transpose and
 * velocity tables, controller mappings, pitch bend with range, program
 * changes), remember which voices each held key started so its note-off
 * releases exactly those, measure input latency, and swap maps.
 *
 * Thread: RT only. Never allocates, locks, logs or does I/O; the map is
 * immutable, the hub's RT-owned fields are written only here.
 */
#include "shared/midi.h"

static void record_latency(ms_sampler_t *s, uint64_t arrival_ns, uint64_t f) {
  /* the frame plays (f - block start) frames after the render thread reaches this block */
  uint64_t now = midi_mono_ns() + (f - s->now) * 1000000000ull / s->cfg.sample_rate;
  uint64_t lat = now > arrival_ns ? now - arrival_ns : 0;
  ms_midi_stats_t *st = &s->midi_stats;
  stat_set(&st->latency_count, stat_get(&st->latency_count) + 1);
  stat_set(&st->latency_ns_total, stat_get(&st->latency_ns_total) + lat);
  if (lat > stat_get(&st->latency_ns_max)) stat_set(&st->latency_ns_max, lat);
  uint64_t *b = &st->latency_ns_hist[ms_hist_bucket(lat, 128u)];
  stat_set(b, stat_get(b) + 1);
}

/* Commands the map produces, applied at once on frame f. */
static void send_note_on(ms_sampler_t *s, uint64_t f, uint32_t id, uint8_t key, uint8_t vel, uint32_t ch) {
  ms_cmd_t c = {.frame = f, .type = MS_CMD_NOTE_ON};
  c.note = (ms_cmd_note_t){.instrument = id, .key = key, .velocity = vel, .channel = (uint8_t)ch, .gain = 1.0f};
  rt_dispatch(s, &c, f);
}

static void send_note_off(ms_sampler_t *s, uint64_t f, uint32_t id, uint8_t key) {
  ms_cmd_t c = {.frame = f, .type = MS_CMD_NOTE_OFF};
  c.note_off = (ms_cmd_note_off_t){.instrument = id, .key = key};
  rt_dispatch(s, &c, f);
}

static void send_param(ms_sampler_t *s, uint64_t f, uint32_t id, uint32_t param, float value) {
  ms_cmd_t c = {.frame = f, .type = MS_CMD_PARAM};
  c.param = (ms_cmd_param_t){.instrument = id, .param = param, .value = value};
  rt_dispatch(s, &c, f);
}

static void send_cc(ms_sampler_t *s, uint64_t f, uint32_t id, uint32_t cc, uint32_t value) {
  ms_cmd_t c = {.frame = f, .type = MS_CMD_CC};
  c.cc = (ms_cmd_cc_t){.instrument = id, .controller = cc, .value = value};
  rt_dispatch(s, &c, f);
}

static void send_bend(ms_sampler_t *s, uint64_t f, uint32_t id, float amount) {
  ms_cmd_t c = {.frame = f, .type = MS_CMD_PITCH_BEND};
  c.bend = (ms_cmd_bend_t){.instrument = id, .amount = amount};
  rt_dispatch(s, &c, f);
}

static void note_off(ms_sampler_t *s, ms_midi_hub_t *h, uint32_t ch, uint32_t key, uint64_t f) {
  uint32_t n = h->target_count[ch][key];
  for (uint32_t i = 0; i < n; i++) {
    const midi_target_t *t = &h->targets[ch][key][i];
    send_note_off(s, f, t->id, t->key);
  }
  h->target_count[ch][key] = 0;
}

static void note_on(ms_sampler_t *s, ms_midi_hub_t *h, const rt_midi_map_t *m, uint32_t ch, uint32_t key,
                    uint32_t vel, uint64_t f) {
  uint32_t program = h->program_set[ch] ? h->program[ch] : m->channels[ch].program;
  for (uint32_t i = 0; i < m->layer_count; i++) {
    const ms_midi_layer_t *l = &m->layers[i];
    if (!(l->channel_mask & (1u << ch)) || key < l->lo_key || key > l->hi_key || vel < l->lo_vel ||
        vel > l->hi_vel)
      continue;
    if (l->program != MS_MIDI_ANY_PROGRAM && l->program != program) continue;
    int32_t out = (int32_t)key + l->transpose;
    uint8_t v = l->velocity[vel];
    if (out < 0 || out > 127 || v == 0) continue;
    uint8_t *n = &h->target_count[ch][key];
    if (*n >= MS_MIDI_MAX_TARGETS) break; /* retriggered too often while held: no more voices */
    h->targets[ch][key][*n].id = l->instrument;
    h->targets[ch][key][*n].key = (uint8_t)out;
    (*n)++;
    send_note_on(s, f, l->instrument, (uint8_t)out, v, ch);
  }
}

static void control(ms_sampler_t *s, const rt_midi_map_t *m, uint32_t ch, uint32_t cc, uint32_t value,
                    uint64_t f) {
  if (m->cc_mapped[ch][cc]) {
    for (uint32_t i = 0; i < m->cc_count; i++) {
      const ms_midi_cc_map_t *c = &m->ccs[i];
      if (c->controller != cc || !(c->channel_mask & (1u << ch))) continue;
      if (c->instrument) {
        send_param(s, f, c->instrument, c->param, c->values[value]);
      } else {
        for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++)
          send_param(s, f, m->chan_inst[ch][k], c->param, c->values[value]);
      }
    }
    return;
  }
  if (!m->channels[ch].pass_cc) return;
  for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++)
    send_cc(s, f, m->chan_inst[ch][k], cc, value);
}

void rt_midi_dispatch(ms_sampler_t *s, const ms_cmd_midi_t *msg, uint64_t f) {
  /* acquire pairs with CT's release store of the hub pointer (ctl_midi_hub) */
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  if (msg->arrival_ns) record_latency(s, msg->arrival_ns, f);
  if (!h) return;
  const uint32_t st = msg->status, d1 = msg->data1 & 0x7fu, d2 = msg->data2 & 0x7fu;
  const uint32_t ch = st & 15u;
  switch (st & 0xf0u) {
    case 0x80: note_off(s, h, ch, d1, f); return;
    case 0x90:
      if (d2 == 0) {
        note_off(s, h, ch, d1, f);
        return;
      }
      if (h->map) note_on(s, h, h->map, ch, d1, d2, f);
      return;
    case 0xC0:
      h->program[ch] = (uint8_t)d1;
      h->program_set[ch] = true;
      return;
    default: break;
  }
  const rt_midi_map_t *m = h->map;
  if (!m) return;
  if ((st & 0xf0u) == 0xB0) {
    control(s, m, ch, d1, d2, f);
  } else if ((st & 0xf0u) == 0xE0) {
    float amount = (float)(int32_t)((d2 << 7 | d1) - 8192) * (1.0f / 8192.0f);
    float range = m->channels[ch].bend_range;
    for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++) {
      if (range >= 0.0f) send_param(s, f, m->chan_inst[ch][k], MS_PARAM_PITCH_BEND_RANGE, range);
      send_bend(s, f, m->chan_inst[ch][k], amount);
    }
  }
}

void rt_midi_swap_map(ms_sampler_t *s, rt_midi_map_t *m) {
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  if (!h) { /* cannot happen: CT creates the hub before the first map; hand it back */
    if (m) rt_return_midi_map(s, m);
    return;
  }
  while (h->retire_pending && rt_return_midi_map(s, h->retire_pending))
    h->retire_pending = h->retire_pending->next_retired;
  rt_midi_map_t *old = h->map;
  h->map = m;
  if (old && !rt_return_midi_map(s, old)) { /* return ring full: keep it for the next swap */
    old->next_retired = h->retire_pending;
    h->retire_pending = old;
  }
}
