/*
 * test_dsp.c — what the render path does to the signal.
 *
 *  (a) pitch: root key 60 played at 72 is exactly one octave up; tune_cents
 *  (b) interpolation error against the analytic signal at a non-integer
 *      ratio, with stated bounds; cubic beats linear; set_interpolation works
 *  (c) forward loops are seamless (zone loop points and the file's smpl loop)
 *  (d) envelope levels: attack ramp, hold, decay to sustain, release
 *  (e) sustain pedal holds notes past note-off until released
 *  (f) voice stealing: polyphony cap respected, steals counted, no clicks
 *  (g) mono/stereo samples, constant-power pan, 1..8 output channels, buses
 *  (h) pitch bend (with range) and mod wheel vibrato move the frequency
 *  (i) round-robin alternation and exclusive-group choke
 *  (j) the envelope type itself (rt/rt_env.h): every stage, settling into
 *      sustain, the floor that ends it, steps longer than a timed stage, a
 *      cut step, and the filter's kind (no settle, no floor) that never ends
 * Thread: the test thread is both CT and RT (it calls ms_process itself).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include <sndfile.h>

#include "rt/rt_env.h"
#include "test_util.h"

#define RATE 48000u
#define CH 2u

/* ------------------------------------------------------------ helpers -- */
typedef struct rig {
  ms_sampler_t *s;
  ms_instrument_t *inst;
  uint32_t ch;
} rig_t;

static bool rig_open_cfg(rig_t *r, const ms_audio_config_t *cfg) {
  memset(r, 0, sizeof *r);
  REQUIRE_MS(NULL, ms_sampler_create(cfg, &r->s), false);
  ms_audio_config_t eff;
  REQUIRE_MS(r->s, ms_sampler_get_config(r->s, &eff), false);
  r->ch = eff.channels;
  REQUIRE_MS(r->s, ms_instrument_create(r->s, "test", &r->inst), false);
  return true;
}

static bool rig_open(rig_t *r) {
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.channels = CH;
  return rig_open_cfg(r, &c);
}

/* Add a zone for interleaved float data. */
static bool rig_zone(rig_t *r, const float *data, uint64_t frames, uint32_t channels,
                     const ms_zone_t *z) {
  ms_sample_t *smp = NULL;
  REQUIRE_MS(r->s, ms_sample_create(r->s, data, frames, channels, RATE, &smp), false);
  int32_t rc = ms_instrument_add_zone(r->inst, smp, z, NULL);
  ms_sample_destroy(smp);
  REQUIRE_MS(r->s, rc, false);
  REQUIRE_MS(r->s, ms_instrument_commit(r->inst), false);
  return true;
}

static void rig_close(rig_t *r) {
  if (r->s) ms_sampler_destroy(r->s);
  memset(r, 0, sizeof *r);
}

static float *dc(uint64_t frames, float v) {
  float *p = malloc(frames * sizeof(float));
  for (uint64_t i = 0; i < frames; i++) p[i] = v;
  return p;
}

static float *render(rig_t *r, uint64_t frames) {
  float *buf = calloc(frames * r->ch, sizeof(float));
  CHECK_MS(r->s, tu_render(r->s, buf, frames, r->ch, 256));
  CHECK(tu_all_finite(buf, frames * r->ch));
  return buf;
}

static ms_stats_t stats(rig_t *r) {
  ms_stats_t st;
  memset(&st, 0, sizeof st);
  CHECK_MS(r->s, ms_get_stats_ex(r->s, &st));
  return st;
}

/* ------------------------------------------------------------ (a) pitch -- */
static void test_pitch(void) {
  tu_section("(a) pitch: root 60 at note 72 is twice the frequency");
  const double f0 = 500.0;
  float *sine = tu_sine(RATE, 0.5, f0, RATE);
  struct { int note; float tune; double expect; } cases[] = {
      {60, 0, f0}, {72, 0, 2 * f0}, {48, 0, f0 / 2}, {67, 0, f0 * pow(2, 7 / 12.0)},
      {60, 100, f0 * pow(2, 1 / 12.0)}, {60, -37, f0 * pow(2, -37 / 1200.0)}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    rig_t r;
    if (!rig_open(&r)) break;
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.05f);
    z.tune_cents = cases[i].tune;
    if (rig_zone(&r, sine, RATE, 1, &z)) {
      CHECK_MS(r.s, ms_note_on_at(r.inst, 0, cases[i].note, 127, NULL));
      float *out = render(&r, 12000);
      double f = tu_freq_zc(out, 200, 12000, CH, 0, RATE);
      CHECKF(fabs(f / cases[i].expect - 1) < 0.001, "note %d tune %.0f: %.4f Hz, expected %.4f",
             cases[i].note, cases[i].tune, f, cases[i].expect);
      free(out);
    }
    rig_close(&r);
  }
  free(sine);
}

