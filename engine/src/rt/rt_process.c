/*
 * rt_process.c — the render thread's block loop: take events from the
 * producer rings, order them by frame, apply each on its exact frame
 * (splitting the block there), render voices, write the output and stats.
 *
 * Thread: RT only (whoever calls ms_process: a test, the offline renderer,
 * later the engine's own SCHED_FIFO thread or JACK's process callback).
 * Never allocates, locks, logs, does I/O or calls JavaScript. Failures have
 * no caller here: full queues, late events and steals become counters.
 */
#include <string.h>
#include <time.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "rt/rt_arrival.h"
#include "rt/rt_dsp.h"
#include "shared/engine.h"

/* ------------------------------------------------------- event heap -- */

static inline bool timed_less(const rt_timed_t *a, const rt_timed_t *b) {
  return a->frame < b->frame || (a->frame == b->frame && a->seq < b->seq);
}

static void heap_push(ms_sampler_t *s, const rt_timed_t *t) {
  uint32_t i = s->heap_count++;
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (!timed_less(t, &s->heap[parent])) break;
    s->heap[i] = s->heap[parent];
    i = parent;
  }
  s->heap[i] = *t;
}

static void heap_pop(ms_sampler_t *s, rt_timed_t *out) {
  *out = s->heap[0];
  rt_timed_t last = s->heap[--s->heap_count];
  uint32_t i = 0, n = s->heap_count;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && timed_less(&s->heap[c + 1], &s->heap[c])) c++;
    if (!timed_less(&s->heap[c], &last)) break;
    s->heap[i] = s->heap[c];
    i = c;
  }
  if (n) s->heap[i] = last;
}

/* ---------------------------------------------------- return to CT -- */

void rt_retire_data(ms_sampler_t *s, rt_instrument_data_t *d) {
  ms_ret_t r = {MS_RET_INSTRUMENT_DATA, 0, d};
  if (!ring_push(&s->ret_ring, &r)) {
    /* return ring full: keep it on an intrusive list, retried each block */
    d->next_retired = s->retired_pending;
    s->retired_pending = d;
  } else {
    stat_set(&s->stats.instruments_retired, stat_get(&s->stats.instruments_retired) + 1);
  }
}

static void retry_retired(ms_sampler_t *s) {
  while (s->retired_pending) {
    rt_instrument_data_t *d = s->retired_pending;
    ms_ret_t r = {MS_RET_INSTRUMENT_DATA, 0, d};
    if (!ring_push(&s->ret_ring, &r)) return;
    s->retired_pending = d->next_retired;
    stat_set(&s->stats.instruments_retired, stat_get(&s->stats.instruments_retired) + 1);
  }
}

static void retire_slot_data(ms_sampler_t *s, rt_instrument_data_t *d) {
  if (!d) return;
  d->retired = true;
  if (d->voices_using == 0) rt_retire_data(s, d);
}

/* ------------------------------------------------------------ slots -- */

static void slot_reset_controllers(rt_slot_t *slot) {
  slot->bend = 0.0f;
  slot->mod = 0.0f;
  slot->expression = 1.0f;
}

static void slot_init(ms_sampler_t *s, rt_slot_t *slot, uint32_t index, uint32_t id) {
  memset(slot, 0, sizeof *slot);
  slot->id = id;
  slot->polyphony = s->cfg.max_polyphony;
  slot->bend_range = 2.0f;
  slot->vib_depth_cents = 50.0f;
  slot->vib_rate_hz = 5.5f;
  slot->volume = 1.0f;
  slot_reset_controllers(slot);
  slot->gain0 = slot->gain1 = 1.0f;
  slot->keyswitch = MS_NO_KEYSWITCH;
  slot->live = true;
  s->live_slots[s->live_slot_count++] = (uint16_t)index;
}

static void slot_unlist(ms_sampler_t *s, uint32_t index) {
  for (uint32_t i = 0; i < s->live_slot_count; i++) {
    if (s->live_slots[i] == index) {
      s->live_slots[i] = s->live_slots[--s->live_slot_count];
      break;
    }
  }
  s->slots[index].live = false;
}

