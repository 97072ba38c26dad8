/*
 * fuzz_sample_load.c — libFuzzer target for the sample loader
 * (ctl_sample_decode through ms_sample_load: libsndfile's WAV, AIFF, FLAC and
 * Ogg readers, the smpl/instrument loop, the truncation check, the NaN scan).
 * Any bytes must either load as a sane sample (1 or 2 channels, a plausible
 * rate, frames, a loop inside the data) that then plays for a block with its
 * loop, or fail with MS_ERR_FILE_FORMAT and a message naming the file;
 * anything else, a sanitizer report or a leak aborts.
 *
 * Each input is written to a memfd and loaded by its /proc/self/fd path, as a
 * file on disk would be. Built with clang -fsanitize=fuzzer,address,undefined
 * together with the engine's sources (libsndfile itself is the system's,
 * uninstrumented: ASan sees our reads and its memcpy-family calls, libFuzzer's
 * coverage sees our code). The seed corpus comes from fuzz_sample_seeds at
 * test time; engine/tests/fuzz_sample_load.dict names the chunk ids.
 * Thread: the fuzzer's thread is both CT and RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "midi_sampler.h"

static ms_sampler_t *sampler;
static ms_instrument_t *instrument;
static int fd = -1;
static char path[64];

static void die(const char *what, int32_t rc) {
  char msg[512] = "";
  ms_error_message(sampler, msg, sizeof msg);
  fprintf(stderr, "fuzz_sample_load: %s: %d (%s) \"%s\"\n", what, (int)rc, ms_strerror(rc), msg);
  abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = 48000;
  c.channels = 2;
  c.buffer_size = 256;
  int32_t rc = ms_sampler_create(&c, &sampler);
  if (rc != MS_OK) die("ms_sampler_create", rc);
  rc = ms_instrument_create(sampler, "fuzz", &instrument);
  if (rc != MS_OK) die("ms_instrument_create", rc);
  fd = memfd_create("fuzz-sample", 0);
  if (fd < 0) {
    perror("memfd_create");
    abort();
  }
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
  /* the last byte's low bit picks the in-memory width: float or int16 */
  int32_t rc = ms_sampler_set_sample_bits(sampler, size && (data[size - 1] & 1) ? 16 : 32);
  if (rc != MS_OK) die("ms_sampler_set_sample_bits", rc);
  ms_sample_t *smp = NULL;
  rc = ms_sample_load(sampler, path, &smp);
  if (rc != MS_OK) {
    char msg[1024] = "";
    ms_error_message(sampler, msg, sizeof msg);
    /* FILE_NOT_FOUND only for an empty file's stat race: never here */
    if (rc != MS_ERR_FILE_FORMAT || smp != NULL || !strstr(msg, "Cannot load sample \"") ||
        !strstr(msg, path + sizeof "/proc/self/fd/" - 1))
      die("ms_sample_load refused without MS_ERR_FILE_FORMAT and a message naming the file", rc);
    return 0;
  }
  ms_sample_info_t info;
  rc = ms_sample_get_info(smp, &info);
  if (rc != MS_OK) die("ms_sample_get_info", rc);
  if ((info.channels != 1 && info.channels != 2) || info.sample_rate < 1000 || info.frames == 0 ||
      (info.has_loop && !(info.loop_start_frames < info.loop_end_frames && info.loop_end_frames <= info.frames)))
    die("ms_sample_load accepted an insane sample", MS_OK);
  /* play it with its loop and past its end for a block, then silence */
  ms_zone_t z;
  ms_zone_init(&z);
  z.loop_mode = MS_LOOP_AUTO; /* the file's loop */
  if ((rc = ms_instrument_clear_zones(instrument)) != MS_OK) die("ms_instrument_clear_zones", rc);
  if ((rc = ms_instrument_add_zone(instrument, smp, &z, NULL)) != MS_OK) die("ms_instrument_add_zone", rc);
  if ((rc = ms_instrument_commit(instrument)) != MS_OK) die("ms_instrument_commit", rc);
  ms_sample_destroy(smp);
  static float buf[256 * 2];
  ms_note_params_t far = {.start_offset_frames = (uint32_t)(info.frames > 8 ? info.frames - 8 : 0)};
  if ((rc = ms_note_on(instrument, 72, 127, NULL)) != MS_OK) die("ms_note_on", rc);
  if ((rc = ms_note_on(instrument, 48, 127, &far)) != MS_OK) die("ms_note_on (offset)", rc);
  if ((rc = ms_process(sampler, buf, 256)) != MS_OK) die("ms_process", rc);
  if ((rc = ms_all_sound_off_at(sampler, MS_FRAME_NOW)) != MS_OK) die("ms_all_sound_off_at", rc);
  if ((rc = ms_process(sampler, buf, 256)) != MS_OK) die("ms_process", rc);
  for (size_t i = 0; i < sizeof buf / sizeof *buf; i++)
    if (buf[i] != buf[i]) die("ms_process rendered NaN", MS_OK);
  /* retire the zone (and the sample with it) so every exec starts alike */
  if ((rc = ms_instrument_clear_zones(instrument)) != MS_OK) die("ms_instrument_clear_zones", rc);
  if ((rc = ms_instrument_commit(instrument)) != MS_OK) die("ms_instrument_commit", rc);
  ms_process(sampler, buf, 256);
  ms_sampler_collect(sampler);
  return 0;
}
