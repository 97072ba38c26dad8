/*
 * ctl_mem.c — every engine allocation, tracked so it can be locked in RAM.
 *
 * Thread: CT and loader helpers (ms_sample_load may run on several threads
 * at once): the block list is guarded by a mutex. Never the render thread.
 * Allocations are 64-byte aligned and zeroed. When the
 * sampler runs with locked memory (ms_sampler_enable_rt), each new block is
 * mlock'ed as it is made. We lock only our own blocks: mlockall inside Deno
 * crashes V8 (ENVIRONMENT.md), so the library never calls it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pthread.h>

#include "shared/engine.h"

/* One lock for every sampler's list: allocation is rare and never on RT. */
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

static void update_stats_locked(ms_sampler_t *s);

#define HDR_BYTES 64u /* header padded to keep user data 64-byte aligned */
_Static_assert(sizeof(ctl_block_t) <= HDR_BYTES, "block header fits");

static inline ctl_block_t *hdr_of(void *p) { return (ctl_block_t *)((char *)p - HDR_BYTES); }

static void *alloc_block(ms_sampler_t *s, size_t bytes, bool zero) {
  size_t total = HDR_BYTES + ((bytes + 63u) & ~(size_t)63u);
  void *raw = NULL;
  if (posix_memalign(&raw, 64, total) != 0) return NULL;
  if (zero) memset(raw, 0, total);
  else memset(raw, 0, HDR_BYTES);
  ctl_block_t *b = (ctl_block_t *)raw;
  b->bytes = total - HDR_BYTES;
  pthread_mutex_lock(&blocks_lock);
  b->prev = &s->blocks;
  b->next = s->blocks.next;
  if (b->next) b->next->prev = b;
  s->blocks.next = b;
  if (s->lock_memory && mlock(raw, total) == 0) b->locked = true;
  s->mem_total += total;
  if (b->locked) s->mem_locked += total;
  update_stats_locked(s);
  pthread_mutex_unlock(&blocks_lock);
  return (char *)raw + HDR_BYTES;
}

void *ctl_alloc(ms_sampler_t *s, size_t bytes) { return alloc_block(s, bytes, true); }

void *ctl_alloc_uninit(ms_sampler_t *s, size_t bytes) { return alloc_block(s, bytes, false); }

void ctl_free(ms_sampler_t *s, void *p) {
  if (!p) return;
  ctl_block_t *b = hdr_of(p);
  pthread_mutex_lock(&blocks_lock);
  b->prev->next = b->next;
  if (b->next) b->next->prev = b->prev;
  if (b->locked) munlock(b, HDR_BYTES + b->bytes);
  s->mem_total -= HDR_BYTES + b->bytes;
  if (b->locked) s->mem_locked -= HDR_BYTES + b->bytes;
  update_stats_locked(s);
  pthread_mutex_unlock(&blocks_lock);
  free(b);
}

int32_t ctl_lock_all(ms_sampler_t *s) {
  pthread_mutex_lock(&blocks_lock);
  s->lock_memory = true;
  int err = 0;
  for (ctl_block_t *b = s->blocks.next; b; b = b->next) {
    if (b->locked) continue;
    if (mlock(b, HDR_BYTES + b->bytes) == 0) {
      b->locked = true;
      s->mem_locked += HDR_BYTES + b->bytes;
    } else {
      err = errno;
    }
  }
  update_stats_locked(s);
  pthread_mutex_unlock(&blocks_lock);
  return err;
}

void ctl_unlock_all(ms_sampler_t *s) {
  pthread_mutex_lock(&blocks_lock);
  for (ctl_block_t *b = s->blocks.next; b; b = b->next) {
    if (b->locked) munlock(b, HDR_BYTES + b->bytes);
    b->locked = false;
  }
  s->mem_locked = 0;
  s->lock_memory = false;
  update_stats_locked(s);
  pthread_mutex_unlock(&blocks_lock);
}

/* Running totals, kept by alloc/free/lock under blocks_lock: O(1) per call. */
static void update_stats_locked(ms_sampler_t *s) {
  stat_set(&s->stats.memory_bytes, s->mem_total);
  stat_set(&s->stats.memory_locked_bytes, s->mem_locked);
}
