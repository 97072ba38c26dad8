/*
 * test_mods.c — zone modulation rows (ms_instrument_set_zone_mods, rt_mod.c),
 * each with an assertion on an offline render: CC ranges switch layers
 * between notes (loccN/hiccN), a CC crossfade's gain follows its curve while
 * the CC moves, velocity crossfades at several velocities, amplitude, volume
 * and pan following a CC, pitch following a CC, pitch_random spreading pitch
 * deterministically, CC-triggered zones (on_loccN), the row checks, split
 * invariance, and no allocation on the render path (interposed malloc).
 *
 * Thread: the test thread is both CT and the render thread.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* ------------------------------------------------------ allocation guard -- */
static __thread int rt_guard;
#ifndef MS_TEST_NO_ALLOC_GUARD
#include <unistd.h>
static void guard_trip(const char *fn);
#define ALLOC_GUARD_CHECK(fn) \
  do {                        \
    if (rt_guard) guard_trip(fn); \
  } while (0)
#include "alloc_guard.h"

static void guard_trip(const char *fn) {
  rt_guard = 0;
  alloc_guard_report("\n*** test_mods: ", fn, "() on the render thread\n", 0);
  abort();
}
#endif

enum { RATE = 48000 };

static ms_sample_t *dc_sample(ms_sampler_t *s, float level) { return tu_dc_sample(s, level, RATE, RATE); }

static ms_zone_t flat(void) {
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.005f);
  z.velocity_track = 0.0f;
  return z;
}

static ms_zone_mod_t row(uint16_t source, uint8_t target, uint8_t curve, float depth, float lo, float hi) {
  ms_zone_mod_t m = {.source = source, .target = target, .curve = curve, .depth = depth, .lo = lo, .hi = hi};
  return m;
}

/* Render with ms_process pieces of `chunk` frames, the guard on around each call. */
static float *render_chunked(ms_sampler_t *s, uint64_t frames, uint32_t chunk) {
  float *buf = calloc(frames * 2, sizeof(float));
  uint64_t done = 0;
  while (done < frames) {
    uint32_t n = (uint32_t)((frames - done) < chunk ? (frames - done) : chunk);
    rt_guard = 1;
    int32_t rc = ms_process(s, buf + done * 2, n);
    rt_guard = 0;
    CHECK_MS(s, rc);
    done += n;
  }
  return buf;
}
static float *render(ms_sampler_t *s, uint64_t frames) { return render_chunked(s, frames, 128); }

/* Mono level at frame f (centre pan law 0.7071) and each side. */
static float level_at(const float *b, uint64_t f) { return b[f * 2] / 0.70710678f; }

