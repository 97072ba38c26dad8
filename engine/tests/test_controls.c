/*
 * test_controls.c — per-note controls through the public API, rendered
 * offline: sample playback (reverse, begin/end, loop), the amplitude and pitch
 * envelopes, the filters and their envelope, vowel, crush, coarse; the merge
 * order zone < instrument < note; the transports (ms_note_on_controls_at,
 * MS_EV_CONTROL runs in ms_push_events, MS_PARAM_CONTROL); determinism and
 * split invariance with every control on; refused values and their messages;
 * ms_field_info's control table.
 *
 * Thread: the test's main thread (CT, and RT through ms_process).
 */
#include <stdlib.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u

/* Uniform noise in [-amp, amp). Levels stay under the master limiter's knee
 * (-1 dBFS): above it the limiter, not the control under test, shapes the output. */
static float *noise(uint64_t n, uint64_t seed, double amp) {
  float *x = malloc(sizeof(float) * n);
  tu_rng_t r = {seed};
  for (uint64_t i = 0; i < n; i++) x[i] = (float)(((double)(tu_rng_next(&r) >> 11) * 0x1p-53 * 2.0 - 1.0) * amp);
  return x;
}

/* One sampler playing mono `data` on key 60 at its own rate, flat envelope. */
typedef struct {
  ms_sampler_t *s;
  ms_instrument_t *inst;
} rig_t;

static bool rig(rig_t *r, const float *data, uint64_t frames, float release_s) {
  r->s = tu_sampler(RATE, CH, 128);
  if (!r->s) return false;
  ms_sample_t *smp = NULL;
  CHECK_MS(r->s, ms_sample_create(r->s, data, frames, 1, RATE, &smp));
  CHECK_MS(r->s, ms_instrument_create(r->s, "t", &r->inst));
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, release_s);
  CHECK_MS(r->s, ms_instrument_add_zone(r->inst, smp, &z, NULL));
  ms_sample_destroy(smp);
  CHECK_MS(r->s, ms_instrument_commit(r->inst));
  return true;
}

/* Render `frames` after a note-on at frame `at` with controls c (NULL: none),
 * note-off at `off` (0: none), in pieces of `chunk`. Returns interleaved CH. */
static float *play(const float *data, uint64_t len, const ms_controls_t *c, uint64_t at, uint64_t off,
                   uint64_t frames, uint32_t chunk) {
  rig_t r;
  if (!rig(&r, data, len, 0.0f)) return NULL;
  CHECK_MS(r.s, ms_note_on_controls_at(r.inst, at, 60, 127, NULL, c));
  if (off) CHECK_MS(r.s, ms_note_off_at(r.inst, off, 60));
  float *out = calloc(frames * CH, sizeof(float));
  CHECK_MS(r.s, tu_render(r.s, out, frames, CH, chunk));
  ms_sampler_destroy(r.s);
  return out;
}

static ms_controls_t ctl0(void) {
  ms_controls_t c;
  memset(&c, 0, sizeof c);
  return c;
}

/* Left-channel gain of a plain voice (pan law, velocity 127) from a forward render. */
static double plain_gain(const float *x, uint64_t len) {
  float *o = play(x, len, NULL, 0, 0, 256, 256);
  double g = 0.0;
  for (int i = 0; i < 256; i++)
    if (fabs(x[i]) > 0.2) {
      g = o[i * CH] / x[i];
      break;
    }
  free(o);
  return g;
}

