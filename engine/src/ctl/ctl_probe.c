/*
 * ctl_probe.c — ms_rt_probe_latency: timer wake-up latency, like cyclictest.
 *
 * Thread: CT calls it and blocks for the duration; a thread of its own (named
 * "ms-probe", SCHED_FIFO when permitted) sleeps on CLOCK_MONOTONIC absolute
 * deadlines and writes how late each wake-up was into an array allocated,
 * touched and (when permitted) locked before it starts. That thread never
 * allocates, locks, prints or makes any call but clock_nanosleep and
 * clock_gettime in its loop; sorting for p99 happens on CT after the join.
 * It touches no sampler: errors go to the thread-local message (ctl_fail NULL),
 * so the caller must read ms_error_message(NULL, ...) on the calling thread.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "shared/engine.h"

#define PROBE_FIX                                                                                  \
  "add \"@audio - rtprio 95\" to /etc/security/limits.conf and join the audio group (then log in " \
  "again), or run \"setcap cap_sys_nice,cap_ipc_lock+ep\" on the program; the probe ran at "       \
  "normal priority instead"

typedef struct probe {
  uint64_t duration_ns;
  uint64_t interval_ns;
  uint32_t *lat_ns;   /* capacity entries, saturated at UINT32_MAX (~4.3 s) */
  uint64_t capacity;
  /* written by the probe thread, read by CT after pthread_join (which orders them) */
  uint64_t count;
  uint64_t sum_ns;
  uint64_t max_ns;
  uint64_t min_ns;
  int policy;
  int priority;
} probe_t;

