/*
 * rt_fx_filter.c — the per-note state-variable filter (see rt_fx_filter.h).
 *
 * Thread: RT (init also CT). Never: libm, allocation, locks, I/O.
 *
 * The filter is Simper's form of Zavalishin's TPT SVF (as the zone filter in
 * rt_voice.c):
 *   v3 = x - ic2; v1 = a1 ic1 + a2 v3; v2 = ic2 + a2 ic1 + a3 v3
 *   ic1 = 2 v1 - ic1; ic2 = 2 v2 - ic2
 *   a1 = 1 / (1 + g (g + k)), a2 = g a1, a3 = g a2
 *   low = v2, band = v1, high = x - k v1 - v2, notch = x - k v1
 * run as the equivalent state-space update (svf_coefs below) for a shorter
 * dependency chain. The loops are specialised per (mode, stages, channels,
 * gliding) so the recursion is the only serial work; stages and channels of
 * one frame are independent chains the CPU overlaps.
 *
 * With constant coefficients the recursion runs four frames a step
 * (svf_blocks): the four outputs are one vector expression of the inputs and
 * the state at the block's start, and the state four frames on is M^4 s plus
 * the inputs' terms, two multiply-adds deep in the old state per four frames.
 * The coefficients are computed when g or k change (svf_cache), not per call.
 * Blocks start at multiples of 4 of the control segment, so they do not
 * depend on how the caller slices: a call that ends inside a block writes the
 * outputs it has (the block's formula with the missing inputs zero: lane k
 * never reads a later input) and keeps its inputs (px, pending); the next
 * call computes the whole block again and writes the rest; a control step
 * before the block is complete resolves it frame by frame, as an unsliced run
 * does at the same frame.
 *
 * While g or k glide (a cutoff envelope, the phaser's sweep) the same blocks
 * run with coefficients constant within a block and linear across the segment
 * (svf_block_lerp between the coefficients at the segment's two ends, at each
 * block's centre; the end's are kept and start the next segment); a segment's
 * frames after its last whole block, and segments shorter than a block, glide
 * per frame.
 */
#include "rt/rt_fx_filter.h"

#if defined(__FMA__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

#define AI static inline __attribute__((always_inline))

/* The SVF as a state-space update, every output linear in (x, ic1, ic2):
 *   y    = o0 x + o1 ic1 + o2 ic2
 *   ic1' = b1 x + m11 ic1 + m12 ic2
 *   ic2' = b2 x + m21 ic1 + m22 ic2
 * Same filter as the v1/v2/v3 form, but each new state is one multiply-add
 * level deep in the old states (8-12 cycles a frame instead of ~20): the
 * recursion's latency is what a voice's filter costs. */
typedef struct svf_coefs {
  float o0, o1, o2, b1, m11, m12, b2, m21, m22;
} svf_coefs_t;

AI svf_coefs_t svf_coefs(uint32_t mode, float g, float k) {
  const float a1 = 1.0f / (1.0f + g * (g + k)), a2 = g * a1, a3 = g * a2;
  svf_coefs_t c;
  c.b1 = 2.0f * a2, c.m11 = 2.0f * a1 - 1.0f, c.m12 = -2.0f * a2;
  c.b2 = 2.0f * a3, c.m21 = 2.0f * a2, c.m22 = 1.0f - 2.0f * a3;
  /* band v1 = a1 ic1 - a2 ic2 + a2 x; low v2 = a2 ic1 + (1 - a3) ic2 + a3 x */
  switch (mode) {
    case RT_FX_SVF_LP: c.o0 = a3, c.o1 = a2, c.o2 = 1.0f - a3; break;
    case RT_FX_SVF_HP: c.o0 = 1.0f - k * a2 - a3, c.o1 = -k * a1 - a2, c.o2 = k * a2 - (1.0f - a3); break;
    case RT_FX_SVF_BP: c.o0 = k * a2, c.o1 = k * a1, c.o2 = -k * a2; break;
    case RT_FX_SVF_NOTCH: c.o0 = 1.0f - k * a2, c.o1 = -k * a1, c.o2 = k * a2; break;
    default: c.o0 = a2, c.o1 = a1, c.o2 = -a2; break;
  }
  return c;
}

