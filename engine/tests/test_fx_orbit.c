/*
 * test_fx_orbit.c — the orbit effect bus DSP (rt_fx_delay, rt_fx_reverb,
 * rt_fx_orbit, rt_fx_limiter) against theory and measurement:
 *   delay     echoes at delaytime (seconds and cycles), each repeat
 *             `delayfeedback` times the one before, nothing in between;
 *             a time change crossfades without a click
 *   reverb    RT60 by Schroeder backward integration close to `size` and
 *             growing with it; level near superdough's; roomdim darkens the
 *             late tail; left/right decorrelated; no ringing (Welch spectrum
 *             of the tail: flatness high, peak-to-mean bounded)
 *   orbit     sleeps after silence (flag), outputs exact zeros, wakes on input
 *   limiter   +12 dB sine never above 1.0; below -1 dBFS bit-identical;
 *             NaN/inf become 0
 *   all       split invariance (one block vs slices of 1, 7, 33, 300 ...
 *             frames: identical bytes) and determinism; stable at extreme
 *             settings over 60 s (finite, bounded, not growing)
 * `test_fx_orbit --bench` prints the cost per active and idle orbit.
 *
 * The effect sources are compiled into this executable (they are static-free
 * RT code with hidden visibility in the library).
 *
 * Thread: the test's main thread.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>
#include <time.h>

#include "test_util.h"

#include "rt/rt_fx_chorus.c"
#include "rt/rt_fx_delay.c"
#include "rt/rt_fx_limiter.c"
#include "rt/rt_fx_orbit.c"
#include "rt/rt_fx_reverb.c"

#define FS 48000.0f
#define FSI 48000u

/* ------------------------------------------------------------ helpers -- */

static float *zalloc(size_t n) {
  float *p = calloc(n, sizeof(float));
  if (!p) abort();
  return p;
}

static void *zmem(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63u) & ~(size_t)63u);
  if (!p) abort();
  memset(p, 0xA5, bytes); /* init must clear what it uses */
  return p;
}

/* Deterministic white noise in [-amp, amp]. */
static float noise(tu_rng_t *r, float amp) {
  return amp * ((float)(tu_rng_next(r) >> 40) * (2.0f / 16777216.0f) - 1.0f);
}

/* Slicing patterns for split invariance. */
static const uint32_t k_slices[] = {1, 7, 33, 300, 64, 5, 129, 1000, 2, 63, 65, 4096};
#define N_SLICES (sizeof k_slices / sizeof k_slices[0])

/* Least-squares slope of y over x. */
static double slope(const double *x, const double *y, int n) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/* RT60 from an impulse response (energy h2[i] per frame) by Schroeder
 * backward integration, the line fitted between -5 and -25 dB (T20). */
static double rt60_schroeder(const double *h2, uint64_t n, double fs) {
  double *edc = malloc(n * sizeof(double));
  double acc = 0;
  for (uint64_t i = n; i-- > 0;) {
    acc += h2[i];
    edc[i] = acc;
  }
  double *xs = malloc(n * sizeof(double)), *ys = malloc(n * sizeof(double));
  int m = 0;
  for (uint64_t i = 0; i < n; i++) {
    double db = 10.0 * log10(edc[i] / edc[0] + 1e-300);
    if (db <= -5.0 && db >= -25.0) {
      xs[m] = (double)i / fs;
      ys[m] = db;
      m++;
    }
  }
  double s = m > 10 ? slope(xs, ys, m) : 0.0;
  free(edc);
  free(xs);
  free(ys);
  return s < 0 ? -60.0 / s : 0.0;
}

/* Energy per frame of x (frames long) band-passed to the octave around
 * center_hz (brick wall in the frequency domain), added into h2. */
static void octave_energy(const float *x, uint32_t frames, double center_hz, double *h2) {
  uint32_t n = 1;
  while (n < 2 * frames) n <<= 1;
  double *re = calloc(n, sizeof(double)), *im = calloc(n, sizeof(double));
  for (uint32_t i = 0; i < frames; i++) re[i] = x[i];
  tu_fft(re, im, n);
  double lo = center_hz / M_SQRT2, hi = center_hz * M_SQRT2;
  for (uint32_t k = 0; k < n; k++) {
    double f = (k <= n / 2 ? k : n - k) * (double)FS / n;
    if (f < lo || f > hi) re[k] = im[k] = 0.0;
    im[k] = -im[k]; /* inverse through the forward transform of the conjugate */
  }
  tu_fft(re, im, n);
  for (uint32_t i = 0; i < frames; i++) {
    double v = re[i] / n;
    h2[i] += v * v;
  }
  free(re);
  free(im);
}

/* ------------------------------------------------------------- delay -- */

typedef struct delay_rig {
  rt_fx_delay_t d;
  void *mem;
} delay_rig_t;

static void delay_rig_init(delay_rig_t *g, float max_s) {
  g->mem = zmem(rt_fx_delay_bytes(FS, max_s));
  rt_fx_delay_init(&g->d, FS, max_s, g->mem);
}

/* Impulse at frame `at` (left 1.0, right 0.5); returns the rendered output. */
static void delay_impulse(const rt_fx_delay_params_t *p, uint32_t at, uint32_t frames, float *ol,
                          float *orr) {
  delay_rig_t g;
  delay_rig_init(&g, 4.0f);
  rt_fx_delay_set(&g.d, p);
  float *il = zalloc(frames), *ir = zalloc(frames);
  il[at] = 1.0f;
  ir[at] = 0.5f;
  rt_fx_delay_process(&g.d, il, ir, false, ol, orr, frames);
  free(il);
  free(ir);
  free(g.mem);
}

static void check_echoes(const float *ol, const float *orr, uint32_t frames, uint32_t at,
                         uint32_t period, float fb) {
  uint32_t k = 0, others = 0;
  double worst = 0;
  for (uint32_t i = 0; i < frames; i++) {
    bool echo = i > at && (i - at) % period == 0;
    if (!echo) {
      if (ol[i] != 0.0f || orr[i] != 0.0f) others++;
      continue;
    }
    k = (i - at) / period;
    double want = pow(fb, (double)(k - 1));
    double e = fabs(ol[i] - want) / want;
    double e2 = fabs(orr[i] - 0.5 * want) / (0.5 * want);
    if (e > worst) worst = e;
    if (e2 > worst) worst = e2;
  }
  CHECKF(k >= 3, "only %u echoes seen", k);
  CHECKF(worst < 1e-5, "echo levels off by %.3g relative (want feedback^(k-1))", worst);
  CHECKF(others == 0, "%u frames outside the echo times are not zero", others);
  printf("  echoes every %u frames: %u checked, worst relative level error %.2g\n", period, k,
         worst);
}

