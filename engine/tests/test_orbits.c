/*
 * test_orbits.c — orbits (effect buses) and the master limiter through the
 * public API, with generated test samples.
 *
 *   delay      an echo at delaytime (seconds; cycles with lock, following
 *              ms_set_cps_at), each repeat delayfeedback times the one before
 *   reverb     a tail after the dry note has ended; RT60 grows with size;
 *              left and right decorrelated
 *   idle       orbits nobody sends to output exact zeros and sleep
 *              (ms_orbits_awake); a used orbit falls asleep after its tail
 *   limiter    a hot mix never exceeds the ceiling (0.99); without the limiter
 *              the same mix does; below the knee the bytes are the same
 *   outputs    MS_AUDIO_ORBIT_OUTPUTS: each orbit's voices (dry and wet) on
 *              its own pair; the pairs sum to the stereo mix
 *   determinism  two renders with effects are byte-identical; one long
 *              ms_process call and odd slices give the same bytes
 *   errors     orbit index out of range, cps out of range
 *
 * Thread: the test thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "test_util.h"

#define RATE 48000u
#define CLICK 32u /* frames of the test click */

typedef struct rig {
  ms_sampler_t *s;
  ms_instrument_t *click; /* a 32-frame block of 0.5: one-shot */
  ms_instrument_t *tone;  /* a looping 440 Hz sine at 0.5 */
  uint32_t channels;
} rig_t;

static bool rig_open(rig_t *r, uint32_t channels, uint32_t flags, uint32_t block) {
  memset(r, 0, sizeof *r);
  ms_audio_config_t c = {.sample_rate = RATE, .channels = channels, .buffer_size = block,
                         .max_polyphony = 32, .flags = flags};
  REQUIRE_MS(NULL, ms_sampler_create(&c, &r->s), false);
  r->channels = channels;
  if (!tu_click_tone(r->s, RATE, &r->click, &r->tone)) return false;
  return true;
}

static void rig_close(rig_t *r) {
  if (r->s) ms_sampler_destroy(r->s);
  r->s = NULL;
}

/* Controls of one note: pairs of (id, value), terminated by -1. */
static ms_controls_t controls(int first, ...) {
  ms_controls_t c;
  memset(&c, 0, sizeof c);
  va_list ap;
  va_start(ap, first);
  for (int id = first; id >= 0; id = va_arg(ap, int)) ms_controls_set(&c, (uint32_t)id, (float)va_arg(ap, double));
  va_end(ap);
  return c;
}

static float *render(rig_t *r, uint64_t frames, uint32_t chunk) {
  float *buf = calloc((size_t)frames * r->channels, sizeof(float));
  if (tu_render(r->s, buf, frames, r->channels, chunk) != MS_OK) CHECKF(false, "ms_process failed");
  return buf;
}

/* Energy (sum of squares, channel ch) over [from, to). */
static double energy(const float *buf, uint32_t channels, uint32_t ch, uint64_t from, uint64_t to) {
  double e = 0.0;
  for (uint64_t i = from; i < to; i++) e += (double)buf[i * channels + ch] * buf[i * channels + ch];
  return e;
}

static double peak_all(const float *buf, uint64_t samples) {
  double p = 0.0;
  for (uint64_t i = 0; i < samples; i++) p = fmax(p, fabs(buf[i]));
  return p;
}

/* ------------------------------------------------------------- delay -- */
/* One click at f0 sent to the delay of orbit 1; echoes at f0 + k * d, each
 * feedback times the one before (energy ratio feedback^2), the first at the
 * send level relative to the dry click. */
