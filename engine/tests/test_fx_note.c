/*
 * test_fx_note.c — the per-note effects (src/rt/rt_fx_filter, rt_fx_vowel,
 * rt_fx_character, rt_fx_note) against theory and measurement, plus split
 * invariance and determinism; `--bench` prints ns per frame added by each
 * effect next to a plain pass-through loop of the same run (ratios).
 *
 * Thread: the test's main thread plays the render thread. The effect sources
 * are compiled into this test (they are RT-only and not exported by the
 * library); define FX_NOTE_LINKED to link separately built objects instead
 * (how the bench figures are taken with the engine's -O3 -march=native
 * -ffast-math flags).
 *
 * The test drives each effect the way a voice will: a control call at every
 * absolute multiple of MS_CONTROL_FRAMES (segment length 64), processing in
 * pieces that never cross a control boundary, any slicing inside.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>
#include <time.h>

#include "test_util.h"

#ifndef FX_NOTE_LINKED
/* The engine builds src/rt with -O3 -ffast-math (plus -march=native): compile
 * the effects the same way here, so split invariance and determinism are
 * checked on code transformed as in the library (the vectoriser's float
 * reassociation is what can make bits depend on slicing). */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#pragma GCC push_options
#pragma GCC optimize("O3", "fast-math")
#endif
#include "rt/rt_fx_character.c"
#include "rt/rt_fx_filter.c"
#include "rt/rt_fx_note.c"
#include "rt/rt_fx_vowel.c"
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#pragma GCC pop_options
#endif
#else
#include "rt/rt_fx_note.h"
#endif

#define FS 48000.0
#define SEG MS_CONTROL_FRAMES

static float g_tan[MS_TAN_TABLE_SIZE + 1], g_sine[MS_SINE_TABLE_SIZE + 1];
static rt_fx_ctx_t g_ctx;

/* The same tables ctl_tables.c builds for the sampler. */
static void ctx_build(void) {
  for (uint32_t i = 0; i < MS_TAN_TABLE_SIZE; i++) g_tan[i] = (float)tan(M_PI / 2.0 * (double)i / MS_TAN_TABLE_SIZE);
  g_tan[MS_TAN_TABLE_SIZE] = g_tan[MS_TAN_TABLE_SIZE - 1];
  for (uint32_t i = 0; i <= MS_SINE_TABLE_SIZE; i++) g_sine[i] = (float)sin(2.0 * M_PI * (double)i / MS_SINE_TABLE_SIZE);
  g_ctx.sample_rate = (float)FS;
  g_ctx.inv_sample_rate = (float)(1.0 / FS);
  g_ctx.tan_table = g_tan;
  g_ctx.sine = g_sine;
}

/* ------------------------------------------------------------- driver -- */
/* A whole note's chain driven per control segment: params may change per
 * segment through the optional hook (cutoff sweeps). */
typedef void (*seg_hook_t)(uint64_t seg, float *lp, float *hp, float *bp, void *user);

typedef struct run_cfg {
  const rt_fx_note_params_t *p;
  uint32_t channels;
  seg_hook_t hook;
  void *user;
  const uint32_t *slices; /* cycled; NULL = whole segments */
  uint32_t nslices;
  uint64_t start_frame;   /* absolute frame of the note start (0 here) */
} run_cfg_t;

static rt_fx_note_t g_fx;

/* Run frames of in0/in1 through a fresh chain into out0/out1. */
static void run_note(const run_cfg_t *c, const float *in0, const float *in1, float *out0, float *out1,
                     uint64_t frames) {
  memcpy(out0, in0, sizeof(float) * frames);
  if (c->channels == 2) memcpy(out1, in1, sizeof(float) * frames);
  rt_fx_note_start(&g_fx, &g_ctx, c->p, c->channels, c->start_frame);
  /* control steps on the absolute grid: the note's first segment is partial
   * when start_frame is not a multiple of SEG */
  uint64_t f = 0, si = 0, seg = 0;
  while (f < frames) {
    uint32_t want = c->slices ? c->slices[si++ % c->nslices] : SEG;
    while (want && f < frames) {
      const uint64_t abs = c->start_frame + f;
      const uint32_t to_grid = SEG - (uint32_t)(abs % SEG);
      if (f == 0 || abs % SEG == 0) {
        float lp = c->p->lp_hz, hp = c->p->hp_hz, bp = c->p->bp_hz;
        if (c->hook) c->hook(seg, &lp, &hp, &bp, c->user);
        rt_fx_note_control(&g_fx, &g_ctx, lp, hp, bp, to_grid);
        seg++;
      }
      uint32_t m = to_grid;
      if (m > want) m = want;
      if (m > frames - f) m = (uint32_t)(frames - f);
      rt_fx_note_process(&g_fx, out0 + f, c->channels == 2 ? out1 + f : NULL, m);
      f += m;
      want -= m;
    }
  }
}

static rt_fx_note_params_t params(uint32_t flags) {
  rt_fx_note_params_t p;
  rt_fx_note_params_default(&p);
  p.flags = flags;
  return p;
}

static float *sine(uint64_t n, double hz, double amp) {
  float *b = malloc(sizeof(float) * n);
  for (uint64_t i = 0; i < n; i++) b[i] = (float)(amp * sin(2.0 * M_PI * hz * (double)i / FS));
  return b;
}

static double rms(const float *b, uint64_t from, uint64_t to) {
  double s = 0;
  for (uint64_t i = from; i < to; i++) s += (double)b[i] * b[i];
  return sqrt(s / (double)(to - from));
}

static double db(double x) { return 20.0 * log10(x > 1e-30 ? x : 1e-30); }

/* Steady-state gain (dB) of the chain p for a sine at hz (mono, 0.5 s, the
 * second half measured, a whole number of periods is not needed at 12000 frames). */
