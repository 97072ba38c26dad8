/*
 * test_fx_chorus.c — the orbit chorus (rt_fx_chorus) against a modulated
 * delay computed here from its definition (rt_fx_chorus.h):
 *   taps      an impulse comes out of each voice at the delay its sine gives
 *             at that moment (2 + h + h sin(2 pi (0.3 t + k/3)), h = 4 ms):
 *             the centroid of each voice's output pulse where it stands apart
 *   sweep     over 3.3 s (a whole LFO period) a tap's delay spans 2 frames ..
 *             8 ms + 2 frames
 *   level     a DC input (centre-panned 1) comes out at 4/3 per channel
 *   sleep     after the input stops the chorus sleeps once the line is
 *             silent; then exact zeros; it wakes on the first loud frame
 *             and sleeps again a line's length after it
 *   split     one call vs slices of 1, 7, 33, 64, 300 frames: identical bytes
 *
 * The chorus source is compiled into this executable.
 *
 * Thread: the test's main thread.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "rt/rt_fx_chorus.c"

#define SR 48000.0f

static void *chorus_new(rt_fx_chorus_t *c) {
  void *mem = malloc(rt_fx_chorus_bytes(SR));
  rt_fx_chorus_init(c, SR, mem);
  return mem;
}

/* The definition: voice k's delay in frames at time t seconds (the sine at
 * the grid frames, linear in between, as the header says). */
static double ref_delay(double frame, uint32_t k) {
  const double h = 0.5 * 0.008 * SR;
  const double cf = MS_CONTROL_FRAMES;
  const double g0 = floor(frame / cf) * cf;     /* the grid frame before */
  const double w = (frame - g0) / cf;
  /* the delay glides from its value at g0 to the sine at g0 + cf: the value at
   * grid frame g is the sine at g (the glide reaches it exactly there) */
  const double at0 = 2.0 + h + h * sin(2.0 * M_PI * (0.3 * g0 / SR + (double)k / 3.0));
  const double at1 = 2.0 + h + h * sin(2.0 * M_PI * (0.3 * (g0 + cf) / SR + (double)k / 3.0));
  return at0 + (at1 - at0) * w;
}

/* Centroid (frames after f) of channel x's pulse around frame f + d. */
static double centroid(const float *x, uint32_t f, double d) {
  double s = 0, w = 0;
  for (int j = -3; j <= 3; j++) {
    const int i = (int)f + (int)floor(d) + j;
    s += (double)j * x[i]; /* signed: the Hermite kernel's first moment is its fraction */
    w += x[i];
  }
  return floor(d) + s / w;
}

static void test_taps(void) {
  tu_section("taps: an impulse leaves each voice at the delay of its sine");
  rt_fx_chorus_t c;
  void *mem = chorus_new(&c);
  const uint32_t n = 48000 * 4;
  float *in = calloc(n, sizeof(float)), *l = calloc(n, sizeof(float)), *r = calloc(n, sizeof(float));
  /* impulses every 83 ms over a floor of -114 dBFS that keeps the chorus
   * awake (asleep, its LFO would hold) */
  for (uint32_t i = 0; i < n; i++) in[i] = 2e-6f;
  for (uint32_t f = 480; f < n; f += 4000) in[f] = 1.0f;
  rt_fx_chorus_process(&c, in, in, false, l, r, n);
  uint32_t checked = 0;
  for (uint32_t f = 480; f + 1000 < n; f += 4000) {
    /* the delay met at the output frame: i - d(i) = f */
    double d[3];
    for (uint32_t k = 0; k < 3; k++) {
      d[k] = ref_delay((double)f, k);
      for (int it = 0; it < 4; it++) d[k] = ref_delay((double)f + d[k], k);
    }
    /* every voice is on both sides: measure voice k where its pulse stands
     * apart from the others', on the side where it is loudest (0 and 2 left, 1 right) */
    for (uint32_t k = 0; k < 3; k++) {
      if (fabs(d[k] - d[(k + 1) % 3]) <= 8.0 || fabs(d[k] - d[(k + 2) % 3]) <= 8.0) continue;
      const double got = centroid(k == 1 ? r : l, f, d[k]);
      CHECKF(fabs(got - d[k]) < 0.05, "voice %u at frame %u: delay %.3f, expected %.3f", k, f, got, d[k]);
      checked++;
    }
  }
  CHECKF(checked > 60, "only %u pulses measured", checked);
  free(in), free(l), free(r), free(mem);
}

