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
 * dependency chain. While g or k glide the coefficients are recomputed per
 * frame (one division, off the recursion's critical path); otherwise they are
 * loop constants. The loops are specialised per (mode, stages, channels,
 * gliding) so the recursion is the only serial work; stages and channels of
 * one frame are independent chains the CPU overlaps.
 *
 * With constant coefficients the recursion runs two frames a step (svf_pairs):
 * the state two frames on is M^2 s + M b x0 + b x1, one multiply-add level
 * deep in the old state per two frames, which halves what a filtered voice
 * pays. Pairs start at even frames of the control segment, so they do not
 * depend on how the caller slices: a call that ends inside a pair writes the
 * first frame's output (the same formula) and keeps its input (px, pending)
 * for the next call; a control step or a segment's end resolves a pair left
 * open with one ordinary frame, as an unsliced run does at the same frame.
 */
#include "rt/rt_fx_filter.h"

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

/* Pair coefficients: every output and new state linear in (x0, x1, ic1, ic2). */
typedef struct svf_pair {
  float o0, o1, o2;               /* y0 = o0 x0 + o1 ic1 + o2 ic2 */
  float q0, q1, q2, qx;           /* y1 = q0 x1 + q1 ic1 + q2 ic2 + qx x0 */
  float a11, a12, a21, a22;       /* M^2 */
  float c1, c2, d1, d2;           /* ic1'' = a11 ic1 + a12 ic2 + c1 x0 + d1 x1, ic2'' likewise */
} svf_pair_t;

/* The pair of frames with coefficients a (first) and b (second). */
AI svf_pair_t svf_pair_of2(const svf_coefs_t a, const svf_coefs_t b) {
  svf_pair_t p;
  p.o0 = a.o0, p.o1 = a.o1, p.o2 = a.o2;
  p.q0 = b.o0;
  p.q1 = b.o1 * a.m11 + b.o2 * a.m21;
  p.q2 = b.o1 * a.m12 + b.o2 * a.m22;
  p.qx = b.o1 * a.b1 + b.o2 * a.b2;
  p.a11 = b.m11 * a.m11 + b.m12 * a.m21, p.a12 = b.m11 * a.m12 + b.m12 * a.m22;
  p.a21 = b.m21 * a.m11 + b.m22 * a.m21, p.a22 = b.m21 * a.m12 + b.m22 * a.m22;
  p.c1 = b.m11 * a.b1 + b.m12 * a.b2, p.c2 = b.m21 * a.b1 + b.m22 * a.b2;
  p.d1 = b.b1, p.d2 = b.b2;
  return p;
}
AI svf_pair_t svf_pair_of(const svf_coefs_t c) { return svf_pair_of2(c, c); }

AI void svf_keep_coefs(rt_fx_svf_t *f, const svf_coefs_t c) {
  const float v[9] = {c.o0, c.o1, c.o2, c.b1, c.m11, c.m12, c.b2, c.m21, c.m22};
  memcpy(f->pc, v, sizeof v);
}

/* The pair path spells every sum as explicit fused multiply-adds: its
 * pieces run in different places (a whole pair, a pair split over two calls,
 * a pair resolved at a control step) and must give the same bits in each,
 * which -ffast-math's reassociation would not promise for plain sums. */
#define FMA_(a, b, c) __builtin_fmaf((a), (b), (c))

/* A pair's first output (also a single frame's output). */
#define SVF_Y0(p, x, ic1, ic2) FMA_((p).o2, (ic2), FMA_((p).o1, (ic1), (p).o0 * (x)))

/* The pair's second half: y1 and the state two frames on. */
#define SVF_PAIR2(p, x0, x1, ic1, ic2, y1)                                                   \
  do {                                                                                       \
    const float x0_ = (x0), x1_ = (x1);                                                      \
    (y1) = FMA_((p).q2, (ic2), FMA_((p).q1, (ic1), FMA_((p).qx, x0_, (p).q0 * x1_)));        \
    const float n1_ = FMA_((p).a12, (ic2), FMA_((p).a11, (ic1), FMA_((p).d1, x1_, (p).c1 * x0_))); \
    const float n2_ = FMA_((p).a21, (ic1), FMA_((p).a22, (ic2), FMA_((p).d2, x1_, (p).c2 * x0_))); \
    (ic1) = n1_;                                                                             \
    (ic2) = n2_;                                                                             \
  } while (0)

/* One frame of the pair path (a segment's odd last frame, a resolved pair). */
#define SVF_TICK_F(c, x, ic1, ic2, y)                                  \
  do {                                                                 \
    const float x_ = (x);                                              \
    const float n1_ = FMA_((c).m12, (ic2), FMA_((c).m11, (ic1), (c).b1 * x_)); \
    const float n2_ = FMA_((c).m21, (ic1), FMA_((c).m22, (ic2), (c).b2 * x_)); \
    (y) = SVF_Y0(c, x_, ic1, ic2);                                     \
    (ic1) = n1_;                                                       \
    (ic2) = n2_;                                                       \
  } while (0)

/* Constant coefficients, frames [t, t + n) of a segment of len frames. */
AI void svf_pairs(rt_fx_svf_t *f, float *restrict c0, float *restrict c1, uint32_t n, const uint32_t mode,
                  const uint32_t stages, const uint32_t chans, uint32_t t, uint32_t len) {
  const svf_coefs_t c = svf_coefs(mode, rt_fx_ramp_now(&f->g), rt_fx_ramp_now(&f->k));
  const svf_pair_t p = svf_pair_of(c);
  float p00 = f->s[0][0][0], p01 = f->s[0][0][1], p10 = f->s[0][1][0], p11 = f->s[0][1][1];
  float q00 = f->s[1][0][0], q01 = f->s[1][0][1], q10 = f->s[1][1][0], q11 = f->s[1][1][1];
  uint32_t i = 0;
  if (f->pending && n) { /* the second half of the pair the last call began */
    float y;
    SVF_PAIR2(p, f->px[0][0], c0[0], p00, p01, y);
    if (stages == 2) SVF_PAIR2(p, f->px[1][0], y, q00, q01, y);
    c0[0] = y;
    if (chans == 2) {
      SVF_PAIR2(p, f->px[0][1], c1[0], p10, p11, y);
      if (stages == 2) SVF_PAIR2(p, f->px[1][1], y, q10, q11, y);
      c1[0] = y;
    }
    f->pending = 0;
    i = 1;
  }
  for (; i < n; i++) {
    const uint32_t j = t + i;
    if ((j & 1u) || j + 1 >= len) { /* an odd start, or the segment's last frame alone: one frame */
      float y;
      SVF_TICK_F(c, c0[i], p00, p01, y);
      if (stages == 2) SVF_TICK_F(c, y, q00, q01, y);
      c0[i] = y;
      if (chans == 2) {
        SVF_TICK_F(c, c1[i], p10, p11, y);
        if (stages == 2) SVF_TICK_F(c, y, q10, q11, y);
        c1[i] = y;
      }
      continue;
    }
    if (i + 1 == n) { /* the call ends inside the pair: its first output now, the rest next call */
      const float x = c0[i];
      float y = SVF_Y0(p, x, p00, p01);
      f->px[0][0] = x;
      if (stages == 2) {
        f->px[1][0] = y;
        y = SVF_Y0(p, y, q00, q01);
      }
      c0[i] = y;
      if (chans == 2) {
        const float xr = c1[i];
        float yr = SVF_Y0(p, xr, p10, p11);
        f->px[0][1] = xr;
        if (stages == 2) {
          f->px[1][1] = yr;
          yr = SVF_Y0(p, yr, q10, q11);
        }
        c1[i] = yr;
      }
      svf_keep_coefs(f, c);
      f->pending = 1;
      break;
    }
    {
      const float x0 = c0[i], x1 = c0[i + 1];
      float y0 = SVF_Y0(p, x0, p00, p01), y1;
      SVF_PAIR2(p, x0, x1, p00, p01, y1);
      if (stages == 2) {
        const float z0 = SVF_Y0(p, y0, q00, q01);
        SVF_PAIR2(p, y0, y1, q00, q01, y1);
        y0 = z0;
      }
      c0[i] = y0;
      c0[i + 1] = y1;
    }
    if (chans == 2) {
      const float x0 = c1[i], x1 = c1[i + 1];
      float y0 = SVF_Y0(p, x0, p10, p11), y1;
      SVF_PAIR2(p, x0, x1, p10, p11, y1);
      if (stages == 2) {
        const float z0 = SVF_Y0(p, y0, q10, q11);
        SVF_PAIR2(p, y0, y1, q10, q11, y1);
        y0 = z0;
      }
      c1[i] = y0;
      c1[i + 1] = y1;
    }
    i++;
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

/* A pair left open (its second frame never came in this segment): finish it
 * as one ordinary frame from the kept input, as an unsliced run would. */
static void svf_resolve(rt_fx_svf_t *f) {
  if (!f->pending) return;
  const svf_coefs_t c = {f->pc[0], f->pc[1], f->pc[2], f->pc[3], f->pc[4], f->pc[5], f->pc[6], f->pc[7], f->pc[8]};
  for (uint32_t ch = 0; ch < f->channels; ch++) {
    float y;
    SVF_TICK_F(c, f->px[0][ch], f->s[0][ch][0], f->s[0][ch][1], y);
    if (f->stages == 2) SVF_TICK_F(c, f->px[1][ch], f->s[1][ch][0], f->s[1][ch][1], y);
    (void)y;
  }
  f->pending = 0;
}

#define SVF_CASE_PAIRS(mode)                                                              \
  do {                                                                                    \
    if (f->stages == 2) {                                                                 \
      if (f->channels == 2) svf_pairs(f, c0, c1, n, mode, 2, 2, t, len);                  \
      else svf_pairs(f, c0, c1, n, mode, 2, 1, t, len);                                   \
    } else {                                                                              \
      if (f->channels == 2) svf_pairs(f, c0, c1, n, mode, 1, 2, t, len);                  \
      else svf_pairs(f, c0, c1, n, mode, 1, 1, t, len);                                   \
    }                                                                                     \
  } while (0)

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
static void svf_run_pairs(rt_fx_svf_t *f, float *c0, float *c1, uint32_t n, uint32_t t, uint32_t len) {
  switch (f->mode) {
    case RT_FX_SVF_LP: SVF_CASE_PAIRS(RT_FX_SVF_LP); break;
    case RT_FX_SVF_HP: SVF_CASE_PAIRS(RT_FX_SVF_HP); break;
    case RT_FX_SVF_BP: SVF_CASE_PAIRS(RT_FX_SVF_BP); break;
    case RT_FX_SVF_NOTCH: SVF_CASE_PAIRS(RT_FX_SVF_NOTCH); break;
    default: SVF_CASE_PAIRS(RT_FX_SVF_BP_RAW); break;
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
    if (glide) svf_run(f, ch0, ch1, m, true); /* per frame: pairs of gliding coefficients cost more than they save */
    else svf_run_pairs(f, ch0, ch1, m, f->g.t, f->g.len);
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