static double gain_db(const rt_fx_note_params_t *p, double hz) {
  const uint64_t n = 24000;
  float *in = sine(n, hz, 0.25), *out = malloc(sizeof(float) * n);
  run_cfg_t c = {.p = p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  double g = db(rms(out, n / 2, n) / rms(in, n / 2, n));
  free(in);
  free(out);
  return g;
}

/* Analog prototype magnitude at the bilinear-warped frequency (what a TPT SVF
 * realises exactly): mode, 1/Q, stages. */
static double svf_theory_db(uint32_t mode, double fc, double q, uint32_t stages, double f) {
  double w = tan(M_PI * f / FS) / tan(M_PI * fc / FS), k = 1.0 / q;
  double den = sqrt((1 - w * w) * (1 - w * w) + (k * w) * (k * w)), num;
  switch (mode) {
    case RT_FX_SVF_LP: num = 1.0; break;
    case RT_FX_SVF_HP: num = w * w; break;
    default: num = k * w; break; /* unity-peak band-pass */
  }
  return (double)stages * db(num / den);
}

/* -------------------------------------------------------- filter tests -- */
static void test_lowpass(void) {
  tu_section("low-pass: 12 and 24 dB per octave, pass band flat, matches the warped analog response");
  for (uint32_t st = 1; st <= 2; st++) {
    rt_fx_note_params_t p = params(RT_FX_LPF);
    p.filter_stages = st;
    p.lp_hz = 1000.0f;
    const double q = p.lp_q;
    double above = gain_db(&p, 2000.0), below = gain_db(&p, 250.0), at = gain_db(&p, 1000.0);
    printf("  %u stage(s), resonance 1 (Q %.3f): 250 Hz %+.2f dB, 1 kHz %+.2f dB, 2 kHz %+.2f dB\n", st, q, below,
           at, above);
    CHECKF(fabs(above - svf_theory_db(RT_FX_SVF_LP, 1000, q, st, 2000)) < 0.2, "2 kHz %.2f dB vs theory %.2f", above,
           svf_theory_db(RT_FX_SVF_LP, 1000, q, st, 2000));
    CHECK(fabs(at - svf_theory_db(RT_FX_SVF_LP, 1000, q, st, 1000)) < 0.2);
    CHECK(above < -12.0 * st + 3.0 && above > -12.0 * st - 3.0); /* "about 12 / 24 dB" */
    CHECK(fabs(below) < 1.0);
    /* resonance 0 (Q 1): one octave below is within 1 dB too */
    p.lp_q = rt_fx_resonance_q(0.0f);
    if (st == 1) CHECK(fabs(gain_db(&p, 500.0)) < 1.0);
  }
}

static void test_highpass(void) {
  tu_section("high-pass: the mirror");
  for (uint32_t st = 1; st <= 2; st++) {
    rt_fx_note_params_t p = params(RT_FX_HPF);
    p.filter_stages = st;
    p.hp_hz = 1000.0f;
    const double q = p.hp_q;
    double below = gain_db(&p, 500.0), above = gain_db(&p, 4000.0);
    printf("  %u stage(s): 500 Hz %+.2f dB, 4 kHz %+.2f dB\n", st, below, above);
    CHECK(fabs(below - svf_theory_db(RT_FX_SVF_HP, 1000, q, st, 500)) < 0.2);
    CHECK(below < -12.0 * st + 3.0 && below > -12.0 * st - 3.0);
    CHECK(fabs(above) < 1.0);
  }
}

static void test_bandpass(void) {
  tu_section("band-pass: 0 dB peak at the centre (superdough / WebAudio), skirts per bandq");
  const double qs[] = {1.0, 4.0};
  for (int qi = 0; qi < 2; qi++) {
    rt_fx_note_params_t p = params(RT_FX_BPF);
    p.bp_hz = 1000.0f;
    p.bp_q = (float)qs[qi];
    double best = -1e9, best_hz = 0;
    for (double hz = 500; hz <= 2000; hz *= 1.02) {
      double g = gain_db(&p, hz);
      if (g > best) best = g, best_hz = hz;
    }
    double at = gain_db(&p, 1000.0), lo = gain_db(&p, 250.0), hi = gain_db(&p, 4000.0);
    printf("  bandq %.0f: peak %+.2f dB at %.0f Hz; 250 Hz %+.2f dB, 4 kHz %+.2f dB\n", qs[qi], best, best_hz, lo, hi);
    CHECK(fabs(at) < 0.2);
    CHECK(fabs(best_hz - 1000.0) < 1000.0 * 0.03);
    CHECK(fabs(lo - svf_theory_db(RT_FX_SVF_BP, 1000, qs[qi], 1, 250)) < 0.3);
    CHECK(lo < -6.0 && hi < -6.0);
  }
  /* BP_RAW (the zone filter's band output): gain Q at the centre */
  rt_fx_svf_t f;
  rt_fx_svf_init(&f, RT_FX_SVF_BP_RAW, 1, 1);
  const uint64_t n = 24000;
  float *in = sine(n, 1000.0, 0.25), *out = malloc(sizeof(float) * n);
  memcpy(out, in, sizeof(float) * n);
  rt_fx_svf_set_hz(&f, &g_ctx, 1000.0f, 4.0f, 0);
  rt_fx_svf_process(&f, out, NULL, (uint32_t)n);
  double raw = db(rms(out, n / 2, n) / rms(in, n / 2, n));
  printf("  band output unnormalised (zone filter), Q 4: %+.2f dB at the centre (20 log10 4 = %+.2f)\n", raw, db(4.0));
  CHECK(fabs(raw - db(4.0)) < 0.2);
  free(in);
  free(out);
}

static void test_resonance(void) {
  tu_section("resonance (dB, WebAudio units): level at the cutoff = resonance dB");
  const float res[] = {0, 6, 12, 24};
  for (int i = 0; i < 4; i++) {
    rt_fx_note_params_t p = params(RT_FX_LPF);
    p.lp_hz = 2000.0f;
    p.lp_q = rt_fx_resonance_q(res[i]);
    double at = gain_db(&p, 2000.0);
    printf("  resonance %2.0f: %+.2f dB at the cutoff\n", res[i], at);
    CHECKF(fabs(at - res[i]) < 0.3, "resonance %.0f -> %.2f dB", res[i], at);
  }
}

static void test_clamps(void) {
  tu_section("cutoff at and above Nyquist, at 0 and negative: clamped, finite");
  const float cuts[] = {24000.0f, 30000.0f, 1e9f, 0.0f, -5.0f};
  for (int i = 0; i < 5; i++) {
    for (uint32_t fl = RT_FX_LPF; fl <= RT_FX_BPF; fl <<= 1) {
      rt_fx_note_params_t p = params(fl);
      p.lp_hz = p.hp_hz = p.bp_hz = cuts[i];
      p.lp_q = p.hp_q = rt_fx_resonance_q(50.0f);
      p.filter_stages = 2;
      const uint64_t n = 9600;
      float *in = sine(n, 440, 0.5), *out = malloc(sizeof(float) * n);
      run_cfg_t c = {.p = &p, .channels = 1};
      run_note(&c, in, NULL, out, NULL, n);
      CHECK(tu_all_finite(out, n));
      if (fl == RT_FX_LPF && cuts[i] >= 24000.0f) CHECK(fabs(db(rms(out, n / 2, n) / rms(in, n / 2, n))) < 0.5);
      free(in);
      free(out);
    }
  }
}

typedef struct sweep {
  double f0, f1;
  uint64_t segs;
} sweep_t;

static void sweep_hook(uint64_t seg, float *lp, float *hp, float *bp, void *user) {
  const sweep_t *s = user;
  double t = (double)(seg + 1) / (double)s->segs; /* cutoff at the segment's end */
  if (t > 1) t = 1;
  *lp = *hp = *bp = (float)(s->f0 * pow(s->f1 / s->f0, t));
}

static double max_step(const float *b, uint64_t n) {
  double m = 0;
  for (uint64_t i = 1; i < n; i++) m = fmax(m, fabs((double)b[i] - b[i - 1]));
  return m;
}

static double peak(const float *b, uint64_t n) {
  double m = 0;
  for (uint64_t i = 0; i < n; i++) m = fmax(m, fabs((double)b[i]));
  return m;
}

static void test_sweep(void) {
  tu_section("cutoff swept 20 Hz -> 20 kHz every 64 frames at full resonance: bounded, no clicks");
  const uint64_t n = 96000; /* 2 s */
  sweep_t sw = {20.0, 20000.0, n / SEG};
  /* 1. DC through a swept low-pass: the TPT structure keeps its steady state
   * under any coefficient change, so the output stays DC (swept downward
   * here: the start-up ring at 20 kHz dies in milliseconds, at 20 Hz and
   * Q 316 it would last seconds) */
  {
    sweep_t down = {20000.0, 20.0, n / SEG};
    rt_fx_note_params_t p = params(RT_FX_LPF);
    p.lp_q = rt_fx_resonance_q(50.0f);
    float *in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n);
    for (uint64_t i = 0; i < n; i++) in[i] = 0.5f;
    run_cfg_t c = {.p = &p, .channels = 1, .hook = sweep_hook, .user = &down};
    run_note(&c, in, NULL, out, NULL, n);
    double dev = 0;
    for (uint64_t i = 12000; i < n; i++) dev = fmax(dev, fabs(out[i] - 0.5)); /* after the start-up ring */
    printf("  DC 0.5 through the LP swept 20 kHz -> 20 Hz (Q 316), after 0.25 s: max deviation %.3g\n", dev);
    CHECK(dev < 1e-4);
    free(in);
    free(out);
  }
  /* 2. a 220 Hz sine: glided per-64 control vs the ideal per-frame sweep */
  for (uint32_t st = 1; st <= 2; st++) {
    rt_fx_note_params_t p = params(RT_FX_LPF);
    p.filter_stages = st;
    p.lp_q = rt_fx_resonance_q(50.0f);
    float *in = sine(n, 220.0, 0.1), *out = malloc(sizeof(float) * n), *ref = malloc(sizeof(float) * n),
          *snap = malloc(sizeof(float) * n);
    run_cfg_t c = {.p = &p, .channels = 1, .hook = sweep_hook, .user = &sw};
    run_note(&c, in, NULL, out, NULL, n);
    /* reference: the filter alone, g recomputed exactly every frame */
    rt_fx_svf_t f;
    rt_fx_svf_init(&f, RT_FX_SVF_LP, st, 1);
    memcpy(ref, in, sizeof(float) * n);
    memcpy(snap, in, sizeof(float) * n);
    for (uint64_t i = 0; i < n; i++) {
      double t = (double)(i + 1) / (double)n;
      double hz = 20.0 * pow(1000.0, t);
      if (i < SEG) hz = 20.0 * pow(1000.0, (double)SEG / (double)n); /* first segment: snapped */
      rt_fx_svf_set(&f, (float)tan(M_PI * fmin(hz, 0.475 * FS) / FS), 1.0f / p.lp_q, i < SEG ? 0 : 1);
      rt_fx_svf_process(&f, ref + i, NULL, 1);
    }
    /* and the naive way: coefficients jump at each control step */
    rt_fx_svf_init(&f, RT_FX_SVF_LP, st, 1);
    for (uint64_t s = 0; s < n / SEG; s++) {
      float lp, hp, bp;
      sweep_hook(s, &lp, &hp, &bp, &sw);
      rt_fx_svf_set_hz(&f, &g_ctx, lp, p.lp_q, 0);
      rt_fx_svf_process(&f, snap + s * SEG, NULL, SEG);
    }
    double pk = peak(out, n), st_out = max_step(out, n), st_ref = max_step(ref, n), st_snap = max_step(snap, n);
    double diff = 0;
    for (uint64_t i = 0; i < n; i++) diff = fmax(diff, fabs((double)out[i] - ref[i]));
    printf("  %u stage(s): peak %.3f, max step %.4f (per-frame reference %.4f, stepped coefficients %.4f), "
           "max |glided - reference| %.4f\n",
           st, pk, st_out, st_ref, st_snap, diff);
    CHECK(tu_all_finite(out, n));
    CHECK(pk < (st == 1 ? 0.1 * 316.3 : 0.1 * 316.3 * 316.3)); /* below the steady-state resonance bound */
    CHECK(st_out <= st_ref * 1.05 + 1e-4);                      /* no step beyond the ideal sweep's own */
    CHECK(diff <= 0.05 * pk);
    free(in);
    free(out);
    free(ref);
    free(snap);
  }
}