static void check_echoes(const char *what, const float *buf, uint64_t f0, uint32_t d, double send,
                         double feedback, uint32_t repeats) {
  const double dry = energy(buf, 2, 0, f0, f0 + CLICK);
  CHECKF(dry > 0.0, "%s: the dry click plays", what);
  /* nothing between the click and the first echo */
  CHECKF(energy(buf, 2, 0, f0 + CLICK, f0 + d) == 0.0, "%s: silence before the first echo", what);
  /* the first echo starts exactly delaytime after the click */
  CHECKF(buf[(f0 + d - 1) * 2] == 0.0f && buf[(f0 + d) * 2] != 0.0f, "%s: echo 1 starts at frame %llu", what,
         (unsigned long long)(f0 + d));
  double prev = dry;
  for (uint32_t k = 1; k <= repeats; k++) {
    double e = energy(buf, 2, 0, f0 + (uint64_t)k * d, f0 + (uint64_t)k * d + CLICK);
    double want = k == 1 ? send * send : feedback * feedback;
    double got = e / prev;
    CHECKF(fabs(got - want) <= 0.02 * want, "%s: echo %u energy ratio %.5f, want %.5f", what, k, got, want);
    /* and nothing but silence (the echo's own length) between repeats */
    CHECKF(energy(buf, 2, 0, f0 + (uint64_t)k * d + CLICK + 2, f0 + (uint64_t)(k + 1) * d - 2) < 1e-12,
           "%s: silence after echo %u", what, k);
    prev = e;
  }
}

static void test_delay(void) {
  tu_section("delay: echo at delaytime (seconds), falling by delayfeedback");
  rig_t r;
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  const uint64_t f0 = 1000;
  ms_controls_t c = controls(MS_CONTROL_ORBIT, 1.0, MS_CONTROL_DELAY, 0.5, MS_CONTROL_DELAYTIME, 0.1,
                             MS_CONTROL_DELAYFEEDBACK, 0.6, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, f0, 60, 127, NULL, &c));
  float *buf = render(&r, RATE, 256);
  check_echoes("seconds", buf, f0, 4800, 0.5, 0.6, 5);
  free(buf);
  rig_close(&r);

  tu_section("delay: delaytime in cycles with lock follows ms_set_cps_at");
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  CHECK_MS(r.s, ms_set_cps_at(r.s, 0, 1.25)); /* a cycle is 38400 frames */
  c = controls(MS_CONTROL_ORBIT, 2.0, MS_CONTROL_DELAY, 1.0, MS_CONTROL_DELAYTIME, 0.125, MS_CONTROL_LOCK, 1.0,
               MS_CONTROL_DELAYFEEDBACK, 0.5, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, f0, 60, 127, NULL, &c));
  buf = render(&r, RATE, 100);
  check_echoes("cycles", buf, f0, 4800, 1.0, 0.5, 4);
  free(buf);
  rig_close(&r);

  tu_section("delay: a tempo change re-times a delay in cycles");
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  CHECK_MS(r.s, ms_set_cps_at(r.s, 0, 1.25)); /* 0.125 cycles = 4800 frames */
  c = controls(MS_CONTROL_ORBIT, 2.0, MS_CONTROL_DELAY, 1.0, MS_CONTROL_DELAYTIME, 0.125, MS_CONTROL_LOCK, 1.0,
               MS_CONTROL_DELAYFEEDBACK, 0.9, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, f0, 60, 127, NULL, &c));
  CHECK_MS(r.s, ms_set_cps_at(r.s, 12000, 2.5)); /* after echo 2 (10600): 2400 frames from then on */
  buf = render(&r, RATE, 77);
  uint64_t on[6];
  uint64_t from = f0 + CLICK;
  for (int k = 0; k < 6; k++) {
    on[k] = tu_first_above(buf, from, RATE, 2, 1e-3);
    from = on[k] == UINT64_MAX ? RATE : on[k] + CLICK + 8;
  }
  CHECK_EQ_U64(on[0], f0 + 4800);
  CHECK_EQ_U64(on[1], f0 + 9600);
  /* the read position crossfades to the new delay over 1024 frames; the
   * repeats after that are 2400 frames apart */
  CHECKF(on[4] - on[3] == 2400 && on[5] - on[4] == 2400, "echo onsets %llu %llu %llu %llu: want 2400 apart",
         (unsigned long long)on[2], (unsigned long long)on[3], (unsigned long long)on[4], (unsigned long long)on[5]);
  free(buf);
  rig_close(&r);

  tu_section("delay: feedback clamped to 0.98");
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  c = controls(MS_CONTROL_ORBIT, 1.0, MS_CONTROL_DELAY, 1.0, MS_CONTROL_DELAYTIME, 0.05, MS_CONTROL_DELAYFEEDBACK,
               0.98, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, f0, 60, 127, NULL, &c));
  buf = render(&r, RATE, 128);
  check_echoes("feedback 0.98", buf, f0, 2400, 1.0, 0.98, 12);
  free(buf);
  rig_close(&r);
}

