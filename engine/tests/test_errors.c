/*
 * test_errors.c — every bad input gives the documented code and a message.
 *
 * Each case checks the returned MS_ERR_* code and then the detail message
 * (ms_error_message: the sampler's, or the thread's when there is no
 * sampler): it must name the object (instrument name, file path, config
 * field, record index) and the cause (the bad value, "NULL", "full"). Every
 * message seen is printed so its wording can be reviewed in the ctest log.
 * Also: ms_strerror covers every code with distinct text; ms_error_message
 * truncates safely; the event ring reports RING_FULL and counts drops;
 * ms_field_info describes exactly what the checks accept, row by row.
 * Labelled `asan`: this is the core of the ASan+UBSan run, so every object is
 * destroyed and every path exercised must be clean.
 * Thread: the test thread is CT (and RT where it renders).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <float.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <sndfile.h>

#include "test_util.h"

/* The message of the last failure must contain every needle (case-insensitive;
 * for a needle with '_', the same words with spaces also match). */
static void check_msg_(const char *file, int line, const ms_sampler_t *s, const char *what, ...) {
  const char *msg = tu_msg(s);
  printf("    %-40s \"%s\"\n", what, msg);
  tu_checks++;
  if (!msg[0]) {
    tu_fail(file, line, "%s: empty error message", what);
    return;
  }
  va_list ap;
  va_start(ap, what);
  for (const char *n = va_arg(ap, const char *); n; n = va_arg(ap, const char *)) {
    bool found = tu_contains_ci(msg, n);
    if (!found && strchr(n, '_')) {
      char alt[128];
      snprintf(alt, sizeof alt, "%s", n);
      for (char *p = alt; *p; p++)
        if (*p == '_') *p = ' ';
      found = tu_contains_ci(msg, alt);
    }
    if (!found) tu_fail(file, line, "%s: message \"%s\" does not mention \"%s\"", what, msg, n);
  }
  va_end(ap);
}
#define CHECK_MSG(s, what, ...) check_msg_(__FILE__, __LINE__, (s), (what), __VA_ARGS__, (const char *)NULL)