static void test_djf(void) {
  tu_section("djf: 0.25 low-pass, 0.5 bypass, 0.75 high-pass (SuperDirt mapping 20 Hz..10 kHz)");
  uint32_t mode;
  float hz, q;
  CHECK(rt_fx_djf(0.25f, &mode, &hz, &q) && mode == RT_FX_SVF_LP);
  CHECK_NEAR(hz, 20.0 * sqrt(500.0), 0.5);
  CHECK(rt_fx_djf(0.75f, &mode, &hz, &q) && mode == RT_FX_SVF_HP);
  CHECK_NEAR(hz, 20.0 * sqrt(500.0), 0.5);
  CHECK(!rt_fx_djf(0.5f, &mode, &hz, &q));
  rt_fx_note_params_t p = params(RT_FX_DJF);
  p.djf = 0.25f;
  double lo = gain_db(&p, 50.0), hi = gain_db(&p, 8000.0);
  printf("  0.25 (LP 447 Hz): 50 Hz %+.2f dB, 8 kHz %+.2f dB\n", lo, hi);
  CHECK(fabs(lo) < 1.0 && hi < -40.0);
  p.djf = 0.75f;
  lo = gain_db(&p, 50.0), hi = gain_db(&p, 8000.0);
  printf("  0.75 (HP 447 Hz): 50 Hz %+.2f dB, 8 kHz %+.2f dB\n", lo, hi);
  CHECK(lo < -35.0 && fabs(hi) < 1.0);
  p.djf = 0.5f;
  const uint64_t n = 4800;
  float *in = sine(n, 440, 0.5), *out = malloc(sizeof(float) * n);
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  CHECK(memcmp(in, out, sizeof(float) * n) == 0);
  CHECK(g_fx.flags == 0);
  free(in);
  free(out);
}