/* At each control-grid boundary: smoothed gain/pan and vibrato for the chunk. */
static void slots_advance(ms_sampler_t *s, float smooth) {
  const float chunk_s = (float)MS_CONTROL_FRAMES / (float)s->cfg.sample_rate;
  for (uint32_t i = 0; i < s->live_slot_count; i++) {
    rt_slot_t *slot = &s->slots[s->live_slots[i]];
    slot->gain0 = slot->gain1;
    slot->pan0 = slot->pan1;
    float gt = slot->volume * slot->expression;
    slot->gain1 = gt + (slot->gain0 - gt) * smooth;
    slot->pan1 = slot->pan + (slot->pan0 - slot->pan) * smooth;
    if (slot->mod > 0.0f && slot->vib_depth_cents > 0.0f) {
      slot->vib_phase += slot->vib_rate_hz * chunk_s;
      slot->vib_phase -= (float)(int32_t)slot->vib_phase;
      slot->vib_cents = slot->mod * slot->vib_depth_cents * rt_sine(s, slot->vib_phase);
    } else {
      slot->vib_cents = 0.0f;
    }
  }
}

/* ------------------------------------------------------- dispatching -- */

static rt_slot_t *slot_for(ms_sampler_t *s, uint32_t id, uint32_t *index) {
  uint32_t i = MS_ID_SLOT(id);
  if (i >= s->cfg.max_instruments || s->slots[i].id != id || id == 0) return NULL;
  *index = i;
  return &s->slots[i];
}

static void apply_param(ms_sampler_t *s, rt_slot_t *slot, uint32_t si, uint32_t param, float v,
                        uint64_t f) {
  switch (param) {
    case MS_PARAM_VOLUME_DB: slot->volume = v; break; /* CT converted dB to linear */
    case MS_PARAM_PAN: slot->pan = v; break;
    case MS_PARAM_PITCH_BEND_RANGE: slot->bend_range = v; break;
    case MS_PARAM_VIBRATO_DEPTH: slot->vib_depth_cents = v; break;
    case MS_PARAM_VIBRATO_RATE_HZ: slot->vib_rate_hz = v; break;
    case MS_PARAM_MOD_WHEEL: slot->mod = v; break;
    case MS_PARAM_SUSTAIN: {
      bool down = v >= 0.5f;
      if (slot->sustain && !down) {
        slot->sustain = false;
        rt_voice_release_sustained(s, si, f);
      }
      slot->sustain = down;
      break;
    }
    case MS_PARAM_POLYPHONY: slot->polyphony = (uint32_t)v; break;
    case MS_PARAM_OUTPUT_BUS: {
      uint32_t b = (uint32_t)v;
      slot->bus = b < s->buses ? b : s->buses - 1;
      break;
    }
    case MS_PARAM_EXPRESSION: slot->expression = v; break;
    case MS_PARAM_KEYSWITCH: slot->keyswitch = (uint8_t)v; break;
    default: break;
  }
}

static void apply_cc(ms_sampler_t *s, rt_slot_t *slot, uint32_t si, uint32_t cc, uint32_t value,
                     uint64_t f) {
  slot->cc[cc & 127u] = (uint8_t)value;
  switch (cc) {
    case 1: slot->mod = (float)value * (1.0f / 127.0f); break;
    case 7: slot->volume = s->cc_gain[value]; break;
    case 10: {
      float p = ((float)value - 64.0f) / 63.0f;
      slot->pan = p < -1.0f ? -1.0f : p;
      break;
    }
    case 11: slot->expression = s->cc_gain[value]; break;
    case 64: apply_param(s, slot, si, MS_PARAM_SUSTAIN, value >= 64 ? 1.0f : 0.0f, f); break;
    case 120: rt_voice_fade_all(s, (int32_t)si, f, false); break;
    case 121:
      slot_reset_controllers(slot);
      apply_param(s, slot, si, MS_PARAM_SUSTAIN, 0.0f, f);
      break;
    case 123: rt_voice_all_notes_off(s, (int32_t)si, f); break;
    default: break;
  }
}

