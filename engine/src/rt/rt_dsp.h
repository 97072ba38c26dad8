/*
 * rt_dsp.h — render-thread DSP helpers: table lookups for pitch and pan,
 * integer powers for envelope steps, and the interpolating voice kernels.
 *
 * Thread: RT only. Everything here is pure arithmetic on memory the CT
 * allocated and filled at create time: no libm pow/exp, no allocation.
 */
#ifndef MS_RT_DSP_H
#define MS_RT_DSP_H

#include <stdint.h>

#include "shared/engine.h"

/* Prefetch one cache line for reading. gcc 12 was seen to drop some
 * __builtin_prefetch loops from the render path entirely (objdump showed one
 * prefetcht0 for three loops), so on x86 the instruction is emitted as asm. */
static inline void rt_prefetch(const void *p) {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
  __builtin_prefetch(p);
#endif
}

/* x^n for small n by squaring (envelope coefficient over a ramp). */
static inline float rt_powi(float x, uint32_t n) {
  float r = 1.0f;
  while (n) {
    if (n & 1u) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/* 2^(cents/1200) from the semitone and cent tables (no pow()). */
static inline double rt_pitch_ratio(const ms_sampler_t *s, float cents) {
  if (cents > 12700.0f) cents = 12700.0f;
  if (cents < -12700.0f) cents = -12700.0f;
  float semis_f = cents * 0.01f;
  int32_t semis = (int32_t)semis_f;
  if ((float)semis > semis_f) semis -= 1; /* floor */
  float rest = cents - (float)semis * 100.0f; /* 0..100 */
  if (rest < 0.0f) rest = 0.0f;
  if (rest > 100.0f) rest = 100.0f;
  int32_t ci = (int32_t)rest;
  if (ci > 99) ci = 99;
  float cf = rest - (float)ci;
  float c = s->cent_ratio[ci] + (s->cent_ratio[ci + 1] - s->cent_ratio[ci]) * cf;
  return (double)s->semitone_ratio[semis + 128] * (double)c;
}

/* sin(2*pi*phase) for phase in [0, 1), linear interpolation in the table. */
static inline float rt_sine(const ms_sampler_t *s, float phase) {
  float x = phase * (float)MS_SINE_TABLE_SIZE;
  int32_t i = (int32_t)x;
  if (i < 0) i = 0;
  if (i >= (int32_t)MS_SINE_TABLE_SIZE) i = MS_SINE_TABLE_SIZE - 1;
  float f = x - (float)i;
  return s->sine[i] + (s->sine[i + 1] - s->sine[i]) * f;
}

/* Constant-power pan gains for pan in [-1, 1]: theta = (pan+1)*pi/4. */
static inline void rt_pan_gains(const ms_sampler_t *s, float pan, float *l, float *r) {
  if (pan < -1.0f) pan = -1.0f;
  if (pan > 1.0f) pan = 1.0f;
  float phase = (pan + 1.0f) * 0.125f; /* theta / (2*pi) */
  *r = rt_sine(s, phase);
  *l = rt_sine(s, phase + 0.25f);      /* cos */
}

/* Fraction of a 32.32 position as float, from its top 24 bits (exact). */
#define RT_FRAC(pos) ((float)((uint32_t)(pos) >> 8) * 0x1p-24f)

/* Hermite 4-point, 3rd order (x form). */
static inline float rt_hermite(float xm1, float x0, float x1, float x2, float f) {
  float c1 = 0.5f * (x1 - xm1);
  float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
  float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
  return ((c3 * f + c2) * f + c1) * f + x0;
}

/*
 * The inner loops. Frame i of a run uses gain gl + dgl * (t0 + i + 1): t0 is
 * the run's distance from its ramp start, so a frame's gain does not depend
 * on where a run was split. Taps may read MS_PAD_BEFORE frames before and
 * MS_PAD_AFTER after the sample: callers keep runs within those.
 *
 * The scalar versions are the reference; with AVX2 the vector versions below
 * render (tests compare the two).
 */
#define RT_S16_SCALE (1.0f / 32768.0f)

#define RT_SCALAR_KERNEL(NAME, TYPE, CH, ...)                                                     \
  static inline void NAME(const void *restrict dv, uint64_t pos, uint64_t inc, uint32_t n,       \
                          float *restrict L, float *restrict R, float gl, float dgl, float gr,   \
                          float dgr, float t0) {                                                 \
    for (uint32_t i = 0; i < n; i++) {                                                           \
      const TYPE *p = (const TYPE *)dv + (pos >> 32) * (CH);                                     \
      float f = RT_FRAC(pos);                                                                    \
      float yl, yr;                                                                              \
      __VA_ARGS__;                                                                               \
      float t = t0 + (float)(i + 1);                                                             \
      L[i] += yl * (gl + dgl * t);                                                               \
      R[i] += yr * (gr + dgr * t);                                                               \
      pos += inc;                                                                                \
    }                                                                                            \
  }

/* S(k): tap k as float (float samples as they are, int16 scaled to -1..1) */
#define S(k) ((float)p[k])
RT_SCALAR_KERNEL(rt_scalar_linear_mono, float, 1, yl = yr = S(0) + (S(1) - S(0)) * f)
RT_SCALAR_KERNEL(rt_scalar_cubic_mono, float, 1, yl = yr = rt_hermite(S(-1), S(0), S(1), S(2), f))
RT_SCALAR_KERNEL(rt_scalar_linear_stereo, float, 2,
                 yl = S(0) + (S(2) - S(0)) * f; yr = S(1) + (S(3) - S(1)) * f)
RT_SCALAR_KERNEL(rt_scalar_cubic_stereo, float, 2,
                 yl = rt_hermite(S(-2), S(0), S(2), S(4), f);
                 yr = rt_hermite(S(-1), S(1), S(3), S(5), f))
#undef S
#define S(k) ((float)p[k] * RT_S16_SCALE)
RT_SCALAR_KERNEL(rt_scalar_linear_mono16, int16_t, 1, yl = yr = S(0) + (S(1) - S(0)) * f)
RT_SCALAR_KERNEL(rt_scalar_cubic_mono16, int16_t, 1, yl = yr = rt_hermite(S(-1), S(0), S(1), S(2), f))
RT_SCALAR_KERNEL(rt_scalar_linear_stereo16, int16_t, 2,
                 yl = S(0) + (S(2) - S(0)) * f; yr = S(1) + (S(3) - S(1)) * f)
RT_SCALAR_KERNEL(rt_scalar_cubic_stereo16, int16_t, 2,
                 yl = rt_hermite(S(-2), S(0), S(2), S(4), f);
                 yr = rt_hermite(S(-1), S(1), S(3), S(5), f))
#undef S

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RT_HAVE_SIMD 1

/* Eight positions pos + k*inc (k = 0..7): sample indices and fractions. */
static inline void rt_simd_pos(uint64_t pos, uint64_t inc, __m256i *idx, __m256 *frac) {
  const __m256i k03 = _mm256_setr_epi64x(0, 1, 2, 3);
  __m256i vinc = _mm256_set1_epi64x((long long)inc);
  /* k*inc for k < 8: inc < 2^38 so the 32x32 multiply of inc's halves suffices */
  __m256i lo = _mm256_mul_epu32(k03, vinc);
  __m256i hi = _mm256_slli_epi64(_mm256_mul_epu32(k03, _mm256_srli_epi64(vinc, 32)), 32);
  __m256i a = _mm256_add_epi64(_mm256_set1_epi64x((long long)pos), _mm256_add_epi64(lo, hi));
  __m256i b = _mm256_add_epi64(a, _mm256_slli_epi64(vinc, 2));
  const __m256i perm = _mm256_setr_epi32(1, 3, 5, 7, 0, 2, 4, 6);
  __m256i pa = _mm256_permutevar8x32_epi32(a, perm); /* hi0..3 | lo0..3 */
  __m256i pb = _mm256_permutevar8x32_epi32(b, perm);
  *idx = _mm256_permute2x128_si256(pa, pb, 0x20);
  __m256i f = _mm256_permute2x128_si256(pa, pb, 0x31);
  *frac = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(f, 8)), _mm256_set1_ps(0x1p-24f));
}