/* Power of the left channel around f (mean over bins f*(1-w)..f*(1+w), 1 Hz apart), frames [a, b). */
static double band_power(const float *o, uint64_t a, uint64_t b, double f, double w) {
  double sum = 0.0;
  int bins = 0;
  for (double fr = f * (1.0 - w); fr <= f * (1.0 + w); fr += 1.0) {
    double coeff = 2.0 * cos(2.0 * M_PI * fr / RATE), s1 = 0.0, s2 = 0.0;
    for (uint64_t i = a; i < b; i++) {
      double s0 = o[i * CH] + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    sum += s1 * s1 + s2 * s2 - coeff * s1 * s2;
    bins++;
  }
  return sum / bins;
}

static double db(double ratio) { return 10.0 * log10(ratio); }

/* Spectral centroid (Hz) of the left channel over [a, a + 1024), by a plain DFT. */
static double centroid(const float *o, uint64_t a) {
  const int n = 1024;
  double num = 0.0, den = 0.0;
  for (int k = 1; k < n / 2; k++) {
    double re = 0.0, im = 0.0;
    for (int i = 0; i < n; i++) {
      double w = 0.5 - 0.5 * cos(2.0 * M_PI * i / n);
      re += w * o[(a + i) * CH] * cos(2.0 * M_PI * k * i / n);
      im -= w * o[(a + i) * CH] * sin(2.0 * M_PI * k * i / n);
    }
    double p = re * re + im * im, f = (double)k * RATE / n;
    num += f * p;
    den += p;
  }
  return den > 0.0 ? num / den : 0.0;
}

static void test_field_info(void) {
  tu_section("ms_field_info(MS_FIELDS_CONTROL): one row per control id");
  ms_field_info_t f;
  uint32_t n = 0;
  while (ms_field_info(MS_FIELDS_CONTROL, n, &f) == MS_OK) {
    CHECK_EQ_INT(f.id, n);
    CHECK(f.min <= f.default_value && f.default_value <= f.max);
    n++;
  }
  CHECK_EQ_INT(n, MS_CONTROL_COUNT);
  CHECK_MS(NULL, ms_field_info(MS_FIELDS_CONTROL, MS_CONTROL_CUTOFF, &f));
  CHECK(strcmp(f.name, "cutoff") == 0 && strcmp(f.unit, "Hz") == 0 && (f.flags & MS_FIELD_FX));
  CHECK_MS(NULL, ms_field_info(MS_FIELDS_CONTROL, MS_CONTROL_DELAYFEEDBACK, &f));
  CHECK(f.max == (double)0.98f || fabs(f.max - 0.98) < 1e-9);
  CHECK(f.flags & MS_FIELD_ORBIT);
}

static void test_playback(void) {
  const uint64_t len = 4800;
  float *x = noise(len, 7, 0.8);
  const double g = plain_gain(x, len);
  CHECK(g > 0.5 && g < 1.5);

  tu_section("reverse: speed -1 plays the sample backwards, -2 every second frame backwards");
  ms_controls_t c = ctl0();
  ms_controls_set(&c, MS_CONTROL_SPEED, -1.0f);
  float *o = play(x, len, &c, 0, 0, len + 256, 128);
  double err = 0.0;
  for (uint64_t i = 0; i < len; i++) err = fmax(err, fabs(o[i * CH] - g * x[len - 1 - i]));
  CHECK_LE(err, 1e-5);
  CHECK_LE(tu_peak(o + len * CH, 256, CH, 0), 0.0);
  free(o);
  ms_controls_set(&c, MS_CONTROL_SPEED, -2.0f);
  o = play(x, len, &c, 0, 0, len, 128);
  err = 0.0;
  for (uint64_t i = 0; i < len / 2; i++) err = fmax(err, fabs(o[i * CH] - g * x[len - 1 - 2 * i]));
  CHECK_LE(err, 1e-5);
  CHECK_LE(tu_peak(o + (len / 2 + 2) * CH, len / 2 - 2, CH, 0), 0.0);
  free(o);

  tu_section("begin/end: a window of the sample, its length and content");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_BEGIN, 0.25f);
  ms_controls_set(&c, MS_CONTROL_END, 0.5f);
  o = play(x, len, &c, 0, 0, len, 128);
  err = 0.0;
  for (uint64_t i = 0; i < 1200; i++) err = fmax(err, fabs(o[i * CH] - g * x[1200 + i]));
  CHECK_LE(err, 1e-5);
  CHECK_LE(tu_peak(o + 1202 * CH, len - 1202, CH, 0), 0.0);
  free(o);

  tu_section("reverse with begin/end: the window counted on the reversed sample (superdough)");
  ms_controls_set(&c, MS_CONTROL_SPEED, -1.0f);
  o = play(x, len, &c, 0, 0, len, 128);
  err = 0.0;
  for (uint64_t i = 0; i < 1200; i++) err = fmax(err, fabs(o[i * CH] - g * x[len - 1 - 1200 - i]));
  CHECK_LE(err, 1e-5);
  CHECK_LE(tu_peak(o + 1200 * CH, len - 1200, CH, 0), 0.0);
  free(o);

  tu_section("loop: loopBegin/loopEnd repeat after the first pass");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_LOOP, 1.0f);
  ms_controls_set(&c, MS_CONTROL_LOOP_BEGIN, 0.5f);
  ms_controls_set(&c, MS_CONTROL_LOOP_END, 0.75f);
  o = play(x, len, &c, 0, 0, 3600 + 1200 * 3, 128);
  err = 0.0;
  for (uint64_t i = 0; i < 3600; i++) err = fmax(err, fabs(o[i * CH] - g * x[i]));
  for (uint64_t k = 0; k < 3; k++)
    for (uint64_t j = 4; j < 1196; j++) /* away from the seam's interpolation */
      err = fmax(err, fabs(o[(3600 + 1200 * k + j) * CH] - g * x[2400 + j]));
  CHECK_LE(err, 1e-5);
  free(o);

  tu_section("begin on a zone with its own loop: the zone's loop plays on");
  {
    rig_t r;
    r.s = tu_sampler(RATE, CH, 128);
    ms_sample_t *smp = NULL;
    CHECK_MS(r.s, ms_sample_create(r.s, x, len, 1, RATE, &smp));
    CHECK_MS(r.s, ms_instrument_create(r.s, "t", &r.inst));
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.0f);
    z.loop_start_frames = 2400;
    z.loop_end_frames = 3600;
    CHECK_MS(r.s, ms_instrument_add_zone(r.inst, smp, &z, NULL));
    ms_sample_destroy(smp);
    c = ctl0();
    ms_controls_set(&c, MS_CONTROL_BEGIN, 0.25f);
    CHECK_MS(r.s, ms_note_on_controls_at(r.inst, 0, 60, 127, NULL, &c));
    o = calloc(6000 * CH, sizeof(float));
    CHECK_MS(r.s, tu_render(r.s, o, 6000, CH, 128));
    err = 0.0;
    for (uint64_t i = 0; i < 1196; i++) err = fmax(err, fabs(o[i * CH] - g * x[1200 + i]));
    for (uint64_t j = 4; j < 1196; j++) err = fmax(err, fabs(o[(2400 + 1200 + j) * CH] - g * x[2400 + j]));
    CHECK_LE(err, 1e-5);
    free(o);
    ms_sampler_destroy(r.s);
  }

  tu_section("reverse on a one-shot zone: plays to its end like a forward note, whatever the note-off");
  {
    rig_t r;
    r.s = tu_sampler(RATE, CH, 128);
    ms_sample_t *smp = NULL;
    CHECK_MS(r.s, ms_sample_create(r.s, x, len, 1, RATE, &smp));
    CHECK_MS(r.s, ms_instrument_create(r.s, "t", &r.inst));
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_ONE_SHOT, 0.0f);
    CHECK_MS(r.s, ms_instrument_add_zone(r.inst, smp, &z, NULL));
    ms_sample_destroy(smp);
    c = ctl0();
    ms_controls_set(&c, MS_CONTROL_SPEED, -1.0f);
    CHECK_MS(r.s, ms_note_on_controls_at(r.inst, 0, 60, 127, NULL, &c));
    CHECK_MS(r.s, ms_note_off_at(r.inst, 100, 60));
    o = calloc((len + 256) * CH, sizeof(float));
    CHECK_MS(r.s, tu_render(r.s, o, len + 256, CH, 128));
    err = 0.0;
    for (uint64_t i = 0; i < len; i++) err = fmax(err, fabs(o[i * CH] - g * x[len - 1 - i]));
    CHECK_LE(err, 1e-5);
    free(o);
    ms_sampler_destroy(r.s);
  }

  tu_section("unit c: the sample (0.1 s) lasts one cycle (cps 2: 0.5 s)");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_UNIT, 1.0f);
  ms_controls_set(&c, MS_CONTROL_CPS, 2.0f);
  o = play(x, len, &c, 0, 0, RATE, 128);
  CHECK(tu_peak(o + 23000 * CH, 900, CH, 0) > 0.05);
  CHECK_LE(tu_peak(o + 24010 * CH, RATE - 24010, CH, 0), 0.0);
  free(o);

  tu_section("accelerate: the speed grows to speed * (1 + accelerate) over duration");
  float *sine = tu_sine(RATE * 2, 0.5, 440.0, RATE);
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_ACCELERATE, 1.0f);
  ms_controls_set(&c, MS_CONTROL_DURATION, 0.5f);
  o = play(sine, RATE * 2, &c, 0, 0, RATE, 256);
  CHECK_NEAR(tu_freq_zc(o, 0, 2400, CH, 0, RATE), 440.0, 25.0);
  CHECK_NEAR(tu_freq_zc(o, 26400, 36000, CH, 0, RATE), 880.0, 10.0);
  free(o);
  free(sine);
  free(x);
}

