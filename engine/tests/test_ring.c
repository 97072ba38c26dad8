/*
 * test_ring.c — the SPSC ring (src/shared/ring.h), tested directly.
 *
 * Single-thread semantics (init checks, empty/full, FIFO order, wrap-around
 * many times, peek/advance), then a two-thread stress test: millions of
 * sequence-numbered records, none lost, duplicated or reordered, producer
 * retrying when full. Labelled `tsan`: the TSan build runs it to check every
 * acquire/release pairing.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "shared/ring.h"
#include "test_util.h"

#if defined(__SANITIZE_THREAD__)
#define STRESS_RECORDS 3000000ull
#else
#define STRESS_RECORDS 5000000ull
#endif

typedef struct rec {
  uint64_t seq;
  uint64_t check; /* seq * a constant: catches torn records */
  uint32_t pad[6];
} rec_t;

static uint64_t check_of(uint64_t seq) { return seq * 0x9E3779B97F4A7C15ull ^ 0x5555; }

static void test_init(void) {
  tu_section("init");
  ms_ring_t r;
  uint8_t storage[64 * 8];
  CHECK(!ring_init(&r, storage, 0, 8));
  CHECK(!ring_init(&r, storage, 3, 8));
  CHECK(!ring_init(&r, storage, 48, 8));
  CHECK(!ring_init(&r, storage, 8, 0));
  CHECK(!ring_init(&r, NULL, 8, 8));
  CHECK(!ring_init(NULL, storage, 8, 8));
  CHECK(ring_init(&r, storage, 1, 8));
  CHECK(ring_init(&r, storage, 64, 8));
  CHECK_EQ_U64(ring_storage_bytes(64, 8), 512);
  CHECK_EQ_U64(ring_storage_bytes(1u << 20, 40), 40ull << 20);
  CHECK_EQ_INT(r.capacity, 64);
  CHECK_EQ_INT(r.mask, 63);
  CHECK_EQ_INT(ring_count(&r), 0);
  /* head and tail must not share a cache line (false sharing). */
  CHECK((uintptr_t)&r.tail / 64 != (uintptr_t)&r.head / 64);
}

static void test_empty_full(void) {
  tu_section("empty and full");
  enum { CAP = 16 };
  rec_t storage[CAP];
  ms_ring_t r;
  REQUIRE(ring_init(&r, storage, CAP, sizeof(rec_t)), TU_NOTHING);
  rec_t x;
  CHECK(ring_peek(&r) == NULL);
  CHECK(!ring_pop(&r, &x));
  for (uint64_t i = 0; i < CAP; i++) {
    rec_t in = {.seq = i, .check = check_of(i)};
    CHECK(ring_push(&r, &in));
    CHECK_EQ_INT(ring_count(&r), i + 1);
  }
  rec_t extra = {.seq = 999, .check = check_of(999)};
  CHECK(!ring_push(&r, &extra)); /* full: refused, nothing overwritten */
  CHECK(!ring_push(&r, &extra));
  CHECK_EQ_INT(ring_count(&r), CAP);
  /* peek is stable until advance */
  const rec_t *p1 = ring_peek(&r), *p2 = ring_peek(&r);
  CHECK(p1 != NULL && p1 == p2);
  CHECK(p1 && p1->seq == 0);
  ring_advance(&r);
  CHECK_EQ_INT(ring_count(&r), CAP - 1);
  CHECK(ring_push(&r, &extra)); /* one slot free again */
  CHECK(!ring_push(&r, &extra));
  for (uint64_t i = 1; i < CAP; i++) {
    CHECK(ring_pop(&r, &x));
    CHECK_EQ_U64(x.seq, i);
    CHECK_EQ_U64(x.check, check_of(i));
  }
  CHECK(ring_pop(&r, &x));
  CHECK_EQ_U64(x.seq, 999);
  CHECK(!ring_pop(&r, &x));
  CHECK(ring_peek(&r) == NULL);
  CHECK_EQ_INT(ring_count(&r), 0);
}

/* Capacity 1 is the degenerate edge: every push fills it. */
static void test_capacity_one(void) {
  tu_section("capacity 1");
  uint64_t storage[1], v;
  ms_ring_t r;
  REQUIRE(ring_init(&r, storage, 1, sizeof(uint64_t)), TU_NOTHING);
  for (uint64_t i = 0; i < 1000; i++) {
    CHECK(ring_push(&r, &i));
    CHECK(!ring_push(&r, &i));
    CHECK(ring_pop(&r, &v));
    CHECK_EQ_U64(v, i);
    CHECK(!ring_pop(&r, &v));
  }
}

/* Odd record sizes (3 bytes, 40 = ms_event_t) and many wrap-arounds with
 * uneven push/pop batch sizes; a model counter checks FIFO order and count. */