static inline __m256 rt_simd_hermite(__m256 xm1, __m256 x0, __m256 x1, __m256 x2, __m256 f) {
  const __m256 h = _mm256_set1_ps(0.5f), h3 = _mm256_set1_ps(1.5f), t25 = _mm256_set1_ps(2.5f),
               two = _mm256_set1_ps(2.0f);
  __m256 c1 = _mm256_mul_ps(h, _mm256_sub_ps(x1, xm1));
  __m256 c2 = _mm256_fnmadd_ps(h, x2, _mm256_fmadd_ps(two, x1, _mm256_fnmadd_ps(t25, x0, xm1)));
  __m256 c3 = _mm256_fmadd_ps(h3, _mm256_sub_ps(x0, x1), _mm256_mul_ps(h, _mm256_sub_ps(x2, xm1)));
  return _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(c3, f, c2), f, c1), f, x0);
}

/* Gather 8 floats at d[idx*CH + off] for the lanes in mask. */
#define RT_GATHER(d, vi, off, mask) \
  _mm256_mask_i32gather_ps(_mm256_setzero_ps(), (d) + (off), (vi), (mask), 4)

#define RT_SIMD_KERNEL(NAME, CH, ...)                                                             \
  static inline void NAME(const void *restrict dv, uint64_t pos, uint64_t inc, uint32_t n,      \
                          float *restrict L, float *restrict R, float gl, float dgl, float gr,   \
                          float dgr, float t0) {                                                 \
    const __m256 lane1 = _mm256_setr_ps(1, 2, 3, 4, 5, 6, 7, 8);                                 \
    const __m256 vgl = _mm256_set1_ps(gl), vdgl = _mm256_set1_ps(dgl);                           \
    const __m256 vgr = _mm256_set1_ps(gr), vdgr = _mm256_set1_ps(dgr);                           \
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                             \
    for (uint32_t i = 0; i < n; i += 8) {                                                        \
      uint32_t left = n - i;                                                                     \
      __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(left < 8 ? left : 8)), lanes);      \
      __m256 mf = _mm256_castsi256_ps(m);                                                        \
      __m256i vi;                                                                                \
      __m256 f;                                                                                  \
      rt_simd_pos(pos, inc, &vi, &f);                                                            \
      (void)mf;                                                                                  \
      __m256 yl, yr;                                                                             \
      __VA_ARGS__;                                                                                   \
      __m256 t = _mm256_add_ps(_mm256_set1_ps(t0 + (float)i), lane1);                            \
      __m256 g_l = _mm256_fmadd_ps(vdgl, t, vgl), g_r = _mm256_fmadd_ps(vdgr, t, vgr);           \
      if (left >= 8) {                                                                           \
        _mm256_storeu_ps(L + i, _mm256_fmadd_ps(yl, g_l, _mm256_loadu_ps(L + i)));               \
        _mm256_storeu_ps(R + i, _mm256_fmadd_ps(yr, g_r, _mm256_loadu_ps(R + i)));               \
      } else {                                                                                   \
        _mm256_maskstore_ps(L + i, m, _mm256_fmadd_ps(yl, g_l, _mm256_maskload_ps(L + i, m)));   \
        _mm256_maskstore_ps(R + i, m, _mm256_fmadd_ps(yr, g_r, _mm256_maskload_ps(R + i, m)));   \
      }                                                                                          \
      pos += inc * 8;                                                                            \
    }                                                                                            \
  }