/* One stage on one sample: updates the state pair, returns the output. */
#define SVF_TICK(c, x, ic1, ic2, y)                           \
  do {                                                        \
    const float x_ = (x);                                     \
    const float n1_ = ((c).b1 * x_ + (c).m11 * (ic1)) + (c).m12 * (ic2); \
    const float n2_ = ((c).b2 * x_ + (c).m22 * (ic2)) + (c).m21 * (ic1); \
    (y) = ((c).o0 * x_ + (c).o1 * (ic1)) + (c).o2 * (ic2);    \
    (ic1) = n1_;                                              \
    (ic2) = n2_;                                              \
  } while (0)

AI void svf_loop(rt_fx_svf_t *f, float *restrict c0, float *restrict c1, uint32_t n, const uint32_t mode,
                 const uint32_t stages, const uint32_t chans, const bool glide) {
  float p00 = f->s[0][0][0], p01 = f->s[0][0][1], p10 = f->s[0][1][0], p11 = f->s[0][1][1];
  float q00 = f->s[1][0][0], q01 = f->s[1][0][1], q10 = f->s[1][1][0], q11 = f->s[1][1][1];
  if (!glide) {
    const svf_coefs_t c = svf_coefs(mode, rt_fx_ramp_now(&f->g), rt_fx_ramp_now(&f->k));
    for (uint32_t i = 0; i < n; i++) {
      float y;
      SVF_TICK(c, c0[i], p00, p01, y);
      if (stages == 2) SVF_TICK(c, y, q00, q01, y);
      c0[i] = y;
      if (chans == 2) {
        SVF_TICK(c, c1[i], p10, p11, y);
        if (stages == 2) SVF_TICK(c, y, q10, q11, y);
        c1[i] = y;
      }
    }
  } else {
    /* the coefficients of the whole segment first (a loop without recursion
     * the compiler vectorises, divisions included; always from the segment's
     * first frame, so the bits never depend on the caller's slicing), then
     * the recursion over this call's frames [t, t + n) of it */
    float gv[MS_CONTROL_FRAMES], kv[MS_CONTROL_FRAMES];
    float o0[MS_CONTROL_FRAMES], o1[MS_CONTROL_FRAMES], o2[MS_CONTROL_FRAMES], b1[MS_CONTROL_FRAMES],
        m11[MS_CONTROL_FRAMES], m12[MS_CONTROL_FRAMES], b2[MS_CONTROL_FRAMES], m21[MS_CONTROL_FRAMES],
        m22[MS_CONTROL_FRAMES];
    const uint32_t len = f->g.len, t = f->g.t;
    rt_fx_ramp_fill(&f->g, gv);
    rt_fx_ramp_fill(&f->k, kv);
    for (uint32_t j = 0; j < len; j++) {
      const svf_coefs_t c = svf_coefs(mode, gv[j], kv[j]);
      o0[j] = c.o0, o1[j] = c.o1, o2[j] = c.o2, b1[j] = c.b1, m11[j] = c.m11, m12[j] = c.m12;
      b2[j] = c.b2, m21[j] = c.m21, m22[j] = c.m22;
    }
    for (uint32_t i = 0; i < n; i++) {
      const uint32_t j = t + i; /* n <= len - t: the caller stops at the segment's end */
      const svf_coefs_t c = {o0[j], o1[j], o2[j], b1[j], m11[j], m12[j], b2[j], m21[j], m22[j]};
      float y;
      SVF_TICK(c, c0[i], p00, p01, y);
      if (stages == 2) SVF_TICK(c, y, q00, q01, y);
      c0[i] = y;
      if (chans == 2) {
        SVF_TICK(c, c1[i], p10, p11, y);
        if (stages == 2) SVF_TICK(c, y, q10, q11, y);
        c1[i] = y;
      }
    }
  }
  f->s[0][0][0] = p00;
  f->s[0][0][1] = p01;
  f->s[0][1][0] = p10;
  f->s[0][1][1] = p11;
  f->s[1][0][0] = q00;
  f->s[1][0][1] = q01;
  f->s[1][1][0] = q10;
  f->s[1][1][1] = q11;
}

/* The block path spells every sum as explicit fused multiply-adds: its
 * pieces run in different places (a whole block, a block split over calls, a
 * block resolved at a control step) and must give the same bits in each,
 * which -ffast-math's reassociation would not promise for plain sums. */
#define FMA_(a, b, c) __builtin_fmaf((a), (b), (c))

/* One frame with explicit fused multiply-adds (a segment's last frames that
 * do not fill a block, a block resolved at a control step). */
