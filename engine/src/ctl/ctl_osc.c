/*
 * ctl_osc.c — what an oscillator zone (MS_SOURCE_*) needs from the control
 * thread: the band-limited wavetables (rt_osc.h), built once per process the
 * first time an instrument with such a zone is built, and the zone's
 * reference pitch and channel count.
 *
 * Thread: CT (ctl_instrument_build). The tables are static (no allocation;
 * their pages are touched only when built) and never change afterwards, so
 * every sampler's render thread reads them without synchronisation beyond
 * the version swap that publishes the zone. Never runs on the render thread.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "rt/rt_osc.h"
#include "shared/engine.h"

static rt_osc_tables_t tables;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Fourier series at harmonic h: saw -(2/pi) sin(h)/h (rising -1..1), square
 * (4/pi) sin/h odd h, triangle (8/pi^2) (-1)^((h-1)/2) sin/h^2 odd h. */
static double coefficient(uint32_t wave, uint32_t h) {
  const double pi = 3.14159265358979323846;
  switch (wave) {
    case RT_OSC_SAW: return -2.0 / (pi * h);
    case RT_OSC_SQUARE: return (h & 1u) ? 4.0 / (pi * h) : 0.0;
    default: return (h & 1u) ? ((h >> 1) & 1u ? -8.0 : 8.0) / (pi * pi * h * h) : 0.0;
  }
}

static void build(void) {
  const uint32_t T = RT_OSC_TABLE_SIZE;
  static double sine[RT_OSC_TABLE_SIZE], acc[RT_OSC_TABLE_SIZE];
  for (uint32_t i = 0; i < T; i++) sine[i] = sin(2.0 * 3.14159265358979323846 * i / T);
  for (uint32_t k = 0; k < RT_OSC_LEVELS; k++) {
    uint32_t h = (uint32_t)floor(1024.0 * pow(2.0, -0.5 * k));
    if (h < 1) h = 1;
    tables.harmonics[k] = h;
    /* h harmonics stay below Nyquist while h * inc <= 2^31 */
    tables.max_inc[k] = (uint32_t)(2147483648.0 / h) - 1u;
  }
  for (uint32_t w = 0; w < RT_OSC_WAVES; w++) {
    /* from the level with fewest harmonics up: each adds its harmonics to the sum so far */
    memset(acc, 0, sizeof acc);
    uint32_t done = 0;
    for (int32_t k = RT_OSC_LEVELS - 1; k >= 0; k--) {
      for (uint32_t h = done + 1; h <= tables.harmonics[k]; h++) {
        const double a = coefficient(w, h);
        if (a == 0.0) continue;
        for (uint32_t i = 0; i < T; i++) acc[i] += a * sine[(uint32_t)(((uint64_t)h * i) % T)];
      }
      done = tables.harmonics[k] > done ? tables.harmonics[k] : done;
      for (uint32_t i = 0; i < T; i++) tables.table[w][k][i] = (float)acc[i];
      tables.table[w][k][T] = tables.table[w][k][0];
    }
  }
}

void ctl_osc_zone(rt_zone_t *r, const ms_zone_t *z, uint32_t rate) {
  pthread_once(&tables_once, build);
  r->osc_tables = &tables;
  r->data = &tables; /* never read as frames: v->pos stays 0 (prefetches of it are harmless) */
  r->bits = 32;
  r->length = 0;
  r->channels = rt_osc_channels(z->source);
  /* the root key's equal-tempered frequency, in turns per output frame */
  r->rate_ratio = 440.0 * pow(2.0, ((double)z->root_key - 69.0) / 12.0) / (double)rate;
}