static void test_delay_echoes(void) {
  tu_section("delay: echoes at delaytime (seconds), level x feedback per repeat");
  float *ol = zalloc(60000), *orr = zalloc(60000);
  rt_fx_delay_params_t p = {.time = 0.25f, .feedback = 0.6f, .sync = 0, .frames_per_cycle = FS};
  delay_impulse(&p, 100, 60000, ol, orr);
  check_echoes(ol, orr, 60000, 100, 12000, 0.6f);

  tu_section("delay: delaytime in cycles (lock / delaysync)");
  memset(ol, 0, 60000 * sizeof(float));
  memset(orr, 0, 60000 * sizeof(float));
  /* 0.5 cycles per second: 96000 frames per cycle; 3/16 cycle = 18000 frames */
  rt_fx_delay_params_t q = {.time = 0.1875f, .feedback = 0.5f, .sync = 1, .frames_per_cycle = 96000.0};
  delay_impulse(&q, 7, 60000, ol, orr);
  check_echoes(ol, orr, 60000, 7, 18000, 0.5f);

  tu_section("delay: feedback above 0.98 is clamped to 0.98");
  memset(ol, 0, 60000 * sizeof(float));
  memset(orr, 0, 60000 * sizeof(float));
  rt_fx_delay_params_t c = {.time = 0.01f, .feedback = 1.5f, .sync = 0};
  delay_impulse(&c, 0, 60000, ol, orr);
  check_echoes(ol, orr, 60000, 0, 480, 0.98f);
  free(ol);
  free(orr);
}

static void test_delay_time_change(void) {
  tu_section("delay: a delaytime change crossfades (no click)");
  const uint32_t n = 48000;
  delay_rig_t g;
  delay_rig_init(&g, 1.0f);
  rt_fx_delay_params_t p = {.time = 0.1f, .feedback = 0.0f, .sync = 0};
  rt_fx_delay_set(&g.d, &p);
  float *il = zalloc(n), *ir = zalloc(n), *ol = zalloc(n), *orr = zalloc(n);
  double w = 2.0 * M_PI * 220.0 / FS;
  for (uint32_t i = 0; i < n; i++) il[i] = ir[i] = (float)(0.5 * sin(w * i));
  rt_fx_delay_process(&g.d, il, ir, false, ol, orr, 20000);
  p.time = 0.1037f; /* not a multiple of the period: the phase jumps */
  rt_fx_delay_set(&g.d, &p);
  rt_fx_delay_process(&g.d, il + 20000, ir + 20000, false, ol + 20000, orr + 20000, n - 20000);
  double steady = tu_max_step(ol + 5000, 15000, 1, 0);
  double change = tu_max_step(ol + 19000, 4000, 1, 0);
  /* A hard jump would step by up to 2 x 0.5; the crossfade's extra slope is
   * 1 / 1024 of the amplitude difference per frame. */
  CHECKF(change <= steady * 1.1 + 1e-3, "max step during the change %.4g vs steady %.4g", change,
         steady);
  /* After the crossfade the output is the input 0.1037 s late. */
  uint32_t dl = (uint32_t)(0.1037f * FS + 0.5f);
  double err = 0;
  for (uint32_t i = 30000; i < n; i++) err = fmax(err, fabs(ol[i] - il[i - dl]));
  CHECKF(err < 1e-6, "after the crossfade output != input delayed %u frames (err %.3g)", dl, err);
  printf("  max step steady %.4f, during change %.4f\n", steady, change);
  free(il);
  free(ir);
  free(ol);
  free(orr);
  free(g.mem);
}

/* ------------------------------------------------------------ reverb -- */

typedef struct rev_rig {
  rt_fx_reverb_t r;
  void *mem;
} rev_rig_t;

static void rev_rig_init(rev_rig_t *g) {
  g->mem = zmem(rt_fx_reverb_bytes(FS, 1.0f));
  rt_fx_reverb_init(&g->r, FS, 1.0f, g->mem);
}

/* Impulse response (left impulse, or both when mono) into ol/orr. */
static void rev_ir(const rt_fx_reverb_params_t *p, bool mono, uint32_t frames, float *ol, float *orr) {
  rev_rig_t g;
  rev_rig_init(&g);
  rt_fx_reverb_set(&g.r, p);
  float *il = zalloc(frames), *ir = zalloc(frames);
  il[0] = 1.0f;
  if (mono) ir[0] = 1.0f;
  memset(ol, 0, frames * sizeof(float));
  memset(orr, 0, frames * sizeof(float));
  rt_fx_reverb_process(&g.r, il, ir, false, ol, orr, frames);
  free(il);
  free(ir);
  free(g.mem);
}

static double corr(const float *a, const float *b, uint32_t from, uint32_t to) {
  double ab = 0, aa = 0, bb = 0;
  for (uint32_t i = from; i < to; i++) {
    ab += (double)a[i] * b[i];
    aa += (double)a[i] * a[i];
    bb += (double)b[i] * b[i];
  }
  return ab / sqrt(aa * bb + 1e-300);
}

/* Welch spectrum of the tail [from, from + nwin * 4096) with each window
 * normalized to unit energy (removes the decay); flatness and peak-to-mean
 * over the bins between lo_hz and hi_hz. */
