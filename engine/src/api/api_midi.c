/*
 * api_midi.c — exported MIDI functions: map checks and compilation into the
 * render thread's immutable table, inputs, the JavaScript poll/wait pair and
 * the stats block.
 *
 * Thread: CT, except ms_midi_wait (one helper thread, e.g. Deno's
 * nonblocking FFI pool), ms_midi_wake and ms_midi_stats_ptr (ANY).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "shared/midi.h"

MS_API void ms_midi_layer_init(ms_midi_layer_t *l) {
  if (!l) return;
  memset(l, 0, sizeof *l);
  l->channel_mask = 0xffffu;
  l->lo_key = 0;
  l->hi_key = 127;
  l->lo_vel = 1;
  l->hi_vel = 127;
  l->program = MS_MIDI_ANY_PROGRAM;
  for (uint32_t v = 0; v < 128; v++) l->velocity[v] = (uint8_t)v;
}

static bool instrument_exists(ms_sampler_t *s, uint32_t id) {
  if (MS_ID_SERIAL(id) != s->serial) return false;
  uint32_t slot = MS_ID_SLOT(id);
  return slot < s->cfg.max_instruments && s->instruments[slot] && s->instruments[slot]->id == id;
}

/* MS_PARAM_* ranges a controller may drive (as ms_instrument_set_param_at checks). */
static bool param_range(uint32_t p, float *lo, float *hi) {
  if (p >= MS_PARAM_CONTROL && p < MS_PARAM_CONTROL + MS_CONTROL_COUNT) { /* an instrument-level control value */
    ms_field_info_t f;
    ms_field_info(MS_FIELDS_CONTROL, p - MS_PARAM_CONTROL, &f);
    *lo = (float)f.min;
    *hi = (float)f.max;
    return true;
  }
  switch (p) {
    case MS_PARAM_VOLUME_DB: *lo = -144.0f; *hi = 24.0f; return true;
    case MS_PARAM_PAN: *lo = -1.0f; *hi = 1.0f; return true;
    case MS_PARAM_PITCH_BEND_RANGE: *lo = 0.0f; *hi = 48.0f; return true;
    case MS_PARAM_VIBRATO_DEPTH: *lo = 0.0f; *hi = 1200.0f; return true;
    case MS_PARAM_VIBRATO_RATE_HZ: *lo = 0.01f; *hi = 40.0f; return true;
    case MS_PARAM_MOD_WHEEL: *lo = 0.0f; *hi = 1.0f; return true;
    case MS_PARAM_SUSTAIN: *lo = 0.0f; *hi = 1.0f; return true;
    case MS_PARAM_POLYPHONY: *lo = 1.0f; *hi = 4096.0f; return true;
    case MS_PARAM_OUTPUT_BUS: *lo = 0.0f; *hi = (float)(MS_MAX_BUSES - 1); return true;
    case MS_PARAM_EXPRESSION: *lo = 0.0f; *hi = 1.0f; return true;
    case MS_PARAM_KEYSWITCH: *lo = 0.0f; *hi = 255.0f; return true;
    default: return false;
  }
}

#define MAP_FAIL(code, ...) ctl_fail(s, code, "Cannot set MIDI map: " __VA_ARGS__)

static int32_t check_layer(ms_sampler_t *s, uint32_t i, const ms_midi_layer_t *l) {
  if (!l->channel_mask) return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: channel_mask is 0 (no channel)", i);
  if (l->lo_key > 127 || l->hi_key > 127 || l->lo_key > l->hi_key)
    return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: keys %u..%u are not a range within 0..127", i, l->lo_key,
                    l->hi_key);
  if (l->lo_vel < 1 || l->hi_vel > 127 || l->lo_vel > l->hi_vel)
    return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: velocities %u..%u are not a range within 1..127", i, l->lo_vel,
                    l->hi_vel);
  if (l->program > 127 && l->program != MS_MIDI_ANY_PROGRAM)
    return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: program %u is not 0..127 or 255 (any)", i, l->program);
  if (l->transpose < -127 || l->transpose > 127)
    return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: transpose %d is outside -127..127", i, (int)l->transpose);
  for (uint32_t v = 1; v < 128; v++)
    if (l->velocity[v] > 127)
      return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "layer %u: velocity[%u] = %u is above 127", i, v, l->velocity[v]);
  if (!instrument_exists(s, l->instrument))
    return MAP_FAIL(MS_ERR_INVALID_ARGUMENT, "layer %u: instrument id 0x%08x does not exist (destroyed?)", i,
                    l->instrument);
  return MS_OK;
}