static void dispatch(ms_sampler_t *s, const rt_timed_t *t, uint64_t f) {
  const ms_event_t *ev = &t->ev;
  uint32_t si = 0;
  rt_slot_t *slot = NULL;
  if (ev->type == MS_EV_ALL_NOTES_OFF || ev->type == MS_EV_ALL_SOUND_OFF) {
    int32_t target = -1;
    if (ev->instrument) {
      if (!(slot = slot_for(s, ev->instrument, &si))) return;
      target = (int32_t)si;
    }
    if (ev->type == MS_EV_ALL_NOTES_OFF) rt_voice_all_notes_off(s, target, f);
    else rt_voice_fade_all(s, target, f, false);
    return;
  }
  if (ev->type == MS_EV_MIDI) { /* raw MIDI: the MIDI map decides (rt_midi.c) */
    rt_midi_dispatch(s, ev, f);
    return;
  }
  if (!(slot = slot_for(s, ev->instrument, &si))) return; /* removed instrument: ignore */
  switch (ev->type) {
    case MS_EV_NOTE_ON: rt_voice_note_on(s, slot, si, ev, f); break;
    case MS_EV_NOTE_OFF: rt_voice_note_off(s, si, ev->note, f); break;
    case MS_EV_CC: apply_cc(s, slot, si, ev->number, (uint32_t)ev->value, f); break;
    case MS_EV_PITCH_BEND: slot->bend = ev->value * (1.0f / 8192.0f); break;
    case MS_EV_PARAM: apply_param(s, slot, si, ev->number, ev->value, f); break;
    default: break;
  }
}

void rt_dispatch_event(ms_sampler_t *s, const ms_event_t *ev, uint64_t f) {
  rt_timed_t t;
  t.ev = *ev;
  dispatch(s, &t, f);
}

static void apply_command(ms_sampler_t *s, const ms_cmd_t *c) {
  switch (c->ev.type) {
    case MS_CMD_SWAP_INSTRUMENT: {
      uint32_t id = c->ev.instrument, i = MS_ID_SLOT(id);
      if (i >= s->cfg.max_instruments) {
        if (c->ptr) rt_retire_data(s, (rt_instrument_data_t *)c->ptr);
        return;
      }
      rt_slot_t *slot = &s->slots[i];
      if (slot->id != id) {
        if (slot->live) { /* a removed instrument's slot reused without a remove: be safe */
          rt_voice_fade_all(s, (int32_t)i, s->now, true);
          retire_slot_data(s, slot->data);
          slot_unlist(s, i);
        }
        slot_init(s, slot, i, id);
      }
      rt_instrument_data_t *old = slot->data;
      slot->data = (rt_instrument_data_t *)c->ptr;
      retire_slot_data(s, old);
      break;
    }
    case MS_CMD_REMOVE_INSTRUMENT: {
      uint32_t si;
      rt_slot_t *slot = slot_for(s, c->ev.instrument, &si);
      if (!slot) return;
      rt_voice_fade_all(s, (int32_t)si, s->now, true);
      retire_slot_data(s, slot->data);
      slot->data = NULL;
      slot->id = 0;
      slot_unlist(s, si);
      break;
    }
    case MS_CMD_SET_INTERP: s->interpolation = c->ev.number; break;
    case MS_CMD_SWAP_MIDI_MAP: rt_midi_swap_map(s, c->ptr); break;
    case MS_CMD_REMOVE_PRODUCER: {
      uint32_t k = c->ev.number;
      if (k > 0 && k < MS_MAX_PRODUCERS) {
        /* release pairs with CT's acquire when it reads the return record:
         * after this store RT never touches the producer again */
        atomic_store_explicit(&s->producers[k], NULL, memory_order_release);
        ms_ret_t r = {MS_RET_PRODUCER, k, c->ptr};
        ring_push(&s->ret_ring, &r); /* sized so this cannot fail: at most 8 producers */
      }
      break;
    }
    default: break;
  }
}

/* Move every waiting record from the producer rings into the time-ordered
 * heap (commands apply at once). A full heap leaves records in their ring. */
