/*
 * test_util.h — shared helpers for the engine's C tests.
 *
 * Thread: the test's main thread unless a helper says otherwise.
 * - CHECK* macros work under NDEBUG, print file:line with the values seen, and
 *   count failures; REQUIRE* also return from the calling function (use them
 *   where continuing would only crash). End main() with `return tu_finish();`.
 * - Audio file generation through libsndfile into a per-run temp dir
 *   (mkdtemp, removed by tu_finish unless MS_TEST_KEEP is set).
 * - Analysis: peak, max sample-to-sample step, zero-crossing frequency.
 * test_util.c never calls the engine; the static inline helpers at the end do,
 * so tests that use only the generic parts (test_ring) need not link it.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef MS_TEST_UTIL_H
#define MS_TEST_UTIL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midi_sampler.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ------------------------------------------------------------ checks -- */
extern int tu_failures;
extern int tu_checks;

void tu_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                          \
  do {                                                                       \
    tu_checks++;                                                             \
    if (!(cond)) tu_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);     \
  } while (0)

/* CHECK with a printf-style explanation printed on failure. */
#define CHECKF(cond, ...)                                                    \
  do {                                                                       \
    tu_checks++;                                                             \
    if (!(cond)) {                                                           \
      tu_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                \
      fprintf(stderr, "    ");                                               \
      fprintf(stderr, __VA_ARGS__);                                          \
      fprintf(stderr, "\n");                                                 \
    }                                                                        \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                   \
  do {                                                                       \
    long long tu_a_ = (long long)(a), tu_b_ = (long long)(b);                \
    tu_checks++;                                                             \
    if (tu_a_ != tu_b_)                                                      \
      tu_fail(__FILE__, __LINE__, "%s == %s failed: %lld vs %lld", #a, #b,   \
              tu_a_, tu_b_);                                                 \
  } while (0)

#define CHECK_EQ_U64(a, b)                                                   \
  do {                                                                       \
    unsigned long long tu_a_ = (unsigned long long)(a),                      \
                       tu_b_ = (unsigned long long)(b);                      \
    tu_checks++;                                                             \
    if (tu_a_ != tu_b_)                                                      \
      tu_fail(__FILE__, __LINE__, "%s == %s failed: %llu vs %llu", #a, #b,   \
              tu_a_, tu_b_);                                                 \
  } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                \
  do {                                                                       \
    double tu_a_ = (double)(a), tu_b_ = (double)(b), tu_t_ = (double)(tol);  \
    tu_checks++;                                                             \
    if (!(fabs(tu_a_ - tu_b_) <= tu_t_))                                     \
      tu_fail(__FILE__, __LINE__, "%s ~= %s failed: %.9g vs %.9g (tol %.3g)",\
              #a, #b, tu_a_, tu_b_, tu_t_);                                  \
  } while (0)

#define CHECK_LE(a, b)                                                       \
  do {                                                                       \
    double tu_a_ = (double)(a), tu_b_ = (double)(b);                         \
    tu_checks++;                                                             \
    if (!(tu_a_ <= tu_b_))                                                   \
      tu_fail(__FILE__, __LINE__, "%s <= %s failed: %.9g vs %.9g", #a, #b,   \
              tu_a_, tu_b_);                                                 \
  } while (0)

#define CHECK_LT(a, b)                                                       \
  do {                                                                       \
    double tu_a_ = (double)(a), tu_b_ = (double)(b);                         \
    tu_checks++;                                                             \
    if (!(tu_a_ < tu_b_))                                                    \
      tu_fail(__FILE__, __LINE__, "%s < %s failed: %.9g vs %.9g", #a, #b,    \
              tu_a_, tu_b_);                                                 \
  } while (0)

/* An engine call that must return MS_OK; prints the code, its text and the
 * sampler's detail message (pass NULL when there is no sampler). */
#define CHECK_MS(sampler, call)                                              \
  do {                                                                       \
    int32_t tu_rc_ = (call);                                                 \
    tu_checks++;                                                             \
    if (tu_rc_ != MS_OK) tu_fail_ms(__FILE__, __LINE__, #call, (sampler), tu_rc_, MS_OK); \
  } while (0)

/* An engine call that must return a given code. */
#define CHECK_MS_CODE(sampler, call, code)                                   \
  do {                                                                       \
    int32_t tu_rc_ = (call);                                                 \
    tu_checks++;                                                             \
    if (tu_rc_ != (code)) tu_fail_ms(__FILE__, __LINE__, #call, (sampler), tu_rc_, (code)); \
  } while (0)

/* Fatal forms: return `ret` from the calling function on failure. */
#define REQUIRE(cond, ret)                                                   \
  do {                                                                       \
    tu_checks++;                                                             \
    if (!(cond)) {                                                           \
      tu_fail(__FILE__, __LINE__, "REQUIRE(%s) failed", #cond);              \
      return ret;                                                            \
    }                                                                        \
  } while (0)

#define REQUIRE_MS(sampler, call, ret)                                       \
  do {                                                                       \
    int32_t tu_rc_ = (call);                                                 \
    tu_checks++;                                                             \
    if (tu_rc_ != MS_OK) {                                                   \
      tu_fail_ms(__FILE__, __LINE__, #call, (sampler), tu_rc_, MS_OK);       \
      return ret;                                                            \
    }                                                                        \
  } while (0)

#define TU_NOTHING /* for REQUIRE in void functions: REQUIRE(x, TU_NOTHING) */

/* Print a section header (helps read ctest -V output). */
void tu_section(const char *name);

/* Print the summary, remove the temp dir, return the process exit code. */
int tu_finish(void);

/* Exit code ctest treats as "skipped" (SKIP_RETURN_CODE in CMakeLists). */
#define TU_SKIP_CODE 77

/* ---------------------------------------------------------- temp files -- */
/* The per-run temp dir (created on first use). */
const char *tu_tmpdir(void);
/* tu_tmpdir()/name in a fresh heap string (free it, or ignore: tests are short). */
char *tu_path(const char *name);

/* Write bytes to a file; false on failure. */
bool tu_write_bytes(const char *path, const void *data, size_t len);
/* Read a whole file; *len receives its size; NULL on failure. free() the result. */
uint8_t *tu_read_bytes(const char *path, size_t *len);
/* true when both files exist and are byte-identical. */
bool tu_files_equal(const char *a, const char *b);

/* --------------------------------------------------------- audio files -- */
typedef struct tu_loop {
  uint32_t start;    /* frames */
  uint32_t end;      /* exclusive, as libsndfile reports it */
  uint32_t root_key; /* smpl MIDI unity note */
} tu_loop_t;

/*
 * Write interleaved float data with libsndfile. format is a full SF_FORMAT_*
 * value (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16). loop may be NULL; when set,
 * a smpl chunk with one forward loop is written (SFC_SET_INSTRUMENT).
 * Returns false (and prints why) on failure.
 */
bool tu_write_audio(const char *path, int format, uint32_t channels, uint32_t sample_rate,
                    const float *data, uint64_t frames, const tu_loop_t *loop);

/* Read an instrument's first loop back through libsndfile: true when present. */
bool tu_read_loop(const char *path, tu_loop_t *out);

/* Fill frames of a sine (amplitude amp, freq_hz, phase 0) into an interleaved
 * buffer of `channels`, writing channel `ch` only. */
void tu_fill_sine(float *buf, uint64_t frames, uint32_t channels, uint32_t ch, double amp,
                  double freq_hz, double sample_rate);
/* Allocate a mono sine. */
float *tu_sine(uint64_t frames, double amp, double freq_hz, double sample_rate);

/* ------------------------------------------------------------ analysis -- */
/* Channel ch of an interleaved buffer: peak |x|, max |x[n+1]-x[n]|, RMS. */
double tu_peak(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch);
double tu_max_step(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch);
double tu_rms(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch);
/* Frequency (Hz) from rising zero crossings interpolated linearly between
 * samples, over frames [from, to). 0 when fewer than 3 crossings. */
double tu_freq_zc(const float *buf, uint64_t from, uint64_t to, uint32_t channels, uint32_t ch,
                  double sample_rate);
/*
 * Relative RMS error of channel ch against a sine of angular frequency w
 * (radians per frame), fitted (amplitude and phase) by least squares in
 * windows of 512 frames over [from, to): a constant phase offset or a 1e-7
 * pitch-ratio rounding does not count, interpolation error and noise do.
 */
double tu_sine_fit_error(const float *buf, uint64_t from, uint64_t to, uint32_t channels,
                         uint32_t ch, double w);
/* First frame >= from whose |value| > thresh on any channel, or UINT64_MAX. */
uint64_t tu_first_above(const float *buf, uint64_t from, uint64_t frames, uint32_t channels,
                        double thresh);
/* true when every value is finite. */
bool tu_all_finite(const float *buf, uint64_t count);
/* In-place radix-2 complex FFT of re + i*im (n a power of two); forward
 * (e^-i); an inverse is the forward transform of the conjugate, divided by n. */
void tu_fft(double *re, double *im, uint32_t n);

/* Deterministic PRNG (xorshift64*). */
typedef struct tu_rng { uint64_t s; } tu_rng_t;
static inline uint64_t tu_rng_next(tu_rng_t *r) {
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 2685821657736338717ull;
}
static inline uint32_t tu_rng_below(tu_rng_t *r, uint32_t n) {
  return n ? (uint32_t)(tu_rng_next(r) % n) : 0;
}

/* Case-insensitive substring test. */
bool tu_contains_ci(const char *hay, const char *needle);

/* ------------------------------------------------- engine conveniences -- */
/* Last detail message for sampler (NULL: the thread's), in a static buffer. */
static inline const char *tu_msg(const ms_sampler_t *s) {
  static char buf[1024];
  buf[0] = 0;
  ms_error_message(s, buf, sizeof buf);
  return buf;
}

static inline void tu_fail_ms(const char *file, int line, const char *call, const ms_sampler_t *s,
                              int32_t got, int32_t want) {
  tu_fail(file, line, "%s returned %d (%s), expected %d (%s)", call, (int)got, ms_strerror(got),
          (int)want, ms_strerror(want));
  fprintf(stderr, "    message: \"%s\"\n", tu_msg(s));
}

/* After an ALSA sequencer port failed to open with `rc`: when that is because
 * /dev/snd/seq does not exist here, check the message names it, print the
 * skip, destroy the sampler and return the test's exit code (TU_SKIP_CODE
 * unless a check failed); otherwise -1, and the test goes on. */
static inline int tu_skip_without_seq(ms_sampler_t *s, int32_t rc) {
  if (rc != MS_ERR_DEVICE || access("/dev/snd/seq", F_OK) == 0) return -1;
  CHECKF(strstr(tu_msg(s), "/dev/snd/seq") != NULL, "the message should name /dev/snd/seq: %s", tu_msg(s));
  printf("skip: the ALSA sequencer cannot be opened here: %s\n", tu_msg(s));
  ms_sampler_destroy(s);
  int f = tu_finish();
  return f ? f : TU_SKIP_CODE;
}

/* A sampler with defaults except the given rate/channels/block (0 = default). */
static inline ms_sampler_t *tu_sampler(uint32_t rate, uint32_t channels, uint32_t block) {
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = rate;
  c.channels = channels;
  c.buffer_size = block;
  ms_sampler_t *s = NULL;
  int32_t rc = ms_sampler_create(&c, &s);
  if (rc != MS_OK) {
    tu_fail_ms(__FILE__, __LINE__, "ms_sampler_create", NULL, rc, MS_OK);
    return NULL;
  }
  return s;
}

/* Render frames into buf calling ms_process with pieces of at most chunk frames. */
static inline int32_t tu_render(ms_sampler_t *s, float *buf, uint64_t frames, uint32_t channels,
                                uint32_t chunk) {
  uint64_t done = 0;
  while (done < frames) {
    uint32_t n = (uint32_t)((frames - done) < chunk ? (frames - done) : chunk);
    int32_t rc = ms_process(s, buf + done * channels, n);
    if (rc != MS_OK) return rc;
    done += n;
  }
  return MS_OK;
}

/* A zone from ms_zone_init with no envelope (attack/hold/decay 0, sustain 1). */
static inline ms_zone_t tu_zone_flat(uint8_t root, uint8_t loop_mode, float release_s) {
  ms_zone_t z;
  ms_zone_init(&z);
  z.root_key = root;
  z.loop_mode = loop_mode;
  z.attack_s = 0.0f;
  z.hold_s = 0.0f;
  z.decay_s = 0.0f;
  z.sustain = 1.0f;
  z.release_s = release_s;
  return z;
}

/* A stereo sampler at rate (128-frame blocks) holding one empty instrument
 * named name; NULL (and a failed check) when creating fails. */
static inline ms_sampler_t *tu_sampler_instrument(uint32_t rate, const char *name, ms_instrument_t **in) {
  *in = NULL;
  ms_sampler_t *s = tu_sampler(rate, 2, 128);
  if (s) CHECK_MS(s, ms_instrument_create(s, name, in));
  return s;
}

/* A mono sample of `frames` values of d at rate; frees d. */
static inline ms_sample_t *tu_sample_mono(ms_sampler_t *s, float *d, uint64_t frames, uint32_t rate) {
  ms_sample_t *smp = NULL;
  CHECK_MS(s, ms_sample_create(s, d, frames, 1, rate, &smp));
  free(d);
  return smp;
}

/* A mono sample holding `level` for `frames` at rate. */
static inline ms_sample_t *tu_dc_sample(ms_sampler_t *s, float level, uint64_t frames, uint32_t rate) {
  float *d = malloc(sizeof(float) * frames);
  if (!d) abort();
  for (uint64_t i = 0; i < frames; i++) d[i] = level;
  return tu_sample_mono(s, d, frames, rate);
}

/* Two committed instruments on s, both on every key with root 60: "click", a
 * one-shot of 32 frames at 0.5, and "tone", a looping 440 Hz sine at 0.5
 * (one second at `rate`, release 10 ms). false (and a failed check) when a
 * call fails. */
static inline bool tu_click_tone(ms_sampler_t *s, uint32_t rate, ms_instrument_t **click,
                                 ms_instrument_t **tone) {
  float one_shot[32];
  for (uint32_t i = 0; i < 32; i++) one_shot[i] = 0.5f;
  ms_sample_t *a = NULL, *b = NULL;
  REQUIRE_MS(s, ms_sample_create(s, one_shot, 32, 1, rate, &a), false);
  float *sine = tu_sine(rate, 0.5, 440.0, rate);
  REQUIRE_MS(s, ms_sample_create(s, sine, rate, 1, rate, &b), false);
  free(sine);
  REQUIRE_MS(s, ms_instrument_create(s, "click", click), false);
  REQUIRE_MS(s, ms_instrument_create(s, "tone", tone), false);
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_ONE_SHOT, 0.0f);
  REQUIRE_MS(s, ms_instrument_add_zone(*click, a, &z, NULL), false);
  z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.01f);
  REQUIRE_MS(s, ms_instrument_add_zone(*tone, b, &z, NULL), false);
  ms_sample_destroy(a);
  ms_sample_destroy(b);
  REQUIRE_MS(s, ms_instrument_commit(*click), false);
  REQUIRE_MS(s, ms_instrument_commit(*tone), false);
  return true;
}

#endif /* MS_TEST_UTIL_H */