/* ------------------------------------------------------------ reverb -- */
/* RT60 from the tail's decay: energy in 20 ms windows, the times it crosses
 * -5 and -35 dB below the first window after the dry note, extrapolated. */
static double rt60(const float *buf, uint64_t from, uint64_t frames) {
  const uint32_t w = RATE / 50;
  double e0 = energy(buf, 2, 0, from, from + w) + energy(buf, 2, 1, from, from + w);
  double t5 = -1.0, t35 = -1.0;
  for (uint64_t f = from; f + w <= frames; f += w) {
    double e = energy(buf, 2, 0, f, f + w) + energy(buf, 2, 1, f, f + w);
    double db = 10.0 * log10(e / e0 + 1e-30);
    if (t5 < 0.0 && db <= -5.0) t5 = (double)(f - from) / RATE;
    if (t35 < 0.0 && db <= -35.0) t35 = (double)(f - from) / RATE;
  }
  if (t5 < 0.0 || t35 < 0.0) return -1.0;
  return (t35 - t5) * 2.0;
}

static void test_reverb(void) {
  tu_section("reverb: a tail after the dry note, RT60 grows with size, L/R decorrelated");
  const double sizes[2] = {0.5, 2.0};
  double measured[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    rig_t r;
    if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
    const uint64_t f0 = 480, total = (uint64_t)(RATE * (sizes[i] * 1.6 + 0.5));
    ms_controls_t c = controls(MS_CONTROL_ORBIT, 3.0, MS_CONTROL_ROOM, 0.8, MS_CONTROL_ROOMSIZE, sizes[i], -1);
    CHECK_MS(r.s, ms_note_on_controls_at(r.click, f0, 60, 127, NULL, &c));
    float *buf = render(&r, total, 333);
    /* the dry click ends at f0 + CLICK; 100 ms later the tail is still there */
    const uint64_t t = f0 + CLICK + RATE / 10;
    double tail = energy(buf, 2, 0, t, t + RATE / 50);
    CHECKF(tail > 1e-6, "size %.1f: tail energy %.3g 100 ms after the note", sizes[i], tail);
    measured[i] = rt60(buf, f0 + RATE / 20, total);
    CHECKF(measured[i] > 0.6 * sizes[i] && measured[i] < 1.4 * sizes[i], "size %.1f s: RT60 %.3f s",
           sizes[i], measured[i]);
    /* decorrelation over the tail: |corr(L, R)| small */
    double lr = 0, ll = 0, rr = 0;
    for (uint64_t f = t; f < t + RATE / 4; f++) {
      double L = buf[2 * f], R = buf[2 * f + 1];
      lr += L * R;
      ll += L * L;
      rr += R * R;
    }
    double corr = lr / sqrt(ll * rr + 1e-30);
    CHECKF(fabs(corr) < 0.3, "size %.1f: L/R correlation %.3f", sizes[i], corr);
    printf("    size %.1f s: RT60 %.3f s, L/R correlation %.3f\n", sizes[i], measured[i], corr);
    free(buf);
    rig_close(&r);
  }
  CHECKF(measured[1] > 2.5 * measured[0], "RT60 grows with size: %.3f -> %.3f", measured[0], measured[1]);
}

/* -------------------------------------------------------------- idle -- */
static void test_idle(void) {
  tu_section("idle orbits: exact zeros and asleep");
  rig_t r;
  if (!rig_open(&r, 2, 0, 128)) return;
  float *buf = render(&r, RATE / 2, 128);
  CHECK(peak_all(buf, (uint64_t)RATE / 2 * 2) == 0.0);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 0);
  free(buf);
  /* a dry note, no sends: still no orbit awake */
  CHECK_MS(r.s, ms_note_on_at(r.click, RATE / 2 + 100, 60, 100, NULL));
  buf = render(&r, RATE / 4, 128);
  CHECK(peak_all(buf, (uint64_t)RATE / 4 * 2) > 0.0);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 0);
  free(buf);
  /* a short reverb on orbit 5: awake while its tail rings, then asleep and silent */
  ms_controls_t c = controls(MS_CONTROL_ORBIT, 5.0, MS_CONTROL_ROOM, 0.5, MS_CONTROL_ROOMSIZE, 0.2, -1);
  uint64_t now = ms_sampler_now(r.s);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, now + 10, 60, 100, NULL, &c));
  buf = render(&r, RATE / 20, 128);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 1u << 5);
  free(buf);
  buf = render(&r, RATE * 3, 128);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 0);
  /* the last second is exact zeros (nothing is added once asleep) */
  CHECK(peak_all(buf + (size_t)RATE * 2 * 2, (uint64_t)RATE * 2) == 0.0);
  free(buf);
  rig_close(&r);
}

