/*
 * test_determinism.c — the same events give the same bytes.
 *
 * One event list (notes with per-note params, velocity layers, random
 * alternatives from the seeded generator, controllers, bend, params, steals,
 * all-notes-off) is rendered by two fresh samplers: via ms_process buffers
 * (compared bit for bit) and via ms_render_file_open/write/close into WAV
 * (16, 24-bit, float) and FLAC (16, 24-bit) files (compared byte for byte,
 * read back through libsndfile for format and length, and the float WAV
 * against the ms_process output). FLAC with MS_SAMPLE_FLOAT32 is
 * MS_ERR_UNSUPPORTED.
 * Thread: the test thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include <sndfile.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u
#define TOTAL 48000u /* one second */

typedef struct song {
  ms_sampler_t *s;
  ms_instrument_t *inst[2];
} song_t;

/* Build the sampler and queue every event of the song. */
static bool song_open(song_t *x) {
  memset(x, 0, sizeof *x);
  ms_audio_config_t c = {.sample_rate = RATE, .channels = CH, .max_polyphony = 12,
                         .buffer_size = 96, .seed = 1234};
  REQUIRE_MS(NULL, ms_sampler_create(&c, &x->s), false);
  ms_sampler_t *s = x->s;
  float *sine = tu_sine(RATE, 0.4, 330, RATE);
  float *saw = malloc(sizeof(float) * 2 * 4800);
  for (int i = 0; i < 4800; i++) {
    saw[2 * i] = (float)((i % 97) / 97.0 - 0.5) * 0.5f;
    saw[2 * i + 1] = (float)((i % 61) / 61.0 - 0.5) * 0.5f;
  }
  ms_sample_t *a = NULL, *b = NULL;
  REQUIRE_MS(s, ms_sample_create(s, sine, RATE, 1, RATE, &a), false);
  REQUIRE_MS(s, ms_sample_create(s, saw, 4800, 2, 44100, &b), false);
  free(sine);
  free(saw);
  REQUIRE_MS(s, ms_instrument_create(s, "keys", &x->inst[0]), false);
  REQUIRE_MS(s, ms_instrument_create(s, "kit", &x->inst[1]), false);
  ms_zone_t z;
  ms_zone_init(&z);
  z.loop_mode = MS_LOOP_FORWARD;
  z.attack_s = 0.01f;
  z.decay_s = 0.3f;
  z.sustain = 0.5f;
  z.release_s = 0.2f;
  z.hi_vel = 80;
  REQUIRE_MS(s, ms_instrument_add_zone(x->inst[0], a, &z, NULL), false);
  z.lo_vel = 81;
  z.hi_vel = 127;
  z.tune_cents = 5;
  REQUIRE_MS(s, ms_instrument_add_zone(x->inst[0], b, &z, NULL), false);
  ms_zone_t d;
  ms_zone_init(&d);
  d.loop_mode = MS_LOOP_ONE_SHOT;
  d.alt_group = 3;
  d.alt_mode = MS_ALT_RANDOM;
  REQUIRE_MS(s, ms_instrument_add_zone(x->inst[1], a, &d, NULL), false);
  d.pan = 0.7f;
  REQUIRE_MS(s, ms_instrument_add_zone(x->inst[1], b, &d, NULL), false);
  d.pan = -0.7f;
  d.gain_db = -6;
  REQUIRE_MS(s, ms_instrument_add_zone(x->inst[1], b, &d, NULL), false);
  ms_sample_destroy(a);
  ms_sample_destroy(b);
  REQUIRE_MS(s, ms_instrument_commit(x->inst[0]), false);
  REQUIRE_MS(s, ms_instrument_commit(x->inst[1]), false);

  tu_rng_t g = {777};
  for (int k = 0; k < 60; k++) {
    uint64_t at = tu_rng_below(&g, TOTAL - 2000);
    int note = 40 + (int)tu_rng_below(&g, 40);
    ms_note_params_t p = {.gain_db = -(float)tu_rng_below(&g, 6), .pan = 0.1f * (float)(k % 5 - 2),
                          .tune_cents = (float)tu_rng_below(&g, 50),
                          .start_offset_frames = tu_rng_below(&g, 200)};
    REQUIRE_MS(s, ms_note_on_at(x->inst[k & 1], at, note, 1 + (int)tu_rng_below(&g, 127), &p),
               false);
    REQUIRE_MS(s, ms_note_off_at(x->inst[k & 1], at + 500 + tu_rng_below(&g, 5000), note), false);
  }
  REQUIRE_MS(s, ms_cc_at(x->inst[0], 9000, 1, 100), false);
  REQUIRE_MS(s, ms_cc_at(x->inst[0], 12000, 64, 127), false);
  REQUIRE_MS(s, ms_cc_at(x->inst[0], 30000, 64, 0), false);
  REQUIRE_MS(s, ms_cc_at(x->inst[1], 15000, 7, 90), false);
  REQUIRE_MS(s, ms_cc_at(x->inst[1], 16000, 10, 20), false);
  REQUIRE_MS(s, ms_pitch_bend_at(x->inst[0], 20000, 3000), false);
  REQUIRE_MS(s, ms_pitch_bend_at(x->inst[0], 25000, -5000), false);
  REQUIRE_MS(s, ms_instrument_set_param_at(x->inst[1], 18000, MS_PARAM_VOLUME_DB, -3), false);
  REQUIRE_MS(s, ms_instrument_set_param_at(x->inst[0], 22000, MS_PARAM_PAN, 0.4f), false);
  REQUIRE_MS(s, ms_all_notes_off_at(s, 40000), false);
  return true;
}