static void test_sweep_and_level(void) {
  tu_section("sweep over one LFO period, and the low-frequency gain");
  rt_fx_chorus_t c;
  void *mem = chorus_new(&c);
  double lo = 1e9, hi = -1e9;
  /* the delays the chorus itself holds, at every grid frame over 3.4 s */
  const uint32_t n = 64;
  float in[64], l[64], r[64];
  for (uint32_t i = 0; i < n; i++) in[i] = 0.70710678f; /* a centre-panned 1: a mono 1 in */
  for (uint32_t b = 0; b < (uint32_t)(3.4 * SR / 64); b++) {
    memset(l, 0, sizeof l);
    memset(r, 0, sizeof r);
    rt_fx_chorus_process(&c, in, in, false, l, r, n);
    for (uint32_t k = 0; k < 3; k++) {
      lo = c.d[k] < lo ? c.d[k] : lo;
      hi = c.d[k] > hi ? c.d[k] : hi;
    }
    if (b > 20) { /* DC in, past the longest delay: 11/3 - 3 + 2/3 = 4/3 per channel */
      CHECK_NEAR(l[63], 4.0 / 3.0, 1e-4);
      CHECK_NEAR(r[63], 4.0 / 3.0, 1e-4);
    }
  }
  CHECK_NEAR(lo, 2.0, 0.05);
  CHECK_NEAR(hi, 2.0 + 0.008 * SR, 0.05);
  free(mem);
}

static void test_sleep(void) {
  tu_section("sleep after the line is silent, exact zeros, wake on input");
  rt_fx_chorus_t c;
  void *mem = chorus_new(&c);
  CHECK(c.asleep);
  float in[1024], l[1024], r[1024];
  for (int i = 0; i < 256; i++) in[i] = 0.5f * sinf((float)i * 0.05f);
  memset(l, 0, sizeof l);
  memset(r, 0, sizeof r);
  rt_fx_chorus_process(&c, in, in, false, l, r, 256);
  CHECK(!c.asleep);
  /* silence: asleep within the line's length */
  uint32_t frames = 0;
  while (!c.asleep && frames < 100000) {
    rt_fx_chorus_process(&c, NULL, NULL, true, l, r, 64);
    frames += 64;
  }
  CHECK(c.asleep);
  CHECK_LE(frames, c.size + 64u);
  memset(l, 0, sizeof l);
  rt_fx_chorus_process(&c, NULL, NULL, true, l, r, 1024);
  for (int i = 0; i < 1024; i++) CHECK(l[i] == 0.0f);
  memset(in, 0, sizeof in);
  in[100] = 1.0f;
  memset(l, 0, sizeof l);
  memset(r, 0, sizeof r);
  rt_fx_chorus_process(&c, in, in, false, l, r, 1024);
  CHECK(c.asleep); /* woke at frame 100, asleep again 512 quiet frames later */
  double e = 0;
  for (int i = 0; i < 1024; i++) e += (double)l[i] * l[i] + (double)r[i] * r[i];
  CHECK(e > 0.1);
  free(mem);
}

static void test_split(void) {
  tu_section("split invariance: one call or slices, identical bytes (sleep and wake included)");
  const uint32_t n = 48000 * 3;
  float *in = calloc(n, sizeof(float));
  for (uint32_t i = 0; i < n; i++) {
    /* bursts with silences longer than the line: the chorus sleeps and wakes */
    const uint32_t t = i % 24000;
    in[i] = t < 6000 ? 0.3f * sinf((float)i * 0.031f) : 0.0f;
  }
  float *l1 = calloc(n, sizeof(float)), *r1 = calloc(n, sizeof(float));
  rt_fx_chorus_t c;
  void *mem = chorus_new(&c);
  rt_fx_chorus_process(&c, in, in, false, l1, r1, n);
  free(mem);
  const uint32_t slices[] = {1, 7, 33, 64, 300};
  for (size_t s = 0; s < sizeof slices / sizeof slices[0]; s++) {
    float *l2 = calloc(n, sizeof(float)), *r2 = calloc(n, sizeof(float));
    mem = chorus_new(&c);
    for (uint32_t at = 0; at < n;) {
      uint32_t m = slices[s] + (at / 977) % 5; /* uneven slices */
      if (m > n - at) m = n - at;
      bool silent = true;
      for (uint32_t i = at; i < at + m; i++) silent = silent && in[i] == 0.0f;
      rt_fx_chorus_process(&c, in + at, in + at, silent, l2 + at, r2 + at, m);
      at += m;
    }
    CHECKF(memcmp(l1, l2, n * sizeof(float)) == 0 && memcmp(r1, r2, n * sizeof(float)) == 0,
           "slices of %u frames differ from one call", slices[s]);
    free(l2), free(r2), free(mem);
  }
  free(in), free(l1), free(r1);
}

int main(void) {
  test_taps();
  test_sweep_and_level();
  test_sleep();
  test_split();
  return tu_finish();
}
