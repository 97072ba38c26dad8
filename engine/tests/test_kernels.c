/*
 * test_kernels.c — the vector (AVX2, and AVX-512 where built) voice kernels, float and int16, against the scalar
 * reference kernels: same sample data, positions, pitch steps and gain ramps,
 * runs of every length 1..67 (full vectors and masked tails), mono and
 * stereo, linear and cubic. The two differ only by FMA rounding.
 *
 * Thread: test main thread only. Includes the render thread's DSP header.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt/rt_dsp.h"

static int failures __attribute__((unused)) = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);      \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
      failures++;                                          \
    }                                                      \
  } while (0)

typedef void (*kernel_fn)(const void *, uint64_t, uint64_t, uint32_t, float *, float *, float, float, float,
                          float, float);

static uint64_t rng = 0x1234567;
__attribute__((unused)) static float frand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)(rng >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
}

int main(void) {
#if !RT_HAVE_SIMD
  printf("no AVX2 in this build: the scalar kernels are the ones that render; nothing to compare\n");
  printf("1 passed, 0 failed\n");
  return 0;
#else
  struct {
    const char *name;
    uint32_t bits;
    kernel_fn scalar, simd;
  } k[] = {
      {"linear mono", 32, rt_scalar_linear_mono, rt_simd_linear_mono},
      {"cubic mono", 32, rt_scalar_cubic_mono, rt_simd_cubic_mono},
      {"linear stereo", 32, rt_scalar_linear_stereo, rt_simd_linear_stereo},
      {"cubic stereo", 32, rt_scalar_cubic_stereo, rt_simd_cubic_stereo},
      {"linear mono16", 16, rt_scalar_linear_mono16, rt_simd_linear_mono16},
      {"cubic mono16", 16, rt_scalar_cubic_mono16, rt_simd_cubic_mono16},
      {"linear stereo16", 16, rt_scalar_linear_stereo16, rt_simd_linear_stereo16},
      {"cubic stereo16", 16, rt_scalar_cubic_stereo16, rt_simd_cubic_stereo16},
      /* int16 against float: the same signal stored both ways */
      {"16 vs float, cubic", 0, rt_scalar_cubic_stereo, rt_simd_cubic_stereo16},
#if RT_HAVE_AVX512
      {"linear mono 512", 32, rt_scalar_linear_mono, rt_simd512_linear_mono},
      {"cubic mono 512", 32, rt_scalar_cubic_mono, rt_simd512_cubic_mono},
      {"linear stereo 512", 32, rt_scalar_linear_stereo, rt_simd512_linear_stereo},
      {"cubic stereo 512", 32, rt_scalar_cubic_stereo, rt_simd512_cubic_stereo},
      {"linear mono16 512", 16, rt_scalar_linear_mono16, rt_simd512_linear_mono16},
      {"cubic mono16 512", 16, rt_scalar_cubic_mono16, rt_simd512_cubic_mono16},
      {"linear stereo16 512", 16, rt_scalar_linear_stereo16, rt_simd512_linear_stereo16},
      {"cubic stereo16 512", 16, rt_scalar_cubic_stereo16, rt_simd512_cubic_stereo16},
#endif
  };
  enum { FRAMES = 4096 };
  float *mem = calloc((FRAMES + 8) * 2, sizeof(float));
  float *data = mem + 2; /* one padding frame before, as the engine lays samples out */
  int16_t *mem16 = calloc((FRAMES + 8) * 2, sizeof(int16_t));
  int16_t *data16 = mem16 + 2;
  for (int i = 0; i < FRAMES * 2; i++) {
    data16[i] = (int16_t)(frand() * 32767.0f);
    data[i] = (float)data16[i] / 32768.0f; /* the same signal as float */
  }
  const double ratios[] = {0.25, 0.5, 0.9999, 1.0, 1.0594630943592953, 1.5, 2.0, 3.7};
  int cases = 0;
  for (size_t ki = 0; ki < sizeof k / sizeof k[0]; ki++) {
    double worst = 0.0;
    for (size_t ri = 0; ri < sizeof ratios / sizeof ratios[0]; ri++) {
      uint64_t inc = (uint64_t)(ratios[ri] * 4294967296.0);
      for (uint32_t n = 1; n <= 67; n++) {
        uint64_t pos = ((uint64_t)(37 + n) << 32) | (uint64_t)(rng & 0xffffffffu);
        float La[80] = {0}, Ra[80] = {0}, Lb[80] = {0}, Rb[80] = {0};
        for (int i = 0; i < 80; i++) La[i] = Lb[i] = frand() * 0.1f, Ra[i] = Rb[i] = frand() * 0.1f;
        float gl = 0.3f, dgl = 0.002f, gr = 0.7f, dgr = -0.003f, t0 = (float)(n % 13);
        const void *da = k[ki].bits == 16 ? (const void *)data16 : (const void *)data;
        const void *db = k[ki].bits == 32 ? (const void *)data : (const void *)data16;
        k[ki].scalar(da, pos, inc, n, La, Ra, gl, dgl, gr, dgr, t0);
        k[ki].simd(db, pos, inc, n, Lb, Rb, gl, dgl, gr, dgr, t0);
        for (int i = 0; i < 80; i++) {
          double d = fabs((double)La[i] - Lb[i]) + fabs((double)Ra[i] - Rb[i]);
          if (d > worst) worst = d;
          if (i >= (int)n) CHECK(La[i] == Lb[i] && Ra[i] == Rb[i], "%s: n=%u wrote past the run at %d", k[ki].name, n, i);
        }
        cases++;
      }
    }
    printf("%-18s worst |scalar - simd| = %.3g\n", k[ki].name, worst);
    CHECK(worst < 2e-6, "%s: vector kernel differs from the scalar reference by %.3g", k[ki].name, worst);
  }
