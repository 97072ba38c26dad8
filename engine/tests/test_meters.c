/*
 * test_meters.c — the stats block's peak meters (ms_stats_t.output_peak_ppm,
 * orbit_peak_ppm, orbits_awake) through the public API, read as a reader
 * polling the block would (ms_sampler_stats_ptr, no call).
 *
 *   silence    all meters 0, no orbit awake
 *   output     the output meter holds the rendered peak and falls 20 dB per
 *              second; a dry note moves no orbit meter
 *   sends      an orbit's meter is what its effects add (the wet): never below
 *              a block's wet peak, never above the loudest so far; its bit in
 *              orbits_awake while the tail rings; other orbits stay 0
 *   outputs    MS_AUDIO_ORBIT_OUTPUTS: orbit k's meter is its pair's peak
 *
 * Thread: the test thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include "test_util.h"

#define RATE 48000u
#define BLOCK 128u

typedef struct rig {
  ms_sampler_t *s;
  ms_instrument_t *click; /* 32 frames of 0.5, one-shot */
  ms_instrument_t *tone;  /* a looping 440 Hz sine at 0.5 */
  uint32_t channels;
  const ms_stats_t *st;
} rig_t;

static bool rig_open(rig_t *r, uint32_t channels, uint32_t flags) {
  memset(r, 0, sizeof *r);
  ms_audio_config_t c = {.sample_rate = RATE, .channels = channels, .buffer_size = BLOCK,
                         .max_polyphony = 16, .flags = flags | MS_AUDIO_NO_LIMITER};
  REQUIRE_MS(NULL, ms_sampler_create(&c, &r->s), false);
  r->channels = channels;
  r->st = ms_sampler_stats_ptr(r->s);
  if (!tu_click_tone(r->s, RATE, &r->click, &r->tone)) return false;
  return true;
}

static void rig_close(rig_t *r) {
  if (r->s) ms_sampler_destroy(r->s);
  r->s = NULL;
}

static double ppm(uint64_t v) { return (double)v * 1e-6; }

static double peak(const float *buf, uint64_t samples, uint32_t step, uint32_t first) {
  double p = 0.0;
  for (uint64_t i = first; i < samples; i += step) p = fmax(p, fabs(buf[i]));
  return p;
}

/* Render one block; returns its buffer (caller frees). */
static float *block(rig_t *r) {
  float *buf = calloc((size_t)BLOCK * r->channels, sizeof(float));
  CHECK_MS(r->s, ms_process(r->s, buf, BLOCK));
  return buf;
}

static void test_silence_and_output(void) {
  tu_section("output meter: holds the peak, falls 20 dB per second; dry notes move no orbit meter");
  rig_t r;
  if (!rig_open(&r, 2, 0)) return;
  for (int i = 0; i < 10; i++) free(block(&r));
  CHECK_EQ_INT(r.st->output_peak_ppm, 0);
  CHECK_EQ_INT(r.st->orbits_awake, 0);
  for (uint32_t k = 0; k < MS_MAX_ORBITS; k++) CHECK_EQ_INT(r.st->orbit_peak_ppm[k], 0);
  /* a dry tone: the output meter is the block's peak (steady: the held value) */
  uint64_t now = ms_sampler_now(r.s);
  CHECK_MS(r.s, ms_note_on_at(r.tone, now + 10, 60, 127, NULL));
  double loudest = 0.0, last = 0.0;
  for (int i = 0; i < 40; i++) {
    float *buf = block(&r);
    last = peak(buf, (uint64_t)BLOCK * 2, 1, 0);
    loudest = fmax(loudest, last);
    free(buf);
  }
  CHECKF(loudest > 0.1, "tone peak %.3f", loudest);
  const double held = ppm(r.st->output_peak_ppm);
  CHECKF(held >= last - 2e-6 && held <= loudest + 2e-6, "output meter %.6f, last block %.6f, loudest %.6f",
         held, last, loudest);
  for (uint32_t k = 0; k < MS_MAX_ORBITS; k++) CHECK_EQ_INT(r.st->orbit_peak_ppm[k], 0);
  CHECK_EQ_INT(r.st->orbits_awake, 0);
  /* stop it; after one second (375 blocks of 128) the meter fell 20 dB */
  now = ms_sampler_now(r.s);
  CHECK_MS(r.s, ms_note_off_at(r.tone, now, 60));
  for (int i = 0; i < 3; i++) free(block(&r)); /* the 10 ms release */
  const double start = ppm(r.st->output_peak_ppm);
  for (int i = 0; i < 375; i++) free(block(&r));
  const double after = ppm(r.st->output_peak_ppm);
  const double fall_db = 20.0 * log10(start / after);
  CHECKF(fabs(fall_db - 20.0) < 0.05, "fell %.3f dB in one second (want 20)", fall_db);
  rig_close(&r);
}