/* ---------------------------------------------------- (b) interpolation -- */
static double interp_error(uint32_t interp_cfg, int32_t set_interp, float **out_keep) {
  const double f0 = 1000.0, semis = 7.13; /* +7 semitones +13 cents */
  float *sine = tu_sine(3 * RATE, 0.5, f0, RATE);
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.channels = CH;
  c.interpolation = interp_cfg;
  rig_t r;
  double e = 1.0;
  if (!rig_open_cfg(&r, &c)) goto out;
  if (set_interp >= 0) CHECK_MS(r.s, ms_sampler_set_interpolation(r.s, (uint32_t)set_interp));
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.05f);
  z.tune_cents = 13;
  if (!rig_zone(&r, sine, 3 * RATE, 1, &z)) goto out;
  CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 67, 127, NULL));
  enum { N = 24576 };
  float *o = render(&r, N);
  double w = 2 * M_PI * f0 * pow(2, semis / 12) / RATE;
  e = tu_sine_fit_error(o, 512, N, CH, 0, w);
  if (out_keep)
    *out_keep = o;
  else
    free(o);
out:
  rig_close(&r);
  free(sine);
  return e;
}

static void test_interpolation(void) {
  tu_section("(b) interpolation error, 1 kHz sine at +7 semitones +13 cents");
  /* Ideal values for this signal (computed offline in double precision):
   * linear 1.56e-3, 4-point Hermite 2.6e-5 relative RMS. Bounds allow float
   * arithmetic: linear <= 3e-3, cubic <= 1.5e-4 and at least 4x better. */
  float *lin_out = NULL, *set_out = NULL;
  double lin = interp_error(MS_INTERP_LINEAR, -1, &lin_out);
  double cub = interp_error(MS_INTERP_CUBIC, -1, NULL);
  double def = interp_error(MS_INTERP_DEFAULT, -1, NULL);
  double via_set = interp_error(MS_INTERP_CUBIC, (int32_t)MS_INTERP_LINEAR, &set_out);
  printf("    relative RMS error: linear %.3g, cubic %.3g, default %.3g, cubic->set linear %.3g\n",
         lin, cub, def, via_set);
  CHECK_LE(lin, 3e-3);
  CHECK_LE(cub, 1.5e-4);
  CHECK_LT(cub * 4, lin);
  CHECK_NEAR(def, cub, cub * 0.01 + 1e-9); /* default is cubic */
  /* ms_sampler_set_interpolation(LINEAR) renders exactly what config LINEAR does */
  if (lin_out && set_out) {
    bool same = memcmp(lin_out, set_out, 24576 * CH * sizeof(float)) == 0;
    CHECKF(same, "set_interpolation(LINEAR) output differs from config.interpolation LINEAR");
  }
  free(lin_out);
  free(set_out);
}

/* ------------------------------------------------------------ (c) loops -- */
/* A 1 kHz sine (48 frames a period) whose loop [480, 4800) holds exactly 90
 * periods, followed by 64 frames of silence that a seamless loop never plays. */
enum { LOOP_S = 480, LOOP_E = 4800, LOOP_DATA = 4800 + 64 };

static float *loop_sample(void) {
  float *p = calloc(LOOP_DATA, sizeof(float));
  tu_fill_sine(p, LOOP_E, 1, 0, 0.5, 1000.0, RATE);
  return p;
}

static void check_seamless(const char *what, const float *out, uint64_t n, uint64_t first_wrap) {
  /* the signal's own max step: measured before the first pass through the seam */
  double own = tu_max_step(out, first_wrap - 8, CH, 0);
  double all = tu_max_step(out, n, CH, 0);
  double rms_head = tu_rms(out, 4000, CH, 0), rms_tail = tu_rms(out + (n - 4000) * CH, 4000, CH, 0);
  printf("    %s: own max step %.6f, whole output %.6f; rms head %.5f tail %.5f\n", what, own, all,
         rms_head, rms_tail);
  CHECK(own > 0.01);
  CHECKF(all <= own * 1.02 + 1e-6, "%s: a step of %.6f at the loop seam (signal's own %.6f)", what,
         all, own);
  CHECKF(fabs(rms_tail / rms_head - 1) < 0.01, "%s: level after %llu frames %.5f vs %.5f at start",
         what, (unsigned long long)n, rms_tail, rms_head);
}

