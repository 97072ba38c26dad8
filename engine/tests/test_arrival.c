/*
 * test_arrival.c — raw MIDI arrival times to frames (rt_arrival.h): a
 * message plays one render call after the frame the engine was at when it
 * arrived, so messages keep their spacing (no quantisation to the block),
 * and the result never lands in the past or far ahead.
 *
 * Thread: test main thread; pure arithmetic from the render thread's header.
 */
#include <stdio.h>

#include "rt/rt_arrival.h"

static int failures = 0;
#define CHECK_EQ(a, b)                                                                          \
  do {                                                                                          \
    unsigned long long _a = (a), _b = (b);                                                      \
    if (_a != _b) {                                                                             \
      fprintf(stderr, "%s:%d: %s = %llu, expected %llu\n", __FILE__, __LINE__, #a, _a, _b);    \
      failures++;                                                                               \
    }                                                                                           \
  } while (0)

int main(void) {
  const uint32_t rate = 48000, block = 128;
  const uint64_t t0 = 1000000000ull; /* the last call started at 1 s ... */
  const uint64_t f0 = 480000;        /* ... rendering frames 480000..480127 */
  const uint64_t now = f0 + block;   /* the call now draining */

  /* arriving as the last call started: one call later, the first frame of this one */
  CHECK_EQ(rt_arrival_frame(t0, t0, f0, block, now, rate), now);
  /* 1 ms later: 48 frames later; 2 ms: 96. The spacing survives */
  CHECK_EQ(rt_arrival_frame(t0 + 1000000, t0, f0, block, now, rate), now + 48);
  CHECK_EQ(rt_arrival_frame(t0 + 2000000, t0, f0, block, now, rate), now + 96);
  /* two messages 0.5 ms apart inside one call land 24 frames apart, not on the same frame */
  uint64_t a = rt_arrival_frame(t0 + 700000, t0, f0, block, now, rate);
  uint64_t b = rt_arrival_frame(t0 + 1200000, t0, f0, block, now, rate);
  CHECK_EQ(b - a, 24);
  /* arrived before the last call (drained late): not in the past */
  CHECK_EQ(rt_arrival_frame(t0 - 50000000, t0, f0, block, now, rate), now);
  /* a stamp far ahead (clock trouble): at most two calls ahead */
  CHECK_EQ(rt_arrival_frame(t0 + 900000000, t0, f0, block, now, rate), now + 2 * block);
  /* a stamp just before the anchor still rounds into range */
  CHECK_EQ(rt_arrival_frame(t0 - 10000, t0, f0, block, now, rate), now);

  printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
}
