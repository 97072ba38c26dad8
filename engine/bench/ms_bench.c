/*
 * ms_bench.c — voice-loop throughput of libmidisampler, compared in the same
 * run with a bare reference voice loop compiled in here and with FluidSynth
 * (libfluidsynth loaded with dlopen).
 *
 * Thread: a standalone program. main() is both the control thread and the
 * render thread: it calls ms_process() itself, in 128-frame blocks.
 * It prints (a table, or one JSON object with --json) and sets the exit code;
 * the library never does.
 *
 * What is timed: rendering S seconds of 48 kHz stereo with N held, looped
 * voices, each on its own sample (the samples together are bigger than the
 * last-level cache), median of R repetitions, thread CPU time (wall time is
 * reported too). The same job with 0 voices is timed and subtracted.
 * See README.md for how the jobs were made equivalent.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "midi_sampler.h"

#define RATE_HZ 48000u
#define BLOCK_FRAMES 128u
#define MAX_REPS 32
#define MAX_NS 16
#define N_INTERP 2 /* 0 cubic, 1 linear */

static const char *const interp_name[N_INTERP] = {"cubic", "linear"};
static const uint32_t interp_code[N_INTERP] = {MS_INTERP_CUBIC, MS_INTERP_LINEAR};
static const int fluid_interp_code[N_INTERP] = {4 /* FLUID_INTERP_4THORDER */,
                                                1 /* FLUID_INTERP_LINEAR */};
static const double target_ns[N_INTERP] = {2.0, 1.2};

/* ------------------------------------------------------------ options -- */
typedef struct opts {
  double seconds;          /* timed render length per repetition */
  double warmup_seconds;   /* untimed render after the note-ons */
  int reps;
  bool json;
  bool quick;
  uint32_t voices[MAX_NS];
  int n_voices;
  double pool_mib;         /* total sample data across voices */
  double min_sample_s;     /* shortest sample per voice */
  bool flush;              /* evict caches before each own-sample repetition */
  bool do_engine, do_baseline, do_fluid, do_orbits, do_controls, do_shapes;
  bool interp_on[N_INTERP];
  const char *sf2;
  int fluid_program;
  int pf_ahead;            /* voices ahead for the prefetch-next-voice baseline */
  bool huge_pages;         /* madvise(MADV_HUGEPAGE) the baseline's sample pool */
  const char *shape;       /* --shape: only shapes whose name contains it */
} opts_t;

static void usage(FILE *f) {
  fprintf(f,
          "usage: ms_bench [options]\n"
          "  --seconds S        timed render per repetition (default 20; --quick 2)\n"
          "  --voices A,B,...   voice counts (default 16,64,256,1024; --quick 16,64)\n"
          "  --reps R           repetitions, median reported (default 3)\n"
          "  --quick            CI smoke run: 2 s, N=16,64, the seed shape only\n"
          "  --json             one JSON object on stdout instead of the table\n"
          "  --interp cubic|linear|both (default both)\n"
          "  --only LIST        any of engine,baseline,fluid,orbits,controls,shapes (default all)\n"
          "  --pool-mib M       total sample data over all voices (default 512)\n"
          "  --min-sample-s S   shortest sample per voice (default 1.0)\n"
          "  --no-flush         do not evict caches before each repetition\n"
          "  --huge-pages       back the baseline's samples with transparent huge pages\n"
          "  --sf2 PATH         soundfont for FluidSynth (default FluidR3_GM)\n"
          "  --program P        GM program FluidSynth plays (default 19, Church Organ)\n"
          "  --pf-ahead D       prefetch distance in voices for the baseline (default 4)\n"
          "  --shape TEXT       only the voice shapes whose name contains TEXT (e.g. seed)\n");
}

static int parse_voices(const char *s, opts_t *o) {
  o->n_voices = 0;
  while (*s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || v < 1 || v > 4096 || o->n_voices == MAX_NS) return -1;
    o->voices[o->n_voices++] = (uint32_t)v;
    s = end;
    if (*s == ',') s++;
    else if (*s) return -1;
  }
  return o->n_voices ? 0 : -1;
}