static void test_loops(void) {
  tu_section("(c) forward loops are seamless");
  float *data = loop_sample();
  const uint64_t N = 48000; /* ten passes through the loop */
  /* zone loop points, played at the root (integer positions) and at note 61
   * (fractional positions: the interpolator must wrap at the seam too) */
  for (int note = 60; note <= 61; note++) {
    for (uint32_t interp = MS_INTERP_LINEAR; interp <= MS_INTERP_CUBIC; interp++) {
      ms_audio_config_t c;
      memset(&c, 0, sizeof c);
      c.sample_rate = RATE;
      c.interpolation = interp;
      rig_t r;
      if (!rig_open_cfg(&r, &c)) break;
      ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
      z.loop_start_frames = LOOP_S;
      z.loop_end_frames = LOOP_E;
      if (rig_zone(&r, data, LOOP_DATA, 1, &z)) {
        CHECK_MS(r.s, ms_note_on_at(r.inst, 0, note, 127, NULL));
        float *out = render(&r, N);
        char what[64];
        snprintf(what, sizeof what, "zone loop, note %d, %s", note,
                 interp == MS_INTERP_LINEAR ? "linear" : "cubic");
        check_seamless(what, out, N, (uint64_t)(LOOP_E / pow(2, (note - 60) / 12.0)));
        free(out);
      }
      rig_close(&r);
    }
  }
  /* the file's smpl loop (libsndfile reports end exclusive), loop mode auto */
  char *path = tu_path("loop.wav");
  tu_loop_t lp = {LOOP_S, LOOP_E, 60};
  if (tu_write_audio(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, RATE, data, LOOP_DATA, &lp)) {
    rig_t r;
    if (rig_open(&r)) {
      ms_sample_t *smp = NULL;
      CHECK_MS(r.s, ms_sample_load(r.s, path, &smp));
      if (smp) {
        ms_zone_t z = tu_zone_flat(60, MS_LOOP_AUTO, 0.05f);
        CHECK_MS(r.s, ms_instrument_add_zone(r.inst, smp, &z, NULL));
        ms_sample_destroy(smp);
        CHECK_MS(r.s, ms_instrument_commit(r.inst));
        CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 60, 127, NULL));
        float *out = render(&r, N);
        check_seamless("file smpl loop, loop mode auto", out, N, LOOP_E);
        free(out);
      }
    }
    rig_close(&r);
  }
  free(path);
  free(data);
}

/* --------------------------------------------------------- (d) envelope -- */
/* Channel-0 output of a DC sample under zone z, note-off at off_frame (0 = none). */
static float *env_render(const ms_zone_t *z, uint64_t n, uint64_t off_frame, rig_t *keep) {
  rig_t r;
  float *d = dc(4800, 0.5f), *out = NULL;
  if (!rig_open(&r)) goto done;
  if (!rig_zone(&r, d, 4800, 1, z)) goto done;
  CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 60, 127, NULL));
  if (off_frame) CHECK_MS(r.s, ms_note_off_at(r.inst, off_frame, 60));
  out = render(&r, n);
done:
  free(d);
  if (keep)
    *keep = r;
  else
    rig_close(&r);
  return out;
}

static void test_envelope(void) {
  tu_section("(d) envelope levels");
  ms_zone_t flat = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
  float *ref = env_render(&flat, 1000, 0, NULL);
  if (!ref) return;
  double A = ref[500 * CH];
  free(ref);
  CHECK(A > 0.05);
  if (A <= 0.05) return;
#define LVL(o, sec) ((o)[(uint64_t)((sec) * RATE) * CH] / A)

  /* attack 0.1 s, linear */
  ms_zone_t z = flat;
  z.attack_s = 0.1f;
  float *o = env_render(&z, RATE / 2, 0, NULL);
  if (o) {
    CHECK_NEAR(LVL(o, 0.025), 0.25, 0.02);
    CHECK_NEAR(LVL(o, 0.05), 0.5, 0.02);
    CHECK_NEAR(LVL(o, 0.075), 0.75, 0.02);
    CHECK_NEAR(LVL(o, 0.12), 1.0, 0.01);
    CHECK_NEAR(LVL(o, 0.4), 1.0, 0.01);
    free(o);
  }

  /* hold 0.05 s, then decay (0.2 s, -60 dB time) to sustain 0.25 */
  z = flat;
  z.hold_s = 0.05f;
  z.decay_s = 0.2f;
  z.sustain = 0.25f;
  o = env_render(&z, RATE, 0, NULL);
  if (o) {
    CHECK_NEAR(LVL(o, 0.001), 1.0, 0.01);
    CHECK_NEAR(LVL(o, 0.045), 1.0, 0.01);
    double mid = LVL(o, 0.05 + 0.2 / 3);
    CHECKF(mid > 0.25 + 0.01 && mid < 0.9, "a third into the decay the level is %.4f", mid);
    CHECK_NEAR(LVL(o, 0.05 + 0.4), 0.25, 0.01);
    CHECK_NEAR(LVL(o, 0.9), 0.25, 0.01);
    /* never rises during the decay */
    bool mono = true;
    for (uint64_t i = (uint64_t)(0.05 * RATE); i + 1 < RATE; i++)
      if (o[(i + 1) * CH] > o[i * CH] + 1e-6f) mono = false;
    CHECK(mono);
    free(o);
  }

  /* release 0.3 s (-60 dB time) from note-off at 0.1 s */
  z = flat;
  z.release_s = 0.3f;
  rig_t r;
  o = env_render(&z, RATE, 4800, &r);
  if (o) {
    CHECK_NEAR(LVL(o, 0.099), 1.0, 0.01);
    double l1 = LVL(o, 0.1 + 0.1); /* one third of the -60 dB time: -20 dB */
    CHECKF(l1 > 0.05 && l1 < 0.2, "100 ms into a 300 ms release the level is %.4f (-20 dB = 0.1)",
           l1);
    double l3 = LVL(o, 0.1 + 0.3);
    CHECKF(l3 <= 0.002, "at the end of the release the level is %.5f (-60 dB = 0.001)", l3);
    bool mono = true;
    for (uint64_t i = 4800; i + 1 < RATE; i++)
      if (fabsf(o[(i + 1) * CH]) > fabsf(o[i * CH]) + 1e-7f) mono = false;
    CHECK(mono);
    free(o);
    /* the voice ends and is given back */
    float *more = render(&r, RATE);
    free(more);
    CHECK_EQ_U64(stats(&r).voices_active, 0);
  }
  rig_close(&r);
#undef LVL
}

