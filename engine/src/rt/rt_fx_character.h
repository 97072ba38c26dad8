/*
 * rt_fx_character.h — the per-note "character" effects: sample-and-hold rate
 * reduction (coarse), bit crushing (crush), the two waveshapers (shape,
 * distort), tremolo, phaser, ring modulation and post gain.
 *
 * Thread: RT for set/process/reset; init on either. Never: libm (2^x is
 * rt_fx_exp2f; rounding is rintf, on the allow-list and one instruction with
 * SSE4.1), allocation, locks, I/O. Every process works in place on 1 or 2
 * channels; state that must run on across blocks (hold counter, LFO phases,
 * filter states) does, so any slicing of a block gives the same bytes.
 *
 * Controls (superdough = Strudel's packages/superdough worklets.mjs and
 * superdough.mjs; SuperDirt = synths/core-synths.scd):
 *   name          unit     range         default   behaviour followed
 *   coarse        frames   >= 1          absent    superdough coarse-processor: hold every coarse-th
 *                                                  sample (1 = off). Here the hold counter runs on across
 *                                                  blocks (superdough restarts it each 128-frame block) and
 *                                                  fractional periods hold on average `coarse` frames
 *                                                  (SuperDirt: Latch at SampleRate/coarse)
 *   crush         bits     1..24 (float) absent    superdough crush-processor: round(x 2^(b-1)) / 2^(b-1)
 *                                                  (SuperDirt: round to 0.5^(b-1)); a full-scale signal
 *                                                  takes 2^b + 1 levels, the b-bit range [-1, 1) 2^b
 *   shape         0..1     0..<1         absent    superdough shape-processor / SuperDirt dirt_shape:
 *                                                  k = 2s/(1-s), y = (1+k) x / (1 + k|x|)
 *   shapevol      gain     0.001..1      1         superdough: multiplies the shaped signal (its only
 *                                                  gain compensation; SuperDirt's is commented out)
 *   distort       >= 0     0..20         absent    superdough distort-processor: k = e^d - 1, same curve
 *   distortvol    gain     0.001..1      1         as shapevol
 *   tremolo       Hz       0..100        absent    rate (SuperDirt tremolorate, default 1 when only the
 *     (tremolorate)                                depth is given); gain = 1 - depth (1 - u(phase)),
 *   tremolodepth  0..1     0..1          0.5       u the LFO in [0, 1], max at phase 0: SuperDirt's
 *   tremoloshape  enum     sine tri square saw ramp  sine   (1 - d/2) + (d/2) cos; shapes as superdough's
 *                                                  LFO worklet (tri, saw = 1 - phase, ramp, square)
 *   phaser        Hz       0..100        absent    superdough getPhaser: rate of a sine LFO, phase locked
 *     (phaserrate)                                 to the absolute time; two notch stages in series at
 *   phaserdepth   0..1     0..1          0.75      center and center + 282 Hz, Q = 2 - min(2 depth, 1.9),
 *   phasercenter  Hz       20..20000     1000      both detuned by sweep * sin(2 pi phase) cents
 *   phasersweep   cents    0..4800       2000      (superdough skips the phaser when depth is 0)
 *   ring          amount   0..10         absent    SuperDirt dirt_ring: y = x (1 + ring sin(2 pi ringf t))
 *   ringf         Hz       0..20000      0           / (1 + ring)  (ringdf, the glide, not implemented)
 *   postgain      gain     0..10         1         superdough's last gain (linear)
 * SuperDirt's `squiz` (a zero-crossing pitch raiser, sc3-plugins Squiz) is not
 * implemented: it needs a memory buffer per voice and is not cheap.
 */
#ifndef MS_RT_FX_CHARACTER_H
#define MS_RT_FX_CHARACTER_H

#include "rt/rt_fx_filter.h"

/* ---------------------------------------------------------------- coarse */
typedef struct rt_fx_coarse {
  float period;   /* frames per held sample, >= 1 */
  float left;     /* frames until the next sample is taken (<= 0: take it now) */
  float held[2];
} rt_fx_coarse_t;
void rt_fx_coarse_init(rt_fx_coarse_t *f, float coarse);
/* New period from the next sample taken on (no glide: a discrete control). */
void rt_fx_coarse_set(rt_fx_coarse_t *f, float coarse);
void rt_fx_coarse_process(rt_fx_coarse_t *f, float *ch0, float *ch1, uint32_t n);