static void test_envelopes(void) {
  const uint64_t len = RATE;
  float *dc = malloc(sizeof(float) * len);
  for (uint64_t i = 0; i < len; i++) dc[i] = 0.5f;
  const double g = plain_gain(dc, len) * 0.5;

  tu_section("ADSR: the level at the stage boundaries (linear, superdough's shape)");
  ms_controls_t c = ctl0();
  ms_controls_set(&c, MS_CONTROL_ATTACK, 0.01f);
  ms_controls_set(&c, MS_CONTROL_DECAY, 0.02f);
  ms_controls_set(&c, MS_CONTROL_SUSTAIN, 0.5f);
  ms_controls_set(&c, MS_CONTROL_RELEASE, 0.05f);
  float *o = play(dc, len, &c, 0, 4800, 9600, 100);
  CHECK_NEAR(o[239 * CH] / g, 0.5, 0.03);   /* half the attack */
  CHECK_NEAR(o[479 * CH] / g, 1.0, 0.02);   /* attack end */
  CHECK_NEAR(o[959 * CH] / g, 0.75, 0.03);  /* half the decay */
  CHECK_NEAR(o[1439 * CH] / g, 0.5, 0.02);  /* decay end */
  CHECK_NEAR(o[4799 * CH] / g, 0.5, 0.01);  /* sustain until note-off */
  CHECK_NEAR(o[5999 * CH] / g, 0.25, 0.03); /* half the release */
  CHECK_LE(fabs(o[7300 * CH]), 1e-6);       /* done */
  free(o);

  tu_section("getADSRValues: decay without sustain falls to 0 (the voice ends)");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_DECAY, 0.05f);
  o = play(dc, len, &c, 0, 0, 9600, 128);
  CHECK_NEAR(o[1200 * CH] / g, 0.5, 0.03);
  CHECK_LE(fabs(o[2500 * CH]), 1e-6);
  free(o);
  free(dc);

  tu_section("pitch envelope: penv 12 raises the pitch an octave over pattack, held at psustain 1");
  float *sine = tu_sine(RATE * 2, 0.5, 440.0, RATE);
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_PENV, 12.0f);
  ms_controls_set(&c, MS_CONTROL_PATTACK, 0.05f);
  o = play(sine, RATE * 2, &c, 0, 0, RATE / 2, 128);
  CHECK_NEAR(tu_freq_zc(o, 4800, 14400, CH, 0, RATE), 880.0, 5.0);
  free(o);
  tu_section("vibrato: vib 5 Hz vibmod 1 semitone swings the pitch around 440 Hz");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_VIB, 5.0f);
  ms_controls_set(&c, MS_CONTROL_VIBMOD, 1.0f);
  o = play(sine, RATE * 2, &c, 0, 0, RATE, 128);
  double hi = tu_freq_zc(o, 2400 - 600, 2400 + 600, CH, 0, RATE); /* quarter period: +1 semitone */
  double lo = tu_freq_zc(o, 7200 - 600, 7200 + 600, CH, 0, RATE); /* three quarters: -1 semitone */
  CHECK_NEAR(hi, 440.0 * 1.0595, 8.0);
  CHECK_NEAR(lo, 440.0 / 1.0595, 8.0);
  CHECK_NEAR(tu_freq_zc(o, 0, RATE, CH, 0, RATE), 440.0, 3.0);
  free(o);
  free(sine);
}