static int32_t check_cc(ms_sampler_t *s, uint32_t i, const ms_midi_cc_map_t *c) {
  float lo, hi;
  if (!c->channel_mask) return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "cc map %u: channel_mask is 0 (no channel)", i);
  if (c->controller > 127)
    return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "cc map %u: controller %u is above 127", i, c->controller);
  if (!param_range(c->param, &lo, &hi))
    return MAP_FAIL(MS_ERR_INVALID_ARGUMENT, "cc map %u: param %u is not an MS_PARAM_* value", i, c->param);
  for (uint32_t v = 0; v < 128; v++)
    if (!isfinite(c->values[v]) || c->values[v] < lo || c->values[v] > hi)
      return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "cc map %u: values[%u] = %g is outside %g..%g for param %u", i, v,
                      c->values[v], lo, hi, c->param);
  if (c->instrument && !instrument_exists(s, c->instrument))
    return MAP_FAIL(MS_ERR_INVALID_ARGUMENT, "cc map %u: instrument id 0x%08x does not exist (destroyed?)", i,
                    c->instrument);
  return MS_OK;
}

/* A controller that picks an instrument's orbit, or sends to one, plays on
 * the render thread: the orbits it can reach get their memory now (each
 * orbit among its values; the default orbit 0 for a send: an orbit named
 * elsewhere is prepared where it is named). */
static int32_t prepare_cc_orbits(ms_sampler_t *s, uint32_t i, const ms_midi_cc_map_t *c) {
  if (c->param == MS_PARAM_CONTROL + MS_CONTROL_ORBIT) {
    uint32_t done = 0;
    for (uint32_t v = 0; v < 128; v++) {
      const uint32_t k = (uint32_t)c->values[v];
      if (k < 32 && (done >> k) & 1u) continue;
      char what[48];
      snprintf(what, sizeof what, "set MIDI map: cc map %u", i);
      int32_t rc = ctl_orbit_prepare(s, k, what);
      if (rc != MS_OK) return rc;
      if (k < 32) done |= 1u << k;
    }
    return MS_OK;
  }
  if (c->param == MS_PARAM_CONTROL + MS_CONTROL_ROOM || c->param == MS_PARAM_CONTROL + MS_CONTROL_DELAY) {
    for (uint32_t v = 0; v < 128; v++)
      if (c->values[v] > 0.0f) return ctl_orbit_prepare(s, 0, "set MIDI map");
  }
  return MS_OK;
}

static void add_chan_inst(rt_midi_map_t *m, uint16_t mask, uint32_t id) {
  for (uint32_t ch = 0; ch < 16; ch++) {
    if (!(mask & (1u << ch))) continue;
    uint32_t n = m->chan_inst_count[ch];
    bool seen = false;
    for (uint32_t k = 0; k < n; k++) seen |= m->chan_inst[ch][k] == id;
    if (!seen && n < MS_MIDI_CHAN_INSTRUMENTS) m->chan_inst[ch][m->chan_inst_count[ch]++] = id;
  }
}

