/*
 * rt_meter.h — the peak meters of the stats block (ms_stats_t.orbit_peak_ppm,
 * output_peak_ppm): block peaks of the orbits and the output, held with a
 * 20 dB per second fall, published after each block.
 *
 * Thread: RT. Never: allocation, locks, I/O, libm. The meters only read the
 * audio: what is played keeps its bytes.
 */
#ifndef MS_RT_METER_H
#define MS_RT_METER_H

#include <stdint.h>

#include "rt/rt_dsp.h"
#include "rt/rt_orbit.h"
#include "shared/engine.h"

/* Peak |x| of n samples (NaN counts as 0). */
static inline float rt_meter_peak(const float *x, uint32_t n, float peak) {
  for (uint32_t i = 0; i < n; i++) {
    const float a = x[i] < 0.0f ? -x[i] : x[i];
    if (a > peak) peak = a;
  }
  return peak;
}

/* Peak |after - before| of n samples: what a run added to a bus. */
static inline float rt_meter_peak_added(const float *after, const float *before, uint32_t n,
                                        float peak) {
  for (uint32_t i = 0; i < n; i++) {
    const float d = after[i] - before[i];
    const float a = d < 0.0f ? -d : d;
    if (a > peak) peak = a;
  }
  return peak;
}

static inline uint64_t rt_meter_ppm(float peak) {
  if (!(peak > 0.0f)) return 0;
  if (peak > 1000.0f) peak = 1000.0f;
  return (uint64_t)(peak * 1e6f + 0.5f);
}

/* After a block of n frames (out: interleaved, channels wide, after the
 * limiter): take the block's peaks into the held ones and publish them with
 * relaxed stores (one writer: RT; readers poll). In orbit-outputs mode the
 * orbit peaks are their pairs' (bus k), else what each orbit's effects added
 * (meter_block, filled by rt_orbit_segment_end). */
static inline void rt_meter_block(ms_sampler_t *s, const float *out, uint32_t n) {
  rt_orbits_t *o = s->orbits;
  ms_stats_t *st = &s->stats;
  const uint32_t B = s->cfg.buffer_size;
  const float g = rt_powi(o->meter_fall, n); /* n frames of the per-frame fall */
  if (o->orbit_outputs) {
    for (uint32_t k = 0; k < o->count; k++) {
      const float *L = s->bus + (size_t)k * 2u * B;
      o->meter_block[k] = rt_meter_peak(L + B, n, rt_meter_peak(L, n, 0.0f));
    }
  }
  for (uint32_t k = 0; k < MS_MAX_ORBITS; k++) {
    const float held = o->meter_held[k] * g;
    o->meter_held[k] = o->meter_block[k] > held ? o->meter_block[k] : held;
    o->meter_block[k] = 0.0f;
    stat_set(&st->orbit_peak_ppm[k], rt_meter_ppm(o->meter_held[k]));
  }
  const float peak = rt_meter_peak(out, n * s->cfg.channels, 0.0f);
  const float held = o->meter_out_held * g;
  o->meter_out_held = peak > held ? peak : held;
  stat_set(&st->output_peak_ppm, rt_meter_ppm(o->meter_out_held));
  stat_set(&st->orbits_awake, o->awake);
}

#endif /* MS_RT_METER_H */
