/*
 * test_samples.c — loading audio files into samples.
 *
 * Files are generated with libsndfile: WAV (16/24-bit, float), AIFF, FLAC
 * (16/24) and OGG/Vorbis, mono (1 kHz sine) and stereo (1 kHz left, 1.5 kHz
 * right), at 48000 and at other rates (22050, 44100, 96000). Each must load
 * with the right info (frames, channels, rate, no loop, root 60), keep its
 * channels apart, play at the right pitch in a 48 kHz (and a 44.1 kHz)
 * sampler, and for lossless formats reproduce the waveform. A WAV smpl loop
 * comes back through ms_sample_get_info end-exclusive, exactly as libsndfile
 * reports it. ms_instrument_load_sample (the one-call path) honours its
 * metadata.
 * Thread: the test thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include <sndfile.h>

#include "test_util.h"

#define FL 1000.0 /* left / mono sine */
#define FR 1500.0 /* right sine */

typedef struct fmt {
  const char *name, *ext;
  int format;
  double max_err; /* waveform fit error bound at the native rate */
} fmt_t;

static const fmt_t formats[] = {
    {"WAV 16-bit", "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1e-3},
    {"WAV 24-bit", "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1e-4},
    {"WAV float", "wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1e-4},
    {"AIFF 16-bit", "aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1e-3},
    {"FLAC 16-bit", "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1e-3},
    {"FLAC 24-bit", "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1e-4},
    {"OGG Vorbis", "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.05},
};

static float *make_signal(uint32_t channels, uint32_t rate, uint64_t frames) {
  float *p = calloc(frames * channels, sizeof(float));
  tu_fill_sine(p, frames, channels, 0, 0.5, FL, rate);
  if (channels == 2) tu_fill_sine(p, frames, channels, 1, 0.4, FR, rate);
  return p;
}

/* Play sample at its root in a sampler at out_rate; check pitch per channel
 * and (when max_err > 0) the waveform against the analytic sine. */
static void check_playback(const char *what, ms_sampler_t *s, ms_sample_t *smp, uint32_t out_rate,
                           uint32_t file_channels, double max_err) {
  ms_instrument_t *inst = NULL;
  CHECK_MS(s, ms_instrument_create(s, "player", &inst));
  if (!inst) return;
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.01f);
  CHECK_MS(s, ms_instrument_add_zone(inst, smp, &z, NULL));
  CHECK_MS(s, ms_instrument_commit(inst));
  uint64_t t0 = ms_sampler_now(s);
  CHECK_MS(s, ms_note_on_at(inst, t0, 60, 127, NULL));
  const uint64_t n = out_rate / 5; /* 0.2 s; the files hold 0.5 s */
  float *o = calloc(n * 2, sizeof(float));
  CHECK_MS(s, tu_render(s, o, n, 2, 256));
  for (uint32_t c = 0; c < 2; c++) {
    double expect = (file_channels == 2 && c == 1) ? FR : FL;
    double f = tu_freq_zc(o, 256, n, 2, c, out_rate);
    CHECKF(fabs(f / expect - 1) < 0.001, "%s, channel %u, %u Hz sampler: %.3f Hz, expected %.0f",
           what, c, out_rate, f, expect);
    if (max_err > 0) {
      double e = tu_sine_fit_error(o, 512, n, 2, c, 2 * M_PI * expect / out_rate);
      CHECKF(e <= max_err, "%s, channel %u: waveform error %.3g > %.3g", what, c, e, max_err);
    }
  }
  CHECK_MS(s, ms_all_sound_off_at(s, MS_FRAME_NOW));
  CHECK_MS(s, tu_render(s, o, 1024, 2, 256));
  free(o);
  ms_instrument_destroy(inst);
}

static void test_formats(void) {
  const uint32_t rates[] = {48000, 44100, 22050, 96000};
  for (size_t fi = 0; fi < sizeof formats / sizeof *formats; fi++) {
    tu_section(formats[fi].name);
    for (uint32_t ch = 1; ch <= 2; ch++) {
      for (size_t ri = 0; ri < sizeof rates / sizeof *rates; ri++) {
        uint32_t rate = rates[ri];
        /* every format at 48 kHz; the rate variants for a subset */
        if (ri > 0 && !(fi == 0 || fi == 4 || (fi == 6 && rate == 44100))) continue;
        char name[64], what[128];
        snprintf(name, sizeof name, "s%zu_%u_%u.%s", fi, ch, rate, formats[fi].ext);
        snprintf(what, sizeof what, "%s %s %u Hz", formats[fi].name, ch == 1 ? "mono" : "stereo",
                 rate);
        char *path = tu_path(name);
        uint64_t frames = rate / 2;
        float *sig = make_signal(ch, rate, frames);
        if (!tu_write_audio(path, formats[fi].format, ch, rate, sig, frames, NULL)) {
          tu_fail(__FILE__, __LINE__, "cannot write %s", what);
          free(sig);
          free(path);
          continue;
        }
        free(sig);
        for (int srate = 0; srate < 2; srate++) {
          uint32_t out_rate = srate ? 44100 : 48000;
          if (srate && !(fi == 0 && rate == 48000)) continue;
          ms_sampler_t *s = tu_sampler(out_rate, 2, 0);
          if (!s) break;
          ms_sample_t *smp = NULL;
          CHECK_MS(s, ms_sample_load(s, path, &smp));
          if (smp) {
            ms_sample_info_t info;
            memset(&info, 0xAB, sizeof info);
            CHECK_MS(s, ms_sample_get_info(smp, &info));
            CHECKF(info.frames == frames, "%s: %llu frames, wrote %llu", what,
                   (unsigned long long)info.frames, (unsigned long long)frames);
            CHECK_EQ_INT(info.channels, ch);
            CHECK_EQ_INT(info.sample_rate, rate);
            CHECK_EQ_INT(info.has_loop, 0);
            CHECK_EQ_INT(info.root_key, 60);
            CHECK(info.bytes >= info.frames * ch * sizeof(float));
            /* waveform check only where no resampling is involved */
            double max_err = (rate == out_rate) ? formats[fi].max_err : 0;
            check_playback(what, s, smp, out_rate, ch, max_err);
            ms_sample_destroy(smp);
          }
          ms_sampler_destroy(s);
        }
        free(path);
      }
    }
  }
}

static void test_smpl_loop(void) {
  tu_section("WAV smpl loop and root key");
  const uint32_t rate = 48000;
  float *sig = make_signal(1, rate, 24000);
  const tu_loop_t loops[] = {{1000, 5000, 64}, {0, 24000, 60}, {480, 4800, 48}};
  for (size_t i = 0; i < sizeof loops / sizeof *loops; i++) {
    char name[32];
    snprintf(name, sizeof name, "loop%zu.wav", i);
    char *path = tu_path(name);
    if (!tu_write_audio(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, rate, sig, 24000, &loops[i])) {
      tu_fail(__FILE__, __LINE__, "cannot write %s", path);
      free(path);
      continue;
    }
    tu_loop_t ref;
    REQUIRE(tu_read_loop(path, &ref), TU_NOTHING); /* libsndfile's view: end exclusive */
    ms_sampler_t *s = tu_sampler(rate, 2, 0);
    ms_sample_t *smp = NULL;
    if (s) CHECK_MS(s, ms_sample_load(s, path, &smp));
    if (smp) {
      ms_sample_info_t info;
      CHECK_MS(s, ms_sample_get_info(smp, &info));
      CHECK_EQ_INT(info.has_loop, 1);
      CHECK_EQ_INT(info.loop_start_frames, ref.start);
      CHECK_EQ_INT(info.loop_end_frames, ref.end);
      CHECK_EQ_INT(info.loop_end_frames, loops[i].end);
      CHECK_EQ_INT(info.root_key, loops[i].root_key);
      /* the file's root key: the sample plays unpitched at it via load_sample */
      ms_instrument_t *inst = NULL;
      CHECK_MS(s, ms_instrument_create(s, "looped", &inst));
      ms_sample_metadata_t meta;
      memset(&meta, 0, sizeof meta);
      meta.root_note = (uint8_t)loops[i].root_key;
      CHECK_MS(s, ms_instrument_load_sample(inst, path, &meta));
      CHECK_MS(s, ms_instrument_commit(inst));
      CHECK_MS(s, ms_note_on_at(inst, 0, (int)loops[i].root_key, 127, NULL));
      /* render well past the file's end: the loop keeps it sounding */
      const uint64_t n = 3 * 24000;
      float *o = calloc(n * 2, sizeof(float));
      CHECK_MS(s, tu_render(s, o, n, 2, 512));
      CHECKF(tu_peak(o + (n - 4800) * 2, 4800, 2, 0) > 0.1,
             "loop %zu: silent after the file's end (loop not used)", i);
      double f = tu_freq_zc(o, 256, 4000, 2, 0, rate);
      CHECKF(fabs(f / FL - 1) < 0.001, "loop %zu: %.3f Hz at the file's root key", i, f);
      free(o);
      ms_sample_destroy(smp);
    }
    if (s) ms_sampler_destroy(s);
    free(path);
  }
  free(sig);
}

static void test_load_sample_meta(void) {
  tu_section("ms_instrument_load_sample metadata");
  char *path = tu_path("plain.wav");
  float *sig = make_signal(1, 48000, 24000);
  REQUIRE(tu_write_audio(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000, sig, 24000, NULL),
          TU_NOTHING);
  free(sig);
  struct { const char *what; bool use_meta; uint8_t root, lo, hi; int note; double expect; } cases[] = {
      {"meta NULL, note 60", false, 0, 0, 0, 60, FL},
      {"meta NULL, note 72", false, 0, 0, 0, 72, 2 * FL},
      {"root 72, note 72", true, 72, 0, 0, 72, FL},
      {"root 72, note 60", true, 72, 0, 0, 60, FL / 2},
      {"keys 70..74, note 60", true, 72, 70, 74, 60, 0},
      {"keys 70..74, note 74", true, 72, 70, 74, 74, FL * pow(2, 2 / 12.0)},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ms_sampler_t *s = tu_sampler(48000, 2, 0);
    if (!s) break;
    ms_instrument_t *inst = NULL;
    CHECK_MS(s, ms_instrument_create(s, "one-call", &inst));
    ms_sample_metadata_t meta;
    memset(&meta, 0, sizeof meta);
    meta.root_note = cases[i].root;
    meta.lo_key = cases[i].lo;
    meta.hi_key = cases[i].hi;
    meta.loop_mode = MS_LOOP_NONE;
    CHECK_MS(s, ms_instrument_load_sample(inst, path, cases[i].use_meta ? &meta : NULL));
    CHECK_EQ_INT(ms_instrument_zone_count(inst), 1);
    CHECK_MS(s, ms_instrument_commit(inst));
    CHECK_MS(s, ms_note_on_at(inst, 0, cases[i].note, 127, NULL));
    float o[6000 * 2];
    CHECK_MS(s, tu_render(s, o, 6000, 2, 256));
    if (cases[i].expect == 0) {
      CHECKF(tu_peak(o, 6000, 2, 0) == 0, "%s: sounds outside its key range", cases[i].what);
    } else {
      double f = tu_freq_zc(o, 256, 6000, 2, 0, 48000);
      CHECKF(fabs(f / cases[i].expect - 1) < 0.001, "%s: %.3f Hz, expected %.3f", cases[i].what,
             f, cases[i].expect);
    }
    ms_sampler_destroy(s);
  }
  free(path);
}

static void test_sample_create_info(void) {
  tu_section("ms_sample_create info");
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  if (!s) return;
  float d[300 * 2] = {0};
  ms_sample_t *smp = NULL;
  CHECK_MS(s, ms_sample_create(s, d, 300, 2, 32000, &smp));
  if (smp) {
    ms_sample_info_t info;
    CHECK_MS(s, ms_sample_get_info(smp, &info));
    CHECK_EQ_U64(info.frames, 300);
    CHECK_EQ_INT(info.channels, 2);
    CHECK_EQ_INT(info.sample_rate, 32000);
    CHECK_EQ_INT(info.has_loop, 0);
    CHECK_EQ_INT(info.root_key, 60);
    ms_sample_destroy(smp);
  }
  ms_sampler_destroy(s);
}

int main(void) {
  test_formats();
  test_smpl_loop();
  test_load_sample_meta();
  test_sample_create_info();
  return tu_finish();
}
