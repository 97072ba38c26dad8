/*
 * test_rt_alloc.c — the render path never allocates or frees.
 *
 * This executable interposes malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc (forwarding to glibc's
 * __libc_* entry points). A thread-local flag marks "on the render thread";
 * any of those calls while it is set prints the function and a backtrace and
 * abort()s. Since the engine is a shared library, its calls bind to these
 * definitions (ELF interposition); a call counter checks that they do.
 *
 * Phase 1: the test thread is CT and RT in turn; the flag is set only around
 *   ms_process. Phase 2: a separate render thread calls ms_process in a loop
 *   with the flag set for its whole life, while the main thread pushes events,
 *   swaps instrument versions (add_zone + commit, clear_zones), creates and
 *   destroys instruments, and collects retired data, and a producer thread
 *   sends notes through ms_producer_push.
 * The workload covers many events of every type, voice stealing (more notes
 * than max_polyphony), late and far-future events, instrument swap and
 * destroy under playing voices, all-sound-off and all-notes-off, notes
 * sending to orbits (delay, reverb and chorus awake, orbit memory handed over on the
 * way), tempo changes, and oscillator zones (supersaw, pink noise, FM) on
 * every instrument.
 *
 * Sanitizer builds define MS_TEST_NO_ALLOC_GUARD (the sanitizer runtime owns
 * malloc): the same workload runs unguarded, which still lets TSan watch the
 * CT/RT handover.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* ------------------------------------------------------ allocation guard -- */
static __thread int rt_guard; /* executable TLS: local-exec, no allocation on access */
#ifndef MS_TEST_NO_ALLOC_GUARD
static _Atomic uint64_t alloc_calls;
#endif

#ifndef MS_TEST_NO_ALLOC_GUARD
#include <execinfo.h>

static int selfcheck_mode;

static void guard_trip(const char *fn);

#define ALLOC_GUARD_CHECK(fn)                                            \
  do {                                                                   \
    if (rt_guard) guard_trip(fn);                                        \
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);    \
  } while (0)
#include "alloc_guard.h"
#define GUARD_ACTIVE 1

static void guard_trip(const char *fn) {
  rt_guard = 0;
  alloc_guard_report("\n*** test_rt_alloc: ", fn, "() called on the render thread\n", 1);
  if (selfcheck_mode) {
    static const char ok[] = "self-check: the guard tripped as it should\n";
    ssize_t ignored = write(1, ok, sizeof ok - 1);
    (void)ignored;
    _exit(0);
  }
  abort();
}
#else
#define GUARD_ACTIVE 0
#endif

/* ------------------------------------------------------------- workload -- */
#define RATE 48000u
#define CH 2u
#define POLY 16u

typedef struct world {
  ms_sampler_t *s;
  ms_instrument_t *inst[3];
  ms_sample_t *smp[3]; /* sine (looped), DC one-shot, stereo */
  ms_midi_out_t *mout; /* a capture MIDI output (rt_midi_out.c) */
  tu_rng_t rng;
} world_t;

