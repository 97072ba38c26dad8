/*
 * test_fuzz_files.c — damaged audio files never crash the loader.
 *
 * Real files (WAV 16-bit with a smpl loop, WAV 24-bit stereo, WAV float,
 * FLAC, AIFF) are written with libsndfile, then mutated deterministically
 * (fixed-seed PRNG): truncations, bit flips anywhere and in the header,
 * garbage runs, extreme 32-bit header fields, inserted and deleted bytes.
 * Each case goes to ms_sample_load and must either load (with sane info: 1 or
 * 2 channels, a rate, a loop inside the data) or fail with
 * MS_ERR_FILE_FORMAT / MS_ERR_FILE_NOT_FOUND and a message. Loaded cases are
 * also played for a few blocks. Under ASan+UBSan (label `asan`) this is
 * where out-of-bounds reads in the decoding path would show.
 * Thread: the test thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include <sndfile.h>

#include "test_util.h"

#define CASES_PER_BASE 64

typedef struct base {
  const char *name, *ext;
  int format;
  uint32_t channels;
  bool loop;
  uint8_t *bytes;
  size_t len;
} base_t;

static base_t bases[] = {
    {"wav16-loop", "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, true, NULL, 0},
    {"wav24-stereo", "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, false, NULL, 0},
    {"wav-float", "wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, true, NULL, 0},
    {"flac16", "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, false, NULL, 0},
    {"aiff16", "aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1, false, NULL, 0},
};

static bool make_bases(void) {
  const uint64_t frames = 2000;
  float *sig = calloc(frames * 2, sizeof(float));
  tu_fill_sine(sig, frames, 2, 0, 0.5, 440, 48000);
  tu_fill_sine(sig, frames, 2, 1, 0.3, 660, 48000);
  float *mono = tu_sine(frames, 0.5, 440, 48000);
  for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
    char name[64];
    snprintf(name, sizeof name, "base-%s.%s", bases[i].name, bases[i].ext);
    char *path = tu_path(name);
    tu_loop_t lp = {100, 1900, 60};
    bool ok = tu_write_audio(path, bases[i].format, bases[i].channels, 48000,
                             bases[i].channels == 2 ? sig : mono, frames,
                             bases[i].loop ? &lp : NULL);
    REQUIRE(ok, false);
    bases[i].bytes = tu_read_bytes(path, &bases[i].len);
    REQUIRE(bases[i].bytes && bases[i].len > 64, false);
    free(path);
  }
  free(sig);
  free(mono);
  return true;
}

/* Mutation k of a base; returns a fresh buffer and its length. */
static uint8_t *mutate(const base_t *b, int k, tu_rng_t *g, size_t *out_len, char *desc,
                       size_t desc_cap) {
  size_t len = b->len;
  uint8_t *p = malloc(len + 64);
  memcpy(p, b->bytes, len);
  size_t hdr = len < 128 ? len : 128; /* where the chunk headers live */
  switch (k % 8) {
    case 0: { /* truncate anywhere */
      size_t n = tu_rng_below(g, (uint32_t)len);
      snprintf(desc, desc_cap, "truncated to %zu of %zu bytes", n, len);
      len = n;
      break;
    }
    case 1: { /* truncate inside the header */
      size_t n = tu_rng_below(g, (uint32_t)hdr);
      snprintf(desc, desc_cap, "truncated in the header to %zu bytes", n);
      len = n;
      break;
    }
    case 2: { /* flip 1..8 bits anywhere */
      int n = 1 + (int)tu_rng_below(g, 8);
      for (int i = 0; i < n; i++) p[tu_rng_below(g, (uint32_t)len)] ^= (uint8_t)(1u << tu_rng_below(g, 8));
      snprintf(desc, desc_cap, "%d bit flips", n);
      break;
    }
    case 3: { /* flip 1..4 bits in the header */
      int n = 1 + (int)tu_rng_below(g, 4);
      size_t first = 0;
      for (int i = 0; i < n; i++) {
        size_t at = tu_rng_below(g, (uint32_t)hdr);
        if (!i) first = at;
        p[at] ^= (uint8_t)(1u << tu_rng_below(g, 8));
      }
      snprintf(desc, desc_cap, "%d header bit flips (first at byte %zu)", n, first);
      break;
    }
    case 4: { /* a run of garbage */
      size_t at = tu_rng_below(g, (uint32_t)len), n = 1 + tu_rng_below(g, 64);
      if (at + n > len) n = len - at;
      for (size_t i = 0; i < n; i++) p[at + i] = (uint8_t)tu_rng_next(g);
      snprintf(desc, desc_cap, "%zu garbage bytes at %zu", n, at);
      break;
    }
    case 5: { /* an extreme 32-bit value over a header field (sizes, counts, rates) */
      static const uint32_t extremes[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu,
                                          0xfffffffeu, 0x10000u, 3};
      size_t at = tu_rng_below(g, (uint32_t)(hdr - 4));
      uint32_t v = extremes[tu_rng_below(g, 8)];
      memcpy(p + at, &v, 4);
      snprintf(desc, desc_cap, "0x%08x written at byte %zu", v, at);
      break;
    }
    case 6: { /* insert bytes (shifts every later chunk) */
      size_t at = tu_rng_below(g, (uint32_t)hdr), n = 1 + tu_rng_below(g, 32);
      memmove(p + at + n, p + at, len - at);
      for (size_t i = 0; i < n; i++) p[at + i] = (uint8_t)tu_rng_next(g);
      len += n;
      snprintf(desc, desc_cap, "%zu bytes inserted at %zu", n, at);
      break;
    }
    default: { /* delete bytes */
      size_t at = tu_rng_below(g, (uint32_t)hdr), n = 1 + tu_rng_below(g, 32);
      if (at + n > len) n = len - at;
      memmove(p + at, p + at + n, len - at - n);
      len -= n;
      snprintf(desc, desc_cap, "%zu bytes deleted at %zu", n, at);
      break;
    }
  }
  *out_len = len;
  return p;
}