static void tail_spectrum(const float *x, uint32_t from, int nwin, double lo_hz, double hi_hz,
                          double *flatness, double *peak_to_mean) {
  const uint32_t N = 4096;
  double *acc = calloc(N / 2, sizeof(double));
  double *re = malloc(N * sizeof(double)), *im = malloc(N * sizeof(double));
  for (int wdx = 0; wdx < nwin; wdx++) {
    double e = 0;
    for (uint32_t i = 0; i < N; i++) {
      double hann = 0.5 - 0.5 * cos(2.0 * M_PI * i / N);
      re[i] = x[from + (uint32_t)wdx * N + i] * hann;
      im[i] = 0;
      e += re[i] * re[i];
    }
    tu_fft(re, im, N);
    for (uint32_t k = 0; k < N / 2; k++) acc[k] += (re[k] * re[k] + im[k] * im[k]) / (e + 1e-300);
  }
  /* Against the local mean over +-1/6 octave, so the tail's overall tilt
   * (treble decays faster) does not count, only narrow peaks and dips. */
  uint32_t k0 = (uint32_t)(lo_hz * N / FS), k1 = (uint32_t)(hi_hz * N / FS);
  double logsum = 0, peak = 0;
  for (uint32_t k = k0; k < k1; k++) {
    uint32_t a = (uint32_t)(k * 0.891), b = (uint32_t)(k * 1.122) + 1;
    double local = 0;
    for (uint32_t q = a; q < b; q++) local += acc[q];
    local /= (double)(b - a);
    double ratio = acc[k] / local;
    logsum += log(ratio + 1e-300);
    if (ratio > peak) peak = ratio;
  }
  *flatness = exp(logsum / (double)(k1 - k0));
  *peak_to_mean = peak;
  free(acc);
  free(re);
  free(im);
}

static void test_reverb_rt60(void) {
  tu_section("reverb: RT60 (Schroeder, T20) follows size; level near superdough's");
  /* RT60 is quoted as T_mid, the mean of the 500 Hz and 1 kHz octaves (the
   * acoustics convention); the broadband figure is printed too (the
   * interpolation of the modulated lines damps the top octave a little). */
  const float sizes[] = {0.3f, 0.6f, 1.0f, 2.0f, 4.0f};
  double last = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    uint32_t frames = (uint32_t)(sizes[s] * 1.6f * FS) + 4800;
    float *ol = zalloc(frames), *orr = zalloc(frames);
    rt_fx_reverb_params_t p;
    rt_fx_reverb_defaults(&p);
    p.size_s = sizes[s];
    p.lp_hz = 24000.0f; /* no damping: measure the loop gains, not the filters */
    p.dim_hz = 24000.0f;
    p.fade_s = 0.0f;
    rev_ir(&p, false, frames, ol, orr);
    double *h2 = calloc(frames, sizeof(double));
    double energy_l = 0;
    for (uint32_t i = 0; i < frames; i++) {
      h2[i] = (double)ol[i] * ol[i] + (double)orr[i] * orr[i];
      energy_l += (double)ol[i] * ol[i];
    }
    double t_broad = rt60_schroeder(h2, frames, FS);
    double t_oct[2];
    for (int b = 0; b < 2; b++) {
      memset(h2, 0, frames * sizeof(double));
      octave_energy(ol, frames, b ? 1000.0 : 500.0, h2);
      octave_energy(orr, frames, b ? 1000.0 : 500.0, h2);
      t_oct[b] = rt60_schroeder(h2, frames, FS);
    }
    double t = 0.5 * (t_oct[0] + t_oct[1]);
    double want_e = 0.095 * sizes[s];
    printf("  size %.1f s: T_mid %.3f s (%+.1f%%; 500 Hz %.3f, 1 kHz %.3f), broadband %.3f s (%+.1f%%), "
           "left energy %.3f (superdough %.3f)\n",
           sizes[s], t, 100.0 * (t - sizes[s]) / sizes[s], t_oct[0], t_oct[1], t_broad,
           100.0 * (t_broad - sizes[s]) / sizes[s], energy_l, want_e);
    CHECKF(fabs(t - sizes[s]) <= 0.10 * sizes[s], "size %.2f: T_mid %.3f", sizes[s], t);
    CHECKF(fabs(t_broad - sizes[s]) <= 0.15 * sizes[s], "size %.2f: broadband RT60 %.3f", sizes[s],
           t_broad);
    CHECKF(t > last, "RT60 must grow with size (%.3f after %.3f)", t, last);
    CHECKF(energy_l > want_e / 1.5 && energy_l < want_e * 1.5, "size %.2f: energy %.3f vs %.3f",
           sizes[s], energy_l, want_e);
    last = t;
    free(h2);
    free(ol);
    free(orr);
  }
}

static void test_reverb_rates(void) {
  tu_section("reverb and delay at 44.1 and 96 kHz: same RT60 and echo time in seconds");
  const float rates[] = {44100.0f, 96000.0f};
  for (int k = 0; k < 2; k++) {
    float fs = rates[k];
    uint32_t frames = (uint32_t)(1.6f * 1.5f * fs);
    rt_fx_reverb_t r;
    void *mem = zmem(rt_fx_reverb_bytes(fs, 0.5f));
    rt_fx_reverb_init(&r, fs, 0.5f, mem);
    rt_fx_reverb_params_t p;
    rt_fx_reverb_defaults(&p);
    p.size_s = 1.5f;
    p.lp_hz = p.dim_hz = 1e6f;
    rt_fx_reverb_set(&r, &p);
    float *il = zalloc(frames), *ol = zalloc(frames), *orr = zalloc(frames);
    il[0] = 1.0f;
    rt_fx_reverb_process(&r, il, il, false, ol, orr, frames);
    double *h2 = calloc(frames, sizeof(double));
    for (uint32_t i = 0; i < frames; i++) h2[i] = (double)ol[i] * ol[i] + (double)orr[i] * orr[i];
    double t = rt60_schroeder(h2, frames, fs);
    printf("  %.1f kHz: broadband RT60 %.3f s for size 1.5 s\n", fs / 1000.0, t);
    CHECKF(fabs(t - 1.5) < 0.15 * 1.5, "RT60 %.3f at %.0f Hz", t, fs);
    CHECK(tu_all_finite(ol, frames) && tu_all_finite(orr, frames));
    free(h2);
    free(mem);

    rt_fx_delay_t d;
    mem = zmem(rt_fx_delay_bytes(fs, 1.0f));
    rt_fx_delay_init(&d, fs, 1.0f, mem);
    rt_fx_delay_params_t dp = {.time = 0.3f, .feedback = 0.5f};
    rt_fx_delay_set(&d, &dp);
    memset(ol, 0, frames * sizeof(float));
    rt_fx_delay_process(&d, il, il, false, ol, orr, frames);
    uint64_t first = tu_first_above(ol, 1, frames, 1, 0.5);
    CHECK_EQ_U64(first, (uint64_t)(0.3f * fs + 0.5f));
    free(mem);
    free(il);
    free(ol);
    free(orr);
  }
}