static bool world_open(world_t *w) {
  memset(w, 0, sizeof *w);
  w->rng.s = 0xC0FFEEu;
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.channels = CH;
  c.max_polyphony = POLY;
  c.buffer_size = 64;
  c.ring_capacity = 4096;
  REQUIRE_MS(NULL, ms_sampler_create(&c, &w->s), false);
  float *sine = tu_sine(RATE, 0.3, 220.0, RATE);
  float *dcv = malloc(4800 * sizeof(float));
  float *st = malloc(2 * 9600 * sizeof(float));
  for (int i = 0; i < 4800; i++) dcv[i] = 0.2f;
  for (int i = 0; i < 9600; i++) {
    st[2 * i] = sine[i];
    st[2 * i + 1] = -sine[i];
  }
  REQUIRE_MS(w->s, ms_sample_create(w->s, sine, RATE, 1, RATE, &w->smp[0]), false);
  REQUIRE_MS(w->s, ms_sample_create(w->s, dcv, 4800, 1, 44100, &w->smp[1]), false);
  REQUIRE_MS(w->s, ms_sample_create(w->s, st, 9600, 2, RATE, &w->smp[2]), false);
  free(sine);
  free(dcv);
  free(st);
  const char *names[3] = {"lead", "drums", "pad"};
  for (int i = 0; i < 3; i++) {
    REQUIRE_MS(w->s, ms_instrument_create(w->s, names[i], &w->inst[i]), false);
    ms_zone_t z;
    ms_zone_init(&z);
    z.loop_mode = i == 1 ? MS_LOOP_ONE_SHOT : MS_LOOP_FORWARD;
    z.attack_s = 0.002f;
    z.decay_s = 0.1f;
    z.sustain = 0.7f;
    z.release_s = 0.02f;
    z.hi_key = 63;
    REQUIRE_MS(w->s, ms_instrument_add_zone(w->inst[i], w->smp[i], &z, NULL), false);
    z.lo_key = 64;
    z.hi_key = 127;
    z.alt_group = 1;
    REQUIRE_MS(w->s, ms_instrument_add_zone(w->inst[i], w->smp[(i + 1) % 3], &z, NULL), false);
    REQUIRE_MS(w->s, ms_instrument_add_zone(w->inst[i], w->smp[(i + 2) % 3], &z, NULL), false);
    /* an oscillator layer on every key (rt_osc.c): supersaw, pink noise, sawtooth */
    const uint8_t osc[3] = {MS_SOURCE_SUPERSAW, MS_SOURCE_PINK, MS_SOURCE_SAWTOOTH};
    z.lo_key = 0;
    z.alt_group = 0;
    z.source = osc[i];
    z.gain_db = -12.0f;
    z.chorus_send = 0.3f; /* the orbit chorus runs too (rt_fx_chorus) */
    REQUIRE_MS(w->s, ms_instrument_add_zone(w->inst[i], NULL, &z, NULL), false);
    REQUIRE_MS(w->s, ms_instrument_commit(w->inst[i]), false);
  }
  REQUIRE_MS(w->s, ms_midi_out_open(w->s, MS_MIDI_OUT_CAPTURE, "synth", NULL, &w->mout), false);
  return true;
}

static void world_close(world_t *w) {
  for (int i = 0; i < 3; i++)
    if (w->smp[i]) ms_sample_destroy(w->smp[i]);
  if (w->s) ms_sampler_destroy(w->s);
  memset(w, 0, sizeof *w);
}

/* Control-thread work between (or during) blocks. Ring-full results are
 * acceptable in the threaded phase; anything else is a failure. */
static int32_t ok_or_full(int32_t rc) { return rc == MS_ERR_RING_FULL ? MS_OK : rc; }
/* Phase 2 only: a render thread descheduled by the host for some ms lets the
 * 4096-record ring fill, so commands may meet RING_FULL too. */
static bool threaded;
static int32_t ok_if_threaded(int32_t rc) { return threaded ? ok_or_full(rc) : rc; }

