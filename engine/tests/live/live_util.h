/*
 * live_util.h — helpers for the live-output tests (engine/tests/live):
 * the project-local ALSA config, a generated instrument and phrase, a JACK
 * dummy server the test starts and stops by PID, and a look at the
 * process's threads (by name, as the render thread names itself).
 *
 * Thread: the test's main thread.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef MS_LIVE_UTIL_H
#define MS_LIVE_UTIL_H

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#ifndef MS_LIVE_ALSA_CONF
#error "MS_LIVE_ALSA_CONF must name asound_test.conf (set by CMakeLists.txt)"
#endif

/* Load asound_test.conf after the system config (before any ALSA call). */
static inline void lu_alsa_config(void) {
  setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" MS_LIVE_ALSA_CONF, 1);
}

static inline double lu_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void lu_sleep_ms(unsigned ms) {
  struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* Threads of this process named name (from /proc/self/task/<tid>/comm), -1
 * when /proc cannot be read; *first (when not NULL) gets the first one's tid,
 * or 0. */
static inline int lu_scan_threads(const char *name, pid_t *first) {
  if (first) *first = 0;
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[300], comm[32] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    if (fgets(comm, sizeof comm, f)) {
      comm[strcspn(comm, "\n")] = 0;
      if (strcmp(comm, name) == 0 && n++ == 0 && first) *first = (pid_t)atoi(e->d_name);
    }
    fclose(f);
  }
  closedir(d);
  return n;
}

/* Threads of this process named name, or -1. */
static inline int lu_count_threads(const char *name) { return lu_scan_threads(name, NULL); }

/* The tid of this process's first thread named name, or 0. */
static inline pid_t lu_find_thread(const char *name) {
  pid_t tid;
  lu_scan_threads(name, &tid);
  return tid;
}

/* lu_count_threads once it equals want (or after 1 s): a joined thread's
 * /proc entry goes away a moment after pthread_join returns. */
static inline int lu_threads_settle(const char *name, int want) {
  int n = lu_count_threads(name);
  for (int i = 0; i < 200 && n != want; i++) {
    lu_sleep_ms(5);
    n = lu_count_threads(name);
  }
  return n;
}

/* A copy of the live counters (atomic reads: the render thread writes them). */
static inline ms_stats_t stat_now(const ms_sampler_t *s) {
  ms_stats_t st;
  memset(&st, 0, sizeof st);
  ms_get_stats_ex(s, &st);
  return st;
}

/* An output config for backend and device (NULL = default). */
static inline ms_output_config_t lu_output_config(uint32_t backend, const char *device, uint32_t period,
                                                  uint32_t format) {
  ms_output_config_t c;
  memset(&c, 0, sizeof c);
  c.backend = backend;
  c.period_frames = period;
  c.periods = 2;
  c.pcm_format = format;
  if (device) snprintf(c.device, sizeof c.device, "%s", device);
  return c;
}

/* An instrument on a generated 1 s sample: a decaying two-partial tone,
 * looped forward when loop is true. */
static inline ms_instrument_t *lu_instrument(ms_sampler_t *s, const char *name, bool loop) {
  const uint32_t rate = 48000, n = 48000;
  float *d = malloc(sizeof(float) * n);
  if (!d) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    double t = (double)i / rate;
    double env = loop ? 0.25 : 0.3 * exp(-3.0 * t);
    d[i] = (float)(env * (sin(2 * M_PI * 240.0 * t) + 0.3 * sin(2 * M_PI * 720.0 * t)));
  }
  ms_sample_t *smp = NULL;
  ms_instrument_t *inst = NULL;
  int32_t rc = ms_sample_create(s, d, n, 1, rate, &smp);
  free(d);
  if (rc != MS_OK) {
    tu_fail_ms(__FILE__, __LINE__, "ms_sample_create", s, rc, MS_OK);
    return NULL;
  }
  rc = ms_instrument_create(s, name, &inst);
  if (rc != MS_OK) {
    tu_fail_ms(__FILE__, __LINE__, "ms_instrument_create", s, rc, MS_OK);
    return NULL;
  }
  ms_zone_t z = tu_zone_flat(60, loop ? MS_LOOP_FORWARD : MS_LOOP_NONE, 0.05f);
  z.attack_s = 0.002f;
  rc = ms_instrument_add_zone(inst, smp, &z, NULL);
  if (rc == MS_OK) rc = ms_instrument_commit(inst);
  ms_sample_destroy(smp);
  if (rc != MS_OK) {
    tu_fail_ms(__FILE__, __LINE__, "ms_instrument_add_zone/commit", s, rc, MS_OK);
    return NULL;
  }
  return inst;
}

/* A deterministic phrase over [0, frames): notes on odd frames, overlaps,
 * pitches across the keyboard (resampling), velocities, pitch bend. */