/* ------------------------------------------------------------ levels -- */
/* The orbit and the sends may come from different levels (zone < instrument
 * < note, merged on RT): an orbit named anywhere has its memory when the
 * send arrives from elsewhere. */
static void test_levels(void) {
  tu_section("levels: an instrument's room with a note's orbit, an instrument's orbit with a note's delay");
  rig_t r;
  if (!rig_open(&r, 2, 0, 128)) return;
  CHECK_MS(r.s, ms_instrument_set_param_at(r.click, 0, MS_PARAM_CONTROL + MS_CONTROL_ROOM, 0.5f));
  ms_controls_t c = controls(MS_CONTROL_ORBIT, 6.0, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, 100, 60, 100, NULL, &c));
  float *buf = render(&r, RATE / 10, 128);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 1u << 6);
  CHECKF(energy(buf, 2, 0, 100 + CLICK + 480, RATE / 10) > 1e-6, "the room of orbit 6 rings after the click");
  free(buf);
  CHECK_MS(r.s, ms_instrument_set_param_at(r.tone, 0, MS_PARAM_CONTROL + MS_CONTROL_ORBIT, 9.0f));
  c = controls(MS_CONTROL_DELAY, 0.5, -1);
  uint64_t now = ms_sampler_now(r.s);
  CHECK_MS(r.s, ms_note_on_controls_at(r.tone, now + 10, 60, 100, NULL, &c));
  buf = render(&r, RATE / 10, 128);
  CHECK(ms_orbits_awake(r.s) & (1u << 9));
  free(buf);
  rig_close(&r);

  tu_section("levels: a MIDI controller picks the orbit of an instrument with a room send");
  if (!rig_open(&r, 2, 0, 128)) return;
  ms_midi_layer_t layer;
  ms_midi_layer_init(&layer);
  layer.channel_mask = 1;
  layer.instrument = ms_instrument_id(r.click);
  ms_midi_cc_map_t cc;
  memset(&cc, 0, sizeof cc);
  cc.channel_mask = 1;
  cc.controller = 20;
  cc.instrument = ms_instrument_id(r.click);
  cc.param = MS_PARAM_CONTROL + MS_CONTROL_ORBIT;
  for (int v = 0; v < 128; v++) cc.values[v] = (float)(v % 8 + 4); /* orbits 4..11 */
  CHECK_MS(r.s, ms_midi_map_set(r.s, &layer, 1, &cc, 1, NULL));
  CHECK_MS(r.s, ms_instrument_set_param_at(r.click, 0, MS_PARAM_CONTROL + MS_CONTROL_ROOM, 0.5f));
  ms_event_t ev[2];
  memset(ev, 0, sizeof ev);
  ev[0].frame = 10;
  ev[0].type = MS_EV_MIDI;
  ev[0].number = 0xB0u | (20u << 8) | (3u << 16); /* CC 20 = 3: orbit 7 */
  ev[1].frame = 20;
  ev[1].type = MS_EV_MIDI;
  ev[1].number = 0x90u | (60u << 8) | (100u << 16);
  uint32_t pushed = 0;
  CHECK_MS(r.s, ms_push_events(r.s, ev, 2, &pushed));
  buf = render(&r, RATE / 10, 128);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 1u << 7);
  free(buf);
  rig_close(&r);
}