static int parse_opts(int argc, char **argv, opts_t *o) {
  memset(o, 0, sizeof *o);
  o->seconds = -1;
  o->warmup_seconds = 0.5;
  o->reps = 3;
  o->pool_mib = 512;
  o->min_sample_s = 1.0;
  o->flush = true;
  o->do_engine = o->do_baseline = o->do_fluid = o->do_orbits = o->do_controls = o->do_shapes = true;
  o->interp_on[0] = o->interp_on[1] = true;
  o->sf2 = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
  o->fluid_program = 19;
  o->pf_ahead = 4;
  bool voices_set = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG()                                               \
  do {                                                           \
    if (!v) {                                                    \
      fprintf(stderr, "ms_bench: option \"%s\" needs a value\n", a); \
      return -1;                                                 \
    }                                                            \
    i++;                                                         \
  } while (0)
    if (!strcmp(a, "--seconds")) {
      NEED_ARG();
      o->seconds = atof(v);
      if (!(o->seconds > 0 && o->seconds <= 3600)) {
        fprintf(stderr, "ms_bench: cannot use --seconds \"%s\": give 0 < S <= 3600\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--voices")) {
      NEED_ARG();
      if (parse_voices(v, o)) {
        fprintf(stderr, "ms_bench: cannot use --voices \"%s\": give a list like 16,64 (1..4096)\n", v);
        return -1;
      }
      voices_set = true;
    } else if (!strcmp(a, "--reps")) {
      NEED_ARG();
      o->reps = atoi(v);
      if (o->reps < 1 || o->reps > MAX_REPS) {
        fprintf(stderr, "ms_bench: cannot use --reps \"%s\": give 1..%d\n", v, MAX_REPS);
        return -1;
      }
    } else if (!strcmp(a, "--quick")) {
      o->quick = true;
    } else if (!strcmp(a, "--json")) {
      o->json = true;
    } else if (!strcmp(a, "--interp")) {
      NEED_ARG();
      o->interp_on[0] = !strcmp(v, "cubic") || !strcmp(v, "both");
      o->interp_on[1] = !strcmp(v, "linear") || !strcmp(v, "both");
      if (!o->interp_on[0] && !o->interp_on[1]) {
        fprintf(stderr, "ms_bench: cannot use --interp \"%s\": give cubic, linear or both\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--only")) {
      NEED_ARG();
      o->do_engine = strstr(v, "engine") != NULL;
      o->do_baseline = strstr(v, "baseline") != NULL;
      o->do_fluid = strstr(v, "fluid") != NULL;
      o->do_orbits = strstr(v, "orbits") != NULL;
      o->do_controls = strstr(v, "controls") != NULL;
      o->do_shapes = strstr(v, "shapes") != NULL;
      if (!o->do_engine && !o->do_baseline && !o->do_fluid && !o->do_orbits && !o->do_controls && !o->do_shapes) {
        fprintf(stderr, "ms_bench: cannot use --only \"%s\": give engine, baseline, fluid, orbits, controls and/or shapes\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--pool-mib")) {
      NEED_ARG();
      o->pool_mib = atof(v);
      if (!(o->pool_mib >= 1 && o->pool_mib <= 16384)) {
        fprintf(stderr, "ms_bench: cannot use --pool-mib \"%s\": give 1..16384\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--min-sample-s")) {
      NEED_ARG();
      o->min_sample_s = atof(v);
      if (!(o->min_sample_s >= 0.01 && o->min_sample_s <= 600)) {
        fprintf(stderr, "ms_bench: cannot use --min-sample-s \"%s\": give 0.01..600\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--huge-pages")) {
      o->huge_pages = true;
    } else if (!strcmp(a, "--no-flush")) {
      o->flush = false;
    } else if (!strcmp(a, "--sf2")) {
      NEED_ARG();
      o->sf2 = v;
    } else if (!strcmp(a, "--program")) {
      NEED_ARG();
      o->fluid_program = atoi(v);
      if (o->fluid_program < 0 || o->fluid_program > 127) {
        fprintf(stderr, "ms_bench: cannot use --program \"%s\": give 0..127\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--pf-ahead")) {
      NEED_ARG();
      o->pf_ahead = atoi(v);
      if (o->pf_ahead < 1 || o->pf_ahead > 64) {
        fprintf(stderr, "ms_bench: cannot use --pf-ahead \"%s\": give 1..64\n", v);
        return -1;
      }
    } else if (!strcmp(a, "--shape")) {
      NEED_ARG();
      o->shape = v;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      exit(0);
    } else {
      fprintf(stderr, "ms_bench: cannot parse option \"%s\": see --help\n", a);
      return -1;
    }
#undef NEED_ARG
  }
  if (o->seconds < 0) o->seconds = o->quick ? 2.0 : 20.0;
  if (!voices_set) {
    static const uint32_t full[] = {16, 64, 256, 1024}, quick[] = {16, 64};
    const uint32_t *src = o->quick ? quick : full;
    o->n_voices = o->quick ? 2 : 4;
    memcpy(o->voices, src, sizeof(uint32_t) * (size_t)o->n_voices);
  }
  return 0;
}

/* ------------------------------------------------------------- timing -- */
typedef struct tpair {
  double cpu_ns;  /* CLOCK_THREAD_CPUTIME_ID */
  double wall_ns; /* CLOCK_MONOTONIC */
} tpair_t;

static double clock_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static tpair_t tnow(void) {
  tpair_t t = {clock_ns(CLOCK_THREAD_CPUTIME_ID), clock_ns(CLOCK_MONOTONIC)};
  return t;
}

static tpair_t tsince(tpair_t t0) {
  tpair_t t = tnow();
  t.cpu_ns -= t0.cpu_ns;
  t.wall_ns -= t0.wall_ns;
  return t;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, int n) {
  if (n <= 0) return NAN;
  double tmp[MAX_REPS];
  memcpy(tmp, v, sizeof(double) * (size_t)n);
  qsort(tmp, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* One measured job: R repetitions of both clocks. */
typedef struct meas {
  int n;
  double cpu_ns[MAX_REPS];
  double wall_ns[MAX_REPS];
} meas_t;

static void meas_add(meas_t *m, tpair_t t) {
  if (m->n < MAX_REPS) {
    m->cpu_ns[m->n] = t.cpu_ns;
    m->wall_ns[m->n] = t.wall_ns;
    m->n++;
  }
}

/* ------------------------------------------------------ cache flushing -- */
/* Writing and reading a buffer twice the size of the last-level cache evicts
 * the sample data, so each repetition starts as a voice's first pass would. */
static unsigned char *g_flush_buf;
static size_t g_flush_bytes;
static volatile uint64_t g_sink;

static void cache_flush(void) {
  if (!g_flush_buf) return;
  uint64_t acc = 0;
  for (size_t i = 0; i < g_flush_bytes; i += 64) {
    g_flush_buf[i] = (unsigned char)(g_flush_buf[i] + 1);
    acc += g_flush_buf[i];
  }
  g_sink += acc;
}

/* -------------------------------------------------------- sample pool -- */
/*
 * One big allocation; voice i plays pool + i * voice_frames. Content is white
 * noise at -6 dBFS (no denormals, no silence an engine might skip).
 */
typedef struct pool {
  float *data;
  uint64_t frames;       /* total */
  uint64_t voice_frames; /* per voice, for the current N */
} pool_t;

static int pool_create(pool_t *p, uint64_t frames, bool huge) {
  p->data = NULL;
  if (posix_memalign((void **)&p->data, 2u << 20, frames * sizeof(float))) return -1;
  if (huge) madvise(p->data, frames * sizeof(float), MADV_HUGEPAGE);
  p->frames = frames;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t i = 0; i < frames; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p->data[i] = (float)((int32_t)(x >> 32)) * (0.5f / 2147483648.0f);
  }
  return 0;
}

/* Per-voice musical parameters, shared by the engine, the baseline and the
 * JSON so the pitch ratios are identical. */
typedef struct vparam {
  uint32_t instrument; /* index 0..n_inst-1 */
  uint8_t key, root;
  float tune_cents;
  float pan;
  double ratio; /* playback rate, sample frames per output frame */
} vparam_t;

static uint32_t n_instruments_for(uint32_t n) {
  if (n <= 16) return n;
  if (n <= 16 * 96) return 16;
  return (n + 95) / 96;
}

static vparam_t voice_param(uint32_t i, uint32_t n) {
  vparam_t v;
  uint32_t n_inst = n_instruments_for(n);
  int d = (int)((i * 7u) % 15u) - 7;            /* semitones below the root: -7..7 */
  int cents = (int)((i * 37u) % 101u) - 50;     /* -50..50 */
  v.instrument = i % n_inst;
  v.key = (uint8_t)(24 + i / n_inst);           /* 24..119 */
  v.root = (uint8_t)(v.key + d);                /* 17..126 */
  v.tune_cents = (float)cents;
  v.pan = (float)((int)(i % 17u) - 8) / 8.0f;
  v.ratio = pow(2.0, ((double)(v.key - v.root) * 100.0 + cents) / 1200.0);
  return v;
}

/* ----------------------------------------------------- baseline loop -- */
/*
 * The bare reference: float mono sample looped whole, stereo out, per-voice
 * pitch ratio, 32.32 fixed-point position, a per-block linear envelope ramp,
 * linear or 4-point Hermite interpolation. This is about the least work a
 * sampler voice can do; the engine's figures are printed as ratios to it.
 */
typedef struct bvoice {
  const float *d;
  uint64_t len;   /* frames; the loop is [0, len) */
  uint64_t pos;   /* 32.32 */
  uint64_t step;  /* 32.32 */
  float gl, gr;   /* pan gains */
  float env;      /* envelope level (a held voice: constant sustain) */
} bvoice_t;

static inline float bl_at(const float *d, uint64_t len, int64_t i) {
  i %= (int64_t)len;
  if (i < 0) i += (int64_t)len;
  return d[i];
}

static inline float hermite(float xm1, float x0, float x1, float x2, float t) {
  float c1 = 0.5f * (x1 - xm1);
  float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
  float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
  return ((c3 * t + c2) * t + c1) * t + x0;
}

/* Frames from now whose whole 4-point neighbourhood lies inside [0, len). */
static inline uint32_t bl_fast_frames(const bvoice_t *v, uint32_t n) {
  uint64_t idx = v->pos >> 32;
  if (idx < 1 || idx + 2 >= v->len) return 0;
  uint64_t pmax = ((v->len - 3) << 32) | 0xFFFFFFFFull;
  uint64_t k = (pmax - v->pos) / v->step + 1;
  return k < n ? (uint32_t)k : n;
}

static inline void bl_wrap(bvoice_t *v) {
  uint64_t lenfx = v->len << 32;
  while (v->pos >= lenfx) v->pos -= lenfx;
}

#define FRAC_SCALE (1.0f / 4294967296.0f)

static void bl_render_linear(bvoice_t *v, float *restrict out, uint32_t n) {
  /* A held voice: the envelope ramp is zero but still applied, without a
   * loop-carried add (env + denv * j), as an engine would. */
  float env = v->env, denv = 0.0f;
  const float gl = v->gl, gr = v->gr;
  while (n) {
    uint32_t k = bl_fast_frames(v, n);
    if (k) {
      const uint64_t pos = v->pos, step = v->step;
      const float *restrict q = v->d + (pos >> 32);
      const uint32_t frac0 = (uint32_t)pos, step_i = (uint32_t)(step >> 32), step_f = (uint32_t)step;
      /* Position from the frame number, not a running sum, and a 32-bit
       * index: no loop-carried chain, so gcc vectorises it (AVX-512 gathers).
       * Exact 32.32 arithmetic all the same. */
      for (int32_t j = 0; j < (int32_t)k; j++) { /* signed j: gcc needs it for the gathers */
        uint64_t pf = (uint64_t)frac0 + (uint64_t)(uint32_t)j * step_f;
        int32_t i = (int32_t)(pf >> 32) + j * (int32_t)step_i;
        float t = (float)(uint32_t)pf * FRAC_SCALE;
        float s = (q[i] + t * (q[i + 1] - q[i])) * (env + denv * (float)j);
        out[2 * j] += s * gl;
        out[2 * j + 1] += s * gr;
      }
      env += denv * (float)k;
      v->pos = pos + (uint64_t)k * step;
      out += 2 * k;
      n -= k;
    } else {
      int64_t i = (int64_t)(v->pos >> 32);
      float t = (float)(uint32_t)v->pos * FRAC_SCALE;
      float a = bl_at(v->d, v->len, i), b = bl_at(v->d, v->len, i + 1);
      float s = (a + t * (b - a)) * env;
      out[0] += s * gl;
      out[1] += s * gr;
      env += denv;
      v->pos += v->step;
      bl_wrap(v);
      out += 2;
      n--;
    }
  }
  v->env = env;
}

static void bl_render_cubic(bvoice_t *v, float *restrict out, uint32_t n) {
  float env = v->env, denv = 0.0f;
  const float gl = v->gl, gr = v->gr;
  while (n) {
    uint32_t k = bl_fast_frames(v, n);
    if (k) {
      const uint64_t pos = v->pos, step = v->step;
      const float *restrict q = v->d + (pos >> 32);
      const uint32_t frac0 = (uint32_t)pos, step_i = (uint32_t)(step >> 32), step_f = (uint32_t)step;
      /* Position from the frame number, not a running sum, and a 32-bit
       * index: no loop-carried chain, so gcc vectorises it (AVX-512 gathers).
       * Exact 32.32 arithmetic all the same. */
      for (int32_t j = 0; j < (int32_t)k; j++) { /* signed j: gcc needs it for the gathers */
        uint64_t pf = (uint64_t)frac0 + (uint64_t)(uint32_t)j * step_f;
        int32_t i = (int32_t)(pf >> 32) + j * (int32_t)step_i;
        float t = (float)(uint32_t)pf * FRAC_SCALE;
        float s = hermite(q[i - 1], q[i], q[i + 1], q[i + 2], t) * (env + denv * (float)j);
        out[2 * j] += s * gl;
        out[2 * j + 1] += s * gr;
      }
      env += denv * (float)k;
      v->pos = pos + (uint64_t)k * step;
      out += 2 * k;
      n -= k;
    } else {
      int64_t i = (int64_t)(v->pos >> 32);
      float t = (float)(uint32_t)v->pos * FRAC_SCALE;
      float s = hermite(bl_at(v->d, v->len, i - 1), bl_at(v->d, v->len, i),
                        bl_at(v->d, v->len, i + 1), bl_at(v->d, v->len, i + 2), t) *
                env;
      out[0] += s * gl;
      out[1] += s * gr;
      env += denv;
      v->pos += v->step;
      bl_wrap(v);
      out += 2;
      n--;
    }
  }
  v->env = env;
}

/* Touch the cache lines voice v will read in its next n frames. */
static inline void bl_prefetch(const bvoice_t *v, uint32_t n) {
  uint64_t i0 = v->pos >> 32;
  uint64_t i1 = ((v->pos + v->step * n) >> 32) + 3;
  if (i0) i0--;
  if (i1 > v->len) i1 = v->len;
  const char *a = (const char *)(v->d + i0);
  const char *b = (const char *)(v->d + i1);
  a = (const char *)((uintptr_t)a & ~(uintptr_t)63);
  /* Not __builtin_prefetch: gcc 12 deletes a loop whose only statement is
   * that builtin once the function is inlined (checked with -O1..-O3). */
  for (; a < b; a += 64) __asm__ volatile("prefetcht0 %0" : : "m"(*a));
}

enum { BL_OWN, BL_PF_VOICE, BL_PF_BLOCK, BL_CACHED, BL_N };
static const char *const bl_name[BL_N] = {"own", "own_pf_voice", "own_pf_block", "cached"};

typedef struct baseline {
  bvoice_t *v;
  uint32_t n;
  float buf[BLOCK_FRAMES * 2];
} baseline_t;

static int baseline_init(baseline_t *b, const pool_t *p, uint32_t n, int variant) {
  b->v = calloc(n, sizeof *b->v);
  if (!b->v) return -1;
  b->n = n;
  for (uint32_t i = 0; i < n; i++) {
    vparam_t vp = voice_param(i, n);
    bvoice_t *v = &b->v[i];
    if (variant == BL_CACHED) {
      /* One 0.25 s sample shared by all voices (48 KiB: stays in L2),
       * each voice starting elsewhere in it. */
      v->d = p->data;
      v->len = RATE_HZ / 4;
      v->pos = ((uint64_t)((i * 7919u) % (uint32_t)v->len)) << 32;
    } else {
      v->d = p->data + (uint64_t)i * p->voice_frames;
      v->len = p->voice_frames;
      v->pos = 0;
    }
    v->step = (uint64_t)llround(vp.ratio * 4294967296.0);
    float th = (vp.pan + 1.0f) * 0.25f * 3.14159265f;
    v->gl = cosf(th) * 0.03f;
    v->gr = sinf(th) * 0.03f;
    v->env = 0.8f;
  }
  return 0;
}

static void baseline_block(baseline_t *b, int variant, int interp, int pf_ahead) {
  memset(b->buf, 0, sizeof b->buf);
  const uint32_t n = b->n;
  for (uint32_t i = 0; i < n; i++) {
    if (variant == BL_PF_VOICE && i + (uint32_t)pf_ahead < n)
      bl_prefetch(&b->v[i + (uint32_t)pf_ahead], BLOCK_FRAMES);
    if (interp == 0)
      bl_render_cubic(&b->v[i], b->buf, BLOCK_FRAMES);
    else
      bl_render_linear(&b->v[i], b->buf, BLOCK_FRAMES);
    if (variant == BL_PF_BLOCK) bl_prefetch(&b->v[i], BLOCK_FRAMES);
  }
  /* The first voices of the next block, for the next-voice variant. */
  if (variant == BL_PF_VOICE)
    for (uint32_t i = 0; i < (uint32_t)pf_ahead && i < n; i++) bl_prefetch(&b->v[i], BLOCK_FRAMES);
}

static bool finite_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return (u & 0x7F800000u) != 0x7F800000u;
}

/* ------------------------------------------------------------ engine -- */
typedef struct engine {
  ms_sampler_t *s;
  ms_instrument_t **inst;
  uint32_t n_inst;
  float buf[BLOCK_FRAMES * 2];
  float peak; /* over the last timed repetition's last block */
  bool output_finite;
} engine_t;

static void engine_fail(const engine_t *e, const char *what, int32_t rc) {
  char msg[512];
  ms_error_message(e ? e->s : NULL, msg, sizeof msg);
  fprintf(stderr, "ms_bench: %s failed: %s (%d): %s\n", what, ms_strerror(rc), rc, msg);
}

static uint32_t pow2_at_least(uint32_t v) {
  uint32_t p = 64;
  while (p < v) p <<= 1;
  return p;
}

static void engine_destroy(engine_t *e) {
  if (e->s) ms_sampler_destroy(e->s);
  free(e->inst);
  memset(e, 0, sizeof *e);
}

/*
 * A sampler for N voices: min(16, N) instruments (like 16 MIDI channels),
 * one zone per voice on a key of its own, each zone its own sample, looped
 * forward, with an ADSR envelope.
 */
static int engine_create(engine_t *e, const pool_t *p, uint32_t n, int interp) {
  memset(e, 0, sizeof *e);
  ms_audio_config_t cfg = {0};
  cfg.sample_rate = RATE_HZ;
  cfg.channels = 2;
  cfg.max_polyphony = n < 64 ? 64 : n;
  cfg.buffer_size = BLOCK_FRAMES;
  cfg.ring_capacity = pow2_at_least(n * 2 < 4096 ? 4096 : n * 2);
  cfg.interpolation = interp_code[interp];
  e->n_inst = n_instruments_for(n);
  cfg.max_instruments = e->n_inst < 128 ? 128 : e->n_inst;
  int32_t rc = ms_sampler_create(&cfg, &e->s);
  if (rc) {
    engine_fail(NULL, "ms_sampler_create", rc);
    return -1;
  }
  e->inst = calloc(e->n_inst, sizeof *e->inst);
  if (!e->inst) return -1;
  for (uint32_t k = 0; k < e->n_inst; k++) {
    char name[32];
    snprintf(name, sizeof name, "bench%u", k);
    if ((rc = ms_instrument_create(e->s, name, &e->inst[k]))) {
      engine_fail(e, "ms_instrument_create", rc);
      return -1;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    vparam_t vp = voice_param(i, n);
    ms_sample_t *smp;
    rc = ms_sample_create(e->s, p->data + (uint64_t)i * p->voice_frames, p->voice_frames, 1,
                          RATE_HZ, &smp);
    if (rc) {
      engine_fail(e, "ms_sample_create", rc);
      return -1;
    }
    ms_zone_t z;
    ms_zone_init(&z);
    z.lo_key = z.hi_key = vp.key;
    z.root_key = vp.root;
    z.loop_mode = MS_LOOP_FORWARD;
    z.loop_start_frames = 0;
    z.loop_end_frames = 0; /* whole sample */
    z.tune_cents = vp.tune_cents;
    z.gain_db = -30.0f;
    z.pan = vp.pan;
    z.attack_s = 0.005f;
    z.hold_s = 0.0f;
    z.decay_s = 0.1f;
    z.sustain = 0.8f;
    z.release_s = 0.2f;
    rc = ms_instrument_add_zone(e->inst[vp.instrument], smp, &z, NULL);
    ms_sample_destroy(smp); /* the zone holds its own reference */
    if (rc) {
      engine_fail(e, "ms_instrument_add_zone", rc);
      return -1;
    }
  }
  for (uint32_t k = 0; k < e->n_inst; k++) {
    if ((rc = ms_instrument_commit(e->inst[k]))) {
      engine_fail(e, "ms_instrument_commit", rc);
      return -1;
    }
  }
  ms_sampler_collect(e->s);
  return 0;
}

static void engine_render(engine_t *e, uint64_t frames) {
  uint64_t blocks = frames / BLOCK_FRAMES;
  for (uint64_t b = 0; b < blocks; b++) ms_process(e->s, e->buf, BLOCK_FRAMES);
}

static int engine_notes_on(engine_t *e, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    vparam_t vp = voice_param(i, n);
    int32_t rc;
    int tries = 0;
    while ((rc = ms_note_on(e->inst[vp.instrument], vp.key, 100, NULL)) == MS_ERR_RING_FULL &&
           tries++ < 1000)
      ms_process(e->s, e->buf, BLOCK_FRAMES);
    if (rc) {
      engine_fail(e, "ms_note_on", rc);
      return -1;
    }
  }
  return 0;
}

static void engine_check_output(engine_t *e) {
  float peak = 0.0f;
  bool ok = true;
  for (uint32_t i = 0; i < BLOCK_FRAMES * 2; i++) {
    if (!finite_bits(e->buf[i])) ok = false;
    float a = fabsf(e->buf[i]);
    if (a > peak) peak = a;
  }
  e->peak = peak;
  e->output_finite = ok;
}

/* -------------------------------------------------------- FluidSynth -- */
/* The handful of libfluidsynth calls used, bound at run time. */
typedef struct fluid_api {
  void *lib;
  void *(*new_settings)(void);
  int (*settings_setint)(void *, const char *, int);
  int (*settings_setnum)(void *, const char *, double);
  void *(*new_synth)(void *);
  int (*sfload)(void *, const char *, int);
  int (*program_change)(void *, int, int);
  int (*noteon)(void *, int, int, int);
  int (*all_sounds_off)(void *, int);
  int (*active_voices)(void *);
  int (*set_polyphony)(void *, int);
  int (*set_interp)(void *, int, int);
  int (*write_float)(void *, int, void *, int, int, void *, int, int);
  void (*delete_synth)(void *);
  void (*delete_settings)(void *);
  void *(*set_log_function)(int, void *, void *);
  void (*version)(int *, int *, int *);
} fluid_api_t;

typedef struct fluid {
  fluid_api_t api;
  void *settings, *synth;
  int major, minor, micro;
  char error[256];
  float buf[BLOCK_FRAMES * 2];
} fluid_t;

static void fluid_log_quiet(int level, const char *msg, void *data) {
  (void)level;
  (void)msg;
  (void)data;
}

static int fluid_open(fluid_t *f, const opts_t *o) {
  memset(f, 0, sizeof *f);
  f->api.lib = dlopen("libfluidsynth.so.3", RTLD_NOW);
  if (!f->api.lib) f->api.lib = dlopen("libfluidsynth.so", RTLD_NOW);
  if (!f->api.lib) {
    snprintf(f->error, sizeof f->error, "Cannot load libfluidsynth: %s", dlerror());
    return -1;
  }
  struct {
    void **slot;
    const char *name;
  } syms[] = {
      {(void **)&f->api.new_settings, "new_fluid_settings"},
      {(void **)&f->api.settings_setint, "fluid_settings_setint"},
      {(void **)&f->api.settings_setnum, "fluid_settings_setnum"},
      {(void **)&f->api.new_synth, "new_fluid_synth"},
      {(void **)&f->api.sfload, "fluid_synth_sfload"},
      {(void **)&f->api.program_change, "fluid_synth_program_change"},
      {(void **)&f->api.noteon, "fluid_synth_noteon"},
      {(void **)&f->api.all_sounds_off, "fluid_synth_all_sounds_off"},
      {(void **)&f->api.active_voices, "fluid_synth_get_active_voice_count"},
      {(void **)&f->api.set_polyphony, "fluid_synth_set_polyphony"},
      {(void **)&f->api.set_interp, "fluid_synth_set_interp_method"},
      {(void **)&f->api.write_float, "fluid_synth_write_float"},
      {(void **)&f->api.delete_synth, "delete_fluid_synth"},
      {(void **)&f->api.delete_settings, "delete_fluid_settings"},
      {(void **)&f->api.set_log_function, "fluid_set_log_function"},
      {(void **)&f->api.version, "fluid_version"},
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
    *syms[i].slot = dlsym(f->api.lib, syms[i].name);
    if (!*syms[i].slot) {
      snprintf(f->error, sizeof f->error, "Cannot bind libfluidsynth: no symbol \"%s\"",
               syms[i].name);
      return -1;
    }
  }
  f->api.version(&f->major, &f->minor, &f->micro);
  for (int lvl = 0; lvl <= 4; lvl++) f->api.set_log_function(lvl, (void *)fluid_log_quiet, NULL);
  if (access(o->sf2, R_OK)) {
    snprintf(f->error, sizeof f->error, "Cannot open soundfont \"%s\": %s", o->sf2, strerror(errno));
    return -1;
  }
  f->settings = f->api.new_settings();
  f->api.settings_setnum(f->settings, "synth.sample-rate", RATE_HZ);
  f->api.settings_setint(f->settings, "synth.reverb.active", 0);
  f->api.settings_setint(f->settings, "synth.chorus.active", 0);
  f->api.settings_setint(f->settings, "synth.polyphony", 4096);
  f->api.settings_setint(f->settings, "synth.cpu-cores", 1);
  f->api.settings_setint(f->settings, "synth.midi-channels", 16);
  f->api.settings_setnum(f->settings, "synth.gain", 0.02);
  f->synth = f->api.new_synth(f->settings);
  if (!f->synth) {
    snprintf(f->error, sizeof f->error, "Cannot create a FluidSynth synth");
    return -1;
  }
  if (f->api.sfload(f->synth, o->sf2, 1) < 0) {
    snprintf(f->error, sizeof f->error, "Cannot load soundfont \"%s\" into FluidSynth", o->sf2);
    return -1;
  }
  for (int c = 0; c < 16; c++)
    if (c != 9) f->api.program_change(f->synth, c, o->fluid_program);
  return 0;
}

static void fluid_close(fluid_t *f) {
  if (f->synth) f->api.delete_synth(f->synth);
  if (f->settings) f->api.delete_settings(f->settings);
  /* libfluidsynth stays loaded: unloading it can race its own atexit work. */
}

static void fluid_render(fluid_t *f, uint64_t frames) {
  uint64_t blocks = frames / BLOCK_FRAMES;
  for (uint64_t b = 0; b < blocks; b++)
    f->api.write_float(f->synth, BLOCK_FRAMES, f->buf, 0, 2, f->buf, 1, 2);
}

/* Silence everything, then set interpolation and polyphony for the next job. */
static void fluid_reset(fluid_t *f, int interp, uint32_t polyphony) {
  f->api.all_sounds_off(f->synth, -1);
  for (int i = 0; i < 200 && f->api.active_voices(f->synth) > 0; i++) fluid_render(f, BLOCK_FRAMES);
  f->api.set_polyphony(f->synth, (int)(polyphony < 16 ? 16 : polyphony));
  f->api.set_interp(f->synth, -1, fluid_interp_code[interp]);
}

/* Start notes across 15 channels (9 is drums) until n voices sound. A GM
 * organ preset may start one or two voices per note, and none outside its
 * key range (FluidR3's Church Organ sounds up to key 96); returns the count. */
static int fluid_notes_on(fluid_t *f, uint32_t n, int *notes) {
  static const int chans[15] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15};
  int j = 0;
  while ((uint32_t)f->api.active_voices(f->synth) < n) {
    int key = 24 + j / 15;
    if (key > 127) break;
    f->api.noteon(f->synth, chans[j % 15], key, 100);
    j++;
  }
  *notes = j;
  return f->api.active_voices(f->synth);
}

/* ------------------------------------------------------------ results -- */
typedef struct result {
  uint32_t n;
  int interp;
  /* engine */
  bool eng_ok;
  meas_t eng_empty, eng;
  uint64_t eng_voices_before, eng_voices_after, eng_stolen, eng_peak_voices;
  float eng_peak;
  bool eng_finite;
  /* baseline */
  bool bl_ok;
  meas_t bl[BL_N];
  /* fluid */
  bool fl_ok;
  meas_t fl_empty, fl;
  int fl_voices_before, fl_voices_after, fl_notes;
} result_t;

/* Net ns per voice-frame of the median repetition, empty cost subtracted. */
static double net_ns(const meas_t *m, const meas_t *empty, double voices, double frames,
                     bool wall) {
  if (!m->n || voices <= 0) return NAN;
  double e = empty && empty->n ? median(wall ? empty->wall_ns : empty->cpu_ns, empty->n) : 0.0;
  return (median(wall ? m->wall_ns : m->cpu_ns, m->n) - e) / (voices * frames);
}

/* Median over repetitions of the per-repetition ratio a/b (both nets). */
static double median_ratio(const meas_t *a, const meas_t *ae, const meas_t *b, const meas_t *be) {
  if (!a->n || !b->n) return NAN;
  double ea = ae && ae->n ? median(ae->cpu_ns, ae->n) : 0.0;
  double eb = be && be->n ? median(be->cpu_ns, be->n) : 0.0;
  double r[MAX_REPS];
  int k = a->n < b->n ? a->n : b->n;
  for (int i = 0; i < k; i++) r[i] = (a->cpu_ns[i] - ea) / (b->cpu_ns[i] - eb);
  return median(r, k);
}

int bench_controls(FILE *out, uint32_t voices, uint32_t reps, double seconds); /* bench_controls.c */

static double rt_voices(double ns) { return ns > 0 ? 1e9 / (ns * RATE_HZ) : NAN; }

/* ---------------------------------------------------------------- run -- */
static void run_one(const opts_t *o, pool_t *pool, fluid_t *fl, bool fl_ok, uint32_t n,
                    int interp, result_t *r) {
  memset(r, 0, sizeof *r);
  r->n = n;
  r->interp = interp;
  const uint64_t frames = (uint64_t)(o->seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;
  const uint64_t warm = (uint64_t)(o->warmup_seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;

  engine_t eng;
  baseline_t bl[BL_N];
  memset(bl, 0, sizeof bl);
  if (o->do_engine) {
    r->eng_ok = engine_create(&eng, pool, n, interp) == 0;
    if (r->eng_ok) {
      engine_render(&eng, warm);
      for (int rep = 0; rep < o->reps; rep++) { /* the empty engine: same config, no notes */
        tpair_t t0 = tnow();
        engine_render(&eng, frames);
        meas_add(&r->eng_empty, tsince(t0));
      }
      r->eng_ok = engine_notes_on(&eng, n) == 0;
    }
    if (r->eng_ok) {
      engine_render(&eng, warm);
      ms_stats_t st;
      ms_get_stats_ex(eng.s, &st);
      r->eng_voices_before = st.voices_active;
    }
  }
  if (o->do_baseline) {
    r->bl_ok = true;
    for (int v = 0; v < BL_N; v++) {
      if (baseline_init(&bl[v], pool, n, v)) r->bl_ok = false;
      else
        for (uint64_t b = 0; b < warm / BLOCK_FRAMES; b++) baseline_block(&bl[v], v, interp, o->pf_ahead);
    }
  }
  if (o->do_fluid && fl_ok) {
    fluid_reset(fl, interp, n);
    fluid_render(fl, warm);
    for (int rep = 0; rep < o->reps; rep++) {
      tpair_t t0 = tnow();
      fluid_render(fl, frames);
      meas_add(&r->fl_empty, tsince(t0));
    }
    r->fl_voices_before = fluid_notes_on(fl, n, &r->fl_notes);
    fluid_render(fl, warm);
    r->fl_ok = true;
  }

  /* Repetitions interleave the jobs so machine noise hits them alike. */
  for (int rep = 0; rep < o->reps; rep++) {
    if (r->eng_ok) {
      if (o->flush) cache_flush();
      tpair_t t0 = tnow();
      engine_render(&eng, frames);
      meas_add(&r->eng, tsince(t0));
      ms_sampler_collect(eng.s);
    }
    if (r->bl_ok) {
      for (int v = 0; v < BL_N; v++) {
        if (o->flush) cache_flush();
        const uint64_t blocks = frames / BLOCK_FRAMES;
        tpair_t t0 = tnow();
        for (uint64_t b = 0; b < blocks; b++) baseline_block(&bl[v], v, interp, o->pf_ahead);
        meas_add(&r->bl[v], tsince(t0));
      }
    }
    if (r->fl_ok) {
      tpair_t t0 = tnow();
      fluid_render(fl, frames);
      meas_add(&r->fl, tsince(t0));
    }
  }

  if (r->eng_ok) {
    ms_stats_t st;
    ms_get_stats_ex(eng.s, &st);
    r->eng_voices_after = st.voices_active;
    r->eng_stolen = st.voices_stolen;
    r->eng_peak_voices = st.voices_peak;
    engine_check_output(&eng);
    r->eng_peak = eng.peak;
    r->eng_finite = eng.output_finite;
  }
  if (o->do_engine) engine_destroy(&eng);
  for (int v = 0; v < BL_N; v++) {
    if (bl[v].v) {
      for (uint32_t i = 0; i < BLOCK_FRAMES * 2; i++)
        if (!finite_bits(bl[v].buf[i])) r->bl_ok = false;
      free(bl[v].v);
    }
  }
  if (r->fl_ok) r->fl_voices_after = fl->api.active_voices(fl->synth);
}

/* ------------------------------------------------------------- output -- */
static void fmt_num(char *buf, size_t cap, double v, int prec) {
  if (isnan(v)) snprintf(buf, cap, "-");
  else snprintf(buf, cap, "%.*f", prec, v);
}

static void print_table(const opts_t *o, const result_t *res, int nres, const fluid_t *fl,
                        bool fl_ok, const char *date, const pool_t *pool) {
  const double frames = (double)((uint64_t)(o->seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES);
  printf("ms_bench  %s  libmidisampler %u.%u.%u\n", date, ms_version() >> 16,
         (ms_version() >> 8) & 0xFF, ms_version() & 0xFF);
  printf("job: %.1f s of %u Hz stereo per repetition, %u-frame blocks, median of %d repetitions,\n"
         "     thread CPU time; each voice on its own looped sample, %.0f MiB of samples in all%s\n",
         o->seconds, RATE_HZ, BLOCK_FRAMES, o->reps, (double)pool->frames * 4.0 / 1048576.0,
         o->flush ? ", caches evicted before each repetition" : "");
  if (o->do_fluid) {
    if (fl_ok)
      printf("FluidSynth %d.%d.%d in-process, reverb/chorus off, program %d, %s\n", fl->major,
             fl->minor, fl->micro, o->fluid_program, o->sf2);
    else
      printf("FluidSynth skipped: %s\n", fl->error);
  }
  printf("ns/vf = ns per voice-frame with the empty (0-voice) cost subtracted; rt/core = 1e9/(ns/vf*48000)\n");
  for (int interp = 0; interp < N_INTERP; interp++) {
    if (!o->interp_on[interp]) continue;
    printf("\n%s (target engine <= %.1f ns/vf)\n", interp == 0 ? "CUBIC (engine 4-point Hermite, FluidSynth interp 4)"
                                                               : "LINEAR (FluidSynth interp 1)",
           target_ns[interp]);
    printf("%5s | %7s %7s %7s %8s %7s %7s | %6s %6s %6s %6s | %7s %5s %7s | %7s %7s %7s\n", "N",
           "engine", "wall", "rt/core", "empty", "voices", "target", "b.own", "b.pfv", "b.pfb",
           "b.cach", "fluid", "voic", "rt/core", "e/b.own", "e/b.pfv", "e/fluid");
    printf("%5s | %7s %7s %7s %8s %7s %7s | %6s %6s %6s %6s | %7s %5s %7s | %7s %7s %7s\n", "",
           "ns/vf", "ns/vf", "", "ns/frame", "held", "", "ns/vf", "ns/vf", "ns/vf", "ns/vf",
           "ns/vf", "", "", "", "", "");
    for (int k = 0; k < nres; k++) {
      const result_t *r = &res[k];
      if (r->interp != interp) continue;
      char c[16][24];
      double e = net_ns(&r->eng, &r->eng_empty, r->n, frames, false);
      double ew = net_ns(&r->eng, &r->eng_empty, r->n, frames, true);
      double empty = r->eng_empty.n ? median(r->eng_empty.cpu_ns, r->eng_empty.n) / frames : NAN;
      double b[BL_N];
      for (int v = 0; v < BL_N; v++) b[v] = net_ns(&r->bl[v], NULL, r->n, frames, false);
      double f = net_ns(&r->fl, &r->fl_empty, r->fl_voices_before, frames, false);
      fmt_num(c[0], 24, e, 3);
      fmt_num(c[1], 24, ew, 3);
      fmt_num(c[2], 24, rt_voices(e), 0);
      fmt_num(c[3], 24, empty, 2);
      snprintf(c[4], 24, "%s", r->eng_ok ? "" : "-");
      if (r->eng_ok)
        snprintf(c[4], 24, "%llu/%llu", (unsigned long long)r->eng_voices_after,
                 (unsigned long long)r->n);
      snprintf(c[5], 24, "%s", !r->eng_ok || isnan(e) ? "-" : e <= target_ns[interp] ? "ok" : "MISS");
      for (int v = 0; v < BL_N; v++) fmt_num(c[6 + v], 24, b[v], 3);
      fmt_num(c[10], 24, f, 3);
      snprintf(c[11], 24, "%d", r->fl_ok ? r->fl_voices_before : 0);
      fmt_num(c[12], 24, rt_voices(f), 0);
      fmt_num(c[13], 24, median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_OWN], NULL), 2);
      fmt_num(c[14], 24, median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_PF_VOICE], NULL), 2);
      fmt_num(c[15], 24, median_ratio(&r->eng, &r->eng_empty, &r->fl, &r->fl_empty), 2);
      printf("%5u | %7s %7s %7s %8s %7s %7s | %6s %6s %6s %6s | %7s %5s %7s | %7s %7s %7s\n", r->n,
             c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
             c[14], c[15]);
    }
  }
  printf("\nb.own: baseline, own samples, no prefetch; b.pfv: prefetching voice i+%d's block before"
         " voice i;\nb.pfb: prefetching each voice's next block after it; b.cach: all voices on one"
         " 48 KiB sample (in cache).\ne/x: median over repetitions of engine time / x time.\n",
         o->pf_ahead);
  for (int k = 0; k < nres; k++) {
    const result_t *r = &res[k];
    if (r->eng_ok && (r->eng_voices_before != r->n || r->eng_voices_after != r->n || r->eng_stolen))
      printf("WARNING: engine N=%u %s: voices_active %llu before, %llu after, %llu stolen\n", r->n,
             interp_name[r->interp], (unsigned long long)r->eng_voices_before,
             (unsigned long long)r->eng_voices_after, (unsigned long long)r->eng_stolen);
    if (r->eng_ok && (!r->eng_finite || r->eng_peak == 0.0f))
      printf("WARNING: engine N=%u %s: output %s (peak %g)\n", r->n, interp_name[r->interp],
             r->eng_finite ? "silent" : "not finite", r->eng_peak);
    if (r->fl_ok && (r->fl_voices_before != r->fl_voices_after || (uint32_t)r->fl_voices_before != r->n))
      printf("WARNING: FluidSynth N=%u %s: %d voices at start (%d notes), %d at the end\n", r->n,
             interp_name[r->interp], r->fl_voices_before, r->fl_notes, r->fl_voices_after);
  }
}

static void json_num(const char *key, double v, bool comma) {
  if (isnan(v) || isinf(v)) printf("\"%s\":null%s", key, comma ? "," : "");
  else printf("\"%s\":%.6g%s", key, v, comma ? "," : "");
}

static void json_reps(const char *key, const meas_t *m, bool comma) {
  printf("\"%s\":[", key);
  for (int i = 0; i < m->n; i++) printf("%s%.0f", i ? "," : "", m->cpu_ns[i]);
  printf("]%s", comma ? "," : "");
}

/* ------------------------------------------------------------- orbits -- */
/*
 * What orbits (effect buses: delay + reverb) cost, as a share of one core at
 * 48 kHz, from three samplers with the same ORBIT_VOICES held voices (16
 * instruments, own samples, the engine job's zones), timed in the same
 * repetitions:
 *   plain   the voices, no orbit ever used;
 *   idle    the same with all MS_MAX_ORBITS orbits prepared (memory
 *           installed) and asleep;
 *   routed  voice k sends to orbit k's reverb at -140 dB: the whole voice
 *           path of a voice with sends (rendered into a scratch pair, then
 *           mixed through rt_orbit_mix) while the reverbs, never woken by
 *           input that quiet, only scan it and stay asleep;
 *   active  voice k sends to orbit k (delay 0.2 at 0.25 s with feedback 0.5,
 *           room 0.2 with size 2 s) for ORBIT_VOICES orbits, all awake.
 * (active - routed) / ORBIT_VOICES: one active orbit (delay + reverb, the
 * sends' accumulation included); (routed - plain) / ORBIT_VOICES: what a
 * voice pays for going through its orbit; (idle - plain) / MS_MAX_ORBITS:
 * one idle orbit (expected 0 within noise).
 */
#define ORBIT_VOICES 16u
enum { ORB_PLAIN, ORB_IDLE, ORB_ROUTED, ORB_ACTIVE, ORB_N };
static const char *const orb_name[ORB_N] = {"plain", "idle", "routed", "active"};

typedef struct orbit_result {
  bool ok;
  double seconds;              /* audio rendered per repetition */
  meas_t m[ORB_N];
  uint32_t awake[ORB_N];       /* ms_orbits_awake after the timed renders */
} orbit_result_t;

static int orbit_notes(engine_t *e, int mode) {
  for (uint32_t i = 0; i < ORBIT_VOICES; i++) {
    vparam_t vp = voice_param(i, ORBIT_VOICES);
    ms_controls_t c;
    memset(&c, 0, sizeof c);
    if (mode == ORB_ROUTED) {
      ms_controls_set(&c, MS_CONTROL_ORBIT, (float)(i % MS_MAX_ORBITS));
      ms_controls_set(&c, MS_CONTROL_ROOM, 1e-7f);
    }
    if (mode == ORB_ACTIVE) {
      ms_controls_set(&c, MS_CONTROL_ORBIT, (float)(i % MS_MAX_ORBITS));
      ms_controls_set(&c, MS_CONTROL_DELAY, 0.2f);
      ms_controls_set(&c, MS_CONTROL_DELAYTIME, 0.25f);
      ms_controls_set(&c, MS_CONTROL_DELAYFEEDBACK, 0.5f);
      ms_controls_set(&c, MS_CONTROL_ROOM, 0.2f);
      ms_controls_set(&c, MS_CONTROL_ROOMSIZE, 2.0f);
    }
    int32_t rc = ms_note_on_controls_at(e->inst[vp.instrument], MS_FRAME_NOW, vp.key, 100, NULL,
                                        mode >= ORB_ROUTED ? &c : NULL);
    if (rc) {
      engine_fail(e, "ms_note_on_controls_at", rc);
      return -1;
    }
  }
  return 0;
}

static void run_orbits(const opts_t *o, orbit_result_t *r) {
  memset(r, 0, sizeof *r);
  r->seconds = o->seconds < 4.0 ? o->seconds : 4.0;
  const uint64_t frames = (uint64_t)(r->seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;
  const uint64_t warm = (uint64_t)(o->warmup_seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;
  pool_t pool;
  if (pool_create(&pool, (uint64_t)ORBIT_VOICES * RATE_HZ, false)) return;
  pool.voice_frames = RATE_HZ;
  engine_t e[ORB_N];
  memset(e, 0, sizeof e);
  r->ok = true;
  for (int m = 0; m < ORB_N && r->ok; m++) {
    r->ok = engine_create(&e[m], &pool, ORBIT_VOICES, 0) == 0;
    for (uint32_t k = 0; r->ok && m == ORB_IDLE && k < MS_MAX_ORBITS; k++) {
      int32_t rc = ms_orbit_prepare(e[m].s, k);
      if (rc) {
        engine_fail(&e[m], "ms_orbit_prepare", rc);
        r->ok = false;
      }
    }
    if (r->ok) r->ok = orbit_notes(&e[m], m) == 0;
    if (r->ok) engine_render(&e[m], warm);
  }
  for (int rep = 0; r->ok && rep < o->reps; rep++) {
    for (int m = 0; m < ORB_N; m++) {
      tpair_t t0 = tnow();
      engine_render(&e[m], frames);
      meas_add(&r->m[m], tsince(t0));
    }
  }
  for (int m = 0; m < ORB_N; m++) {
    if (r->ok) r->awake[m] = ms_orbits_awake(e[m].s);
    if (e[m].s) engine_destroy(&e[m]);
  }
  free(pool.data);
}

/* Median over repetitions of (job - base) per orbit or voice, as % of one core. */
static double orbit_share(const orbit_result_t *r, int mode, int base, double orbits) {
  double v[MAX_REPS];
  int n = r->m[mode].n < r->m[base].n ? r->m[mode].n : r->m[base].n;
  if (!n) return NAN;
  for (int i = 0; i < n; i++) v[i] = (r->m[mode].cpu_ns[i] - r->m[base].cpu_ns[i]) / orbits;
  return median(v, n) / (r->seconds * 1e9) * 100.0;
}

static void print_orbits(const orbit_result_t *r) {
  printf("\nORBITS (%u held voices; %.1f s per repetition; %% of one core at %u Hz, median of per-repetition "
         "differences)\n",
         ORBIT_VOICES, r->seconds, RATE_HZ);
  if (!r->ok) {
    printf("  skipped: the engine could not run the job\n");
    return;
  }
  for (int m = 0; m < ORB_N; m++)
    printf("  %-7s %8.2f %% of a core (%u voices%s), orbits awake 0x%04x\n", orb_name[m],
           median(r->m[m].cpu_ns, r->m[m].n) / (r->seconds * 1e9) * 100.0, ORBIT_VOICES,
           m == ORB_IDLE     ? ", 16 orbits prepared, asleep"
           : m == ORB_ROUTED ? ", each sending -140 dB to its orbit, asleep"
           : m == ORB_ACTIVE ? ", each on its own orbit with sends"
                             : "",
           r->awake[m]);
  printf("  one active orbit (reverb + delay): %.3f %% of a core (target <= 1 %%)\n",
         orbit_share(r, ORB_ACTIVE, ORB_ROUTED, ORBIT_VOICES));
  printf("  a voice routed through its orbit (scratch + mix, per voice): %.4f %% of a core = %.2f ns per frame\n",
         orbit_share(r, ORB_ROUTED, ORB_PLAIN, ORBIT_VOICES),
         orbit_share(r, ORB_ROUTED, ORB_PLAIN, ORBIT_VOICES) / 100.0 * 1e9 / RATE_HZ);
  printf("  one active orbit with its voice's sends: %.3f %% of a core\n",
         orbit_share(r, ORB_ACTIVE, ORB_PLAIN, ORBIT_VOICES));
  printf("  one idle orbit: %.4f %% of a core (target 0; noise is about +-0.01 %%)\n",
         orbit_share(r, ORB_IDLE, ORB_PLAIN, MS_MAX_ORBITS));
}

static void json_orbits(const orbit_result_t *r) {
  printf("\"orbits\":{\"ok\":%s,\"voices\":%u,\"seconds\":%g,", r->ok ? "true" : "false", ORBIT_VOICES, r->seconds);
  json_num("active_orbit_core_percent", r->ok ? orbit_share(r, ORB_ACTIVE, ORB_ROUTED, ORBIT_VOICES) : NAN, true);
  json_num("routed_voice_core_percent", r->ok ? orbit_share(r, ORB_ROUTED, ORB_PLAIN, ORBIT_VOICES) : NAN, true);
  json_num("active_orbit_with_sends_core_percent", r->ok ? orbit_share(r, ORB_ACTIVE, ORB_PLAIN, ORBIT_VOICES) : NAN,
           true);
  json_num("idle_orbit_core_percent", r->ok ? orbit_share(r, ORB_IDLE, ORB_PLAIN, MS_MAX_ORBITS) : NAN, true);
  printf("\"awake\":[%u,%u,%u,%u],", r->awake[0], r->awake[1], r->awake[2], r->awake[3]);
  json_reps("plain_reps_cpu_ns", &r->m[ORB_PLAIN], true);
  json_reps("idle_reps_cpu_ns", &r->m[ORB_IDLE], true);
  json_reps("routed_reps_cpu_ns", &r->m[ORB_ROUTED], true);
  json_reps("active_reps_cpu_ns", &r->m[ORB_ACTIVE], false);
  printf("},");
}

static void print_json(const opts_t *o, const result_t *res, int nres, const fluid_t *fl,
                       bool fl_ok, const char *date, const pool_t *pool, const char *host,
                       const orbit_result_t *orb) {
  const double frames = (double)((uint64_t)(o->seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES);
  printf("{\"tool\":\"ms_bench\",\"format\":1,\"date\":\"%s\",\"host\":\"%s\",", date, host);
  printf("\"engine_version\":\"%u.%u.%u\",", ms_version() >> 16, (ms_version() >> 8) & 0xFF,
         ms_version() & 0xFF);
  printf("\"config\":{\"seconds\":%g,\"frames\":%.0f,\"sample_rate\":%u,\"block_frames\":%u,"
         "\"reps\":%d,\"quick\":%s,\"pool_bytes\":%llu,\"cache_flush\":%s,\"huge_pages\":%s,\"pf_ahead\":%d,"
         "\"clock\":\"CLOCK_THREAD_CPUTIME_ID\"},",
         o->seconds, frames, RATE_HZ, BLOCK_FRAMES, o->reps, o->quick ? "true" : "false",
         (unsigned long long)(pool->frames * 4), o->flush ? "true" : "false",
         o->huge_pages ? "true" : "false", o->pf_ahead);
  printf("\"fluidsynth\":{\"available\":%s,", fl_ok ? "true" : "false");
  if (fl_ok)
    printf("\"version\":\"%d.%d.%d\",\"program\":%d,\"sf2\":\"%s\"},", fl->major, fl->minor,
           fl->micro, o->fluid_program, o->sf2);
  else
    printf("\"error\":\"%s\"},", o->do_fluid ? fl->error : "not requested");
  if (orb) json_orbits(orb);
  printf("\"results\":[");
  for (int k = 0; k < nres; k++) {
    const result_t *r = &res[k];
    double e = net_ns(&r->eng, &r->eng_empty, r->n, frames, false);
    double f = net_ns(&r->fl, &r->fl_empty, r->fl_voices_before, frames, false);
    printf("%s{\"voices\":%u,\"interp\":\"%s\",\"target_ns_per_voice_frame\":%.2f,", k ? "," : "",
           r->n, interp_name[r->interp], target_ns[r->interp]);
    printf("\"engine\":{\"ok\":%s,", r->eng_ok ? "true" : "false");
    json_num("ns_per_voice_frame", e, true);
    json_num("ns_per_voice_frame_wall", net_ns(&r->eng, &r->eng_empty, r->n, frames, true), true);
    json_num("ns_per_voice_frame_raw", net_ns(&r->eng, NULL, r->n, frames, false), true);
    json_num("empty_ns_per_frame", r->eng_empty.n ? median(r->eng_empty.cpu_ns, r->eng_empty.n) / frames : NAN, true);
    json_num("rt_voices_per_core", rt_voices(e), true);
    printf("\"meets_target\":%s,", !isnan(e) && e <= target_ns[r->interp] ? "true" : "false");
    printf("\"voices_active_before\":%llu,\"voices_active_after\":%llu,\"voices_stolen\":%llu,"
           "\"output_finite\":%s,",
           (unsigned long long)r->eng_voices_before, (unsigned long long)r->eng_voices_after,
           (unsigned long long)r->eng_stolen, r->eng_finite ? "true" : "false");
    json_reps("reps_cpu_ns", &r->eng, true);
    json_reps("empty_reps_cpu_ns", &r->eng_empty, false);
    printf("},\"baseline\":{");
    for (int v = 0; v < BL_N; v++) {
      char key[48];
      snprintf(key, sizeof key, "%s_ns_per_voice_frame", bl_name[v]);
      json_num(key, net_ns(&r->bl[v], NULL, r->n, frames, false), v + 1 < BL_N);
    }
    printf("},\"fluidsynth\":{\"ok\":%s,", r->fl_ok ? "true" : "false");
    json_num("ns_per_voice_frame", f, true);
    json_num("empty_ns_per_frame", r->fl_empty.n ? median(r->fl_empty.cpu_ns, r->fl_empty.n) / frames : NAN, true);
    json_num("rt_voices_per_core", rt_voices(f), true);
    printf("\"voices_before\":%d,\"voices_after\":%d,\"notes\":%d},", r->fl_voices_before,
           r->fl_voices_after, r->fl_notes);
    printf("\"ratios\":{");
    json_num("engine_over_baseline_own", median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_OWN], NULL), true);
    json_num("engine_over_baseline_pf_voice", median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_PF_VOICE], NULL), true);
    json_num("engine_over_baseline_pf_block", median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_PF_BLOCK], NULL), true);
    json_num("engine_over_baseline_cached", median_ratio(&r->eng, &r->eng_empty, &r->bl[BL_CACHED], NULL), true);
    json_num("engine_over_fluidsynth", median_ratio(&r->eng, &r->eng_empty, &r->fl, &r->fl_empty), false);
    printf("}}");
  }
  printf("]}\n");
}

