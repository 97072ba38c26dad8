/*
 * fuzz_sample_seeds.c — writes the sample loader fuzzer's seed corpus into a
 * folder: small files libsndfile writes (WAV 16/24/float with smpl loops,
 * AIFF with its instrument chunk, FLAC, Ogg/Vorbis), plus WAVs edited by
 * byte: an odd-sized chunk with its pad byte before "data", a smpl chunk with
 * two loops and an odd declared size, a smpl loop past the end, a "data"
 * chunk of odd length. Seeds are generated at build/test time (ctest fixture
 * fuzz_sample_seeds), never committed.
 * Thread: a test program, single-threaded.
 * Usage: fuzz_sample_seeds <folder>
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "test_util.h"

#define FRAMES 600u

static char dir[4096];

static bool write_file(const char *name, const uint8_t *p, size_t n) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return tu_write_bytes(path, p, n);
}

static uint8_t *audio(const char *name, int format, uint32_t channels, const tu_loop_t *loop, size_t *len) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  float *sig = calloc((size_t)FRAMES * channels, sizeof(float));
  for (uint32_t ch = 0; ch < channels; ch++) tu_fill_sine(sig, FRAMES, channels, ch, 0.5, 440 + 220 * ch, 48000);
  bool ok = tu_write_audio(path, format, channels, 48000, sig, FRAMES, loop);
  free(sig);
  if (!ok) return NULL;
  return tu_read_bytes(path, len);
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Offset of a RIFF chunk's id at the top level of a WAV, or 0. */
static size_t find_chunk(const uint8_t *p, size_t n, const char *id) {
  for (size_t at = 12; at + 8 <= n;) {
    uint32_t size = (uint32_t)p[at + 4] | (uint32_t)p[at + 5] << 8 | (uint32_t)p[at + 6] << 16 |
                    (uint32_t)p[at + 7] << 24;
    if (memcmp(p + at, id, 4) == 0) return at;
    at += 8 + (size_t)size + (size & 1);
  }
  return 0;
}

/* base with `chunk` (len bytes) inserted before the chunk `before`; RIFF size fixed. */
static uint8_t *insert_chunk(const uint8_t *base, size_t n, const char *before, const uint8_t *chunk,
                             size_t len, size_t *out_len) {
  size_t at = find_chunk(base, n, before);
  if (!at) return NULL;
  uint8_t *p = malloc(n + len);
  memcpy(p, base, at);
  memcpy(p + at, chunk, len);
  memcpy(p + at + len, base + at, n - at);
  put32(p + 4, (uint32_t)(n + len - 8));
  *out_len = n + len;
  return p;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fuzz_sample_seeds <folder>\n");
    return 2;
  }
  snprintf(dir, sizeof dir, "%s", argv[1]);
  mkdir(dir, 0755);
  tu_loop_t loop = {100, 500, 60};
  struct {
    const char *name;
    int format;
    uint32_t channels;
    bool loop;
  } bases[] = {
      {"wav16-smpl.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, true},
      {"wav24-stereo-smpl.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, true},
      {"wavfloat-smpl.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, true},
      {"wav8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, false},
      {"aiff16-inst.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1, true},
      {"aiff24-stereo.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 2, false},
      {"flac16.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, false},
      {"vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1, false},
  };
  size_t wav_len = 0;
  uint8_t *wav = NULL;
  int written = 0;
  for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
    size_t n = 0;
    uint8_t *p = audio(bases[i].name, bases[i].format, bases[i].channels, bases[i].loop ? &loop : NULL, &n);
    if (!p) {
      fprintf(stderr, "fuzz_sample_seeds: cannot write %s\n", bases[i].name);
      return 1;
    }
    written++;
    if (i == 0) {
      wav = p;
      wav_len = n;
    } else {
      free(p);
    }
  }
  /* an odd-sized chunk (7 bytes + the pad byte) before "data" */
  static const uint8_t odd[] = {'j', 'u', 'n', 'k', 7, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0};
  size_t n = 0;
  uint8_t *p = insert_chunk(wav, wav_len, "data", odd, sizeof odd, &n);
  if (p && write_file("odd-chunk.wav", p, n)) written++;
  free(p);
  /* a smpl chunk with two loops, declared one byte short (odd) */
  uint8_t smpl[8 + 36 + 2 * 24];
  memset(smpl, 0, sizeof smpl);
  memcpy(smpl, "smpl", 4);
  put32(smpl + 4, 36 + 2 * 24 - 1);
  put32(smpl + 8 + 12, 1000000000u / 48000u * 1000u / 1000u); /* sample period, ns */
  put32(smpl + 8 + 16, 62);                                    /* unity note */
  put32(smpl + 8 + 28, 2);                                     /* loops */
  for (int l = 0; l < 2; l++) {
    uint8_t *lp = smpl + 8 + 36 + 24 * l;
    put32(lp + 4, (uint32_t)l); /* forward, then ping-pong */
    put32(lp + 8, 50u + 100u * (uint32_t)l);
    put32(lp + 12, 400u + 100u * (uint32_t)l);
  }
  size_t at = find_chunk(wav, wav_len, "smpl");
  if (at) {
    /* drop the file's own smpl chunk first */
    uint32_t sz = (uint32_t)wav[at + 4] | (uint32_t)wav[at + 5] << 8;
    size_t cut = 8 + sz + (sz & 1);
    uint8_t *w2 = malloc(wav_len);
    memcpy(w2, wav, at);
    memcpy(w2 + at, wav + at + cut, wav_len - at - cut);
    size_t n2 = wav_len - cut;
    put32(w2 + 4, (uint32_t)(n2 - 8));
    p = insert_chunk(w2, n2, "data", smpl, sizeof smpl, &n);
    if (p && write_file("smpl-two-loops-odd.wav", p, n)) written++;
    free(p);
    /* a loop end far past the data */
    put32(smpl + 4, 36 + 24);
    put32(smpl + 8 + 28, 1);
    put32(smpl + 8 + 36 + 12, 0xfffffff0u);
    p = insert_chunk(w2, n2, "data", smpl, 8 + 36 + 24, &n);
    if (p && write_file("smpl-loop-past-end.wav", p, n)) written++;
    free(p);
    free(w2);
  }
  /* "data" of odd length: one byte more than the 16-bit frames need */
  at = find_chunk(wav, wav_len, "data");
  if (at) {
    p = malloc(wav_len + 2);
    memcpy(p, wav, wav_len);
    uint32_t sz = (uint32_t)wav[at + 4] | (uint32_t)wav[at + 5] << 8 | (uint32_t)wav[at + 6] << 16;
    put32(p + at + 4, sz + 1);
    p[wav_len] = 0x7f;
    p[wav_len + 1] = 0; /* pad */
    put32(p + 4, (uint32_t)(wav_len + 2 - 8));
    if (write_file("data-odd.wav", p, wav_len + 2)) written++;
    free(p);
  }
  free(wav);
  printf("fuzz_sample_seeds: %d seed files in %s\n", written, dir);
  return written >= 10 ? 0 : 1;
}
