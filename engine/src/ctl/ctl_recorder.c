/*
 * ctl_recorder.c — recording what the render thread plays to a file.
 *
 * Threads: ms_recorder_start/stop run on CT. The render thread only copies
 * blocks into the recorder's ring (rt_recorder_feed, in rt_recorder.c). A
 * writer thread of our own — never the render thread — drains the ring to
 * libsndfile every few milliseconds: all file I/O happens there.
 */
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shared/engine.h"

typedef struct recorder_ext {
  struct ms_recorder r;  /* first: the part RT sees */
  pthread_t writer;
  bool writer_started;
  _Atomic uint64_t written;
} recorder_ext_t;

static void *writer_main(void *arg) {
  recorder_ext_t *x = arg;
  struct ms_recorder *r = &x->r;
  SNDFILE *sf = r->sf;
  const struct timespec nap = {0, 5 * 1000 * 1000};
  for (;;) {
    /* acquire pairs with RT's release of head */
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (head == tail) {
      if (atomic_load(&r->stop)) break; /* RT has let go (stop waits for that) and all is written */
      nanosleep(&nap, NULL);
      continue;
    }
    uint32_t at = (uint32_t)(tail & (r->capacity - 1));
    uint64_t n = head - tail;
    if (n > r->capacity - at) n = r->capacity - at;
    if (!r->write_error && sf_writef_float(sf, r->ring + (size_t)at * r->channels, (sf_count_t)n) != (sf_count_t)n)
      r->write_error = 1;
    atomic_fetch_add_explicit(&x->written, n, memory_order_relaxed);
    /* release pairs with RT's acquire of tail: we are done reading these frames */
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
  }
  return NULL;
}

MS_API int32_t ms_recorder_start(ms_sampler_t *s, const char *path, uint32_t file_format, uint32_t sample_format,
                                 float buffer_seconds, ms_recorder_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot start recording: sampler is NULL");
  ctl_clear_error(s);
  if (!path || !out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot start recording: path or output pointer is NULL");
  *out = NULL;
  if (s->recording) return ctl_fail(s, MS_ERR_STATE, "Cannot record to \"%s\": already recording to \"%s\": stop that first", path, s->recording->path);
  if (!(buffer_seconds >= 0.0f && buffer_seconds <= 60.0f))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot record to \"%s\": buffer_seconds %g is outside 0..60", path, buffer_seconds);
  void *handle = NULL;
  int32_t rc = ctl_sndfile_open_write(s, "record to", path, file_format, sample_format, &handle);
  if (rc != MS_OK) return rc;
  SNDFILE *sf = handle;

  uint32_t want = (uint32_t)((buffer_seconds > 0.0f ? buffer_seconds : 2.0f) * (float)s->cfg.sample_rate);
  uint32_t cap = 1024;
  while (cap < want && cap < (1u << 26)) cap <<= 1;
  recorder_ext_t *x = ctl_alloc(s, sizeof *x);
  float *ring = x ? ctl_alloc(s, sizeof(float) * cap * s->cfg.channels) : NULL;
  if (!ring) {
    ctl_free(s, x);
    sf_close(sf);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot record to \"%s\": out of memory for a %u-frame buffer", path, cap);
  }
  struct ms_recorder *r = &x->r;
  r->sampler = s;
  r->ring = ring;
  r->capacity = cap;
  r->channels = s->cfg.channels;
  r->sf = sf;
  snprintf(r->path, sizeof r->path, "%s", path);
  if (pthread_create(&x->writer, NULL, writer_main, x) != 0) {
    sf_close(sf);
    ctl_free(s, ring);
    ctl_free(s, x);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot record to \"%s\": cannot start the writer thread", path);
  }
  pthread_setname_np(x->writer, "ms-recorder");
  x->writer_started = true;
  s->recording = r;
  atomic_store(&s->recorder, r); /* seq_cst: published after the ring is ready */
  *out = r;
  return MS_OK;
}

MS_API int32_t ms_recorder_stop(ms_recorder_t *r) {
  if (!r) return MS_ERR_INVALID_ARGUMENT;
  recorder_ext_t *x = (recorder_ext_t *)r;
  ms_sampler_t *s = r->sampler;
  /* detach from RT: clear the pointer, then wait out a call that may hold it
   * (seq_cst pairs with rt_recorder_feed; the wait is at most one block) */
  atomic_store(&s->recorder, NULL);
  const struct timespec nap = {0, 100 * 1000};
  while (atomic_load(&s->recorder_busy)) nanosleep(&nap, NULL);
  atomic_store(&r->stop, 1u);
  if (x->writer_started) pthread_join(x->writer, NULL);
  int32_t rc = MS_OK;
  int err = sf_close((SNDFILE *)r->sf);
  if (r->write_error || err)
    rc = ctl_fail(s, MS_ERR_IO, "Cannot finish recording \"%s\": %s: is the disk full?", r->path,
                  err ? sf_error_number(err) : "a write failed");
  s->recording = NULL;
  ctl_free(s, r->ring);
  ctl_free(s, x);
  return rc;
}

MS_API uint64_t ms_recorder_frames(const ms_recorder_t *r) {
  return r ? atomic_load_explicit(&((const recorder_ext_t *)r)->written, memory_order_relaxed) : 0;
}

MS_API uint64_t ms_recorder_dropped_frames(const ms_recorder_t *r) {
  return r ? atomic_load_explicit(&r->dropped, memory_order_relaxed) : 0;
}
