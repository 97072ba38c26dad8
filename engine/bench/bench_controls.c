/*
 * bench_controls.c — ms_bench's per-voice control costs: ns added per
 * voice-frame by each per-note effect (filter, filter + envelope, vowel,
 * crush, shape, phaser, reverse playback) over a plain voice, measured in one
 * run with the variants interleaved (median of the repetitions, thread CPU
 * time, so a busy machine preempting the run does not count), so the
 * ratios compare like with like.
 *
 * Thread: the benchmark's main thread, calling ms_process itself (no live
 * output). Uses only the public API.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midi_sampler.h"

int bench_controls(FILE *out, uint32_t voices, uint32_t reps, double seconds);

enum {
  V_EMPTY, V_PLAIN, V_EMPTYCTL, V_LPF, V_LPF24, V_LPFENV, V_VOWEL, V_CRUSH, V_SHAPE, V_PHASER, V_REVERSE, V_ALL,
  /* oscillator zones (rt_osc.c) instead of the sample: their cost against the plain sample voice */
  V_SINE, V_SAW, V_SQUARE, V_TRIANGLE, V_SUPERSAW, V_WHITE, V_PINK, V_BROWN, V_FMSINE, V_FMSAW, V_N
};
static const char *const v_name[V_N] = {"(no voices)", "plain",   "no controls set", "lpf 12 dB", "lpf 24 dB",
                                        "lpf + env",   "vowel",   "crush",           "shape",     "phaser",
                                        "reverse",     "lpf+env+vowel+crush+shape+phaser",
                                        "osc sine",    "osc sawtooth", "osc square", "osc triangle",
                                        "osc supersaw (5 saws)", "osc white", "osc pink", "osc brown",
                                        "osc sine + fm", "osc sawtooth + fm"};

/* The oscillator a variant plays (MS_SOURCE_SAMPLE: the sample). */
static uint8_t source_of(int v) {
  switch (v) {
    case V_SINE: case V_FMSINE: return MS_SOURCE_SINE;
    case V_SAW: case V_FMSAW: return MS_SOURCE_SAWTOOTH;
    case V_SQUARE: return MS_SOURCE_SQUARE;
    case V_TRIANGLE: return MS_SOURCE_TRIANGLE;
    case V_SUPERSAW: return MS_SOURCE_SUPERSAW;
    case V_WHITE: return MS_SOURCE_WHITE;
    case V_PINK: return MS_SOURCE_PINK;
    case V_BROWN: return MS_SOURCE_BROWN;
    default: return MS_SOURCE_SAMPLE;
  }
}