/* ------------------------------------------------------------- shapes -- */
/*
 * Every voice shape the engine must render near the bare loop's cost, each
 * against a bare loop of the same shape (same voices, samples, storage,
 * channels, pitch ratios and envelope ramp, prefetching voice i+4's block
 * before voice i like b.pfv), timed in the same repetitions, interleaved.
 * Reported: ns per voice-frame of both and their ratio (median of the
 * per-repetition ratios), cubic and linear.
 */
enum { ENV_SUSTAIN, ENV_ATTACK, ENV_RELEASE };

typedef struct shape {
  const char *name;
  uint32_t n;        /* voices */
  uint32_t samples;  /* distinct samples; n = each voice its own */
  uint32_t channels; /* 1 or 2 */
  uint32_t bits;     /* storage: 32 (float) or 16 */
  double ratio;      /* 0: the engine job's spread (0.65-1.54); else every voice at this ratio */
  int env;           /* ENV_* stage the timed part is in */
  bool seed;         /* the seed API's path: ms_instrument_load_sample defaults, keys 48-63, root 60 */
} shape_t;

static const shape_t g_shapes[] = {
    {"own samples, 16 voices", 16, 16, 1, 32, 0, ENV_SUSTAIN, false},
    {"own samples, 256 voices", 256, 256, 1, 32, 0, ENV_SUSTAIN, false},
    {"own samples, 1024 voices", 1024, 1024, 1, 32, 0, ENV_SUSTAIN, false},
    {"256 voices sharing 16 samples", 256, 16, 1, 32, 0, ENV_SUSTAIN, false},
    {"ratio 0.5", 256, 256, 1, 32, 0.5, ENV_SUSTAIN, false},
    {"ratio 1.5", 256, 256, 1, 32, 1.5, ENV_SUSTAIN, false},
    {"attack (60 s)", 256, 256, 1, 32, 0, ENV_ATTACK, false},
    {"release (60 s)", 256, 256, 1, 32, 0, ENV_RELEASE, false},
    {"16-bit storage", 256, 256, 1, 16, 0, ENV_SUSTAIN, false},
    {"stereo samples", 256, 256, 2, 32, 0, ENV_SUSTAIN, false},
    {"stereo 16-bit", 256, 256, 2, 16, 0, ENV_SUSTAIN, false},
    {"seed API (16 x 16 voices, 4 s loops)", 256, 16, 1, 32, 0, ENV_SUSTAIN, true},
};
#define N_SHAPES (sizeof g_shapes / sizeof g_shapes[0])
#define SHAPE_POOL_FLOATS ((uint64_t)64 << 20) /* 256 MiB of float sample data per shape */