static void song_close(song_t *x) {
  if (x->s) ms_sampler_destroy(x->s);
  memset(x, 0, sizeof *x);
}

static float *render_buffers(void) {
  song_t x;
  float *out = calloc((size_t)TOTAL * CH, sizeof(float));
  if (song_open(&x)) {
    /* an uneven call pattern, the same both times */
    static const uint32_t sizes[] = {128, 1, 333, 96, 1000, 7};
    uint32_t done = 0;
    for (int k = 0; done < TOTAL; k++) {
      uint32_t n = sizes[k % 6];
      if (n > TOTAL - done) n = TOTAL - done;
      CHECK_MS(x.s, ms_process(x.s, out + (size_t)done * CH, n));
      done += n;
    }
  }
  song_close(&x);
  return out;
}

static bool render_file(const char *path, uint32_t file_format, uint32_t sample_format,
                        float *peak) {
  song_t x;
  bool ok = false;
  if (song_open(&x)) {
    ms_render_file_t *rf = NULL;
    CHECK_MS(x.s, ms_render_file_open(x.s, path, file_format, sample_format, &rf));
    if (rf) {
      uint32_t done = 0;
      static const uint32_t sizes[] = {4096, 100, 12000, 1};
      for (int k = 0; done < TOTAL; k++) {
        uint32_t n = sizes[k % 4];
        if (n > TOTAL - done) n = TOTAL - done;
        CHECK_MS(x.s, ms_render_file_write(rf, n));
        done += n;
      }
      *peak = ms_render_file_peak(rf);
      int32_t rc = ms_render_file_close(rf);
      CHECK_MS(x.s, rc);
      ok = rc == MS_OK;
    }
  }
  song_close(&x);
  return ok;
}