static void control_step(world_t *w, uint64_t iter) {
  tu_rng_t *g = &w->rng;
  uint64_t now = ms_sampler_now(w->s);
  ms_instrument_t *in = w->inst[tu_rng_below(g, 3)];
  ms_sampler_t *s = w->s;
  /* a burst of notes: more than the polyphony */
  for (int k = 0; k < 24; k++) {
    int note = 30 + (int)tu_rng_below(g, 70);
    uint64_t at = now + tu_rng_below(g, 512);
    ms_note_params_t p = {.gain_db = -3, .pan = 0.3f, .tune_cents = 7,
                          .start_offset_frames = tu_rng_below(g, 100)};
    CHECK_MS(s, ok_or_full(ms_note_on_at(in, at, note, 1 + (int)tu_rng_below(g, 127),
                                          k & 1 ? &p : NULL)));
    if (k % 3 == 0) CHECK_MS(s, ok_or_full(ms_note_off_at(in, at + 300, note)));
  }
  CHECK_MS(s, ok_or_full(ms_note_on(in, 60, 100, NULL)));
  CHECK_MS(s, ok_or_full(ms_note_off(in, 60)));
  /* orbits: notes sending to a few orbits' delay and reverb (the first send
   * to an orbit gives it memory, on CT), parameters changing, tempo changes
   * re-timing delays in cycles */
  for (int k = 0; k < 4; k++) {
    ms_controls_t fx;
    memset(&fx, 0, sizeof fx);
    ms_controls_set(&fx, MS_CONTROL_ORBIT, (float)((iter + (uint64_t)k) % 5));
    ms_controls_set(&fx, MS_CONTROL_ROOM, 0.3f);
    ms_controls_set(&fx, MS_CONTROL_ROOMSIZE, 0.2f + 0.3f * (float)k);
    ms_controls_set(&fx, MS_CONTROL_DELAY, 0.3f);
    ms_controls_set(&fx, MS_CONTROL_DELAYTIME, 0.05f + 0.02f * (float)k);
    ms_controls_set(&fx, MS_CONTROL_DELAYFEEDBACK, 0.6f);
    if (k & 1) ms_controls_set(&fx, MS_CONTROL_LOCK, 1.0f);
    CHECK_MS(s, ok_or_full(ms_note_on_controls_at(in, now + (uint64_t)k * 97, 40 + k, 100, NULL, &fx)));
  }
  if (iter % 3 == 1) CHECK_MS(s, ok_or_full(ms_set_cps_at(s, now + 64, 0.5 + 0.25 * (double)(iter % 4))));
  /* MIDI out: notes, a controller, clock ticks, a panic now and then; the
   * capture ring drained here (CT), filled by the render thread */
  for (int k = 0; k < 6; k++) {
    CHECK_MS(s, ok_or_full(ms_midi_out_send_at(w->mout, now + (uint64_t)k * 50, 0x90 | (k & 3), 60 + k, 100)));
    if (k & 1) CHECK_MS(s, ok_or_full(ms_midi_out_send_at(w->mout, now + 400, 0x80 | (k & 3), 60 + k, 0)));
    CHECK_MS(s, ok_or_full(ms_midi_out_send_at(w->mout, now + (uint64_t)k * 80, 0xF8, 0, 0)));
  }
  CHECK_MS(s, ok_or_full(ms_midi_out_send_at(w->mout, now + 10, 0xB0, 74, (uint8_t)(iter % 128))));
  if (iter % 5 == 2) CHECK_MS(s, ok_or_full(ms_midi_out_panic_at(w->mout, now + 300)));
  {
    ms_midi_out_event_t drained[256];
    while (ms_midi_out_read(w->mout, drained, 256) == 256) {
    }
  }
  /* per-note controls: every voice control at once (reverse, loop, envelopes,
   * filters with envelopes, vowel, character effects), some through
   * MS_EV_CONTROL runs, and instrument-level values set and cleared */
  {
    ms_controls_t all;
    memset(&all, 0, sizeof all);
    const float v[][2] = {{MS_CONTROL_SPEED, -1.5f}, {MS_CONTROL_BEGIN, 0.1f}, {MS_CONTROL_LOOP, 1.0f},
                          {MS_CONTROL_LOOP_END, 0.7f}, {MS_CONTROL_ACCELERATE, 0.3f}, {MS_CONTROL_PENV, 3.0f},
                          {MS_CONTROL_VIB, 5.0f}, {MS_CONTROL_ATTACK, 0.01f}, {MS_CONTROL_DECAY, 0.05f},
                          {MS_CONTROL_RELEASE, 0.05f}, {MS_CONTROL_CUTOFF, 900.0f}, {MS_CONTROL_LPENV, 2.0f},
                          {MS_CONTROL_HCUTOFF, 80.0f}, {MS_CONTROL_HPENV, 1.0f}, {MS_CONTROL_BANDF, 1200.0f},
                          {MS_CONTROL_BPENV, -1.0f}, {MS_CONTROL_FTYPE, 2.0f}, {MS_CONTROL_DJF, 0.7f},
                          {MS_CONTROL_VOWEL, 2.0f}, {MS_CONTROL_COARSE, 4.0f}, {MS_CONTROL_CRUSH, 6.0f},
                          {MS_CONTROL_SHAPE, 0.4f}, {MS_CONTROL_DISTORT, 2.0f}, {MS_CONTROL_TREMOLO, 3.0f},
                          {MS_CONTROL_PHASERRATE, 1.0f}, {MS_CONTROL_RING, 0.3f}, {MS_CONTROL_RINGF, 200.0f},
                          {MS_CONTROL_POSTGAIN, 0.8f}, {MS_CONTROL_VELOCITY, 0.9f}, {MS_CONTROL_UNIT, 1.0f},
                          {MS_CONTROL_ROOM, 0.2f}, {MS_CONTROL_ORBIT, 2.0f}, {MS_CONTROL_FMI, 1.5f},
                          {MS_CONTROL_FMH, 0.5f}, {MS_CONTROL_FMDECAY, 0.1f}, {MS_CONTROL_FMWAVE, 1.0f},
                          {MS_CONTROL_UNISON, 7.0f}, {MS_CONTROL_FREQ, 330.0f}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) ms_controls_set(&all, (uint32_t)v[k][0], v[k][1]);
    CHECK_MS(s, ok_or_full(ms_note_on_controls_at(in, now + 31, 48 + (int)(iter % 12), 110, NULL, &all)));
    CHECK_MS(s, ok_or_full(ms_note_off_at(in, now + 3000, 48 + (int)(iter % 12))));
    ms_event_t run[4];
    memset(run, 0, sizeof run);
    for (int k = 0; k < 3; k++) {
      run[k].frame = now + 7;
      run[k].instrument = ms_instrument_id(in);
      run[k].type = MS_EV_CONTROL;
    }
    run[0].number = MS_CONTROL_CUTOFF, run[0].value = 500.0f;
    run[1].number = MS_CONTROL_SPEED, run[1].value = -1.0f;
    run[2].number = MS_CONTROL_CRUSH, run[2].value = 4.0f;
    run[3] = (ms_event_t){.frame = now + 7, .instrument = ms_instrument_id(in), .type = MS_EV_NOTE_ON, .note = 70,
                          .velocity = 100};
    uint32_t pushed;
    CHECK_MS(s, ok_or_full(ms_push_events(s, run, 4, &pushed)));
    CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now + 5, MS_PARAM_CONTROL + MS_CONTROL_CUTOFF, 2000.0f)));
    CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now + 900, MS_PARAM_CONTROL_CLEAR + MS_CONTROL_CUTOFF, 0.0f)));
  }
  /* late and far-future events */
  if (now > 1000) CHECK_MS(s, ok_or_full(ms_note_on_at(in, now - 1000, 61, 90, NULL)));
  CHECK_MS(s, ok_or_full(ms_note_on_at(in, now + 20000, 62, 90, NULL)));
  /* controllers, bend, params */
  static const int ccs[] = {1, 7, 10, 11, 64, 121, 123, 2, 74};
  for (size_t k = 0; k < sizeof ccs / sizeof *ccs; k++)
    CHECK_MS(s, ok_or_full(ms_cc_at(in, now + k * 7, ccs[k], (int)tu_rng_below(g, 128))));
  CHECK_MS(s, ok_or_full(ms_pitch_bend_at(in, now + 11, (int)tu_rng_below(g, 16384) - 8192)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now + 3, MS_PARAM_VOLUME_DB, -6)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now + 3, MS_PARAM_PAN, -0.5f)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_PITCH_BEND_RANGE, 7)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_VIBRATO_DEPTH, 30)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_VIBRATO_RATE_HZ, 6)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_MOD_WHEEL, 0.5f)));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_SUSTAIN, (float)(iter & 1))));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_POLYPHONY, 4 + (float)(iter % 8))));
  CHECK_MS(s, ok_or_full(ms_instrument_set_param_at(in, now, MS_PARAM_EXPRESSION, 0.8f)));
  /* a batch through the fast path */
  ms_event_t ev[16];
  memset(ev, 0, sizeof ev);
  for (int k = 0; k < 16; k++) {
    ev[k].frame = k % 4 == 3 ? MS_FRAME_NOW : now + (uint64_t)k * 13;
    ev[k].instrument = ms_instrument_id(w->inst[k % 3]);
    ev[k].type = (uint16_t)(k % 2 ? MS_EV_NOTE_OFF : MS_EV_NOTE_ON);
    ev[k].note = (uint8_t)(40 + k);
    ev[k].velocity = 100;
    if (k == 15) ev[k].type = MS_EV_PITCH_BEND, ev[k].value = 1000;
    if (k == 14) ev[k].type = MS_EV_CC, ev[k].number = 1, ev[k].value = 64;
    if (k == 13) ev[k].type = MS_EV_PARAM, ev[k].number = MS_PARAM_VOLUME_DB, ev[k].value = -1;
  }
  uint32_t pushed = 0;
  CHECK_MS(s, ok_or_full(ms_push_events(s, ev, 16, &pushed)));
  /* every few steps: sampler-wide events, instrument swaps, create/destroy */
  if (iter % 7 == 3) CHECK_MS(s, ok_or_full(ms_all_notes_off_at(s, now + 200)));
  if (iter % 11 == 5) CHECK_MS(s, ok_or_full(ms_all_sound_off_at(s, now + 100)));
  if (iter % 5 == 2) {
    ms_zone_t z;
    ms_zone_init(&z);
    z.lo_key = (uint8_t)tu_rng_below(g, 60);
    z.hi_key = (uint8_t)(z.lo_key + 40);
    z.loop_mode = MS_LOOP_SUSTAIN;
    if (ms_instrument_zone_count(in) > 12) CHECK_MS(s, ms_instrument_clear_zones(in));
    CHECK_MS(s, ms_instrument_add_zone(in, w->smp[tu_rng_below(g, 3)], &z, NULL));
    CHECK_MS(s, ok_if_threaded(ms_instrument_commit(in)));
  }
  if (iter % 9 == 4) {
    ms_instrument_t *tmp = NULL;
    CHECK_MS(s, ms_instrument_create(s, "temporary", &tmp));
    if (tmp) {
      ms_zone_t z;
      ms_zone_init(&z);
      z.loop_mode = MS_LOOP_FORWARD;
      CHECK_MS(s, ms_instrument_add_zone(tmp, w->smp[0], &z, NULL));
      CHECK_MS(s, ok_if_threaded(ms_instrument_commit(tmp)));
      for (int k = 0; k < 6; k++) CHECK_MS(s, ok_or_full(ms_note_on(tmp, 50 + k, 120, NULL)));
      ms_instrument_destroy(tmp); /* voices may still be starting: they fade on RT */
    }
  }
  if (iter % 13 == 6)
    CHECK_MS(s, ok_if_threaded(ms_sampler_set_interpolation(s, iter & 1 ? MS_INTERP_LINEAR
                                                                          : MS_INTERP_CUBIC)));
  CHECK_MS(s, ok_if_threaded(ms_sampler_collect(s)));
}

