/*
 * rt_arrival.h — where a raw MIDI message that arrived at a given time
 * (CLOCK_MONOTONIC ns, stamped by an input thread) plays: the frame the
 * render thread was at when it arrived, one call later. Messages arriving
 * during a call then play during the next at a constant delay, instead of
 * all on its first frame (up to a period of jitter).
 *
 * Thread: RT (pure arithmetic). Tested by engine/tests/test_arrival.c.
 */
#ifndef MS_RT_ARRIVAL_H
#define MS_RT_ARRIVAL_H

#include <stdint.h>

/*
 * anchor_ns / anchor_frame / anchor_frames: start time, first frame and
 * length of the last render call; now: the next frame to render. The result
 * is clamped to [now, now + 2 * anchor_frames].
 */
static inline uint64_t rt_arrival_frame(uint64_t arrival_ns, uint64_t anchor_ns, uint64_t anchor_frame,
                                        uint32_t anchor_frames, uint64_t now, uint32_t rate) {
  const double dt = (double)(int64_t)(arrival_ns - anchor_ns);
  double f = (double)anchor_frame + dt * (double)rate * 1e-9 + (double)anchor_frames;
  const double lo = (double)now, hi = (double)now + 2.0 * (double)anchor_frames;
  if (f < lo) f = lo;
  if (f > hi) f = hi;
  return (uint64_t)(f + 0.5);
}

#endif /* MS_RT_ARRIVAL_H */
