/*
 * test_live_alsa_file.c — what is particular to the ALSA backend, through
 * ALSA's `file` PCM (asound_test.conf, not paced, so this is fast): the
 * sample formats it converts to on the render thread (S32 and S16, checked
 * against the same rounding done here, and AUTO resolving to FLOAT), what
 * ms_output_get_info reports, one output per sampler, starting twice,
 * stopping twice, and opening again after close. What every backend must
 * do (the offline render's bytes, stop and start, counters) is the
 * conformance suite's (test_live_conformance.c).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <sys/stat.h>

#include "live_util.h"

#define RATE 48000u
#define CH 2u
#define PHRASE_FRAMES (RATE * 2u) /* 2 s */

static ms_sampler_t *make_sampler(ms_instrument_t **inst) {
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  if (!s) return NULL;
  *inst = lu_instrument(s, "keys", false);
  if (!*inst) return NULL;
  if (lu_phrase(*inst, PHRASE_FRAMES) != MS_OK) {
    tu_fail(__FILE__, __LINE__, "scheduling the phrase failed: %s", tu_msg(s));
    return NULL;
  }
  return s;
}

/* The same rounding as the ALSA backend's conversion (alsa_rt.c). */
static void to_s16(const float *in, int16_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = in[i] * 32768.0f;
    out[i] = v >= 32767.0f ? INT16_MAX : v <= -32768.0f ? INT16_MIN : (int16_t)lrintf(v);
  }
}
static void to_s32(const float *in, int32_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = in[i] * 2147483648.0f;
    out[i] = v >= 2147483648.0f ? INT32_MAX : v <= -2147483648.0f ? INT32_MIN : (int32_t)lrintf(v);
  }
}

static void live_equals_offline(uint32_t period, uint32_t format, const char *label) {
  tu_section(label);
  char name[64];
  snprintf(name, sizeof name, "live_%u_%u.raw", period, format);
  char *path = tu_path(name);
  char device[104];
  snprintf(device, sizeof device, "testraw:FILE=%s", path);
  REQUIRE(strlen(device) < sizeof device - 1, TU_NOTHING);

  /* live */
  ms_instrument_t *inst = NULL;
  ms_sampler_t *s = make_sampler(&inst);
  REQUIRE(s, TU_NOTHING);
  ms_output_config_t oc = lu_output_config(MS_BACKEND_ALSA, device, period, format);
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);
  ms_output_info_t info;
  CHECK_MS(s, ms_output_get_info(out, &info));
  CHECK_EQ_INT(info.backend, MS_BACKEND_ALSA);
  CHECK_EQ_INT(info.sample_rate, RATE);
  CHECK_EQ_INT(info.period_frames, period);
  CHECK_EQ_INT(info.periods, 2);
  CHECK_EQ_INT(info.latency_frames, 2 * period);
  CHECK_EQ_INT(info.pcm_format, format == MS_PCM_AUTO ? MS_PCM_FLOAT : format);
  CHECK(strcmp(info.device, device) == 0);
  CHECK_EQ_INT(info.running, 0);

  /* one output per sampler */
  ms_output_t *second = NULL;
  CHECK_MS_CODE(s, ms_output_open(s, &oc, &second), MS_ERR_STATE);
  CHECK(second == NULL);

  CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0);
  REQUIRE_MS(s, ms_output_start(out), TU_NOTHING);
  CHECK_EQ_INT(lu_count_threads("ms-render"), 1);
  CHECK_MS_CODE(s, ms_output_start(out), MS_ERR_STATE);
  CHECK_MS(s, ms_output_get_info(out, &info));
  CHECK_EQ_INT(info.running, 1);
  CHECK_EQ_INT(info.sched_policy, SCHED_OTHER);
  double t0 = lu_now_s();
  while (ms_sampler_now(s) < PHRASE_FRAMES && lu_now_s() - t0 < 20.0) lu_sleep_ms(1);
  uint64_t frames = ms_sampler_now(s);
  ms_output_close(out);
  CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0);
  CHECK_LE(PHRASE_FRAMES, frames);
  CHECK_EQ_U64(frames % period, 0);
  uint64_t xruns = stat_now(s).xruns;
  printf("  %s: %llu frames rendered live in %.3f s, xruns %llu\n", label, (unsigned long long)frames,
         lu_now_s() - t0, (unsigned long long)xruns);

  /* offline, same events, same slicing */
  ms_instrument_t *inst2 = NULL;
  ms_sampler_t *s2 = make_sampler(&inst2);
  REQUIRE(s2, TU_NOTHING);
  float *ref = calloc((size_t)PHRASE_FRAMES * CH, sizeof(float));
  REQUIRE(ref, TU_NOTHING);
  REQUIRE_MS(s2, tu_render(s2, ref, PHRASE_FRAMES, CH, period), TU_NOTHING);
  CHECK(tu_peak(ref, PHRASE_FRAMES, CH, 0) > 0.05);

  size_t n = (size_t)PHRASE_FRAMES * CH, bytes = 0;
  void *want = ref;
  if (format == MS_PCM_S16) {
    want = malloc(n * sizeof(int16_t));
    to_s16(ref, want, n);
    bytes = n * sizeof(int16_t);
  } else if (format == MS_PCM_S32) {
    want = malloc(n * sizeof(int32_t));
    to_s32(ref, want, n);
    bytes = n * sizeof(int32_t);
  } else {
    bytes = n * sizeof(float);
  }
  size_t len = 0;
  uint8_t *got = tu_read_bytes(path, &len);
  REQUIRE(got, TU_NOTHING);
  CHECKF(len >= bytes, "the file holds %zu bytes, want at least %zu", len, bytes);
  if (len >= bytes) {
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < bytes; i++)
      if (got[i] != ((const uint8_t *)want)[i]) {
        first = i;
        break;
      }
    CHECKF(first == SIZE_MAX, "live output differs from the offline render at byte %zu (frame %zu)", first,
           first / (bytes / PHRASE_FRAMES));
  }
  free(got);
  if (want != ref) free(want);
  free(ref);
  ms_sampler_destroy(s);
  ms_sampler_destroy(s2);
  remove(path);
  free(path);
}

/* Stopping twice is harmless; a stopped output starts again, more than once
 * (that the clock freezes and resumes is the conformance suite's). */
static void restart(void) {
  tu_section("stop twice, start again");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, TU_NOTHING);
  ms_output_config_t oc = lu_output_config(MS_BACKEND_ALSA, "testnull", 64, MS_PCM_AUTO);
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);
  for (int round = 0; round < 3; round++) {
    REQUIRE_MS(s, ms_output_start(out), TU_NOTHING);
    CHECK_MS(s, ms_output_stop(out));
    CHECK_MS(s, ms_output_stop(out)); /* stopping twice is harmless */
    CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0);
  }
  ms_output_close(out);
  /* the sampler can have an output again once the old one is closed */
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);
  ms_output_close(out);
  ms_sampler_destroy(s);
}

int main(void) {
  lu_alsa_config();
  live_equals_offline(64, MS_PCM_AUTO, "AUTO (FLOAT), period 64: live file PCM equals offline");
  live_equals_offline(128, MS_PCM_S32, "S32, period 128: converted on the render thread");
  live_equals_offline(96, MS_PCM_S16, "S16, period 96: converted on the render thread");
  restart();
  return tu_finish();
}
