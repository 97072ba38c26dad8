/*
 * rt_process.c — the render thread's block loop: take commands from the
 * producer rings (immediate ones apply at once, timed ones are ordered by
 * frame), apply each timed command on its exact frame (splitting the block
 * there), render voices, write the output, feed the recorder and the stats;
 * with an Ableton Link session attached, stamp the call's first frame on
 * Link's timeline first (link/ms_link.cpp's rt_link_block).
 * What a command does lives in rt_dispatch.c (MIDI records first through
 * the MIDI map, rt_midi.c); what RT lets go of returns through rt_return.c.
 *
 * Thread: RT only (whoever calls ms_process: a test, the offline renderer,
 * the engine's own SCHED_FIFO thread or JACK's process callback). Never
 * allocates, locks, logs, does I/O or calls JavaScript. Failures have no
 * caller here: full queues and late events become counters.
 */
#include <string.h>
#include <time.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "rt/rt_arrival.h"
#include "rt/rt_meter.h"
#include "rt/rt_orbit.h"
#include "shared/engine.h"
#if MS_HAVE_LINK
#include "link/ms_link.h"
#endif

/* ------------------------------------------------------- event heap -- */

static inline bool timed_less(const rt_timed_t *a, const rt_timed_t *b) {
  return a->cmd.frame < b->cmd.frame || (a->cmd.frame == b->cmd.frame && a->seq < b->seq);
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

/* --------------------------------------------------------- the rings -- */

/* Apply a command that does not wait for its frame. */
static void apply_immediate(ms_sampler_t *s, const ms_cmd_t *c) {
  if (c->type == MS_CMD_SWAP_MIDI_MAP) rt_midi_swap_map(s, c->midi_map);
  else if (c->type == MS_CMD_ORBIT_MEMORY) rt_orbit_install(s, c->orbit.orbit, c->orbit.fx);
  else rt_dispatch_immediate(s, c);
}

/* Apply a timed command on frame f: MIDI records through the MIDI map. */
static void apply_timed(ms_sampler_t *s, const ms_cmd_t *c, uint64_t f) {
  if (c->type == MS_CMD_MIDI) rt_midi_dispatch(s, &c->midi, f);
  else if (c->type == MS_CMD_CYCLE) rt_orbit_set_cycle(s, c->frames_per_cycle);
  else if (c->type == MS_CMD_MIDI_OUT) rt_midi_out_dispatch(s, &c->midi_out, f);
  else {
    /* all sound off for the whole sampler: the orbits' tails too */
    if (c->type == MS_CMD_ALL_SOUND_OFF && c->all.instrument == 0) rt_orbit_silence(s, f);
    rt_dispatch(s, c, f);
  }
}

/* Move every waiting record from the producer rings into the time-ordered
 * heap (immediate commands apply at once). A full heap leaves records in
 * their ring. */
static void drain(ms_sampler_t *s) {
  uint64_t received = 0, late = 0;
  for (uint32_t p = 0; p < MS_MAX_PRODUCERS; p++) {
    /* acquire pairs with the release store that published the producer */
    ms_producer_t *prod = atomic_load_explicit(&s->producers[p], memory_order_acquire);
    if (!prod) continue;
    const ms_cmd_t *c;
    while ((c = (const ms_cmd_t *)ring_peek(&prod->ring)) != NULL) {
      if (c->type >= MS_CMD_FIRST_IMMEDIATE) {
        ms_cmd_t copy = *c;
        ring_advance(&prod->ring);
        apply_immediate(s, &copy);
        continue;
      }
      if (s->heap_count >= s->heap_capacity) break;
      rt_timed_t t;
      t.cmd = *c;
      t.seq = s->seq++;
      const uint64_t arrival = c->type == MS_CMD_MIDI ? c->midi.arrival_ns : 0;
      if (c->frame == MS_FRAME_NOW && arrival && s->anchor_frames) {
        t.cmd.frame = rt_arrival_frame(arrival, s->anchor_ns, s->anchor_frame, s->anchor_frames, s->now,
                                       s->cfg.sample_rate);
      } else if (c->frame == MS_FRAME_NOW) {
        t.cmd.frame = s->now;
      } else if (c->frame < s->now) {
        late++;
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
  memset(s->bus, 0, sizeof(float) * (size_t)s->buses * 2 * s->cfg.buffer_size);
  const uint64_t start = s->now, end = start + n;
  uint64_t cur = start;
  while (cur < end) {
    if (cur % MS_CONTROL_FRAMES == 0) rt_slots_advance(s);
    while (s->heap_count && s->heap[0].cmd.frame <= cur) {
      rt_timed_t t;
      heap_pop(s, &t);
      apply_timed(s, &t.cmd, cur);
    }
    uint64_t seg_end = (cur / MS_CONTROL_FRAMES + 1) * MS_CONTROL_FRAMES;
    if (seg_end > end) seg_end = end;
    if (s->heap_count && s->heap[0].cmd.frame < seg_end) seg_end = s->heap[0].cmd.frame;
    /* the orbits run each segment after its voices: sends and parameters
     * land on the same frames however the block is sliced */
    rt_orbit_segment_begin(s, cur, (uint32_t)(cur - start));
    rt_voices_render(s, cur, (uint32_t)(seg_end - cur), (uint32_t)(cur - start));
    rt_orbit_segment_end(s, (uint32_t)(seg_end - cur));
    cur = seg_end;
  }
  s->now = end;
  write_output(s, out, n);
  /* exactly 1 below its knee: quieter output keeps its bits */
  if (s->orbits->limiter_on) rt_fx_limiter_process(&s->orbits->limiter, out, n, s->cfg.channels);
  rt_meter_block(s, out, n);
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
  rt_retire_retry(s);
  drain(s);
  s->anchor_ns = t0;
  s->anchor_frame = s->now;
  s->anchor_frames = frames;
#if MS_HAVE_LINK
  /* seq_cst pair with ms_link_destroy: busy is raised before the pointer is
   * read, so CT, after clearing the pointer, waits while we may hold it */
  atomic_store(&s->link_busy, 1u);
  struct ms_link *link = atomic_load(&s->link);
  if (link) rt_link_block(link, s->now);
  atomic_store(&s->link_busy, 0u);
#endif
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
  uint64_t *bucket = &st->render_ns_hist[ms_hist_bucket(dt, MS_STATS_HIST_BUCKETS)];
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