/* --------------------------------------------------------- (e) sustain -- */
static void test_sustain_pedal(void) {
  tu_section("(e) sustain pedal holds notes past note-off");
  rig_t r;
  float *d = dc(4800, 0.5f);
  if (!rig_open(&r)) goto done;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
  if (!rig_zone(&r, d, 4800, 1, &z)) goto done;
  CHECK_MS(r.s, ms_cc_at(r.inst, 0, 64, 127));
  CHECK_MS(r.s, ms_note_on_at(r.inst, 100, 60, 127, NULL));
  CHECK_MS(r.s, ms_note_off_at(r.inst, 2000, 60));
  CHECK_MS(r.s, ms_cc_at(r.inst, 20000, 64, 0));
  /* a note released after the pedal behaves normally */
  CHECK_MS(r.s, ms_note_on_at(r.inst, 30000, 62, 127, NULL));
  CHECK_MS(r.s, ms_note_off_at(r.inst, 35000, 62));
  float *o = render(&r, 48000);
  double A = o[1000 * CH];
  CHECK(A > 0.05);
  CHECKF(fabs(o[19999 * CH] - A) < 1e-4 * A + 1e-7,
         "pedal down: level %.6f at 19999 (note-off at 2000), held level %.6f", o[19999 * CH], A);
  CHECKF(fabs(o[10000 * CH]) > 0.99 * A, "pedal down: level %.6f at 10000", o[10000 * CH]);
  /* pedal up at 20000: a 50 ms release, silent well before 30000 */
  CHECKF(fabs(o[(20000 + 4800) * CH]) < 1e-3 * A, "pedal up: still %.6f 100 ms later",
         o[(20000 + 4800) * CH]);
  CHECKF(fabs(o[34000 * CH]) > 0.99 * A, "second note: %.6f while held", o[34000 * CH]);
  CHECKF(fabs(o[(35000 + 4800) * CH]) < 1e-3 * A, "second note still %.6f 100 ms after note-off",
         o[(35000 + 4800) * CH]);
  free(o);
done:
  rig_close(&r);
  free(d);
}