/* Bare loops of every storage and channel count, the b.* loops' form. */
typedef struct svoice {
  const void *d;    /* frame 0 */
  uint64_t len;     /* frames; the loop is [0, len) */
  uint64_t pos, step;
  float gl, gr, env, denv;
} svoice_t;

static inline uint32_t sv_fast_frames(const svoice_t *v, uint32_t n) {
  uint64_t idx = v->pos >> 32;
  if (idx < 1 || idx + 2 >= v->len) return 0;
  uint64_t pmax = ((v->len - 3) << 32) | 0xFFFFFFFFull;
  uint64_t k = (pmax - v->pos) / v->step + 1;
  return k < n ? (uint32_t)k : n;
}

#define SV_LOOP(NAME, TYPE, CH, SCALE, CUBIC)                                                       \
  static void NAME(svoice_t *v, float *restrict out, uint32_t n) {                                 \
    float env = v->env;                                                                            \
    const float denv = v->denv, gl = v->gl, gr = v->gr;                                           \
    const TYPE *d = (const TYPE *)v->d;                                                            \
    while (n) {                                                                                    \
      uint32_t k = sv_fast_frames(v, n);                                                           \
      if (k) {                                                                                     \
        const uint64_t pos = v->pos, step = v->step;                                               \
        const TYPE *restrict q = d + (pos >> 32) * (CH);                                           \
        const uint32_t frac0 = (uint32_t)pos, step_i = (uint32_t)(step >> 32), step_f = (uint32_t)step; \
        for (int32_t j = 0; j < (int32_t)k; j++) {                                                 \
          uint64_t pf = (uint64_t)frac0 + (uint64_t)(uint32_t)j * step_f;                          \
          int32_t i = ((int32_t)(pf >> 32) + j * (int32_t)step_i) * (CH);                          \
          float t = (float)(uint32_t)pf * FRAC_SCALE, e = env + denv * (float)j;                   \
          float sl, sr;                                                                            \
          if (CUBIC) {                                                                             \
            sl = hermite(q[i - (CH)] * (SCALE), q[i] * (SCALE), q[i + (CH)] * (SCALE),             \
                         q[i + 2 * (CH)] * (SCALE), t);                                            \
            sr = (CH) == 1 ? sl                                                                    \
                           : hermite(q[i - (CH) + 1] * (SCALE), q[i + 1] * (SCALE),                \
                                     q[i + (CH) + 1] * (SCALE), q[i + 2 * (CH) + 1] * (SCALE), t); \
          } else {                                                                                 \
            sl = q[i] * (SCALE) + t * (q[i + (CH)] * (SCALE) - q[i] * (SCALE));                    \
            sr = (CH) == 1 ? sl : q[i + 1] * (SCALE) + t * (q[i + (CH) + 1] * (SCALE) - q[i + 1] * (SCALE)); \
          }                                                                                        \
          out[2 * j] += sl * e * gl;                                                               \
          out[2 * j + 1] += sr * e * gr;                                                           \
        }                                                                                          \
        env += denv * (float)k;                                                                    \
        v->pos = pos + (uint64_t)k * step;                                                         \
        out += 2 * k;                                                                              \
        n -= k;                                                                                    \
      } else {                                                                                     \
        int64_t i = (int64_t)(v->pos >> 32), len = (int64_t)v->len;                                \
        float t = (float)(uint32_t)v->pos * FRAC_SCALE, y[2];                                      \
        for (int c = 0; c < (CH); c++) {                                                           \
          float x[4];                                                                              \
          for (int k4 = 0; k4 < 4; k4++) x[k4] = d[(((i + k4 - 1) % len + len) % len) * (CH) + c] * (SCALE); \
          y[c] = CUBIC ? hermite(x[0], x[1], x[2], x[3], t) : x[1] + t * (x[2] - x[1]);            \
        }                                                                                          \
        out[0] += y[0] * env * gl;                                                                 \
        out[1] += y[(CH) - 1] * env * gr;                                                          \
        env += denv;                                                                               \
        v->pos += v->step;                                                                         \
        uint64_t lenfx = v->len << 32;                                                             \
        while (v->pos >= lenfx) v->pos -= lenfx;                                                   \
        out += 2;                                                                                  \
        n--;                                                                                       \
      }                                                                                            \
    }                                                                                              \
    v->env = env;                                                                                  \
  }

