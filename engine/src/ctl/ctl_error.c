/*
 * ctl_error.c — status codes, their static text, and the per-sampler (and
 * per-thread) detail message of the last failure (SQLite's errcode + errmsg).
 * The codes and their text are one list, MS_STATUS_CODES in midi_sampler.h.
 *
 * Thread: CT. The library never prints: messages are only ever copied out.
 * Message shape (STYLE.md §3): action first, a colon, then the state and the
 * fix, values in quotes, no final period.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shared/engine.h"

static _Thread_local char tls_errmsg[MS_ERRMSG_MAX];
/* loader threads may fail at the same time as CT: the per-sampler copy is guarded */
static pthread_mutex_t errmsg_lock = PTHREAD_MUTEX_INITIALIZER;

int32_t ctl_fail(ms_sampler_t *s, int32_t code, const char *fmt, ...) {
  char buf[MS_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  memcpy(tls_errmsg, buf, sizeof buf);
  if (s) {
    pthread_mutex_lock(&errmsg_lock);
    memcpy(s->errmsg, buf, sizeof buf);
    pthread_mutex_unlock(&errmsg_lock);
  }
  return code;
}

void ctl_clear_error(ms_sampler_t *s) {
  tls_errmsg[0] = 0;
  if (s) {
    pthread_mutex_lock(&errmsg_lock);
    s->errmsg[0] = 0;
    pthread_mutex_unlock(&errmsg_lock);
  }
}

size_t ctl_copy_thread_error(char *buf, size_t cap) {
  size_t len = strlen(tls_errmsg);
  if (buf && cap) {
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(buf, tls_errmsg, n);
    buf[n] = 0;
  }
  return len;
}

MS_API uint32_t ms_error_message(const ms_sampler_t *s, char *buf, uint32_t cap) {
  if (!s) return (uint32_t)ctl_copy_thread_error(buf, cap);
  pthread_mutex_lock(&errmsg_lock);
  size_t len = strlen(s->errmsg);
  if (buf && cap) {
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(buf, s->errmsg, n);
    buf[n] = 0;
  }
  pthread_mutex_unlock(&errmsg_lock);
  return (uint32_t)len;
}

#define STRERROR_CASE(name, value, text) \
  case name: return text;
MS_API const char *ms_strerror(int32_t code) {
  switch (code) {
    MS_STATUS_CODES(STRERROR_CASE)
    default: return "unknown error";
  }
}

MS_API uint32_t ms_version(void) {
  return ((uint32_t)MS_VERSION_MAJOR << 16) | ((uint32_t)MS_VERSION_MINOR << 8) | MS_VERSION_PATCH;
}