/* The render call under guard. */
static int32_t guarded_process(ms_sampler_t *s, float *buf, uint32_t frames) {
  rt_guard = 1;
  int32_t rc = ms_process(s, buf, frames);
  rt_guard = 0;
  return rc;
}

static void phase_single_thread(void) {
  tu_section("phase 1: one thread, guard set around ms_process");
  world_t w;
  if (!world_open(&w)) {
    world_close(&w);
    return;
  }
  static float buf[1000 * CH];
  static const uint32_t sizes[] = {256, 1, 64, 1000, 7, 128};
  for (uint64_t iter = 0; iter < 300; iter++) {
    control_step(&w, iter);
    for (int b = 0; b < 3; b++)
      CHECK_MS(w.s, guarded_process(w.s, buf, sizes[(iter + (uint64_t)b) % 6]));
  }
  /* play past every scheduled event (they reach 20000 frames ahead), then
   * everything off: voices end and their data is returned */
  CHECK_MS(w.s, ms_instrument_set_param_at(w.inst[0], MS_FRAME_NOW, MS_PARAM_SUSTAIN, 0));
  for (int b = 0; b < 100; b++) CHECK_MS(w.s, guarded_process(w.s, buf, 256));
  CHECK_MS(w.s, ms_all_sound_off_at(w.s, MS_FRAME_NOW));
  for (int b = 0; b < 50; b++) CHECK_MS(w.s, guarded_process(w.s, buf, 256));
  CHECK_MS(w.s, ms_sampler_collect(w.s));
  ms_stats_t st;
  CHECK_MS(w.s, ms_get_stats_ex(w.s, &st));
  printf("    events %llu, late %llu, dropped %llu, stolen %llu, peak voices %llu, retired %llu\n",
         (unsigned long long)st.events_received, (unsigned long long)st.events_late,
         (unsigned long long)st.events_dropped, (unsigned long long)st.voices_stolen,
         (unsigned long long)st.voices_peak, (unsigned long long)st.instruments_retired);
  CHECK(st.events_received > 10000);
  CHECK(st.voices_stolen > 0);
  CHECK(st.events_late > 0);
  CHECK_LE(st.voices_peak, POLY);
  CHECK(st.instruments_retired > 0);
  CHECK_EQ_U64(st.voices_active, 0);
  CHECK(tu_all_finite(buf, 256 * CH));
  world_close(&w);
}