static void drain(ms_sampler_t *s) {
  uint64_t received = 0, late = 0;
  for (uint32_t p = 0; p < MS_MAX_PRODUCERS; p++) {
    /* acquire pairs with the release store that published the producer */
    ms_producer_t *prod = atomic_load_explicit(&s->producers[p], memory_order_acquire);
    if (!prod) continue;
    const ms_cmd_t *c;
    while ((c = (const ms_cmd_t *)ring_peek(&prod->ring)) != NULL) {
      if (c->ev.type >= MS_CMD_SWAP_INSTRUMENT) {
        ms_cmd_t copy = *c;
        ring_advance(&prod->ring);
        apply_command(s, &copy);
        continue;
      }
      if (s->heap_count >= s->heap_capacity) break;
      rt_timed_t t;
      t.ev = c->ev;
      t.seq = s->seq++;
      uint64_t arrival = 0;
      if (c->ev.type == MS_EV_MIDI) memcpy(&arrival, &c->ev.params, sizeof arrival);
      if (c->ev.frame == MS_FRAME_NOW && arrival && s->anchor_frames) {
        t.frame = rt_arrival_frame(arrival, s->anchor_ns, s->anchor_frame, s->anchor_frames, s->now,
                                   s->cfg.sample_rate);
      } else if (c->ev.frame == MS_FRAME_NOW) {
        t.frame = s->now;
      } else {
        t.frame = c->ev.frame;
        if (t.frame < s->now) late++;
      }
      ring_advance(&prod->ring);
      heap_push(s, &t);
      received++;
    }
  }
  if (received) stat_set(&s->stats.events_received, stat_get(&s->stats.events_received) + received);
  if (late) stat_set(&s->stats.events_late, stat_get(&s->stats.events_late) + late);
}

/* ------------------------------------------------------------- output -- */

static void write_output(const ms_sampler_t *s, float *out, uint32_t n) {
  const uint32_t C = s->cfg.channels, B = s->cfg.buffer_size;
  if (C == 1) {
    const float *L = s->bus, *R = s->bus + B;
    for (uint32_t i = 0; i < n; i++) out[i] = (L[i] + R[i]) * 0.70710678f;
    return;
  }
  if (C == 2) {
    const float *L = s->bus, *R = s->bus + B;
    for (uint32_t i = 0; i < n; i++) {
      out[2 * i] = L[i];
      out[2 * i + 1] = R[i];
    }
    return;
  }
  memset(out, 0, sizeof(float) * n * C);
  for (uint32_t b = 0; b < s->buses; b++) {
    const float *L = s->bus + (size_t)b * 2 * B, *R = L + B;
    uint32_t c0 = 2 * b, c1 = 2 * b + 1;
    if (c1 < C) {
      for (uint32_t i = 0; i < n; i++) {
        out[i * C + c0] = L[i];
        out[i * C + c1] = R[i];
      }
    } else if (c0 < C) {
      for (uint32_t i = 0; i < n; i++) out[i * C + c0] = (L[i] + R[i]) * 0.70710678f;
    }
  }
}

static void render_block(ms_sampler_t *s, float *out, uint32_t n) {
  const float smooth = s->smooth_coef;
  memset(s->bus, 0, sizeof(float) * (size_t)s->buses * 2 * s->cfg.buffer_size);
  const uint64_t start = s->now, end = start + n;
  uint64_t cur = start;
  while (cur < end) {
    if (cur % MS_CONTROL_FRAMES == 0) slots_advance(s, smooth);
    while (s->heap_count && s->heap[0].frame <= cur) {
      rt_timed_t t;
      heap_pop(s, &t);
      dispatch(s, &t, cur);
    }
    uint64_t seg_end = (cur / MS_CONTROL_FRAMES + 1) * MS_CONTROL_FRAMES;
    if (seg_end > end) seg_end = end;
    if (s->heap_count && s->heap[0].frame < seg_end) seg_end = s->heap[0].frame;
    rt_voices_render(s, cur, (uint32_t)(seg_end - cur), (uint32_t)(cur - start));
    cur = seg_end;
  }
  s->now = end;
  write_output(s, out, n);
}

/* Eighth-octave bucket of a render time, with integer operations only:
 * 8*log2(ns/1000) from the leading bit and the next three bits. */
static inline uint32_t hist_bucket(uint64_t ns) {
  uint64_t us8 = ns * 8 / 1000; /* eighths of a microsecond */
  if (us8 < 8) return 0;
  uint32_t lead = 63u - (uint32_t)__builtin_clzll(us8); /* >= 3 */
  uint32_t frac = (uint32_t)((us8 >> (lead - 3)) & 7u);
  uint32_t b = (lead - 3) * 8 + frac;
  return b < MS_STATS_HIST_BUCKETS ? b : MS_STATS_HIST_BUCKETS - 1;
}