/* --------------------------------------------------------------- vowel -- */
/* |DFT| of b (n frames) at hz. */
static double dft_mag(const float *b, uint64_t n, double hz) {
  double re = 0, im = 0, w = 2 * M_PI * hz / FS;
  for (uint64_t i = 0; i < n; i++) re += b[i] * cos(w * (double)i), im -= b[i] * sin(w * (double)i);
  return sqrt(re * re + im * im);
}

static void test_vowel(void) {
  tu_section("vowel: response peaks at the formants F1 and F2 of a e i o u");
  const char *names[] = {"a", "e", "i", "o", "u"};
  const uint64_t n = 8192;
  for (int v = 0; v < 5; v++) {
    int32_t idx = rt_fx_vowel_index(names[v]);
    REQUIRE(idx >= 0, TU_NOTHING);
    float fr[5], gn[5], qs[5];
    rt_fx_vowel_formants((uint32_t)idx, fr, gn, qs);
    rt_fx_note_params_t p = params(RT_FX_VOWEL);
    p.vowel = (uint32_t)idx;
    float *in = calloc(n, sizeof(float)), *out = malloc(sizeof(float) * n);
    in[0] = 1.0f;
    run_cfg_t c = {.p = &p, .channels = 1};
    run_note(&c, in, NULL, out, NULL, n);
    double best = 0, best_hz = 0;
    for (double hz = 100; hz <= 4000; hz += 5) {
      double m = dft_mag(out, n, hz);
      if (m > best) best = m, best_hz = hz;
    }
    double f2 = dft_mag(out, n, fr[1]), f2lo = dft_mag(out, n, fr[1] * 0.9), f2hi = dft_mag(out, n, fr[1] * 1.1);
    printf("  %s: global peak %.0f Hz (F1 %.0f), |H(F1)| %.2f dB; F2 %.0f Hz %+.1f dB over +-10%%\n", names[v],
           best_hz, fr[0], db(best), fr[1], db(f2) - db(fmax(f2lo, f2hi)));
    CHECK(fabs(best_hz - fr[0]) <= fr[0] * 0.03);
    CHECK(fabs(db(best) - db(8.0)) < 1.5); /* superdough's make-up 8 at F1 (gain 1, 0 dB band-pass) */
    CHECK(db(f2) - db(fmax(f2lo, f2hi)) > 6.0);
    free(in);
    free(out);
  }
  CHECK(rt_fx_vowel_index("\xc3\xa6") == rt_fx_vowel_index("ae"));
  CHECK(rt_fx_vowel_index("x") == -1);
}

/* ----------------------------------------------------------- character -- */
static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static uint32_t distinct(const float *b, uint64_t n) {
  float *s = malloc(sizeof(float) * n);
  memcpy(s, b, sizeof(float) * n);
  qsort(s, n, sizeof(float), cmp_float);
  uint32_t d = n ? 1 : 0;
  for (uint64_t i = 1; i < n; i++) d += s[i] != s[i - 1];
  free(s);
  return d;
}

static void test_crush(void) {
  tu_section("crush: 2^bits levels over the b-bit range [-1, 1), 2^bits + 1 for a full-scale sine");
  const uint64_t n = 65536;
  float *ramp = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n), *sn = sine(n, 441.0, 1.0);
  for (uint64_t i = 0; i < n; i++) ramp[i] = -1.0f + 2.0f * (float)i / (float)n;
  for (uint32_t bits = 1; bits <= 8; bits++) {
    rt_fx_note_params_t p = params(RT_FX_CRUSH);
    p.crush = (float)bits;
    run_cfg_t c = {.p = &p, .channels = 1};
    /* [-1, 1 - 2^-bits): the b-bit PCM range, rounding stays inside it */
    uint64_t m = (uint64_t)((double)n * (1.0 - 0.5 / (double)(1u << (bits - 1)) * 0.999) / 1.0);
    run_note(&c, ramp, NULL, out, NULL, m);
    uint32_t d = distinct(out, m);
    bool multiples = true;
    for (uint64_t i = 0; i < m; i++) {
      double v = out[i] * (double)(1u << (bits - 1));
      if (v != floor(v)) multiples = false;
    }
    run_note(&c, sn, NULL, out, NULL, n);
    uint32_t ds = distinct(out, n);
    printf("  %u bit(s): %u levels (ramp), %u (full-scale sine)\n", bits, d, ds);
    CHECK_EQ_INT(d, 1u << bits);
    CHECK_EQ_INT(ds, (1u << bits) + 1);
    CHECK(multiples);
  }
  free(ramp);
  free(out);
  free(sn);
}

static void test_coarse(void) {
  tu_section("coarse: runs of N equal samples, phase continuous across blocks");
  const uint64_t n = 4096;
  float *in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n);
  for (uint64_t i = 0; i < n; i++) in[i] = (float)i; /* every sample distinct */
  const uint32_t slices[] = {1, 7, 33, 300};
  for (uint32_t N = 2; N <= 7; N++) {
    rt_fx_note_params_t p = params(RT_FX_COARSE);
    p.coarse = (float)N;
    run_cfg_t c = {.p = &p, .channels = 1, .slices = slices, .nslices = 4};
    run_note(&c, in, NULL, out, NULL, n);
    bool ok = true;
    for (uint64_t i = 0; i < n; i++) ok &= out[i] == in[i - i % N];
    CHECKF(ok, "coarse %u: output[i] == input[i - i %% N]", N);
  }
  /* fractional: held on average `coarse` frames */
  rt_fx_note_params_t p = params(RT_FX_COARSE);
  p.coarse = 2.5f;
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  uint32_t runs = distinct(out, n);
  printf("  coarse 2.5: %u runs in %u frames (mean %.3f)\n", runs, (unsigned)n, (double)n / runs);
  CHECK(fabs((double)n / runs - 2.5) < 0.01);
  free(in);
  free(out);
}