static inline int32_t lu_phrase(ms_instrument_t *inst, uint64_t frames) {
  tu_rng_t r = {0x5EEDu};
  uint64_t f = 17;
  int32_t rc = MS_OK;
  while (f + 4000 < frames && rc == MS_OK) {
    int note = 36 + (int)tu_rng_below(&r, 48);
    int vel = 30 + (int)tu_rng_below(&r, 97);
    uint64_t len = 500 + tu_rng_below(&r, 9000);
    rc = ms_note_on_at(inst, f, note, vel, NULL);
    if (rc == MS_OK) rc = ms_note_off_at(inst, f + len, note);
    if (rc == MS_OK && tu_rng_below(&r, 4) == 0) rc = ms_pitch_bend_at(inst, f + 301, (int32_t)tu_rng_below(&r, 16000) - 8000);
    f += 211 + tu_rng_below(&r, 2400);
  }
  return rc;
}

/* ------------------------------------------------------------ JACK -- */
static pid_t lu_jackd_pid = -1;
static char lu_jackd_name[64];
static char lu_jackd_log[512];

static inline void lu_jackd_stop(void) {
  if (lu_jackd_pid > 0) {
    kill(lu_jackd_pid, SIGTERM);
    int st;
    for (int i = 0; i < 50; i++) {
      if (waitpid(lu_jackd_pid, &st, WNOHANG) == lu_jackd_pid) {
        lu_jackd_pid = -1;
        return;
      }
      lu_sleep_ms(100);
    }
    kill(lu_jackd_pid, SIGKILL);
    waitpid(lu_jackd_pid, &st, 0);
    lu_jackd_pid = -1;
  }
}

static void lu_jackd_on_signal(int sig) {
  if (lu_jackd_pid > 0) kill(lu_jackd_pid, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Run argv, wait for it; its exit status or -1. */
static inline int lu_run(char *const argv[]) {
  pid_t p = fork();
  if (p < 0) return -1;
  if (p == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
    execvp(argv[0], argv);
    _exit(127);
  }
  int st;
  if (waitpid(p, &st, 0) != p) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Start "jackd -n <name> -R -P 80 -d dummy -r 48000 -p <period>" with
 * JACK_NO_AUDIO_RESERVATION=1, point JACK_DEFAULT_SERVER at it, and wait
 * for it with jack_wait. name NULL: "ms-live-<pid>" (unique). It is stopped
 * by PID at exit, on a fatal signal, and (PR_SET_PDEATHSIG) if this process
 * dies any other way. Returns false (with the reason printed) when it
 * cannot run.
 */
static inline bool lu_jackd_start_named(const char *name, uint32_t period) {
  if (name) snprintf(lu_jackd_name, sizeof lu_jackd_name, "%s", name);
  else snprintf(lu_jackd_name, sizeof lu_jackd_name, "ms-live-%d", (int)getpid());
  snprintf(lu_jackd_log, sizeof lu_jackd_log, "%s/jackd.log", tu_tmpdir());
  char per[16];
  snprintf(per, sizeof per, "%u", period);
  pid_t parent = getpid();
  pid_t p = fork();
  if (p < 0) return false;
  if (p == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    if (!freopen(lu_jackd_log, "w", stdout) || !freopen(lu_jackd_log, "a", stderr)) _exit(1);
    setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
    execlp("jackd", "jackd", "-n", lu_jackd_name, "-R", "-P", "80", "-d", "dummy", "-r", "48000", "-p", per,
           (char *)NULL);
    _exit(127);
  }
  lu_jackd_pid = p;
  atexit(lu_jackd_stop);
  signal(SIGABRT, lu_jackd_on_signal);
  signal(SIGSEGV, lu_jackd_on_signal);
  signal(SIGTERM, lu_jackd_on_signal);
  signal(SIGINT, lu_jackd_on_signal);
  setenv("JACK_DEFAULT_SERVER", lu_jackd_name, 1);
  char *wait_argv[] = {"jack_wait", "-w", "-s", lu_jackd_name, "-t", "10", NULL};
  int st = lu_run(wait_argv);
  if (st != 0) {
    fprintf(stderr, "jackd \"%s\" did not come up (jack_wait exit %d); its log:\n", lu_jackd_name, st);
    FILE *f = fopen(lu_jackd_log, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) fputs(line, stderr);
    if (f) fclose(f);
    lu_jackd_stop();
    return false;
  }
  return true;
}

/* lu_jackd_start_named with MS_TEST_JACK_NAME when it is set (to tell a
 * test's server from others on the machine), else a unique name. */
static inline bool lu_jackd_start(uint32_t period) {
  const char *name = getenv("MS_TEST_JACK_NAME");
  return lu_jackd_start_named(name && *name ? name : NULL, period);
}

#endif /* MS_LIVE_UTIL_H */
