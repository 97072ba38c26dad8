/*
 * ctl_thread.c — starting and joining the engine's own render thread.
 *
 * Thread: CT. The thread gets its stack from ctl_alloc, so the sampler's
 * memory locking (ms_sampler_enable_rt) covers it, and asks for SCHED_FIFO
 * with an explicit-sched attribute; the policy actually in force is read
 * back, never assumed. When SCHED_FIFO is denied the thread runs anyway at
 * normal priority and the caller gets the non-fatal MS_ERR_RT_PRIORITY.
 * Only the trampoline below runs on the new thread: it names the thread
 * (prctl, no allocation) and calls the backend's loop.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"

/* The render path uses little stack, but glibc puts the process's static
 * TLS at the top of a user-supplied stack (so it is locked with it) and a
 * big host (a sanitizer runtime, a large executable) needs room for it:
 * 1 MiB, and 8 MiB when pthread_create says that is too small. */
#define RT_STACK_BYTES (1024u * 1024u)
#define RT_STACK_BYTES_BIG (8u * 1024u * 1024u)

void ctl_thread_name_self(void) { pthread_setname_np(pthread_self(), "ms-render"); }

static void *trampoline(void *arg) {
  ctl_thread_t *t = arg;
  ctl_thread_name_self();
  return t->fn(t->arg);
}

/* Create the thread; fifo selects SCHED_FIFO at priority. Returns errno. */
static int create(ctl_thread_t *t, void *stack, size_t bytes, bool fifo, int32_t priority) {
  pthread_attr_t a;
  int err = pthread_attr_init(&a);
  if (err) return err;
  err = pthread_attr_setstack(&a, stack, bytes);
  if (!err) {
    if (fifo) {
      struct sched_param sp = {.sched_priority = priority};
      err = pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
      if (!err) err = pthread_attr_setschedpolicy(&a, SCHED_FIFO);
      if (!err) err = pthread_attr_setschedparam(&a, &sp);
    } else {
      /* never inherit a caller's RT policy by accident: normal means normal */
      struct sched_param sp = {.sched_priority = 0};
      err = pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
      if (!err) err = pthread_attr_setschedpolicy(&a, SCHED_OTHER);
      if (!err) err = pthread_attr_setschedparam(&a, &sp);
    }
  }
  if (!err) err = pthread_create(&t->tid, &a, trampoline, t);
  pthread_attr_destroy(&a);
  return err;
}

/* A stack block of bytes usable bytes, page-aligned within; NULL when out of memory. */
static void *stack_alloc(ms_sampler_t *s, ctl_thread_t *t, size_t bytes, size_t page) {
  t->stack_block = ctl_alloc(s, bytes + page);
  if (!t->stack_block) return NULL;
  /* ctl_alloc aligns to 64 bytes; the stack itself starts on a page */
  return (void *)(((uintptr_t)t->stack_block + (uintptr_t)page - 1) & ~((uintptr_t)page - 1));
}

/* Create with SCHED_FIFO at priority (priority > 0) or normal policy, on a
 * stack from ctl_alloc, growing it once if glibc finds it too small for the
 * static TLS. Returns errno; *fifo_err receives the SCHED_FIFO refusal. */
static int create_on_stack(ms_sampler_t *s, ctl_thread_t *t, int32_t priority, size_t page, int *fifo_err) {
  const size_t sizes[2] = {RT_STACK_BYTES, RT_STACK_BYTES_BIG};
  int err = ENOMEM;
  for (int i = 0; i < 2; i++) {
    size_t bytes = sizes[i] < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : sizes[i];
    void *stack = stack_alloc(s, t, bytes, page);
    if (!stack) return ENOMEM;
    if (priority > 0) {
      err = create(t, stack, bytes, true, priority);
      if (err == EPERM || err == EACCES) {
        *fifo_err = err;
        err = create(t, stack, bytes, false, 0);
      }
    } else {
      err = create(t, stack, bytes, false, 0);
    }
    if (err == 0) return 0;
    ctl_free(s, t->stack_block);
    t->stack_block = NULL;
    if (err != EINVAL) break; /* EINVAL: the stack cannot hold the static TLS */
  }
  return err;
}

int32_t ctl_thread_start(ms_sampler_t *s, ctl_thread_t *t, int32_t priority, void *(*fn)(void *),
                         void *arg) {
  if (t->started) return ctl_fail(s, MS_ERR_STATE, "Cannot start the render thread: it is already running");
  if (priority > 0 && priority > sched_get_priority_max(SCHED_FIFO))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot start the render thread: priority %d is outside 1..%d",
                    (int)priority, sched_get_priority_max(SCHED_FIFO));
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;
  t->fn = fn;
  t->arg = arg;
  int fifo_err = 0;
  int err = create_on_stack(s, t, priority, (size_t)page, &fifo_err);
  if (err == ENOMEM)
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot start the render thread: out of memory for its stack");
  if (err)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot start the render thread: pthread_create failed: %s", strerror(err));
  t->started = true;
  /* the thread names itself first thing; naming it here too means the name
   * is in place when this call returns (tests look threads up by name) */
  pthread_setname_np(t->tid, "ms-render");

  /* read back what is really in force: a container or RLIMIT may differ */
  int policy = SCHED_OTHER;
  struct sched_param sp = {0};
  if (pthread_getschedparam(t->tid, &policy, &sp) == 0) {
    t->policy = policy;
    t->priority = sp.sched_priority;
  } else {
    t->policy = -1;
    t->priority = 0;
  }
  if (policy == SCHED_FIFO || policy == SCHED_RR) s->rt_status |= MS_RT_PRIORITY_SET;
  else s->rt_status &= ~MS_RT_PRIORITY_SET;

  if (fifo_err)
    return ctl_fail(s, MS_ERR_RT_PRIORITY, "Could not set RT priority %d: %s: " MS_RT_PRIORITY_FIX, (int)priority,
                    strerror(fifo_err));
  if (priority > 0 && policy != SCHED_FIFO)
    return ctl_fail(s, MS_ERR_RT_PRIORITY,
                    "Could not set RT priority %d: the render thread runs with policy %d instead of SCHED_FIFO: "
                    MS_RT_PRIORITY_FIX,
                    (int)priority, policy);
  return MS_OK;
}

void ctl_thread_join(ms_sampler_t *s, ctl_thread_t *t) {
  if (t->started) {
    pthread_join(t->tid, NULL);
    t->started = false;
  }
  if (t->stack_block) {
    ctl_free(s, t->stack_block);
    t->stack_block = NULL;
  }
}