/* -------------------------------------------------------- (f) stealing -- */
static void test_stealing(void) {
  tu_section("(f) voice stealing: cap 8, 40 overlapping notes");
  const double f0 = 100.0, amp = 0.2; /* 480 frames a period; 48000 frames loop seamlessly */
  float *sine = tu_sine(RATE, amp, f0, RATE);
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.max_polyphony = 8;
  rig_t r;
  if (!rig_open_cfg(&r, &c)) goto done;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
  if (!rig_zone(&r, sine, RATE, 1, &z)) goto done;

  /* one voice at the highest note used gives the per-voice max step */
  CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 72, 127, NULL));
  float *one = render(&r, 9600);
  double step1 = tu_max_step(one, 9600, CH, 0);
  free(one);
  CHECK_MS(r.s, ms_all_sound_off_at(r.s, ms_sampler_now(r.s)));
  float *quiet = render(&r, 4800);
  free(quiet);
  CHECK_EQ_U64(stats(&r).voices_active, 0);

  uint64_t t0 = ms_sampler_now(r.s);
  for (int k = 0; k < 40; k++)
    CHECK_MS(r.s, ms_note_on_at(r.inst, t0 + (uint64_t)k * 300, 48 + (k * 7) % 25, 127, NULL));
  enum { N = 40 * 300 + 9600, BLK = 128 };
  float *o = calloc((size_t)N * CH, sizeof(float));
  uint64_t max_active = 0;
  for (uint32_t done = 0; done < N; done += BLK) {
    uint32_t n = N - done < BLK ? N - done : BLK;
    CHECK_MS(r.s, ms_process(r.s, o + (size_t)done * CH, n));
    ms_stats_t st = stats(&r);
    if (st.voices_active > max_active) max_active = st.voices_active;
  }
  ms_stats_t st = stats(&r);
  double step = tu_max_step(o, N, CH, 0);
  printf("    voices_active max %llu, peak %llu, stolen %llu; max step %.5f (one voice %.5f)\n",
         (unsigned long long)max_active, (unsigned long long)st.voices_peak,
         (unsigned long long)st.voices_stolen, step, step1);
  CHECK_LE(max_active, 8);
  CHECK_LE(st.voices_peak, 8);
  CHECK(max_active >= 8);
  CHECK(st.voices_stolen > 0);
  /* Eight voices can at most add their steps; allow two more for stolen voices
   * fading out. A voice cut dead would step by up to its amplitude, ~38x step1. */
  CHECK(step1 > 0);
  CHECKF(step <= 10 * step1, "max step %.5f > 10 x one voice's %.5f: a click on steal", step,
         step1);
  free(o);
done:
  rig_close(&r);
  free(sine);
}

/* -------------------------------------------------- (g) pan, channels -- */
static void pan_levels(float pan, int stereo, double *l, double *rr) {
  rig_t r;
  *l = *rr = -1;
  float d[2 * 1024];
  for (int i = 0; i < 1024; i++) {
    d[2 * i] = 0.5f;
    d[2 * i + 1] = -0.25f;
  }
  float *mono = dc(1024, 0.5f);
  if (!rig_open(&r)) goto done;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
  z.pan = pan;
  if (!rig_zone(&r, stereo ? d : mono, 1024, stereo ? 2 : 1, &z)) goto done;
  CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 60, 127, NULL));
  float *o = render(&r, 2048);
  *l = o[1500 * CH];
  *rr = o[1500 * CH + 1];
  free(o);
done:
  free(mono);
  rig_close(&r);
}

static void test_pan_channels(void) {
  tu_section("(g) mono/stereo, constant-power pan, 1..8 channels, output bus");
  double l, r, e0 = -1;
  const float pans[] = {-1, -0.5f, 0, 0.5f, 1};
  for (size_t i = 0; i < 5; i++) {
    pan_levels(pans[i], 0, &l, &r);
    double e = l * l + r * r;
    if (e0 < 0) e0 = e;
    printf("    mono pan %+.1f: L %.5f R %.5f power %.5f\n", pans[i], l, r, e);
    CHECKF(fabs(e / e0 - 1) < 0.02, "pan %.1f: power %.5f vs %.5f at hard left", pans[i], e, e0);
    if (pans[i] == -1) CHECKF(fabs(r) < 1e-4 * fabs(l), "hard left leaks %.6f right", r);
    if (pans[i] == 1) CHECKF(fabs(l) < 1e-4 * fabs(r), "hard right leaks %.6f left", l);
    if (pans[i] == 0) CHECK_NEAR(l, r, 1e-6);
    if (pans[i] < 0) CHECK(fabs(l) > fabs(r));
  }
  /* a stereo sample keeps its channels apart at centre pan */
  pan_levels(0, 1, &l, &r);
  printf("    stereo (L 0.5, R -0.25) centre: L %.5f R %.5f\n", l, r);
  CHECKF(l > 0 && r < 0 && fabs(l / r + 2) < 0.02, "stereo sample: L %.5f R %.5f (ratio -2)", l, r);
  pan_levels(-1, 1, &l, &r);
  CHECKF(fabs(r) < 1e-4, "stereo sample panned hard left leaks %.6f right", r);

  /* output channel counts 1..8: sound on the first pair, silence elsewhere */
  float *mono = dc(1024, 0.5f);
  for (uint32_t ch = 1; ch <= 8; ch++) {
    ms_audio_config_t c;
    memset(&c, 0, sizeof c);
    c.channels = ch;
    rig_t rg;
    if (!rig_open_cfg(&rg, &c)) break;
    CHECK_EQ_INT(rg.ch, ch);
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
    if (rig_zone(&rg, mono, 1024, 1, &z)) {
      CHECK_MS(rg.s, ms_note_on_at(rg.inst, 0, 60, 127, NULL));
      float *o = render(&rg, 512);
      CHECKF(fabs(o[300 * ch]) > 0.05, "%u channels: channel 0 has %.5f", ch, o[300 * ch]);
      if (ch >= 2) CHECKF(fabs(o[300 * ch + 1]) > 0.05, "%u channels: channel 1 silent", ch);
      for (uint32_t k = 2; k < ch; k++)
        CHECKF(tu_peak(o, 512, ch, k) == 0, "%u channels: channel %u not silent", ch, k);
      free(o);
    }
    rig_close(&rg);
  }
  /* MS_PARAM_OUTPUT_BUS 1 with 4 channels: channels 2, 3 */
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.channels = 4;
  rig_t rg;
  if (rig_open_cfg(&rg, &c)) {
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
    if (rig_zone(&rg, mono, 1024, 1, &z)) {
      CHECK_MS(rg.s, ms_instrument_set_param_at(rg.inst, 0, MS_PARAM_OUTPUT_BUS, 1));
      CHECK_MS(rg.s, ms_note_on_at(rg.inst, 0, 60, 127, NULL));
      float *o = render(&rg, 512);
      CHECK(tu_peak(o, 512, 4, 0) == 0 && tu_peak(o, 512, 4, 1) == 0);
      CHECK(tu_peak(o, 512, 4, 2) > 0.05 && tu_peak(o, 512, 4, 3) > 0.05);
      free(o);
    }
    rig_close(&rg);
  }
  free(mono);
}

