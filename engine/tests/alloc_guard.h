/*
 * alloc_guard.h — interposers for every libc allocation function, shared by
 * the tests that prove the render thread never allocates (test_rt_alloc,
 * live/test_live_alloc_guard).
 *
 * Include once, in the test's executable, after defining
 * ALLOC_GUARD_CHECK(name): it runs at the start of each function (name is
 * "malloc", "free", ...) and decides whether this call trips the guard.
 * The executable must export these symbols (CMake ENABLE_EXPORTS): the
 * engine is built with -fvisibility=hidden.
 */
#ifndef MS_TEST_ALLOC_GUARD_H
#define MS_TEST_ALLOC_GUARD_H

#include <errno.h>
#include <stddef.h>

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