static void test_wrap(uint32_t cap, uint32_t rsize) {
  char name[64];
  snprintf(name, sizeof name, "wrap-around cap %u record %u bytes", cap, rsize);
  tu_section(name);
  uint8_t *storage = malloc(ring_storage_bytes(cap, rsize));
  uint8_t rec[64], out[64];
  ms_ring_t r;
  REQUIRE(storage && rsize <= sizeof rec, TU_NOTHING);
  REQUIRE(ring_init(&r, storage, cap, rsize), TU_NOTHING);
  tu_rng_t rng = {0x1234567u + cap * 31u + rsize};
  uint64_t next_in = 0, next_out = 0;
  int bad = 0;
  for (int iter = 0; iter < 20000 && bad < 5; iter++) {
    uint32_t np = tu_rng_below(&rng, cap + 2);
    for (uint32_t k = 0; k < np; k++) {
      for (uint32_t b = 0; b < rsize; b++) rec[b] = (uint8_t)((next_in * 7 + b * 13) & 0xff);
      bool ok = ring_push(&r, rec);
      bool expect = next_in - next_out < cap;
      if (ok != expect) {
        tu_fail(__FILE__, __LINE__, "push returned %d with %llu queued of %u", ok,
                (unsigned long long)(next_in - next_out), cap);
        bad++;
      }
      if (ok) next_in++;
    }
    if (ring_count(&r) != next_in - next_out) {
      tu_fail(__FILE__, __LINE__, "count %u, expected %llu", ring_count(&r),
              (unsigned long long)(next_in - next_out));
      bad++;
    }
    uint32_t nc = tu_rng_below(&rng, cap + 2);
    for (uint32_t k = 0; k < nc; k++) {
      bool ok = ring_pop(&r, out);
      bool expect = next_out < next_in;
      if (ok != expect) {
        tu_fail(__FILE__, __LINE__, "pop returned %d with %llu queued", ok,
                (unsigned long long)(next_in - next_out));
        bad++;
      }
      if (!ok) continue;
      for (uint32_t b = 0; b < rsize; b++)
        if (out[b] != (uint8_t)((next_out * 7 + b * 13) & 0xff)) {
          tu_fail(__FILE__, __LINE__, "record %llu byte %u corrupted",
                  (unsigned long long)next_out, b);
          bad++;
          break;
        }
      next_out++;
    }
  }
  tu_checks++;
  /* the indices went round the ring many times */
  CHECKF(next_out / cap > 100, "only %llu records through a ring of %u",
         (unsigned long long)next_out, cap);
  free(storage);
}

/* ------------------------------------------------------ two threads -- */
typedef struct stress {
  ms_ring_t ring;
  uint64_t n;
  uint64_t full_retries; /* producer side only */
} stress_t;

static void *producer(void *arg) {
  stress_t *st = arg;
  rec_t x;
  memset(&x, 0, sizeof x);
  for (uint64_t i = 0; i < st->n; i++) {
    x.seq = i;
    x.check = check_of(i);
    x.pad[i % 6] = (uint32_t)i;
    while (!ring_push(&st->ring, &x)) {
      st->full_retries++;
      sched_yield();
    }
  }
  return NULL;
}

static void test_stress(uint32_t cap, uint64_t n, bool use_peek) {
  char name[96];
  snprintf(name, sizeof name, "two threads: %llu records through cap %u (%s)",
           (unsigned long long)n, cap, use_peek ? "peek/advance" : "pop");
  tu_section(name);
  rec_t *storage = malloc(ring_storage_bytes(cap, sizeof(rec_t)));
  REQUIRE(storage, TU_NOTHING);
  stress_t st;
  memset(&st, 0, sizeof st);
  REQUIRE(ring_init(&st.ring, storage, cap, sizeof(rec_t)), TU_NOTHING);
  st.n = n;
  pthread_t th;
  REQUIRE(pthread_create(&th, NULL, producer, &st) == 0, TU_NOTHING);
  uint64_t expect = 0, empty_polls = 0;
  int bad = 0;
  rec_t x;
  while (expect < n) {
    const rec_t *p = NULL;
    if (use_peek) {
      p = ring_peek(&st.ring);
      if (p) x = *p;
    } else if (ring_pop(&st.ring, &x)) {
      p = &x;
    }
    if (!p) {
      empty_polls++;
      if ((empty_polls & 63) == 0) sched_yield();
      continue;
    }
    if ((x.seq != expect || x.check != check_of(x.seq) || x.pad[x.seq % 6] != (uint32_t)x.seq) &&
        bad < 5) {
      tu_fail(__FILE__, __LINE__, "record %llu: got seq %llu check %s", (unsigned long long)expect,
              (unsigned long long)x.seq, x.check == check_of(x.seq) ? "ok" : "torn");
      bad++;
    }
    if (use_peek) ring_advance(&st.ring);
    expect = x.seq + 1; /* resynchronise after a reported error */
  }
  pthread_join(th, NULL);
  CHECK(!ring_pop(&st.ring, &x)); /* nothing extra */
  CHECK_EQ_INT(bad, 0);
  tu_checks++;
  printf("    producer found the ring full %llu times, consumer found it empty %llu times\n",
         (unsigned long long)st.full_retries, (unsigned long long)empty_polls);
  free(storage);
}

int main(void) {
  test_init();
  test_empty_full();
  test_capacity_one();
  test_wrap(8, 3);
  test_wrap(16, 40);
  test_wrap(64, 8);
  test_stress(1024, STRESS_RECORDS, false);
  test_stress(4, STRESS_RECORDS / 5, true);
  return tu_finish();
}