/* ------------------------------------------------- (h) bend, mod wheel -- */
static void test_bend_modwheel(void) {
  tu_section("(h) pitch bend with range, mod wheel vibrato");
  const double f0 = 500.0;
  float *sine = tu_sine(RATE, 0.5, f0, RATE); /* 500 periods: loops seamlessly */
  rig_t r;
  if (!rig_open(&r)) goto done;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.05f);
  if (!rig_zone(&r, sine, RATE, 1, &z)) goto done;
  const uint64_t seg = 9600;
  CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 60, 127, NULL));
  CHECK_MS(r.s, ms_instrument_set_param_at(r.inst, 0, MS_PARAM_PITCH_BEND_RANGE, 12));
  CHECK_MS(r.s, ms_pitch_bend_at(r.inst, seg, 8191));
  CHECK_MS(r.s, ms_pitch_bend_at(r.inst, 2 * seg, -8192));
  CHECK_MS(r.s, ms_pitch_bend_at(r.inst, 3 * seg, 0));
  CHECK_MS(r.s, ms_instrument_set_param_at(r.inst, 4 * seg, MS_PARAM_PITCH_BEND_RANGE, 2));
  CHECK_MS(r.s, ms_pitch_bend_at(r.inst, 4 * seg, 4096)); /* +1 semitone */
  CHECK_MS(r.s, ms_pitch_bend_at(r.inst, 5 * seg, 0));
  float *o = render(&r, 6 * seg);
  const double expect[] = {f0, 2 * f0, f0 / 2, f0, f0 * pow(2, 1 / 12.0)};
  const char *label[] = {"no bend", "+8191, range 12", "-8192, range 12", "back to 0",
                         "+4096, range 2"};
  for (int i = 0; i < 5; i++) {
    double f = tu_freq_zc(o, i * seg + 960, (i + 1) * seg, CH, 0, RATE);
    printf("    %-16s %.3f Hz (expected %.3f)\n", label[i], f, expect[i]);
    CHECKF(fabs(f / expect[i] - 1) < 0.003, "%s: %.3f Hz, expected %.3f", label[i], f, expect[i]);
  }
  free(o);

  /* vibrato: frequency per 20 ms window, spread without and with CC1 */
  uint64_t t = ms_sampler_now(r.s);
  for (int wheel = 0; wheel < 2; wheel++) {
    if (wheel) CHECK_MS(r.s, ms_cc_at(r.inst, t, 1, 127));
    const uint64_t n = RATE; /* 1 s: five and a half vibrato periods */
    o = render(&r, n);
    t += n;
    double lo = 1e9, hi = 0;
    for (uint64_t w = 4800; w + 960 <= n; w += 480) {
      double f = tu_freq_zc(o, w, w + 960, CH, 0, RATE);
      if (f < lo) lo = f;
      if (f > hi) hi = f;
    }
    printf("    mod wheel %s: windowed frequency %.2f .. %.2f Hz\n", wheel ? "127" : "0", lo, hi);
    if (wheel)
      CHECKF(hi / lo > 1.03, "mod wheel full: frequency spread only %.4f (50 cents = 1.029 each way)",
             hi / lo);
    else
      CHECKF(hi / lo < 1.002, "mod wheel 0: frequency spread %.4f", hi / lo);
    free(o);
  }
