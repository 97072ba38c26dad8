/*
 * test_util.c — check bookkeeping, temp files, libsndfile writers and signal
 * analysis for the engine tests. Thread: the test's main thread (the analysis
 * functions are pure and may run anywhere). Never calls the engine.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "test_util.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include <sndfile.h>

int tu_failures = 0;
int tu_checks = 0;

void tu_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  tu_failures++;
  fprintf(stderr, "%s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  fflush(stderr);
}

void tu_section(const char *name) {
  printf("--- %s\n", name);
  fflush(stdout);
}

/* ---------------------------------------------------------- temp files -- */
static char tu_dir[256];

const char *tu_tmpdir(void) {
  if (!tu_dir[0]) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    snprintf(tu_dir, sizeof tu_dir, "%s/ms_test_XXXXXX", base);
    if (!mkdtemp(tu_dir)) {
      perror("mkdtemp");
      abort();
    }
  }
  return tu_dir;
}

char *tu_path(const char *name) {
  const char *d = tu_tmpdir();
  size_t n = strlen(d) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) abort();
  snprintf(p, n, "%s/%s", d, name);
  return p;
}

static int tu_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

int tu_finish(void) {
  if (tu_dir[0]) {
    if (getenv("MS_TEST_KEEP"))
      printf("kept temp dir %s\n", tu_dir);
    else
      nftw(tu_dir, tu_rm, 16, FTW_DEPTH | FTW_PHYS);
    tu_dir[0] = 0;
  }
  printf("%d checks, %d failed\n", tu_checks, tu_failures);
  fflush(stdout);
  return tu_failures ? 1 : 0;
}

bool tu_write_bytes(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = len == 0 || fwrite(data, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  return ok;
}

uint8_t *tu_read_bytes(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
  if (!p || (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)) {
    free(p);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return p;
}

bool tu_files_equal(const char *a, const char *b) {
  size_t na = 0, nb = 0;
  uint8_t *pa = tu_read_bytes(a, &na), *pb = tu_read_bytes(b, &nb);
  bool eq = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
  if (pa && pb && !eq) {
    size_t i = 0;
    while (i < na && i < nb && pa[i] == pb[i]) i++;
    fprintf(stderr, "    files differ: %s (%zu bytes) vs %s (%zu bytes), first at byte %zu\n", a,
            na, b, nb, i);
  }
  free(pa);
  free(pb);
  return eq;
}

/* --------------------------------------------------------- audio files -- */
bool tu_write_audio(const char *path, int format, uint32_t channels, uint32_t sample_rate,
                    const float *data, uint64_t frames, const tu_loop_t *loop) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  info.samplerate = (int)sample_rate;
  info.channels = (int)channels;
  info.format = format;
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  if (!f) {
    fprintf(stderr, "tu_write_audio: cannot open %s: %s\n", path, sf_strerror(NULL));
    return false;
  }
  if (loop) {
    SF_INSTRUMENT ins;
    memset(&ins, 0, sizeof ins);
    ins.gain = 1;
    ins.basenote = (char)loop->root_key;
    ins.velocity_lo = 1;
    ins.velocity_hi = 127;
    ins.key_lo = 0;
    ins.key_hi = 127;
    ins.loop_count = 1;
    ins.loops[0].mode = SF_LOOP_FORWARD;
    ins.loops[0].start = loop->start;
    ins.loops[0].end = loop->end; /* libsndfile writes end - 1 and reads back end */
    ins.loops[0].count = 0;
    if (sf_command(f, SFC_SET_INSTRUMENT, &ins, sizeof ins) != SF_TRUE) {
      fprintf(stderr, "tu_write_audio: SFC_SET_INSTRUMENT failed for %s\n", path);
      sf_close(f);
      return false;
    }
  }
  sf_count_t n = sf_writef_float(f, data, (sf_count_t)frames);
  int rc = sf_close(f);
  if (n != (sf_count_t)frames || rc != 0) {
    fprintf(stderr, "tu_write_audio: short write to %s\n", path);
    return false;
  }
  return true;
}

bool tu_read_loop(const char *path, tu_loop_t *out) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) return false;
  SF_INSTRUMENT ins;
  memset(&ins, 0, sizeof ins);
  bool ok = sf_command(f, SFC_GET_INSTRUMENT, &ins, sizeof ins) == SF_TRUE && ins.loop_count > 0;
  if (ok) {
    out->start = ins.loops[0].start;
    out->end = ins.loops[0].end;
    out->root_key = (uint32_t)ins.basenote;
  }
  sf_close(f);
  return ok;
}

