/*
 * test_live_alloc_guard.c — the live render thread never allocates or frees.
 *
 * This executable interposes malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc (exported: the engine is built
 * with -fvisibility=hidden, so CMakeLists.txt sets ENABLE_EXPORTS) and
 * aborts with a backtrace when one is called on a thread named "ms-render",
 * the name the engine gives its render thread before it renders anything.
 * The answer is cached per thread (a thread-local; only "yes" is cached, as
 * a thread may be named after its first allocation). The guard is switched
 * off just before ms_output_stop: the thread's own exit frees glibc's
 * per-thread data, which is teardown, not rendering.
 *
 * Workload, ~1 s on the ALSA null PCM (not paced: the thread renders flat
 * out, so this covers far more blocks than real time would), memory locked
 * with ms_sampler_enable_rt: notes now and ahead, more notes than voices
 * (steals), pitch bend and CCs, instrument versions swapped under playing
 * voices (add_zone + commit, clear_zones), instruments created and
 * destroyed, all-sound-off, and ms_sampler_collect freeing what RT retired.
 *
 * "test_live_alloc_guard alsa-jack" runs the same through ALSA's jack PCM
 * into a JACK dummy server it starts: paced, so the thread's poll() wait
 * and the plugin's write path are covered too.
 *
 * "test_live_alloc_guard jack-midi-out" plays through the JACK backend on a
 * dummy server (JACK's process thread, named "ms-render" by the engine's
 * thread-init callback) with a JACK MIDI output: notes, controllers, clock
 * ticks and panics written into the port every period, under the guard.
 *
 * "test_live_alloc_guard selfcheck" proves the guard trips: a thread named
 * "ms-render" that mallocs must die with SIGABRT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>

#include "live_util.h"

/* ------------------------------------------------------ allocation guard -- */
static __thread int on_render; /* 1 = this thread is "ms-render" (executable TLS: no allocation) */
static __thread int tripping;
static _Atomic int guard_on;
static _Atomic uint64_t alloc_calls;

static bool is_render_thread(void) {
  if (on_render) return true;
  char name[16] = "";
  /* PR_GET_NAME on the calling thread: a syscall, no allocation */
  if (prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && strcmp(name, "ms-render") == 0) on_render = 1;
  return on_render;
}

static void guard_trip(const char *fn);

#define ALLOC_GUARD_CHECK(fn)                                                              \
  do {                                                                                     \
    if (atomic_load_explicit(&guard_on, memory_order_relaxed) && is_render_thread())       \
      guard_trip(fn);                                                                      \
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);                      \
  } while (0)
#include "../alloc_guard.h"

static void guard_trip(const char *fn) {
  if (tripping) return;
  tripping = 1;
  alloc_guard_report("\n*** test_live_alloc_guard: ", fn, "() called on the render thread \"ms-render\"\n", 1);
  abort();
}

/* ------------------------------------------------------------ selfcheck -- */
static void *alloc_named(void *arg) {
  pthread_setname_np(pthread_self(), "ms-render");
  void *volatile p = malloc(32);
  free(p);
  return arg;
}

static int selfcheck(void) {
  atomic_store(&guard_on, 1);
  pid_t p = fork();
  if (p == 0) {
    if (!freopen("/dev/null", "w", stderr)) _exit(3);
    pthread_t t;
    pthread_create(&t, NULL, alloc_named, NULL);
    pthread_join(t, NULL);
    _exit(0); /* the guard did not trip */
  }
  int st = 0;
  waitpid(p, &st, 0);
  bool tripped = WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
  printf("self-check: a malloc on a thread named \"ms-render\" %s\n", tripped ? "aborted, as it should" : "went unnoticed");
  return tripped ? 0 : 1;
}

/* ------------------------------------------------------------- workload -- */
#define RATE 48000u
#define POLY 16u

static ms_sample_t *make_sample(ms_sampler_t *s, uint32_t frames, uint32_t channels, float level) {
  float *d = malloc(sizeof(float) * frames * channels);
  for (uint32_t i = 0; i < frames * channels; i++) d[i] = level * (float)sin(0.05 * i);
  ms_sample_t *smp = NULL;
  int32_t rc = ms_sample_create(s, d, frames, channels, RATE, &smp);
  free(d);
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_sample_create", s, rc, MS_OK);
  return smp;
}

/* A sampler at RATE with POLY voices, asked for real-time priority `priority`
 * (refused priority or memory lock are fine here); NULL after a failed check. */
static ms_sampler_t *guard_sampler(int32_t priority) {
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.max_polyphony = POLY;
  ms_sampler_t *s = NULL;
  REQUIRE_MS(NULL, ms_sampler_create(&c, &s), NULL);
  int32_t rt = ms_sampler_enable_rt(s, priority);
  CHECKF(rt == MS_OK || rt == MS_ERR_RT_PRIORITY || rt == MS_ERR_MEMLOCK, "enable_rt: %s", tu_msg(s));
  return s;
}