/* ------------------------------------------------- phase 2: two threads -- */
typedef struct rt_ctx {
  ms_sampler_t *s;
  _Atomic int stop;
  _Atomic uint64_t calls;
  int32_t first_error;
} rt_ctx_t;

static void *render_thread(void *arg) {
  rt_ctx_t *c = arg;
  static float buf[512 * CH];
  rt_guard = 1; /* for the whole life of the thread */
  uint32_t n = 0;
  while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
    static const uint32_t sizes[] = {128, 1, 512, 64, 300};
    int32_t rc = ms_process(c->s, buf, sizes[n++ % 5]);
    if (rc != MS_OK && c->first_error == MS_OK) c->first_error = rc;
    atomic_fetch_add_explicit(&c->calls, 1, memory_order_relaxed);
  }
  rt_guard = 0;
  return NULL;
}

/* A second event source on its own thread, through ms_producer_push. */
typedef struct prod_ctx {
  ms_producer_t *p;
  uint32_t instrument;
  _Atomic int stop;
  uint64_t pushed, full;
} prod_ctx_t;

static void *producer_thread(void *arg) {
  prod_ctx_t *c = arg;
  ms_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.instrument = c->instrument;
  ev.frame = MS_FRAME_NOW;
  struct timespec pause = {0, 100000};
  for (uint32_t k = 0; !atomic_load_explicit(&c->stop, memory_order_acquire); k++) {
    ev.type = (uint16_t)(k & 1 ? MS_EV_NOTE_OFF : MS_EV_NOTE_ON);
    ev.note = (uint8_t)(36 + (k / 2) % 48);
    ev.velocity = 90;
    int32_t rc = ms_producer_push(c->p, &ev);
    if (rc == MS_OK)
      c->pushed++;
    else if (rc == MS_ERR_RING_FULL)
      c->full++;
    else
      break;
    if (k % 16 == 15) nanosleep(&pause, NULL);
  }
  return NULL;
}