/* Level of harmonic h of a 375 Hz sine (an exact bin count in 9600 frames). */
static void test_shapers(void) {
  tu_section("shape / distort: superdough's curve sample by sample, odd harmonics appear, peak bounded");
  const uint64_t n = 9600;
  const double f0 = 375.0;
  float *in = sine(n, f0, 1.0), *out = malloc(sizeof(float) * n);
  const struct {
    uint32_t flag;
    float amount, vol;
  } cases[] = {{RT_FX_SHAPE, 0.5f, 1.0f}, {RT_FX_SHAPE, 0.9f, 0.5f}, {RT_FX_DISTORT, 2.0f, 1.0f},
               {RT_FX_DISTORT, 5.0f, 0.25f}};
  for (int ci = 0; ci < 4; ci++) {
    rt_fx_note_params_t p = params(cases[ci].flag);
    double k;
    if (cases[ci].flag == RT_FX_SHAPE) {
      p.shape = cases[ci].amount, p.shapevol = cases[ci].vol;
      k = 2.0 * cases[ci].amount / (1.0 - cases[ci].amount);
    } else {
      p.distort = cases[ci].amount, p.distortvol = cases[ci].vol;
      k = expm1(cases[ci].amount);
    }
    run_cfg_t c = {.p = &p, .channels = 1};
    run_note(&c, in, NULL, out, NULL, n);
    double err = 0;
    for (uint64_t i = 0; i < n; i++) {
      double x = in[i], y = (1 + k) * x / (1 + k * fabs(x)) * cases[ci].vol;
      err = fmax(err, fabs(y - out[i]));
    }
    double h1 = dft_mag(out, n, f0), h2 = dft_mag(out, n, 2 * f0), h3 = dft_mag(out, n, 3 * f0);
    printf("  %s %.1f vol %.2f: k %.3f, 3rd harmonic %+.1f dB, 2nd %+.1f dB re fundamental, peak %.4f, "
           "max error %.2g\n",
           cases[ci].flag == RT_FX_SHAPE ? "shape" : "distort", cases[ci].amount, cases[ci].vol, k, db(h3 / h1),
           db(h2 / h1), peak(out, n), err);
    CHECK(err < 1e-5);
    CHECK(db(h3 / h1) > -30.0);
    CHECK(db(h2 / h1) < -80.0); /* odd-symmetric curve: no even harmonics */
    CHECK(peak(out, n) <= cases[ci].vol + 1e-6);
  }
  free(in);
  free(out);
}

static void test_tremolo(void) {
  tu_section("tremolo: gain 1 - depth (1 - lfo), period 1/rate, SuperDirt's sine");
  const uint64_t n = 48000;
  float *in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n);
  for (uint64_t i = 0; i < n; i++) in[i] = 1.0f;
  const float rates[] = {5.0f, 3.0f};
  const float depths[] = {1.0f, 0.5f};
  for (int r = 0; r < 2; r++) {
    rt_fx_note_params_t p = params(RT_FX_TREMOLO);
    p.tremolo_hz = rates[r];
    p.tremolo_depth = depths[r];
    run_cfg_t c = {.p = &p, .channels = 1};
    run_note(&c, in, NULL, out, NULL, n);
    double err = 0;
    for (uint64_t i = 0; i < n; i++) {
      double d = depths[r], expect = 1 - d / 2 + d / 2 * cos(2 * M_PI * rates[r] * (double)i / FS);
      err = fmax(err, fabs(expect - out[i]));
    }
    /* period from the first and last maxima (frames where the LFO wraps) */
    uint64_t first = 0, last = 0, count = 0;
    for (uint64_t i = 1; i + 1 < n; i++)
      if (out[i] >= out[i - 1] && out[i] > out[i + 1] && out[i] > 1.0f - 1e-3f &&
          (!count || i - last > (uint64_t)(FS / rates[r] / 4))) {
        if (!count) first = i;
        last = i, count++;
      }
    double period = count > 1 ? (double)(last - first) / (double)(count - 1) : 0;
    printf("  %.0f Hz depth %.1f: period %.1f frames (expect %.1f), min %.3f, max error %.2g\n", rates[r], depths[r],
           period, FS / rates[r], (double)out[(uint64_t)(FS / rates[r] / 2)], err);
    CHECK(fabs(period - FS / rates[r]) < 2.0);
    CHECK(err < 1e-4);
  }
  /* square: two values only */
  rt_fx_note_params_t p = params(RT_FX_TREMOLO);
  p.tremolo_shape = RT_FX_LFO_SQUARE;
  p.tremolo_hz = 4.0f;
  p.tremolo_depth = 0.75f;
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  CHECK_EQ_INT(distinct(out, n), 2);
  free(in);
  free(out);
}

/* |notch(f)| of a unity notch at fn with damping k, bilinear-warped. */
static double notch_mag(double f, double fn, double k) {
  double w = tan(M_PI * f / FS) / tan(M_PI * fn / FS);
  return fabs(1 - w * w) / sqrt((1 - w * w) * (1 - w * w) + (k * w) * (k * w));
}

static void test_phaser(void) {
  tu_section("phaser: the level of a 1 kHz tone follows the two moving notches (superdough's structure)");
  const uint64_t n = 96000;
  float *in = sine(n, 1000.0, 0.5), *out = malloc(sizeof(float) * n);
  rt_fx_note_params_t p = params(RT_FX_PHASER);
  p.phaser_hz = 1.0f; /* depth 0.75 (Q 0.5), center 1000 Hz, sweep 2000 cents: superdough's defaults */
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  /* windowed level every 240 frames (5 periods of the tone) vs the notches'
   * theory at the window's centre: detune = sweep sin(2 pi rate t) */
  const uint64_t w = 240, nw = n / w;
  double mx = -1e9, mn = 1e9, worst = 0;
  int compared = 0;
  for (uint64_t i = 4; i < nw; i++) {
    double lv = db(rms(out, i * w, (i + 1) * w) / rms(in, i * w, (i + 1) * w));
    double t = ((double)i + 0.5) * (double)w / FS, r = pow(2.0, 2000.0 * sin(2 * M_PI * t) / 1200.0);
    double th = db(notch_mag(1000.0, 1000.0 * r, 2.0) * notch_mag(1000.0, 1282.0 * r, 2.0));
    mx = fmax(mx, lv), mn = fmin(mn, lv);
    if (th > -15.0) worst = fmax(worst, fabs(lv - th)), compared++;
  }
  printf("  level range %.1f dB (%.1f .. %.1f); %d windows vs theory, worst %.2f dB\n", mx - mn, mn, mx, compared,
         worst);
  CHECK(mx - mn > 10.0);
  CHECK(compared > (int)nw / 2);
  CHECK(worst < 1.0);
  CHECK(tu_all_finite(out, n));
  free(in);
  free(out);
}