/* int16 taps: one 32-bit gather at a 2-byte step fetches two neighbours */
#define RT_LO16(v) _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(_mm256_slli_epi32((v), 16), 16)), _mm256_set1_ps(RT_S16_SCALE))
#define RT_HI16(v) _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32((v), 16)), _mm256_set1_ps(RT_S16_SCALE))
#define RT_GATHER32(base, vi, mask, scale) \
  _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)(base), (vi), (mask), (scale))

RT_SIMD_KERNEL(rt_simd_linear_mono, 1, {
  const float *d = dv;
  __m256 a = RT_GATHER(d, vi, 0, mf), b = RT_GATHER(d, vi, 1, mf);
  yl = yr = _mm256_fmadd_ps(_mm256_sub_ps(b, a), f, a);
})
RT_SIMD_KERNEL(rt_simd_cubic_mono, 1, {
  const float *d = dv;
  yl = yr = rt_simd_hermite(RT_GATHER(d, vi, -1, mf), RT_GATHER(d, vi, 0, mf), RT_GATHER(d, vi, 1, mf),
                            RT_GATHER(d, vi, 2, mf), f);
})
RT_SIMD_KERNEL(rt_simd_linear_mono16, 1, {
  const int16_t *d = dv;
  __m256i g = RT_GATHER32(d, vi, m, 2);
  __m256 a = RT_LO16(g), b = RT_HI16(g);
  yl = yr = _mm256_fmadd_ps(_mm256_sub_ps(b, a), f, a);
})
RT_SIMD_KERNEL(rt_simd_cubic_mono16, 1, {
  const int16_t *d = dv;
  __m256i g0 = RT_GATHER32(d - 1, vi, m, 2), g1 = RT_GATHER32(d + 1, vi, m, 2);
  yl = yr = rt_simd_hermite(RT_LO16(g0), RT_HI16(g0), RT_LO16(g1), RT_HI16(g1), f);
})
RT_SIMD_KERNEL(rt_simd_linear_stereo16, 2, {
  const int32_t *d = dv; /* one frame = L | R << 16 */
  __m256i g0 = RT_GATHER32(d, vi, m, 4), g1 = RT_GATHER32(d + 1, vi, m, 4);
  yl = _mm256_fmadd_ps(_mm256_sub_ps(RT_LO16(g1), RT_LO16(g0)), f, RT_LO16(g0));
  yr = _mm256_fmadd_ps(_mm256_sub_ps(RT_HI16(g1), RT_HI16(g0)), f, RT_HI16(g0));
})
RT_SIMD_KERNEL(rt_simd_cubic_stereo16, 2, {
  const int32_t *d = dv;
  __m256i gm = RT_GATHER32(d - 1, vi, m, 4), g0 = RT_GATHER32(d, vi, m, 4), g1 = RT_GATHER32(d + 1, vi, m, 4),
          g2 = RT_GATHER32(d + 2, vi, m, 4);
  yl = rt_simd_hermite(RT_LO16(gm), RT_LO16(g0), RT_LO16(g1), RT_LO16(g2), f);
  yr = rt_simd_hermite(RT_HI16(gm), RT_HI16(g0), RT_HI16(g1), RT_HI16(g2), f);
})
RT_SIMD_KERNEL(rt_simd_linear_stereo, 2, {
  const float *d = dv;
  vi = _mm256_add_epi32(vi, vi);
  __m256 a = RT_GATHER(d, vi, 0, mf), b = RT_GATHER(d, vi, 2, mf);
  yl = _mm256_fmadd_ps(_mm256_sub_ps(b, a), f, a);
  a = RT_GATHER(d, vi, 1, mf);
  b = RT_GATHER(d, vi, 3, mf);
  yr = _mm256_fmadd_ps(_mm256_sub_ps(b, a), f, a);
})
RT_SIMD_KERNEL(rt_simd_cubic_stereo, 2, {
  const float *d = dv;
  vi = _mm256_add_epi32(vi, vi);
  yl = rt_simd_hermite(RT_GATHER(d, vi, -2, mf), RT_GATHER(d, vi, 0, mf), RT_GATHER(d, vi, 2, mf),
                       RT_GATHER(d, vi, 4, mf), f);
  yr = rt_simd_hermite(RT_GATHER(d, vi, -1, mf), RT_GATHER(d, vi, 1, mf), RT_GATHER(d, vi, 3, mf),
                       RT_GATHER(d, vi, 5, mf), f);
})
#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512BW__) && !defined(MS_NO_AVX512)
/* 16 lanes: measured ~20 % faster than the AVX2 kernels on this machine's
 * Cooper Lake (gathers dominate; twice the lanes per gather instruction). */