/*
 * Inputs fuzz_sample_load found (docs/architecture.md "Fuzzing"), each
 * refused with MS_ERR_FILE_FORMAT and a message naming the file.
 */
static const struct regression {
  const char *name, *why, *says;
  uint8_t bytes[64];
  size_t len;
} regressions[] = {
    /* 44 bytes whose FLAC STREAMINFO claims ~1.1e9 frames: the buffer was sized
     * from the claim (gigabytes, locked in RAM when the sampler locks memory) */
    {"huge-claim.flac", "FLAC header claiming 1.1e9 frames", "header promises",
     {0x66, 0x4c, 0x61, 0x43, 0x00, 0x00, 0x00, 0x22, 0x10, 0x00, 0x10, 0x00, 0x00, 0x01, 0xe0,
      0x00, 0x01, 0xc4, 0x21, 0xb0, 0x02, 0xf0, 0x63, 0x08, 0xa8, 0x02, 0x00, 0x00, 0xa9, 0x00,
      0x22, 0x10, 0x00, 0x10, 0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x40, 0x91, 0x21, 0x61},
     44},
};

static void check_regressions(ms_sampler_t *s) {
  tu_section("regressions found by fuzz_sample_load");
  for (size_t i = 0; i < sizeof regressions / sizeof *regressions; i++) {
    const struct regression *r = &regressions[i];
    char *path = tu_path(r->name);
    if (!tu_write_bytes(path, r->bytes, r->len)) {
      tu_fail(__FILE__, __LINE__, "cannot write %s", path);
      free(path);
      continue;
    }
    ms_sample_t *smp = NULL;
    int32_t rc = ms_sample_load(s, path, &smp);
    const char *msg = tu_msg(s);
    CHECKF(rc == MS_ERR_FILE_FORMAT && !smp && strstr(msg, r->name) && strstr(msg, r->says),
           "%s (%s): ms_sample_load returned %d (%s): \"%s\"", r->name, r->why, (int)rc,
           ms_strerror(rc), msg);
    if (smp) ms_sample_destroy(smp);
    free(path);
  }
}