void tu_fill_sine(float *buf, uint64_t frames, uint32_t channels, uint32_t ch, double amp,
                  double freq_hz, double sample_rate) {
  for (uint64_t i = 0; i < frames; i++)
    buf[i * channels + ch] = (float)(amp * sin(2.0 * M_PI * freq_hz * (double)i / sample_rate));
}

float *tu_sine(uint64_t frames, double amp, double freq_hz, double sample_rate) {
  float *p = malloc((size_t)frames * sizeof(float));
  if (!p) abort();
  tu_fill_sine(p, frames, 1, 0, amp, freq_hz, sample_rate);
  return p;
}

/* ------------------------------------------------------------ analysis -- */
void tu_fft(double *re, double *im, uint32_t n) {
  for (uint32_t i = 1, j = 0; i < n; i++) {
    uint32_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      double t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (uint32_t len = 2; len <= n; len <<= 1) {
    double ang = -2.0 * M_PI / (double)len;
    for (uint32_t i = 0; i < n; i += len) {
      for (uint32_t k = 0; k < len / 2; k++) {
        double wr = cos(ang * k), wi = sin(ang * k);
        double ur = re[i + k], ui = im[i + k];
        double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
}

double tu_peak(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch) {
  double m = 0;
  for (uint64_t i = 0; i < frames; i++) {
    double v = fabs(buf[i * channels + ch]);
    if (v > m) m = v;
  }
  return m;
}

double tu_max_step(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch) {
  double m = 0;
  for (uint64_t i = 1; i < frames; i++) {
    double d = fabs((double)buf[i * channels + ch] - (double)buf[(i - 1) * channels + ch]);
    if (d > m) m = d;
  }
  return m;
}

double tu_rms(const float *buf, uint64_t frames, uint32_t channels, uint32_t ch) {
  double s = 0;
  for (uint64_t i = 0; i < frames; i++) s += (double)buf[i * channels + ch] * buf[i * channels + ch];
  return frames ? sqrt(s / (double)frames) : 0;
}

double tu_freq_zc(const float *buf, uint64_t from, uint64_t to, uint32_t channels, uint32_t ch,
                  double sample_rate) {
  double first = -1, last = -1;
  uint64_t count = 0;
  for (uint64_t i = from + 1; i < to; i++) {
    double a = buf[(i - 1) * channels + ch], b = buf[i * channels + ch];
    if (a < 0 && b >= 0) {
      double t = (double)(i - 1) + (-a) / (b - a);
      if (count == 0) first = t;
      last = t;
      count++;
    }
  }
  if (count < 3) return 0;
  return (double)(count - 1) * sample_rate / (last - first);
}

double tu_sine_fit_error(const float *buf, uint64_t from, uint64_t to, uint32_t channels,
                         uint32_t ch, double w) {
  double err2 = 0, sig2 = 0;
  for (uint64_t w0 = from; w0 + 512 <= to; w0 += 512) {
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (uint64_t n = w0; n < w0 + 512; n++) {
      double s = sin(w * (double)n), c = cos(w * (double)n), y = buf[n * channels + ch];
      ss += s * s, cc += c * c, sc += s * c, ys += y * s, yc += y * c;
    }
    double det = ss * cc - sc * sc;
    double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    for (uint64_t n = w0; n < w0 + 512; n++) {
      double fit = a * sin(w * (double)n) + b * cos(w * (double)n);
      double e = buf[n * channels + ch] - fit;
      err2 += e * e;
      sig2 += fit * fit;
    }
  }
  return sig2 > 0 ? sqrt(err2 / sig2) : 1.0;
}

uint64_t tu_first_above(const float *buf, uint64_t from, uint64_t frames, uint32_t channels,
                        double thresh) {
  for (uint64_t i = from; i < frames; i++)
    for (uint32_t c = 0; c < channels; c++)
      if (fabs(buf[i * channels + c]) > thresh) return i;
  return UINT64_MAX;
}

bool tu_all_finite(const float *buf, uint64_t count) {
  for (uint64_t i = 0; i < count; i++)
    if (!isfinite(buf[i])) return false;
  return true;
}

bool tu_contains_ci(const char *hay, const char *needle) {
  return hay && needle && strcasestr(hay, needle) != NULL;
}