#define RT_HAVE_AVX512 1

static inline void rt_simd512_pos(uint64_t pos, uint64_t inc, __m512i *idx, __m512 *frac) {
  const __m512i k = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  __m512i vinc = _mm512_set1_epi64((long long)inc);
  __m512i a = _mm512_add_epi64(_mm512_set1_epi64((long long)pos), _mm512_mullo_epi64(k, vinc));
  __m512i b = _mm512_add_epi64(a, _mm512_slli_epi64(vinc, 3));
  __m256i ia = _mm512_cvtepi64_epi32(_mm512_srli_epi64(a, 32));
  __m256i ib = _mm512_cvtepi64_epi32(_mm512_srli_epi64(b, 32));
  *idx = _mm512_inserti64x4(_mm512_castsi256_si512(ia), ib, 1);
  __m512i f = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)), _mm512_cvtepi64_epi32(b), 1);
  *frac = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(f, 8)), _mm512_set1_ps(0x1p-24f));
}

static inline __m512 rt_simd512_hermite(__m512 xm1, __m512 x0, __m512 x1, __m512 x2, __m512 f) {
  const __m512 h = _mm512_set1_ps(0.5f), h3 = _mm512_set1_ps(1.5f), t25 = _mm512_set1_ps(2.5f),
               two = _mm512_set1_ps(2.0f);
  __m512 c1 = _mm512_mul_ps(h, _mm512_sub_ps(x1, xm1));
  __m512 c2 = _mm512_fnmadd_ps(h, x2, _mm512_fmadd_ps(two, x1, _mm512_fnmadd_ps(t25, x0, xm1)));
  __m512 c3 = _mm512_fmadd_ps(h3, _mm512_sub_ps(x0, x1), _mm512_mul_ps(h, _mm512_sub_ps(x2, xm1)));
  return _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(c3, f, c2), f, c1), f, x0);
}

#define RT_GATHER512(d, vi, off, mask) _mm512_mask_i32gather_ps(_mm512_setzero_ps(), (mask), (vi), (d) + (off), 4)

#define RT_SIMD512_KERNEL(NAME, CH, ...)                                                            \
  static inline void NAME(const void *restrict dv, uint64_t pos, uint64_t inc, uint32_t n,        \
                          float *restrict L, float *restrict R, float gl, float dgl, float gr,     \
                          float dgr, float t0) {                                                   \
    const __m512 lane1 = _mm512_setr_ps(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);    \
    const __m512 vgl = _mm512_set1_ps(gl), vdgl = _mm512_set1_ps(dgl);                             \
    const __m512 vgr = _mm512_set1_ps(gr), vdgr = _mm512_set1_ps(dgr);                             \
    for (uint32_t i = 0; i < n; i += 16) {                                                         \
      uint32_t left = n - i;                                                                       \
      __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1u);                \
      __m512i vi;                                                                                  \
      __m512 f;                                                                                    \
      rt_simd512_pos(pos, inc, &vi, &f);                                                           \
      __m512 yl, yr;                                                                               \
      __VA_ARGS__;                                                                                 \
      __m512 t = _mm512_add_ps(_mm512_set1_ps(t0 + (float)i), lane1);                              \
      __m512 g_l = _mm512_fmadd_ps(vdgl, t, vgl), g_r = _mm512_fmadd_ps(vdgr, t, vgr);             \
      _mm512_mask_storeu_ps(L + i, m, _mm512_fmadd_ps(yl, g_l, _mm512_maskz_loadu_ps(m, L + i)));  \
      _mm512_mask_storeu_ps(R + i, m, _mm512_fmadd_ps(yr, g_r, _mm512_maskz_loadu_ps(m, R + i)));  \
      pos += inc * 16;                                                                             \
    }                                                                                              \
  }