int main(void) {
  tu_section("loccN/hiccN: the CC at note-on picks the layer; a playing note keeps its layer");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "locc", &in);
    ms_zone_t z = flat();
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.1f), &z, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.3f), &z, NULL));
    ms_zone_mod_t lo = row(1, MS_MOD_RANGE, 0, 0, 0, 63), hi = row(1, MS_MOD_RANGE, 0, 0, 64, 127);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &lo, 1));
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &hi, 1));
    CHECK_MS(s, ms_note_on_at(in, 100, 60, 100, NULL));    /* CC1 at 0: the low layer */
    CHECK_MS(s, ms_cc_at(in, 5000, 1, 100));
    CHECK_MS(s, ms_note_on_at(in, 10000, 62, 100, NULL));  /* CC1 at 100: the high layer */
    CHECK_MS(s, ms_note_off_at(in, 20000, 60));
    CHECK_MS(s, ms_cc_at(in, 25000, 1, 63));
    CHECK_MS(s, ms_note_off_at(in, 26000, 62));
    CHECK_MS(s, ms_note_on_at(in, 30000, 64, 100, NULL));  /* CC1 at 63: low again */
    float *b = render(s, 36000);
    CHECK_NEAR(level_at(b, 4000), 0.1, 1e-4);
    CHECK_NEAR(level_at(b, 8000), 0.1, 1e-4);              /* the CC does not switch a playing note */
    CHECK_NEAR(level_at(b, 15000), 0.4, 1e-4);             /* low note + high note */
    CHECK_NEAR(level_at(b, 23000), 0.3, 1e-4);
    CHECK_NEAR(level_at(b, 35000), 0.1, 1e-4);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("CC crossfade: xfin power and xfout gain follow the CC while the note plays");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "xfcc", &in);
    ms_zone_t z = flat();
    z.pan = -1.0f; /* zone 0 on the left, zone 1 on the right */
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    z.pan = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    ms_zone_mod_t xin = row(2, MS_MOD_XFIN, MS_XF_POWER, 0, 0, 127), xout = row(2, MS_MOD_XFOUT, MS_XF_GAIN, 0, 0, 127);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &xin, 1));
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &xout, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    const int vals[] = {0, 32, 64, 100, 127};
    for (int k = 0; k < 5; k++) CHECK_MS(s, ms_cc_at(in, 4096u * (uint64_t)(k + 1), 2, vals[k]));
    float *b = render(s, 4096 * 7);
    for (int k = 0; k < 5; k++) {
      const uint64_t f = 4096u * (uint64_t)(k + 1) + 2000; /* past the 64-frame ramp */
      const double x = vals[k] / 127.0;
      CHECK_NEAR(b[f * 2], 0.5 * sqrt(x), 1e-4);       /* left: xfin, power */
      CHECK_NEAR(b[f * 2 + 1], 0.5 * (1.0 - x), 1e-4); /* right: xfout, gain */
    }
    /* smoothed: one control step moves by at most the CC's whole jump over 64 frames */
    double step = 0;
    for (uint64_t f = 1; f < 4096 * 7; f++) step = fmax(step, fabs(b[f * 2] - b[(f - 1) * 2]));
    CHECKF(step < 0.5 * sqrt(32.0 / 127.0) / 32.0, "largest per-frame step %g", step);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("velocity crossfades at several velocities (xfin_lovel/hivel, xfout, xf_velcurve)");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "xfvel", &in);
    ms_zone_t z = flat();
    z.pan = -1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    z.pan = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    ms_zone_mod_t xin = row(MS_MOD_SRC_VELOCITY, MS_MOD_XFIN, MS_XF_GAIN, 0, 40, 100);
    ms_zone_mod_t xout = row(MS_MOD_SRC_VELOCITY, MS_MOD_XFOUT, MS_XF_POWER, 0, 40, 100);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &xin, 1));
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &xout, 1));
    const int vel[] = {20, 40, 55, 70, 100, 120};
    for (int k = 0; k < 6; k++) {
      CHECK_MS(s, ms_note_on_at(in, 6000u * (uint64_t)k, 60, vel[k], NULL));
      CHECK_MS(s, ms_note_off_at(in, 6000u * (uint64_t)k + 4000, 60));
    }
    float *b = render(s, 6000 * 6);
    for (int k = 0; k < 6; k++) {
      const uint64_t f = 6000u * (uint64_t)k + 2000;
      const double t = vel[k] <= 40 ? 0.0 : vel[k] >= 100 ? 1.0 : (vel[k] - 40) / 60.0;
      CHECK_NEAR(b[f * 2], 0.5 * t, 1e-4);
      CHECK_NEAR(b[f * 2 + 1], 0.5 * sqrt(1.0 - t), 1e-4);
    }
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("amplitude_oncc, volume_oncc, pan_oncc follow their CC; CC initial values");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "level", &in);
    ms_zone_t z = flat();
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    ms_zone_mod_t rows[3] = {
        row(12, MS_MOD_AMPLITUDE, MS_CURVE_LINEAR, 1.0f, 0, 0),    /* amplitude_oncc12=100 */
        row(20, MS_MOD_VOLUME_DB, MS_CURVE_LINEAR, -20.0f, 0, 0),  /* volume_oncc20=-20 */
        row(21, MS_MOD_PAN, MS_CURVE_LINEAR, 1.0f, 0, 0),          /* pan_oncc21=100 */
    };
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 3));
    CHECK_MS(s, ms_instrument_set_cc_init(in, 12, 127)); /* set_cc12=127 (CC11 would also be MIDI expression) */
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, 4096, 12, 64));
    CHECK_MS(s, ms_cc_at(in, 8192, 20, 127));
    CHECK_MS(s, ms_cc_at(in, 12288, 21, 127));
    float *b = render(s, 16384);
    CHECK_NEAR(level_at(b, 2000), 0.5, 1e-4);                  /* CC12 starts at 127: full */
    CHECK_NEAR(level_at(b, 6000), 0.5 * 64 / 127.0, 1e-4);     /* amplitude follows CC12 */
    CHECK_NEAR(level_at(b, 10000), 0.5 * 64 / 127.0 * 0.1, 1e-4); /* -20 dB at CC20 127 */
    CHECK_NEAR(b[14000 * 2], 0.0, 1e-6);                        /* hard right */
    CHECK_NEAR(b[14000 * 2 + 1], 0.5 * 64 / 127.0 * 0.1, 1e-4);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("pitch_oncc follows the CC; pitch_random spreads notes within its range, the same each run");
  {
    double spread[2][24];
    for (int run = 0; run < 2; run++) {
      ms_instrument_t *in;
      ms_sampler_t *s = tu_sampler_instrument(RATE, "pitch", &in);
      ms_sample_t *smp = tu_sample_mono(s, tu_sine(RATE, 0.5, 480.0, RATE), RATE, RATE);
      ms_zone_t z = flat();
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      ms_zone_mod_t rows[2] = {row(5, MS_MOD_PITCH_CENTS, MS_CURVE_LINEAR, 1200.0f, 0, 0),
                               row(MS_MOD_SRC_RANDOM_BIPOLAR, MS_MOD_PITCH_CENTS, MS_CURVE_LINEAR, 100.0f, 0, 0)};
      CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 2));
      for (int k = 0; k < 24; k++) {
        CHECK_MS(s, ms_note_on_at(in, 4800u * (uint64_t)k, 60, 100, NULL));
        CHECK_MS(s, ms_note_off_at(in, 4800u * (uint64_t)k + 4000, 60));
      }
      CHECK_MS(s, ms_cc_at(in, 4800 * 24, 5, 127));
      CHECK_MS(s, ms_note_on_at(in, 4800 * 24, 60, 100, NULL));
      float *b = render(s, 4800 * 25);
      double lo = 1e9, hi = -1e9;
      for (int k = 0; k < 24; k++) {
        double hz = tu_freq_zc(b, 4800u * (uint64_t)k + 500, 4800u * (uint64_t)k + 3800, 2, 0, RATE);
        double cents = 1200.0 * log2(hz / 480.0);
        spread[run][k] = cents;
        lo = fmin(lo, cents), hi = fmax(hi, cents);
        CHECKF(fabs(cents) <= 101.0, "note %d: %g cents", k, cents);
      }
      CHECKF(hi - lo > 100.0, "24 notes spread over %g cents (pitch_random 100: -100..100)", hi - lo);
      double hz = tu_freq_zc(b, 4800 * 24 + 500, 4800 * 25, 2, 0, RATE);
      double cents = 1200.0 * log2(hz / 960.0); /* CC5 127: an octave up, +-100 random */
      CHECKF(fabs(cents) <= 101.0, "pitch_oncc5=1200 at CC 127: %g cents from 960 Hz", cents);
      free(b);
      ms_sampler_destroy(s);
    }
    for (int k = 0; k < 24; k++) CHECK_NEAR(spread[0][k], spread[1][k], 1e-9);
  }

  tu_section("on_loccN/on_hiccN: a CC message in range starts the zone at its root key; notes do not");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "pedal", &in);
    ms_zone_t z = flat();
    z.loop_mode = MS_LOOP_ONE_SHOT;
    z.velocity_track = 1.0f;
    float *d = calloc(4000, sizeof(float));
    for (int i = 0; i < 4000; i++) d[i] = 0.5f;
    ms_sample_t *smp = tu_sample_mono(s, d, 4000, RATE);
    CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
    ms_zone_mod_t t = row(64, MS_MOD_TRIGGER, 0, 0, 100, 127);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &t, 1));
    CHECK_MS(s, ms_note_on_at(in, 100, 60, 127, NULL)); /* no sound */
    CHECK_MS(s, ms_cc_at(in, 6000, 64, 50));           /* out of range: no sound */
    CHECK_MS(s, ms_cc_at(in, 12000, 64, 127));         /* starts it, velocity 127 */
    float *b = render(s, 20000);
    CHECK_NEAR(tu_peak(b, 12000, 2, 0), 0.0, 1e-9);
    CHECK_NEAR(level_at(b, 14000), 0.5, 1e-4);
    CHECK_NEAR(level_at(b, 19000), 0.0, 1e-6);         /* one shot of 4000 frames */
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("bend_up/bend_down: bend rows (upper, lower halves) replace the instrument's bend range");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "bend", &in);
    ms_sample_t *smp = tu_sample_mono(s, tu_sine(RATE, 0.5, 480.0, RATE), RATE, RATE);
    ms_zone_t z = flat();
    CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
    ms_zone_mod_t rows[2] = {row(MS_MOD_SRC_BEND, MS_MOD_PITCH_CENTS, MS_CURVE_UPPER, 1200.0f, 0, 0),
                             row(MS_MOD_SRC_BEND, MS_MOD_PITCH_CENTS, MS_CURVE_LOWER, -100.0f, 0, 0)};
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 2));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_pitch_bend_at(in, 9600, 8191));
    CHECK_MS(s, ms_pitch_bend_at(in, 19200, -8192));
    CHECK_MS(s, ms_pitch_bend_at(in, 28800, 0));
    float *b = render(s, 38400);
    const double up = 1200.0 * log2(tu_freq_zc(b, 10000, 19000, 2, 0, RATE) / 480.0);
    const double down = 1200.0 * log2(tu_freq_zc(b, 19600, 28600, 2, 0, RATE) / 480.0);
    const double rest = 1200.0 * log2(tu_freq_zc(b, 29200, 38000, 2, 0, RATE) / 480.0);
    CHECK_NEAR(up, 1200.0 * 8191.0 / 8192.0, 0.5);
    CHECK_NEAR(down, -100.0, 0.5);
    CHECK_NEAR(rest, 0.0, 0.5);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("rt_decay: a release zone loses depth dB per second the key was held");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "rtdecay", &in);
    ms_zone_t za = flat(), zr = flat();
    za.gain_db = -144.0f; /* the attack zone silent: the release zone alone is measured */
    zr.trigger = MS_TRIGGER_RELEASE;
    zr.loop_mode = MS_LOOP_ONE_SHOT; /* 1 s: the first has ended when the second starts */
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &za, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &zr, NULL));
    ms_zone_mod_t m = row(MS_MOD_SRC_HELD_SECONDS, MS_MOD_VOLUME_DB, MS_CURVE_LINEAR, -10.0f, 0, 0);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &m, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, RATE / 2, 60));          /* held 0.5 s: -5 dB */
    CHECK_MS(s, ms_note_on_at(in, RATE, 62, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 2 * RATE, 62));          /* held 1 s: -10 dB */
    float *b = render(s, 3 * RATE);
    CHECK_NEAR(20.0 * log10(level_at(b, RATE / 2 + 2000) / 0.5), -5.0, 0.01);
    CHECK_NEAR(20.0 * log10(level_at(b, 2 * RATE + 2000) / 0.5), -10.0, 0.01);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("note_polyphony: a key holds at most n voices of the zone's group; the oldest is released");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "notepoly", &in);
    ms_zone_t z = flat();
    z.release_s = 0.001f;
    z.note_polyphony = 2;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.1f), &z, NULL));
    for (int k = 0; k < 4; k++) CHECK_MS(s, ms_note_on_at(in, 4000u * (uint64_t)k, 60, 100, NULL));
    CHECK_MS(s, ms_note_on_at(in, 16000, 62, 100, NULL)); /* another key: not limited */
    float *b = render(s, 20000);
    CHECK_NEAR(level_at(b, 3000), 0.1, 1e-4);
    CHECK_NEAR(level_at(b, 7000), 0.2, 1e-4);
    CHECK_NEAR(level_at(b, 11000), 0.2, 1e-4); /* the third note released the first */
    CHECK_NEAR(level_at(b, 15000), 0.2, 1e-4);
    CHECK_NEAR(level_at(b, 19000), 0.3, 1e-4);
    free(b);
    ms_zone_t bad = flat();
    bad.note_polyphony = 0; /* 0: no limit, accepted */
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.1f), &bad, NULL));
    ms_sampler_destroy(s);
  }

  tu_section("envelope rows: attack from a CC at note-on, sustain from velocity; other voices keep the zone's");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "ampeg", &in);
    ms_zone_t z = flat();
    z.decay_s = 0.1f;
    z.sustain = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    ms_zone_mod_t rows[2] = {row(3, MS_MOD_AMPEG_ATTACK_S, 0, 1.0f, 0, 0),
                             row(MS_MOD_SRC_VELOCITY, MS_MOD_AMPEG_SUSTAIN, 0, -0.5f, 0, 0)};
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 2));
    CHECK_MS(s, ms_cc_at(in, 0, 3, 127));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 127, NULL));    /* attack 1 s, sustain 0.5 */
    CHECK_MS(s, ms_note_off_at(in, RATE * 2, 60));
    CHECK_MS(s, ms_cc_at(in, RATE * 2, 3, 0));
    CHECK_MS(s, ms_note_on_at(in, RATE * 3, 60, 127, NULL)); /* CC3 at 0: no attack */
    float *b = render(s, RATE * 4);
    CHECK_NEAR(level_at(b, RATE / 2), 0.25, 0.002);             /* halfway up a 1 s attack */
    CHECK_NEAR(level_at(b, RATE + RATE / 2), 0.25, 0.002);      /* decayed to sustain 1 - 0.5 */
    CHECK_NEAR(level_at(b, RATE * 3 + 100), 0.5 * (1.0 - 0.5) + 0.5 * 0.5 * pow(0.001, 100.0 / (0.1 * RATE)), 0.02);
    free(b);
    ms_zone_mod_t bad = row(3, MS_MOD_AMPEG_SUSTAIN, 0, 2.0f, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &bad, 1), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("LFO rows: pitch at the LFO's rate and depth, after its delay; a square LFO on volume");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "lfo", &in);
    ms_sample_t *smp = tu_sample_mono(s, tu_sine(RATE * 3, 0.5, 480.0, RATE), RATE * 3, RATE);
    ms_zone_t z = flat();
    z.pan = -1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
    ms_zone_mod_t m = row(MS_MOD_SRC_LFO, MS_MOD_PITCH_CENTS, 0, 100.0f, 0, 0);
    m.lfo_hz = 2.0f, m.lfo_wave = MS_LFO_SQUARE, m.lfo_delay_s = 0.5f;
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &m, 1));
    z.pan = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.25f), &z, NULL)); /* +6 dB stays under the limiter's knee */
    ms_zone_mod_t v = row(MS_MOD_SRC_LFO, MS_MOD_VOLUME_DB, 0, -6.0f, 0, 0);
    v.lfo_hz = 4.0f, v.lfo_wave = MS_LFO_SQUARE;
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &v, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    float *b = render(s, RATE * 2);
    /* pitch: 0 during the delay, then +100 cents for 0.25 s, -100 for 0.25 s (2 Hz square) */
    const double c0 = 1200.0 * log2(tu_freq_zc(b, 2000, 22000, 2, 0, RATE) / 480.0);
    const double c1 = 1200.0 * log2(tu_freq_zc(b, 24500, 35500, 2, 0, RATE) / 480.0);
    const double c2 = 1200.0 * log2(tu_freq_zc(b, 36500, 47500, 2, 0, RATE) / 480.0);
    const double c3 = 1200.0 * log2(tu_freq_zc(b, 48500, 59500, 2, 0, RATE) / 480.0);
    CHECK_NEAR(c0, 0.0, 0.5);
    CHECK_NEAR(c1, 100.0, 0.5);
    CHECK_NEAR(c2, -100.0, 0.5);
    CHECK_NEAR(c3, 100.0, 0.5);
    /* volume: -6 dB for the first 1/8 s of each 1/4 s, +6 dB the next (4 Hz square on depth -6) */
    CHECK_NEAR(20.0 * log10(b[3000 * 2 + 1] / 0.25), -6.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[9000 * 2 + 1] / 0.25), 6.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[15000 * 2 + 1] / 0.25), -6.0, 0.01);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("LFO amplitude row: the gain swings by its depth around 1 at the LFO's rate");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "lfoamp", &in);
    ms_zone_t z = flat();
    z.pan = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.25f), &z, NULL));
    ms_zone_mod_t a = row(MS_MOD_SRC_LFO, MS_MOD_AMPLITUDE, 0, 0.5f, 0, 0);
    a.lfo_hz = 4.0f, a.lfo_wave = MS_LFO_SQUARE;
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &a, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    float *b = render(s, RATE);
    /* 4 Hz square on depth 0.5: gain 1.5 for the first 1/8 s of each 1/4 s, 0.5 the next */
    CHECK_NEAR(b[3000 * 2 + 1] / 0.25, 1.5, 1e-4);
    CHECK_NEAR(b[9000 * 2 + 1] / 0.25, 0.5, 1e-4);
    CHECK_NEAR(b[15000 * 2 + 1] / 0.25, 1.5, 1e-4);
    CHECK_NEAR(b[21000 * 2 + 1] / 0.25, 0.5, 1e-4);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("LFO depth on a CC (lfo_depth_cc): the LFO's value times CC / 127, followed while the note plays");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "lfocc", &in);
    ms_zone_t z = flat();
    z.pan = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.25f), &z, NULL));
    ms_zone_mod_t v = row(MS_MOD_SRC_LFO, MS_MOD_VOLUME_DB, 0, -6.0f, 0, 0);
    v.lfo_hz = 4.0f, v.lfo_wave = MS_LFO_SQUARE, v.lfo_depth_cc = 3 + 1;
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &v, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, RATE / 2, 3, 127));
    CHECK_MS(s, ms_cc_at(in, RATE, 3, 64));
    float *b = render(s, RATE + RATE / 2);
    /* CC3 at 0: no swing; at 127: -6 dB / +6 dB halves of each 1/4 s; at 64: 64/127 of that */
    CHECK_NEAR(20.0 * log10(b[3000 * 2 + 1] / 0.25), 0.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[9000 * 2 + 1] / 0.25), 0.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[27000 * 2 + 1] / 0.25), -6.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[33000 * 2 + 1] / 0.25), 6.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[51000 * 2 + 1] / 0.25), -6.0 * 64.0 / 127.0, 0.01);
    CHECK_NEAR(20.0 * log10(b[57000 * 2 + 1] / 0.25), 6.0 * 64.0 / 127.0, 0.01);
    free(b);
    ms_zone_mod_t bad = v;
    bad.lfo_depth_cc = 129;
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &bad, 1), MS_ERR_OUT_OF_RANGE);
    bad = row(3, MS_MOD_VOLUME_DB, 0, -6.0f, 0, 0);
    bad.lfo_depth_cc = 1; /* only LFO rows scale by a CC */
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &bad, 1), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("off_mode time: a choked voice fades linearly over off_time_s");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "offtime", &in);
    ms_zone_t z = flat();
    z.lo_key = z.hi_key = 60;
    z.exclusive_group = 1;
    z.off_mode = MS_OFF_TIME;
    z.off_time_s = 0.5f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.4f), &z, NULL));
    ms_zone_t c = flat();
    c.lo_key = c.hi_key = 62;
    c.exclusive_group = 2;
    c.off_by = MS_OFF_BY_NONE;
    c.gain_db = -144.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.4f), &c, NULL));
    ms_zone_t zz;
    ms_zone_init(&zz);
    CHECK_NEAR(zz.off_time_s, 0.006, 1e-9);
    /* zone 0 is choked by its own group's notes (off_by own) */
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_note_on_at(in, 4800, 60, 100, NULL)); /* chokes the first over 0.5 s */
    float *b = render(s, RATE);
    /* the first voice: 0.4 falling linearly to 0 over 24000 frames, plus the new one at 0.4 */
    CHECK_NEAR(level_at(b, 4800 + 12000), 0.4 + 0.2, 2e-3);
    CHECK_NEAR(level_at(b, 4800 + 30000), 0.4, 1e-4);
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("offset from a CC at note-on (offset_onccN), kept within the sample");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "offset", &in);
    float *ramp = malloc(sizeof(float) * RATE);
    for (int i = 0; i < RATE; i++) ramp[i] = (float)i / RATE; /* value = position */
    ms_sample_t *smp = tu_sample_mono(s, ramp, RATE, RATE);
    ms_zone_t z = flat();
    z.loop_mode = MS_LOOP_ONE_SHOT;
    CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
    ms_zone_mod_t m = row(4, MS_MOD_OFFSET_FRAMES, 0, 24000.0f, 0, 0);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &m, 1));
    CHECK_MS(s, ms_cc_at(in, 0, 4, 127));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 127, NULL));
    float *b = render(s, 256);
    CHECK_NEAR(level_at(b, 100), (24000.0 + 100.0) / RATE, 1e-4); /* started 24000 frames in */
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("custom curves (SFZ <curve>): a row's CC through the instrument's curve 8");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "curve", &in);
    ms_zone_t z = flat();
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    float cube[128];
    for (int i = 0; i < 128; i++) cube[i] = powf((float)i / 127.0f, 3.0f);
    CHECK_MS(s, ms_instrument_set_curve(in, 8, cube));
    ms_zone_mod_t m = row(5, MS_MOD_AMPLITUDE, 8, 1.0f, 0, 0);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &m, 1));
    CHECK_MS(s, ms_cc_at(in, 0, 5, 64));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, 4096, 5, 127));
    float *b = render(s, 8192);
    CHECK_NEAR(level_at(b, 2000), 0.5 * pow(64.0 / 127.0, 3.0), 1e-5);
    CHECK_NEAR(level_at(b, 6000), 0.5, 1e-5);
    free(b);
    CHECK_MS_CODE(s, ms_instrument_set_curve(in, 7, cube), MS_ERR_INVALID_ARGUMENT);
    cube[3] = NAN;
    CHECK_MS_CODE(s, ms_instrument_set_curve(in, 9, cube), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("row checks: unknown source, target, curve; depth and range outside theirs");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "checks", &in);
    ms_zone_t z = flat();
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
    ms_zone_mod_t m = row(150, MS_MOD_PAN, 0, 0.5f, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_INVALID_ARGUMENT);
    CHECK(strstr(tu_msg(s), "source 150 is unknown") != NULL);
    m = row(MS_MOD_SRC_LFO, MS_MOD_PAN, 0, 0.5f, 0, 0); /* an LFO row without a rate */
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_OUT_OF_RANGE);
    m = row(1, 42, 0, 0, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_INVALID_ARGUMENT);
    m = row(1, MS_MOD_XFIN, 2, 0, 0, 127); /* a crossfade's curve is power or gain */
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_INVALID_ARGUMENT);
    m = row(1, MS_MOD_PAN, 0, 3.0f, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_OUT_OF_RANGE);
    CHECK(strstr(tu_msg(s), "depth 3 is outside -2..2") != NULL);
    m = row(1, MS_MOD_VOLUME_DB, 0, NAN, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_OUT_OF_RANGE);
    m = row(1, MS_MOD_RANGE, 0, 0, 90, 20);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_OUT_OF_RANGE);
    m = row(MS_MOD_SRC_VELOCITY, MS_MOD_RANGE, 0, 0, 0, 20);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &m, 1), MS_ERR_INVALID_ARGUMENT);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 1, &m, 1), MS_ERR_INVALID_ARGUMENT);
    CHECK_MS_CODE(s, ms_instrument_set_cc_init(in, 128, 0), MS_ERR_INVALID_ARGUMENT);
    CHECK_MS_CODE(s, ms_instrument_set_cc_init(in, 1, 128), MS_ERR_OUT_OF_RANGE);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, NULL, 0));
    ms_sampler_destroy(s);
  }

  tu_section("width: 0 mono, -100 swapped, 100 as recorded (the plain path); width_onccN follows the CC");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "width", &in);
    float *d = malloc(sizeof(float) * 2 * RATE);
    for (int i = 0; i < RATE; i++) d[2 * i] = 0.4f, d[2 * i + 1] = 0.1f; /* left 0.4, right 0.1 */
    ms_sample_t *st = NULL;
    CHECK_MS(s, ms_sample_create(s, d, RATE, 2, RATE, &st));
    free(d);
    ms_zone_t z = flat();
    const float widths[4] = {100.0f, 0.0f, -100.0f, 50.0f};
    for (int k = 0; k < 4; k++) {
      z.lo_key = z.hi_key = (uint8_t)(60 + k);
      z.width = widths[k];
      CHECK_MS(s, ms_instrument_add_zone(in, st, &z, NULL));
    }
    z.lo_key = z.hi_key = 64, z.width = 100.0f; /* width_oncc5=-200: CC 0 as recorded, 127 swapped */
    CHECK_MS(s, ms_instrument_add_zone(in, st, &z, NULL));
    ms_zone_mod_t w = row(5, MS_MOD_WIDTH, 0, -2.0f, 0, 0);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 4, &w, 1));
    ms_zone_t mono = flat(); /* a mono sample has no width */
    mono.lo_key = mono.hi_key = 65, mono.width = -100.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.3f), &mono, NULL));
    for (int k = 0; k < 4; k++) {
      CHECK_MS(s, ms_note_on_at(in, 4000u * (uint64_t)k, 60 + k, 100, NULL));
      CHECK_MS(s, ms_note_off_at(in, 4000u * (uint64_t)k + 3000, 60 + k));
    }
    CHECK_MS(s, ms_note_on_at(in, 16000, 64, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, 20000, 5, 127));
    CHECK_MS(s, ms_cc_at(in, 24000, 5, 64));
    CHECK_MS(s, ms_note_off_at(in, 27000, 64));
    CHECK_MS(s, ms_note_on_at(in, 28000, 65, 100, NULL));
    float *b = render(s, 32000);
    CHECK_NEAR(b[2 * 2000], 0.4, 1e-6);
    CHECK_NEAR(b[2 * 2000 + 1], 0.1, 1e-6);
    CHECK(b[2 * 6000] == b[2 * 6000 + 1]); /* width 0: left == right */
    CHECK_NEAR(b[2 * 6000], 0.5 * 0.70710678, 1e-5);
    CHECK_NEAR(b[2 * 10000], 0.1, 1e-6); /* width -100: swapped */
    CHECK_NEAR(b[2 * 10000 + 1], 0.4, 1e-6);
    const double p = 0.75 * 1.57079633; /* width 50: p = 0.75 */
    CHECK_NEAR(b[2 * 14000], 0.4 * sin(p) + 0.1 * cos(p), 1e-5);
    CHECK_NEAR(b[2 * 14000 + 1], 0.4 * cos(p) + 0.1 * sin(p), 1e-5);
    CHECK_NEAR(b[2 * 18000], 0.4, 1e-6); /* CC 5 at 0 */
    CHECK_NEAR(b[2 * 22000], 0.1, 1e-5); /* CC 5 at 127: width -100 */
    CHECK_NEAR(b[2 * 22000 + 1], 0.4, 1e-5);
    const double p64 = (1.0 - 2.0 * 64.0 / 127.0 + 1.0) * 0.5 * 1.57079633;
    CHECK_NEAR(b[2 * 26000], 0.4 * sin(p64) + 0.1 * cos(p64), 1e-5);
    bool ramped = true; /* the CC's step moves over one 64-frame ramp, no jump */
    for (int f = 20000; f < 20200; f++) ramped &= fabsf(b[2 * (f + 1)] - b[2 * f]) < 0.3f / 60.0f;
    CHECK(ramped);
    CHECK_NEAR(b[2 * 30000], b[2 * 30000 + 1], 1e-7); /* the mono zone stays centred */
    free(b);
    ms_zone_t bad = flat();
    bad.width = 101.0f;
    CHECK_MS_CODE(s, ms_instrument_add_zone(in, st, &bad, NULL), MS_ERR_OUT_OF_RANGE);
    ms_zone_mod_t badw = row(5, MS_MOD_WIDTH, 0, 2.5f, 0, 0);
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 4, &badw, 1), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("LFO rate on a CC (MS_MOD_LFO_HZ): the measured rate follows the CC, the phase runs on without a jump");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "lforate", &in);
    ms_zone_t z = flat();
    z.pan = -1.0f; /* zone 0, the LFO with a rate row, on the left */
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.25f), &z, NULL));
    z.pan = 1.0f; /* zone 1, the same LFO without one, on the right */
    CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.25f), &z, NULL));
    ms_zone_mod_t v = row(MS_MOD_SRC_LFO, MS_MOD_VOLUME_DB, 0, -6.0f, 0, 0);
    v.lfo_hz = 2.0f, v.lfo_wave = MS_LFO_SQUARE, v.lfo_index = 1;
    ms_zone_mod_t rate = row(1, MS_MOD_LFO_HZ, 0, 4.0f, 0, 0); /* lfo1_freq_oncc1=4: 2 Hz + 4 Hz * CC1 / 127 */
    rate.lfo_index = 1;
    ms_zone_mod_t rows[2] = {v, rate};
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 2));
    ms_zone_mod_t fixed = v;
    fixed.lfo_index = 0;
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, &fixed, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, RATE * 6 / 10, 1, 127)); /* at 0.6 s: 6 Hz */
    float *b = render(s, RATE * 13 / 10);
    /* frames where a side's level flips (-6 dB <-> +6 dB, ramped over one 64-frame step): the step's first frame */
    uint64_t flips[2][16];
    int nf[2] = {0, 0};
    for (int c = 0; c < 2; c++)
      for (uint64_t f = 1; f < (uint64_t)RATE * 13 / 10; f++)
        if (fabsf(b[2 * f + c] - b[2 * (f - 1) + c]) > 1e-3f && (nf[c] == 0 || f - flips[c][nf[c] - 1] > 64) && nf[c] < 16)
          flips[c][nf[c]++] = f - 1;
    /* the rate row's LFO: 2 Hz to 0.6 s (1.2 turns), then 6 Hz from where it was: its next half turn 0.3 turns later
     * (0.65 s), then one every 1/12 s; a phase of rate * time would have jumped to 3.6 turns at 0.6 s */
    const double want[] = {0.25, 0.5, 0.65, 0.65 + 1.0 / 12, 0.65 + 2.0 / 12, 0.65 + 3.0 / 12, 0.65 + 4.0 / 12,
                           0.65 + 5.0 / 12, 0.65 + 6.0 / 12, 0.65 + 7.0 / 12};
    CHECK(nf[0] == 10);
    for (int k = 0; k < nf[0] && k < 10; k++) CHECK_NEAR((double)flips[0][k] / RATE, want[k], 64.0 / RATE);
    CHECK(nf[1] == 5); /* the fixed one: every 0.25 s */
    for (int k = 0; k < nf[1]; k++) CHECK_NEAR((double)flips[1][k] / RATE, 0.25 * (k + 1), 64.0 / RATE);
    free(b);
    ms_zone_mod_t bad = rate;
    bad.lfo_index = 0; /* a rate row names its LFO */
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &bad, 1), MS_ERR_INVALID_ARGUMENT);
    bad = rate;
    bad.depth = 101.0f;
    CHECK_MS_CODE(s, ms_instrument_set_zone_mods(in, 0, &bad, 1), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("width: a note-off cutting the width's ramp continues from where the width was, no jump");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "widthcut", &in);
    float *d = malloc(sizeof(float) * 2 * RATE);
    for (int i = 0; i < RATE; i++) d[2 * i] = 0.4f, d[2 * i + 1] = 0.0f;
    ms_sample_t *st = NULL;
    CHECK_MS(s, ms_sample_create(s, d, RATE, 2, RATE, &st));
    free(d);
    ms_zone_t z = flat();
    z.release_s = 10.0f; /* the level barely moves: what moves is the width */
    CHECK_MS(s, ms_instrument_add_zone(in, st, &z, NULL));
    ms_zone_mod_t w = row(5, MS_MOD_WIDTH, 0, -2.0f, 0, 0);
    CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, &w, 1));
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, 1000, 5, 127));         /* read at 1024: the ramp to width -100 over 1024..1087 */
    CHECK_MS(s, ms_note_off_at(in, 1024 + 20, 60));  /* cuts it 20 frames in */
    float *b = render(s, 1400);
    float step = 0.0f;
    for (int f = 1000; f < 1200; f++) step = fmaxf(step, fabsf(b[2 * (f + 1)] - b[2 * f]));
    CHECK(step < 0.4f / 40.0f); /* a 0.4 swing over at least 44 frames, never a jump */
    CHECK_NEAR(b[2 * 1300 + 1], 0.4, 0.003); /* it got there: left and right swapped */
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("ampeg_dynamic: 1 follows the release CC moved during the note, 0 keeps the note-on release");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "dynamic", &in);
    ms_zone_t z = flat();
    z.release_s = 0.1f;
    for (int k = 0; k < 2; k++) {
      z.lo_key = z.hi_key = (uint8_t)(60 + k);
      z.ampeg_dynamic = (uint8_t)(1 - k); /* key 60 dynamic, on the left; key 61 not, on the right */
      z.pan = k ? 1.0f : -1.0f;
      CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.5f), &z, NULL));
      ms_zone_mod_t rel = row(3, MS_MOD_AMPEG_RELEASE_S, 0, 1.9f, 0, 0); /* release 0.1 s + 1.9 s * CC3 / 127 */
      CHECK_MS(s, ms_instrument_set_zone_mods(in, (uint32_t)k, &rel, 1));
    }
    CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL)); /* CC3 at 0: release 0.1 s at note-on */
    CHECK_MS(s, ms_note_on_at(in, 0, 61, 100, NULL));
    CHECK_MS(s, ms_cc_at(in, RATE / 4, 3, 127));     /* during the notes: release 2 s */
    CHECK_MS(s, ms_note_off_at(in, RATE / 2, 60));
    CHECK_MS(s, ms_note_off_at(in, RATE / 2, 61));
    CHECK_MS(s, ms_cc_at(in, RATE, 3, 0));           /* during the release: 0.1 s again */
    float *b = render(s, RATE * 2);
    const double dyn = b[2 * (RATE / 2 + RATE / 5)], fixed = b[2 * (RATE / 2 + RATE / 20) + 1];
    CHECK_NEAR(20.0 * log10(dyn / 0.5), -60.0 * 0.2 / 2.0, 0.2);    /* -60 dB in 2 s: -6 dB after 0.2 s */
    CHECK_NEAR(20.0 * log10(fixed / 0.5), -60.0 * 0.05 / 0.1, 0.5); /* -60 dB in 0.1 s: -30 dB after 0.05 s */
    const double before = b[2 * (RATE - 64)], after = b[2 * (RATE + RATE / 40)];
    CHECK_NEAR(20.0 * log10(before / 0.5), -60.0 * (0.5 - 64.0 / RATE) / 2.0, 0.3); /* still on its 2 s release */
    CHECK_NEAR(20.0 * log10(after / before), -60.0 * (RATE / 40 + 64) / (0.1 * RATE), 3.0); /* then over 0.1 s */
    free(b);
    ms_zone_t bad = flat();
    bad.ampeg_dynamic = 2;
    CHECK_MS_CODE(s, ms_instrument_add_zone(in, dc_sample(s, 0.1f), &bad, NULL), MS_ERR_OUT_OF_RANGE);
    ms_sampler_destroy(s);
  }

  tu_section("no cap on the zones one note matches: 200 round-robin zones on a key, 100 layers, 100 velocity layers");
  {
    ms_audio_config_t c;
    memset(&c, 0, sizeof c);
    c.sample_rate = RATE, c.channels = 2, c.buffer_size = 128, c.max_polyphony = 256;
    ms_sampler_t *s = NULL;
    CHECK_MS(NULL, ms_sampler_create(&c, &s));
    ms_instrument_t *in;
    CHECK_MS(s, ms_instrument_create(s, "many", &in));
    ms_zone_t z = flat();
    z.release_s = 0.0005f;
    z.lo_key = z.hi_key = 60;
    z.alt_group = 7; /* sfizz seq_length 200: zone k plays on the key's k-th note */
    for (int k = 0; k < 200; k++) CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.001f * (float)(k + 1)), &z, NULL));
    ms_zone_t layer = flat();
    layer.lo_key = layer.hi_key = 62; /* 100 zones on one key and velocity: all play */
    for (int k = 0; k < 100; k++) CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.001f), &layer, NULL));
    ms_zone_t vl = flat();
    vl.lo_key = vl.hi_key = 64; /* 100 velocity layers: velocity v plays the v-th */
    for (int k = 0; k < 100; k++) {
      vl.lo_vel = vl.hi_vel = (uint8_t)(k + 1);
      CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.001f * (float)(k + 1)), &vl, NULL));
    }
    ms_zone_t rnd = flat();
    rnd.lo_key = rnd.hi_key = 65;
    rnd.alt_group = 8, rnd.alt_mode = MS_ALT_RANDOM; /* 200 random alternatives: one plays, any of them */
    for (int k = 0; k < 200; k++) CHECK_MS(s, ms_instrument_add_zone(in, dc_sample(s, 0.001f * (float)(k + 1)), &rnd, NULL));
    const uint64_t gap = 512;
    for (int n = 0; n < 201; n++) {
      CHECK_MS(s, ms_note_on_at(in, gap * (uint64_t)n, 60, 100, NULL));
      CHECK_MS(s, ms_note_off_at(in, gap * (uint64_t)n + 256, 60));
    }
    const uint64_t t1 = gap * 202, t2 = t1 + 2 * gap, t3 = t2 + 101 * gap;
    CHECK_MS(s, ms_note_on_at(in, t1, 62, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, t1 + 256, 62));
    for (int v = 1; v <= 100; v++) {
      CHECK_MS(s, ms_note_on_at(in, t2 + gap * (uint64_t)(v - 1), 64, v, NULL));
      CHECK_MS(s, ms_note_off_at(in, t2 + gap * (uint64_t)(v - 1) + 256, 64));
    }
    for (int n = 0; n < 400; n++) {
      CHECK_MS(s, ms_note_on_at(in, t3 + gap * (uint64_t)n, 65, 100, NULL));
      CHECK_MS(s, ms_note_off_at(in, t3 + gap * (uint64_t)n + 256, 65));
    }
    float *b = render(s, t3 + 401 * gap);
    int order_ok = 0, vel_ok = 0, seen_high = 0;
    for (int n = 0; n < 201; n++) order_ok += fabs(level_at(b, gap * (uint64_t)n + 200) - 0.001 * ((n % 200) + 1)) < 1e-5;
    CHECK(order_ok == 201); /* every one of the 200 in order, then the first again */
    CHECK_NEAR(level_at(b, t1 + 200), 0.1, 1e-5); /* the old cap played 64 of them: 0.064 */
    for (int v = 1; v <= 100; v++) vel_ok += fabs(level_at(b, t2 + gap * (uint64_t)(v - 1) + 200) - 0.001 * v) < 1e-5;
    CHECK(vel_ok == 100);
    for (int n = 0; n < 400; n++) {
      const double l = level_at(b, t3 + gap * (uint64_t)n + 200), k = l / 0.001;
      CHECK(fabs(k - floor(k + 0.5)) < 0.01 && k > 0.5 && k < 200.5); /* exactly one alternative */
      seen_high += k > 64.5;
    }
    CHECK(seen_high > 200); /* alternatives past the old cap's 64 are drawn (about 68% of 400) */
    free(b);
    ms_sampler_destroy(s);
  }

  tu_section("split invariance: width on a CC, an LFO whose rate follows a CC, a dynamic release, sliced differently");
  {
    float *out[2];
    const uint32_t chunks[2] = {128, 37};
    for (int k = 0; k < 2; k++) {
      ms_instrument_t *in;
      ms_sampler_t *s = tu_sampler_instrument(RATE, "split2", &in);
      float *d = malloc(sizeof(float) * 2 * RATE);
      for (int i = 0; i < RATE; i++) d[2 * i] = 0.4f * sinf(0.01f * (float)i), d[2 * i + 1] = 0.3f * sinf(0.013f * (float)i);
      ms_sample_t *st = NULL;
      CHECK_MS(s, ms_sample_create(s, d, RATE, 2, RATE, &st));
      free(d);
      ms_zone_t z = flat();
      z.ampeg_dynamic = 1;
      z.width = 80.0f;
      CHECK_MS(s, ms_instrument_add_zone(in, st, &z, NULL));
      ms_zone_mod_t lfo = row(MS_MOD_SRC_LFO, MS_MOD_PITCH_CENTS, 0, 50.0f, 0, 0);
      lfo.lfo_hz = 3.0f, lfo.lfo_wave = MS_LFO_SINE, lfo.lfo_index = 2, lfo.lfo_fade_s = 0.05f;
      ms_zone_mod_t rate = row(2, MS_MOD_LFO_HZ, 0, 7.0f, 0, 0);
      rate.lfo_index = 2;
      ms_zone_mod_t rows[4] = {row(1, MS_MOD_WIDTH, 0, -1.8f, 0, 0), lfo, rate,
                               row(3, MS_MOD_AMPEG_RELEASE_S, 0, 0.5f, 0, 0)};
      CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 4));
      for (int n = 0; n < 8; n++) {
        CHECK_MS(s, ms_note_on_at(in, 3000u * (uint64_t)n + 11, (int32_t)(55 + n), 90, NULL));
        CHECK_MS(s, ms_cc_at(in, 3000u * (uint64_t)n + 900, 1, 16 * n));
        CHECK_MS(s, ms_cc_at(in, 3000u * (uint64_t)n + 1500, 2, 127 - 16 * n));
        CHECK_MS(s, ms_cc_at(in, 3000u * (uint64_t)n + 2500, 3, 8 * n));
        CHECK_MS(s, ms_note_off_at(in, 3000u * (uint64_t)n + 2900, (int32_t)(55 + n)));
      }
      out[k] = render_chunked(s, 30000, chunks[k]);
      ms_sampler_destroy(s);
    }
    CHECK(memcmp(out[0], out[1], sizeof(float) * 30000 * 2) == 0);
    CHECK(tu_peak(out[0], 30000, 2, 0) > 0.05);
    free(out[0]);
    free(out[1]);
  }

  tu_section("amplitude envelope delay: the zone's delay_s holds the voice silent, a CC row adds to it; "
             "same bytes in 1-, 37- and 128-frame calls");
  {
    float *out[3];
    const uint32_t chunks[3] = {1, 37, 128};
    for (int k = 0; k < 3; k++) {
      ms_instrument_t *in;
      ms_sampler_t *s = tu_sampler_instrument(RATE, "delay", &in);
      ms_sample_t *smp = dc_sample(s, 0.5f);
      ms_zone_t z = flat();
      z.delay_s = 0.1f;     /* 4800 frames */
      z.attack_s = 0.01f;   /* 480 frames */
      z.lo_key = z.hi_key = 60;
      z.pan = -1.0f; /* the zone's own delay on the left */
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      z.lo_key = z.hi_key = 62;
      z.pan = 1.0f; /* the row's voice on the right */
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      ms_zone_mod_t rows[1] = {row(3, MS_MOD_AMPEG_DELAY_S, 0, 0.1f, 0, 0)}; /* + 0.1 s at CC3 = 127 */
      CHECK_MS(s, ms_instrument_set_zone_mods(in, 1, rows, 1));
      CHECK_MS(s, ms_cc_at(in, 0, 3, 127));
      CHECK_MS(s, ms_note_on_at(in, 11, 60, 100, NULL));
      CHECK_MS(s, ms_note_on_at(in, 11, 62, 100, NULL));
      out[k] = render_chunked(s, 12000, chunks[k]);
      ms_sampler_destroy(s);
    }
    const float *b = out[0];
    float before = 0.0f, right_before = 0.0f;
    for (uint64_t f = 0; f < 11 + 4800; f++) before = fmaxf(before, fabsf(b[f * 2]));
    for (uint64_t f = 0; f < 11 + 9600; f++) right_before = fmaxf(right_before, fabsf(b[f * 2 + 1]));
    CHECK(before == 0.0f);        /* silent through the zone's delay */
    CHECK(right_before == 0.0f);  /* and through delay + the row's 0.1 s */
    CHECK(b[(11 + 4800 + 2) * 2] > 0.0f);             /* the attack begins on its frame */
    const float full = b[(11 + 4800 + 600) * 2];
    CHECK(full > 0.3f);                                             /* the sample's level after the attack */
    CHECK(fabsf(b[(11 + 4800 + 240) * 2] / full - 0.5f) < 0.01f); /* half way up the 480-frame attack */
    CHECK(b[(11 + 9600 + 2) * 2 + 1] > 0.0f);
    CHECK(memcmp(out[0], out[1], sizeof(float) * 12000 * 2) == 0);
    CHECK(memcmp(out[0], out[2], sizeof(float) * 12000 * 2) == 0);
    for (int k = 0; k < 3; k++) free(out[k]);
  }

  tu_section("split invariance: CC crossfade, CC level and pitch, sliced differently, same bytes");
  {
    float *out[2];
    const uint32_t chunks[2] = {128, 37};
    for (int k = 0; k < 2; k++) {
      ms_instrument_t *in;
      ms_sampler_t *s = tu_sampler_instrument(RATE, "split", &in);
      ms_sample_t *smp = tu_sample_mono(s, tu_sine(RATE, 0.5, 440.0, RATE), RATE, RATE);
      ms_zone_t z = flat();
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      ms_zone_mod_t rows[4] = {row(2, MS_MOD_XFIN, MS_XF_POWER, 0, 0, 127), row(7, MS_MOD_VOLUME_DB, 4, -12.0f, 0, 0),
                               row(1, MS_MOD_PITCH_CENTS, 0, 200.0f, 0, 0),
                               row(MS_MOD_SRC_RANDOM, MS_MOD_PAN, 0, 0.5f, 0, 0)};
      CHECK_MS(s, ms_instrument_set_zone_mods(in, 0, rows, 4));
      for (int n = 0; n < 8; n++) {
        CHECK_MS(s, ms_note_on_at(in, 3000u * (uint64_t)n + 11, (int32_t)(55 + n), 90, NULL));
        CHECK_MS(s, ms_cc_at(in, 3000u * (uint64_t)n + 1500, 2, 16 * n));
        CHECK_MS(s, ms_cc_at(in, 3000u * (uint64_t)n + 1700, 1, 127 - 16 * n));
        CHECK_MS(s, ms_note_off_at(in, 3000u * (uint64_t)n + 2900, (int32_t)(55 + n)));
      }
      out[k] = render_chunked(s, 30000, chunks[k]);
      ms_sampler_destroy(s);
    }
    CHECK(memcmp(out[0], out[1], sizeof(float) * 30000 * 2) == 0);
    CHECK(tu_peak(out[0], 30000, 2, 0) > 0.05);
    free(out[0]);
    free(out[1]);
  }
  return tu_finish();
}
