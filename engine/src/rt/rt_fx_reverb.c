/*
 * rt_fx_reverb.c — an orbit's reverb: input bandwidth and allpass diffusion,
 * a fade-in tap line, and an 8-line modulated feedback delay network with
 * per-line damping and a Hadamard feedback matrix (see rt_fx_reverb.h for the
 * controls and the structure).
 *
 * Thread: rt_fx_reverb_bytes/init on CT; everything else on RT.
 * Never: allocation, locks, I/O, libm, logging. Coefficients are computed
 * with the polynomial helpers of rt_fx_common.h (same bits on every libc).
 */
#include "rt/rt_fx_reverb.h"

#include <string.h>

#include "rt/rt_fx_common.h"

#define CF MS_CONTROL_FRAMES
#define NL RT_FX_REVERB_LINES

/* Line delays at 48 kHz (primes, 27.6..59.4 ms, mean 43.6 ms: the summed
 * length, 16748 frames, keeps the modal density above Schroeder's bound for
 * RT60 up to 2.4 s; the modulation smears modes beyond that). */
static const float k_len48[NL] = {1327.0f, 1559.0f, 1777.0f, 1993.0f,
                                  2221.0f, 2399.0f, 2621.0f, 2851.0f};
/* Input allpasses at 48 kHz, left and right (primes, 2..5.4 ms). */
static const float k_ap48[2][RT_FX_REVERB_APS] = {{241.0f, 173.0f, 97.0f}, {257.0f, 167.0f, 103.0f}};
#define AP_GAIN 0.6f
/* LFO rates (Hz) and depth (frames at 48 kHz). */
static const float k_lfo_hz[NL] = {0.31f, 0.43f, 0.57f, 0.71f, 0.83f, 0.97f, 1.13f, 1.29f};
#define MOD_DEPTH48 6.0f
/* Tap placement: tap k of 16 sits at (k + 0.5 + jitter[k]) / 16 of the
 * spread; line i takes taps i and 15 - i (one early, one late). */
static const float k_tap_jitter[16] = {0.12f,  -0.31f, 0.27f,  -0.08f, 0.34f,  -0.22f, 0.05f,  -0.35f,
                                       0.18f,  -0.14f, 0.29f,  -0.26f, 0.09f,  -0.02f, 0.23f,  -0.19f};
static const float k_tap_sign[16] = {1, -1, 1, 1, -1, 1, -1, -1, 1, 1, -1, 1, -1, -1, 1, -1};
/* Output sign patterns, orthogonal (left and right uncorrelated). */
static const float k_out_l[NL] = {1, 1, -1, -1, 1, 1, -1, -1};
static const float k_out_r[NL] = {1, -1, 1, -1, -1, 1, -1, 1};
#define EARLY_S 0.02f
/* Energy per unit impulse per second of RT60 (superdough at 48 kHz). */
#define LEVEL_PER_S 0.095f