MS_API int32_t ms_midi_map_set(ms_sampler_t *s, const ms_midi_layer_t *layers, uint32_t layer_count,
                               const ms_midi_cc_map_t *ccs, uint32_t cc_count, const ms_midi_channel_t *channels) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set MIDI map: sampler is NULL");
  ctl_clear_error(s);
  if ((!layers && layer_count) || (!ccs && cc_count))
    return MAP_FAIL(MS_ERR_INVALID_ARGUMENT, "layers or cc_maps is NULL with a non-zero count");
  if (layer_count > MS_MIDI_MAX_LAYERS)
    return MAP_FAIL(MS_ERR_LIMIT, "%u layers is more than %u", layer_count, MS_MIDI_MAX_LAYERS);
  if (cc_count > MS_MIDI_MAX_CC_MAPS)
    return MAP_FAIL(MS_ERR_LIMIT, "%u cc maps is more than %u", cc_count, MS_MIDI_MAX_CC_MAPS);
  for (uint32_t i = 0; i < layer_count; i++) {
    int32_t rc = check_layer(s, i, &layers[i]);
    if (rc != MS_OK) return rc;
  }
  for (uint32_t i = 0; i < cc_count; i++) {
    int32_t rc = check_cc(s, i, &ccs[i]);
    if (rc != MS_OK) return rc;
  }
  for (uint32_t i = 0; i < cc_count; i++) {
    int32_t rc = prepare_cc_orbits(s, i, &ccs[i]);
    if (rc != MS_OK) return rc;
  }
  for (uint32_t ch = 0; channels && ch < 16; ch++) {
    const ms_midi_channel_t *c = &channels[ch];
    if (!isfinite(c->bend_range) || c->bend_range > 48.0f)
      return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "channel %u: bend_range %g is above 48 semitones", ch, c->bend_range);
    if (c->program > 127) return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "channel %u: program %u is above 127", ch, c->program);
    if (c->pass_cc > 1) return MAP_FAIL(MS_ERR_OUT_OF_RANGE, "channel %u: pass_cc %u is not 0 or 1", ch, c->pass_cc);
  }
  ms_midi_hub_t *h = ctl_midi_hub(s);
  if (!h) return MAP_FAIL(MS_ERR_NO_MEMORY, "out of memory");
  ctl_collect(s); /* free maps the render thread handed back */

  size_t bytes = sizeof(rt_midi_map_t) + sizeof(ms_midi_layer_t) * layer_count + sizeof(ms_midi_cc_map_t) * cc_count;
  rt_midi_map_t *m = ctl_alloc(s, bytes);
  if (!m) return MAP_FAIL(MS_ERR_NO_MEMORY, "out of memory for %u layers", layer_count);
  ms_midi_layer_t *L = (ms_midi_layer_t *)(m + 1);
  ms_midi_cc_map_t *C = (ms_midi_cc_map_t *)(L + layer_count);
  if (layer_count) memcpy(L, layers, sizeof *L * layer_count);
  if (cc_count) memcpy(C, ccs, sizeof *C * cc_count);
  m->layers = L;
  m->ccs = C;
  m->layer_count = layer_count;
  m->cc_count = cc_count;
  for (uint32_t ch = 0; ch < 16; ch++) {
    if (channels) {
      m->channels[ch] = channels[ch];
    } else {
      m->channels[ch].bend_range = -1.0f;
      m->channels[ch].program = 0;
      m->channels[ch].pass_cc = 1;
    }
  }
  for (uint32_t i = 0; i < layer_count; i++) add_chan_inst(m, L[i].channel_mask, L[i].instrument);
  for (uint32_t i = 0; i < cc_count; i++) {
    ms_midi_cc_map_t *c = &C[i];
    for (uint32_t ch = 0; ch < 16; ch++)
      if (c->channel_mask & (1u << ch)) m->cc_mapped[ch][c->controller] = true;
    if (c->param == MS_PARAM_VOLUME_DB) /* RT takes volume as a linear gain */
      for (uint32_t v = 0; v < 128; v++)
        c->values[v] = c->values[v] <= -144.0f ? 0.0f : (float)pow(10.0, c->values[v] / 20.0);
  }
  /* the instruments the map plays must have their zones on RT before the first note */
  for (uint32_t i = 0; i < layer_count; i++) api_publish_for(s, L[i].instrument);

  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.frame = MS_FRAME_NOW;
  c.type = MS_CMD_SWAP_MIDI_MAP;
  c.midi_map = m;
  if (ctl_push(s, &c) != MS_OK) {
    ctl_free(s, m);
    return api_ring_full(s, "the MIDI map");
  }
  return MS_OK;
}

