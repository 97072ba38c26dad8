/*
 * ring.h — single-producer single-consumer ring of fixed-size records.
 *
 * Threads: exactly one producer thread calls ring_push, exactly one consumer
 * thread calls ring_pop/ring_peek. Both are wait-free: no locks, no
 * allocation, no system calls, so either side may be the render thread.
 * Storage is handed in by the caller (allocated and mlock'ed on CT).
 *
 * Contract (after jack2's ringbuffer.h): head counts records ever written,
 * tail counts records ever read; both only grow (64-bit, never wrap in
 * practice). The producer owns head, the consumer owns tail; each lives on
 * its own cache line so the two sides do not false-share.
 */
#ifndef MS_SHARED_RING_H
#define MS_SHARED_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct ms_ring {
  alignas(64) _Atomic uint64_t head; /* producer-owned: records written */
  uint64_t cached_tail;              /* producer's last view of tail */
  alignas(64) _Atomic uint64_t tail; /* consumer-owned: records read */
  uint64_t cached_head;              /* consumer's last view of head */
  alignas(64) uint8_t *data;         /* capacity * record_size bytes */
  uint32_t capacity;                 /* power of two */
  uint32_t mask;
  uint32_t record_size;
} ms_ring_t;

static inline bool ring_is_pow2(uint32_t n) { return n != 0 && (n & (n - 1)) == 0; }

/* Bytes of storage ring_init needs. Thread: ANY. */
static inline size_t ring_storage_bytes(uint32_t capacity, uint32_t record_size) {
  return (size_t)capacity * record_size;
}

/* Set up a ring over storage. capacity must be a power of two. Thread: CT, before use. */
static inline bool ring_init(ms_ring_t *r, void *storage, uint32_t capacity, uint32_t record_size) {
  if (!r || !storage || !ring_is_pow2(capacity) || record_size == 0) return false;
  r->data = (uint8_t *)storage;
  r->capacity = capacity;
  r->mask = capacity - 1;
  r->record_size = record_size;
  r->cached_tail = 0;
  r->cached_head = 0;
  atomic_store_explicit(&r->head, 0, memory_order_relaxed);
  atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
  return true;
}

/* Append one record; false when full (the caller counts the drop). Thread: the producer. */
static inline bool ring_push(ms_ring_t *r, const void *record) {
  /* head is ours: a relaxed load sees our own last store. */
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (head - r->cached_tail >= r->capacity) {
    /* acquire pairs with the consumer's release store of tail in ring_pop:
     * once we see the new tail, the consumer has finished reading the slot. */
    r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - r->cached_tail >= r->capacity) return false;
  }
  memcpy(r->data + (size_t)(head & r->mask) * r->record_size, record, r->record_size);
  /* release pairs with the consumer's acquire load of head in ring_pop/peek:
   * the record's bytes are visible before the new head is. */
  atomic_store_explicit(&r->head, head + 1, memory_order_release);
  return true;
}

/* Pointer to the oldest unread record, or NULL when empty. Thread: the consumer. */
static inline const void *ring_peek(ms_ring_t *r) {
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  if (tail == r->cached_head) {
    /* acquire pairs with the producer's release store of head in ring_push. */
    r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (tail == r->cached_head) return NULL;
  }
  return r->data + (size_t)(tail & r->mask) * r->record_size;
}

/* Release the record ring_peek returned. Thread: the consumer. */
static inline void ring_advance(ms_ring_t *r) {
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  /* release pairs with the producer's acquire load of tail in ring_push:
   * our reads of the slot happen before the producer may overwrite it. */
  atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

/* Copy out and remove the oldest record; false when empty. Thread: the consumer. */
static inline bool ring_pop(ms_ring_t *r, void *record) {
  const void *p = ring_peek(r);
  if (!p) return false;
  memcpy(record, p, r->record_size);
  ring_advance(r);
  return true;
}

/* Records waiting (a snapshot; exact only on the consumer side). Thread: ANY. */
static inline uint32_t ring_count(ms_ring_t *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  return (uint32_t)(head - tail);
}

#endif /* MS_SHARED_RING_H */