static void test_reverb_character(void) {
  const uint32_t frames = 2 * FSI;
  float *ol = zalloc(frames), *orr = zalloc(frames);
  rt_fx_reverb_params_t p;
  rt_fx_reverb_defaults(&p);
  p.lp_hz = 24000.0f;
  p.dim_hz = 24000.0f;

  tu_section("reverb: left/right decorrelated (left impulse and mono impulse)");
  rev_ir(&p, false, frames, ol, orr);
  double c1 = corr(ol, orr, 2400, frames);
  rev_ir(&p, true, frames, ol, orr);
  double c2 = corr(ol, orr, 2400, frames);
  printf("  correlation L/R after 50 ms: left-only input %.3f, mono input %.3f\n", c1, c2);
  CHECKF(fabs(c1) < 0.15, "L/R correlation %.3f", c1);
  CHECKF(fabs(c2) < 0.15, "L/R correlation (mono in) %.3f", c2);

  tu_section("reverb: no ringing (tail spectrum flat, no peaks)");
  double flat, ptm;
  tail_spectrum(ol, 9600, 16, 200.0, 8000.0, &flat, &ptm);
  printf("  tail 0.2..1.57 s, 200 Hz..8 kHz, 16-window Welch, against +-1/6 octave: flatness %.3f, "
         "peak/mean %.2f (%.1f dB)\n",
         flat, ptm, 10 * log10(ptm));
  /* Noise averaged over 16 windows: flatness ~0.97, largest bin ~2x its
   * neighbourhood; a ringing mode stands 10-20 dB out in every window. */
  CHECKF(flat > 0.9, "spectral flatness %.3f", flat);
  CHECKF(ptm < 3.0, "peak-to-local-mean %.2f", ptm);
  /* The measure does see ringing: the same tail plus one mode at 1234 Hz,
   * 20 dB under the tail's RMS and decaying with it, fails it; so does a
   * Schroeder comb (one 27.6 ms line, feedback 0.9985). */
  float *ring = zalloc(frames);
  double a0 = tu_rms(ol + 9600, 4800, 1, 0);
  for (uint32_t i = 0; i < frames; i++) {
    double t = i / (double)FS;
    ring[i] = ol[i] + (float)(0.1 * a0 * exp(-3.454 * (t - 0.2)) * sin(2 * M_PI * 1234.0 * t));
  }
  double rflat, rptm;
  tail_spectrum(ring, 9600, 16, 200.0, 8000.0, &rflat, &rptm);
  float *comb = zalloc(frames);
  for (uint32_t i = 0, k = 0; i < frames; i += 1327, k++) comb[i] = (float)pow(0.9985, k);
  double cflat, cptm;
  tail_spectrum(comb, 9600, 16, 200.0, 8000.0, &cflat, &cptm);
  printf("  references: tail + one mode at -20 dB: peak/mean %.2f (%.1f dB); comb: flatness %.3f\n",
         rptm, 10 * log10(rptm), cflat);
  CHECK(rptm > 3.0);
  CHECK(cflat < 0.9);
  free(ring);
  free(comb);

  tu_section("reverb: roomdim darkens the late tail; roomfade delays the build-up");
  rt_fx_reverb_defaults(&p); /* lp 15 kHz, dim 1 kHz, fade 0.1 s */
  rev_ir(&p, false, frames, ol, orr);
  /* mean square of the first difference over mean square: ~ (2 pi fc / fs)^2 */
  double d_early = 0, e_early = 0, d_late = 0, e_late = 0;
  for (uint32_t i = 4800; i < 14400; i++) {
    d_early += pow(ol[i] - ol[i - 1], 2);
    e_early += pow(ol[i], 2);
  }
  for (uint32_t i = 72000; i < 81600; i++) {
    d_late += pow(ol[i] - ol[i - 1], 2);
    e_late += pow(ol[i], 2);
  }
  double e_def = 0;
  for (uint32_t i = 0; i < frames; i++) e_def += (double)ol[i] * ol[i];
  printf("  defaults (size 2 s, roomlp 15 kHz, roomdim 1 kHz): left energy %.3f (superdough 0.19)\n",
         e_def);
  CHECKF(e_def > 0.19 / 1.5 && e_def < 0.19 * 1.5, "damped level %.3f, superdough 0.19", e_def);
  char *wav = tu_path("fx_orbit_reverb_default_ir.wav"); /* kept with MS_TEST_KEEP=1 */
  float *st = zalloc(2 * frames);
  for (uint32_t i = 0; i < frames; i++) {
    st[2 * i] = ol[i];
    st[2 * i + 1] = orr[i];
  }
  tu_write_audio(wav, 0x010006 /* WAV float */, 2, FSI, st, frames, NULL);
  free(st);
  free(wav);
  double hf_early = d_early / e_early, hf_late = d_late / e_late;
  printf("  HF index (diff energy / energy) 0.1-0.3 s %.4f, 1.5-1.7 s %.4f\n", hf_early, hf_late);
  CHECKF(hf_late < hf_early * 0.3, "late tail not darker: %.4f vs %.4f", hf_late, hf_early);
  /* fade-in: energy in the first 10 ms is small against 90..100 ms */
  double e0 = 0, e1 = 0;
  for (uint32_t i = 0; i < 480; i++) e0 += pow(ol[i], 2) + pow(orr[i], 2);
  for (uint32_t i = 4320; i < 4800; i++) e1 += pow(ol[i], 2) + pow(orr[i], 2);
  printf("  roomfade 0.1 s: energy 0-10 ms / 90-100 ms = %.3f\n", e0 / e1);
  CHECKF(e0 < 0.25 * e1, "fade-in missing: %.3g vs %.3g", e0, e1);

  tu_section("reverb: dry = 1 silences the reverb output");
  p.dry = 1.0f;
  rev_ir(&p, false, 4800, ol, orr);
  CHECK(tu_peak(ol, 4800, 1, 0) == 0.0 && tu_peak(orr, 4800, 1, 0) == 0.0);
  free(ol);
  free(orr);
}

