/*
 * alloc_guard.h — interposers for every libc allocation function, shared by
 * the tests that prove the render thread never allocates (test_rt_alloc,
 * live/test_live_alloc_guard).
 *
 * Include once, in the test's executable, after defining
 * ALLOC_GUARD_CHECK(name): it runs at the start of each function (name is
 * "malloc", "free", ...) and decides whether this call trips the guard (a
 * trip handler declared before and defined after the include can report
 * with alloc_guard_report).
 * The executable must export these symbols (CMake ENABLE_EXPORTS): the
 * engine is built with -fvisibility=hidden.
 */
#ifndef MS_TEST_ALLOC_GUARD_H
#define MS_TEST_ALLOC_GUARD_H

#include <errno.h>
#include <execinfo.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#ifndef ALLOC_GUARD_CHECK
#error "define ALLOC_GUARD_CHECK(name) before including alloc_guard.h"
#endif

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

/* For the test's trip handler: "<pre><fn><post>" on stderr by write(2), then
 * the stack when with_backtrace (backtrace() primed in main: no allocation). */
static inline void alloc_guard_report(const char *pre, const char *fn, const char *post, int with_backtrace) {
  ssize_t ignored = write(2, pre, strlen(pre));
  ignored = write(2, fn, strlen(fn));
  ignored = write(2, post, strlen(post));
  (void)ignored;
  if (with_backtrace) {
    void *frames[48];
    int n = backtrace(frames, 48);
    backtrace_symbols_fd(frames, n, 2);
  }
}

#define INTERPOSE __attribute__((visibility("default")))

INTERPOSE void *malloc(size_t n) {
  ALLOC_GUARD_CHECK("malloc");
  return __libc_malloc(n);
}
INTERPOSE void *calloc(size_t a, size_t b) {
  ALLOC_GUARD_CHECK("calloc");
  return __libc_calloc(a, b);
}
INTERPOSE void *realloc(void *p, size_t n) {
  ALLOC_GUARD_CHECK("realloc");
  return __libc_realloc(p, n);
}
INTERPOSE void free(void *p) {
  ALLOC_GUARD_CHECK("free");
  __libc_free(p);
}
INTERPOSE int posix_memalign(void **out, size_t align, size_t n) {
  ALLOC_GUARD_CHECK("posix_memalign");
  if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
  void *p = __libc_memalign(align, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
INTERPOSE void *aligned_alloc(size_t align, size_t n) {
  ALLOC_GUARD_CHECK("aligned_alloc");
  return __libc_memalign(align, n);
}
INTERPOSE void *memalign(size_t align, size_t n) {
  ALLOC_GUARD_CHECK("memalign");
  return __libc_memalign(align, n);
}
INTERPOSE void *valloc(size_t n) {
  ALLOC_GUARD_CHECK("valloc");
  return __libc_valloc(n);
}
INTERPOSE void *pvalloc(size_t n) {
  ALLOC_GUARD_CHECK("pvalloc");
  return __libc_pvalloc(n);
}

#endif /* MS_TEST_ALLOC_GUARD_H */