static void test_filters(void) {
  const uint64_t len = RATE;
  float *x = noise(len, 11, 0.05);
  float *dry = play(x, len, NULL, 0, 0, len, 128);
  const uint64_t a = 2048, b = len - 1024;

  tu_section("low-pass 12 / 24 dB: one octave above the cutoff down ~12 / ~24 dB, below unchanged");
  for (int type = 0; type < 2; type++) {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_CUTOFF, 1000.0f);
    ms_controls_set(&c, MS_CONTROL_RESONANCE, 0.0f);
    ms_controls_set(&c, MS_CONTROL_FTYPE, type ? 2.0f : 0.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double up = db(band_power(o, a, b, 2000, 0.03) / band_power(dry, a, b, 2000, 0.03));
    double below = db(band_power(o, a, b, 250, 0.05) / band_power(dry, a, b, 250, 0.05));
    CHECKF(up < (type ? -20.0 : -10.0) && up > (type ? -28.0 : -14.5), "type %d: %.2f dB an octave above", type, up);
    CHECKF(fabs(below) < 1.0, "type %d: %.2f dB two octaves below", type, below);
    free(o);
  }

  tu_section("high-pass: the mirror");
  {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_HCUTOFF, 2000.0f);
    ms_controls_set(&c, MS_CONTROL_HRESONANCE, 0.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double down = db(band_power(o, a, b, 1000, 0.03) / band_power(dry, a, b, 1000, 0.03));
    double above = db(band_power(o, a, b, 8000, 0.02) / band_power(dry, a, b, 8000, 0.02));
    CHECKF(down < -10.0 && down > -14.5, "%.2f dB an octave below", down);
    CHECKF(fabs(above) < 1.0, "%.2f dB two octaves above", above);
    free(o);
  }

  tu_section("band-pass: a peak at bandf, 0 dB there, falling both sides");
  {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_BANDF, 1000.0f);
    ms_controls_set(&c, MS_CONTROL_BANDQ, 4.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double at = db(band_power(o, a, b, 1000, 0.01) / band_power(dry, a, b, 1000, 0.01));
    double lo = db(band_power(o, a, b, 250, 0.03) / band_power(dry, a, b, 250, 0.03));
    double hi = db(band_power(o, a, b, 4000, 0.03) / band_power(dry, a, b, 4000, 0.03));
    CHECKF(fabs(at) < 1.5, "%.2f dB at the centre", at);
    CHECKF(lo < -20.0 && hi < -20.0, "%.2f / %.2f dB two octaves away", lo, hi);
    free(o);
  }

  tu_section("resonance raises the level at the cutoff");
  {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_CUTOFF, 1000.0f);
    ms_controls_set(&c, MS_CONTROL_RESONANCE, 20.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double at = db(band_power(o, a, b, 1000, 0.01) / band_power(dry, a, b, 1000, 0.01));
    CHECKF(at > 15.0, "%.2f dB at the cutoff with resonance 20", at);
    CHECK(tu_all_finite(o, len * CH));
    free(o);
  }

  tu_section("filter envelope: lpenv moves the spectral centroid up over lpattack and back over lpdecay");
  {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_CUTOFF, 200.0f);
    ms_controls_set(&c, MS_CONTROL_LPENV, 5.0f);
    ms_controls_set(&c, MS_CONTROL_LPATTACK, 0.2f);
    ms_controls_set(&c, MS_CONTROL_LPDECAY, 0.2f);
    ms_controls_set(&c, MS_CONTROL_LPSUSTAIN, 0.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double c0 = centroid(o, 0), c1 = centroid(o, 9600 - 512), c2 = centroid(o, 30000);
    CHECKF(c1 > 3.0 * c0 && c1 > 3.0 * c2, "centroids %.0f -> %.0f -> %.0f Hz", c0, c1, c2);
    free(o);
  }

  tu_section("vowel a: its first formant (660 Hz) stands out");
  {
    ms_controls_t c = ctl0();
    ms_controls_set(&c, MS_CONTROL_VOWEL, 0.0f);
    float *o = play(x, len, &c, 0, 0, len, 128);
    double f1 = band_power(o, a, b, 660, 0.005) / band_power(dry, a, b, 660, 0.005);
    double gap = band_power(o, a, b, 1800, 0.01) / band_power(dry, a, b, 1800, 0.01);
    CHECKF(db(f1 / gap) > 20.0, "formant %.1f dB over the gap", db(f1 / gap));
    free(o);
  }
  free(dry);
  free(x);
}