done:
  rig_close(&r);
  free(sine);
}

/* --------------------------------------------- (i) round robin, choke -- */
static void test_alternatives(void) {
  tu_section("(i) round robin alternates; exclusive group chokes");
  float *pos = dc(2000, 0.5f), *neg = dc(2000, -0.5f);
  rig_t r;
  if (!rig_open(&r)) goto choke;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.01f);
  z.alt_group = 1;
  z.alt_mode = MS_ALT_ROUND_ROBIN;
  if (!rig_zone(&r, pos, 2000, 1, &z) || !rig_zone(&r, neg, 2000, 1, &z)) goto choke;
  CHECK_EQ_INT(ms_instrument_zone_count(r.inst), 2);
  for (int k = 0; k < 6; k++) CHECK_MS(r.s, ms_note_on_at(r.inst, (uint64_t)k * 4800, 60, 127, NULL));
  float *o = render(&r, 6 * 4800);
  int sign_prev = 0, alternations = 0;
  for (int k = 0; k < 6; k++) {
    float v = o[((uint64_t)k * 4800 + 100) * CH];
    int sign = v > 0.05f ? 1 : v < -0.05f ? -1 : 0;
    CHECKF(sign != 0, "round robin note %d: level %.5f (both zones layered, or none)", k, v);
    if (k && sign == -sign_prev) alternations++;
    sign_prev = sign;
  }
  CHECKF(alternations == 5, "round robin: %d alternations in 6 notes", alternations);
  free(o);
choke:
  rig_close(&r);

  /* hi-hat: open (key 46, looped, hard left) choked by closed (key 42, hard
   * right); key 50 has no exclusive group and must not choke it. */
  for (int chooser = 42; chooser <= 50; chooser += 8) {
    if (!rig_open(&r)) goto done;
    ms_zone_t open = tu_zone_flat(46, MS_LOOP_FORWARD, 0.5f);
    open.lo_key = open.hi_key = 46;
    open.exclusive_group = 1;
    open.pan = -1;
    ms_zone_t closed = tu_zone_flat(42, MS_LOOP_NONE, 0.05f);
    closed.lo_key = closed.hi_key = 42;
    closed.exclusive_group = 1;
    closed.pan = 1;
    ms_zone_t other = tu_zone_flat(50, MS_LOOP_NONE, 0.05f);
    other.lo_key = other.hi_key = 50;
    other.pan = 1;
    if (!rig_zone(&r, pos, 2000, 1, &open) || !rig_zone(&r, pos, 2000, 1, &closed) ||
        !rig_zone(&r, pos, 2000, 1, &other))
      goto done;
    CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 46, 127, NULL));
    CHECK_MS(r.s, ms_note_on_at(r.inst, 4800, chooser, 127, NULL));
    o = render(&r, 9600);
    double A = o[4799 * CH];
    CHECK(A > 0.05);
    CHECKF(o[(4800 + 100) * CH + 1] > 0.05, "key %d silent", chooser);
    if (chooser == 42) {
      CHECKF(fabs(o[(4800 + 2400) * CH]) < 1e-3 * A,
             "open hat still %.6f 50 ms after the closed hat", o[(4800 + 2400) * CH]);
      /* the choke is a fade, not a cut */
      double step = tu_max_step(o + 4790 * CH, 600, CH, 0);
      CHECKF(step < 0.25 * A, "choke steps by %.5f (level %.5f): a click", step, A);
    } else {
      CHECKF(fabs(o[(4800 + 2400) * CH] - A) < 1e-4, "key 50 (no exclusive group) choked the open hat: %.5f",
             o[(4800 + 2400) * CH]);
    }
    free(o);
    rig_close(&r);
  }
done:
  rig_close(&r);
  free(pos);
  free(neg);
}