static inline uint64_t ts_ns(const struct timespec *t) {
  return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static inline struct timespec ns_ts(uint64_t ns) {
  struct timespec t = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
  return t;
}

static void *probe_main(void *arg) {
  probe_t *p = arg;
  pthread_setname_np(pthread_self(), "ms-probe");
  /* the policy in force, read back from inside: never assumed from the request */
  struct sched_param sp = {0};
  int policy = -1;
  if (pthread_getschedparam(pthread_self(), &policy, &sp) != 0) {
    policy = -1;
    sp.sched_priority = 0;
  }
  p->policy = policy;
  p->priority = sp.sched_priority;

  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t start = ts_ns(&now);
  const uint64_t end = start + p->duration_ns;
  uint64_t next = start + p->interval_ns;
  uint64_t count = 0, sum = 0, max = 0, min = UINT64_MAX;
  while (next <= end && count < p->capacity) {
    struct timespec deadline = ns_ts(next);
    int err;
    do {
      err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
    } while (err == EINTR);
    clock_gettime(CLOCK_MONOTONIC, &now);
    const uint64_t woke = ts_ns(&now);
    const uint64_t late = woke > next ? woke - next : 0;
    p->lat_ns[count++] = late > UINT32_MAX ? UINT32_MAX : (uint32_t)late;
    sum += late;
    if (late > max) max = late;
    if (late < min) min = late;
    next += p->interval_ns;
    /* after a stall, skip the deadlines already missed (as cyclictest does):
     * one long stall is one late wake-up, not a burst of catch-up ones */
    while (next <= woke) next += p->interval_ns;
  }
  p->count = count;
  p->sum_ns = sum;
  p->max_ns = max;
  p->min_ns = count ? min : 0;
  return NULL;
}

/* Create the probe thread: SCHED_FIFO at priority when fifo, else explicitly
 * SCHED_OTHER so a caller's RT policy is never inherited. Returns errno. */
static int probe_create(pthread_t *tid, probe_t *p, bool fifo, int32_t priority) {
  pthread_attr_t a;
  int err = pthread_attr_init(&a);
  if (err) return err;
  struct sched_param sp = {.sched_priority = fifo ? priority : 0};
  err = pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
  if (!err) err = pthread_attr_setschedpolicy(&a, fifo ? SCHED_FIFO : SCHED_OTHER);
  if (!err) err = pthread_attr_setschedparam(&a, &sp);
  if (!err) err = pthread_create(tid, &a, probe_main, p);
  pthread_attr_destroy(&a);
  return err;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

MS_API int32_t ms_rt_probe_latency(int32_t priority, uint32_t duration_ms, uint32_t interval_us,
                                   ms_latency_report_t *out) {
  ctl_clear_error(NULL);
  if (!out) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot probe timer latency: the report pointer is NULL");
  memset(out, 0, sizeof *out);
  if (priority < 0 || priority > 99)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot probe timer latency: priority %d is outside 0..99",
                    (int)priority);
  if (duration_ms < 1 || duration_ms > 600000)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE,
                    "Cannot probe timer latency: duration %u ms is outside 1..600000", (unsigned)duration_ms);
  if (interval_us < 50 || interval_us > 100000)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE,
                    "Cannot probe timer latency: interval %u us is outside 50..100000", (unsigned)interval_us);
  int maxp = sched_get_priority_max(SCHED_FIFO);
  if (priority > 0 && maxp > 0 && priority > maxp)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot probe timer latency: priority %d is outside 1..%d",
                    (int)priority, maxp);

  probe_t p = {0};
  p.duration_ns = (uint64_t)duration_ms * 1000000u;
  p.interval_ns = (uint64_t)interval_us * 1000u;
  p.capacity = p.duration_ns / p.interval_ns + 1;
  size_t bytes = (size_t)p.capacity * sizeof *p.lat_ns;
  p.lat_ns = malloc(bytes);
  if (!p.lat_ns)
    return ctl_fail(NULL, MS_ERR_NO_MEMORY, "Cannot probe timer latency: out of memory for %zu KiB of samples",
                    bytes / 1024);
  /* fault every page in now (and keep it in when permitted) so the probe
   * measures the timer, not its own page faults; mlock failing is fine */
  memset(p.lat_ns, 0, bytes);
  bool locked = mlock(p.lat_ns, bytes) == 0;

  pthread_t tid;
  int fifo_err = 0, err;
  if (priority > 0) {
    err = probe_create(&tid, &p, true, priority);
    if (err == EPERM || err == EACCES) {
      fifo_err = err;
      err = probe_create(&tid, &p, false, 0);
    }
  } else {
    err = probe_create(&tid, &p, false, 0);
  }
  if (err) {
    if (locked) munlock(p.lat_ns, bytes);
    free(p.lat_ns);
    return ctl_fail(NULL, MS_ERR_NO_MEMORY, "Cannot start the latency probe thread: pthread_create failed: %s",
                    strerror(err));
  }
  pthread_join(tid, NULL);

  qsort(p.lat_ns, (size_t)p.count, sizeof *p.lat_ns, cmp_u32);
  out->samples = p.count;
  out->min_ns = p.min_ns;
  out->max_ns = p.max_ns;
  out->avg_ns = p.count ? p.sum_ns / p.count : 0;
  if (p.count) {
    /* nearest rank: the smallest value with at least 99% of samples at or below it */
    uint64_t rank = (p.count * 99 + 99) / 100;
    uint64_t v = p.lat_ns[rank - 1];
    /* a saturated entry stands for the exact maximum */
    out->p99_ns = v == UINT32_MAX ? p.max_ns : v;
  }
  out->sched_policy = p.policy;
  out->sched_priority = p.priority;
  if (locked) munlock(p.lat_ns, bytes);
  free(p.lat_ns);

  if (fifo_err)
    return ctl_fail(NULL, MS_ERR_RT_PRIORITY, "Could not run the latency probe at RT priority %d: %s: " PROBE_FIX,
                    (int)priority, strerror(fifo_err));
  if (priority > 0 && p.policy != SCHED_FIFO)
    return ctl_fail(NULL, MS_ERR_RT_PRIORITY,
                    "Could not run the latency probe at RT priority %d: the thread runs with policy %d: " PROBE_FIX,
                    (int)priority, p.policy);
  return MS_OK;
}