/* Copy a call's output into the recorder's ring; never waits: when the writer
 * is behind, the whole call is dropped and counted. */
void rt_recorder_feed(ms_sampler_t *s, const float *frames, uint32_t n) {
  /* seq_cst pair with ms_recorder_stop: busy is raised before the pointer is
   * read, so CT, after clearing the pointer, waits while we may hold it */
  atomic_store(&s->recorder_busy, 1u);
  struct ms_recorder *r = atomic_load(&s->recorder);
  if (r && n) {
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    /* acquire pairs with the writer's release of tail: its reads are done */
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail + n > r->capacity) {
      atomic_fetch_add_explicit(&r->dropped, n, memory_order_relaxed);
    } else {
      const uint32_t C = r->channels;
      uint32_t at = (uint32_t)(head & (r->capacity - 1));
      uint32_t first = r->capacity - at < n ? r->capacity - at : n;
      memcpy(r->ring + (size_t)at * C, frames, sizeof(float) * first * C);
      if (first < n) memcpy(r->ring, frames + (size_t)first * C, sizeof(float) * (n - first) * C);
      /* release pairs with the writer's acquire of head: frames before count */
      atomic_store_explicit(&r->head, head + n, memory_order_release);
    }
  }
  atomic_store(&s->recorder_busy, 0u);
}

static inline uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

MS_API int32_t ms_process(ms_sampler_t *s, float *buffer, uint32_t frames) {
  if (MS_UNLIKELY(!s || (!buffer && frames))) return MS_ERR_INVALID_ARGUMENT;
  /* a second render caller (ms_process or a file render while a live output
   * runs) is refused, not waited for: acquire pairs with the release below */
  if (MS_UNLIKELY(atomic_exchange_explicit(&s->in_process, 1u, memory_order_acquire)))
    return MS_ERR_STATE;
#if defined(__SSE__)
  /* flush denormals to zero for this call (FTZ | DAZ), restore after */
  const unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040u);
#endif
  const uint64_t t0 = mono_ns();
  retry_retired(s);
  drain(s);
  s->anchor_ns = t0;
  s->anchor_frame = s->now;
  s->anchor_frames = frames;
  uint32_t done = 0;
  while (done < frames) {
    uint32_t n = frames - done;
    if (n > s->cfg.buffer_size) n = s->cfg.buffer_size;
    render_block(s, buffer + (size_t)done * s->cfg.channels, n);
    done += n;
  }
  rt_recorder_feed(s, buffer, frames);
  const uint64_t dt = mono_ns() - t0;

  ms_stats_t *st = &s->stats;
  stat_set(&st->blocks_rendered, stat_get(&st->blocks_rendered) + 1);
  stat_set(&st->voices_active, s->holding);
  stat_set(&st->render_ns_last, dt);
  stat_set(&st->render_ns_total, stat_get(&st->render_ns_total) + dt);
  if (dt > stat_get(&st->render_ns_max)) stat_set(&st->render_ns_max, dt);
  uint64_t *bucket = &st->render_ns_hist[hist_bucket(dt)];
  stat_set(bucket, stat_get(bucket) + 1);
  stat_set(&st->block_frames_last, frames);
  if (frames) {
    uint64_t budget_ns = (uint64_t)frames * 1000000000ull / s->cfg.sample_rate;
    uint64_t ppm = budget_ns ? dt * 1000000ull / budget_ns : 0;
    stat_set(&st->dsp_load_ppm, ppm);
    if (ppm > stat_get(&st->dsp_load_max_ppm)) stat_set(&st->dsp_load_max_ppm, ppm);
  }
  /* release pairs with readers' acquire of frames_rendered (ms_sampler_now):
   * counters above are visible once the new frame count is */
  __atomic_store_n(&st->frames_rendered, s->now, __ATOMIC_RELEASE);
#if defined(__SSE__)
  _mm_setcsr(csr);
#endif
  atomic_store_explicit(&s->in_process, 0u, memory_order_release);
  return MS_OK;
}

MS_API uint64_t ms_sampler_now(const ms_sampler_t *s) {
  if (!s) return 0;
  return __atomic_load_n(&s->stats.frames_rendered, __ATOMIC_ACQUIRE);
}