#define RT512_LO16(v) _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(_mm512_slli_epi32((v), 16), 16)), _mm512_set1_ps(RT_S16_SCALE))
#define RT512_HI16(v) _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32((v), 16)), _mm512_set1_ps(RT_S16_SCALE))
#define RT_GATHER512_32(base, vi, mask, scale) \
  _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), (mask), (vi), (const void *)(base), (scale))

RT_SIMD512_KERNEL(rt_simd512g_linear_mono16, 1, {
  const int16_t *d = dv;
  __m512i g = RT_GATHER512_32(d, vi, m, 2);
  __m512 a = RT512_LO16(g), b = RT512_HI16(g);
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(b, a), f, a);
})
RT_SIMD512_KERNEL(rt_simd512g_cubic_mono16, 1, {
  const int16_t *d = dv;
  __m512i g0 = RT_GATHER512_32(d - 1, vi, m, 2), g1 = RT_GATHER512_32(d + 1, vi, m, 2);
  yl = yr = rt_simd512_hermite(RT512_LO16(g0), RT512_HI16(g0), RT512_LO16(g1), RT512_HI16(g1), f);
})
RT_SIMD512_KERNEL(rt_simd512g_linear_stereo16, 2, {
  const int32_t *d = dv;
  __m512i g0 = RT_GATHER512_32(d, vi, m, 4), g1 = RT_GATHER512_32(d + 1, vi, m, 4);
  yl = _mm512_fmadd_ps(_mm512_sub_ps(RT512_LO16(g1), RT512_LO16(g0)), f, RT512_LO16(g0));
  yr = _mm512_fmadd_ps(_mm512_sub_ps(RT512_HI16(g1), RT512_HI16(g0)), f, RT512_HI16(g0));
})
RT_SIMD512_KERNEL(rt_simd512g_cubic_stereo16, 2, {
  const int32_t *d = dv;
  __m512i gm = RT_GATHER512_32(d - 1, vi, m, 4), g0 = RT_GATHER512_32(d, vi, m, 4),
          g1 = RT_GATHER512_32(d + 1, vi, m, 4), g2 = RT_GATHER512_32(d + 2, vi, m, 4);
  yl = rt_simd512_hermite(RT512_LO16(gm), RT512_LO16(g0), RT512_LO16(g1), RT512_LO16(g2), f);
  yr = rt_simd512_hermite(RT512_HI16(gm), RT512_HI16(g0), RT512_HI16(g1), RT512_HI16(g2), f);
})
RT_SIMD512_KERNEL(rt_simd512g_linear_mono, 1, {
  const float *d = dv;
  __m512 a = RT_GATHER512(d, vi, 0, m), b = RT_GATHER512(d, vi, 1, m);
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(b, a), f, a);
})
RT_SIMD512_KERNEL(rt_simd512g_cubic_mono, 1, {
  const float *d = dv;
  yl = yr = rt_simd512_hermite(RT_GATHER512(d, vi, -1, m), RT_GATHER512(d, vi, 0, m),
                               RT_GATHER512(d, vi, 1, m), RT_GATHER512(d, vi, 2, m), f);
})
RT_SIMD512_KERNEL(rt_simd512g_linear_stereo, 2, {
  const float *d = dv;
  vi = _mm512_add_epi32(vi, vi);
  __m512 a = RT_GATHER512(d, vi, 0, m), b = RT_GATHER512(d, vi, 2, m);
  yl = _mm512_fmadd_ps(_mm512_sub_ps(b, a), f, a);
  a = RT_GATHER512(d, vi, 1, m);
  b = RT_GATHER512(d, vi, 3, m);
  yr = _mm512_fmadd_ps(_mm512_sub_ps(b, a), f, a);
})
RT_SIMD512_KERNEL(rt_simd512g_cubic_stereo, 2, {
  const float *d = dv;
  vi = _mm512_add_epi32(vi, vi);
  yl = rt_simd512_hermite(RT_GATHER512(d, vi, -2, m), RT_GATHER512(d, vi, 0, m), RT_GATHER512(d, vi, 2, m),
                          RT_GATHER512(d, vi, 4, m), f);
  yr = rt_simd512_hermite(RT_GATHER512(d, vi, -1, m), RT_GATHER512(d, vi, 1, m), RT_GATHER512(d, vi, 3, m),
                          RT_GATHER512(d, vi, 5, m), f);
})
/*
 * The same kernels without gathers where they can: when the taps of a vector's
 * active lanes lie within a window of at most WIN elements (a pitch ratio up to
 * about 1.8 for cubic mono), masked loads fetch the window and permutes pick
 * each lane's taps from it: the same values the gathers read, so the same
 * output bits, at a fraction of a gather's cost. Wider steps use the gathers.
 * Masked-off elements of the loads are not read (no fault past the sample).
 */