/* ---------------------------------------------- (j) the envelope type -- */
static void test_envelope_type(void) {
  tu_section("(j) the envelope type: stages, settle, floor, long and cut steps");
  const rt_env_desc_t amp = {.delay_frames = 10, .attack_frames = 100, .hold_frames = 20, .decay_coef = 0.99f,
                             .sustain = 0.5f, .release_coef = 0.9f, .settle = 1e-4f, .floor = 2e-4f};
  rt_env_t e;
  rt_env_start(&amp, &e);
  CHECK(e.level == 0.0f);
  rt_env_settle(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_DELAY);
  CHECK_EQ_U64(rt_env_timed_left(&e), 10);
  rt_env_step(&amp, &e, 10);
  CHECK(e.level == 0.0f);
  CHECK_EQ_INT(e.stage, RT_ENV_DELAY); /* a stage left with 0 frames moves on at the next settle */
  rt_env_settle(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_ATTACK);
  CHECK_EQ_U64(rt_env_timed_left(&e), 100);
  rt_env_step(&amp, &e, 25);
  CHECK(e.level == 0.25f); /* linear attack */
  rt_env_step(&amp, &e, 75);
  CHECK(e.level == 1.0f);
  rt_env_settle(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_HOLD);
  CHECK_EQ_U64(rt_env_timed_left(&e), 20);
  rt_env_step(&amp, &e, 20);
  CHECK(e.level == 1.0f);
  rt_env_settle(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_DECAY);
  CHECK_EQ_U64(rt_env_timed_left(&e), UINT32_MAX);
  rt_env_step(&amp, &e, 64);
  CHECK_NEAR(e.level, 0.5 + 0.5 * pow(0.99, 64), 1e-5);
  int steps = 0;
  while (e.stage == RT_ENV_DECAY && steps++ < 1000) rt_env_step(&amp, &e, 64);
  CHECK_EQ_INT(e.stage, RT_ENV_SUSTAIN);
  CHECK(e.level == 0.5f); /* settled: exactly the sustain level */
  rt_env_step(&amp, &e, 64);
  CHECK(e.level == 0.5f);
  rt_env_release(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_RELEASE);
  rt_env_step(&amp, &e, 10);
  CHECK_NEAR(e.level, 0.5 * pow(0.9, 10), 1e-6);
  steps = 0;
  while (e.stage == RT_ENV_RELEASE && steps++ < 1000) rt_env_step(&amp, &e, 64);
  CHECK_EQ_INT(e.stage, RT_ENV_DONE); /* under the floor: ended */
  CHECK(e.level == 0.0f);
  rt_env_release(&amp, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_DONE); /* an ended envelope stays ended */

  /* a cut step gives its unused frames back to a timed stage; an envelope
   * that ended within the cut step falls on from where sound is */
  rt_env_start(&amp, &e);
  rt_env_settle(&amp, &e);
  rt_env_step(&amp, &e, 10);
  rt_env_settle(&amp, &e);
  rt_env_step(&amp, &e, 64);
  CHECK_EQ_U64(e.left, 36);
  rt_env_cut(&e, 14, 0.5f);
  CHECK_EQ_U64(e.left, 50);
  CHECK(e.level == 0.5f);
  e.stage = RT_ENV_DONE;
  rt_env_cut(&e, 3, 0.1f);
  CHECK_EQ_INT(e.stage, RT_ENV_RELEASE);
  CHECK(e.level == 0.1f);

  /* no delay, no attack: starts at the peak; a step longer than the attack
   * ends at the peak; sustain 0 under the floor ends the envelope in decay */
  const rt_env_desc_t snap = {.attack_frames = 0, .decay_coef = 0.5f, .sustain = 0.0f, .release_coef = 0.5f,
                              .settle = 1e-4f, .floor = 2e-4f};
  rt_env_start(&snap, &e);
  CHECK(e.level == 1.0f);
  rt_env_settle(&snap, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_DECAY);
  rt_env_step(&snap, &e, 64);
  CHECK_EQ_INT(e.stage, RT_ENV_DONE);
  CHECK(e.level == 0.0f);

  /* the filter's kind: no settle distance, no floor */
  const rt_env_desc_t fil = {.attack_frames = 100, .decay_coef = 0.9f, .sustain = 0.25f, .release_coef = 0.9f};
  rt_env_start(&fil, &e);
  rt_env_settle(&fil, &e);
  rt_env_step(&fil, &e, 64);
  rt_env_step(&fil, &e, 64); /* 28 frames past the attack's end: the step ends at the peak */
  CHECK(e.level == 1.0f);
  CHECK_EQ_INT(e.stage, RT_ENV_ATTACK);
  rt_env_settle(&fil, &e);
  CHECK_EQ_INT(e.stage, RT_ENV_DECAY); /* no hold */
  for (int i = 0; i < 100; i++) rt_env_step(&fil, &e, 64);
  CHECK_EQ_INT(e.stage, RT_ENV_DECAY); /* approaches sustain, never settles */
  CHECK_NEAR(e.level, 0.25, 1e-6);
  rt_env_release(&fil, &e);
  for (int i = 0; i < 100; i++) rt_env_step(&fil, &e, 64);
  CHECK_EQ_INT(e.stage, RT_ENV_RELEASE); /* never ends */
  CHECK(e.level >= 0.0f && e.level < 1e-6f);
}

int main(void) {
  test_pitch();
  test_interpolation();
  test_loops();
  test_envelope();
  test_sustain_pedal();
  test_stealing();
  test_pan_channels();
  test_bend_modwheel();
  test_alternatives();
  test_envelope_type();
  return tu_finish();
}
