/*
 * test_link.c — the engine in an Ableton Link session with another peer
 * (link_peer, a separate process), in a private network namespace.
 *
 * Link finds peers by UDP multicast on every interface that is up, so this
 * test never starts Link in the machine's own namespace: run plainly, it
 * re-executes itself under `unshare -n` with only loopback up (and the
 * multicast route on it), and checks that before it creates a session; when
 * no namespace can be made it skips (exit 77) with the reason.
 *
 * A render thread calls ms_process every 256 frames at the real-time pace
 * under the allocation guard (any malloc & co. on it aborts), so Link's
 * audio-thread capture and commit run where they do in a live output.
 * Asserted, each within a deadline (not a speed):
 *   - a late joiner: the engine joins the peer's running session, takes its
 *     tempo (within 0.01 bpm) and its beat phase (within 1 ms, the beat the
 *     engine says is heard at host time t against the peer's at t);
 *   - a tempo the engine commits reaches the peer, the peer's reaches the
 *     engine, and the phase still agrees after both;
 *   - start/stop: the engine's start reaches the peer, the peer's stop the
 *     engine;
 *   - the output latency moves the frame a beat falls on by that many frames;
 *   - a second peer joining later agrees on the phase too;
 *   - destroying the session while the render thread runs.
 * With --bench SECONDS it then samples the phase error every 10 ms for that
 * long, engine against the first peer and (Link's own floor) the second
 * peer against the first, and prints p50/p99/max of both as one JSON line
 * (scripts/bench_link.ts).
 *
 * Usage: test_link LINK_PEER [--bench SECONDS]
 *        test_link --selfcheck   (the guard trips on the library's C++ `new`)
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* ------------------------------------------------------ allocation guard -- */
static __thread int rt_guard; /* executable TLS: local-exec, no allocation on access */
#ifndef MS_TEST_NO_ALLOC_GUARD
static void guard_trip(const char *fn);
#define ALLOC_GUARD_CHECK(fn) \
  do {                        \
    if (rt_guard) guard_trip(fn); \
  } while (0)
#include "alloc_guard.h"
static int selfcheck_mode;
static void guard_trip(const char *fn) {
  rt_guard = 0;
  if (selfcheck_mode) {
    static const char ok[] = "self-check: the guard tripped on an allocation inside Link's C++\n";
    ssize_t ignored = write(1, ok, sizeof ok - 1);
    (void)ignored;
    _exit(0);
  }
  alloc_guard_report("\n*** test_link: ", fn, "() called on the render thread\n", 1);
  abort();
}
#endif

#define RATE 48000u
#define BLOCK 256u
#define QUANTUM 4.0

/* ------------------------------------------------------------- the peer -- */
typedef struct peer {
  pid_t pid;
  FILE *to, *from;
} peer_t;