static inline __mmask16 rt512_win_mask(uint32_t count, uint32_t chunk) {
  const uint32_t lo = chunk * 16u;
  if (count >= lo + 16u) return (__mmask16)0xffff;
  if (count <= lo) return 0;
  return (__mmask16)((1u << (count - lo)) - 1u);
}

#define RT_SIMD512W_KERNEL(NAME, LEAD, TAIL, WIN, WBODY, GBODY)                                     \
  static inline void NAME(const void *restrict dv, uint64_t pos, uint64_t inc, uint32_t n,        \
                          float *restrict L, float *restrict R, float gl, float dgl, float gr,     \
                          float dgr, float t0) {                                                   \
    const __m512 lane1 = _mm512_setr_ps(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);    \
    const __m512 vgl = _mm512_set1_ps(gl), vdgl = _mm512_set1_ps(dgl);                             \
    const __m512 vgr = _mm512_set1_ps(gr), vdgr = _mm512_set1_ps(dgr);                             \
    for (uint32_t i = 0; i < n; i += 16) {                                                         \
      uint32_t left = n - i;                                                                       \
      const uint32_t cnt = left < 16 ? left : 16;                                                  \
      __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1u);                \
      __m512i vi;                                                                                  \
      __m512 f;                                                                                    \
      rt_simd512_pos(pos, inc, &vi, &f);                                                           \
      __m512 yl, yr;                                                                               \
      /* frames from the first lane's first tap to the last active lane's last */                  \
      const uint32_t i0 = (uint32_t)(pos >> 32);                                                   \
      const uint32_t span = (uint32_t)((pos + inc * (uint64_t)(cnt - 1)) >> 32) - i0 + (LEAD) + (TAIL); \
      if (span <= (WIN)) {                                                                         \
        /* lane j's tap k is window element r[j] + k */                                             \
        const __m512i r = _mm512_sub_epi32(vi, _mm512_set1_epi32((int)i0 - (LEAD)));                \
        const int64_t w = (int64_t)i0 - (LEAD);                                                    \
        WBODY                                                                                      \
      } else {                                                                                     \
        GBODY                                                                                      \
      }                                                                                            \
      __m512 t = _mm512_add_ps(_mm512_set1_ps(t0 + (float)i), lane1);                              \
      __m512 g_l = _mm512_fmadd_ps(vdgl, t, vgl), g_r = _mm512_fmadd_ps(vdgr, t, vgr);             \
      _mm512_mask_storeu_ps(L + i, m, _mm512_fmadd_ps(yl, g_l, _mm512_maskz_loadu_ps(m, L + i)));  \
      _mm512_mask_storeu_ps(R + i, m, _mm512_fmadd_ps(yr, g_r, _mm512_maskz_loadu_ps(m, R + i)));  \
      pos += inc * 16;                                                                             \
    }                                                                                              \
  }

#define RT512_K(r, k) _mm512_add_epi32((r), _mm512_set1_epi32(k))
/* mono float: a window of 32 samples in two registers */
#define RT512_WIN_F32(w)                                                                            \
  const float *b = (const float *)dv + (w);                                                        \
  const __m512 w0 = _mm512_maskz_loadu_ps(rt512_win_mask(span, 0), b),                              \
               w1 = _mm512_maskz_loadu_ps(rt512_win_mask(span, 1), b + 16)
/* mono int16: 32 samples in one load, widened to two float registers (the values RT512_LO16/HI16 give) */
#define RT512_WIN_S16(w)                                                                            \
  const __m512i raw = _mm512_maskz_loadu_epi16(span >= 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << span) - 1u), \
                                               (const int16_t *)dv + (w));                          \
  const __m512 w0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(raw))), \
                                  _mm512_set1_ps(RT_S16_SCALE)),                                   \
               w1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(raw, 1))), \
                                  _mm512_set1_ps(RT_S16_SCALE))