/* ------------------------------------------------------------- panic -- */
static void test_panic(void) {
  tu_section("all sound off: the orbits' tails fade in 2 ms, then the orbits are as new");
  rig_t r;
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  ms_controls_t c = controls(MS_CONTROL_ORBIT, 2.0, MS_CONTROL_ROOM, 0.8, MS_CONTROL_ROOMSIZE, 8.0, MS_CONTROL_DELAY,
                             0.8, MS_CONTROL_DELAYTIME, 0.1, MS_CONTROL_DELAYFEEDBACK, 0.95, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, 100, 60, 127, NULL, &c));
  const uint64_t off = 20000, fade = RATE / 500; /* MS_FADE_SECONDS */
  CHECK_MS(r.s, ms_all_sound_off_at(r.s, off));
  float *buf = render(&r, RATE / 2, 100);
  CHECKF(energy(buf, 2, 0, off - 2000, off) > 1e-4, "tails ring before");
  /* exact zeros once the 2 ms fade is over, and the orbit asleep */
  CHECK(peak_all(buf + (off + fade) * 2, (RATE / 2 - off - fade) * 2) == 0.0);
  CHECK_EQ_INT(ms_orbits_awake(r.s), 0);
  /* the fade is smooth: no step above the tail's own */
  double step = 0.0;
  for (uint64_t f = off; f < off + fade; f++) step = fmax(step, fabs(buf[(f + 1) * 2] - buf[f * 2]));
  CHECKF(step < 0.05, "largest step in the fade %.4f", step);
  free(buf);
  /* afterwards the orbit plays a new note's effects from a clean state:
   * the same bytes as a fresh sampler's */
  uint64_t now = ms_sampler_now(r.s); /* 24000 */
  /* the clearing takes 2.1 MiB / RT_ORBIT_CLEAR_BYTES (512 per frame): about
   * 4300 frames after the fade, to the next grid frame (24448); a note after it */
  ms_controls_t d = controls(MS_CONTROL_ORBIT, 2.0, MS_CONTROL_ROOM, 0.5, MS_CONTROL_DELAY, 0.5, -1);
  CHECK_MS(r.s, ms_note_on_controls_at(r.click, now + 1000, 60, 127, NULL, &d));
  float *again = render(&r, RATE / 4, 128);
  rig_t fresh;
  if (!rig_open(&fresh, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  float *skip = render(&fresh, now, 128);
  free(skip);
  CHECK_MS(fresh.s, ms_note_on_controls_at(fresh.click, now + 1000, 60, 127, NULL, &d));
  float *want = render(&fresh, RATE / 4, 128);
  CHECK(energy(again, 2, 0, 0, RATE / 4) > 0.0);
  CHECK(memcmp(again, want, sizeof(float) * RATE / 4 * 2) == 0);
  free(again);
  free(want);
  rig_close(&fresh);
  rig_close(&r);
}

/* ----------------------------------------------------------- limiter -- */
static void hot_mix(rig_t *r) {
  ms_note_params_t p = {.gain_db = 9.5f};
  for (int k = 0; k < 6; k++) CHECK_MS(r->s, ms_note_on_at(r->tone, 100 + 37 * k, 60 + k, 127, &p));
}

static void test_limiter(void) {
  tu_section("limiter: a hot mix never exceeds the ceiling");
  rig_t r;
  if (!rig_open(&r, 2, 0, 128)) return;
  hot_mix(&r);
  float *on = render(&r, RATE / 2, 128);
  double p_on = peak_all(on, (uint64_t)RATE / 2 * 2);
  CHECKF(p_on <= 0.99, "peak with the limiter %.4f", p_on);
  CHECKF(p_on > 0.95, "the limiter lets the level near the ceiling: %.4f", p_on);
  CHECK(tu_all_finite(on, (uint64_t)RATE / 2 * 2));
  rig_close(&r);
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  hot_mix(&r);
  float *off = render(&r, RATE / 2, 128);
  double p_off = peak_all(off, (uint64_t)RATE / 2 * 2);
  CHECKF(p_off > 2.0, "the same mix without the limiter peaks at %.3f", p_off);
  free(on);
  free(off);
  rig_close(&r);

  tu_section("limiter: bit-transparent below its knee");
  float *quiet[2];
  for (int i = 0; i < 2; i++) {
    if (!rig_open(&r, 2, i ? MS_AUDIO_NO_LIMITER : 0, 128)) return;
    ms_note_params_t p = {.gain_db = -1.0f};
    CHECK_MS(r.s, ms_note_on_at(r.tone, 50, 64, 127, &p));
    CHECK_MS(r.s, ms_note_on_at(r.click, 900, 60, 127, &p));
    quiet[i] = render(&r, RATE / 4, 128);
    rig_close(&r);
  }
  double pk = peak_all(quiet[0], (uint64_t)RATE / 4 * 2);
  CHECKF(pk > 0.5 && pk < 0.89, "quiet mix peaks at %.3f", pk);
  CHECK(memcmp(quiet[0], quiet[1], sizeof(float) * RATE / 4 * 2) == 0);
  free(quiet[0]);
  free(quiet[1]);
}

/* ----------------------------------------------------------- outputs -- */
static void outputs_song(rig_t *r) {
  ms_controls_t dry1 = controls(MS_CONTROL_ORBIT, 1.0, -1);
  ms_controls_t wet3 = controls(MS_CONTROL_ORBIT, 3.0, MS_CONTROL_ROOM, 0.6, MS_CONTROL_ROOMSIZE, 0.4,
                                MS_CONTROL_DELAY, 0.5, MS_CONTROL_DELAYTIME, 0.03, -1);
  CHECK_MS(r->s, ms_note_on_controls_at(r->tone, 200, 60, 100, NULL, &dry1));
  CHECK_MS(r->s, ms_note_off_at(r->tone, 4000, 60));
  CHECK_MS(r->s, ms_note_on_controls_at(r->click, 1000, 60, 100, NULL, &wet3));
}

static void test_outputs(void) {
  tu_section("orbit outputs: each orbit's voices on its own pair; pairs sum to the mix");
  const uint64_t n = RATE / 2;
  rig_t r;
  if (!rig_open(&r, 8, MS_AUDIO_ORBIT_OUTPUTS | MS_AUDIO_NO_LIMITER, 128)) return;
  outputs_song(&r);
  float *split = render(&r, n, 128);
  rig_close(&r);
  if (!rig_open(&r, 2, MS_AUDIO_NO_LIMITER, 128)) return;
  outputs_song(&r);
  float *mix = render(&r, n, 128);
  rig_close(&r);
  for (uint32_t ch = 0; ch < 8; ch++) {
    double e = energy(split, 8, ch, 0, n);
    bool used = ch / 2 == 1 || ch / 2 == 3;
    CHECKF(used ? e > 0.0 : e == 0.0, "channel %u energy %.3g", ch, e);
  }
  /* orbit 1 (dry tone only) ends with the tone; orbit 3 has the click and its tail */
  CHECK(energy(split, 8, 2, 200, 4000) > 0.0);
  CHECK(energy(split, 8, 2, 8000, n) == 0.0);
  CHECK(energy(split, 8, 6, 200, 1000) == 0.0);
  CHECK(energy(split, 8, 6, 8000, n) > 0.0);
  double worst = 0.0;
  for (uint64_t f = 0; f < n; f++)
    for (uint32_t c = 0; c < 2; c++) {
      double sum = 0.0;
      for (uint32_t o = 0; o < 4; o++) sum += split[f * 8 + 2 * o + c];
      worst = fmax(worst, fabs(sum - mix[f * 2 + c]));
    }
  CHECKF(worst < 1e-6, "pairs summed vs the stereo mix: worst difference %.3g", worst);
  free(split);
  free(mix);
}

/* ------------------------------------------------------- determinism -- */
static void song(rig_t *r) {
  CHECK_MS(r->s, ms_set_cps_at(r->s, 0, 0.8));
  for (int k = 0; k < 24; k++) {
    uint64_t f = 300 + (uint64_t)k * 1777;
    ms_controls_t c = controls(MS_CONTROL_ORBIT, (double)(k % 3), MS_CONTROL_ROOM, 0.1 * (k % 5),
                               MS_CONTROL_ROOMSIZE, 0.3 + 0.2 * (k % 4), MS_CONTROL_DELAY, 0.3,
                               MS_CONTROL_DELAYTIME, 0.01 + 0.013 * (k % 7), MS_CONTROL_DELAYFEEDBACK,
                               0.4 + 0.1 * (k % 5), MS_CONTROL_LOCK, (double)(k % 2), -1);
    CHECK_MS(r->s, ms_note_on_controls_at(k % 2 ? r->click : r->tone, f, 55 + k % 12, 90, NULL, &c));
    CHECK_MS(r->s, ms_note_off_at(r->tone, f + 900, 55 + k % 12));
    if (k == 12) CHECK_MS(r->s, ms_set_cps_at(r->s, f + 31, 1.7));
    if (k == 17) CHECK_MS(r->s, ms_all_sound_off_at(r->s, f + 45)); /* orbits fade and clear mid-song */
  }
}

static void test_determinism(void) {
  tu_section("determinism and split invariance with effects on");
  const uint64_t n = RATE * 2;
  float *out[3];
  const uint32_t chunks[3] = {(uint32_t)n, 4096, 0};
  for (int i = 0; i < 3; i++) {
    rig_t r;
    if (!rig_open(&r, 2, 0, 128)) return;
    song(&r);
    out[i] = calloc(n * 2, sizeof(float));
    if (chunks[i]) {
      CHECK_MS(r.s, tu_render(r.s, out[i], n, 2, chunks[i]));
    } else {
      static const uint32_t odd[] = {1, 7, 61, 130, 333, 64, 2, 129};
      uint64_t done = 0;
      for (uint32_t j = 0; done < n; j++) {
        uint32_t m = odd[j % 8];
        if (m > n - done) m = (uint32_t)(n - done);
        CHECK_MS(r.s, ms_process(r.s, out[i] + done * 2, m));
        done += m;
      }
    }
    if (i == 0) CHECKF(energy(out[0], 2, 0, n / 2, n) > 0.0, "the song plays");
    rig_close(&r);
  }
  CHECK(memcmp(out[0], out[1], sizeof(float) * n * 2) == 0);
  CHECK(memcmp(out[0], out[2], sizeof(float) * n * 2) == 0);
  for (int i = 0; i < 3; i++) free(out[i]);
}

/* ------------------------------------------------------------ errors -- */
static void test_errors(void) {
  tu_section("errors: orbit and cps ranges");
  rig_t r;
  if (!rig_open(&r, 4, MS_AUDIO_ORBIT_OUTPUTS, 128)) return;
  CHECK_MS(r.s, ms_orbit_prepare(r.s, 1));
  CHECK_MS_CODE(r.s, ms_orbit_prepare(r.s, 2), MS_ERR_OUT_OF_RANGE);
  CHECKF(tu_contains_ci(tu_msg(r.s), "orbit 2") && tu_contains_ci(tu_msg(r.s), "0..1"), "message: %s",
         tu_msg(r.s));
  /* a note naming an orbit the sampler does not have is refused, with the range */
  ms_controls_t nc = controls(MS_CONTROL_ORBIT, 3.0, MS_CONTROL_ROOM, 0.5, -1);
  CHECK_MS_CODE(r.s, ms_note_on_controls_at(r.click, 0, 60, 100, NULL, &nc), MS_ERR_OUT_OF_RANGE);
  CHECKF(tu_contains_ci(tu_msg(r.s), "orbit 3") && tu_contains_ci(tu_msg(r.s), "0..1"), "message: %s",
         tu_msg(r.s));
  nc = controls(MS_CONTROL_ORBIT, 3.0, -1); /* even without sends: its pair does not exist */
  CHECK_MS_CODE(r.s, ms_note_on_controls_at(r.click, 0, 60, 100, NULL, &nc), MS_ERR_OUT_OF_RANGE);
  CHECK_MS_CODE(r.s, ms_set_cps_at(r.s, 0, 0.0), MS_ERR_OUT_OF_RANGE);
  CHECKF(tu_contains_ci(tu_msg(r.s), "cps"), "message: %s", tu_msg(r.s));
  rig_close(&r);
  ms_audio_config_t c = {.channels = 3, .flags = MS_AUDIO_ORBIT_OUTPUTS};
  ms_sampler_t *s = NULL;
  CHECK_MS_CODE(NULL, ms_sampler_create(&c, &s), MS_ERR_OUT_OF_RANGE);
  if (!rig_open(&r, 2, 0, 128)) return;
  CHECK_MS_CODE(r.s, ms_orbit_prepare(r.s, MS_MAX_ORBITS), MS_ERR_OUT_OF_RANGE);
  rig_close(&r);
}

int main(void) {
  test_errors();
  test_limiter();
  test_idle();
  test_levels();
  test_panic();
  test_delay();
  test_reverb();
  test_outputs();
  test_determinism();
  return tu_finish();
}