static void test_character(void) {
  float *sine = tu_sine(RATE, 0.9, 220.0, RATE);
  tu_section("crush 3: at most 2^3 + 1 distinct levels");
  ms_controls_t c = ctl0();
  ms_controls_set(&c, MS_CONTROL_CRUSH, 3.0f);
  float *o = play(sine, RATE, &c, 0, 0, 9600, 128);
  float levels[64];
  uint32_t nl = 0;
  for (uint64_t i = 0; i < 9600 && nl < 64; i++) {
    float v = o[i * CH];
    uint32_t k = 0;
    while (k < nl && levels[k] != v) k++;
    if (k == nl) levels[nl++] = v;
  }
  CHECKF(nl >= 6 && nl <= 9, "%u levels", nl);
  free(o);

  tu_section("coarse 8: each value held 8 frames");
  c = ctl0();
  ms_controls_set(&c, MS_CONTROL_COARSE, 8.0f);
  o = play(sine, RATE, &c, 0, 0, 9600, 100);
  uint32_t changes = 0;
  for (uint64_t i = 1; i < 9600; i++) changes += o[i * CH] != o[(i - 1) * CH];
  CHECKF(changes >= 9600 / 8 - 2 && changes <= 9600 / 8 + 1, "%u changes in 9600 frames", changes);
  free(o);
  free(sine);
}