SV_LOOP(sv_cubic_f1, float, 1, 1.0f, 1)
SV_LOOP(sv_linear_f1, float, 1, 1.0f, 0)
SV_LOOP(sv_cubic_f2, float, 2, 1.0f, 1)
SV_LOOP(sv_linear_f2, float, 2, 1.0f, 0)
SV_LOOP(sv_cubic_s1, int16_t, 1, (1.0f / 32768.0f), 1)
SV_LOOP(sv_linear_s1, int16_t, 1, (1.0f / 32768.0f), 0)
SV_LOOP(sv_cubic_s2, int16_t, 2, (1.0f / 32768.0f), 1)
SV_LOOP(sv_linear_s2, int16_t, 2, (1.0f / 32768.0f), 0)

typedef void (*sv_fn)(svoice_t *, float *restrict, uint32_t);

static sv_fn sv_pick(const shape_t *sh, int interp) {
  static const sv_fn fns[2][2][2] = {{{sv_cubic_f1, sv_cubic_f2}, {sv_cubic_s1, sv_cubic_s2}},
                                     {{sv_linear_f1, sv_linear_f2}, {sv_linear_s1, sv_linear_s2}}};
  return fns[interp][sh->bits == 16][sh->channels == 2];
}

static inline void sv_prefetch(const svoice_t *v, uint32_t n, uint32_t frame_bytes) {
  uint64_t i0 = v->pos >> 32, i1 = ((v->pos + v->step * n) >> 32) + 3;
  if (i0) i0--;
  if (i1 > v->len) i1 = v->len;
  const char *a = (const char *)v->d + i0 * frame_bytes, *b = (const char *)v->d + i1 * frame_bytes;
  a = (const char *)((uintptr_t)a & ~(uintptr_t)63);
  for (; a < b; a += 64) __asm__ volatile("prefetcht0 %0" : : "m"(*a));
}

