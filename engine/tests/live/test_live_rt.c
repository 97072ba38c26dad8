/*
 * test_live_rt.c — the render thread's scheduling, read back and reported.
 *
 *   test_live_rt fifo    (as root / with CAP_SYS_NICE) the ALSA null output
 *                        with rt_priority 80 runs SCHED_FIFO 80.
 *   test_live_rt denied  run under
 *                          setpriv --inh-caps=-sys_nice,-ipc_lock
 *                                  --bounding-set=-sys_nice,-ipc_lock
 *                        (CMakeLists.txt does): ms_output_start returns
 *                        MS_ERR_RT_PRIORITY with the limits.conf / setcap
 *                        fix, the info says SCHED_OTHER, and audio renders
 *                        anyway (frames advance).
 *
 * The null PCM is not paced, so the thread renders flat out: runs are kept
 * to a fraction of a second (a SCHED_FIFO thread spinning holds a core).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <pthread.h>

#include "live_util.h"

static void *noop(void *arg) { return arg; }

/* Can this process start a SCHED_FIFO thread at all? */
static bool fifo_allowed(void) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
  pthread_attr_setschedpolicy(&a, SCHED_FIFO);
  struct sched_param sp = {.sched_priority = 80};
  pthread_attr_setschedparam(&a, &sp);
  pthread_t t;
  int err = pthread_create(&t, &a, noop, NULL);
  pthread_attr_destroy(&a);
  if (err == 0) pthread_join(t, NULL);
  return err == 0;
}

static void run(bool expect_fifo) {
  tu_section(expect_fifo ? "rt_priority 80 granted" : "rt_priority 80 denied (capabilities dropped)");
  ms_sampler_t *s = tu_sampler(48000, 2, 0);
  REQUIRE(s, TU_NOTHING);
  ms_instrument_t *inst = lu_instrument(s, "keys", true);
  REQUIRE(inst, TU_NOTHING);
  ms_output_config_t c = lu_output_config(MS_BACKEND_ALSA, "testnull", 128, MS_PCM_S16);
  c.rt_priority = 80;
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &c, &out), TU_NOTHING);
  CHECK_MS(s, ms_note_on(inst, 60, 100, NULL));
  int32_t rc = ms_output_start(out);
  uint64_t f0 = ms_sampler_now(s);
  lu_sleep_ms(150);
  uint64_t f1 = ms_sampler_now(s);
  ms_output_info_t info;
  CHECK_MS(s, ms_output_get_info(out, &info));
  CHECK_EQ_INT(info.running, 1);
  CHECK_EQ_INT(lu_count_threads("ms-render"), 1);
  if (expect_fifo) {
    CHECK_MS(s, rc);
    CHECK_EQ_INT(info.sched_policy, SCHED_FIFO);
    CHECK_EQ_INT(info.sched_priority, 80);
    CHECK(ms_sampler_rt_status(s) & MS_RT_PRIORITY_SET);
  } else {
    CHECK_EQ_INT(rc, MS_ERR_RT_PRIORITY);
    const char *m = tu_msg(s);
    printf("  message: %s\n", m);
    CHECK(strncmp(m, "Could not set RT priority 80: ", 30) == 0);
    CHECK(tu_contains_ci(m, "limits.conf"));
    CHECK(tu_contains_ci(m, "rtprio"));
    CHECK(tu_contains_ci(m, "setcap cap_sys_nice,cap_ipc_lock+ep"));
    CHECK(tu_contains_ci(m, "audio carries on at normal priority"));
    CHECK_EQ_INT(info.sched_policy, SCHED_OTHER);
    CHECK_EQ_INT(info.sched_priority, 0);
    CHECK(!(ms_sampler_rt_status(s) & MS_RT_PRIORITY_SET));
  }
  printf("  policy %d priority %d; %llu frames in 150 ms\n", info.sched_policy, info.sched_priority,
         (unsigned long long)(f1 - f0));
  CHECKF(f1 > f0 + 48000, "audio renders: %llu frames", (unsigned long long)(f1 - f0));
  ms_output_close(out);
  CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0);

  if (!expect_fifo) {
    /* ms_sampler_enable_rt agrees, with the same fix */
    CHECK_MS_CODE(s, ms_sampler_enable_rt(s, 80), MS_ERR_RT_PRIORITY);
    CHECK(tu_contains_ci(tu_msg(s), "setcap cap_sys_nice,cap_ipc_lock+ep"));
    /* the priority remembered by enable_rt is the default for an output */
    c.rt_priority = 0;
    REQUIRE_MS(s, ms_output_open(s, &c, &out), TU_NOTHING);
    CHECK_MS_CODE(s, ms_output_start(out), MS_ERR_RT_PRIORITY);
    ms_output_close(out);
  }
  ms_sampler_destroy(s);
}

int main(int argc, char **argv) {
  lu_alsa_config();
  bool denied = argc > 1 && strcmp(argv[1], "denied") == 0;
  bool allowed = fifo_allowed();
  if (denied && allowed) {
    printf("skip: SCHED_FIFO is still allowed: run this under setpriv/capsh with CAP_SYS_NICE dropped\n");
    return TU_SKIP_CODE;
  }
  if (!denied && !allowed) {
    printf("skip: SCHED_FIFO is not allowed for this user (no CAP_SYS_NICE or rtprio limit)\n");
    return TU_SKIP_CODE;
  }
  run(!denied);
  return tu_finish();
}
