/*
 * test_osc.c — oscillator zones (MS_SOURCE_*) through the public API,
 * rendered offline: pitch of every waveform within 1 cent (zero crossings),
 * `freq` overriding the key, aliasing of band-limited sawtooth and square
 * waves (no spectral line off the harmonics above -75 dB relative to the
 * fundamental, at 1, 2.5 and 4 kHz), noise spectra (white flat, pink
 * -3 dB/octave, brown -6 dB/octave), FM sidebands at fc +- k fm with Bessel
 * amplitudes, a supersaw's detuned voices, determinism (same bytes twice,
 * however ms_process is sliced; another seed, other noise), zones without a
 * sample accepted only for oscillators.
 *
 * Thread: the test's main thread (CT, and RT through ms_process).
 */
#include <stdlib.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u

/* One oscillator zone on every key (root 60: key 69 is 440 Hz), flat envelope, -12 dB. */
static ms_sampler_t *synth(uint8_t source, uint32_t seed, ms_instrument_t **inst) {
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  c.sample_rate = RATE;
  c.channels = CH;
  c.buffer_size = 256;
  c.seed = seed;
  ms_sampler_t *s = NULL;
  if (ms_sampler_create(&c, &s) != MS_OK) return NULL;
  CHECK_MS(s, ms_instrument_create(s, "synth", inst));
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.01f);
  z.source = source;
  z.gain_db = -12.0f;
  CHECK_MS(s, ms_instrument_add_zone(*inst, NULL, &z, NULL));
  CHECK_MS(s, ms_instrument_commit(*inst));
  return s;
}

/* Play key with controls c (NULL: none) from frame 0 for `frames`, sliced by chunk. */
static float *play(uint8_t source, uint8_t key, const ms_controls_t *c, uint64_t frames, uint32_t chunk,
                   uint32_t seed) {
  ms_instrument_t *inst = NULL;
  ms_sampler_t *s = synth(source, seed, &inst);
  if (!s) return NULL;
  CHECK_MS(s, ms_note_on_controls_at(inst, 0, key, 127, NULL, c));
  float *out = calloc(frames * CH, sizeof(float));
  CHECK_MS(s, tu_render(s, out, frames, CH, chunk));
  ms_sampler_destroy(s);
  return out;
}

static double cents(double f, double ref) { return 1200.0 * log2(f / ref); }

/* ---------------------------------------------------------------- FFT -- */

#define NFFT 65536u

/* Magnitude spectrum (Blackman-Harris window, -92 dB sidelobes) of channel ch
 * of x over [from, from + NFFT): mag[0..NFFT/2]. */
static double *spectrum(const float *x, uint64_t from, uint32_t ch) {
  double *re = calloc(NFFT, sizeof(double)), *im = calloc(NFFT, sizeof(double));
  for (uint32_t i = 0; i < NFFT; i++) {
    const double t = 2.0 * M_PI * i / NFFT;
    const double w = 0.35875 - 0.48829 * cos(t) + 0.14128 * cos(2 * t) - 0.01168 * cos(3 * t);
    re[i] = x[(from + i) * CH + ch] * w;
  }
  tu_fft(re, im, NFFT);
  for (uint32_t k = 0; k <= NFFT / 2; k++) re[k] = hypot(re[k], im[k]);
  free(im);
  return re;
}

static double peak_near(const double *mag, double hz, double width_hz) {
  const double bin = (double)RATE / NFFT;
  int32_t lo = (int32_t)((hz - width_hz) / bin), hi = (int32_t)((hz + width_hz) / bin) + 1;
  if (lo < 1) lo = 1;
  if (hi > (int32_t)(NFFT / 2)) hi = NFFT / 2;
  double m = 0.0;
  for (int32_t k = lo; k <= hi; k++)
    if (mag[k] > m) m = mag[k];
  return m;
}

/* The strongest line (dB relative to the fundamental f0) more than 4 bins off
 * every harmonic of f0, and its frequency. */
static double worst_alias_db(const double *mag, double f0, double *at_hz) {
  const double bin = (double)RATE / NFFT, fund = peak_near(mag, f0, 3 * bin);
  double worst = 0.0;
  *at_hz = 0.0;
  for (uint32_t k = 8; k < NFFT / 2; k++) {
    const double f = k * bin, h = f / f0, off = fabs(h - floor(h + 0.5)) * f0;
    if (off < 5.0 * bin) continue;
    if (mag[k] > worst) {
      worst = mag[k];
      *at_hz = f;
    }
  }
  return 20.0 * log10(worst / fund);
}