static uint32_t pow2_at_least(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

static float clampf(float x, float lo, float hi) {
  if (!(x >= lo)) return lo; /* also NaN */
  return x > hi ? hi : x;
}

typedef struct sizes {
  uint32_t line_size, tap_size, ap_size, max_fade_frames;
} sizes_t;

static sizes_t reverb_sizes(float sample_rate, float max_fade_s) {
  sizes_t z;
  float scale = sample_rate / 48000.0f;
  max_fade_s = clampf(max_fade_s, 0.0f, RT_FX_REVERB_MAX_FADE_S);
  float spread_s = max_fade_s > EARLY_S ? max_fade_s : EARLY_S;
  z.max_fade_frames = (uint32_t)(spread_s * sample_rate + 0.5f);
  z.tap_size = pow2_at_least(z.max_fade_frames + 1u);
  z.line_size = pow2_at_least((uint32_t)(k_len48[NL - 1] * scale + MOD_DEPTH48 * scale) + 4u);
  z.ap_size = pow2_at_least((uint32_t)(k_ap48[1][0] * scale) + 2u);
  return z;
}

size_t rt_fx_reverb_bytes(float sample_rate, float max_fade_s) {
  sizes_t z = reverb_sizes(sample_rate, max_fade_s);
  return ((size_t)NL * z.line_size + 2u * (size_t)z.tap_size +
          2u * RT_FX_REVERB_APS * (size_t)z.ap_size) *
         sizeof(float);
}

void rt_fx_reverb_defaults(rt_fx_reverb_params_t *p) {
  p->size_s = RT_FX_REVERB_DEFAULT_SIZE_S;
  p->fade_s = RT_FX_REVERB_DEFAULT_FADE_S;
  p->lp_hz = RT_FX_REVERB_DEFAULT_LP_HZ;
  p->dim_hz = RT_FX_REVERB_DEFAULT_DIM_HZ;
  p->dry = 0.0f;
}

void rt_fx_reverb_set(rt_fx_reverb_t *r, const rt_fx_reverb_params_t *p) {
  r->pending = *p;
  r->dirty = true;
}

/* Damping pole a for one line: the one-pole lowpass b/(1 - a z^-1), passed
 * once per lap of `len` frames, must lose (relative to DC) 3 dB at roomdim
 * over size_s seconds: per lap a power ratio rho = 10^(-0.3 len / (T fs)) at
 * w = 2 pi dim / fs. Solving (1-a)^2 = rho (1 - 2 a cos w + a^2) for the root
 * inside the unit circle, written without cancellation. */
static float damping_pole(float len, float t60, float dim_hz, float fs) {
  if (dim_hz >= 0.49f * fs) return 0.0f;
  float rho = rt_fx_exp10f(-0.3f * len / (t60 * fs));
  float den = 1.0f - rho;
  if (den < 1e-9f) return 0.0f;
  float c = rt_fx_cos_turns(dim_hz / fs);
  float p = 1.0f - rho * c;
  float disc = p * p - den * den;
  float a = den / (p + rt_fx_sqrtf(disc > 0.0f ? disc : 0.0f));
  return clampf(a, 0.0f, 0.97f);
}

/* Take the pending parameters as glide targets; the taps jump. */
static void reverb_latch(rt_fx_reverb_t *r) {
  const rt_fx_reverb_params_t *p = &r->pending;
  const float fs = r->sample_rate;
  float t60 = clampf(p->size_s, RT_FX_REVERB_MIN_SIZE_S, RT_FX_REVERB_MAX_SIZE_S);
  float lp = clampf(p->lp_hz, 20.0f, 0.5f * fs);
  float dim = clampf(p->dim_hz, 20.0f, 0.5f * fs);
  float dry = clampf(p->dry, 0.0f, 1.0f);
  for (uint32_t i = 0; i < NL; i++) {
    float g = rt_fx_exp10f(-3.0f * r->len[i] / (t60 * fs)); /* -60 dB per t60 at DC */
    float a = damping_pole(r->len[i], t60, dim, fs);
    r->a_t[i] = a;
    r->b_t[i] = g * (1.0f - a) * 0.35355339059327373f; /* and the Hadamard's 1/sqrt(8) */
  }
  r->bw_t = lp >= 0.49f * fs ? 1.0f : 1.0f - rt_fx_expf(-6.283185307f * lp / fs);
  /* Output level: an impulse injects unit energy per channel; each lap keeps
   * g^2 |D(w)|^2 of it at frequency w (the Hadamard matrix is orthonormal;
   * D is the damping lowpass), after the input lowpass B(w). The lines carry
   * W = mean over w of |B|^2 / (1 - g^2 |D|^2) in all (for the mean line),
   * and the output (8 lines, weights +-1) W og^2. og^2 = 0.095 T / W gives
   * superdough's level: its impulse response is normalized after filtering,
   * so damping does not make it quieter either. 64 frequencies, only when
   * the parameters change. */
  float gm = rt_fx_exp10f(-3.0f * r->mean_len / (t60 * fs));
  float am = damping_pole(r->mean_len, t60, dim, fs);
  float pb = 1.0f - r->bw_t;
  float wsum = 0.0f;
  for (uint32_t k = 0; k < 64; k++) {
    float cw = rt_fx_cos_turns(((float)k + 0.5f) * (1.0f / 128.0f)); /* w in (0, pi) */
    float d2 = (1.0f - am) * (1.0f - am) / (1.0f - 2.0f * am * cw + am * am);
    float b2 = r->bw_t * r->bw_t / (1.0f - 2.0f * pb * cw + pb * pb);
    wsum += b2 / (1.0f - gm * gm * d2);
  }
  float wl = wsum * (1.0f / 64.0f);
  r->og_t = rt_fx_sqrtf(LEVEL_PER_S * t60 / wl) * (1.0f - dry);

  float fade = clampf(p->fade_s, 0.0f, RT_FX_REVERB_MAX_FADE_S) * fs;
  float spread = fade > EARLY_S * fs ? fade : EARLY_S * fs;
  if (spread > (float)r->max_fade_frames) spread = (float)r->max_fade_frames;
  if (fade > spread) fade = spread;
  float sum2[2] = {0.0f, 0.0f};
  for (uint32_t i = 0; i < NL; i++) {
    for (uint32_t j = 0; j < 2; j++) {
      uint32_t k = j ? 15u - i : i;
      float t = ((float)k + 0.5f + k_tap_jitter[k]) * (1.0f / 16.0f) * spread;
      uint32_t d = (uint32_t)(t + 0.5f);
      if (d >= r->tap_size) d = r->tap_size - 1u;
      float ramp = fade > 0.0f ? t / fade : 1.0f;
      float g = rt_fx_sqrtf(ramp < 1.0f ? ramp : 1.0f);
      r->tap_d[i][j] = d;
      r->tap_g[i][j] = g * k_tap_sign[k];
      sum2[i & 1u] += g * g;
    }
  }
  for (uint32_t i = 0; i < NL; i++) {
    float s2 = sum2[i & 1u];
    float nrm = s2 > 0.0f ? 1.0f / rt_fx_sqrtf(s2) : 0.0f;
    r->tap_g[i][0] *= nrm;
    r->tap_g[i][1] *= nrm;
  }
  r->dirty = false;
}

/* Every gain glide at its target, standing still. */
static void reverb_glides_end(rt_fx_reverb_t *r) {
  for (uint32_t i = 0; i < NL; i++) {
    r->a[i] = r->a_t[i];
    r->b[i] = r->b_t[i];
    r->a_step[i] = r->b_step[i] = 0.0f;
  }
  r->bw = r->bw_t;
  r->og = r->og_t;
  r->bw_step = r->og_step = 0.0f;
}

/* Every glide at its target (asleep, or waking on a silent network). */
static void reverb_snap(rt_fx_reverb_t *r) {
  if (r->dirty) reverb_latch(r);
  reverb_glides_end(r);
}

/* LFO one control period on; the read delays glide to the new values. */
static void lfo_step(rt_fx_reverb_t *r) {
  for (uint32_t i = 0; i < NL; i++) {
    float c = r->lfo_c[i] * r->rot_c[i] - r->lfo_s[i] * r->rot_s[i];
    float s = r->lfo_s[i] * r->rot_c[i] + r->lfo_c[i] * r->rot_s[i];
    float k = 1.5f - 0.5f * (c * c + s * s); /* keep the radius at 1 */
    r->lfo_c[i] = c * k;
    r->lfo_s[i] = s * k;
    float target = r->len[i] + r->mod_depth * r->lfo_s[i];
    r->dstep[i] = (target - r->dpos[i]) / (float)CF;
  }
}

static void lfo_snap(rt_fx_reverb_t *r) {
  for (uint32_t i = 0; i < NL; i++) {
    r->dpos[i] = r->len[i] + r->mod_depth * r->lfo_s[i];
    r->dstep[i] = 0.0f;
  }
}

void rt_fx_reverb_reset(rt_fx_reverb_t *r) {
  memset(r->lines, 0, (size_t)NL * r->line_size * sizeof(float));
  memset(r->taps, 0, 2u * (size_t)r->tap_size * sizeof(float));
  memset(r->aps, 0, 2u * RT_FX_REVERB_APS * (size_t)r->ap_size * sizeof(float));
  rt_fx_reverb_reset_state(r);
}

void rt_fx_reverb_reset_state(rt_fx_reverb_t *r) {
  r->w = r->tw = r->aw = 0;
  for (uint32_t i = 0; i < NL; i++) {
    float ph = (float)i / (float)NL;
    r->lfo_c[i] = rt_fx_cos_turns(ph);
    r->lfo_s[i] = rt_fx_sin_turns(ph);
    r->s[i] = 0.0f;
  }
  lfo_snap(r);
  r->lp[0] = r->lp[1] = 0.0f;
  r->dirty = true;
  reverb_snap(r);
  r->peak2 = 0.0f;
  r->quiet_frames = 0;
  r->asleep = true;
}

void rt_fx_reverb_init(rt_fx_reverb_t *r, float sample_rate, float max_fade_s, void *mem) {
  memset(r, 0, sizeof *r);
  sizes_t z = reverb_sizes(sample_rate, max_fade_s);
  r->sample_rate = sample_rate;
  r->line_size = z.line_size;
  r->tap_size = z.tap_size;
  r->ap_size = z.ap_size;
  r->max_fade_frames = z.max_fade_frames;
  r->lines = (float *)mem;
  r->taps = r->lines + (size_t)NL * z.line_size;
  r->aps = r->taps + 2u * (size_t)z.tap_size;
  float scale = sample_rate / 48000.0f;
  float mean = 0.0f;
  for (uint32_t i = 0; i < NL; i++) {
    r->len[i] = (float)(uint32_t)(k_len48[i] * scale + 0.5f);
    mean += r->len[i] / (float)NL;
    float turns = k_lfo_hz[i] * (float)CF / sample_rate;
    r->rot_c[i] = rt_fx_cos_turns(turns);
    r->rot_s[i] = rt_fx_sin_turns(turns);
  }
  for (uint32_t c = 0; c < 2; c++)
    for (uint32_t k = 0; k < RT_FX_REVERB_APS; k++)
      r->ap_len[c][k] = (uint32_t)(k_ap48[c][k] * scale + 0.5f);
  r->mod_depth = MOD_DEPTH48 * scale;
  r->mean_len = mean;
  r->window = z.tap_size + z.line_size + z.ap_size * RT_FX_REVERB_APS + CF;
  r->phase = 0;
  rt_fx_reverb_defaults(&r->pending);
  rt_fx_reverb_reset(r);
}

static void reverb_tick(rt_fx_reverb_t *r) {
  if (r->peak2 > RT_FX_BUS_SILENCE * RT_FX_BUS_SILENCE) r->quiet_frames = 0;
  r->peak2 = 0.0f;
  reverb_glides_end(r); /* the last glides ended exactly here */
  for (uint32_t i = 0; i < NL; i++) r->dpos[i] = r->len[i] + r->mod_depth * r->lfo_s[i];
  if (r->quiet_frames >= r->window) {
    reverb_snap(r);
    r->asleep = true;
    return;
  }
  if (r->dirty) {
    reverb_latch(r);
    for (uint32_t i = 0; i < NL; i++) {
      r->a_step[i] = (r->a_t[i] - r->a[i]) / (float)CF;
      r->b_step[i] = (r->b_t[i] - r->b[i]) / (float)CF;
    }
    r->bw_step = (r->bw_t - r->bw) / (float)CF;
    r->og_step = (r->og_t - r->og) / (float)CF;
  }
  lfo_step(r);
}

static inline void hadamard8(float *x) {
  for (uint32_t h = 1; h < NL; h <<= 1) {
    for (uint32_t i = 0; i < NL; i += h << 1) {
      for (uint32_t j = i; j < i + h; j++) {
        float a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
}

/* m frames inside one control period, awake. The per-line state is copied
 * into locals for the loop: the compiler cannot keep struct fields in
 * registers across the stores into the (float) delay lines. */
static void reverb_run(rt_fx_reverb_t *r, const float *in_l, const float *in_r, float *out_l,
                       float *out_r, uint32_t m) {
  const uint32_t lm = r->line_size - 1u, tm = r->tap_size - 1u, am = r->ap_size - 1u;
  const uint32_t ls = r->line_size, ts = r->tap_size, as = r->ap_size;
  float *lines = r->lines, *taps = r->taps, *aps = r->aps;
  uint32_t w = r->w, tw = r->tw, aw = r->aw;
  float peak2 = r->peak2;
  float lp0 = r->lp[0], lp1 = r->lp[1];
  float bw = r->bw, og = r->og;
  const float bw_step = r->bw_step, og_step = r->og_step;
  float a[NL], b[NL], s[NL], dpos[NL], a_step[NL], b_step[NL], dstep[NL], tg0[NL], tg1[NL];
  uint32_t td0[NL], td1[NL], apl[2][RT_FX_REVERB_APS];
  for (uint32_t i = 0; i < NL; i++) {
    a[i] = r->a[i];
    b[i] = r->b[i];
    s[i] = r->s[i];
    dpos[i] = r->dpos[i];
    a_step[i] = r->a_step[i];
    b_step[i] = r->b_step[i];
    dstep[i] = r->dstep[i];
    tg0[i] = r->tap_g[i][0];
    tg1[i] = r->tap_g[i][1];
    td0[i] = r->tap_d[i][0];
    td1[i] = r->tap_d[i][1];
  }
  memcpy(apl, r->ap_len, sizeof apl);
  for (uint32_t j = 0; j < m; j++) {
    /* input: bandwidth, diffusion, tap line */
    bw += bw_step;
    lp0 = rt_fx_bus_flush(lp0 + (in_l[j] - lp0) * bw);
    lp1 = rt_fx_bus_flush(lp1 + (in_r[j] - lp1) * bw);
    float y[2] = {lp0, lp1};
    for (uint32_t c = 0; c < 2; c++) {
      float x = y[c];
      for (uint32_t k = 0; k < RT_FX_REVERB_APS; k++) {
        float *ap = aps + (c * RT_FX_REVERB_APS + k) * as;
        float z = ap[(aw - apl[c][k]) & am];
        float v = rt_fx_bus_flush(x + AP_GAIN * z);
        ap[aw] = v;
        x = z - AP_GAIN * v;
      }
      taps[c * ts + tw] = x;
      y[c] = x;
    }
    float e = y[0] * y[0] + y[1] * y[1];

    /* network: modulated read, damping and loop gain (b includes the
     * Hadamard's 1/sqrt(8)), feedback matrix, injection, write */
    float v[NL];
    for (uint32_t i = 0; i < NL; i++) {
      dpos[i] += dstep[i];
      float dp = dpos[i];
      uint32_t ip = (uint32_t)dp;
      float fr = dp - (float)ip;
      const float *line = lines + i * ls;
      /* 4-point Hermite between the frames at delays ip and ip + 1: far
       * less treble loss per lap than linear interpolation (which would
       * shorten the tail's RT60 by 15 % and make its treble flutter). */
      float xm1 = line[(w - ip + 1u) & lm];
      float x0 = line[(w - ip) & lm];
      float x1 = line[(w - ip - 1u) & lm];
      float x2 = line[(w - ip - 2u) & lm];
      float c1 = 0.5f * (x1 - xm1);
      float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
      float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
      float rd = ((c3 * fr + c2) * fr + c1) * fr + x0;
      a[i] += a_step[i];
      b[i] += b_step[i];
      s[i] = rt_fx_bus_flush(b[i] * rd + a[i] * s[i]);
      v[i] = s[i];
    }
    hadamard8(v);
    float ol = 0.0f, orr = 0.0f;
    for (uint32_t i = 0; i < NL; i++) {
      const float *tl = taps + (i & 1u) * ts;
      float inj = tg0[i] * tl[(tw - td0[i]) & tm] + tg1[i] * tl[(tw - td1[i]) & tm];
      float x = rt_fx_bus_flush(v[i] + inj);
      lines[i * ls + w] = x;
      e += x * x;
      ol += k_out_l[i] * x;
      orr += k_out_r[i] * x;
    }
    peak2 = e > peak2 ? e : peak2;
    og += og_step;
    out_l[j] += ol * og;
    out_r[j] += orr * og;
    w = (w + 1u) & lm;
    tw = (tw + 1u) & tm;
    aw = (aw + 1u) & am;
  }
  for (uint32_t i = 0; i < NL; i++) {
    r->a[i] = a[i];
    r->b[i] = b[i];
    r->s[i] = s[i];
    r->dpos[i] = dpos[i];
  }
  r->bw = bw;
  r->og = og;
  r->w = w;
  r->tw = tw;
  r->aw = aw;
  r->lp[0] = lp0;
  r->lp[1] = lp1;
  r->peak2 = peak2;
  r->quiet_frames += m;
}

void rt_fx_reverb_process(rt_fx_reverb_t *r, const float *in_l, const float *in_r, bool in_silent,
                          float *out_l, float *out_r, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    if (r->asleep) {
      const uint32_t k = rt_fx_bus_wake_frame(in_l, in_r, in_silent, i, n);
      r->phase = (r->phase + (k - i)) & (CF - 1u);
      if (k == n) return;
      i = k;
      reverb_snap(r);
      lfo_snap(r);
      r->asleep = false;
      r->peak2 = 0.0f;
      r->quiet_frames = 0;
    }
    if (r->phase == 0) {
      reverb_tick(r);
      if (r->asleep) continue;
    }
    uint32_t m = CF - r->phase;
    if (m > n - i) m = n - i;
    reverb_run(r, in_l + i, in_r + i, out_l + i, out_r + i, m);
    r->phase = (r->phase + m) & (CF - 1u);
    i += m;
  }
}
