/*
 * test_live_errors.c — every live-output failure a user can meet here gives
 * its code and its documented message: a device ALSA does not know, no JACK
 * server, auto with neither, a second output on one sampler, bad configs,
 * calls in the wrong state.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "live_util.h"

#define NO_SERVER_MSG \
  "Cannot connect to JACK: no server is running: start one (jackd -d alsa, or qjackctl), or use --backend alsa"

static void missing_alsa_device(void) {
  tu_section("a nonexistent ALSA device");
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  REQUIRE(s, TU_NOTHING);
  ms_output_config_t c = lu_output_config(MS_BACKEND_ALSA, "ms-no-such-device", 128, MS_PCM_AUTO);
  ms_output_t *out = (ms_output_t *)&c; /* must be reset to NULL */
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_DEVICE);
  CHECK(out == NULL);
  const char *m = tu_msg(s);
  printf("  message: %s\n", m);
  CHECK(strncmp(m, "Cannot open ALSA device \"ms-no-such-device\": ", 45) == 0);
  CHECK(tu_contains_ci(m, "aplay -L"));
  CHECK(tu_contains_ci(m, "\"null\"")); /* the list of what ALSA offers */
  CHECK(tu_contains_ci(m, "\"testnull\""));
  CHECK(tu_contains_ci(m, "deno task render"));
  CHECK(m[strlen(m) - 1] != '.');

  uint32_t rate = 1;
  CHECK_MS_CODE(NULL, ms_output_probe_rate(&c, &rate), MS_ERR_DEVICE);
  CHECK_EQ_INT(rate, 0);
  CHECK(tu_contains_ci(tu_msg(NULL), "ms-no-such-device"));

  /* and the sampler can still open a device that exists */
  c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, MS_PCM_AUTO);
  CHECK_MS(s, ms_output_open(s, &c, &out));
  ms_output_close(out);
  ms_sampler_destroy(s);
}

static void no_jack_server(void) {
  tu_section("no JACK server");
  char name[64];
  snprintf(name, sizeof name, "ms-no-server-%d", (int)getpid());
  setenv("JACK_DEFAULT_SERVER", name, 1);
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  REQUIRE(s, TU_NOTHING);
  ms_output_config_t c = lu_output_config(MS_BACKEND_JACK, NULL, 0, MS_PCM_AUTO);
  ms_output_t *out = NULL;
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_NO_SERVER);
  CHECK(strcmp(tu_msg(s), NO_SERVER_MSG) == 0);
  printf("  message: %s\n", tu_msg(s));
  uint32_t rate = 1;
  CHECK_MS_CODE(NULL, ms_output_probe_rate(&c, &rate), MS_ERR_NO_SERVER);
  CHECK(strcmp(tu_msg(NULL), NO_SERVER_MSG) == 0);
  /* JackNoStartServer: had a server been started behind our back, the
   * open would have succeeded instead of failing with NO_SERVER above */

  tu_section("auto with no JACK server and no ALSA default device");
  c = lu_output_config(MS_BACKEND_AUTO, NULL, 0, MS_PCM_AUTO);
  int32_t rc = ms_output_open(s, &c, &out);
  if (rc == MS_OK) {
    /* a machine with a real default device: fine, but not what this checks */
    printf("  ALSA \"default\" exists here: auto opened it\n");
    ms_output_close(out);
  } else {
    CHECK_EQ_INT(rc, MS_ERR_DEVICE);
    const char *m = tu_msg(s);
    printf("  message: %s\n", m);
    CHECK(tu_contains_ci(m, "no JACK server is running"));
    CHECK(tu_contains_ci(m, "\"default\""));
    CHECK(tu_contains_ci(m, "no sound device at all"));
    CHECK(tu_contains_ci(m, "deno task render"));
  }
  ms_sampler_destroy(s);
  unsetenv("JACK_DEFAULT_SERVER");
}

static void bad_calls(void) {
  tu_section("bad configs and states");
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  REQUIRE(s, TU_NOTHING);
  ms_output_t *out = NULL, *other = NULL;
  ms_output_config_t c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, MS_PCM_AUTO);
  CHECK_MS_CODE(NULL, ms_output_open(NULL, &c, &out), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_output_open(s, &c, NULL), MS_ERR_INVALID_ARGUMENT);
  c.backend = 7;
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_INVALID_ARGUMENT);
  CHECK(tu_contains_ci(tu_msg(s), "backend 7"));
  c = lu_output_config(MS_BACKEND_ALSA, "testnull", 8, MS_PCM_AUTO);
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_OUT_OF_RANGE);
  CHECK(tu_contains_ci(tu_msg(s), "period_frames 8"));
  c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, 9);
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_INVALID_ARGUMENT);
  c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, MS_PCM_AUTO);
  c.rt_priority = 100;
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_OUT_OF_RANGE);
  c.rt_priority = 0;
  c.flags = 0x10;
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_INVALID_ARGUMENT);
  c.flags = 0;
  memset(c.device, 'x', sizeof c.device);
  CHECK_MS_CODE(s, ms_output_open(s, &c, &out), MS_ERR_INVALID_ARGUMENT);
  /* a rejected open leaves the sampler free to open one */
  c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, MS_PCM_AUTO);
  REQUIRE_MS(s, ms_output_open(s, &c, &out), TU_NOTHING);
  CHECK_MS_CODE(s, ms_output_open(s, &c, &other), MS_ERR_STATE);
  CHECK(tu_contains_ci(tu_msg(s), "already has one open"));
  /* two samplers, two outputs */
  ms_sampler_t *s2 = tu_sampler(44100, 1, 0);
  REQUIRE(s2, TU_NOTHING);
  CHECK_MS(s2, ms_output_open(s2, &c, &other));
  ms_output_info_t info;
  CHECK_MS(s2, ms_output_get_info(other, &info));
  CHECK_EQ_INT(info.sample_rate, 44100);
  ms_output_close(other);
  ms_sampler_destroy(s2);
  CHECK_MS_CODE(NULL, ms_output_get_info(NULL, &info), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_output_get_info(out, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(NULL, ms_output_start(NULL), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS(s, ms_output_stop(out)); /* not running: nothing to do */
  ms_output_close(out);
  ms_output_close(NULL);
  ms_sampler_destroy(s);
}

int main(void) {
  lu_alsa_config();
  missing_alsa_device();
  no_jack_server();
  bad_calls();
  CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0);
  return tu_finish();
}