static void phase_two_threads(void) {
  tu_section("phase 2: render thread (guarded throughout) against a control thread");
  world_t w;
  if (!world_open(&w)) {
    world_close(&w);
    return;
  }
  threaded = true;
  rt_ctx_t c = {.s = w.s};
  pthread_t th;
  if (pthread_create(&th, NULL, render_thread, &c) != 0) {
    tu_fail(__FILE__, __LINE__, "pthread_create failed");
    world_close(&w);
    return;
  }
  prod_ctx_t pc = {.instrument = ms_instrument_id(w.inst[2])};
  pthread_t pth;
  bool have_producer = false;
  CHECK_MS(w.s, ms_producer_create(w.s, &pc.p));
  if (pc.p) have_producer = pthread_create(&pth, NULL, producer_thread, &pc) == 0;
  struct timespec pause = {0, 200000}; /* let the render thread run between steps */
  for (uint64_t iter = 0; iter < 400; iter++) {
    uint64_t seen = atomic_load(&c.calls);
    control_step(&w, iter);
    /* let the render thread take at least one block per step (no time limit:
     * a hung render thread shows as the ctest timeout) */
    do nanosleep(&pause, NULL);
    while (atomic_load(&c.calls) == seen);
  }
  if (have_producer) {
    atomic_store_explicit(&pc.stop, 1, memory_order_release);
    pthread_join(pth, NULL);
  }
  CHECK_MS(w.s, ok_or_full(ms_all_sound_off_at(w.s, MS_FRAME_NOW)));
  uint64_t target = atomic_load(&c.calls) + 200;
  while (atomic_load(&c.calls) < target) nanosleep(&pause, NULL);
  atomic_store_explicit(&c.stop, 1, memory_order_release);
  pthread_join(th, NULL);
  CHECK_MS(w.s, c.first_error);
  CHECK_MS(w.s, ms_sampler_collect(w.s));
  ms_stats_t st;
  CHECK_MS(w.s, ms_get_stats_ex(w.s, &st));
  printf("    %llu ms_process calls; events %llu, dropped %llu, stolen %llu, retired %llu\n",
         (unsigned long long)atomic_load(&c.calls), (unsigned long long)st.events_received,
         (unsigned long long)st.events_dropped, (unsigned long long)st.voices_stolen,
         (unsigned long long)st.instruments_retired);
  CHECK(atomic_load(&c.calls) >= 400);
  printf("    producer thread: %llu events pushed, %llu refused (ring full)\n",
         (unsigned long long)pc.pushed, (unsigned long long)pc.full);
  CHECK(have_producer && pc.pushed > 0);
  if (pc.p) ms_producer_destroy(pc.p);
  CHECK(st.events_received > 10000);
  CHECK(st.voices_stolen > 0);
  world_close(&w);
}