static void workload(const char *device, uint32_t format) {
  char title[128];
  snprintf(title, sizeof title, "ALSA \"%s\", ~1 s of events, steals and swaps under the guard", device);
  tu_section(title);
  ms_sampler_t *s = guard_sampler(80);
  REQUIRE(s, TU_NOTHING);
  ms_sample_t *a = make_sample(s, 24000, 1, 0.2f), *b = make_sample(s, 9000, 2, 0.1f);
  REQUIRE(a && b, TU_NOTHING);
  ms_instrument_t *inst[3];
  const char *names[3] = {"lead", "pad", "drums"};
  for (int i = 0; i < 3; i++) {
    REQUIRE_MS(s, ms_instrument_create(s, names[i], &inst[i]), TU_NOTHING);
    ms_zone_t z = tu_zone_flat(60, i == 1 ? MS_LOOP_FORWARD : MS_LOOP_NONE, 0.02f);
    z.exclusive_group = i == 2 ? 1 : 0;
    REQUIRE_MS(s, ms_instrument_add_zone(inst[i], i == 1 ? b : a, &z, NULL), TU_NOTHING);
    REQUIRE_MS(s, ms_instrument_commit(inst[i]), TU_NOTHING);
  }
  ms_output_config_t oc = lu_output_config(MS_BACKEND_ALSA, device, 64, format);
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);

  void *prime[4];
  backtrace(prime, 4); /* load libgcc now, not inside the guard */
  atomic_store(&guard_on, 1);
  REQUIRE_MS(s, ms_output_start(out), TU_NOTHING);

  tu_rng_t r = {0xA110C};
  uint64_t pushed = 0, swaps = 0, rebuilt = 0;
  double t0 = lu_now_s();
  while (lu_now_s() - t0 < 1.0) {
    for (int k = 0; k < 40; k++) {
      ms_instrument_t *in = inst[tu_rng_below(&r, 3)];
      int note = 30 + (int)tu_rng_below(&r, 60);
      uint64_t ahead = ms_sampler_now(s) + tu_rng_below(&r, 4000);
      int32_t rc;
      switch (tu_rng_below(&r, 6)) {
        case 0: rc = ms_note_on(in, note, 1 + (int)tu_rng_below(&r, 127), NULL); break;
        case 1: rc = ms_note_on_at(in, ahead, note, 100, NULL); break;
        case 2: rc = ms_note_off_at(in, ahead, note); break;
        case 3: rc = ms_pitch_bend_at(in, ahead, (int32_t)tu_rng_below(&r, 16000) - 8000); break;
        case 4: rc = ms_cc_at(in, ahead, tu_rng_below(&r, 2) ? 64 : 1, (int32_t)tu_rng_below(&r, 128)); break;
        default: rc = ms_note_off(in, note); break;
      }
      if (rc == MS_OK) pushed++;
    }
    /* a new version of one instrument's data, swapped under playing voices */
    ms_instrument_t *in = inst[tu_rng_below(&r, 2)];
    if (tu_rng_below(&r, 2)) {
      ms_zone_t z = tu_zone_flat((uint8_t)(48 + tu_rng_below(&r, 24)), MS_LOOP_NONE, 0.01f);
      if (ms_instrument_zone_count(in) > 6) ms_instrument_clear_zones(in);
      CHECK_MS(s, ms_instrument_add_zone(in, tu_rng_below(&r, 2) ? a : b, &z, NULL));
    } else {
      CHECK_MS(s, ms_instrument_clear_zones(in));
      ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.01f);
      CHECK_MS(s, ms_instrument_add_zone(in, b, &z, NULL));
    }
    if (ms_instrument_commit(in) == MS_OK) swaps++;
    /* and now and then an instrument destroyed and made again */
    if (tu_rng_below(&r, 20) == 0) {
      ms_instrument_destroy(inst[2]);
      CHECK_MS(s, ms_instrument_create(s, "drums", &inst[2]));
      ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.02f);
      CHECK_MS(s, ms_instrument_add_zone(inst[2], a, &z, NULL));
      CHECK_MS(s, ms_instrument_commit(inst[2]));
      rebuilt++;
    }
    if (tu_rng_below(&r, 50) == 0) ms_all_sound_off_at(s, MS_FRAME_NOW);
    ms_sampler_collect(s);
    lu_sleep_ms(2);
  }
  /* off before stopping: glibc frees the thread's TLS and tcache as the
   * thread exits (__libc_thread_freeres), after the render loop is over */
  atomic_store(&guard_on, 0);
  ms_output_stop(out);
  ms_sampler_collect(s);
  ms_stats_t st;
  ms_get_stats_ex(s, &st);
  printf("  %llu events pushed, %llu swaps, %llu instruments rebuilt; engine: %llu frames, %llu events, %llu "
         "stolen, %llu retired, peak voices %llu, locked %llu KiB; %llu allocator calls off the render thread\n",
         (unsigned long long)pushed, (unsigned long long)swaps, (unsigned long long)rebuilt,
         (unsigned long long)st.frames_rendered, (unsigned long long)st.events_received,
         (unsigned long long)st.voices_stolen, (unsigned long long)st.instruments_retired,
         (unsigned long long)st.voices_peak, (unsigned long long)(st.memory_locked_bytes >> 10),
         (unsigned long long)atomic_load(&alloc_calls));
  /* the guarded thread really rendered the workload (steals and retirements
   * below happen only there) over many blocks. A stalled host slows the paced
   * jack PCM (this VM gave 0.47 s of audio in 1 s), so the frame bound is a
   * tenth of a second, not half */
  CHECK(st.frames_rendered > RATE / 10);
  CHECK(st.voices_stolen > 0);
  CHECK(st.instruments_retired > 0);
  CHECK(atomic_load(&alloc_calls) > 0); /* the interposers are the ones called */
  ms_output_close(out);
  ms_sample_destroy(a);
  ms_sample_destroy(b);
  ms_sampler_destroy(s);
}