/* ----------------------------------------------------------------- crush */
typedef struct rt_fx_crush {
  float scale, inv;  /* 2^(bits-1) and its inverse */
} rt_fx_crush_t;
/* Bits clamped to [1, 24]; takes effect at once (a discrete control). */
void rt_fx_crush_set(rt_fx_crush_t *f, float bits);
void rt_fx_crush_process(const rt_fx_crush_t *f, float *ch0, float *ch1, uint32_t n);

/* ------------------------------------------------------- shape, distort */
typedef struct rt_fx_shaper {
  rt_fx_ramp_t k;    /* curve amount */
  rt_fx_ramp_t vol;  /* shapevol / distortvol */
} rt_fx_shaper_t;
/* k for superdough's shape (0..1) and distort (>= 0). */
float rt_fx_shape_k(float shape);
float rt_fx_distort_k(float distort);
void rt_fx_shaper_init(rt_fx_shaper_t *f);
/* Glide to curve k (>= 0) and volume (clamped to [0.001, 1]) over ramp_frames. */
void rt_fx_shaper_set(rt_fx_shaper_t *f, float k, float vol, uint32_t ramp_frames);
void rt_fx_shaper_process(rt_fx_shaper_t *f, float *ch0, float *ch1, uint32_t n);

/* --------------------------------------------------------------- tremolo */
#define RT_FX_LFO_SINE 0u
#define RT_FX_LFO_TRI 1u
#define RT_FX_LFO_SQUARE 2u
#define RT_FX_LFO_SAW 3u   /* 1 - phase (superdough's saw) */
#define RT_FX_LFO_RAMP 4u  /* phase */

typedef struct rt_fx_tremolo {
  const rt_fx_ctx_t *ctx;
  double phase, inc;  /* cycles; per frame (double: a float sum drifts ~1e-4) */
  rt_fx_ramp_t depth;
  uint8_t shape;
} rt_fx_tremolo_t;
void rt_fx_tremolo_init(rt_fx_tremolo_t *f, const rt_fx_ctx_t *c, uint32_t shape);
/* Rate in Hz (from the next frame), depth (0..1) gliding over ramp_frames. */
void rt_fx_tremolo_set(rt_fx_tremolo_t *f, float rate_hz, float depth, uint32_t ramp_frames);
void rt_fx_tremolo_process(rt_fx_tremolo_t *f, float *ch0, float *ch1, uint32_t n);

/* ---------------------------------------------------------------- phaser */
typedef struct rt_fx_phaser {
  rt_fx_svf_t stage[2];   /* notches at center and center + 282 Hz */
  double phase;           /* LFO cycles at the start of the next segment */
  float rate_hz, center_hz, sweep_cents, q;
} rt_fx_phaser_t;
/* start_frame: the note's absolute start frame (the LFO phase is
 * rate * start / fs, as superdough's LFO starts at time * frequency). */
void rt_fx_phaser_init(rt_fx_phaser_t *f, const rt_fx_ctx_t *c, uint32_t channels, uint64_t start_frame,
                       float rate_hz, float depth, float center_hz, float sweep_cents);
/* Change rate/depth/center/sweep (optional; init sets them). */
void rt_fx_phaser_params(rt_fx_phaser_t *f, float rate_hz, float depth, float center_hz, float sweep_cents);
/* At each control step: advance the LFO by the segment and glide the notches
 * to where the LFO is at the segment's end. */
void rt_fx_phaser_control(rt_fx_phaser_t *f, const rt_fx_ctx_t *c, uint32_t ramp_frames);
void rt_fx_phaser_process(rt_fx_phaser_t *f, float *ch0, float *ch1, uint32_t n);

/* ------------------------------------------------------------------ ring */
typedef struct rt_fx_ring {
  const rt_fx_ctx_t *ctx;
  double phase, inc;  /* cycles; per frame */
  rt_fx_ramp_t amount;
} rt_fx_ring_t;
void rt_fx_ring_init(rt_fx_ring_t *f, const rt_fx_ctx_t *c);
void rt_fx_ring_set(rt_fx_ring_t *f, float amount, float freq_hz, uint32_t ramp_frames);
void rt_fx_ring_process(rt_fx_ring_t *f, float *ch0, float *ch1, uint32_t n);

/* -------------------------------------------------------------- postgain */
typedef struct rt_fx_gain {
  rt_fx_ramp_t g;
} rt_fx_gain_t;
void rt_fx_gain_set(rt_fx_gain_t *f, float gain, uint32_t ramp_frames);
void rt_fx_gain_process(rt_fx_gain_t *f, float *ch0, float *ch1, uint32_t n);

#endif /* MS_RT_FX_CHARACTER_H */