static void test_ring_postgain(void) {
  tu_section("ring (SuperDirt): x (1 + a sin) / (1 + a); postgain: linear gain");
  const uint64_t n = 4800;
  float *in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n);
  for (uint64_t i = 0; i < n; i++) in[i] = 1.0f;
  rt_fx_note_params_t p = params(RT_FX_RING);
  p.ring = 1.0f;
  p.ring_hz = 100.0f;
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  double err = 0;
  for (uint64_t i = 0; i < n; i++) err = fmax(err, fabs((1 + sin(2 * M_PI * 100 * (double)i / FS)) / 2 - out[i]));
  printf("  ring 1 at 100 Hz on DC: max error %.2g\n", err);
  CHECK(err < 1e-4);
  p = params(RT_FX_POSTGAIN);
  p.postgain = 0.5f;
  run_note(&c, in, NULL, out, NULL, n);
  CHECK(out[0] == 0.5f && out[n - 1] == 0.5f);
  free(in);
  free(out);
}

static void test_denormals(void) {
  tu_section("silence after a note: the states flush to exact zeros");
  rt_fx_note_params_t p = params(RT_FX_LPF | RT_FX_VOWEL | RT_FX_PHASER);
  p.lp_hz = 300.0f;
  p.phaser_hz = 0.5f;
  const uint64_t n = 480000;
  float *in = calloc(n, sizeof(float)), *out = malloc(sizeof(float) * n);
  for (int i = 0; i < 100; i++) in[i] = 1.0f;
  run_cfg_t c = {.p = &p, .channels = 1};
  run_note(&c, in, NULL, out, NULL, n);
  bool zero = out[n - 1] == 0.0f;
  for (int i = 0; i < 2; i++) zero &= g_fx.lp.s[0][0][i] == 0.0f && g_fx.phaser.stage[0].s[0][0][i] == 0.0f;
  for (int b = 0; b < 5; b++) zero &= g_fx.vowel.s[0][b][0] == 0.0f && g_fx.vowel.s[0][b][1] == 0.0f;
  CHECK(zero);
  free(in);
  free(out);
}

/* ---------------------------------------------- split invariance, bytes -- */
/* Cutoffs swept and the other gliding controls stepped per segment (they
 * glide across each segment: the case a slicing could break). */
static void sweep_all_hook(uint64_t seg, float *lp, float *hp, float *bp, void *user) {
  sweep_hook(seg, lp, hp, bp, user);
  const float w = (float)(seg % 7) / 7.0f;
  g_fx.p.shape = 0.2f + 0.6f * w;
  g_fx.p.shapevol = 0.5f + 0.5f * w;
  g_fx.p.distort = 0.5f + 3.0f * w;
  g_fx.p.tremolo_depth = w;
  g_fx.p.ring = 2.0f * w;
  g_fx.p.postgain = 0.5f + w;
}

static void test_split_invariance(void) {
  tu_section("split invariance and determinism: every effect alone and all together, stereo and mono");
  const uint64_t n = 20000;
  float *in0 = malloc(sizeof(float) * n), *in1 = malloc(sizeof(float) * n);
  tu_rng_t rng = {0x9e3779b97f4a7c15ull};
  for (uint64_t i = 0; i < n; i++) {
    in0[i] = (float)((double)(tu_rng_next(&rng) >> 11) / 9007199254740992.0 - 0.5);
    in1[i] = 0.5f * (float)sin((double)i * 0.01) + 0.1f * in0[i];
  }
  float *a0 = malloc(sizeof(float) * n), *a1 = malloc(sizeof(float) * n), *b0 = malloc(sizeof(float) * n),
        *b1 = malloc(sizeof(float) * n);
  const uint32_t sl1[] = {1}, sl2[] = {7}, sl3[] = {33}, sl4[] = {300}, sl5[] = {1, 7, 33, 300, 5, 64, 129};
  const uint32_t *sls[] = {sl1, sl2, sl3, sl4, sl5};
  const uint32_t nsl[] = {1, 1, 1, 1, 7};
  sweep_t sw = {100.0, 8000.0, n / SEG};
  const uint32_t all = RT_FX_LPF | RT_FX_HPF | RT_FX_BPF | RT_FX_DJF | RT_FX_VOWEL | RT_FX_COARSE | RT_FX_CRUSH |
                       RT_FX_SHAPE | RT_FX_DISTORT | RT_FX_TREMOLO | RT_FX_PHASER | RT_FX_RING | RT_FX_POSTGAIN;
  int failures = 0, runs = 0;
  for (uint32_t bit = 0; bit <= 13; bit++) {
    rt_fx_note_params_t p = params(bit < 13 ? (1u << bit) : all);
    p.filter_stages = 2;
    p.lp_hz = 2000.0f, p.hp_hz = 200.0f, p.bp_hz = 1000.0f, p.lp_q = rt_fx_resonance_q(12.0f);
    p.djf = 0.3f, p.vowel = 2, p.coarse = 3.3f, p.crush = 6.5f, p.shape = 0.6f, p.distort = 1.5f;
    p.tremolo_hz = 7.0f, p.tremolo_shape = RT_FX_LFO_TRI, p.phaser_hz = 2.0f, p.ring = 0.7f, p.ring_hz = 333.0f;
    p.postgain = 1.5f;
    for (uint32_t ch = 1; ch <= 2; ch++) {
      run_cfg_t c = {.p = &p, .channels = ch, .hook = sweep_all_hook, .user = &sw, .start_frame = 12345};
      run_note(&c, in0, in1, a0, a1, n);
      bool finite = tu_all_finite(a0, n) && (ch == 1 || tu_all_finite(a1, n));
      CHECKF(finite, "flags 0x%x channels %u: non-finite output", p.flags, ch);
      /* determinism: the same run again */
      run_note(&c, in0, in1, b0, b1, n);
      CHECKF(memcmp(a0, b0, sizeof(float) * n) == 0, "flags 0x%x: two runs differ", p.flags);
      for (int s = 0; s < 5; s++) {
        c.slices = sls[s], c.nslices = nsl[s];
        run_note(&c, in0, in1, b0, b1, n);
        bool same = memcmp(a0, b0, sizeof(float) * n) == 0 && (ch == 1 || memcmp(a1, b1, sizeof(float) * n) == 0);
        runs++;
        if (!same) failures++;
        CHECKF(same, "flags 0x%x channels %u slicing %d: output differs from whole segments", p.flags, ch, s);
      }
    }
  }
  printf("  %d sliced runs, %d differ\n", runs, failures);
  free(in0), free(in1), free(a0), free(a1), free(b0), free(b1);
}