/* ------------------------------------------------------------- orbit -- */

typedef struct orbit_rig {
  rt_fx_orbit_t o;
  void *mem;
} orbit_rig_t;

static void orbit_rig_init(orbit_rig_t *g, uint32_t max_frames) {
  rt_fx_orbit_config_t cfg = {.sample_rate = FS, .max_delay_s = 4.0f, .max_fade_s = 1.0f,
                              .max_frames = max_frames};
  g->mem = zmem(rt_fx_orbit_bytes(&cfg));
  rt_fx_orbit_init(&g->o, &cfg, g->mem);
}

/* A scripted session: bursts of noise with delay and room sends, parameter
 * changes at fixed frames, long silences (sleep) between. Rendered with the
 * given slicing (k_slices from index `pattern`, or whole blocks when < 0). */
typedef struct event {
  uint32_t frame;
  int kind; /* 0 delay params, 1 reverb params */
  rt_fx_delay_params_t dp;
  rt_fx_reverb_params_t rp;
} event_t;

static void orbit_session(float *out, uint32_t frames, int pattern) {
  orbit_rig_t g;
  orbit_rig_init(&g, 4096);
  static event_t ev[6];
  rt_fx_reverb_params_t r0;
  rt_fx_reverb_defaults(&r0);
  ev[0] = (event_t){.frame = 0, .kind = 0, .dp = {.time = 0.125f, .feedback = 0.7f}};
  ev[1] = (event_t){.frame = 0, .kind = 1, .rp = r0};
  ev[1].rp.size_s = 0.8f;
  ev[2] = (event_t){.frame = 7001, .kind = 0, .dp = {.time = 0.2f, .feedback = 0.4f}};
  ev[3] = (event_t){.frame = 13333, .kind = 1, .rp = r0};
  ev[3].rp.size_s = 0.4f;
  ev[3].rp.dim_hz = 3000.0f;
  ev[3].rp.fade_s = 0.02f;
  ev[4] = (event_t){.frame = 150001, .kind = 0,
                    .dp = {.time = 0.25f, .feedback = 0.3f, .sync = 1, .frames_per_cycle = 40000.0}};
  ev[5] = (event_t){.frame = 150001, .kind = 1, .rp = r0};
  ev[5].rp.size_s = 0.3f;
  const int nev = 6;
  float *l = zalloc(4096), *r = zalloc(4096), *ol = zalloc(4096), *orr = zalloc(4096);
  tu_rng_t rng = {0x1234567u};
  uint32_t pos = 0, si = 0;
  int e = 0;
  while (pos < frames) {
    while (e < nev && ev[e].frame <= pos) {
      if (ev[e].kind == 0)
        rt_fx_orbit_set_delay(&g.o, &ev[e].dp);
      else
        rt_fx_orbit_set_reverb(&g.o, &ev[e].rp);
      e++;
    }
    uint32_t n = pattern < 0 ? 4096u : k_slices[(si++ + (uint32_t)pattern) % N_SLICES];
    if (n > frames - pos) n = frames - pos;
    if (e < nev && ev[e].frame - pos < n) n = ev[e].frame - pos;
    /* input: noise bursts at 0..0.1 s, 0.25..0.3 s and 3.2..3.25 s */
    for (uint32_t i = 0; i < n; i++) {
      uint32_t f = pos + i;
      bool on = f < 4800 || (f >= 12000 && f < 14400) || (f >= 153600 && f < 156000);
      l[i] = on ? noise(&rng, 0.5f) : 0.0f;
      r[i] = on ? noise(&rng, 0.5f) : 0.0f;
    }
    bool any = (pos < 14400) || (pos + n > 153600 && pos < 156000);
    if (any) rt_fx_orbit_send(&g.o, 0, l, r, n, 0.5f, 0.5f, 0.7f, 0.7f);
    memset(ol, 0, n * sizeof(float));
    memset(orr, 0, n * sizeof(float));
    rt_fx_orbit_process(&g.o, ol, orr, n);
    for (uint32_t i = 0; i < n; i++) {
      out[2 * (pos + i)] = ol[i];
      out[2 * (pos + i) + 1] = orr[i];
    }
    pos += n;
  }
  free(l);
  free(r);
  free(ol);
  free(orr);
  free(g.mem);
}

static void test_orbit_split_invariance(void) {
  tu_section("orbit: split invariance and determinism (sleep and wake included)");
  const uint32_t frames = 200000;
  float *a = zalloc(2 * frames), *b = zalloc(2 * frames);
  orbit_session(a, frames, -1);
  CHECKF(tu_peak(a, frames, 2, 0) > 0.01, "session is silent");
  orbit_session(b, frames, -1);
  CHECKF(memcmp(a, b, 2 * frames * sizeof(float)) == 0, "two identical runs differ");
  for (int pat = 0; pat < 4; pat++) {
    memset(b, 0, 2 * frames * sizeof(float));
    orbit_session(b, frames, pat * 3);
    uint64_t first = UINT64_MAX;
    for (uint64_t i = 0; i < 2ull * frames; i++)
      if (memcmp(&a[i], &b[i], sizeof(float)) != 0) {
        first = i / 2;
        break;
      }
    CHECKF(first == UINT64_MAX, "slicing pattern %d differs from one block at frame %llu", pat * 3,
           (unsigned long long)first);
  }
  free(a);
  free(b);
}