#if RT_HAVE_AVX512
  /* The windowed AVX-512 kernels (masked loads and permutes where the taps fit
   * in a window) against the gather ones: the same taps, so the same bits, at
   * every ratio (small steps take the window, 2.0 and 3.7 the gathers; a run
   * may mix both), every run length, and runs starting at the sample's first
   * frame (the window reaching into the padding before it). */
  struct {
    const char *name;
    uint32_t bits;
    kernel_fn gather, window;
  } w[] = {
      {"linear mono", 32, rt_simd512g_linear_mono, rt_simd512_linear_mono},
      {"cubic mono", 32, rt_simd512g_cubic_mono, rt_simd512_cubic_mono},
      {"linear stereo", 32, rt_simd512g_linear_stereo, rt_simd512_linear_stereo},
      {"cubic stereo", 32, rt_simd512g_cubic_stereo, rt_simd512_cubic_stereo},
      {"linear mono16", 16, rt_simd512g_linear_mono16, rt_simd512_linear_mono16},
      {"cubic mono16", 16, rt_simd512g_cubic_mono16, rt_simd512_cubic_mono16},
      {"linear stereo16", 16, rt_simd512g_linear_stereo16, rt_simd512_linear_stereo16},
      {"cubic stereo16", 16, rt_simd512g_cubic_stereo16, rt_simd512_cubic_stereo16},
  };
  const double wratios[] = {0.25, 0.5, 0.75, 0.9999, 1.0, 1.0594630943592953, 1.2, 1.5, 1.79, 1.9, 2.0, 3.7};
  for (size_t ki = 0; ki < sizeof w / sizeof w[0]; ki++) {
    uint32_t differ = 0, wcases = 0;
    for (size_t ri = 0; ri < sizeof wratios / sizeof wratios[0]; ri++) {
      uint64_t inc = (uint64_t)(wratios[ri] * 4294967296.0);
      for (uint32_t n = 1; n <= 67; n++) {
        for (int start = 0; start < 2; start++) {
          uint64_t pos = start ? (uint64_t)(rng & 0xffffffffu) : ((uint64_t)(37 + n) << 32) | (uint64_t)(rng & 0xffffffffu);
          float La[80], Ra[80], Lb[80], Rb[80];
          for (int i = 0; i < 80; i++) La[i] = Lb[i] = frand() * 0.1f, Ra[i] = Rb[i] = frand() * 0.1f;
          const void *d = w[ki].bits == 16 ? (const void *)data16 : (const void *)data;
          w[ki].gather(d, pos, inc, n, La, Ra, 0.3f, 0.002f, 0.7f, -0.003f, (float)(n % 13));
          w[ki].window(d, pos, inc, n, Lb, Rb, 0.3f, 0.002f, 0.7f, -0.003f, (float)(n % 13));
          if (memcmp(La, Lb, sizeof La) || memcmp(Ra, Rb, sizeof Ra)) differ++;
          wcases++;
        }
      }
    }
    printf("%-18s window vs gather: %u of %u runs differ\n", w[ki].name, differ, wcases);
    CHECK(differ == 0, "%s: the windowed AVX-512 kernel differs from the gather kernel in %u runs", w[ki].name, differ);
  }
#endif
  free(mem);
  free(mem16);
  printf("%d cases compared\n", cases);
  printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
#endif
}