/* Constant cutoffs take the filter's 4-frame block path (blocks on multiples
 * of 4 of each control segment, a call ending inside a block finishing it in
 * the next): every slicing that cuts blocks anywhere gives the same bytes as
 * whole segments, for each mode, 1 and 2 stages, mono and stereo, with the
 * note's first segment partial (start 12345) or whole. */
static void test_split_constant(void) {
  tu_section("split invariance, constant cutoffs (the filters' 4-frame blocks): every cut position");
  const uint64_t n = 6000;
  float *in0 = malloc(sizeof(float) * n), *in1 = malloc(sizeof(float) * n);
  tu_rng_t rng = {0x2545f4914f6cdd1dull};
  for (uint64_t i = 0; i < n; i++) {
    in0[i] = (float)((double)(tu_rng_next(&rng) >> 11) / 9007199254740992.0 - 0.5);
    in1[i] = 0.5f * (float)sin((double)i * 0.013) + 0.1f * in0[i];
  }
  float *a0 = malloc(sizeof(float) * n), *a1 = malloc(sizeof(float) * n), *b0 = malloc(sizeof(float) * n),
        *b1 = malloc(sizeof(float) * n);
  const uint32_t sl1[] = {1}, sl2[] = {2}, sl3[] = {3}, sl4[] = {5}, sl5[] = {7}, sl6[] = {1, 2, 3, 5, 64, 129, 6};
  const uint32_t *sls[] = {sl1, sl2, sl3, sl4, sl5, sl6};
  const uint32_t nsl[] = {1, 1, 1, 1, 1, 7};
  const uint32_t modes[] = {RT_FX_LPF, RT_FX_HPF, RT_FX_BPF, RT_FX_LPF | RT_FX_HPF};
  int failures = 0, runs = 0;
  for (uint32_t mi = 0; mi < 4; mi++)
    for (uint32_t st = 1; st <= 2; st++)
      for (uint32_t ch = 1; ch <= 2; ch++)
        for (uint32_t start = 0; start < 2; start++) {
          rt_fx_note_params_t p = params(modes[mi]);
          p.filter_stages = st;
          p.lp_hz = 1500.0f, p.hp_hz = 300.0f, p.bp_hz = 900.0f, p.lp_q = rt_fx_resonance_q(9.0f);
          run_cfg_t c = {.p = &p, .channels = ch, .start_frame = start ? 12345 : 0};
          run_note(&c, in0, in1, a0, a1, n);
          CHECKF(tu_all_finite(a0, n), "mode %u: non-finite output", mi);
          for (int s = 0; s < 6; s++) {
            c.slices = sls[s], c.nslices = nsl[s];
            run_note(&c, in0, in1, b0, b1, n);
            bool same = memcmp(a0, b0, sizeof(float) * n) == 0 && (ch == 1 || memcmp(a1, b1, sizeof(float) * n) == 0);
            runs++;
            if (!same) failures++;
            CHECKF(same, "mode %u stages %u channels %u start %u slicing %d: output differs from whole segments", mi,
                   st, ch, start, s);
          }
        }
  printf("  %d sliced runs, %d differ\n", runs, failures);
  free(in0), free(in1), free(a0), free(a1), free(b0), free(b1);
}

/* ---------------------------------------------------------------- bench -- */
static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile float g_sink;

/* ns per frame of a voice-like run: copy 64 dry frames (the sample read
 * stand-in), the chain with a control call per segment, mix into a bus. */
static double bench_one(const rt_fx_note_params_t *p, uint32_t ch, bool sweep, bool fx) {
  enum { SEGS = 4096 };
  static float src[2][SEG * 16], bus[2][SEG], buf[2][SEG];
  for (uint32_t i = 0; i < SEG * 16; i++) src[0][i] = src[1][i] = (float)sin(i * 0.05) * 0.5f;
  double best = 1e30;
  for (int rep = 0; rep < 25; rep++) { /* best of many: the machine is shared */
    rt_fx_note_start(&g_fx, &g_ctx, p, ch, 0);
    double t0 = now_ns();
    for (uint32_t s = 0; s < SEGS; s++) {
      const float *d0 = src[0] + (s & 15) * SEG, *d1 = src[1] + (s & 15) * SEG;
      memcpy(buf[0], d0, sizeof buf[0]);
      if (ch == 2) memcpy(buf[1], d1, sizeof buf[1]);
      if (fx) {
        float lp = p->lp_hz;
        if (sweep) lp = 200.0f + (float)(s & 255) * 30.0f;
        rt_fx_note_control(&g_fx, &g_ctx, lp, p->hp_hz, p->bp_hz, SEG);
        if (g_fx.flags) rt_fx_note_process(&g_fx, buf[0], ch == 2 ? buf[1] : NULL, SEG);
      }
      for (uint32_t i = 0; i < SEG; i++) bus[0][i] += buf[0][i] * 0.7f;
      if (ch == 2)
        for (uint32_t i = 0; i < SEG; i++) bus[1][i] += buf[1][i] * 0.7f;
      else
        for (uint32_t i = 0; i < SEG; i++) bus[1][i] += buf[0][i] * 0.7f;
    }
    double t = (now_ns() - t0) / ((double)SEGS * SEG);
    if (t < best) best = t;
  }
  g_sink = bus[0][3] + bus[1][5];
  return best;
}

/* Not engine code: what a batched design would cost. 8 voices' low-passes in
 * the 8 lanes of one vector (GCC vector extension; same state-space update as
 * rt_fx_svf, lanes interleaved frame by frame), so the recursion's latency is
 * shared by 8 voices. ns per voice-frame: the kernel alone, and with a naive
 * interleave of the dry frames and de-interleave into the bus. */
#define LANES 8
typedef struct bank {
  float ic1[LANES], ic2[LANES], o0[LANES], o1[LANES], o2[LANES], b1[LANES], m11[LANES], m12[LANES], b2[LANES],
      m21[LANES], m22[LANES];
} bank_t;

typedef float v8f __attribute__((vector_size(32)));