/* Either of two codes (for cases the header leaves open between two). */
#define CHECK_MS_CODE2(s, call, c1, c2)                                                 \
  do {                                                                                  \
    int32_t rc2_ = (call);                                                              \
    tu_checks++;                                                                        \
    if (rc2_ != (c1) && rc2_ != (c2)) tu_fail_ms(__FILE__, __LINE__, #call, (s), rc2_, (c1)); \
  } while (0)

/* ------------------------------------------------------------ strerror -- */
static void test_strerror(void) {
  tu_section("ms_strerror covers every code");
  CHECK(ms_strerror(MS_OK) != NULL);
  const char *unknown = ms_strerror(12345);
  CHECK(tu_contains_ci(unknown, "unknown"));
  for (int32_t c = MS_ERR_INVALID_ARGUMENT; c >= MS_ERR_LAST_CODE; c--) {
    const char *t = ms_strerror(c);
    CHECKF(t && t[0] && strcmp(t, unknown) != 0, "code %d has text \"%s\"", (int)c,
           t ? t : "(null)");
    for (int32_t d = MS_ERR_INVALID_ARGUMENT; d > c; d--)
      CHECKF(!t || strcmp(t, ms_strerror(d)) != 0, "codes %d and %d share \"%s\"", (int)c, (int)d,
             t);
  }
  CHECK(strcmp(ms_strerror(MS_ERR_LAST_CODE - 1), unknown) == 0);
  CHECK(strcmp(ms_strerror(1), unknown) == 0);
  CHECK(strcmp(ms_strerror(INT32_MIN), unknown) == 0);
  CHECK_EQ_INT(ms_version(), (MS_VERSION_MAJOR << 16) | (MS_VERSION_MINOR << 8) | MS_VERSION_PATCH);
}

/* -------------------------------------------------------------- config -- */
static void test_config(void) {
  tu_section("config out of range");
  struct { const char *field; size_t off; uint32_t bad; } cases[] = {
      {"sample_rate", offsetof(ms_audio_config_t, sample_rate), 7999},
      {"sample_rate", offsetof(ms_audio_config_t, sample_rate), 384001},
      {"channels", offsetof(ms_audio_config_t, channels), 33},
      {"max_polyphony", offsetof(ms_audio_config_t, max_polyphony), 4097},
      {"buffer_size", offsetof(ms_audio_config_t, buffer_size), 15},
      {"buffer_size", offsetof(ms_audio_config_t, buffer_size), 8193},
      {"ring_capacity", offsetof(ms_audio_config_t, ring_capacity), 100},
      {"ring_capacity", offsetof(ms_audio_config_t, ring_capacity), 32},
      {"ring_capacity", offsetof(ms_audio_config_t, ring_capacity), 1u << 21},
      {"max_instruments", offsetof(ms_audio_config_t, max_instruments), 4097},
      {"interpolation", offsetof(ms_audio_config_t, interpolation), 3},
      {"flags", offsetof(ms_audio_config_t, flags), 4},
      {"reserved", offsetof(ms_audio_config_t, reserved), 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ms_audio_config_t c;
    memset(&c, 0, sizeof c);
    memcpy((char *)&c + cases[i].off, &cases[i].bad, sizeof(uint32_t));
    ms_sampler_t *s = NULL;
    int32_t rc = ms_sampler_create(&c, &s);
    char what[64], val[16];
    snprintf(what, sizeof what, "config %s = %u", cases[i].field, cases[i].bad);
    snprintf(val, sizeof val, "%u", cases[i].bad);
    tu_checks++;
    if (rc != MS_ERR_OUT_OF_RANGE && !(i == 10 && rc == MS_ERR_INVALID_ARGUMENT))
      tu_fail_ms(__FILE__, __LINE__, what, NULL, rc, MS_ERR_OUT_OF_RANGE);
    if (rc == MS_OK) {
      ms_sampler_destroy(s);
      continue;
    }
    CHECK_MSG(NULL, what, cases[i].field, val);
  }
  /* the edges themselves are fine */
  ms_audio_config_t c = {.sample_rate = 8000, .channels = 1, .max_polyphony = 1,
                         .buffer_size = 16, .ring_capacity = 64, .max_instruments = 1};
  ms_sampler_t *s = NULL;
  CHECK_MS(NULL, ms_sampler_create(&c, &s));
  if (s) {
    ms_audio_config_t eff;
    CHECK_MS(s, ms_sampler_get_config(s, &eff));
    CHECK_EQ_INT(eff.sample_rate, 8000);
    CHECK_EQ_INT(eff.interpolation, MS_INTERP_CUBIC);
    CHECK_EQ_INT(eff.seed, 1);
    ms_sampler_destroy(s);
  }
  ms_audio_config_t big = {.sample_rate = 384000, .channels = 32, .buffer_size = 8192};
  CHECK_MS(NULL, ms_sampler_create(&big, &s));
  if (s) ms_sampler_destroy(s);
  CHECK_MS(NULL, ms_sampler_create(NULL, &s)); /* NULL config: all defaults */
  if (s) {
    ms_audio_config_t eff;
    CHECK_MS(s, ms_sampler_get_config(s, &eff));
    CHECK_EQ_INT(eff.sample_rate, 48000);
    CHECK_EQ_INT(eff.channels, 2);
    CHECK_EQ_INT(eff.max_polyphony, 64);
    CHECK_EQ_INT(eff.buffer_size, 128);
    CHECK_EQ_INT(eff.ring_capacity, 4096);
    CHECK_EQ_INT(eff.max_instruments, 128);
    ms_sampler_destroy(s);
  }
  CHECK_MS_CODE(NULL, ms_sampler_create(NULL, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(NULL, "ms_sampler_create(out NULL)", "null");
}

/* ----------------------------------------------------------- fixtures -- */
typedef struct fx {
  ms_sampler_t *s;
  ms_instrument_t *inst;
  ms_sample_t *smp;
} fx_t;

static bool fx_open(fx_t *f, uint32_t ring_capacity) {
  memset(f, 0, sizeof *f);
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.ring_capacity = ring_capacity;
  REQUIRE_MS(NULL, ms_sampler_create(&c, &f->s), false);
  REQUIRE_MS(f->s, ms_instrument_create(f->s, "piano", &f->inst), false);
  float d[256];
  for (int i = 0; i < 256; i++) d[i] = 0.25f;
  REQUIRE_MS(f->s, ms_sample_create(f->s, d, 256, 1, 48000, &f->smp), false);
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.01f);
  REQUIRE_MS(f->s, ms_instrument_add_zone(f->inst, f->smp, &z, NULL), false);
  REQUIRE_MS(f->s, ms_instrument_commit(f->inst), false);
  return true;
}

static void fx_close(fx_t *f) {
  if (f->smp) ms_sample_destroy(f->smp);
  if (f->s) ms_sampler_destroy(f->s);
  memset(f, 0, sizeof *f);
}

/* -------------------------------------------------------- event values -- */
static void test_event_ranges(void) {
  tu_section("note, velocity, controller, bend, param ranges");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  ms_sampler_t *s = f.s;
  ms_instrument_t *in = f.inst;
  CHECK_MS_CODE(s, ms_note_on(in, 128, 100, NULL), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note 128", "piano", "note", "128");
  CHECK_MS_CODE(s, ms_note_on(in, -1, 100, NULL), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note -1", "piano", "note", "-1");
  CHECK_MS_CODE(s, ms_note_on(in, 60, 128, NULL), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "velocity 128", "piano", "velocity", "128");
  CHECK_MS_CODE(s, ms_note_on(in, 60, -5, NULL), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "velocity -5", "velocity", "-5");
  CHECK_MS_CODE(s, ms_note_on_at(in, 0, 200, 100, NULL), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note_on_at note 200", "note", "200");
  CHECK_MS_CODE(s, ms_note_off(in, 128), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note_off 128", "note", "128");
  CHECK_MS_CODE(s, ms_note_off_at(in, 0, -3), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note_off_at -3", "note", "-3");
  CHECK_MS_CODE(s, ms_cc_at(in, 0, 128, 0), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "cc number 128", "128");
  CHECK_MS_CODE(s, ms_cc_at(in, 0, 1, 128), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "cc value 128", "128");
  CHECK_MS_CODE(s, ms_pitch_bend_at(in, 0, 8192), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "pitch bend 8192", "8192");
  CHECK_MS_CODE(s, ms_pitch_bend_at(in, 0, -8193), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "pitch bend -8193", "-8193");
  CHECK_MS_CODE(s, ms_instrument_set_param_at(in, 0, MS_PARAM_VOLUME_DB, 30), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "volume 30 dB", "30");
  CHECK_MS_CODE(s, ms_instrument_set_param_at(in, 0, MS_PARAM_PITCH_BEND_RANGE, 49),
                MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "bend range 49", "49");
  CHECK_MS_CODE(s, ms_instrument_set_param_at(in, 0, MS_PARAM_PAN, NAN), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "pan NaN", "nan");
  CHECK_MS_CODE2(s, ms_instrument_set_param_at(in, 0, 99, 0), MS_ERR_INVALID_ARGUMENT,
                 MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "param 99", "99");
  CHECK_MS_CODE(s, ms_instrument_set_param_at(in, 0, MS_PARAM_POLYPHONY, 0), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "polyphony 0", "0");
  /* edges are accepted */
  CHECK_MS(s, ms_note_on(in, 127, 127, NULL));
  CHECK_MS(s, ms_note_on(in, 0, 1, NULL));
  CHECK_MS(s, ms_pitch_bend_at(in, 0, -8192));
  CHECK_MS(s, ms_pitch_bend_at(in, 0, 8191));
  CHECK_MS(s, ms_cc_at(in, 0, 127, 127));
  ms_note_params_t p = {.tune_cents = 2401};
  CHECK_MS_CODE(s, ms_note_on(in, 60, 100, &p), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "note params tune 2401 cents", "2401");
  /* sampler-level controls */
  CHECK_MS_CODE(s, ms_sampler_enable_rt(s, 0), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "enable_rt priority 0", "0");
  CHECK_MS_CODE(s, ms_sampler_enable_rt(s, 100), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "enable_rt priority 100", "100");
  CHECK_MS_CODE2(s, ms_sampler_set_interpolation(s, 7), MS_ERR_INVALID_ARGUMENT,
                 MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "set_interpolation 7", "7");
  fx_close(&f);
}

/* ------------------------------------------------------- NULL pointers -- */
static void test_nulls(void) {
  tu_section("NULL handles and pointers");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  ms_sampler_t *s = f.s;
  float buf[64];
  ms_stats_t st;
  ms_sample_info_t info;
  ms_audio_config_t cfg;
  uint64_t frames;
  uint32_t xr;
  /* no sampler to keep the message: the thread's message */
  CHECK_MS_CODE(NULL, ms_process(NULL, buf, 16), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_note_on(NULL, 60, 100, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(NULL, "ms_note_on(NULL instrument)", "null");
  CHECK_MS_CODE(NULL, ms_note_off_at(NULL, 0, 60), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_cc_at(NULL, 0, 1, 1), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_pitch_bend_at(NULL, 0, 0), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_instrument_set_param_at(NULL, 0, MS_PARAM_PAN, 0), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_sample_load(NULL, "x.wav", &f.smp), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(NULL, "ms_sample_load(NULL sampler)", "null");
  CHECK_MS_CODE(NULL, ms_get_stats(NULL, &frames, &xr), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_get_stats_ex(NULL, &st), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_sampler_get_config(NULL, &cfg), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_sample_get_info(NULL, &info), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_instrument_add_zone(NULL, f.smp, NULL, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_instrument_commit(NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_instrument_clear_zones(NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_sampler_collect(NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_all_notes_off_at(NULL, 0), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_push_events(NULL, NULL, 0, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_render_file_write(NULL, 16), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_producer_push(NULL, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(ms_instrument_zone_count(NULL), 0);
  CHECK_EQ_INT(ms_instrument_id(NULL), 0);
  CHECK_EQ_U64(ms_sampler_now(NULL), 0);
  CHECK(ms_sampler_stats_ptr(NULL) == NULL);
  ms_sampler_destroy(NULL);      /* no-ops, no crash */
  ms_instrument_destroy(NULL);
  ms_sample_destroy(NULL);
  ms_producer_destroy(NULL);
  /* a sampler, NULL pointer arguments: the sampler's message */
  /* ms_process is RT: it returns the code but need not format a message */
  CHECK_MS_CODE(s, ms_process(s, NULL, 16), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_sample_load(s, NULL, &f.smp), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "ms_sample_load(path NULL)", "null");
  ms_sample_t *tmp = NULL;
  CHECK_MS_CODE(s, ms_sample_create(s, NULL, 16, 1, 48000, &tmp), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "ms_sample_create(data NULL)", "null");
  CHECK_MS_CODE(s, ms_instrument_add_zone(f.inst, f.smp, NULL, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "add_zone(zone NULL)", "piano", "null");
  CHECK_MS_CODE(s, ms_get_stats_ex(s, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_push_events(s, NULL, 3, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "ms_push_events(events NULL)", "null");
  ms_instrument_t *i2 = NULL;
  CHECK_MS_CODE(s, ms_instrument_create(s, NULL, &i2), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "instrument_create(name NULL)", "name");
  CHECK_MS_CODE(s, ms_instrument_create(s, "", &i2), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "instrument_create(name \"\")", "name");
  char longname[80];
  memset(longname, 'x', 64);
  longname[64] = 0;
  CHECK_MS_CODE(s, ms_instrument_create(s, longname, &i2), MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "instrument_create(64-byte name)", "name", "63");
  CHECK_MS_CODE(s, ms_instrument_create(s, "ok", NULL), MS_ERR_INVALID_ARGUMENT);
  ms_render_file_t *rf = NULL;
  CHECK_MS_CODE(s, ms_render_file_open(s, NULL, MS_FILE_WAV, MS_SAMPLE_PCM16, &rf),
                MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "render_file_open(path NULL)", "null");
  fx_close(&f);
}

/* ------------------------------------------------------------- samples -- */
static void test_sample_files(void) {
  tu_section("sample files: missing, corrupt, truncated, empty");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  ms_sampler_t *s = f.s;
  ms_sample_t *smp = NULL;
  char *missing = tu_path("no-such-sample.wav");
  CHECK_MS_CODE(s, ms_sample_load(s, missing, &smp), MS_ERR_FILE_NOT_FOUND);
  CHECK_MSG(s, "missing file", missing);
  CHECK(smp == NULL);
  /* STYLE.md's own example: Cannot load sample "kick.wav" for instrument "drums": ... */
  CHECK_MS_CODE(s, ms_instrument_load_sample(f.inst, missing, NULL), MS_ERR_FILE_NOT_FOUND);
  CHECK_MSG(s, "load_sample missing file", missing, "piano");
  CHECK_EQ_INT(ms_instrument_zone_count(f.inst), 1); /* nothing added */
  char *nodir = tu_path("no/such/dir/x.wav");
  CHECK_MS_CODE(s, ms_sample_load(s, nodir, &smp), MS_ERR_FILE_NOT_FOUND);
  CHECK_MSG(s, "missing directory", nodir);

  /* garbage with a .wav name */
  char *garbage = tu_path("garbage.wav");
  uint8_t junk[4096];
  tu_rng_t g = {42};
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)tu_rng_next(&g);
  REQUIRE(tu_write_bytes(garbage, junk, sizeof junk), TU_NOTHING);
  CHECK_MS_CODE(s, ms_sample_load(s, garbage, &smp), MS_ERR_FILE_FORMAT);
  CHECK_MSG(s, "garbage .wav", "garbage.wav");
  /* RIFF header but nonsense after it */
  memcpy(junk, "RIFF\x10\x00\x00\x00WAVEjunk", 16);
  char *riffjunk = tu_path("riffjunk.wav");
  REQUIRE(tu_write_bytes(riffjunk, junk, 64), TU_NOTHING);
  CHECK_MS_CODE(s, ms_sample_load(s, riffjunk, &smp), MS_ERR_FILE_FORMAT);
  CHECK_MSG(s, "RIFF header, junk body", "riffjunk.wav");

  /* empty */
  char *empty = tu_path("empty.wav");
  REQUIRE(tu_write_bytes(empty, "", 0), TU_NOTHING);
  CHECK_MS_CODE(s, ms_sample_load(s, empty, &smp), MS_ERR_FILE_FORMAT);
  CHECK_MSG(s, "empty file", "empty.wav", "empty");

  /* a valid WAV cut short: header says 48000 frames, data holds 1000 */
  float *sine = tu_sine(48000, 0.5, 440, 48000);
  char *full = tu_path("full.wav");
  REQUIRE(tu_write_audio(full, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000, sine, 48000, NULL),
          TU_NOTHING);
  free(sine);
  size_t len = 0;
  uint8_t *bytes = tu_read_bytes(full, &len);
  REQUIRE(bytes && len > 44 + 2000, TU_NOTHING);
  CHECK_MS(s, ms_sample_load(s, full, &smp)); /* the intact file loads */
  if (smp) ms_sample_destroy(smp);
  smp = NULL;
  char *trunc = tu_path("truncated.wav");
  REQUIRE(tu_write_bytes(trunc, bytes, 44 + 2000), TU_NOTHING);
  CHECK_MS_CODE(s, ms_sample_load(s, trunc, &smp), MS_ERR_FILE_FORMAT);
  CHECK_MSG(s, "truncated WAV (data cut)", "truncated.wav", "truncated");
  if (smp) ms_sample_destroy(smp);
  smp = NULL;
  char *trunc_hdr = tu_path("truncated-header.wav");
  REQUIRE(tu_write_bytes(trunc_hdr, bytes, 30), TU_NOTHING);
  CHECK_MS_CODE(s, ms_sample_load(s, trunc_hdr, &smp), MS_ERR_FILE_FORMAT);
  CHECK_MSG(s, "truncated WAV (header cut)", "truncated-header.wav");
  free(bytes);

  /* ms_sample_create argument ranges */
  float d[16] = {0};
  CHECK_MS_CODE(s, ms_sample_create(s, d, 16, 3, 48000, &smp), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "sample_create 3 channels", "channels", "3");
  CHECK_MS_CODE(s, ms_sample_create(s, d, 16, 1, 0, &smp), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(s, "sample_create rate 0", "rate", "0");
  CHECK_MS_CODE2(s, ms_sample_create(s, d, 0, 1, 48000, &smp), MS_ERR_OUT_OF_RANGE,
                 MS_ERR_INVALID_ARGUMENT);
  CHECK_MSG(s, "sample_create 0 frames", "frames", "0");
  free(missing);
  free(nodir);
  free(garbage);
  free(riffjunk);
  free(empty);
  free(full);
  free(trunc);
  free(trunc_hdr);
  fx_close(&f);
}

/* --------------------------------------------------------------- zones -- */
static void test_zones(void) {
  tu_section("zones: no sample, wrong sampler, bad fields");
  fx_t a, b;
  if (!fx_open(&a, 0) || !fx_open(&b, 0)) {
    fx_close(&a);
    fx_close(&b);
    return;
  }
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.1f);
  CHECK_MS_CODE(a.s, ms_instrument_add_zone(a.inst, NULL, &z, NULL), MS_ERR_NO_SAMPLE);
  CHECK_MSG(a.s, "zone with NULL sample", "piano");
  CHECK_MS_CODE(a.s, ms_instrument_add_zone(a.inst, b.smp, &z, NULL), MS_ERR_WRONG_SAMPLER);
  CHECK_MSG(a.s, "sample of another sampler", "piano");
  CHECK_EQ_INT(ms_instrument_zone_count(a.inst), 1);

#define BADZONE(what, stmt, needle, code)                                        \
  do {                                                                           \
    ms_zone_t zz = tu_zone_flat(60, MS_LOOP_NONE, 0.1f);                         \
    stmt;                                                                        \
    CHECK_MS_CODE(a.s, ms_instrument_add_zone(a.inst, a.smp, &zz, NULL), code);  \
    CHECK_MSG(a.s, what, needle);                                                \
  } while (0)
  BADZONE("zone hi_key 128", zz.hi_key = 128, "128", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone lo_key 70 > hi_key 60", (zz.lo_key = 70, zz.hi_key = 60), "key", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone hi_vel 200", zz.hi_vel = 200, "200", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone root_key 130", zz.root_key = 130, "130", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone tune 20000 cents", zz.tune_cents = 20000, "20000", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone gain 30 dB", zz.gain_db = 30, "30", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone pan 2", zz.pan = 2, "pan", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone attack -1 s", zz.attack_s = -1, "attack", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone release 61 s", zz.release_s = 61, "release", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone sustain 1.5", zz.sustain = 1.5f, "sustain", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone decay NaN", zz.decay_s = NAN, "decay", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone loop end 1000 > 256 frames",
          (zz.loop_mode = MS_LOOP_FORWARD, zz.loop_start_frames = 10, zz.loop_end_frames = 1000),
          "1000", MS_ERR_OUT_OF_RANGE);
  BADZONE("zone loop start 200 >= end 100",
          (zz.loop_mode = MS_LOOP_FORWARD, zz.loop_start_frames = 200, zz.loop_end_frames = 100),
          "loop", MS_ERR_OUT_OF_RANGE);
  ms_zone_t zz = tu_zone_flat(60, 99, 0.1f);
  CHECK_MS_CODE2(a.s, ms_instrument_add_zone(a.inst, a.smp, &zz, NULL), MS_ERR_INVALID_ARGUMENT,
                 MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(a.s, "zone loop_mode 99", "99");
  CHECK_EQ_INT(ms_instrument_zone_count(a.inst), 1); /* none of those was added */
#undef BADZONE

  /* instrument limit */
  ms_audio_config_t c = {.max_instruments = 2};
  ms_sampler_t *s = NULL;
  CHECK_MS(NULL, ms_sampler_create(&c, &s));
  if (s) {
    ms_instrument_t *i1 = NULL, *i2 = NULL, *i3 = NULL;
    CHECK_MS(s, ms_instrument_create(s, "one", &i1));
    CHECK_MS(s, ms_instrument_create(s, "two", &i2));
    CHECK_MS_CODE(s, ms_instrument_create(s, "three", &i3), MS_ERR_LIMIT);
    CHECK_MSG(s, "third of max_instruments 2", "three", "2");
    CHECK(i3 == NULL);
    ms_sampler_destroy(s);
  }
  fx_close(&a);
  fx_close(&b);
}

/* ------------------------------------------------------------- events -- */
static void test_push_events(void) {
  tu_section("ms_push_events: records checked first, index named");
  fx_t a, b;
  if (!fx_open(&a, 0) || !fx_open(&b, 0)) {
    fx_close(&a);
    fx_close(&b);
    return;
  }
  ms_event_t ev[8];
  memset(ev, 0, sizeof ev);
  for (int i = 0; i < 8; i++) {
    ev[i].frame = (uint64_t)i;
    ev[i].instrument = ms_instrument_id(a.inst);
    ev[i].type = MS_EV_NOTE_ON;
    ev[i].note = 60;
    ev[i].velocity = 100;
  }
  CHECK(ms_instrument_id(a.inst) != 0);
  /* b's first instrument: the same position in its sampler as a's */
  ev[5].instrument = ms_instrument_id(b.inst);
  uint32_t pushed = 99;
  CHECK_MS_CODE(a.s, ms_push_events(a.s, ev, 8, &pushed), MS_ERR_WRONG_SAMPLER);
  CHECK_MSG(a.s, "record 5 of another sampler", "5");
  CHECK_EQ_INT(pushed, 0);
  ev[5].instrument = ms_instrument_id(a.inst);
  ev[3].note = 128;
  CHECK_MS_CODE(a.s, ms_push_events(a.s, ev, 8, &pushed), MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(a.s, "record 3 note 128", "3", "128");
  ev[3].note = 60;
  ev[6].type = 99;
  CHECK_MS_CODE2(a.s, ms_push_events(a.s, ev, 8, &pushed), MS_ERR_INVALID_ARGUMENT,
                 MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(a.s, "record 6 type 99", "6", "99");
  ev[6].type = MS_EV_NOTE_ON;
  ev[2].instrument = 0x7fffffff; /* no such instrument anywhere */
  int32_t rc = ms_push_events(a.s, ev, 8, &pushed);
  CHECKF(rc == MS_ERR_WRONG_SAMPLER || rc == MS_ERR_INVALID_ARGUMENT,
         "unknown instrument id: %d (%s)", (int)rc, ms_strerror(rc));
  CHECK_MSG(a.s, "record 2 unknown instrument", "2");
  /* nothing of the refused batches reached the engine */
  float buf[512 * 2];
  CHECK_MS(a.s, ms_process(a.s, buf, 512));
  CHECK_EQ_U64(tu_first_above(buf, 0, 512, 2, 0), UINT64_MAX);
  ms_stats_t st;
  CHECK_MS(a.s, ms_get_stats_ex(a.s, &st));
  CHECK_EQ_U64(st.events_dropped, 0);
  /* the fixed batch goes in whole */
  ev[2].instrument = ms_instrument_id(a.inst);
  CHECK_MS(a.s, ms_push_events(a.s, ev, 8, &pushed));
  CHECK_EQ_INT(pushed, 8);
  CHECK_MS(a.s, ms_push_events(a.s, ev, 0, &pushed)); /* empty batch is fine */
  CHECK_EQ_INT(pushed, 0);
  fx_close(&a);
  fx_close(&b);
}

static void test_ring_full(void) {
  tu_section("event ring full: RING_FULL, counted, recovers");
  fx_t f;
  if (!fx_open(&f, 64)) {
    fx_close(&f);
    return;
  }
  /* let the commit reach the render thread so the ring is empty */
  float buf[128 * 2];
  CHECK_MS(f.s, ms_process(f.s, buf, 128));
  int ok = 0, full = 0, other = 0;
  for (int i = 0; i < 100; i++) {
    int32_t rc = ms_note_on_at(f.inst, 1000 + (uint64_t)i, 60, 100, NULL);
    if (rc == MS_OK)
      ok++;
    else if (rc == MS_ERR_RING_FULL)
      full++;
    else
      other++;
  }
  printf("    100 pushes into a 64-record ring: %d ok, %d full, %d other\n", ok, full, other);
  CHECK_EQ_INT(other, 0);
  CHECK_LE(ok, 64);
  CHECK(ok >= 60);
  CHECK_EQ_INT(ok + full, 100);
  CHECK_MSG(f.s, "ring full", "full");
  ms_stats_t st;
  CHECK_MS(f.s, ms_get_stats_ex(f.s, &st));
  CHECK_EQ_U64(st.events_dropped, (uint64_t)full);
  /* a batch into the full ring: partial count, the rest dropped */
  ms_event_t ev[10];
  memset(ev, 0, sizeof ev);
  for (int i = 0; i < 10; i++) {
    ev[i].frame = 2000;
    ev[i].instrument = ms_instrument_id(f.inst);
    ev[i].type = MS_EV_NOTE_OFF;
    ev[i].note = 60;
  }
  uint32_t pushed = 99;
  CHECK_MS_CODE(f.s, ms_push_events(f.s, ev, 10, &pushed), MS_ERR_RING_FULL);
  CHECK_EQ_INT(pushed, 0);
  CHECK_MS(f.s, ms_get_stats_ex(f.s, &st));
  CHECK_EQ_U64(st.events_dropped, (uint64_t)full + 10);
  /* rendering drains the ring; pushes work again */
  CHECK_MS(f.s, ms_process(f.s, buf, 128));
  CHECK_MS(f.s, ms_note_on(f.inst, 61, 100, NULL));
  CHECK_MS(f.s, ms_push_events(f.s, ev, 10, &pushed));
  CHECK_EQ_INT(pushed, 10);
  /* partial batch: 100 records into an empty 64-ring */
  CHECK_MS(f.s, ms_process(f.s, buf, 128));
  ms_event_t many[100];
  for (int i = 0; i < 100; i++) many[i] = ev[0];
  CHECK_MS(f.s, ms_get_stats_ex(f.s, &st));
  uint64_t dropped0 = st.events_dropped;
  CHECK_MS_CODE(f.s, ms_push_events(f.s, many, 100, &pushed), MS_ERR_RING_FULL);
  CHECK(pushed >= 60 && pushed <= 64);
  CHECK_MS(f.s, ms_get_stats_ex(f.s, &st));
  CHECK_EQ_U64(st.events_dropped, dropped0 + (100 - pushed));
  fx_close(&f);
}

/* ---------------------------------------------------- message plumbing -- */
static void test_message_buffer(void) {
  tu_section("ms_error_message truncation");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  CHECK_MS_CODE(f.s, ms_note_on(f.inst, 128, 100, NULL), MS_ERR_OUT_OF_RANGE);
  char full[512], small[8];
  uint32_t n = ms_error_message(f.s, full, sizeof full);
  CHECK_EQ_INT(n, strlen(full));
  memset(small, 'Z', sizeof small);
  uint32_t n2 = ms_error_message(f.s, small, sizeof small);
  CHECK_EQ_INT(n2, n);
  CHECK(memchr(small, 0, sizeof small) != NULL);
  CHECK_EQ_INT(strlen(small), sizeof small - 1);
  CHECK(strncmp(small, full, sizeof small - 1) == 0);
  CHECK_EQ_INT(ms_error_message(f.s, NULL, 0), n); /* length only */
  /* a later success does not erase the detail of the last failure */
  CHECK_MS(f.s, ms_note_on(f.inst, 60, 100, NULL));
  CHECK_EQ_INT(ms_error_message(f.s, NULL, 0), n);
  fx_close(&f);
}

static void test_render_file_errors(void) {
  tu_section("render file errors");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  ms_render_file_t *rf = NULL;
  char *bad = tu_path("no/such/dir/out.wav");
  CHECK_MS_CODE(f.s, ms_render_file_open(f.s, bad, MS_FILE_WAV, MS_SAMPLE_PCM16, &rf),
                MS_ERR_FILE_NOT_FOUND);
  CHECK_MSG(f.s, "render to a missing directory", bad);
  char *ok = tu_path("out.flac");
  CHECK_MS_CODE(f.s, ms_render_file_open(f.s, ok, MS_FILE_FLAC, MS_SAMPLE_FLOAT32, &rf),
                MS_ERR_UNSUPPORTED);
  CHECK_MSG(f.s, "FLAC float", "flac");
  CHECK_MS_CODE2(f.s, ms_render_file_open(f.s, ok, 9, MS_SAMPLE_PCM16, &rf),
                 MS_ERR_INVALID_ARGUMENT, MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(f.s, "file format 9", "9");
  CHECK_MS_CODE2(f.s, ms_render_file_open(f.s, ok, MS_FILE_WAV, 9, &rf), MS_ERR_INVALID_ARGUMENT,
                 MS_ERR_OUT_OF_RANGE);
  CHECK_MSG(f.s, "sample format 9", "9");
  CHECK(rf == NULL);
  free(bad);
  free(ok);
  fx_close(&f);
}

/* ------------------------------------------------------ field tables -- */
/* Value just below (dir -1) or above (dir +1) v in the field's own type;
 * false when the type cannot hold it (then no caller can pass it). */
static bool field_step(const ms_field_info_t *fi, double v, int dir, double *out) {
  if (fi->type == MS_FIELD_F32) { /* the next float, skipping subnormals (denormals-are-zero may be on) */
    float x = nextafterf((float)v, dir < 0 ? -INFINITY : INFINITY);
    *out = fabsf(x) < FLT_MIN ? copysignf(FLT_MIN, x) : x;
    return true;
  }
  double lim = fi->type == MS_FIELD_U8 ? 255.0 : 4294967295.0;
  *out = v + dir;
  return *out >= 0.0 && *out <= lim;
}

static void field_store(const ms_field_info_t *fi, void *record, double v) {
  unsigned char *p = (unsigned char *)record + fi->id;
  if (fi->type == MS_FIELD_U8) {
    *p = (uint8_t)v;
  } else if (fi->type == MS_FIELD_U32) {
    uint32_t u = (uint32_t)v;
    memcpy(p, &u, sizeof u);
  } else {
    float x = (float)v;
    memcpy(p, &x, sizeof x);
  }
}

static bool described_accepts(const ms_field_info_t *fi, double v) {
  if ((fi->flags & MS_FIELD_EXTRA) && v == fi->extra) return true;
  if (fi->type == MS_FIELD_F32) return (float)v >= (float)fi->min && (float)v <= (float)fi->max;
  return v >= fi->min && v <= fi->max;
}

/* The other end of a lo/hi pair, by byte offset in ms_zone_t (or SIZE_MAX). */
static size_t zone_partner(uint32_t offset) {
  static const size_t pairs[][2] = {
      {offsetof(ms_zone_t, lo_key), offsetof(ms_zone_t, hi_key)},
      {offsetof(ms_zone_t, lo_vel), offsetof(ms_zone_t, hi_vel)},
      {offsetof(ms_zone_t, lo_chan), offsetof(ms_zone_t, hi_chan)},
      {offsetof(ms_zone_t, sw_lo), offsetof(ms_zone_t, sw_hi)},
      {offsetof(ms_zone_t, lo_rand), offsetof(ms_zone_t, hi_rand)},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    if (pairs[i][0] == offset) return pairs[i][1];
    if (pairs[i][1] == offset) return pairs[i][0];
  }
  return SIZE_MAX;
}

/* Candidates for one row: min, max, just outside both, and the extra value. */
static int field_values(const ms_field_info_t *fi, double *v) {
  int n = 0;
  double x;
  if (!(fi->flags & MS_FIELD_PER_SAMPLE)) { /* the sample and the loop's other end limit these further */
    v[n++] = fi->min;
    v[n++] = fi->max;
  }
  if (field_step(fi, fi->min, -1, &x)) v[n++] = x;
  if (field_step(fi, fi->max, +1, &x) && !(fi->flags & MS_FIELD_PER_SAMPLE)) v[n++] = x;
  if (fi->flags & MS_FIELD_EXTRA) v[n++] = fi->extra;
  if (fi->type == MS_FIELD_F32) v[n++] = NAN;
  return n;
}

static void check_field_rc(const ms_sampler_t *s, const char *table, const ms_field_info_t *fi, double v,
                           int32_t rc) {
  bool want = described_accepts(fi, v);
  int32_t bad = (fi->flags & MS_FIELD_ENUM) ? MS_ERR_INVALID_ARGUMENT : MS_ERR_OUT_OF_RANGE;
  tu_checks++;
  if (want && rc != MS_OK)
    tu_fail(__FILE__, __LINE__, "%s %s %.10g is in the described range %.10g..%.10g but refused: %s", table,
            fi->name, v, fi->min, fi->max, tu_msg(s));
  else if (!want && rc != bad)
    tu_fail(__FILE__, __LINE__, "%s %s %.10g is outside the described range %.10g..%.10g but gave %d", table,
            fi->name, v, fi->min, fi->max, (int)rc);
  else if (!want && !tu_contains_ci(tu_msg(s), fi->name))
    tu_fail(__FILE__, __LINE__, "%s %s %.10g: message \"%s\" does not name the field", table, fi->name, v, tu_msg(s));
}

static void test_field_tables(void) {
  tu_section("ms_field_info: every zone field, note parameter and instrument parameter, at and beyond its range");
  fx_t f;
  if (!fx_open(&f, 0)) {
    fx_close(&f);
    return;
  }
  ms_field_info_t fi;
  CHECK_MS_CODE(NULL, ms_field_info(9, 0, &fi), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_field_info(MS_FIELDS_ZONE, 0, NULL), MS_ERR_INVALID_ARGUMENT);

  ms_zone_t init;
  ms_zone_init(&init);
  uint32_t i = 0, covered = 0;
  for (; ms_field_info(MS_FIELDS_ZONE, i, &fi) == MS_OK; i++) {
    /* ms_zone_init writes the described default, which the checks accept */
    ms_zone_t d;
    memset(&d, 0xa5, sizeof d);
    field_store(&fi, &d, fi.default_value);
    CHECKF(memcmp((char *)&d + fi.id, (char *)&init + fi.id, fi.type == MS_FIELD_U8 ? 1 : 4) == 0,
           "ms_zone_init's %s is not the described default %g", fi.name, fi.default_value);
    CHECKF(described_accepts(&fi, fi.default_value), "zone default of %s is outside its own range", fi.name);
    covered += fi.type == MS_FIELD_U8 ? 1 : 4;
    double v[8];
    int n = field_values(&fi, v);
    for (int k = 0; k < n; k++) {
      ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.1f);
      field_store(&fi, &z, v[k]);
      size_t other = zone_partner(fi.id);
      if (other != SIZE_MAX) { /* keep the pair in order: the partner takes the value, clamped */
        ms_field_info_t pi = fi;
        pi.id = (uint32_t)other;
        double c = v[k] != v[k] ? fi.min : v[k] < fi.min ? fi.min : v[k] > fi.max ? fi.max : v[k];
        field_store(&pi, &z, c);
      }
      uint32_t before = ms_instrument_zone_count(f.inst);
      int32_t rc = ms_instrument_add_zone(f.inst, f.smp, &z, NULL);
      check_field_rc(f.s, "zone", &fi, v[k], rc);
      CHECK_EQ_INT(ms_instrument_zone_count(f.inst), before + (rc == MS_OK ? 1 : 0));
    }
  }
  CHECK_EQ_INT(ms_field_info(MS_FIELDS_ZONE, i, &fi), MS_ERR_OUT_OF_RANGE);
  /* every member has a row (ampeg_dynamic took the last reserved byte) */
  CHECK_EQ_INT(covered, sizeof(ms_zone_t));
  CHECK_MS(f.s, ms_instrument_clear_zones(f.inst));
  ms_zone_t z0 = tu_zone_flat(60, MS_LOOP_FORWARD, 0.01f);
  CHECK_MS(f.s, ms_instrument_add_zone(f.inst, f.smp, &z0, NULL));

  covered = 0;
  for (i = 0; ms_field_info(MS_FIELDS_NOTE, i, &fi) == MS_OK; i++) {
    covered += 4;
    double v[8];
    int n = field_values(&fi, v);
    for (int k = 0; k < n; k++) {
      ms_note_params_t p;
      memset(&p, 0, sizeof p);
      field_store(&fi, &p, v[k]);
      check_field_rc(f.s, "note", &fi, v[k], ms_note_on(f.inst, 60, 100, &p));
    }
  }
  CHECK_EQ_INT(covered, sizeof(ms_note_params_t));

  uint32_t last = 0;
  for (i = 0; ms_field_info(MS_FIELDS_PARAM, i, &fi) == MS_OK; i++) {
    CHECKF(fi.id > last, "parameter %s (%u) is not in rising order", fi.name, fi.id);
    last = fi.id;
    CHECKF(described_accepts(&fi, fi.default_value) || (fi.id == MS_PARAM_POLYPHONY && fi.default_value == 0),
           "parameter %s: default %g outside its range", fi.name, fi.default_value);
    double v[8];
    int n = field_values(&fi, v);
    for (int k = 0; k < n; k++)
      check_field_rc(f.s, "parameter", &fi, v[k], ms_instrument_set_param_at(f.inst, MS_FRAME_NOW, fi.id, (float)v[k]));
  }
  CHECK_EQ_INT(last, MS_PARAM_KEYSWITCH);
  CHECK_MS_CODE(f.s, ms_instrument_set_param_at(f.inst, MS_FRAME_NOW, last + 1, 0), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS(f.s, ms_sampler_collect(f.s));
  float buf[2 * 512];
  CHECK_MS(f.s, ms_process(f.s, buf, 512)); /* drain the ring the walk filled */
  fx_close(&f);
}

int main(void) {
  test_strerror();
  test_config();
  test_event_ranges();
  test_nulls();
  test_sample_files();
  test_zones();
  test_push_events();
  test_ring_full();
  test_message_buffer();
  test_render_file_errors();
  test_field_tables();
  return tu_finish();
}