/* Every control at once (reverse playback, envelopes, filters, effects). */
static ms_controls_t everything(void) {
  ms_controls_t c = ctl0();
  ms_controls_set(&c, MS_CONTROL_SPEED, -1.3f);
  ms_controls_set(&c, MS_CONTROL_BEGIN, 0.1f);
  ms_controls_set(&c, MS_CONTROL_LOOP, 1.0f);
  ms_controls_set(&c, MS_CONTROL_LOOP_BEGIN, 0.2f);
  ms_controls_set(&c, MS_CONTROL_LOOP_END, 0.6f);
  ms_controls_set(&c, MS_CONTROL_ACCELERATE, 0.5f);
  ms_controls_set(&c, MS_CONTROL_PENV, -5.0f);
  ms_controls_set(&c, MS_CONTROL_VIB, 6.0f);
  ms_controls_set(&c, MS_CONTROL_ATTACK, 0.003f);
  ms_controls_set(&c, MS_CONTROL_DECAY, 0.1f);
  ms_controls_set(&c, MS_CONTROL_SUSTAIN, 0.6f);
  ms_controls_set(&c, MS_CONTROL_RELEASE, 0.2f);
  ms_controls_set(&c, MS_CONTROL_CUTOFF, 1500.0f);
  ms_controls_set(&c, MS_CONTROL_RESONANCE, 12.0f);
  ms_controls_set(&c, MS_CONTROL_LPENV, 3.0f);
  ms_controls_set(&c, MS_CONTROL_HCUTOFF, 100.0f);
  ms_controls_set(&c, MS_CONTROL_HPENV, 1.0f);
  ms_controls_set(&c, MS_CONTROL_BANDF, 2000.0f);
  ms_controls_set(&c, MS_CONTROL_FTYPE, 2.0f);
  ms_controls_set(&c, MS_CONTROL_DJF, 0.3f);
  ms_controls_set(&c, MS_CONTROL_VOWEL, 3.0f);
  ms_controls_set(&c, MS_CONTROL_COARSE, 3.0f);
  ms_controls_set(&c, MS_CONTROL_CRUSH, 8.0f);
  ms_controls_set(&c, MS_CONTROL_SHAPE, 0.5f);
  ms_controls_set(&c, MS_CONTROL_DISTORT, 1.0f);
  ms_controls_set(&c, MS_CONTROL_TREMOLO, 4.0f);
  ms_controls_set(&c, MS_CONTROL_PHASERRATE, 2.0f);
  ms_controls_set(&c, MS_CONTROL_RING, 0.5f);
  ms_controls_set(&c, MS_CONTROL_RINGF, 300.0f);
  ms_controls_set(&c, MS_CONTROL_POSTGAIN, 1.5f);
  ms_controls_set(&c, MS_CONTROL_VELOCITY, 0.8f);
  return c;
}