MS_API int32_t ms_midi_in_open(ms_sampler_t *s, uint32_t kind, const char *path, ms_midi_in_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI input: sampler is NULL");
  ctl_clear_error(s);
  if (!out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI input: the output pointer is NULL");
  *out = NULL;
  if (kind != MS_MIDI_IN_RAW && kind != MS_MIDI_IN_ALSA_SEQ)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "Cannot open MIDI input: kind %u is not MS_MIDI_IN_RAW (1) or MS_MIDI_IN_ALSA_SEQ (2)", kind);
  if (!path) path = "";
  if (kind == MS_MIDI_IN_RAW && !path[0])
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI input: a raw input needs a device or file path");
  if (strlen(path) >= 256)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI input: the path is longer than 255 bytes");
  return ctl_midi_in_open(s, kind, path, out);
}

MS_API void ms_midi_in_close(ms_midi_in_t *in) {
  if (in) ctl_midi_in_close(in);
}

MS_API uint32_t ms_midi_poll(ms_sampler_t *s, ms_midi_message_t *out, uint32_t cap) {
  if (!s || (!out && cap)) return 0;
  ms_midi_hub_t *h = ctl_midi_hub(s);
  if (!h) return 0;
  atomic_store_explicit(&h->listening, 1u, memory_order_relaxed);
  /* acquire pairs with the producers' release add in midi_source_deliver */
  uint64_t pushed = atomic_load_explicit(&h->polled_pushed, memory_order_acquire);
  uint32_t n = 0;
  /* several sources: take the oldest head each time so messages come out in arrival order */
  while (n < cap) {
    ms_midi_source_t *best = NULL;
    uint64_t best_t = UINT64_MAX;
    for (uint32_t i = 0; i < MS_MIDI_MAX_SOURCES; i++) {
      ms_midi_source_t *src = h->sources[i];
      if (!src) continue;
      const ms_midi_message_t *m = ring_peek(&src->poll_ring);
      if (m && m->arrival_ns < best_t) {
        best = src;
        best_t = m->arrival_ns;
      }
    }
    if (!best) break;
    ring_pop(&best->poll_ring, &out[n++]);
  }
  if (n < cap) /* drained: what was counted before is seen */
    atomic_store_explicit(&h->polled_seen, pushed, memory_order_release);
  return n;
}

MS_API int32_t ms_midi_wait(ms_sampler_t *s, uint32_t timeout_ms) {
  if (!s) return MS_ERR_INVALID_ARGUMENT;
  /* acquire pairs with ctl_midi_hub's release: CT creates the hub before it starts waiters */
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  if (!h) return MS_ERR_INVALID_ARGUMENT; /* the TypeScript layer polls once first, which creates it */
  atomic_store_explicit(&h->listening, 1u, memory_order_relaxed);
  uint64_t deadline = midi_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
  for (;;) {
    if (atomic_load_explicit(&h->polled_pushed, memory_order_acquire) !=
        atomic_load_explicit(&h->polled_seen, memory_order_acquire))
      return 1;
    uint64_t now = midi_mono_ns();
    if (now >= deadline) return 0;
    uint64_t left_ms = (deadline - now + 999999) / 1000000;
    /* 2 ms slices: JACK MIDI is pushed by the render thread, which may not write the eventfd */
    struct pollfd p = {h->wake_fd, POLLIN, 0};
    int r = poll(&p, 1, (int)(left_ms < 2 ? left_ms : 2));
    if (r > 0) {
      uint64_t v;
      ssize_t rd = read(h->wake_fd, &v, sizeof v);
      (void)rd;
      return 1;
    }
    if (r < 0 && errno != EINTR) return MS_ERR_IO;
  }
}

MS_API void ms_midi_wake(ms_sampler_t *s) {
  if (!s) return;
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  if (!h || h->wake_fd < 0) return;
  uint64_t one = 1;
  ssize_t w = write(h->wake_fd, &one, sizeof one);
  (void)w;
}

MS_API const ms_midi_stats_t *ms_midi_stats_ptr(const ms_sampler_t *s) { return s ? &s->midi_stats : NULL; }