int main(void) {
  if (!make_bases()) return tu_finish();
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  if (!s) return tu_finish();
  ms_instrument_t *inst = NULL;
  CHECK_MS(s, ms_instrument_create(s, "fuzz", &inst));
  if (!inst) return tu_finish();
  check_regressions(s);
  tu_rng_t g = {0xF022F11E5ull};
  int loaded = 0, refused = 0, total = 0;
  float buf[512 * 2];
  for (size_t bi = 0; bi < sizeof bases / sizeof *bases; bi++) {
    tu_section(bases[bi].name);
    for (int k = 0; k < CASES_PER_BASE; k++) {
      char desc[128], name[64];
      size_t len = 0;
      uint8_t *p = mutate(&bases[bi], k, &g, &len, desc, sizeof desc);
      snprintf(name, sizeof name, "fuzz-%s-%02d.%s", bases[bi].name, k, bases[bi].ext);
      char *path = tu_path(name);
      REQUIRE(tu_write_bytes(path, p, len), tu_finish());
      free(p);
      total++;
      ms_sample_t *smp = NULL;
      int32_t rc = ms_sample_load(s, path, &smp);
      tu_checks++;
      if (rc == MS_OK && smp) {
        loaded++;
        ms_sample_info_t info;
        CHECK_MS(s, ms_sample_get_info(smp, &info));
        bool sane = (info.channels == 1 || info.channels == 2) && info.sample_rate > 0 &&
                    info.frames > 0 &&
                    (!info.has_loop || (info.loop_start_frames < info.loop_end_frames &&
                                        info.loop_end_frames <= info.frames));
        CHECKF(sane,
               "%s (%s): loaded with frames %llu, channels %u, rate %u, loop %u [%u, %u)", name,
               desc, (unsigned long long)info.frames, info.channels, info.sample_rate,
               info.has_loop, info.loop_start_frames, info.loop_end_frames);
        /* play it: loop auto, loop forward, and from an offset past the end
         * (note params offsets are clamped to the sample) */
        CHECK_MS(s, ms_instrument_clear_zones(inst));
        ms_zone_t z;
        ms_zone_init(&z);
        z.hi_key = 90;
        CHECK_MS(s, ms_instrument_add_zone(inst, smp, &z, NULL));
        z.lo_key = 91;
        z.hi_key = 127;
        z.loop_mode = MS_LOOP_FORWARD;
        CHECK_MS(s, ms_instrument_add_zone(inst, smp, &z, NULL));
        CHECK_MS(s, ms_instrument_commit(inst));
        ms_note_params_t far = {.start_offset_frames = 100000};
        CHECK_MS(s, ms_note_on(inst, 60 + k % 12, 100, NULL));
        CHECK_MS(s, ms_note_on(inst, 100, 100, NULL));
        CHECK_MS(s, ms_note_on(inst, 50, 100, &far));
        for (int b = 0; b < 4; b++) CHECK_MS(s, ms_process(s, buf, 512));
        CHECK_MS(s, ms_all_sound_off_at(s, MS_FRAME_NOW));
        CHECK_MS(s, ms_process(s, buf, 512));
        ms_sample_destroy(smp);
      } else if (rc == MS_ERR_FILE_FORMAT || rc == MS_ERR_FILE_NOT_FOUND) {
        refused++;
        CHECK(smp == NULL);
        const char *msg = tu_msg(s);
        CHECKF(msg[0] && strstr(msg, name), "%s (%s): message \"%s\" does not name the file", name,
               desc, msg);
      } else {
        tu_fail(__FILE__, __LINE__, "%s (%s): ms_sample_load returned %d (%s): \"%s\"", name, desc,
                (int)rc, ms_strerror(rc), tu_msg(s));
      }
      free(path);
      CHECK_MS(s, ms_sampler_collect(s));
    }
  }
  printf("    %d damaged files: %d loaded, %d refused\n", total, loaded, refused);
  CHECK(refused > 0);
  ms_instrument_destroy(inst);
  ms_sampler_destroy(s);
  for (size_t bi = 0; bi < sizeof bases / sizeof *bases; bi++) free(bases[bi].bytes);
  return tu_finish();
}