#define RT512_TAP(k) _mm512_permutex2var_ps(w0, RT512_K(r, k), w1)
/* stereo int16: 32 frames (L | R << 16) in two registers */
#define RT512_WIN_S16x2(w)                                                                          \
  const int32_t *b = (const int32_t *)dv + (w);                                                    \
  const __m512i w0 = _mm512_maskz_loadu_epi32(rt512_win_mask(span, 0), b),                          \
                w1 = _mm512_maskz_loadu_epi32(rt512_win_mask(span, 1), b + 16)
#define RT512_TAP32(k) _mm512_permutex2var_epi32(w0, RT512_K(r, k), w1)
/* stereo float: 32 frames in four registers, split into two per channel */
#define RT512_WIN_F32x2(w)                                                                          \
  const float *b = (const float *)dv + 2 * (w);                                                    \
  const __m512 q0 = _mm512_maskz_loadu_ps(rt512_win_mask(2 * span, 0), b),                          \
               q1 = _mm512_maskz_loadu_ps(rt512_win_mask(2 * span, 1), b + 16),                     \
               q2 = _mm512_maskz_loadu_ps(rt512_win_mask(2 * span, 2), b + 32),                     \
               q3 = _mm512_maskz_loadu_ps(rt512_win_mask(2 * span, 3), b + 48);                     \
  const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),  \
                od = _mm512_add_epi32(ev, _mm512_set1_epi32(1));                                   \
  const __m512 l0 = _mm512_permutex2var_ps(q0, ev, q1), l1 = _mm512_permutex2var_ps(q2, ev, q3),    \
               r0 = _mm512_permutex2var_ps(q0, od, q1), r1 = _mm512_permutex2var_ps(q2, od, q3)
#define RT512_TAPL(k) _mm512_permutex2var_ps(l0, RT512_K(r, k), l1)
#define RT512_TAPR(k) _mm512_permutex2var_ps(r0, RT512_K(r, k), r1)

#define RT512W_linear_mono \
  RT512_WIN_F32(w); \
  const __m512 a = RT512_TAP(0), c = RT512_TAP(1); \
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a);
#define RT512G_linear_mono \
  const float *d = dv; \
  __m512 a = RT_GATHER512(d, vi, 0, m), c = RT_GATHER512(d, vi, 1, m); \
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a);
RT_SIMD512W_KERNEL(rt_simd512_linear_mono, 0, 2, 32, RT512W_linear_mono, RT512G_linear_mono)
#define RT512W_cubic_mono \
  RT512_WIN_F32(w); \
  yl = yr = rt_simd512_hermite(RT512_TAP(-1), RT512_TAP(0), RT512_TAP(1), RT512_TAP(2), f);
#define RT512G_cubic_mono \
  const float *d = dv; \
  yl = yr = rt_simd512_hermite(RT_GATHER512(d, vi, -1, m), RT_GATHER512(d, vi, 0, m), \
                               RT_GATHER512(d, vi, 1, m), RT_GATHER512(d, vi, 2, m), f);
RT_SIMD512W_KERNEL(rt_simd512_cubic_mono, 1, 3, 32, RT512W_cubic_mono, RT512G_cubic_mono)
#define RT512W_linear_mono16 \
  RT512_WIN_S16(w); \
  const __m512 a = RT512_TAP(0), c = RT512_TAP(1); \
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a);
#define RT512G_linear_mono16 \
  const int16_t *d = dv; \
  __m512i g = RT_GATHER512_32(d, vi, m, 2); \
  __m512 a = RT512_LO16(g), c = RT512_HI16(g); \
  yl = yr = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a);
RT_SIMD512W_KERNEL(rt_simd512_linear_mono16, 0, 2, 32, RT512W_linear_mono16, RT512G_linear_mono16)
#define RT512W_cubic_mono16 \
  RT512_WIN_S16(w); \
  yl = yr = rt_simd512_hermite(RT512_TAP(-1), RT512_TAP(0), RT512_TAP(1), RT512_TAP(2), f);
#define RT512G_cubic_mono16 \
  const int16_t *d = dv; \
  __m512i g0 = RT_GATHER512_32(d - 1, vi, m, 2), g1 = RT_GATHER512_32(d + 1, vi, m, 2); \
  yl = yr = rt_simd512_hermite(RT512_LO16(g0), RT512_HI16(g0), RT512_LO16(g1), RT512_HI16(g1), f);
RT_SIMD512W_KERNEL(rt_simd512_cubic_mono16, 1, 3, 32, RT512W_cubic_mono16, RT512G_cubic_mono16)
#define RT512W_linear_stereo16 \
  RT512_WIN_S16x2(w); \
  const __m512i g0 = RT512_TAP32(0), g1 = RT512_TAP32(1); \
  yl = _mm512_fmadd_ps(_mm512_sub_ps(RT512_LO16(g1), RT512_LO16(g0)), f, RT512_LO16(g0)); \
  yr = _mm512_fmadd_ps(_mm512_sub_ps(RT512_HI16(g1), RT512_HI16(g0)), f, RT512_HI16(g0));