static void bank_run(bank_t *restrict b, float *restrict x, uint32_t n) {
  v8f s1, s2, o0, o1, o2, b1, m11, m12, b2, m21, m22;
  memcpy(&s1, b->ic1, 32), memcpy(&s2, b->ic2, 32), memcpy(&o0, b->o0, 32), memcpy(&o1, b->o1, 32);
  memcpy(&o2, b->o2, 32), memcpy(&b1, b->b1, 32), memcpy(&m11, b->m11, 32), memcpy(&m12, b->m12, 32);
  memcpy(&b2, b->b2, 32), memcpy(&m21, b->m21, 32), memcpy(&m22, b->m22, 32);
  for (uint32_t i = 0; i < n; i++) {
    v8f in;
    memcpy(&in, x + i * LANES, 32);
    const v8f y = (o0 * in + o1 * s1) + o2 * s2;
    const v8f n1 = (b1 * in + m11 * s1) + m12 * s2;
    s2 = (b2 * in + m22 * s2) + m21 * s1;
    s1 = n1;
    memcpy(x + i * LANES, &y, 32);
  }
  memcpy(b->ic1, &s1, 32), memcpy(b->ic2, &s2, 32);
}

static double bench_bank(double *kernel_only) {
  enum { SEGS = 4096 };
  static float src[SEG * 16], x[SEG * LANES], bus[2][SEG];
  for (uint32_t i = 0; i < SEG * 16; i++) src[i] = (float)sin(i * 0.05) * 0.5f;
  bank_t b;
  memset(&b, 0, sizeof b);
  for (uint32_t l = 0; l < LANES; l++) { /* low-pass, as svf_coefs in rt_fx_filter.c */
    const float g = rt_fx_cutoff_g(&g_ctx, 500.0f + 100.0f * (float)l), k = 0.9f;
    const float a1 = 1.0f / (1.0f + g * (g + k)), a2 = g * a1, a3 = g * a2;
    b.b1[l] = 2.0f * a2, b.m11[l] = 2.0f * a1 - 1.0f, b.m12[l] = -2.0f * a2;
    b.b2[l] = 2.0f * a3, b.m21[l] = 2.0f * a2, b.m22[l] = 1.0f - 2.0f * a3;
    b.o0[l] = a3, b.o1[l] = a2, b.o2[l] = 1.0f - a3;
  }
  double best = 1e30, bestk = 1e30;
  for (int rep = 0; rep < 25; rep++) {
    double t0 = now_ns();
    for (uint32_t s = 0; s < SEGS; s++) bank_run(&b, x, SEG);
    double tk = (now_ns() - t0) / ((double)SEGS * SEG * LANES);
    if (tk < bestk) bestk = tk;
    t0 = now_ns();
    for (uint32_t s = 0; s < SEGS; s++) {
      const float *d = src + (s & 15) * SEG;
      for (uint32_t i = 0; i < SEG; i++)
        for (uint32_t l = 0; l < LANES; l++) x[i * LANES + l] = d[i];
      bank_run(&b, x, SEG);
      for (uint32_t l = 0; l < LANES; l++)
        for (uint32_t i = 0; i < SEG; i++) bus[0][i] += x[i * LANES + l] * 0.7f, bus[1][i] += x[i * LANES + l] * 0.6f;
    }
    double t = (now_ns() - t0) / ((double)SEGS * SEG * LANES);
    if (t < best) best = t;
  }
  g_sink = bus[0][1] + bus[1][2];
  *kernel_only = bestk;
  return best;
}

static void bench(void) {
  printf("per-note effects, ns per voice-frame (best of 25 runs of 262144 frames), added = minus the pass-through\n");
  const struct {
    const char *name;
    uint32_t flags, stages;
    bool sweep;
  } rows[] = {
      {"pass-through (copy, mix)", 0, 1, false},
      {"no effect (flags 0)", 0, 1, false},
      {"filter 12 dB", RT_FX_LPF, 1, false},
      {"filter 24 dB", RT_FX_LPF, 2, false},
      {"filter 12 dB, new cutoff per 64", RT_FX_LPF, 1, true},
      {"filter 24 dB, new cutoff per 64", RT_FX_LPF, 2, true},
      {"lp + hp + bp 12 dB", RT_FX_LPF | RT_FX_HPF | RT_FX_BPF, 1, false},
      {"vowel", RT_FX_VOWEL, 1, false},
      {"coarse", RT_FX_COARSE, 1, false},
      {"crush", RT_FX_CRUSH, 1, false},
      {"shape", RT_FX_SHAPE, 1, false},
      {"distort", RT_FX_DISTORT, 1, false},
      {"tremolo", RT_FX_TREMOLO, 1, false},
      {"phaser", RT_FX_PHASER, 1, false},
      {"ring", RT_FX_RING, 1, false},
      {"postgain", RT_FX_POSTGAIN, 1, false},
  };
  for (uint32_t ch = 1; ch <= 2; ch++) {
    printf("%s voice:\n", ch == 1 ? "mono" : "stereo");
    double base = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
      rt_fx_note_params_t p = params(rows[r].flags);
      p.filter_stages = rows[r].stages;
      p.lp_hz = 1200.0f, p.hp_hz = 100.0f, p.bp_hz = 800.0f, p.coarse = 3.0f, p.crush = 6.0f, p.shape = 0.5f;
      p.distort = 1.0f, p.tremolo_hz = 5.0f, p.phaser_hz = 1.0f, p.ring = 0.5f, p.ring_hz = 200.0f;
      p.postgain = 0.8f;
      double t = bench_one(&p, ch, rows[r].sweep, r > 0);
      if (r == 0) base = t;
      printf("  %-34s %6.2f ns/frame  added %+6.2f ns  ratio %5.2f\n", rows[r].name, t, t - base, t / base);
    }
  }
  double k, t = bench_bank(&k);
  printf("batched estimate (not engine code): 8 mono voices' 12 dB low-passes in one vector: %.2f ns per\n"
         "voice-frame with the interleave and mix, %.2f ns for the filter kernel alone\n", t, k);
}

int main(int argc, char **argv) {
  ctx_build();
  if (argc > 1 && !strcmp(argv[1], "--bench")) {
    bench();
    return 0;
  }
  test_lowpass();
  test_highpass();
  test_bandpass();
  test_resonance();
  test_clamps();
  test_sweep();
  test_djf();
  test_vowel();
  test_crush();
  test_coarse();
  test_shapers();
  test_tremolo();
  test_phaser();
  test_ring_postgain();
  test_denormals();
  test_split_invariance();
  test_split_constant();
  return tu_finish();
}