static void controls_of(int v, ms_controls_t *c) {
  memset(c, 0, sizeof *c);
  switch (v) {
    case V_LPF: ms_controls_set(c, MS_CONTROL_CUTOFF, 1200.0f); break;
    case V_LPF24:
      ms_controls_set(c, MS_CONTROL_CUTOFF, 1200.0f);
      ms_controls_set(c, MS_CONTROL_FTYPE, 2.0f);
      break;
    case V_LPFENV:
      ms_controls_set(c, MS_CONTROL_CUTOFF, 300.0f);
      ms_controls_set(c, MS_CONTROL_LPENV, 4.0f);
      ms_controls_set(c, MS_CONTROL_LPATTACK, 0.5f);
      ms_controls_set(c, MS_CONTROL_LPDECAY, 1.0f);
      break;
    case V_VOWEL: ms_controls_set(c, MS_CONTROL_VOWEL, 1.0f); break;
    case V_CRUSH: ms_controls_set(c, MS_CONTROL_CRUSH, 6.0f); break;
    case V_SHAPE: ms_controls_set(c, MS_CONTROL_SHAPE, 0.5f); break;
    case V_PHASER: ms_controls_set(c, MS_CONTROL_PHASERRATE, 1.0f); break;
    case V_REVERSE: ms_controls_set(c, MS_CONTROL_SPEED, -1.0f); break;
    case V_ALL:
      ms_controls_set(c, MS_CONTROL_CUTOFF, 300.0f);
      ms_controls_set(c, MS_CONTROL_LPENV, 4.0f);
      ms_controls_set(c, MS_CONTROL_VOWEL, 1.0f);
      ms_controls_set(c, MS_CONTROL_CRUSH, 6.0f);
      ms_controls_set(c, MS_CONTROL_SHAPE, 0.5f);
      ms_controls_set(c, MS_CONTROL_PHASERRATE, 1.0f);
      break;
    case V_FMSINE:
    case V_FMSAW:
      ms_controls_set(c, MS_CONTROL_FMI, 2.0f);
      ms_controls_set(c, MS_CONTROL_FMH, 1.5f);
      break;
    default: break;
  }
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: other processes preempting the run do not count */
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Wall time of `frames` frames with `voices` voices of variant v (ns). */
static double one_run(int v, uint32_t voices, uint64_t frames, const float *data, uint64_t len) {
  ms_audio_config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.sample_rate = 48000;
  cfg.channels = 2;
  cfg.buffer_size = 128;
  cfg.max_polyphony = voices + 8;
  cfg.flags = MS_AUDIO_NO_LIMITER;
  ms_sampler_t *s = NULL;
  if (ms_sampler_create(&cfg, &s) != MS_OK) return -1.0;
  ms_sample_t *smp = NULL;
  ms_instrument_t *in = NULL;
  ms_zone_t z;
  ms_zone_init(&z);
  z.loop_mode = MS_LOOP_FORWARD;
  z.loop_start_frames = 0;
  z.loop_end_frames = (uint32_t)len;
  z.source = source_of(v);
  if (ms_sample_create(s, data, len, 1, 48000, &smp) != MS_OK || ms_instrument_create(s, "b", &in) != MS_OK ||
      ms_instrument_add_zone(in, z.source ? NULL : smp, &z, NULL) != MS_OK || ms_instrument_commit(in) != MS_OK) {
    ms_sampler_destroy(s);
    return -1.0;
  }
  ms_sample_destroy(smp);
  ms_controls_t c;
  controls_of(v, &c);
  if (v != V_EMPTY)
    for (uint32_t k = 0; k < voices; k++) {
      ms_note_params_t p;
      memset(&p, 0, sizeof p);
      p.tune_cents = (float)(k % 24) * 7.0f - 80.0f;
      p.gain_db = -30.0f;
      if (v == V_PLAIN || (source_of(v) && v != V_FMSINE && v != V_FMSAW)) ms_note_on_at(in, 0, 60, 100, &p);
      else ms_note_on_controls_at(in, 0, 60, 100, &p, &c);
    }
  static float buf[128 * 2];
  for (int i = 0; i < 8; i++) ms_process(s, buf, 128); /* warm up: voices started, caches filled */
  double t0 = now_ns();
  for (uint64_t f = 0; f < frames; f += 128) ms_process(s, buf, 128);
  double t = now_ns() - t0;
  ms_sampler_destroy(s);
  return t;
}

int bench_controls(FILE *out, uint32_t voices, uint32_t reps, double seconds) {
  const uint64_t len = 48000 * 4;
  float *data = malloc(sizeof(float) * len);
  if (!data) return 1;
  uint64_t x = 88172645463325252ull;
  for (uint64_t i = 0; i < len; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    data[i] = (float)((double)(x >> 11) * 0x1p-53 * 1.6 - 0.8);
  }
  const uint64_t frames = (uint64_t)(seconds * 48000.0);
  double *t = calloc((size_t)V_N * reps, sizeof(double));
  for (uint32_t r = 0; r < reps; r++)
    for (int v = 0; v < V_N; v++) t[(size_t)v * reps + r] = one_run(v, voices, frames, data, len);
  double med[V_N];
  for (int v = 0; v < V_N; v++) {
    qsort(t + (size_t)v * reps, reps, sizeof(double), cmp);
    med[v] = t[(size_t)v * reps + reps / 2];
  }
  const double vf = (double)voices * (double)frames;
  const double plain = (med[V_PLAIN] - med[V_EMPTY]) / vf;
  fprintf(out, "\nPER-VOICE CONTROLS (%u voices, cubic, mono looping sample, %.1f s per run, median of %u, "
               "variants interleaved)\n",
          voices, seconds, reps);
  fprintf(out, "%-34s %9s %9s %9s\n", "variant", "ns/vf", "added", "x plain");
  for (int v = V_PLAIN; v < V_N; v++) {
    double ns = (med[v] - med[V_EMPTY]) / vf;
    fprintf(out, "%-34s %9.2f %+9.2f %9.2f\n", v_name[v], ns, ns - plain, ns / plain);
  }
  free(t);
  free(data);
  return 0;
}

#ifdef BENCH_CONTROLS_MAIN
int main(int argc, char **argv) {
  uint32_t voices = argc > 1 ? (uint32_t)atoi(argv[1]) : 64;
  uint32_t reps = argc > 2 ? (uint32_t)atoi(argv[2]) : 7;
  return bench_controls(stdout, voices, reps, 1.0);
}
#endif