/* The JACK backend's process callback with MIDI out: ~1 s under the guard. */
static void jack_midi_out_workload(void) {
  tu_section("JACK backend, MIDI out every period under the guard");
  ms_sampler_t *s = guard_sampler(70);
  REQUIRE(s, TU_NOTHING);
  ms_sample_t *a = make_sample(s, 24000, 1, 0.2f);
  ms_instrument_t *inst = NULL;
  REQUIRE_MS(s, ms_instrument_create(s, "lead", &inst), TU_NOTHING);
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.02f);
  REQUIRE_MS(s, ms_instrument_add_zone(inst, a, &z, NULL), TU_NOTHING);
  REQUIRE_MS(s, ms_instrument_commit(inst), TU_NOTHING);
  ms_output_config_t oc = lu_output_config(MS_BACKEND_JACK, "ms-guard-midi", 0, MS_PCM_AUTO);
  oc.flags = MS_OUTPUT_NO_CONNECT;
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);
  ms_midi_out_t *mo = NULL;
  REQUIRE_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_JACK, "synth", NULL, &mo), TU_NOTHING);
  void *prime[4];
  backtrace(prime, 4); /* load libgcc now, not inside the guard */
  atomic_store(&guard_on, 1);
  REQUIRE_MS(s, ms_output_start(out), TU_NOTHING);
  tu_rng_t r = {0x1D1};
  double t0 = lu_now_s();
  while (lu_now_s() - t0 < 1.0) {
    uint64_t now = ms_sampler_now(s);
    for (int k = 0; k < 30; k++) {
      uint64_t at = now + tu_rng_below(&r, 3000);
      uint8_t key = (uint8_t)(30 + tu_rng_below(&r, 60));
      switch (tu_rng_below(&r, 4)) {
        case 0: ms_midi_out_send_at(mo, at, 0x90 | (uint8_t)tu_rng_below(&r, 16), key, 100); break;
        case 1: ms_midi_out_send_at(mo, at, 0x80, key, 0); break;
        case 2: ms_midi_out_send_at(mo, at, 0xB0, 74, (uint8_t)tu_rng_below(&r, 128)); break;
        default: ms_midi_out_send_at(mo, at, 0xF8, 0, 0); break;
      }
      ms_note_on_at(inst, at, key, 90, NULL);
    }
    if (tu_rng_below(&r, 10) == 0) ms_midi_out_panic_at(mo, now + 500);
    ms_sampler_collect(s);
    lu_sleep_ms(2);
  }
  atomic_store(&guard_on, 0);
  ms_output_stop(out);
  uint64_t sent = 0, dropped = 0;
  ms_midi_out_counts(mo, &sent, &dropped, NULL);
  ms_stats_t st;
  ms_get_stats_ex(s, &st);
  printf("  %llu MIDI messages written into the port (%llu dropped), %llu frames rendered\n",
         (unsigned long long)sent, (unsigned long long)dropped, (unsigned long long)st.frames_rendered);
  CHECK(sent > 1000);
  CHECK(st.frames_rendered > RATE / 10);
  ms_output_close(out);
  ms_sample_destroy(a);
  ms_sampler_destroy(s);
}

int main(int argc, char **argv) {
  lu_alsa_config();
  if (argc > 1 && strcmp(argv[1], "jack-midi-out") == 0) {
    if (!lu_jackd_start(64)) return 1;
    jack_midi_out_workload();
    lu_jackd_stop();
    return tu_finish();
  }
  if (argc > 1 && strcmp(argv[1], "selfcheck") == 0) return selfcheck();
  if (argc > 1 && strcmp(argv[1], "alsa-jack") == 0) {
    /* paced: the render thread waits in poll() on the jack PCM between periods */
    if (!lu_jackd_start(64)) return 1;
    workload("jack", MS_PCM_FLOAT);
    lu_jackd_stop();
  } else {
    workload("testnull", MS_PCM_S16);
  }
  return tu_finish();
}