typedef struct shape_run {
  engine_t eng;
  svoice_t *sv;
  void *data16; /* the bare loop's int16 copy of the samples */
  float buf[BLOCK_FRAMES * 2];
  char wav_dir[64];
} shape_run_t;

static void shape_bare_block(shape_run_t *r, const shape_t *sh, int interp) {
  memset(r->buf, 0, sizeof r->buf);
  const sv_fn fn = sv_pick(sh, interp);
  const uint32_t fb = sh->channels * (sh->bits == 16 ? 2u : 4u);
  for (uint32_t i = 0; i < sh->n; i++) {
    if (i + 4 < sh->n) sv_prefetch(&r->sv[i + 4], BLOCK_FRAMES, fb);
    fn(&r->sv[i], r->buf, BLOCK_FRAMES);
  }
  for (uint32_t i = 0; i < 4 && i < sh->n; i++) sv_prefetch(&r->sv[i], BLOCK_FRAMES, fb);
}

/* Voice i of a shape: instrument, key, root and cents, and the playback ratio they give. */
static vparam_t shape_param(const shape_t *sh, uint32_t i) {
  vparam_t vp = voice_param(i, sh->n);
  if (sh->seed) {
    vp.instrument = i / 16;
    vp.key = (uint8_t)(48 + i % 16);
    vp.root = 60;
    vp.tune_cents = 0;
    vp.pan = 0;
  } else if (sh->ratio > 0) {
    double semis = 12.0 * log2(sh->ratio);
    int d = (int)floor(semis);
    vp.root = (uint8_t)(vp.key - d);
    vp.tune_cents = (float)((semis - d) * 100.0);
  }
  vp.ratio = pow(2.0, ((double)(vp.key - vp.root) * 100.0 + vp.tune_cents) / 1200.0);
  return vp;
}