static void test_orbit_sleep(void) {
  tu_section("orbit: sleeps after silence, exact zeros, zero-cost path, wakes on input");
  orbit_rig_t g;
  orbit_rig_init(&g, 64);
  CHECK(rt_fx_orbit_asleep(&g.o)); /* a fresh orbit is idle */
  rt_fx_delay_params_t dp = {.time = 0.1f, .feedback = 0.5f};
  rt_fx_reverb_params_t rp;
  rt_fx_reverb_defaults(&rp);
  rp.size_s = 0.5f;
  rt_fx_orbit_set_delay(&g.o, &dp);
  rt_fx_orbit_set_reverb(&g.o, &rp);
  float l[64] = {0}, r[64] = {0}, ol[64], orr[64];
  l[0] = r[0] = 1.0f;
  memset(ol, 0, sizeof ol);
  memset(orr, 0, sizeof orr);
  rt_fx_orbit_send(&g.o, 0, l, r, 64, 1.0f, 1.0f, 1.0f, 1.0f);
  rt_fx_orbit_process(&g.o, ol, orr, 64);
  CHECK(!rt_fx_orbit_asleep(&g.o));
  /* Render silence until asleep: delay -120 dB after ~20 repeats (2 s) plus
   * its 4 s buffer; reverb after 0.5 s x 2 plus its buffers. */
  uint32_t blocks = 0, slept_at = 0;
  double tail_peak = 0;
  for (; blocks < 20 * 750; blocks++) {
    memset(ol, 0, sizeof ol);
    memset(orr, 0, sizeof orr);
    rt_fx_orbit_process(&g.o, ol, orr, 64);
    if (blocks > 100) tail_peak = fmax(tail_peak, fmax(tu_peak(ol, 64, 1, 0), tu_peak(orr, 64, 1, 0)));
    if (rt_fx_orbit_asleep(&g.o)) {
      slept_at = blocks;
      break;
    }
  }
  CHECKF(slept_at > 0, "orbit did not fall asleep within 20 s");
  printf("  asleep after %.2f s of silence (delay 0.1 s fb 0.5 with a 4 s buffer, reverb 0.5 s)\n",
         slept_at * 64 / FS);
  /* Asleep: output exactly zero, state untouched (the check is the whole cost). */
  uint32_t w_delay = g.o.delay.w, w_rev = g.o.reverb.w, q = g.o.reverb.quiet_frames;
  bool all_zero = true;
  for (uint32_t b = 0; b < 1000; b++) {
    for (int i = 0; i < 64; i++) ol[i] = orr[i] = 0.0f;
    rt_fx_orbit_process(&g.o, ol, orr, 64);
    for (int i = 0; i < 64; i++)
      if (ol[i] != 0.0f || orr[i] != 0.0f) all_zero = false;
  }
  CHECK(all_zero);
  CHECK(rt_fx_orbit_asleep(&g.o));
  CHECK(g.o.delay.w == w_delay && g.o.reverb.w == w_rev && g.o.reverb.quiet_frames == q);
  /* A send below -120 dB does not wake it. */
  for (int i = 0; i < 64; i++) l[i] = r[i] = 5e-7f;
  rt_fx_orbit_send(&g.o, 0, l, r, 64, 1.0f, 1.0f, 1.0f, 1.0f);
  memset(ol, 0, sizeof ol);
  memset(orr, 0, sizeof orr);
  rt_fx_orbit_process(&g.o, ol, orr, 64);
  CHECK(rt_fx_orbit_asleep(&g.o));
  CHECK(tu_peak(ol, 64, 1, 0) == 0.0);
  /* Input wakes it at the first loud frame; the delay's echo follows. */
  memset(l, 0, sizeof l);
  memset(r, 0, sizeof r);
  l[10] = 1.0f;
  rt_fx_orbit_send(&g.o, 0, l, r, 64, 1.0f, 1.0f, 0.0f, 0.0f);
  memset(ol, 0, sizeof ol);
  rt_fx_orbit_process(&g.o, ol, orr, 64);
  CHECK(!g.o.delay.asleep);
  CHECK(g.o.reverb.asleep); /* no room send: the reverb stays asleep */
  double echo = 0;
  for (uint32_t b = 0; b < 80; b++) {
    memset(ol, 0, sizeof ol);
    rt_fx_orbit_process(&g.o, ol, orr, 64);
    echo = fmax(echo, tu_peak(ol, 64, 1, 0));
  }
  CHECKF(fabs(echo - 1.0) < 1e-6, "echo after wake %.6f", echo);
  free(g.mem);
}

static void test_delay_reverb_split(void) {
  tu_section("delay and reverb alone: split invariance with parameter glides");
  const uint32_t frames = 30000;
  float *in = zalloc(frames);
  tu_rng_t rng = {99};
  for (uint32_t i = 0; i < frames; i++) in[i] = i < 20000 ? noise(&rng, 0.8f) : 0.0f;
  float *ref[2] = {NULL, NULL};
  for (int eff = 0; eff < 2; eff++) {
    for (int pat = -1; pat < 3; pat++) {
      float *ol = zalloc(frames), *orr = zalloc(frames);
      delay_rig_t dg;
      rev_rig_t rg;
      if (eff == 0) delay_rig_init(&dg, 1.0f);
      else rev_rig_init(&rg);
      uint32_t pos = 0, si = 0;
      while (pos < frames) {
        /* parameter changes between calls at fixed frames */
        if (pos == 0 || pos == 5000 || pos == 9001 || pos == 17777) {
          float v = (float)pos / frames;
          if (eff == 0) {
            rt_fx_delay_params_t p = {.time = 0.01f + 0.05f * v, .feedback = 0.9f - v};
            rt_fx_delay_set(&dg.d, &p);
          } else {
            rt_fx_reverb_params_t p;
            rt_fx_reverb_defaults(&p);
            p.size_s = 0.2f + 3.0f * v;
            p.dim_hz = 500.0f + 8000.0f * v;
            p.lp_hz = 16000.0f - 10000.0f * v;
            p.dry = v;
            rt_fx_reverb_set(&rg.r, &p);
          }
        }
        uint32_t n = pat < 0 ? frames : k_slices[(si++ + (uint32_t)pat * 5) % N_SLICES];
        uint32_t next = pos < 5000 ? 5000 : pos < 9001 ? 9001 : pos < 17777 ? 17777 : frames;
        if (n > next - pos) n = next - pos;
        if (eff == 0)
          rt_fx_delay_process(&dg.d, in + pos, in + pos, false, ol + pos, orr + pos, n);
        else
          rt_fx_reverb_process(&rg.r, in + pos, in + pos, false, ol + pos, orr + pos, n);
        pos += n;
      }
      if (eff == 0) free(dg.mem);
      else free(rg.mem);
      if (pat < 0) {
        ref[eff] = ol;
      } else {
        CHECKF(memcmp(ref[eff], ol, frames * sizeof(float)) == 0, "%s: slicing %d differs",
               eff ? "reverb" : "delay", pat);
        free(ol);
      }
      free(orr);
    }
  }
  free(ref[0]);
  free(ref[1]);
  free(in);
}