int main(int argc, char **argv) {
#if GUARD_ACTIVE
  if (argc > 1 && strcmp(argv[1], "--selfcheck") == 0) {
    /* the guard must trip on an allocation (it exits 0 in this mode) */
    selfcheck_mode = 1;
    void *frames[4];
    backtrace(frames, 4);
    ms_sampler_t *s = NULL;
    rt_guard = 1;
    int32_t rc = ms_sampler_create(NULL, &s); /* CT work on a "render" thread */
    rt_guard = 0;
    printf("self-check: the allocation guard did not trip (rc %d)\n", (int)rc);
    if (s) ms_sampler_destroy(s);
    return 1;
  }
  {
    void *frames[4];
    backtrace(frames, 4); /* loads libgcc_s now, not inside the guard */
  }
  uint64_t before = atomic_load(&alloc_calls);
  ms_sampler_t *probe = NULL;
  int32_t rc = ms_sampler_create(NULL, &probe);
  if (rc == MS_OK) ms_sampler_destroy(probe);
  uint64_t after = atomic_load(&alloc_calls);
  printf("allocation guard active: ms_sampler_create+destroy made %llu guarded calls\n",
         (unsigned long long)(after - before));
  /* if the library's malloc does not reach us the test proves nothing */
  CHECKF(after > before, "the engine's allocations do not go through the interposed malloc");
#else
  (void)argc, (void)argv;
  printf("allocation guard disabled (sanitizer build owns malloc): running the workload only\n");
#endif
  phase_single_thread();
  phase_two_threads();
  return tu_finish();
}