/* A 16-bit mono 48 kHz WAV file of frames from data (the seed workload's samples). */
static int write_wav16(const char *path, const float *data, uint32_t frames) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  uint32_t bytes = frames * 2, u32;
  uint16_t u16;
  fwrite("RIFF", 1, 4, f);
  u32 = 36 + bytes;
  fwrite(&u32, 4, 1, f);
  fwrite("WAVEfmt ", 1, 8, f);
  u32 = 16;
  fwrite(&u32, 4, 1, f);
  u16 = 1; /* PCM */
  fwrite(&u16, 2, 1, f);
  u16 = 1; /* mono */
  fwrite(&u16, 2, 1, f);
  u32 = RATE_HZ;
  fwrite(&u32, 4, 1, f);
  u32 = RATE_HZ * 2;
  fwrite(&u32, 4, 1, f);
  u16 = 2;
  fwrite(&u16, 2, 1, f);
  u16 = 16;
  fwrite(&u16, 2, 1, f);
  fwrite("data", 1, 4, f);
  fwrite(&bytes, 4, 1, f);
  for (uint32_t i = 0; i < frames; i++) {
    int16_t v = (int16_t)lrintf(data[i] * 32767.0f);
    fwrite(&v, 2, 1, f);
  }
  return fclose(f);
}

/* The engine and the bare voices of one shape; 0 on success. */
static int shape_create(shape_run_t *r, const shape_t *sh, const pool_t *p, int interp) {
  memset(r, 0, sizeof *r);
  engine_t *e = &r->eng;
  const uint32_t ch = sh->channels;
  const uint64_t total = p->frames < SHAPE_POOL_FLOATS ? p->frames : SHAPE_POOL_FLOATS;
  const uint64_t frames = sh->seed ? 4u * RATE_HZ : total / ch / sh->samples;
  if ((uint64_t)sh->samples * frames * ch > p->frames) return -1;
  ms_audio_config_t cfg = {0};
  cfg.sample_rate = RATE_HZ;
  cfg.channels = 2;
  cfg.max_polyphony = sh->n < 64 ? 64 : sh->n;
  cfg.buffer_size = BLOCK_FRAMES;
  cfg.ring_capacity = pow2_at_least(sh->n * 4 < 4096 ? 4096 : sh->n * 4);
  cfg.interpolation = interp_code[interp];
  e->n_inst = 16;
  cfg.max_instruments = 128;
  int32_t rc = ms_sampler_create(&cfg, &e->s);
  if (rc) {
    engine_fail(NULL, "ms_sampler_create", rc);
    return -1;
  }
  if (sh->bits == 16 && (rc = ms_sampler_set_sample_bits(e->s, 16))) {
    engine_fail(e, "ms_sampler_set_sample_bits", rc);
    return -1;
  }
  e->inst = calloc(e->n_inst, sizeof *e->inst);
  r->sv = calloc(sh->n, sizeof *r->sv);
  if (!e->inst || !r->sv) return -1;
  for (uint32_t k = 0; k < e->n_inst; k++) {
    char name[32];
    snprintf(name, sizeof name, "shape%u", k);
    if ((rc = ms_instrument_create(e->s, name, &e->inst[k]))) {
      engine_fail(e, "ms_instrument_create", rc);
      return -1;
    }
  }
  /* the bare loop's samples: the pool itself, an int16 copy, or (seed) the float values the
   * engine reads from the 16-bit files */
  const void *bare = p->data;
  if (sh->bits == 16 || sh->seed) {
    uint64_t values = (uint64_t)sh->samples * frames * ch;
    int16_t *c16 = malloc(values * sizeof(int16_t));
    float *cf = sh->seed ? malloc(values * sizeof(float)) : NULL;
    if (!c16 || (sh->seed && !cf)) return -1;
    for (uint64_t i = 0; i < values; i++) {
      c16[i] = (int16_t)lrintf(p->data[i] * 32767.0f);
      if (cf) cf[i] = (float)c16[i] / 32768.0f;
    }
    if (cf) {
      free(c16);
      r->data16 = cf;
    } else {
      r->data16 = c16;
    }
    bare = r->data16;
  }
  if (sh->seed) {
    snprintf(r->wav_dir, sizeof r->wav_dir, "/tmp/ms_bench_seed_XXXXXX");
    if (!mkdtemp(r->wav_dir)) return -1;
    for (uint32_t k = 0; k < 16; k++) {
      char path[128];
      snprintf(path, sizeof path, "%s/s%u.wav", r->wav_dir, k);
      if (write_wav16(path, p->data + (uint64_t)k * frames, (uint32_t)frames)) return -1;
      ms_sample_metadata_t meta;
      memset(&meta, 0, sizeof meta);
      meta.root_note = 60;
      meta.loop_mode = MS_LOOP_FORWARD;
      if ((rc = ms_instrument_load_sample(e->inst[k], path, &meta))) {
        engine_fail(e, "ms_instrument_load_sample", rc);
        return -1;
      }
    }
  } else {
    ms_sample_t **smp = calloc(sh->samples, sizeof *smp);
    if (!smp) return -1;
    for (uint32_t k = 0; k < sh->samples; k++) {
      if ((rc = ms_sample_create(e->s, p->data + (uint64_t)k * frames * ch, frames, ch, RATE_HZ, &smp[k]))) {
        engine_fail(e, "ms_sample_create", rc);
        return -1;
      }
    }
    for (uint32_t i = 0; i < sh->n; i++) {
      vparam_t vp = shape_param(sh, i);
      ms_zone_t z;
      ms_zone_init(&z);
      z.lo_key = z.hi_key = vp.key;
      z.root_key = vp.root;
      z.loop_mode = MS_LOOP_FORWARD;
      z.tune_cents = vp.tune_cents;
      z.gain_db = -30.0f;
      z.pan = vp.pan;
      /* voices sharing a sample start at different places in it */
      z.offset_frames = sh->samples < sh->n ? (uint32_t)(((uint64_t)i * 7919u * 97u) % (frames - 8)) : 0;
      z.attack_s = sh->env == ENV_ATTACK ? 60.0f : 0.005f;
      z.decay_s = 0.1f;
      z.sustain = 0.8f;
      z.release_s = sh->env == ENV_RELEASE ? 60.0f : 0.2f;
      if ((rc = ms_instrument_add_zone(e->inst[vp.instrument], smp[i % sh->samples], &z, NULL))) {
        engine_fail(e, "ms_instrument_add_zone", rc);
        return -1;
      }
    }
    for (uint32_t k = 0; k < sh->samples; k++) ms_sample_destroy(smp[k]);
    free(smp);
  }
  for (uint32_t k = 0; k < e->n_inst; k++) {
    if ((rc = ms_instrument_commit(e->inst[k]))) {
      engine_fail(e, "ms_instrument_commit", rc);
      return -1;
    }
  }
  ms_sampler_collect(e->s);
  const uint32_t fb = ch * (sh->bits == 16 && !sh->seed ? 2u : 4u);
  for (uint32_t i = 0; i < sh->n; i++) {
    vparam_t vp = shape_param(sh, i);
    svoice_t *v = &r->sv[i];
    uint32_t k = sh->seed ? i / 16 : i % sh->samples;
    v->d = (const char *)bare + (uint64_t)k * frames * fb;
    v->len = frames;
    v->pos = sh->samples < sh->n && !sh->seed ? (((uint64_t)i * 7919u * 97u) % (frames - 8)) << 32 : 0;
    v->step = (uint64_t)llround(vp.ratio * 4294967296.0);
    float th = (vp.pan + 1.0f) * 0.25f * 3.14159265f;
    v->gl = cosf(th) * 0.03f;
    v->gr = sinf(th) * 0.03f;
    v->env = sh->env == ENV_ATTACK ? 0.01f : 0.8f;
    v->denv = sh->env == ENV_ATTACK ? 1e-7f : sh->env == ENV_RELEASE ? -1e-8f : 0.0f;
  }
  return 0;
}