/* A click sends to orbit 5's reverb and delay: its meter is what the effects
 * add. The wet is the render with the send minus the render without. */
static void test_sends(void) {
  tu_section("orbit meter: the effects' return, held; its orbit awake; others 0");
  rig_t wet, dry;
  if (!rig_open(&wet, 2, 0) || !rig_open(&dry, 2, 0)) return;
  ms_controls_t c;
  memset(&c, 0, sizeof c);
  ms_controls_set(&c, MS_CONTROL_ORBIT, 5.0f);
  ms_controls_set(&c, MS_CONTROL_ROOM, 0.6f);
  ms_controls_set(&c, MS_CONTROL_DELAY, 0.5f);
  ms_controls_set(&c, MS_CONTROL_DELAYTIME, 0.01f);
  ms_controls_t o5;
  memset(&o5, 0, sizeof o5);
  ms_controls_set(&o5, MS_CONTROL_ORBIT, 5.0f);
  CHECK_MS(wet.s, ms_note_on_controls_at(wet.click, 100, 60, 127, NULL, &c));
  CHECK_MS(dry.s, ms_note_on_controls_at(dry.click, 100, 60, 127, NULL, &o5));
  double loudest = 0.0;
  int below = 0, above = 0, awake = 0;
  for (int i = 0; i < 100; i++) {
    float *a = block(&wet), *b = block(&dry);
    double p = 0.0;
    for (uint32_t j = 0; j < BLOCK * 2; j++) p = fmax(p, fabs((double)a[j] - b[j]));
    loudest = fmax(loudest, p);
    const double m = ppm(wet.st->orbit_peak_ppm[5]);
    if (m < p - 2e-6) below++;
    if (m > loudest + 2e-6) above++;
    if (wet.st->orbits_awake == (1u << 5)) awake++;
    for (uint32_t k = 0; k < MS_MAX_ORBITS; k++)
      if (k != 5 && wet.st->orbit_peak_ppm[k]) CHECKF(false, "orbit %u meter %llu", k,
                                                      (unsigned long long)wet.st->orbit_peak_ppm[k]);
    free(a);
    free(b);
  }
  CHECKF(loudest > 0.01, "wet peak %.4f", loudest);
  CHECKF(below == 0 && above == 0, "meter below a block's wet peak %d times, above the loudest %d times",
         below, above);
  CHECKF(awake == 100, "orbit 5 awake in %d of 100 blocks", awake);
  CHECK_EQ_INT(dry.st->orbit_peak_ppm[5], 0);
  rig_close(&wet);
  rig_close(&dry);
}

static void test_outputs(void) {
  tu_section("orbit outputs: orbit k's meter is its pair's peak");
  rig_t r;
  if (!rig_open(&r, 8, MS_AUDIO_ORBIT_OUTPUTS)) return;
  ms_controls_t c;
  memset(&c, 0, sizeof c);
  ms_controls_set(&c, MS_CONTROL_ORBIT, 2.0f);
  CHECK_MS(r.s, ms_note_on_controls_at(r.tone, 10, 60, 127, NULL, &c));
  double loudest = 0.0, last = 0.0;
  for (int i = 0; i < 40; i++) {
    float *buf = block(&r);
    last = fmax(peak(buf, (uint64_t)BLOCK * 8, 8, 4), peak(buf, (uint64_t)BLOCK * 8, 8, 5));
    loudest = fmax(loudest, last);
    free(buf);
  }
  CHECKF(loudest > 0.1, "orbit 2's pair peak %.3f", loudest);
  const double m = ppm(r.st->orbit_peak_ppm[2]);
  CHECKF(m >= last - 2e-6 && m <= loudest + 2e-6, "orbit 2 meter %.6f, last block %.6f, loudest %.6f", m,
         last, loudest);
  CHECK_EQ_INT(r.st->orbit_peak_ppm[0], 0);
  CHECK_EQ_INT(r.st->orbit_peak_ppm[1], 0);
  CHECK_EQ_INT(r.st->orbit_peak_ppm[3], 0);
  rig_close(&r);
}

int main(void) {
  test_silence_and_output();
  test_sends();
  test_outputs();
  return tu_finish();
}
