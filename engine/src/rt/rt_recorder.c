/*
 * rt_recorder.c — the render thread's feed of the recorder: each ms_process
 * call's output is copied into the attached recorder's ring, which the
 * recorder's writer thread (ctl_recorder.c) drains to the file.
 *
 * Thread: RT only. Never allocates, locks, logs, does I/O or waits: when
 * the writer is behind, the whole call is dropped and counted.
 */
#include <string.h>

#include "shared/engine.h"

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