#define SVF_TICK_F(c, x, ic1, ic2, y)                                          \
  do {                                                                         \
    const float x_ = (x);                                                      \
    const float n1_ = FMA_((c).m12, (ic2), FMA_((c).m11, (ic1), (c).b1 * x_)); \
    const float n2_ = FMA_((c).m21, (ic1), FMA_((c).m22, (ic2), (c).b2 * x_)); \
    (y) = FMA_((c).o2, (ic2), FMA_((c).o1, (ic1), (c).o0 * x_));               \
    (ic1) = n1_;                                                               \
    (ic2) = n2_;                                                               \
  } while (0)

/* Four lanes: a block's four outputs. Every lane is computed by its own
 * chain of exactly rounded fused multiply-adds, so a lane's bits are the same
 * in a vector instruction, in a scalar fmaf, or in a build without FMA. */
typedef float v4f __attribute__((vector_size(16)));

AI v4f v4_splat(float a) { return (v4f){a, a, a, a}; }
AI v4f v4_fma(v4f a, v4f b, v4f c) {
#if defined(__FMA__) && (defined(__x86_64__) || defined(__i386__))
  return (v4f)_mm_fmadd_ps((__m128)a, (__m128)b, (__m128)c);
#else
  return (v4f){FMA_(a[0], b[0], c[0]), FMA_(a[1], b[1], c[1]), FMA_(a[2], b[2], c[2]), FMA_(a[3], b[3], c[3])};
#endif
}

/* Eight lanes: a block's four outputs' input terms and the two states' input
 * terms (lanes 4 and 5) in one instruction each. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi" /* only always-inline helpers take or return them */
#endif
typedef float v8f __attribute__((vector_size(32)));

AI v8f v8_splat(float a) { return (v8f){a, a, a, a, a, a, a, a}; }
AI v8f v8_fma(v8f a, v8f b, v8f c) {
#if defined(__FMA__) && defined(__AVX__) && (defined(__x86_64__) || defined(__i386__))
  return (v8f)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#else
  v8f r;
  for (int i = 0; i < 8; i++) r[i] = FMA_(a[i], b[i], c[i]);
  return r;
#endif
}

/* Four frames as one step of the state-space form (constant coefficients):
 *   y_k  = h_k x_0 + ... + h_0 x_k + (o M^k) s     (h_0 = o0, h_m = o M^(m-1) b)
 *   s'   = M^4 s + M^3 b x_0 + M^2 b x_1 + M b x_2 + b x_3
 * The four outputs are one vector expression whose only dependence on the
 * recursion is its last two multiply-adds; the state four frames on is two
 * multiply-adds deep in the old state. That is the chain a filtered voice
 * waits on: two multiply-adds per four frames instead of two per two. */
typedef struct svf_block {
  v8f u0, u1, u2, u3;       /* lanes 0-3: y += t_j x_j (t_j: column j of the lower-triangular Toeplitz
                               matrix of h); lanes 4, 5: ic1' += g1[j] x_j, ic2' += g2[j] x_j (M^(3-j) b) */
  v4f o1, o2;               /* y += o1 ic1 + o2 ic2: lane k is o M^k */
  float a11, a12, a21, a22; /* M^4 */
} svf_block_t;

/* The single-frame (cc) and block (cb) coefficients of g and k. One compiled
 * copy on purpose: every caller gets the same bits. */
static __attribute__((noinline)) void svf_coefs_all(uint32_t mode, float g, float k, float *restrict cb,
                                                    float *restrict cc) {
  const svf_coefs_t c = svf_coefs(mode, g, k);
  float O1[4], O2[4], h[4], w1[4], w2[4];
  O1[0] = c.o1, O2[0] = c.o2;
  w1[0] = c.b1, w2[0] = c.b2;
  for (int i = 1; i < 4; i++) {
    O1[i] = O1[i - 1] * c.m11 + O2[i - 1] * c.m21;
    O2[i] = O1[i - 1] * c.m12 + O2[i - 1] * c.m22;
    w1[i] = c.m11 * w1[i - 1] + c.m12 * w2[i - 1];
    w2[i] = c.m21 * w1[i - 1] + c.m22 * w2[i - 1];
  }
  h[0] = c.o0;
  for (int m = 1; m < 4; m++) h[m] = O1[m - 1] * c.b1 + O2[m - 1] * c.b2;
  const float p11 = c.m11 * c.m11 + c.m12 * c.m21, p12 = c.m11 * c.m12 + c.m12 * c.m22;
  const float p21 = c.m21 * c.m11 + c.m22 * c.m21, p22 = c.m21 * c.m12 + c.m22 * c.m22;
  for (int i = 0; i < 4; i++) cb[i] = h[i], cb[4 + i] = O1[i], cb[8 + i] = O2[i];
  cb[12] = p11 * p11 + p12 * p21, cb[13] = p11 * p12 + p12 * p22;
  cb[14] = p21 * p11 + p22 * p21, cb[15] = p21 * p12 + p22 * p22;
  for (int j = 0; j < 4; j++) cb[16 + j] = w1[3 - j], cb[20 + j] = w2[3 - j];
  const float v[9] = {c.o0, c.o1, c.o2, c.b1, c.m11, c.m12, c.b2, c.m21, c.m22};
  memcpy(cc, v, sizeof v);
}