static void test_extremes(void) {
  tu_section("extremes: feedback 0.98 (asked 5), size 20 s, no damping, 60 s of loud noise");
  orbit_rig_t g;
  orbit_rig_init(&g, 256);
  rt_fx_delay_params_t dp = {.time = 0.003f, .feedback = 5.0f};
  rt_fx_reverb_params_t rp = {.size_s = 1000.0f, .fade_s = 0.0f, .lp_hz = 1e9f, .dim_hz = 1e9f, .dry = 0.0f};
  rt_fx_orbit_set_delay(&g.o, &dp);
  rt_fx_orbit_set_reverb(&g.o, &rp);
  float l[256], r[256], ol[256], orr[256];
  tu_rng_t rng = {7};
  double peak = 0, ms_40_50 = 0, ms_50_60 = 0;
  bool finite = true;
  const uint32_t blocks = 60 * FSI / 256;
  for (uint32_t b = 0; b < blocks; b++) {
    for (int i = 0; i < 256; i++) {
      l[i] = noise(&rng, 1.0f);
      r[i] = noise(&rng, 1.0f);
    }
    rt_fx_orbit_send(&g.o, 0, l, r, 256, 1.0f, 1.0f, 1.0f, 1.0f);
    memset(ol, 0, sizeof ol);
    memset(orr, 0, sizeof orr);
    rt_fx_orbit_process(&g.o, ol, orr, 256);
    if (!tu_all_finite(ol, 256) || !tu_all_finite(orr, 256)) finite = false;
    for (int i = 0; i < 256; i++) {
      peak = fmax(peak, fmax(fabs(ol[i]), fabs(orr[i])));
      double e = (double)ol[i] * ol[i];
      double t = (double)b * 256 / FS;
      if (t >= 40 && t < 50) ms_40_50 += e;
      if (t >= 50) ms_50_60 += e;
    }
  }
  printf("  peak %.2f, RMS 40-50 s %.3f, 50-60 s %.3f\n", peak, sqrt(ms_40_50 / (10 * FS)),
         sqrt(ms_50_60 / (10 * FS)));
  CHECK(finite);
  /* delay: RMS x 1/sqrt(1 - 0.98^2) ~ 5; reverb: energy 0.095 x 20 s */
  CHECKF(peak < 60.0, "peak %.2f", peak);
  CHECKF(ms_50_60 < 1.2 * ms_40_50, "energy still growing: %.3g after %.3g", ms_50_60, ms_40_50);
  free(g.mem);
}

/* ----------------------------------------------------------- limiter -- */

static void test_limiter(void) {
  tu_section("limiter: +12 dB sine stays under 1.0; below -1 dBFS bit-identical; NaN/inf -> 0");
  const uint32_t n = FSI;
  rt_fx_limiter_t lim;
  rt_fx_limiter_init(&lim, FS);
  float *buf = zalloc(2 * n), *orig = zalloc(2 * n);
  double amp = pow(10.0, 12.0 / 20.0);
  for (uint32_t i = 0; i < n; i++) {
    buf[2 * i] = (float)(amp * sin(2 * M_PI * 440.0 * i / FS));
    buf[2 * i + 1] = (float)(amp * sin(2 * M_PI * 660.0 * i / FS));
  }
  rt_fx_limiter_process(&lim, buf, n, 2);
  double pk = fmax(tu_peak(buf, n, 2, 0), tu_peak(buf, n, 2, 1));
  printf("  +12 dB sine: output peak %.6f\n", pk);
  CHECK(pk <= 1.0);
  CHECK(pk > 0.95);
  float huge[4] = {1e30f, -3e38f, 1e30f, 2.0f};
  rt_fx_limiter_process(&lim, huge, 2, 2);
  for (int i = 0; i < 4; i++) CHECKF(fabsf(huge[i]) <= 1.0f, "huge input -> %g", huge[i]);

  rt_fx_limiter_reset(&lim);
  double a2 = pow(10.0, -1.2 / 20.0);
  for (uint32_t i = 0; i < n; i++) {
    buf[2 * i] = (float)(a2 * sin(2 * M_PI * 440.0 * i / FS));
    buf[2 * i + 1] = (float)(-a2 * sin(2 * M_PI * 97.0 * i / FS));
  }
  memcpy(orig, buf, 2 * n * sizeof(float));
  rt_fx_limiter_process(&lim, buf, n, 2);
  CHECKF(memcmp(orig, buf, 2 * n * sizeof(float)) == 0, "limiter not identity at -1.2 dBFS");

  /* Gain recovers after an overload: 0.5 s later a quiet signal passes as is. */
  float burst[2 * 480];
  for (int i = 0; i < 960; i++) burst[i] = 4.0f;
  rt_fx_limiter_process(&lim, burst, 480, 2);
  memcpy(buf, orig, 2 * n * sizeof(float));
  rt_fx_limiter_process(&lim, buf, n, 2);
  CHECKF(memcmp(orig + FSI, buf + FSI, FSI * sizeof(float)) == 0,
         "gain did not recover 0.5 s after an overload");

  float bad[6] = {NAN, 0.5f, INFINITY, -INFINITY, 0.25f, -0.25f};
  rt_fx_limiter_process(&lim, bad, 3, 2);
  CHECK(bad[0] == 0.0f && bad[2] == 0.0f && bad[3] == 0.0f && tu_all_finite(bad, 6));

  tu_section("limiter: split invariance");
  tu_rng_t rng = {5};
  for (uint32_t i = 0; i < 2 * n; i++) orig[i] = noise(&rng, (i / 9600) % 2 ? 3.0f : 0.5f);
  memcpy(buf, orig, 2 * n * sizeof(float));
  rt_fx_limiter_reset(&lim);
  rt_fx_limiter_process(&lim, buf, n, 2);
  float *b2 = zalloc(2 * n);
  memcpy(b2, orig, 2 * n * sizeof(float));
  rt_fx_limiter_reset(&lim);
  for (uint32_t pos = 0, si = 0; pos < n;) {
    uint32_t k = k_slices[si++ % N_SLICES];
    if (k > n - pos) k = n - pos;
    rt_fx_limiter_process(&lim, b2 + 2 * pos, k, 2);
    pos += k;
  }
  CHECK(memcmp(buf, b2, 2 * n * sizeof(float)) == 0);
  free(b2);
  free(buf);
  free(orig);
}

