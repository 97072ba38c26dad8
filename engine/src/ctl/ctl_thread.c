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

/* 256 KiB: the render path uses little stack; glibc puts the thread's TLS
 * at the top of a user-supplied stack, so it is locked with it. */
#define RT_STACK_BYTES (256u * 1024u)

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

int32_t ctl_thread_start(ms_sampler_t *s, ctl_thread_t *t, int32_t priority, void *(*fn)(void *),
                         void *arg) {
  if (t->started) return ctl_fail(s, MS_ERR_STATE, "Cannot start the render thread: it is already running");
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;
  size_t bytes = RT_STACK_BYTES;
  if (bytes < (size_t)PTHREAD_STACK_MIN) bytes = (size_t)PTHREAD_STACK_MIN;
  /* ctl_alloc aligns to 64 bytes; round the stack itself to whole pages */
  t->stack_block = ctl_alloc(s, bytes + (size_t)page);
  if (!t->stack_block)
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot start the render thread: out of memory for its %zu KiB stack",
                    bytes / 1024);
  void *stack = (void *)(((uintptr_t)t->stack_block + (uintptr_t)page - 1) & ~((uintptr_t)page - 1));
  t->fn = fn;
  t->arg = arg;

  int fifo_err = 0;
  int err;
  if (priority > 0) {
    int maxp = sched_get_priority_max(SCHED_FIFO);
    if (priority > maxp) {
      ctl_free(s, t->stack_block);
      t->stack_block = NULL;
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot start the render thread: priority %d is outside 1..%d",
                      (int)priority, maxp);
    }
    err = create(t, stack, bytes, true, priority);
    if (err == EPERM || err == EACCES) {
      fifo_err = err;
      err = create(t, stack, bytes, false, 0);
    }
  } else {
    err = create(t, stack, bytes, false, 0);
  }
  if (err) {
    ctl_free(s, t->stack_block);
    t->stack_block = NULL;
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot start the render thread: pthread_create failed: %s", strerror(err));
  }
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