/* The coefficients for constant g and k, kept in the filter (cc, cb) until
 * they change: a constant cutoff computes them once, not per segment. */
static void svf_cache(rt_fx_svf_t *f, uint32_t mode, float g, float k) {
  svf_coefs_all(mode, g, k, f->cb, f->cc);
  f->cg = g, f->ck = k, f->cached = 1;
}

AI svf_coefs_t svf_cached_coefs(const rt_fx_svf_t *f) {
  const float *v = f->cc;
  return (svf_coefs_t){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
}

AI svf_block_t svf_block_of(const float *cb) {
  const float *h = cb, *g1 = cb + 16, *g2 = cb + 20;
  svf_block_t b;
  b.u0 = (v8f){h[0], h[1], h[2], h[3], g1[0], g2[0], 0.0f, 0.0f};
  b.u1 = (v8f){0.0f, h[0], h[1], h[2], g1[1], g2[1], 0.0f, 0.0f};
  b.u2 = (v8f){0.0f, 0.0f, h[0], h[1], g1[2], g2[2], 0.0f, 0.0f};
  b.u3 = (v8f){0.0f, 0.0f, 0.0f, h[0], g1[3], g2[3], 0.0f, 0.0f};
  b.o1 = (v4f){cb[4], cb[5], cb[6], cb[7]};
  b.o2 = (v4f){cb[8], cb[9], cb[10], cb[11]};
  b.a11 = cb[12], b.a12 = cb[13], b.a21 = cb[14], b.a22 = cb[15];
  return b;
}

/* While g or k glide, a block's coefficients are those of the segment's
 * start plus w times the difference to its end's, w the block centre's place
 * in the segment: linear across the segment as g and k are, constant within a
 * block (a 4-frame step), computed per block by multiply-adds instead of per
 * frame by a division and the block algebra. */
AI svf_block_t svf_block_lerp(const svf_block_t *a, const svf_block_t *d, float w) {
  const v8f w8 = v8_splat(w);
  const v4f w4 = v4_splat(w);
  svf_block_t b;
  b.u0 = v8_fma(d->u0, w8, a->u0);
  b.u1 = v8_fma(d->u1, w8, a->u1);
  b.u2 = v8_fma(d->u2, w8, a->u2);
  b.u3 = v8_fma(d->u3, w8, a->u3);
  b.o1 = v4_fma(d->o1, w4, a->o1);
  b.o2 = v4_fma(d->o2, w4, a->o2);
  b.a11 = FMA_(d->a11, w, a->a11), b.a12 = FMA_(d->a12, w, a->a12);
  b.a21 = FMA_(d->a21, w, a->a21), b.a22 = FMA_(d->a22, w, a->a22);
  return b;
}

/* One block on one stage: returns the four outputs from the inputs and the
 * state at the block's start; when done (all four inputs there) the state
 * moves four frames on. Lane k of the outputs reads x_j only through t_j's
 * lane k, which is 0 for j > k: a block whose later inputs have not come yet
 * (zeros there) gives the same first lanes. The state's input terms do not
 * depend on the state: the recursion is the last two multiply-adds. */
AI v4f svf_block_run(const svf_block_t *b, float x0, float x1, float x2, float x3, float *ic1, float *ic2,
                     const bool done) {
  v8f p = b->u0 * v8_splat(x0);
  p = v8_fma(b->u1, v8_splat(x1), p);
  p = v8_fma(b->u2, v8_splat(x2), p);
  p = v8_fma(b->u3, v8_splat(x3), p);
  const float s1 = *ic1, s2 = *ic2;
  v4f y = v4_fma(b->o1, v4_splat(s1), __builtin_shufflevector(p, p, 0, 1, 2, 3));
  y = v4_fma(b->o2, v4_splat(s2), y);
  if (done) {
    *ic1 = FMA_(b->a12, s2, FMA_(b->a11, s1, p[4]));
    *ic2 = FMA_(b->a21, s1, FMA_(b->a22, s2, p[5]));
  }
  return y;
}

/* One channel's block over inputs x[0..3] (zeros past what has come), both
 * stages; the states advance only when done. */
#define SVF_BLOCK_CH(B, x, st1a, st1b, st2a, st2b, stages, done, y)                        \
  do {                                                                                       \
    (y) = svf_block_run(&(B), (x)[0], (x)[1], (x)[2], (x)[3], &(st1a), &(st1b), done);       \
    if ((stages) == 2) (y) = svf_block_run(&(B), (y)[0], (y)[1], (y)[2], (y)[3], &(st2a), &(st2b), done); \
  } while (0)

/* Constant coefficients, frames [t, t + n) of a segment of len frames.
 * Blocks start at multiples of 4 of the segment (so at absolute multiples of
 * 4: segments start on the control grid, the note's first one aside), never
 * cross its end; the frames after the last whole block run one by one. A call
 * ending inside a block writes the outputs it has (the block's own formula,
 * later inputs zero) and keeps the inputs; the next call computes the whole
 * block again from the kept state and inputs, writing the rest. */
AI void svf_blocks(rt_fx_svf_t *f, float *restrict c0, float *restrict c1, uint32_t n, const uint32_t mode,
                   const uint32_t stages, const uint32_t chans, uint32_t t, uint32_t len, const bool glide) {
  svf_coefs_t c;
  svf_block_t B, dB;
  float winv = 0.0f;
  if (!glide) {
    const float gn = rt_fx_ramp_now(&f->g), kn = rt_fx_ramp_now(&f->k);
    if (!f->cached || gn != f->cg || kn != f->ck) svf_cache(f, mode, gn, kn);
    c = svf_cached_coefs(f);
    B = svf_block_of(f->cb);
    dB = B;
  } else { /* len >= 4: the coefficients at the segment's two ends, from its ramp alone; the end's are
              kept (svf_cache), and are the next segment's start when the cutoff moves on from there */
    const float g0 = f->g.start, k0 = f->k.start, g1 = f->g.end, k1 = f->k.end;
    float cba[24], cca[9];
    const float *ca = cba;
    if (f->cached && g0 == f->cg && k0 == f->ck) ca = f->cb;
    else svf_coefs_all(mode, g0, k0, cba, cca);
    B = svf_block_of(ca);
    if (!f->cached || g1 != f->cg || k1 != f->ck) svf_cache(f, mode, g1, k1);
    const svf_block_t Bb = svf_block_of(f->cb);
    dB.u0 = Bb.u0 - B.u0, dB.u1 = Bb.u1 - B.u1, dB.u2 = Bb.u2 - B.u2, dB.u3 = Bb.u3 - B.u3;
    dB.o1 = Bb.o1 - B.o1, dB.o2 = Bb.o2 - B.o2;
    dB.a11 = Bb.a11 - B.a11, dB.a12 = Bb.a12 - B.a12, dB.a21 = Bb.a21 - B.a21, dB.a22 = Bb.a22 - B.a22;
    winv = 1.0f / (float)len;
    c = svf_cached_coefs(f); /* unused: the frames after the last block glide per frame */
  }
#define SVF_B_AT(j) (glide ? svf_block_lerp(&B, &dB, ((float)((j) & ~3u) + 2.5f) * winv) : B)
  float p00 = f->s[0][0][0], p01 = f->s[0][0][1], p10 = f->s[0][1][0], p11 = f->s[0][1][1];
  float q00 = f->s[1][0][0], q01 = f->s[1][0][1], q10 = f->s[1][1][0], q11 = f->s[1][1][1];
  uint32_t i = 0;
  if (f->pending && n) { /* the block the last call began */
    const uint32_t p = f->pending, m = n < 4 - p ? n : 4 - p;
    const bool done = p + m == 4;
    const svf_block_t Bk = SVF_B_AT(t - p);
    float x[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    v4f y;
    for (uint32_t a = 0; a < p; a++) x[a] = f->px[0][a];
    for (uint32_t a = 0; a < m; a++) x[p + a] = c0[a];
    SVF_BLOCK_CH(Bk, x, p00, p01, q00, q01, stages, done, y);
    for (uint32_t a = 0; a < m; a++) c0[a] = y[p + a];
    if (!done)
      for (uint32_t a = 0; a < m; a++) f->px[0][p + a] = x[p + a];
    if (chans == 2) {
      float xr[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (uint32_t a = 0; a < p; a++) xr[a] = f->px[1][a];
      for (uint32_t a = 0; a < m; a++) xr[p + a] = c1[a];
      SVF_BLOCK_CH(Bk, xr, p10, p11, q10, q11, stages, done, y);
      for (uint32_t a = 0; a < m; a++) c1[a] = y[p + a];
      if (!done)
        for (uint32_t a = 0; a < m; a++) f->px[1][p + a] = xr[p + a];
    }
    f->pending = (uint8_t)(done ? 0 : p + m);
    i = m;
  }
  while (i < n) {
    const uint32_t j = t + i;
    if (!(j & 3u) && j + 4 <= len) {
      uint32_t nb = (n - i) / 4, nl = (len - j) / 4;
      if (nb > nl) nb = nl;
      if (nb) { /* whole blocks */
        for (const uint32_t end = i + 4 * nb; i < end; i += 4) {
          const svf_block_t Bk = SVF_B_AT(t + i);
          /* the second stage reads the first's outputs back from the buffer:
           * broadcasts from memory instead of lane shuffles */
          v4f y = svf_block_run(&Bk, c0[i], c0[i + 1], c0[i + 2], c0[i + 3], &p00, &p01, true);
          memcpy(c0 + i, &y, sizeof y);
          if (stages == 2) {
            y = svf_block_run(&Bk, c0[i], c0[i + 1], c0[i + 2], c0[i + 3], &q00, &q01, true);
            memcpy(c0 + i, &y, sizeof y);
          }
          if (chans == 2) {
            y = svf_block_run(&Bk, c1[i], c1[i + 1], c1[i + 2], c1[i + 3], &p10, &p11, true);
            memcpy(c1 + i, &y, sizeof y);
            if (stages == 2) {
              y = svf_block_run(&Bk, c1[i], c1[i + 1], c1[i + 2], c1[i + 3], &q10, &q11, true);
              memcpy(c1 + i, &y, sizeof y);
            }
          }
        }
        continue;
      }
      /* the call ends inside the block: its first outputs now, the rest next call */
      const uint32_t m = n - i;
      const svf_block_t Bk = SVF_B_AT(j);
      float x[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      v4f y;
      for (uint32_t a = 0; a < m; a++) x[a] = f->px[0][a] = c0[i + a];
      SVF_BLOCK_CH(Bk, x, p00, p01, q00, q01, stages, false, y);
      for (uint32_t a = 0; a < m; a++) c0[i + a] = y[a];
      if (chans == 2) {
        float xr[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (uint32_t a = 0; a < m; a++) xr[a] = f->px[1][a] = c1[i + a];
        SVF_BLOCK_CH(Bk, xr, p10, p11, q10, q11, stages, false, y);
        for (uint32_t a = 0; a < m; a++) c1[i + a] = y[a];
      }
      /* gliding, a control step before the block ends resolves it with the segment end's coefficients
       * (cc: svf_cache above) */
      f->pending = (uint8_t)m;
      break;
    }
    { /* the segment's last frames that do not fill a block, one by one */
      if (glide) c = svf_coefs(mode, rt_fx_ramp_at(&f->g, j), rt_fx_ramp_at(&f->k, j));
      float y;
      SVF_TICK_F(c, c0[i], p00, p01, y);
      if (stages == 2) SVF_TICK_F(c, y, q00, q01, y);
      c0[i] = y;
      if (chans == 2) {
        SVF_TICK_F(c, c1[i], p10, p11, y);
        if (stages == 2) SVF_TICK_F(c, y, q10, q11, y);
        c1[i] = y;
      }
      i++;
    }
  }
  f->s[0][0][0] = p00;
  f->s[0][0][1] = p01;
  f->s[0][1][0] = p10;
  f->s[0][1][1] = p11;
  f->s[1][0][0] = q00;
  f->s[1][0][1] = q01;
  f->s[1][1][0] = q10;
  f->s[1][1][1] = q11;
#undef SVF_B_AT
}

/* A block left open (its last frames never came in this segment): finish it
 * frame by frame from the kept inputs, as an unsliced run would. */
static void svf_resolve(rt_fx_svf_t *f) {
  if (!f->pending) return;
  const svf_coefs_t c = svf_cached_coefs(f); /* those the open block kept (a set changes g or k after this) */
  for (uint32_t ch = 0; ch < f->channels; ch++)
    for (uint32_t a = 0; a < f->pending; a++) {
      float y;
      SVF_TICK_F(c, f->px[ch][a], f->s[0][ch][0], f->s[0][ch][1], y);
      if (f->stages == 2) SVF_TICK_F(c, y, f->s[1][ch][0], f->s[1][ch][1], y);
      (void)y;
    }
  f->pending = 0;
}

#define SVF_CASE_BLOCKS(mode, glide)                                                      \
  do {                                                                                    \
    if (f->stages == 2) {                                                                 \
      if (f->channels == 2) svf_blocks(f, c0, c1, n, mode, 2, 2, t, len, glide);          \
      else svf_blocks(f, c0, c1, n, mode, 2, 1, t, len, glide);                           \
    } else {                                                                              \
      if (f->channels == 2) svf_blocks(f, c0, c1, n, mode, 1, 2, t, len, glide);          \
      else svf_blocks(f, c0, c1, n, mode, 1, 1, t, len, glide);                           \
    }                                                                                     \
  } while (0)

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
static void svf_run_blocks(rt_fx_svf_t *f, float *c0, float *c1, uint32_t n, uint32_t t, uint32_t len, bool glide) {
  if (glide) {
    switch (f->mode) {
      case RT_FX_SVF_LP: SVF_CASE_BLOCKS(RT_FX_SVF_LP, true); break;
      case RT_FX_SVF_HP: SVF_CASE_BLOCKS(RT_FX_SVF_HP, true); break;
      case RT_FX_SVF_BP: SVF_CASE_BLOCKS(RT_FX_SVF_BP, true); break;
      case RT_FX_SVF_NOTCH: SVF_CASE_BLOCKS(RT_FX_SVF_NOTCH, true); break;
      default: SVF_CASE_BLOCKS(RT_FX_SVF_BP_RAW, true); break;
    }
  } else {
    switch (f->mode) {
      case RT_FX_SVF_LP: SVF_CASE_BLOCKS(RT_FX_SVF_LP, false); break;
      case RT_FX_SVF_HP: SVF_CASE_BLOCKS(RT_FX_SVF_HP, false); break;
      case RT_FX_SVF_BP: SVF_CASE_BLOCKS(RT_FX_SVF_BP, false); break;
      case RT_FX_SVF_NOTCH: SVF_CASE_BLOCKS(RT_FX_SVF_NOTCH, false); break;
      default: SVF_CASE_BLOCKS(RT_FX_SVF_BP_RAW, false); break;
    }
  }
}

#define SVF_CASE_SC(mode, glide)                                                     \
  do {                                                                               \
    if (f->stages == 2) {                                                            \
      if (f->channels == 2) svf_loop(f, c0, c1, n, mode, 2, 2, glide);               \
      else svf_loop(f, c0, c1, n, mode, 2, 1, glide);                                \
    } else {                                                                         \
      if (f->channels == 2) svf_loop(f, c0, c1, n, mode, 1, 2, glide);               \
      else svf_loop(f, c0, c1, n, mode, 1, 1, glide);                                \
    }                                                                                \
  } while (0)

/* No SLP vectorisation here: GCC 12 packs the two channels' (or stages')
 * recursions into one vector with shuffles, which lengthens the chain
 * (measured: stereo 12 dB 4.9 -> 3.1 ns a frame without it). The loop
 * vectoriser, which the glide's coefficient loop wants, stays on. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
static void svf_run(rt_fx_svf_t *f, float *c0, float *c1, uint32_t n, bool glide) {
  if (glide) {
    switch (f->mode) {
      case RT_FX_SVF_LP: SVF_CASE_SC(RT_FX_SVF_LP, true); break;
      case RT_FX_SVF_HP: SVF_CASE_SC(RT_FX_SVF_HP, true); break;
      case RT_FX_SVF_BP: SVF_CASE_SC(RT_FX_SVF_BP, true); break;
      case RT_FX_SVF_NOTCH: SVF_CASE_SC(RT_FX_SVF_NOTCH, true); break;
      default: SVF_CASE_SC(RT_FX_SVF_BP_RAW, true); break;
    }
  } else {
    switch (f->mode) {
      case RT_FX_SVF_LP: SVF_CASE_SC(RT_FX_SVF_LP, false); break;
      case RT_FX_SVF_HP: SVF_CASE_SC(RT_FX_SVF_HP, false); break;
      case RT_FX_SVF_BP: SVF_CASE_SC(RT_FX_SVF_BP, false); break;
      case RT_FX_SVF_NOTCH: SVF_CASE_SC(RT_FX_SVF_NOTCH, false); break;
      default: SVF_CASE_SC(RT_FX_SVF_BP_RAW, false); break;
    }
  }
}

void rt_fx_svf_init(rt_fx_svf_t *f, uint32_t mode, uint32_t stages, uint32_t channels) {
  memset(f, 0, sizeof *f);
  f->mode = (uint8_t)(mode <= RT_FX_SVF_BP_RAW ? mode : RT_FX_SVF_LP);
  f->stages = (uint8_t)(stages >= 2 ? 2 : 1);
  f->channels = (uint8_t)(channels >= 2 ? 2 : 1);
}

void rt_fx_svf_reset(rt_fx_svf_t *f) {
  memset(f->s, 0, sizeof f->s);
  f->pending = 0;
  f->cached = 0;
  memset(&f->g, 0, sizeof f->g);
  memset(&f->k, 0, sizeof f->k);
}

void rt_fx_svf_set(rt_fx_svf_t *f, float g, float k, uint32_t ramp_frames) {
  svf_resolve(f); /* a pair the last segment left open ends with its old coefficients */
  /* denormal guard here, on the control grid, not per process call: a flush
   * at call boundaries would depend on how the caller slices */
  for (int st = 0; st < 2; st++)
    for (int ch = 0; ch < 2; ch++)
      for (int i = 0; i < 2; i++) f->s[st][ch][i] = rt_fx_flush(f->s[st][ch][i]);
  if (!(k >= 1e-4f)) k = 1e-4f; /* k = 0 is a lossless oscillator: keep a little damping */
  if (k > 100.0f) k = 100.0f;
  rt_fx_ramp_set(&f->g, g, ramp_frames);
  rt_fx_ramp_set(&f->k, k, ramp_frames);
}

void rt_fx_svf_set_hz(rt_fx_svf_t *f, const rt_fx_ctx_t *c, float cutoff_hz, float q, uint32_t ramp_frames) {
  if (!(q >= 0.01f)) q = 0.01f;
  rt_fx_svf_set(f, rt_fx_cutoff_g(c, cutoff_hz), 1.0f / q, ramp_frames);
}

void rt_fx_svf_process(rt_fx_svf_t *f, float *ch0, float *ch1, uint32_t n) {
  if (f->channels == 2 && !ch1) f->channels = 1; /* defensive: never read a NULL channel */
  uint32_t done = 0;
  /* g and k share t/len: both were set together */
  if (rt_fx_ramp_left(&f->g)) {
    uint32_t m = rt_fx_ramp_left(&f->g);
    if (m > n) m = n;
    bool glide = rt_fx_ramp_moving(&f->g) || rt_fx_ramp_moving(&f->k);
    if (glide && f->g.len < 4) svf_run(f, ch0, ch1, m, true); /* a segment shorter than a block: per frame */
    else svf_run_blocks(f, ch0, ch1, m, f->g.t, f->g.len, glide);
    f->g.t += m;
    f->k.t += m;
    done = m;
  }
  if (done < n) {
    svf_resolve(f);
    svf_run(f, ch0 + done, ch1 ? ch1 + done : NULL, n - done, false);
  }
}

float rt_fx_resonance_q(float resonance_db) {
  if (!(resonance_db >= 0.0f)) resonance_db = 0.0f;
  if (resonance_db > 50.0f) resonance_db = 50.0f;
  return rt_fx_exp10f(resonance_db * 0.05f);
}

float rt_fx_bandq_q(float bandq) {
  if (!(bandq >= 0.05f)) bandq = 0.05f;
  if (bandq > 1000.0f) bandq = 1000.0f;
  return bandq;
}

bool rt_fx_djf(float djf, uint32_t *mode, float *cutoff_hz, float *q) {
  if (!(djf >= 0.0f)) djf = 0.0f;
  if (djf > 1.0f) djf = 1.0f;
  if (djf == 0.5f) return false;
  /* SuperDirt: djf.linexp(0, 0.5, 20, 10000) for the LP, (0.5, 1, ...) for the HP */
  const float log2_500 = 8.965784284662087f;
  if (djf < 0.5f) {
    *mode = RT_FX_SVF_LP;
    *cutoff_hz = 20.0f * rt_fx_exp2f(log2_500 * 2.0f * djf);
  } else {
    *mode = RT_FX_SVF_HP;
    *cutoff_hz = 20.0f * rt_fx_exp2f(log2_500 * (2.0f * djf - 1.0f));
  }
  *q = 1.0f;
  return true;
}