/* Mean power spectral density in [lo, hi) Hz (Welch: 8 windows of NFFT/8... of the first channel). */
static double band_power_db(const float *x, uint64_t frames, double lo, double hi) {
  const uint32_t N = 4096;
  double *re = malloc(sizeof(double) * N), *im = malloc(sizeof(double) * N);
  double sum = 0.0;
  uint32_t count = 0;
  for (uint64_t at = 4096; at + N <= frames; at += N / 2) {
    for (uint32_t i = 0; i < N; i++) {
      re[i] = x[(at + i) * CH] * (0.5 - 0.5 * cos(2.0 * M_PI * i / N));
      im[i] = 0.0;
    }
    tu_fft(re, im, N);
    for (uint32_t k = 1; k < N / 2; k++) {
      const double f = (double)k * RATE / N;
      if (f >= lo && f < hi) {
        sum += re[k] * re[k] + im[k] * im[k];
        count++;
      }
    }
  }
  free(re);
  free(im);
  return 10.0 * log10(sum / count);
}

/* Slope of the noise's density in dB per octave, fitted over octave bands 250 Hz .. 8 kHz. */
static double noise_slope(uint8_t source) {
  const uint64_t frames = RATE * 4;
  float *x = play(source, 60, NULL, frames, 256, 7);
  if (!x) return NAN;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (double lo = 250.0; lo < 8000.0; lo *= 2.0, n++) {
    const double y = band_power_db(x, frames, lo, lo * 2.0), o = log2(lo);
    sx += o, sy += y, sxx += o * o, sxy += o * y;
  }
  free(x);
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static ms_controls_t freq_controls(float hz) {
  ms_controls_t c;
  memset(&c, 0, sizeof c);
  ms_controls_set(&c, MS_CONTROL_FREQ, hz);
  return c;
}

int main(void) {
  tu_section("pitch within 1 cent for every waveform (key 69 = 440 Hz; key 57 = 220 Hz)");
  {
    const uint8_t sources[] = {MS_SOURCE_SINE, MS_SOURCE_SAWTOOTH, MS_SOURCE_SQUARE, MS_SOURCE_TRIANGLE};
    const char *names[] = {"sine", "sawtooth", "square", "triangle"};
    for (int i = 0; i < 4; i++) {
      for (int k = 0; k < 2; k++) {
        const uint8_t key = k ? 57 : 69;
        const double want = k ? 220.0 : 440.0;
        float *x = play(sources[i], key, NULL, RATE, 256, 1);
        REQUIRE(x, 1);
        const double f = tu_freq_zc(x, 2400, RATE, CH, 0, RATE);
        CHECKF(fabs(cents(f, want)) < 1.0, "%s key %u: %.4f Hz, %.3f cents off %.0f", names[i], key, f,
               cents(f, want), want);
        free(x);
      }
    }
    /* a supersaw of one voice is a saw at the key's pitch */
    ms_controls_t c;
    memset(&c, 0, sizeof c);
    ms_controls_set(&c, MS_CONTROL_UNISON, 1);
    float *x = play(MS_SOURCE_SUPERSAW, 69, &c, RATE, 256, 1);
    REQUIRE(x, 1);
    const double f = tu_freq_zc(x, 2400, RATE, CH, 0, RATE);
    CHECKF(fabs(cents(f, 440.0)) < 1.0, "supersaw unison 1: %.4f Hz", f);
    free(x);
    /* freq replaces the key */
    c = freq_controls(1234.5f);
    x = play(MS_SOURCE_SINE, 40, &c, RATE, 256, 1);
    REQUIRE(x, 1);
    const double g = tu_freq_zc(x, 2400, RATE, CH, 0, RATE);
    CHECKF(fabs(cents(g, 1234.5)) < 1.0, "freq 1234.5: %.4f Hz", g);
    free(x);
  }

  tu_section("band-limited: no line off the harmonics above -75 dB (saw, square, 1 to 4 kHz)");
  {
    const double freqs[] = {1000.7, 2500.3, 3987.3};
    const uint8_t sources[] = {MS_SOURCE_SAWTOOTH, MS_SOURCE_SQUARE, MS_SOURCE_TRIANGLE};
    for (int w = 0; w < 3; w++)
      for (int i = 0; i < 3; i++) {
        ms_controls_t c = freq_controls((float)freqs[i]);
        float *x = play(sources[w], 60, &c, NFFT + 4800, 256, 1);
        REQUIRE(x, 1);
        double *mag = spectrum(x, 4800, 0);
        double at;
        const double db = worst_alias_db(mag, freqs[i], &at);
        printf("  source %u at %.1f Hz: strongest alias %.1f dB (at %.0f Hz)\n", sources[w], freqs[i], db, at);
        CHECKF(db < -75.0, "source %u at %.1f Hz: alias %.1f dB at %.0f Hz", sources[w], freqs[i], db, at);
        /* and its harmonics are there: the 3rd at 1/3 of the fundamental (saw, square) */
        if (w < 2 && freqs[i] * 3 < RATE / 2) {
          const double h3 = peak_near(mag, 3 * freqs[i], 3.0) / peak_near(mag, freqs[i], 3.0);
          CHECKF(fabs(20 * log10(h3 * 3.0)) < 0.5, "3rd harmonic %.2f dB from 1/3", 20 * log10(h3 * 3.0));
        }
        free(mag);
        free(x);
      }
  }

  tu_section("a sawtooth sweep 250 Hz -> 4 kHz (penv 48 over 1 s): nothing below the fundamental above -75 dB");
  {
    /* a saw holds harmonics of f0 only: energy below 0.7 f0 in a short window is aliasing folded down */
    ms_controls_t c = freq_controls(250.0f);
    ms_controls_set(&c, MS_CONTROL_PENV, 48.0f);
    ms_controls_set(&c, MS_CONTROL_PATTACK, 1.0f);
    const uint64_t n = RATE + 4800;
    float *x = play(MS_SOURCE_SAWTOOTH, 60, &c, n, 256, 1);
    REQUIRE(x, 1);
    const uint32_t W = 2048;
    double *re = malloc(sizeof(double) * W), *im = malloc(sizeof(double) * W);
    double worst = -200.0, worst_f0 = 0.0;
    for (uint64_t at = 2400; at + W <= RATE; at += W) {
      const double f0 = 250.0 * pow(2.0, 4.0 * (double)at / RATE); /* at the window's start: the lowest */
      for (uint32_t i = 0; i < W; i++) {
        re[i] = x[(at + i) * CH] * (0.35875 - 0.48829 * cos(2 * M_PI * i / W) + 0.14128 * cos(4 * M_PI * i / W) -
                                    0.01168 * cos(6 * M_PI * i / W));
        im[i] = 0.0;
      }
      tu_fft(re, im, W);
      double below = 0.0, total = 0.0;
      for (uint32_t k = 1; k < W / 2; k++) {
        const double f = (double)k * RATE / W, p = re[k] * re[k] + im[k] * im[k];
        total += p;
        if (f > 60.0 && f < 0.7 * f0 - 4.0 * RATE / W) below += p;
      }
      const double db = 10.0 * log10(below / total + 1e-30);
      if (db > worst) worst = db, worst_f0 = f0;
    }
    printf("  below the fundamental: at most %.1f dB of the window's energy (at f0 %.0f Hz)\n", worst, worst_f0);
    CHECKF(worst < -75.0, "%.1f dB below the fundamental at f0 %.0f Hz", worst, worst_f0);
    free(re), free(im), free(x);
  }

  tu_section("noise spectra: white flat, pink -3 dB/octave, brown -6 dB/octave");
  {
    const double white = noise_slope(MS_SOURCE_WHITE), pink = noise_slope(MS_SOURCE_PINK),
                 brown = noise_slope(MS_SOURCE_BROWN);
    printf("  slopes: white %.2f, pink %.2f, brown %.2f dB/octave\n", white, pink, brown);
    CHECKF(fabs(white) < 0.5, "white %.2f dB/octave", white);
    CHECKF(fabs(pink + 3.0) < 0.75, "pink %.2f dB/octave", pink);
    CHECKF(fabs(brown + 6.0) < 1.0, "brown %.2f dB/octave", brown);
    float *x = play(MS_SOURCE_SILENCE, 60, NULL, 4800, 256, 1);
    REQUIRE(x, 1);
    CHECK(tu_peak(x, 4800, CH, 0) == 0.0 && tu_peak(x, 4800, CH, 1) == 0.0);
    free(x);
  }

  tu_section("FM: sidebands at fc +- k fm with Bessel amplitudes (fmi 1, fmh 0.25)");
  {
    /* carrier and modulator on exact FFT bins (1364 and 341 of 65536), so no scalloping */
    const double fc = 1364.0 * RATE / NFFT, fm = fc * 0.25;
    ms_controls_t c = freq_controls((float)fc);
    ms_controls_set(&c, MS_CONTROL_FMI, 1.0f);
    ms_controls_set(&c, MS_CONTROL_FMH, 0.25f);
    float *x = play(MS_SOURCE_SINE, 60, &c, NFFT + 4800, 256, 1);
    REQUIRE(x, 1);
    double *mag = spectrum(x, 4800, 0);
    const double c0 = peak_near(mag, fc, 1.0);
    /* J1(1)/J0(1) = 0.5751, J2(1)/J0(1) = 0.1503 */
    const double up1 = peak_near(mag, fc + fm, 1.0) / c0, dn1 = peak_near(mag, fc - fm, 1.0) / c0;
    const double up2 = peak_near(mag, fc + 2 * fm, 1.0) / c0, dn2 = peak_near(mag, fc - 2 * fm, 1.0) / c0;
    const double off = peak_near(mag, fc + fm / 2, 40.0) / c0; /* between sidebands: nothing */
    printf("  sidebands / carrier: +1 %.4f -1 %.4f +2 %.4f -2 %.4f, between %.1f dB\n", up1, dn1, up2, dn2,
           20 * log10(off));
    CHECKF(fabs(up1 - 0.5751) < 0.01 && fabs(dn1 - 0.5751) < 0.01, "first sidebands %.4f %.4f", up1, dn1);
    CHECKF(fabs(up2 - 0.1503) < 0.005 && fabs(dn2 - 0.1503) < 0.005, "second sidebands %.4f %.4f", up2, dn2);
    CHECKF(20 * log10(off) < -80.0, "a line between sidebands %.1f dB", 20 * log10(off));
    free(mag);
    free(x);
    /* an FM envelope (fmdecay 0.05, sustain 0): the sidebands die, the carrier stays */
    ms_controls_set(&c, MS_CONTROL_FMDECAY, 0.05f);
    ms_controls_set(&c, MS_CONTROL_FMENV, 0.0f);
    x = play(MS_SOURCE_SINE, 60, &c, NFFT + RATE / 2, 256, 1);
    REQUIRE(x, 1);
    mag = spectrum(x, RATE / 2, 0);
    const double side = peak_near(mag, fc + fm, 3.0) / peak_near(mag, fc, 3.0);
    CHECKF(20 * log10(side) < -60.0, "after the FM decay the sideband is %.1f dB", 20 * log10(side));
    free(mag);
    free(x);
  }

  tu_section("supersaw: detuned voices at +-detune/2 semitones, spread in stereo");
  {
    ms_controls_t c = freq_controls(1000.0f);
    ms_controls_set(&c, MS_CONTROL_UNISON, 3);
    ms_controls_set(&c, MS_CONTROL_DETUNE, 2.0f); /* voices at -1, 0, +1 semitone */
    float *x = play(MS_SOURCE_SUPERSAW, 60, &c, NFFT + 4800, 256, 1);
    REQUIRE(x, 1);
    double *mag = spectrum(x, 4800, 0), *magr = spectrum(x, 4800, 1);
    const double fl = 1000.0 * pow(2, -1 / 12.0), fh = 1000.0 * pow(2, 1 / 12.0);
    const double lo = peak_near(mag, fl, 3.0), mid = peak_near(mag, 1000.0, 3.0), hi = peak_near(mag, fh, 3.0);
    const double lor = peak_near(magr, fl, 3.0), midr = peak_near(magr, 1000.0, 3.0), hir = peak_near(magr, fh, 3.0);
    const double gap = peak_near(mag, 1030.0, 5.0);
    /* each voice's power over both channels is the same */
    const double plo = lo * lo + lor * lor, pmid = mid * mid + midr * midr, phi = hi * hi + hir * hir;
    CHECKF(fabs(10 * log10(plo / pmid)) < 0.5 && fabs(10 * log10(phi / pmid)) < 0.5 && 20 * log10(gap / mid) < -60,
           "lines %.4f %.4f %.4f, between %.1f dB", plo, pmid, phi, 20 * log10(gap / mid));
    /* spread 0.6 (superdough: gains sqrt(0.2), sqrt(0.8)): even voices lean right, odd ones left */
    CHECKF(fabs(midr / mid - 0.5) < 0.02 && fabs(lor / lo - 2.0) < 0.08 && fabs(hir / hi - 2.0) < 0.08,
           "pan spread: mid L %.3f R %.3f, low L %.3f R %.3f", mid, midr, lo, lor);
    free(magr);
    free(mag);
    free(x);
  }

  tu_section("deterministic and split-invariant (noise, supersaw, FM, filter); the seed changes noise");
  {
    const uint8_t sources[] = {MS_SOURCE_WHITE, MS_SOURCE_PINK, MS_SOURCE_SUPERSAW, MS_SOURCE_SAWTOOTH};
    for (int i = 0; i < 4; i++) {
      ms_controls_t c;
      memset(&c, 0, sizeof c);
      ms_controls_set(&c, MS_CONTROL_CUTOFF, 900.0f);
      ms_controls_set(&c, MS_CONTROL_LPENV, 2.0f);
      ms_controls_set(&c, MS_CONTROL_VIB, 5.0f);
      if (i == 3) {
        ms_controls_set(&c, MS_CONTROL_FMI, 2.0f);
        ms_controls_set(&c, MS_CONTROL_FMATTACK, 0.03f);
      }
      const uint64_t n = RATE / 2;
      float *a = play(sources[i], 64, &c, n, 256, 3), *b = play(sources[i], 64, &c, n, 37, 3),
            *d = play(sources[i], 64, &c, n, 1, 3);
      REQUIRE(a && b && d, 1);
      uint64_t diff_b = UINT64_MAX, diff_d = UINT64_MAX;
      for (uint64_t k = 0; k < n * CH; k++) {
        if (diff_b == UINT64_MAX && memcmp(&a[k], &b[k], sizeof(float))) diff_b = k;
        if (diff_d == UINT64_MAX && memcmp(&a[k], &d[k], sizeof(float))) diff_d = k;
      }
      CHECKF(diff_b == UINT64_MAX && diff_d == UINT64_MAX, "source %u differs with slicing: at %llu (37), %llu (1)",
             sources[i], (unsigned long long)diff_b, (unsigned long long)diff_d);
      CHECK(tu_rms(a, n, CH, 0) > 0.01);
      if (sources[i] == MS_SOURCE_WHITE) {
        float *e = play(sources[i], 64, &c, n, 256, 4);
        REQUIRE(e, 1);
        CHECK(memcmp(a, e, n * CH * sizeof(float)) != 0);
        free(e);
      }
      free(a), free(b), free(d);
    }
  }

  tu_section("zones: no sample only for oscillators; an unknown source is refused");
  {
    ms_sampler_t *s = tu_sampler(RATE, CH, 256);
    REQUIRE(s, 1);
    ms_instrument_t *inst = NULL;
    CHECK_MS(s, ms_instrument_create(s, "z", &inst));
    ms_zone_t z = tu_zone_flat(60, MS_LOOP_NONE, 0.01f);
    CHECK_EQ_INT(ms_instrument_add_zone(inst, NULL, &z, NULL), MS_ERR_NO_SAMPLE);
    z.source = MS_SOURCE_SILENCE + 1;
    CHECK_EQ_INT(ms_instrument_add_zone(inst, NULL, &z, NULL), MS_ERR_INVALID_ARGUMENT);
    CHECKF(tu_contains_ci(tu_msg(s), "source"), "message: %s", tu_msg(s));
    ms_field_info_t fi;
    bool found = false;
    for (uint32_t i = 0; ms_field_info(MS_FIELDS_ZONE, i, &fi) == MS_OK; i++)
      if (strcmp(fi.name, "source") == 0) found = fi.max == MS_SOURCE_SILENCE && fi.id == 7;
    CHECK(found);
    ms_sampler_destroy(s);
  }
  return tu_finish();
}
