/*
 * rt_midi.c — the render thread's side of MIDI input: apply the current
 * MIDI map to MS_EV_MIDI records (layers and splits with transpose and
 * velocity tables, controller mappings, pitch bend with range, program
 * changes), remember which voices each held key started so its note-off
 * releases exactly those, measure input latency, and swap maps.
 *
 * Thread: RT only. Never allocates, locks, logs or does I/O; the map is
 * immutable, the hub's RT-owned fields are written only here.
 */
#include "shared/midi.h"

/* Eighth-octave bucket, as ms_stats_t.render_ns_hist (rt_process.c). */
static inline uint32_t lat_bucket(uint64_t ns) {
  uint64_t us8 = ns * 8 / 1000;
  if (us8 < 8) return 0;
  uint32_t lead = 63u - (uint32_t)__builtin_clzll(us8);
  uint32_t frac = (uint32_t)((us8 >> (lead - 3)) & 7u);
  uint32_t b = (lead - 3) * 8 + frac;
  return b < 128u ? b : 127u;
}

static void record_latency(ms_sampler_t *s, uint64_t arrival_ns, uint64_t f) {
  /* the frame plays (f - block start) frames after the render thread reaches this block */
  uint64_t now = midi_mono_ns() + (f - s->now) * 1000000000ull / s->cfg.sample_rate;
  uint64_t lat = now > arrival_ns ? now - arrival_ns : 0;
  ms_midi_stats_t *st = &s->midi_stats;
  stat_set(&st->latency_count, stat_get(&st->latency_count) + 1);
  stat_set(&st->latency_ns_total, stat_get(&st->latency_ns_total) + lat);
  if (lat > stat_get(&st->latency_ns_max)) stat_set(&st->latency_ns_max, lat);
  uint64_t *b = &st->latency_ns_hist[lat_bucket(lat)];
  stat_set(b, stat_get(b) + 1);
}

static void send(ms_sampler_t *s, uint64_t f, uint32_t id, uint16_t type, uint8_t note, uint8_t vel,
                 uint32_t number, float value) {
  ms_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.frame = f;
  ev.instrument = id;
  ev.type = type;
  ev.note = note;
  ev.velocity = vel;
  ev.number = number;
  ev.value = value;
  if (type == MS_EV_NOTE_ON) ev.params.gain_db = 1.0f; /* RT reads it as a linear gain */
  rt_dispatch_event(s, &ev, f);
}

static void note_off(ms_sampler_t *s, ms_midi_hub_t *h, uint32_t ch, uint32_t key, uint64_t f) {
  uint32_t n = h->target_count[ch][key];
  for (uint32_t i = 0; i < n; i++) {
    const midi_target_t *t = &h->targets[ch][key][i];
    send(s, f, t->id, MS_EV_NOTE_OFF, t->key, 0, ch, 0.0f);
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
    send(s, f, l->instrument, MS_EV_NOTE_ON, (uint8_t)out, v, ch, 0.0f);
  }
}

static void control(ms_sampler_t *s, const rt_midi_map_t *m, uint32_t ch, uint32_t cc, uint32_t value,
                    uint64_t f) {
  if (m->cc_mapped[ch][cc]) {
    for (uint32_t i = 0; i < m->cc_count; i++) {
      const ms_midi_cc_map_t *c = &m->ccs[i];
      if (c->controller != cc || !(c->channel_mask & (1u << ch))) continue;
      if (c->instrument) {
        send(s, f, c->instrument, MS_EV_PARAM, 0, 0, c->param, c->values[value]);
      } else {
        for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++)
          send(s, f, m->chan_inst[ch][k], MS_EV_PARAM, 0, 0, c->param, c->values[value]);
      }
    }
    return;
  }
  if (!m->channels[ch].pass_cc) return;
  for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++)
    send(s, f, m->chan_inst[ch][k], MS_EV_CC, 0, 0, cc, (float)value);
}

void rt_midi_dispatch(ms_sampler_t *s, const ms_event_t *ev, uint64_t f) {
  /* acquire pairs with CT's release store of the hub pointer (ctl_midi_hub) */
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  uint64_t arrival;
  memcpy(&arrival, &ev->params, sizeof arrival);
  if (arrival) record_latency(s, arrival, f);
  if (!h) return;
  const uint32_t st = ev->number & 0xffu, d1 = (ev->number >> 8) & 0x7fu, d2 = (ev->number >> 16) & 0x7fu;
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
    float value = (float)(int32_t)((d2 << 7 | d1) - 8192);
    float range = m->channels[ch].bend_range;
    for (uint32_t k = 0; k < m->chan_inst_count[ch]; k++) {
      if (range >= 0.0f) send(s, f, m->chan_inst[ch][k], MS_EV_PARAM, 0, 0, MS_PARAM_PITCH_BEND_RANGE, range);
      send(s, f, m->chan_inst[ch][k], MS_EV_PITCH_BEND, 0, 0, 0, value);
    }
  }
}

static bool retire(ms_sampler_t *s, rt_midi_map_t *m) {
  ms_ret_t r = {MS_RET_MIDI_MAP, 0, m};
  return ring_push(&s->ret_ring, &r);
}

void rt_midi_swap_map(ms_sampler_t *s, void *ptr) {
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  rt_midi_map_t *m = ptr;
  if (!h) { /* cannot happen: CT creates the hub before the first map; hand it back */
    if (m) retire(s, m);
    return;
  }
  while (h->retire_pending && retire(s, h->retire_pending)) h->retire_pending = h->retire_pending->next_retired;
  rt_midi_map_t *old = h->map;
  h->map = m;
  if (old && !retire(s, old)) { /* return ring full: keep it for the next swap */
    old->next_retired = h->retire_pending;
    h->retire_pending = old;
  }
}