/* ------------------------------------------------------------- bench -- */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: other processes on the machine do not count */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bench(void) {
  enum { ORBITS = 12, BLOCK = 64 };
  const double seconds = 5.0;
  orbit_rig_t g[ORBITS];
  for (int k = 0; k < ORBITS; k++) {
    orbit_rig_init(&g[k], BLOCK);
    rt_fx_delay_params_t dp = {.time = 0.25f + 0.01f * k, .feedback = 0.6f};
    rt_fx_reverb_params_t rp;
    rt_fx_reverb_defaults(&rp);
    rt_fx_orbit_set_delay(&g[k].o, &dp);
    rt_fx_orbit_set_reverb(&g[k].o, &rp);
  }
  rt_fx_orbit_config_t cfg = {.sample_rate = FS, .max_delay_s = 4.0f, .max_fade_s = 1.0f,
                              .max_frames = BLOCK};
  float l[BLOCK], r[BLOCK], ol[BLOCK], orr[BLOCK];
  tu_rng_t rng = {3};
  for (int i = 0; i < BLOCK; i++) {
    l[i] = noise(&rng, 0.3f);
    r[i] = noise(&rng, 0.3f);
  }
  const uint32_t blocks = (uint32_t)(seconds * FS / BLOCK);
  double t_active[3] = {0, 0, 0};
  for (int rep = 0; rep < 3; rep++) {
    double t0 = now_s();
    for (uint32_t b = 0; b < blocks; b++) {
      for (int k = 0; k < ORBITS; k++) {
        rt_fx_orbit_send(&g[k].o, 0, l, r, BLOCK, 0.5f, 0.5f, 0.5f, 0.5f);
        rt_fx_orbit_process(&g[k].o, ol, orr, BLOCK);
      }
    }
    t_active[rep] = now_s() - t0;
  }
  /* delay alone and reverb alone */
  double t_part[2];
  for (int part = 0; part < 2; part++) {
    for (int k = 0; k < ORBITS; k++) rt_fx_orbit_reset(&g[k].o);
    double t1 = now_s();
    for (uint32_t b = 0; b < blocks; b++)
      for (int k = 0; k < ORBITS; k++) {
        rt_fx_orbit_send(&g[k].o, 0, l, r, BLOCK, part ? 0.0f : 0.5f, part ? 0.0f : 0.5f,
                         part ? 0.5f : 0.0f, part ? 0.5f : 0.0f);
        rt_fx_orbit_process(&g[k].o, ol, orr, BLOCK);
      }
    t_part[part] = now_s() - t1;
  }
  /* the send itself (a voice's cost, not the orbit's) */
  double t0 = now_s();
  for (uint32_t b = 0; b < blocks; b++)
    for (int k = 0; k < ORBITS; k++) {
      rt_fx_orbit_send(&g[k].o, 0, l, r, BLOCK, 0.5f, 0.5f, 0.5f, 0.5f);
      g[k].o.delay_touched = g[k].o.room_touched = false;
      memset(g[k].o.send_delay_l, 0, sizeof l);
    }
  double t_send = now_s() - t0;
  for (int k = 0; k < ORBITS; k++) rt_fx_orbit_reset(&g[k].o);
  t0 = now_s();
  for (uint32_t b = 0; b < 20 * blocks; b++)
    for (int k = 0; k < ORBITS; k++) rt_fx_orbit_process(&g[k].o, ol, orr, BLOCK);
  double t_idle = (now_s() - t0) / 20.0;
  bool idle_ok = true;
  for (int k = 0; k < ORBITS; k++) idle_ok = idle_ok && rt_fx_orbit_asleep(&g[k].o);

  double best = fmin(t_active[0], fmin(t_active[1], t_active[2]));
  double frames = (double)blocks * BLOCK;
  double ns_active = best * 1e9 / (frames * ORBITS);
  double ns_send = t_send * 1e9 / (frames * ORBITS);
  double ns_idle = t_idle * 1e9 / (frames * ORBITS);
  printf("bench_fx_orbit: %d orbits, %.0f s of audio at 48 kHz, blocks of %d frames\n", ORBITS,
         seconds, BLOCK);
  printf("  memory per orbit: %zu bytes (%.2f MiB; delay 4 s, roomfade 1 s)\n", rt_fx_orbit_bytes(&cfg),
         rt_fx_orbit_bytes(&cfg) / 1048576.0);
  printf("  active orbit (delay + reverb, sends included): %.1f ns/frame = %.3f %% of one core\n",
         ns_active, ns_active * 48000.0 * 1e-7);
  printf("    of which the two sends (voice side): %.1f ns/frame\n", ns_send);
  printf("  delay alone: %.1f ns/frame; reverb alone: %.1f ns/frame\n",
         t_part[0] * 1e9 / (frames * ORBITS), t_part[1] * 1e9 / (frames * ORBITS));
  printf("  idle orbit (asleep%s): %.3f ns/frame = %.5f %% of one core\n", idle_ok ? "" : " NOT",
         ns_idle, ns_idle * 48000.0 * 1e-7);
  printf("  12 active orbits: %.2f %% of one core\n", 12 * ns_active * 48000.0 * 1e-7);
  for (int k = 0; k < ORBITS; k++) free(g[k].mem);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--bench") == 0) return bench();
  test_delay_echoes();
  test_delay_time_change();
  test_reverb_rt60();
  test_reverb_character();
  test_reverb_rates();
  test_delay_reverb_split();
  test_orbit_split_invariance();
  test_orbit_sleep();
  test_extremes();
  test_limiter();
  return tu_finish();
}