int main(void) {
  tu_section("ms_process twice");
  float *a = render_buffers(), *b = render_buffers();
  CHECK(tu_peak(a, TOTAL, CH, 0) > 0.05);
  size_t diff = 0;
  while (diff < (size_t)TOTAL * CH && memcmp(&a[diff], &b[diff], sizeof(float)) == 0) diff++;
  CHECKF(diff == (size_t)TOTAL * CH, "renders differ first at sample %zu (frame %zu): %.9g vs %.9g",
         diff, diff / CH, diff < (size_t)TOTAL * CH ? a[diff] : 0.0,
         diff < (size_t)TOTAL * CH ? b[diff] : 0.0);
  free(b);

  static const struct { const char *name; uint32_t ff, sf; int sndfile_format; } files[] = {
      {"out16.wav", MS_FILE_WAV, MS_SAMPLE_PCM16, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"out24.wav", MS_FILE_WAV, MS_SAMPLE_PCM24, SF_FORMAT_WAV | SF_FORMAT_PCM_24},
      {"outf.wav", MS_FILE_WAV, MS_SAMPLE_FLOAT32, SF_FORMAT_WAV | SF_FORMAT_FLOAT},
      {"out16.flac", MS_FILE_FLAC, MS_SAMPLE_PCM16, SF_FORMAT_FLAC | SF_FORMAT_PCM_16},
      {"out24.flac", MS_FILE_FLAC, MS_SAMPLE_PCM24, SF_FORMAT_FLAC | SF_FORMAT_PCM_24},
  };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    tu_section(files[i].name);
    char n1[64], n2[64];
    snprintf(n1, sizeof n1, "1-%s", files[i].name);
    snprintf(n2, sizeof n2, "2-%s", files[i].name);
    char *p1 = tu_path(n1), *p2 = tu_path(n2);
    float peak1 = 0, peak2 = 0;
    bool ok = render_file(p1, files[i].ff, files[i].sf, &peak1) &&
              render_file(p2, files[i].ff, files[i].sf, &peak2);
    if (ok) {
      CHECKF(tu_files_equal(p1, p2), "%s: two renders are not byte-identical", files[i].name);
      CHECK(peak1 > 0.05f);
      CHECK(memcmp(&peak1, &peak2, sizeof peak1) == 0);
      SF_INFO info;
      memset(&info, 0, sizeof info);
      SNDFILE *f = sf_open(p1, SFM_READ, &info);
      CHECKF(f != NULL, "%s: libsndfile cannot read it: %s", files[i].name, sf_strerror(NULL));
      if (f) {
        CHECK_EQ_INT(info.format, files[i].sndfile_format);
        CHECK_EQ_INT(info.channels, CH);
        CHECK_EQ_INT(info.samplerate, RATE);
        CHECK_EQ_U64(info.frames, TOTAL);
        float *back = calloc((size_t)TOTAL * CH, sizeof(float));
        CHECK_EQ_U64(sf_readf_float(f, back, TOTAL), TOTAL);
        /* the file holds what ms_process renders, to the format's precision */
        double tol = files[i].sf == MS_SAMPLE_FLOAT32 ? 0.0
                     : files[i].sf == MS_SAMPLE_PCM24 ? 1.0 / 4194304 : 1.0 / 16384;
        double maxd = 0;
        for (size_t k = 0; k < (size_t)TOTAL * CH; k++) {
          if (fabsf(a[k]) >= 0.99f) continue; /* integer formats clip */
          double dd = fabs((double)back[k] - (double)a[k]);
          if (dd > maxd) maxd = dd;
        }
        CHECKF(maxd <= tol, "%s: differs from the ms_process render by %.3g (tolerance %.3g)",
               files[i].name, maxd, tol);
        CHECK_NEAR(peak1, tu_peak(a, TOTAL, CH, 0) > tu_peak(a, TOTAL, CH, 1)
                              ? tu_peak(a, TOTAL, CH, 0) : tu_peak(a, TOTAL, CH, 1),
                   1e-6);
        free(back);
        sf_close(f);
      }
    }
    free(p1);
    free(p2);
  }

  tu_section("FLAC float is unsupported");
  song_t x;
  if (song_open(&x)) {
    char *p = tu_path("float.flac");
    ms_render_file_t *rf = NULL;
    CHECK_MS_CODE(x.s, ms_render_file_open(x.s, p, MS_FILE_FLAC, MS_SAMPLE_FLOAT32, &rf),
                  MS_ERR_UNSUPPORTED);
    CHECK(rf == NULL);
    free(p);
  }
  song_close(&x);
  free(a);
  return tu_finish();
}