static void test_determinism(void) {
  tu_section("determinism and split invariance with every control on");
  const uint64_t len = RATE;
  float *x = noise(len, 3, 0.3);
  ms_controls_t c = everything();
  const uint64_t n = RATE / 2;
  float *a = play(x, len, &c, 1000, 15000, n, 4096);
  float *b = play(x, len, &c, 1000, 15000, n, 4096);
  float *d = play(x, len, &c, 1000, 15000, n, 37);
  CHECK(memcmp(a, b, n * CH * sizeof(float)) == 0);
  CHECK(memcmp(a, d, n * CH * sizeof(float)) == 0);
  CHECK(tu_all_finite(a, n * CH));
  CHECK(tu_rms(a, n, CH, 0) > 1e-3);
  free(a);
  free(b);
  free(d);

  tu_section("split invariance: a reversed one-shot (the direct reverse path) with a low-pass");
  {
    ms_controls_t rc = ctl0();
    ms_controls_set(&rc, MS_CONTROL_SPEED, -1.3f);
    ms_controls_set(&rc, MS_CONTROL_CUTOFF, 2000.0f);
    a = play(x, len, &rc, 333, 0, n, 4096);
    d = play(x, len, &rc, 333, 0, n, 37);
    CHECK(memcmp(a, d, n * CH * sizeof(float)) == 0);
    CHECK(tu_rms(a, n, CH, 0) > 1e-3);
    free(a);
    free(d);
  }

  tu_section("a note with an empty controls block plays the plain path's bytes");
  ms_controls_t none = ctl0();
  a = play(x, len, NULL, 100, 9000, 12000, 128);
  b = play(x, len, &none, 100, 9000, 12000, 128);
  CHECK(memcmp(a, b, 12000 * CH * sizeof(float)) == 0);
  free(a);
  free(b);
  free(x);
}

