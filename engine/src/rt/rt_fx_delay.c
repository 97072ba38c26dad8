/*
 * rt_fx_delay.c — an orbit's stereo feedback delay: dual-mono whole-frame
 * delay lines with feedback, grid-latched parameters, crossfaded time
 * changes, and sleep after silence (see rt_fx_delay.h for the controls).
 *
 * Thread: rt_fx_delay_bytes/init on CT; everything else on RT.
 * Never: allocation, locks, I/O, libm, logging.
 */
#include "rt/rt_fx_delay.h"

#include <string.h>

#include "rt/rt_fx_common.h"

#define CF MS_CONTROL_FRAMES

static uint32_t delay_len(float sample_rate, float max_delay_s) {
  if (!(max_delay_s > 0.0f) || max_delay_s > RT_FX_DELAY_MAX_S) max_delay_s = RT_FX_DELAY_MAX_S;
  return (uint32_t)(max_delay_s * sample_rate + 0.5f) + 1u;
}

size_t rt_fx_delay_bytes(float sample_rate, float max_delay_s) {
  return (size_t)delay_len(sample_rate, max_delay_s) * 2u * sizeof(float);
}

uint32_t rt_fx_delay_frames(const rt_fx_delay_t *d, const rt_fx_delay_params_t *p) {
  double per_unit = p->sync ? p->frames_per_cycle : (double)d->sample_rate;
  double f = (double)p->time * per_unit;
  if (!(f >= 1.0)) f = 1.0; /* also NaN: a 1-frame loop rather than nothing */
  if (f > (double)(d->len - 1u)) f = (double)(d->len - 1u);
  return (uint32_t)(f + 0.5);
}

static float clamp_feedback(float fb) {
  if (!(fb >= 0.0f)) return 0.0f;
  return fb > RT_FX_DELAY_MAX_FEEDBACK ? RT_FX_DELAY_MAX_FEEDBACK : fb;
}

/* Take the pending parameters as targets. */
static void delay_latch(rt_fx_delay_t *d) {
  d->fb_target = clamp_feedback(d->pending.feedback);
  d->d_target = rt_fx_delay_frames(d, &d->pending);
  d->dirty = false;
}

/* Everything at its target, no glide (asleep, or waking: the line holds
 * nothing above -120 dB, so jumping the read position cannot click). */
static void delay_snap(rt_fx_delay_t *d) {
  if (d->dirty) delay_latch(d);
  d->d_old = d->d_new = d->d_target;
  d->xf_left = 0;
  d->xf = 0.0f;
  d->fb = d->fb_target;
  d->fb_step = 0.0f;
}

void rt_fx_delay_set(rt_fx_delay_t *d, const rt_fx_delay_params_t *p) {
  d->pending = *p;
  d->dirty = true;
}

void rt_fx_delay_reset(rt_fx_delay_t *d) {
  memset(d->buf, 0, (size_t)d->len * 2u * sizeof(float));
  rt_fx_delay_reset_state(d);
}

void rt_fx_delay_reset_state(rt_fx_delay_t *d) {
  d->w = 0;
  d->dirty = true; /* re-derive the targets from the last parameters */
  delay_snap(d);
  d->peak = 0.0f;
  d->quiet_frames = 0;
  d->asleep = true;
}

void rt_fx_delay_init(rt_fx_delay_t *d, float sample_rate, float max_delay_s, void *mem) {
  memset(d, 0, sizeof *d);
  d->sample_rate = sample_rate;
  d->len = delay_len(sample_rate, max_delay_s);
  d->buf = (float *)mem;
  d->pending.time = RT_FX_DELAY_DEFAULT_S;
  d->pending.feedback = RT_FX_DELAY_DEFAULT_FEEDBACK;
  d->pending.sync = 0;
  d->pending.frames_per_cycle = (double)sample_rate;
  d->phase = 0;
  rt_fx_delay_reset(d);
}

/* At a grid frame: sleep check over the frames since the last loud
 * period, then latch pending parameters and start a crossfade if needed. */
static void delay_tick(rt_fx_delay_t *d) {
  if (d->peak > RT_FX_BUS_SILENCE) d->quiet_frames = 0;
  d->peak = 0.0f;
  d->fb = d->fb_target; /* the last glide ended exactly here */
  d->fb_step = 0.0f;
  if (d->quiet_frames >= d->len && d->xf_left == 0) {
    /* Every frame of the buffer was written below -120 dB: nothing is left. */
    delay_snap(d);
    d->asleep = true;
    return;
  }
  if (d->dirty) {
    delay_latch(d);
    d->fb_step = (d->fb_target - d->fb) / (float)CF;
  }
  if (d->xf_left == 0 && d->d_target != d->d_old) {
    d->d_new = d->d_target;
    d->xf_left = RT_FX_DELAY_XFADE_FRAMES;
    d->xf = 0.0f;
  }
}

/* m frames inside one control period, awake. */
static void delay_run(rt_fx_delay_t *d, const float *in_l, const float *in_r, float *out_l,
                float *out_r, uint32_t m) {
  float *bl = d->buf, *br = d->buf + d->len;
  const uint32_t len = d->len;
  uint32_t w = d->w;
  float fb = d->fb, peak = d->peak;
  const float fb_step = d->fb_step;
  const float xf_step = 1.0f / (float)RT_FX_DELAY_XFADE_FRAMES;
  for (uint32_t j = 0; j < m; j++) {
    uint32_t ro = w >= d->d_old ? w - d->d_old : w + len - d->d_old;
    float rl = bl[ro], rr = br[ro];
    if (d->xf_left) {
      uint32_t rn = w >= d->d_new ? w - d->d_new : w + len - d->d_new;
      d->xf += xf_step;
      rl += (bl[rn] - rl) * d->xf;
      rr += (br[rn] - rr) * d->xf;
      if (--d->xf_left == 0) {
        d->d_old = d->d_new;
        d->xf = 0.0f;
      }
    }
    fb += fb_step;
    float wl = rt_fx_bus_flush(in_l[j] + fb * rl);
    float wr = rt_fx_bus_flush(in_r[j] + fb * rr);
    bl[w] = wl;
    br[w] = wr;
    float a = rt_fx_absf(wl), b = rt_fx_absf(wr);
    a = a > b ? a : b;
    peak = a > peak ? a : peak;
    out_l[j] += rl;
    out_r[j] += rr;
    if (++w == len) w = 0;
  }
  d->w = w;
  d->fb = fb;
  d->peak = peak;
  d->quiet_frames += m;
}

void rt_fx_delay_process(rt_fx_delay_t *d, const float *in_l, const float *in_r, bool in_silent,
                         float *out_l, float *out_r, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    if (d->asleep) {
      const uint32_t k = rt_fx_bus_wake_frame(in_l, in_r, in_silent, i, n);
      d->phase = (d->phase + (k - i)) & (CF - 1u);
      if (k == n) return;
      i = k;
      delay_snap(d);
      d->asleep = false;
      d->peak = 0.0f;
      d->quiet_frames = 0;
    }
    if (d->phase == 0) {
      delay_tick(d);
      if (d->asleep) continue;
    }
    uint32_t m = CF - d->phase;
    if (m > n - i) m = n - i;
    delay_run(d, in_l + i, in_r + i, out_l + i, out_r + i, m);
    d->phase = (d->phase + m) & (CF - 1u);
    i += m;
  }
}