static bool peer_start(peer_t *p, const char *path) {
  int in[2], out[2];
  if (pipe(in) || pipe(out)) return false;
  p->pid = fork();
  if (p->pid < 0) return false;
  if (p->pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execl(path, path, (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  p->to = fdopen(in[1], "w");
  p->from = fdopen(out[0], "r");
  return p->to && p->from;
}

/* Send one command line; the answer line into buf. */
static bool peer_ask(peer_t *p, char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool peer_ask(peer_t *p, char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(p->to, fmt, ap);
  va_end(ap);
  fputc('\n', p->to);
  fflush(p->to);
  if (!fgets(buf, (int)cap, p->from)) return false;
  return strncmp(buf, "error", 5) != 0;
}

typedef struct peer_state {
  unsigned peers;
  double bpm, beat, phase;
  int playing;
} peer_state_t;

static bool peer_state(peer_t *p, int64_t host_us, peer_state_t *st) {
  char buf[256];
  if (!peer_ask(p, buf, sizeof buf, "state %lld %g", (long long)host_us, QUANTUM)) return false;
  return sscanf(buf, "%u %lf %lf %lf %d", &st->peers, &st->bpm, &st->beat, &st->phase, &st->playing) == 5;
}

static void peer_stop(peer_t *p) {
  if (!p->pid) return;
  fprintf(p->to, "quit\n");
  fflush(p->to);
  int status;
  waitpid(p->pid, &status, 0);
  fclose(p->to);
  fclose(p->from);
  p->pid = 0;
}

/* ------------------------------------------------------ render thread -- */
typedef struct rt_loop {
  ms_sampler_t *s;
  _Atomic int stop;
  _Atomic uint64_t calls;
  _Atomic int failed;
} rt_loop_t;

static void *render_main(void *arg) {
  rt_loop_t *r = arg;
  static float buf[BLOCK * 2];
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  rt_guard = 1;
  while (!atomic_load(&r->stop)) {
    if (ms_process(r->s, buf, BLOCK) != MS_OK) atomic_store(&r->failed, 1);
    atomic_fetch_add(&r->calls, 1);
    next.tv_nsec += (long)(BLOCK * 1000000000ull / RATE);
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  rt_guard = 0;
  return NULL;
}

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Phase difference (ms) between two beats within the quantum, wrapped to
 * the nearest: +-quantum/2. */
static double phase_ms(double a, double b, double bpm) {
  double d = fmod(a - b, QUANTUM);
  if (d > QUANTUM / 2) d -= QUANTUM;
  if (d < -QUANTUM / 2) d += QUANTUM;
  return d * 60000.0 / bpm;
}

/* The largest |phase error| (ms) between the engine and a peer over n
 * samples at host times 20 ms ahead (the engine's published timeline reaches
 * that far). */
static double worst_phase_ms(ms_link_t *l, peer_t *p, int n) {
  double worst = 0;
  for (int i = 0; i < n; i++) {
    int64_t t = ms_link_host_now(l) + 20000;
    double eb = 0, bpm = 0;
    peer_state_t st;
    if (ms_link_beat_at_host(l, t, &eb) != MS_OK || ms_link_tempo(l, &bpm) != MS_OK || !peer_state(p, t, &st))
      return 1e9;
    double e = fabs(phase_ms(eb, st.beat, bpm));
    if (e > worst) worst = e;
    sleep_ms(5);
  }
  return worst;
}

/* Wait up to `ms` for cond (re-evaluated every 10 ms). */
#define WAIT_FOR(cond, ms)                                  \
  do {                                                      \
    for (int waited_ = 0; !(cond) && waited_ < (ms); waited_ += 10) sleep_ms(10); \
  } while (0)

static double engine_tempo(ms_link_t *l) {
  double b = 0;
  return ms_link_tempo(l, &b) == MS_OK ? b : -1;
}
static unsigned engine_peers(ms_link_t *l) {
  uint32_t n = 0;
  ms_link_peers(l, &n);
  return n;
}
static int engine_playing(ms_link_t *l) {
  uint32_t p = 9;
  return ms_link_playing(l, &p) == MS_OK ? (int)p : -1;
}
static double peer_tempo(peer_t *p, ms_link_t *l) {
  peer_state_t st;
  return peer_state(p, ms_link_host_now(l), &st) ? st.bpm : -1;
}
static int peer_playing(peer_t *p, ms_link_t *l) {
  peer_state_t st;
  return peer_state(p, ms_link_host_now(l), &st) ? st.playing : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* ------------------------------------------------------- the namespace -- */

/* Only loopback may be visible: anything else means this is not a private
 * namespace, and Link must not start. /proc/self/net/dev lists this
 * process's namespace (/sys/class/net shows the one sysfs was mounted in). */
static bool only_loopback(char *seen, size_t cap) {
  FILE *f = fopen("/proc/self/net/dev", "r");
  if (!f) return false;
  bool ok = true;
  char line[512];
  seen[0] = 0;
  for (int n = 0; fgets(line, sizeof line, f); n++) {
    char *colon = strchr(line, ':');
    if (n < 2 || !colon) continue; /* two header lines */
    *colon = 0;
    char *name = line;
    while (*name == ' ') name++;
    if (strcmp(name, "lo") != 0) ok = false;
    strncat(seen, name, cap - strlen(seen) - 2);
    strncat(seen, " ", cap - strlen(seen) - 1);
  }
  fclose(f);
  return ok;
}

static int enter_namespace(int argc, char **argv) {
  if (system("unshare -n true >/dev/null 2>&1") != 0) {
    printf("skip: cannot create a private network namespace (unshare -n failed: needs root or user namespaces); "
           "Link tests never run in the machine's own namespace\n");
    return 77;
  }
  char *args[16];
  int n = 0;
  args[n++] = "unshare";
  args[n++] = "-n";
  args[n++] = "bash";
  args[n++] = "-c";
  args[n++] = "ip link set lo up && ip route add 224.0.0.0/4 dev lo && MS_LINK_NETNS=1 exec \"$0\" \"$@\"";
  for (int i = 0; i < argc && n < 15; i++) args[n++] = argv[i];
  args[n] = NULL;
  fflush(stdout);
  execvp("unshare", args);
  printf("skip: cannot run unshare: %s\n", strerror(errno));
  return 77;
}

/* The guard must see the library's C++ allocations (operator new inside
 * Link's code in libmidisampler): a guarded thread joining a session (Link
 * posts the work to its own thread, allocating the handler) must trip it. */
static void *selfcheck_main(void *arg) {
  rt_guard = 1;
  ms_link_enable(arg, 1);
  rt_guard = 0;
  return NULL;
}

/* ----------------------------------------------------------------- main -- */
int main(int argc, char **argv) {
  if (!ms_link_built()) {
    printf("skip: this engine was built without Ableton Link (ableton-link-dev, libasio-dev not found)\n");
    return 77;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: test_link LINK_PEER [--bench SECONDS]\n");
    return 2;
  }
  if (!getenv("MS_LINK_NETNS")) return enter_namespace(argc, argv);
  char seen[512];
  if (!only_loopback(seen, sizeof seen)) {
    fprintf(stderr, "test_link: refusing to start Link: interfaces besides loopback are visible (%s)\n", seen);
    return 1;
  }
#ifndef MS_TEST_NO_ALLOC_GUARD
  if (!strcmp(argv[1], "--selfcheck")) {
    selfcheck_mode = 1;
    ms_sampler_t *s = tu_sampler(RATE, 2, 128);
    ms_link_t *l = NULL;
    pthread_t th;
    if (!s || ms_link_create(s, 120, &l) != MS_OK || pthread_create(&th, NULL, selfcheck_main, l)) return 1;
    pthread_join(th, NULL);
    fprintf(stderr, "test_link --selfcheck: a session was joined on a guarded thread and the guard did not trip\n");
    return 1;
  }
#endif
  const char *peer_path = argv[1];
  double bench_s = argc >= 4 && !strcmp(argv[2], "--bench") ? atof(argv[3]) : 0;
  signal(SIGPIPE, SIG_IGN);

  tu_section("a peer's session runs before the engine joins");
  peer_t a = {0}, b = {0};
  char buf[256];
  REQUIRE(peer_start(&a, peer_path), 1);
  CHECK(peer_ask(&a, buf, sizeof buf, "enable 1"));
  CHECK(peer_ask(&a, buf, sizeof buf, "sync 1"));
  CHECK(peer_ask(&a, buf, sizeof buf, "tempo 128"));
  sleep_ms(1500);

  ms_sampler_t *s = tu_sampler(RATE, 2, 128);
  REQUIRE(s, 1);
  ms_link_t *l = NULL;
  CHECK_EQ_INT(ms_link_create(s, 5000, &l), MS_ERR_OUT_OF_RANGE);
  CHECK(tu_contains_ci(tu_msg(s), "20..999"));
  REQUIRE_MS(s, ms_link_create(s, 90, &l), 1);
  ms_link_t *second = NULL;
  CHECK_EQ_INT(ms_link_create(s, 90, &second), MS_ERR_STATE);
  double x;
  CHECK_EQ_INT(ms_link_tempo(l, &x), MS_ERR_STATE); /* nothing rendered yet */
  CHECK(tu_contains_ci(tu_msg(s), "no block rendered"));
  CHECK_EQ_INT(ms_link_set_quantum(l, 0.5), MS_ERR_OUT_OF_RANGE);
  REQUIRE_MS(s, ms_link_set_quantum(l, QUANTUM), 1);
  REQUIRE_MS(s, ms_link_enable_start_stop_sync(l, 1), 1);

  rt_loop_t rt = {.s = s};
  pthread_t th;
  REQUIRE(pthread_create(&th, NULL, render_main, &rt) == 0, 1);
  WAIT_FOR(atomic_load(&rt.calls) > 2, 2000);
  CHECK(fabs(engine_tempo(l) - 90) < 1e-9); /* alone: its own tempo */
  REQUIRE_MS(s, ms_link_enable(l, 1), 1);

  tu_section("late joiner: the engine takes the running session's tempo and phase");
  WAIT_FOR(engine_peers(l) == 1 && fabs(engine_tempo(l) - 128) < 0.01, 10000);
  CHECK_EQ_INT((int)engine_peers(l), 1);
  CHECK(fabs(engine_tempo(l) - 128) < 0.01);
  sleep_ms(300);
  double worst = worst_phase_ms(l, &a, 40);
  printf("phase error after joining: %.4f ms (worst of 40)\n", worst);
  CHECK(worst < 1.0);

  tu_section("a tempo the engine commits reaches the peer");
  uint64_t now = ms_sampler_now(s);
  CHECK_EQ_INT(ms_link_request_tempo(l, 1000, now), MS_ERR_OUT_OF_RANGE);
  REQUIRE_MS(s, ms_link_request_tempo(l, 140.5, now + 2400), 1);
  WAIT_FOR(fabs(peer_tempo(&a, l) - 140.5) < 0.01, 5000);
  CHECK(fabs(peer_tempo(&a, l) - 140.5) < 0.01);
  CHECK(fabs(engine_tempo(l) - 140.5) < 0.01);

  tu_section("a tempo the peer commits reaches the engine");
  CHECK(peer_ask(&a, buf, sizeof buf, "tempo 100"));
  WAIT_FOR(fabs(engine_tempo(l) - 100) < 0.01, 5000);
  CHECK(fabs(engine_tempo(l) - 100) < 0.01);
  sleep_ms(300);
  worst = worst_phase_ms(l, &a, 40);
  printf("phase error after two tempo changes: %.4f ms\n", worst);
  CHECK(worst < 1.0);

  tu_section("start/stop reaches the other side");
  CHECK_EQ_INT(engine_playing(l), 0);
  REQUIRE_MS(s, ms_link_request_playing(l, 1, ms_sampler_now(s) + 256), 1);
  WAIT_FOR(peer_playing(&a, l) == 1, 5000);
  CHECK_EQ_INT(peer_playing(&a, l), 1);
  CHECK(peer_ask(&a, buf, sizeof buf, "play 0"));
  WAIT_FOR(engine_playing(l) == 0, 5000);
  CHECK_EQ_INT(engine_playing(l), 0);

  tu_section("the output latency moves a beat's frame by as many frames");
  double beat_now = 0, f0 = 0, f1 = 0;
  REQUIRE_MS(s, ms_link_beat_at_frame(l, (double)ms_sampler_now(s), &beat_now), 1);
  const double target = floor(beat_now) + 8;
  REQUIRE_MS(s, ms_link_frame_at_beat(l, target, &f0), 1);
  REQUIRE_MS(s, ms_link_set_output_latency(l, 1000), 1);
  sleep_ms(300); /* the running mean settles on the host time; latency is added whole */
  REQUIRE_MS(s, ms_link_frame_at_beat(l, target, &f1), 1);
  printf("beat %.0f: frame %.1f without latency, %.1f with 1000 frames\n", target, f0, f1);
  CHECK(fabs((f0 - f1) - 1000) < 24); /* 0.5 ms: the running mean's wander between two reads */
  REQUIRE_MS(s, ms_link_set_output_latency(l, 0), 1);
  CHECK_EQ_INT(ms_link_set_output_latency(l, RATE * 11), MS_ERR_OUT_OF_RANGE);

  tu_section("a second peer joining later agrees on the phase");
  REQUIRE(peer_start(&b, peer_path), 1);
  CHECK(peer_ask(&b, buf, sizeof buf, "tempo 77"));
  CHECK(peer_ask(&b, buf, sizeof buf, "enable 1"));
  WAIT_FOR(engine_peers(l) == 2 && fabs(peer_tempo(&b, l) - 100) < 0.01, 10000);
  CHECK_EQ_INT((int)engine_peers(l), 2);
  CHECK(fabs(peer_tempo(&b, l) - 100) < 0.01);
  sleep_ms(300);
  worst = worst_phase_ms(l, &b, 40);
  printf("phase error with the late peer: %.4f ms\n", worst);
  CHECK(worst < 1.0);

  if (bench_s > 0) {
    tu_section("bench: phase error engine vs peer, and peer vs peer (Link's own floor)");
    const int n = (int)(bench_s * 100);
    double *errs = malloc(sizeof(double) * (size_t)n), *base = malloc(sizeof(double) * (size_t)n);
    int got = 0;
    for (int i = 0; i < n; i++) {
      int64_t t = ms_link_host_now(l) + 20000;
      double eb = 0, bpm = 0;
      peer_state_t sa, sb;
      if (ms_link_beat_at_host(l, t, &eb) == MS_OK && ms_link_tempo(l, &bpm) == MS_OK && peer_state(&a, t, &sa) &&
          peer_state(&b, t, &sb)) {
        errs[got] = fabs(phase_ms(eb, sa.beat, bpm)) * 1000.0; /* µs */
        base[got++] = fabs(phase_ms(sb.beat, sa.beat, bpm)) * 1000.0;
      }
      sleep_ms(10);
    }
    qsort(errs, (size_t)got, sizeof(double), cmp_double);
    qsort(base, (size_t)got, sizeof(double), cmp_double);
    if (got)
      printf("{\"bench\":\"link_phase\",\"seconds\":%g,\"samples\":%d,\"p50_us\":%.3f,\"p99_us\":%.3f,"
             "\"max_us\":%.3f,\"peer_p50_us\":%.3f,\"peer_p99_us\":%.3f,\"peer_max_us\":%.3f}\n",
             bench_s, got, errs[got / 2], errs[(int)(got * 0.99)], errs[got - 1], base[got / 2],
             base[(int)(got * 0.99)], base[got - 1]);
    CHECK(got == n);
    free(errs);
    free(base);
  }

  tu_section("destroy while the render thread runs");
  ms_link_destroy(l);
  const uint64_t calls = atomic_load(&rt.calls);
  WAIT_FOR(atomic_load(&rt.calls) > calls + 4, 2000);
  CHECK(atomic_load(&rt.calls) > calls + 4); /* rendering goes on without Link */
  atomic_store(&rt.stop, 1);
  pthread_join(th, NULL);
  CHECK_EQ_INT(atomic_load(&rt.failed), 0);
  peer_stop(&a);
  peer_stop(&b);
  ms_sampler_destroy(s);
  return tu_finish();
}