static void test_transports(void) {
  const uint64_t len = 4800;
  float *x = noise(len, 5, 0.25);
  const double g = plain_gain(x, len);

  tu_section("MS_EV_CONTROL runs in ms_push_events play like ms_note_on_controls_at");
  ms_controls_t c = everything();
  float *want = play(x, len, &c, 500, 3000, 6000, 128);
  rig_t r;
  if (rig(&r, x, len, 0.0f)) {
    ms_event_t ev[80];
    memset(ev, 0, sizeof ev);
    uint32_t n = 0;
    for (uint32_t id = 0; id < MS_CONTROL_COUNT; id++)
      if (ms_controls_has(&c, id)) {
        ev[n].frame = 500;
        ev[n].instrument = ms_instrument_id(r.inst);
        ev[n].type = MS_EV_CONTROL;
        ev[n].number = id;
        ev[n].value = c.value[id];
        n++;
      }
    ev[n] = (ms_event_t){.frame = 500, .instrument = ms_instrument_id(r.inst), .type = MS_EV_NOTE_ON, .note = 60,
                         .velocity = 127};
    n++;
    ev[n] = (ms_event_t){.frame = 3000, .instrument = ms_instrument_id(r.inst), .type = MS_EV_NOTE_OFF, .note = 60};
    n++;
    uint32_t pushed = 0;
    CHECK_MS(r.s, ms_push_events(r.s, ev, n, &pushed));
    CHECK_EQ_INT(pushed, n);
    float *o = calloc(6000 * CH, sizeof(float));
    CHECK_MS(r.s, tu_render(r.s, o, 6000, CH, 128));
    CHECK(memcmp(o, want, 6000 * CH * sizeof(float)) == 0);
    free(o);

    tu_section("ms_push_events refuses controls not followed by their note-on");
    ev[0].type = MS_EV_CONTROL;
    ev[1] = (ms_event_t){.frame = 500, .instrument = ms_instrument_id(r.inst), .type = MS_EV_NOTE_OFF, .note = 60};
    CHECK_MS_CODE(r.s, ms_push_events(r.s, ev, 2, &pushed), MS_ERR_INVALID_ARGUMENT);
    CHECK(tu_contains_ci(tu_msg(r.s), "followed by their note-on"));
    ms_sampler_destroy(r.s);
  }
  free(want);

  tu_section("merge order: zone < instrument (MS_PARAM_CONTROL) < note");
  if (rig(&r, x, len, 0.0f)) {
    ms_controls_t zc = ctl0();
    ms_controls_set(&zc, MS_CONTROL_BEGIN, 0.5f);
    CHECK_MS(r.s, ms_instrument_set_zone_controls(r.inst, 0, &zc));
    CHECK_MS(r.s, ms_instrument_commit(r.inst));
    ms_controls_t nc = ctl0();
    ms_controls_set(&nc, MS_CONTROL_BEGIN, 0.0f);
    CHECK_MS(r.s, ms_note_on_at(r.inst, 0, 60, 127, NULL));                 /* zone: 2400 */
    CHECK_MS(r.s, ms_instrument_set_param_at(r.inst, 1000, MS_PARAM_CONTROL + MS_CONTROL_BEGIN, 0.25f));
    CHECK_MS(r.s, ms_note_on_at(r.inst, 1000, 60, 127, NULL));              /* instrument: 1200 */
    CHECK_MS(r.s, ms_note_on_controls_at(r.inst, 2000, 60, 127, NULL, &nc)); /* note: 0 */
    CHECK_MS(r.s, ms_instrument_set_param_at(r.inst, 3000, MS_PARAM_CONTROL_CLEAR + MS_CONTROL_BEGIN, 0.0f));
    CHECK_MS(r.s, ms_note_on_at(r.inst, 3000, 60, 127, NULL));              /* zone again: 2400 */
    float *o = calloc(3100 * CH, sizeof(float));
    CHECK_MS(r.s, tu_render(r.s, o, 3100, CH, 128));
    /* each note's first frame is its own sample frame plus the earlier notes still playing */
    CHECK_NEAR(o[0], g * x[2400], 1e-5);
    CHECK_NEAR(o[1000 * CH], g * (x[3400] + x[1200]), 1e-5);
    CHECK_NEAR(o[2000 * CH], g * (x[4400] + x[2200] + x[0]), 1e-5);
    CHECK_NEAR(o[3000 * CH], g * (x[3200] + x[1000] + x[2400]), 1e-5);
    free(o);
    ms_sampler_destroy(r.s);
  }

  tu_section("out-of-range values are refused with a message naming the control and its range");
  if (rig(&r, x, len, 0.0f)) {
    ms_controls_t bad = ctl0();
    ms_controls_set(&bad, MS_CONTROL_CUTOFF, 3.0f);
    CHECK_MS_CODE(r.s, ms_note_on_controls_at(r.inst, 0, 60, 100, NULL, &bad), MS_ERR_OUT_OF_RANGE);
    CHECK(tu_contains_ci(tu_msg(r.s), "cutoff 3 is outside 5..24000 Hz"));
    bad = ctl0();
    ms_controls_set(&bad, MS_CONTROL_FTYPE, 1.5f);
    CHECK_MS_CODE(r.s, ms_note_on_controls_at(r.inst, 0, 60, 100, NULL, &bad), MS_ERR_INVALID_ARGUMENT);
    CHECK(tu_contains_ci(tu_msg(r.s), "ftype"));
    bad = ctl0();
    ms_controls_set(&bad, MS_CONTROL_DELAYFEEDBACK, 1.2f);
    CHECK_MS_CODE(r.s, ms_instrument_set_zone_controls(r.inst, 0, &bad), MS_ERR_OUT_OF_RANGE);
    CHECK(tu_contains_ci(tu_msg(r.s), "delayfeedback 1.2 is outside 0..0.98"));
    bad = ctl0();
    bad.present[3] = 1u << 31; /* id 127: past the table */
    CHECK_MS_CODE(r.s, ms_note_on_controls_at(r.inst, 0, 60, 100, NULL, &bad), MS_ERR_INVALID_ARGUMENT);
    CHECK(tu_contains_ci(tu_msg(r.s), "control 127 is not an MS_CONTROL_* id"));
    CHECK_MS_CODE(r.s, ms_instrument_set_param_at(r.inst, 0, MS_PARAM_CONTROL + MS_CONTROL_SPEED, 500.0f),
                  MS_ERR_OUT_OF_RANGE);
    CHECK(tu_contains_ci(tu_msg(r.s), "speed 500 is outside -128..128"));
    ms_sampler_destroy(r.s);
  }
  free(x);
}

int main(void) {
  test_field_info();
  test_playback();
  test_envelopes();
  test_filters();
  test_character();
  test_determinism();
  test_transports();
  return tu_finish();
}