#define RT512G_linear_stereo16 \
  const int32_t *d = dv; \
  __m512i g0 = RT_GATHER512_32(d, vi, m, 4), g1 = RT_GATHER512_32(d + 1, vi, m, 4); \
  yl = _mm512_fmadd_ps(_mm512_sub_ps(RT512_LO16(g1), RT512_LO16(g0)), f, RT512_LO16(g0)); \
  yr = _mm512_fmadd_ps(_mm512_sub_ps(RT512_HI16(g1), RT512_HI16(g0)), f, RT512_HI16(g0));
RT_SIMD512W_KERNEL(rt_simd512_linear_stereo16, 0, 2, 32, RT512W_linear_stereo16, RT512G_linear_stereo16)
#define RT512W_cubic_stereo16 \
  RT512_WIN_S16x2(w); \
  const __m512i gm = RT512_TAP32(-1), g0 = RT512_TAP32(0), g1 = RT512_TAP32(1), g2 = RT512_TAP32(2); \
  yl = rt_simd512_hermite(RT512_LO16(gm), RT512_LO16(g0), RT512_LO16(g1), RT512_LO16(g2), f); \
  yr = rt_simd512_hermite(RT512_HI16(gm), RT512_HI16(g0), RT512_HI16(g1), RT512_HI16(g2), f);
#define RT512G_cubic_stereo16 \
  const int32_t *d = dv; \
  __m512i gm = RT_GATHER512_32(d - 1, vi, m, 4), g0 = RT_GATHER512_32(d, vi, m, 4), \
          g1 = RT_GATHER512_32(d + 1, vi, m, 4), g2 = RT_GATHER512_32(d + 2, vi, m, 4); \
  yl = rt_simd512_hermite(RT512_LO16(gm), RT512_LO16(g0), RT512_LO16(g1), RT512_LO16(g2), f); \
  yr = rt_simd512_hermite(RT512_HI16(gm), RT512_HI16(g0), RT512_HI16(g1), RT512_HI16(g2), f);
RT_SIMD512W_KERNEL(rt_simd512_cubic_stereo16, 1, 3, 32, RT512W_cubic_stereo16, RT512G_cubic_stereo16)
#define RT512W_linear_stereo \
  RT512_WIN_F32x2(w); \
  const __m512 a = RT512_TAPL(0), c = RT512_TAPL(1); \
  yl = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a); \
  const __m512 ar = RT512_TAPR(0), cr = RT512_TAPR(1); \
  yr = _mm512_fmadd_ps(_mm512_sub_ps(cr, ar), f, ar);
#define RT512G_linear_stereo \
  const float *d = dv; \
  const __m512i v2 = _mm512_add_epi32(vi, vi); \
  __m512 a = RT_GATHER512(d, v2, 0, m), c = RT_GATHER512(d, v2, 2, m); \
  yl = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a); \
  a = RT_GATHER512(d, v2, 1, m); \
  c = RT_GATHER512(d, v2, 3, m); \
  yr = _mm512_fmadd_ps(_mm512_sub_ps(c, a), f, a);
RT_SIMD512W_KERNEL(rt_simd512_linear_stereo, 0, 2, 32, RT512W_linear_stereo, RT512G_linear_stereo)
#define RT512W_cubic_stereo \
  RT512_WIN_F32x2(w); \
  yl = rt_simd512_hermite(RT512_TAPL(-1), RT512_TAPL(0), RT512_TAPL(1), RT512_TAPL(2), f); \
  yr = rt_simd512_hermite(RT512_TAPR(-1), RT512_TAPR(0), RT512_TAPR(1), RT512_TAPR(2), f);
#define RT512G_cubic_stereo \
  const float *d = dv; \
  const __m512i v2 = _mm512_add_epi32(vi, vi); \
  yl = rt_simd512_hermite(RT_GATHER512(d, v2, -2, m), RT_GATHER512(d, v2, 0, m), RT_GATHER512(d, v2, 2, m), \
                          RT_GATHER512(d, v2, 4, m), f); \
  yr = rt_simd512_hermite(RT_GATHER512(d, v2, -1, m), RT_GATHER512(d, v2, 1, m), RT_GATHER512(d, v2, 3, m), \
                          RT_GATHER512(d, v2, 5, m), f);
RT_SIMD512W_KERNEL(rt_simd512_cubic_stereo, 1, 3, 32, RT512W_cubic_stereo, RT512G_cubic_stereo)
#define RT_KERNEL(name) rt_simd512_##name
#else
#define RT_HAVE_AVX512 0
#define RT_KERNEL(name) rt_simd_##name
#endif
#else
#define RT_HAVE_SIMD 0
#define RT_HAVE_AVX512 0
#define RT_KERNEL(name) rt_scalar_##name
#endif

#endif /* MS_RT_DSP_H */
