/*
 * test_recorder.c — ms_recorder: the file holds exactly what the render
 * thread played; a writer that falls behind costs dropped (counted) frames,
 * never a wait on the render path; stop and destroy are clean.
 *
 * Thread: the test thread plays the render thread (ms_process); the
 * recorder's own writer thread does the file I/O.
 */
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static ms_sampler_t *playing_sampler(void) {
  ms_sampler_t *s = tu_sampler(48000, 2, 128);
  float *sine = tu_sine(48000, 0.5, 440.0, 48000.0);
  ms_sample_t *smp = NULL;
  CHECK_MS(s, ms_sample_create(s, sine, 48000, 1, 48000, &smp));
  ms_instrument_t *inst = NULL;
  CHECK_MS(s, ms_instrument_create(s, "rec", &inst));
  ms_zone_t z = tu_zone_flat(69, MS_LOOP_FORWARD, 0.05f);
  CHECK_MS(s, ms_instrument_add_zone(inst, smp, &z, NULL));
  for (int i = 0; i < 20; i++) {
    CHECK_MS(s, ms_note_on_at(inst, (uint64_t)i * 4800 + 7, 57 + i % 12, 100, NULL));
    CHECK_MS(s, ms_note_off_at(inst, (uint64_t)i * 4800 + 3000, 57 + i % 12));
  }
  ms_sample_destroy(smp);
  free(sine);
  return s;
}

static float *read_float_wav(const char *path, sf_count_t *frames) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) return NULL;
  float *d = malloc(sizeof(float) * (size_t)info.frames * (size_t)info.channels + 1);
  *frames = sf_readf_float(f, d, info.frames);
  sf_close(f);
  return d;
}

int main(void) {
  tu_section("the file equals what ms_process returned");
  {
    ms_sampler_t *s = playing_sampler();
    char *path = tu_path("rec.wav");
    ms_recorder_t *r = NULL;
    CHECK_MS(s, ms_recorder_start(s, path, MS_FILE_WAV, MS_SAMPLE_FLOAT32, 0.0f, &r));
    const uint64_t total = 48000 * 2 + 77;
    float *out = calloc(total * 2, sizeof(float));
    CHECK_MS(s, tu_render(s, out, total, 2, 300));
    CHECK_MS(s, ms_recorder_stop(r));
    sf_count_t n = 0;
    float *got = read_float_wav(path, &n);
    CHECK(got != NULL);
    CHECK_EQ_U64((uint64_t)n, total);
    CHECK(got && memcmp(got, out, sizeof(float) * total * 2) == 0);
    float peak = 0;
    for (uint64_t i = 0; i < total * 2; i++) peak = out[i] > peak ? out[i] : peak;
    CHECKF(peak > 0.1f, "the recording is not silence (peak %g)", peak);
    free(got);
    free(out);
    free(path);
    ms_sampler_destroy(s);
  }

  tu_section("a writer that falls behind: frames dropped and counted, the render path never waits");
  {
    ms_sampler_t *s = playing_sampler();
    char *path = tu_path("rec_small.wav");
    ms_recorder_t *r = NULL;
    /* 1024 frames of buffer; unpaced rendering fills it far faster than a 5 ms writer drains */
    CHECK_MS(s, ms_recorder_start(s, path, MS_FILE_WAV, MS_SAMPLE_PCM16, 0.001f, &r));
    const uint64_t total = 48000 * 20;
    float *out = calloc(512 * 2, sizeof(float));
    for (uint64_t done = 0; done < total; done += 512) CHECK_MS(s, ms_process(s, out, 512));
    uint64_t dropped = ms_recorder_dropped_frames(r);
    CHECK_MS(s, ms_recorder_stop(r));
    sf_count_t n = 0;
    float *got = read_float_wav(path, &n);
    CHECKF(dropped > 0, "20 s rendered unpaced into a 1024-frame buffer dropped nothing");
    CHECK_EQ_U64((uint64_t)n + dropped, total);
    printf("    dropped %llu of %llu frames, wrote %lld\n", (unsigned long long)dropped,
           (unsigned long long)total, (long long)n);
    free(got);
    free(out);
    free(path);
    ms_sampler_destroy(s);
  }

  tu_section("errors; destroy stops a running recorder");
  {
    ms_sampler_t *s = playing_sampler();
    ms_recorder_t *r = NULL, *r2 = NULL;
    char *path = tu_path("rec3.flac");
    CHECK_MS_CODE(s, ms_recorder_start(s, path, MS_FILE_FLAC, MS_SAMPLE_FLOAT32, 0, &r), MS_ERR_UNSUPPORTED);
    CHECK_MS_CODE(s, ms_recorder_start(s, "/nonexistent/dir/x.wav", MS_FILE_WAV, MS_SAMPLE_PCM16, 0, &r),
                  MS_ERR_FILE_NOT_FOUND);
    CHECK(strstr(tu_msg(s), "/nonexistent/dir/x.wav") != NULL);
    CHECK_MS(s, ms_recorder_start(s, path, MS_FILE_FLAC, MS_SAMPLE_PCM24, 0, &r));
    CHECK_MS_CODE(s, ms_recorder_start(s, path, MS_FILE_WAV, MS_SAMPLE_PCM16, 0, &r2), MS_ERR_STATE);
    float out[256];
    for (int i = 0; i < 100; i++) CHECK_MS(s, ms_process(s, out, 128));
    ms_sampler_destroy(s); /* with the recorder running: stops it, finishes the file */
    sf_count_t n = 0;
    float *got = read_float_wav(path, &n);
    CHECK_EQ_U64((uint64_t)n, 12800);
    free(got);
    free(path);
  }
  return tu_finish();
}