static void shape_destroy(shape_run_t *r) {
  engine_destroy(&r->eng);
  free(r->sv);
  free(r->data16);
  if (r->wav_dir[0]) {
    for (uint32_t k = 0; k < 16; k++) {
      char path[128];
      snprintf(path, sizeof path, "%s/s%u.wav", r->wav_dir, k);
      unlink(path);
    }
    rmdir(r->wav_dir);
  }
}

static int shape_notes(shape_run_t *r, const shape_t *sh, bool off) {
  for (uint32_t i = 0; i < sh->n; i++) {
    vparam_t vp = shape_param(sh, i);
    int32_t rc;
    int tries = 0;
    while ((rc = off ? ms_note_off(r->eng.inst[vp.instrument], vp.key)
                     : ms_note_on(r->eng.inst[vp.instrument], vp.key, 100, NULL)) == MS_ERR_RING_FULL &&
           tries++ < 1000)
      ms_process(r->eng.s, r->eng.buf, BLOCK_FRAMES);
    if (rc) {
      engine_fail(&r->eng, off ? "ms_note_off" : "ms_note_on", rc);
      return -1;
    }
  }
  return 0;
}

static int run_shapes(const opts_t *o, const pool_t *pool) {
  const double seconds = o->seconds < 2.0 ? o->seconds : 2.0;
  const uint64_t frames = (uint64_t)(seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;
  const uint64_t warm = (uint64_t)(o->warmup_seconds * RATE_HZ) / BLOCK_FRAMES * BLOCK_FRAMES;
  int status = 0;
  printf("\nSHAPES (%.1f s per repetition, median of %d, thread CPU time, 0-voice engine cost subtracted;\n"
         "bare = the b.pfv loop for the same shape; x bare = median of per-repetition engine/bare)\n",
         seconds, o->reps);
  printf("%-40s %5s | %7s %7s %6s | %7s %7s %6s | %s\n", "shape", "N", "cubic", "bare", "x bare", "linear",
         "bare", "x bare", "voices held");
  for (size_t si = 0; si < N_SHAPES; si++) {
    const shape_t *sh = &g_shapes[si];
    if (o->shape ? !strstr(sh->name, o->shape) : o->quick && !sh->seed) continue; /* --quick: the seed shape */
    double ns_e[N_INTERP] = {NAN, NAN}, ns_b[N_INTERP] = {NAN, NAN}, ratio[N_INTERP] = {NAN, NAN};
    char held[64] = "";
    for (int interp = 0; interp < N_INTERP; interp++) {
      if (!o->interp_on[interp]) continue;
      fprintf(stderr, "ms_bench: shape %s, %s ...\n", sh->name, interp_name[interp]);
      shape_run_t *r = malloc(sizeof *r);
      if (!r || shape_create(r, sh, pool, interp)) {
        printf("%-40s: the engine could not be set up\n", sh->name);
        status = 1;
        if (r) shape_destroy(r);
        free(r);
        continue;
      }
      meas_t me = {0}, m0 = {0}, mb = {0};
      engine_render(&r->eng, warm);
      for (int rep = 0; rep < o->reps; rep++) {
        tpair_t t0 = tnow();
        engine_render(&r->eng, frames);
        meas_add(&m0, tsince(t0));
      }
      bool ok = shape_notes(r, sh, false) == 0;
      engine_render(&r->eng, warm);
      if (ok && sh->env == ENV_RELEASE) {
        ok = shape_notes(r, sh, true) == 0;
        engine_render(&r->eng, BLOCK_FRAMES * 4);
      }
      for (uint64_t b = 0; b < warm / BLOCK_FRAMES; b++) shape_bare_block(r, sh, interp);
      ms_stats_t st0, st1;
      ms_get_stats_ex(r->eng.s, &st0);
      for (int rep = 0; ok && rep < o->reps; rep++) {
        if (o->flush) cache_flush();
        tpair_t t0 = tnow();
        engine_render(&r->eng, frames);
        meas_add(&me, tsince(t0));
        if (o->flush) cache_flush();
        t0 = tnow();
        for (uint64_t b = 0; b < frames / BLOCK_FRAMES; b++) shape_bare_block(r, sh, interp);
        meas_add(&mb, tsince(t0));
      }
      ms_get_stats_ex(r->eng.s, &st1);
      if (ok) {
        ns_e[interp] = net_ns(&me, &m0, sh->n, (double)frames, false);
        ns_b[interp] = net_ns(&mb, NULL, sh->n, (double)frames, false);
        ratio[interp] = median_ratio(&me, &m0, &mb, NULL);
        snprintf(held + strlen(held), sizeof held - strlen(held), "%s%llu/%llu", interp ? ", " : "",
                 (unsigned long long)st1.voices_active, (unsigned long long)st0.voices_active);
        if (st0.voices_active != sh->n || st1.voices_active != sh->n) status = 1;
      } else {
        status = 1;
      }
      shape_destroy(r);
      free(r);
    }
    char c[6][24];
    fmt_num(c[0], 24, ns_e[0], 3);
    fmt_num(c[1], 24, ns_b[0], 3);
    fmt_num(c[2], 24, ratio[0], 2);
    fmt_num(c[3], 24, ns_e[1], 3);
    fmt_num(c[4], 24, ns_b[1], 3);
    fmt_num(c[5], 24, ratio[1], 2);
    printf("%-40s %5u | %7s %7s %6s | %7s %7s %6s | %s\n", sh->name, sh->n, c[0], c[1], c[2], c[3], c[4], c[5],
           held);
    fflush(stdout);
  }
  return status;
}

/* --------------------------------------------------------------- main -- */
int main(int argc, char **argv) {
  opts_t o;
  if (parse_opts(argc, argv, &o)) return 2;

  char date[32];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  struct utsname un;
  char host[256];
  uname(&un);
  snprintf(host, sizeof host, "%s %s %s, %ld cpus", un.sysname, un.release, un.machine,
           sysconf(_SC_NPROCESSORS_ONLN));

  uint32_t max_n = 0;
  for (int i = 0; i < o.n_voices; i++)
    if (o.voices[i] > max_n) max_n = o.voices[i];
  uint64_t pool_frames = (uint64_t)(o.pool_mib * 1048576.0 / 4.0);
  uint64_t min_frames = (uint64_t)(o.min_sample_s * RATE_HZ);
  if (pool_frames < min_frames * max_n) pool_frames = min_frames * max_n;
  pool_t pool;
  if (pool_create(&pool, pool_frames, o.huge_pages)) {
    fprintf(stderr, "ms_bench: cannot allocate %llu MiB of sample data: out of memory\n",
            (unsigned long long)(pool_frames * 4 >> 20));
    return 1;
  }
  if (o.flush) {
    long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    g_flush_bytes = (size_t)(l3 > 0 ? l3 : 64L << 20) * 2;
    if (posix_memalign((void **)&g_flush_buf, 64, g_flush_bytes)) g_flush_buf = NULL;
    else memset(g_flush_buf, 1, g_flush_bytes);
  }

  fluid_t fl;
  memset(&fl, 0, sizeof fl);
  bool fl_ok = false;
  if (o.do_fluid) fl_ok = fluid_open(&fl, &o) == 0;

  result_t *res = calloc((size_t)o.n_voices * N_INTERP, sizeof *res);
  int nres = 0;
  for (int i = 0; i < o.n_voices; i++) {
    uint32_t n = o.voices[i];
    pool.voice_frames = pool.frames / n;
    for (int interp = 0; interp < N_INTERP; interp++) {
      if (!o.interp_on[interp]) continue;
      if (!o.json) fprintf(stderr, "ms_bench: N=%u %s ...\n", n, interp_name[interp]);
      run_one(&o, &pool, &fl, fl_ok, n, interp, &res[nres]);
      nres++;
    }
  }

  orbit_result_t orb;
  if (o.do_orbits) {
    if (!o.json) fprintf(stderr, "ms_bench: orbits ...\n");
    run_orbits(&o, &orb);
  }
  if (o.json) print_json(&o, res, nres, &fl, fl_ok, date, &pool, host, o.do_orbits ? &orb : NULL);
  else {
    if (o.do_engine || o.do_baseline || o.do_fluid) print_table(&o, res, nres, &fl, fl_ok, date, &pool);
    if (o.do_orbits) print_orbits(&orb);
  }

  /* every voice shape against a bare loop of the same shape, same run */
  int shapes_status = 0;
  if (o.do_shapes && !o.json) shapes_status = run_shapes(&o, &pool);

  /* per-voice control costs (bench_controls.c): plain vs each per-note effect, same run */
  if (o.do_controls && !o.json) bench_controls(stdout, 64, (uint32_t)(o.reps < 9 ? 9 : o.reps), 0.5);

  int status = 0;
  for (int k = 0; k < nres; k++)
    if ((o.do_engine && !res[k].eng_ok) || (o.do_baseline && !res[k].bl_ok)) status = 1;
  if (o.do_orbits && !orb.ok) status = 1;
  if (shapes_status) status = 1;
  if (o.do_fluid) fluid_close(&fl);
  free(res);
  free(pool.data);
  free(g_flush_buf);
  return status;
}
