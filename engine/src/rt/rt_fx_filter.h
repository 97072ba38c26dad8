/*
 * rt_fx_filter.h — the per-note filters: a state-variable filter (Zavalishin's
 * topology-preserving transform, Simper's form; stable for every g > 0 and
 * k > 0, and under fast modulation) in low-pass, high-pass, band-pass and
 * notch, one stage (12 dB/oct) or two identical stages cascaded (24 dB/oct, as
 * superdough's ftype "24db" chains two equal biquads), cutoff and damping
 * gliding across each control segment (in 4-frame steps, see rt_fx_filter.c);
 * plus superdough's resonance units and the DJ filter's mapping.
 *
 * Thread: RT for set/process/reset; init may run on either. Never: libm,
 * allocation, locks, I/O. Coefficients come from the engine's tan table
 * (rt_fx_cutoff_g) and two divisions per call while gliding, one per change
 * of cutoff or Q otherwise.
 *
 * Controls (superdough = Strudel's packages/superdough; SuperDirt = synths/core-synths.scd):
 *   name (aliases)        unit   range        default  behaviour followed
 *   cutoff (lpf, ctf)     Hz     5..0.475 fs  absent   superdough createFilter('lowpass'): BiquadFilter
 *                                                      low-pass; absent = no filter, no cost
 *   resonance (lpq, res)  dB     0..50        1        WebAudio low-pass Q is in dB: filter Q =
 *                                                      10^(resonance/20) (0 -> Q 1, 1 -> 1.12, 50 -> 316)
 *   hcutoff (hpf)         Hz     as cutoff    absent   createFilter('highpass')
 *   hresonance (hpq)      dB     0..50        1        as resonance
 *   bandf (bpf)           Hz     as cutoff    absent   createFilter('bandpass'): 0 dB at the centre
 *   bandq (bpq)           Q      0.05..1000   1        WebAudio band-pass Q is linear (k = 1/bandq)
 *   ftype                 enum   12db, 24db   12db     "24db" cascades two equal stages (superdough does
 *                                                      the same for lp, hp and bp); "ladder" is not
 *                                                      implemented here (superdough's ladder worklet is a
 *                                                      nonlinear tanh 4-pole: 8 tanh per frame, not cheap)
 *   djf                   0..1   0..1         absent   DJ filter, SuperDirt's dirt_djf mapping: below 0.5
 *                                                      a low-pass at 20 * 500^(2 djf) Hz (20 Hz..10 kHz),
 *                                                      above 0.5 a high-pass at 20 * 500^(2 djf - 1) Hz,
 *                                                      Q 1 (RLPF/RHPF rq 1); exactly 0.5 is a bypass (no
 *                                                      processing; SuperDirt leaves a 10 kHz LP / 20 Hz HP)
 * Cutoff envelopes (lpenv, lpattack...) are the caller's: it computes the cutoff
 * in Hz per control step and calls rt_fx_svf_set_hz; this filter glides g.
 */
#ifndef MS_RT_FX_FILTER_H
#define MS_RT_FX_FILTER_H

#include "rt/rt_fx_common.h"

/* Output of the SVF. */
#define RT_FX_SVF_LP 0u
#define RT_FX_SVF_HP 1u
#define RT_FX_SVF_BP 2u     /* 0 dB at the centre (k * band): superdough / WebAudio band-pass */
#define RT_FX_SVF_NOTCH 3u  /* x - k * band: WebAudio notch (the phaser's stages) */
#define RT_FX_SVF_BP_RAW 4u /* band output, gain Q at the centre: the zone filter's MS_FILTER_BANDPASS */

/* One filter of up to 2 stages x 2 channels: 244 bytes. */
typedef struct rt_fx_svf {
  rt_fx_ramp_t g;       /* tan(pi fc / fs) */
  rt_fx_ramp_t k;       /* damping 1/Q */
  float s[2][2][2];     /* [stage][channel][ic1, ic2]: the two integrator states */
  float px[2][3];       /* [channel][frame]: the inputs of a 4-frame block a call ended inside */
  float cg, ck;         /* the constant g and k the coefficients below were computed for */
  float cc[9];          /* their single-frame coefficients (also what resolves an open block) */
  float cb[24];         /* ... and their 4-frame block coefficients (rt_fx_filter.c: svf_block_of) */
  uint8_t mode, stages, channels;
  uint8_t pending;      /* frames of that block done (1..3; their outputs already written), 0: none */
  uint8_t cached;       /* cc/cb hold the coefficients of (cg, ck) */
} rt_fx_svf_t;

/* Set the shape and clear the state; the first set_* after it snaps (no glide).
 * mode RT_FX_SVF_*, stages 1 or 2, channels 1 or 2 (clamped). */
void rt_fx_svf_init(rt_fx_svf_t *f, uint32_t mode, uint32_t stages, uint32_t channels);

/* Clear the state (a new note reusing the struct), keep mode/stages/channels. */
void rt_fx_svf_reset(rt_fx_svf_t *f);

/* Begin a control segment of ramp_frames frames gliding to g and k (k > 0).
 * Call at each control step; ramp_frames = frames to the next step. */
void rt_fx_svf_set(rt_fx_svf_t *f, float g, float k, uint32_t ramp_frames);

/* Same from a cutoff in Hz (clamped, see rt_fx_cutoff_g) and a linear Q. */
void rt_fx_svf_set_hz(rt_fx_svf_t *f, const rt_fx_ctx_t *c, float cutoff_hz, float q, uint32_t ramp_frames);

/* Filter n frames in place: ch0 (and ch1 when channels == 2). Any n: past the
 * segment's end the last values hold. */
void rt_fx_svf_process(rt_fx_svf_t *f, float *ch0, float *ch1, uint32_t n);

/* superdough's resonance / hresonance (dB, WebAudio low/high-pass Q) to a linear
 * Q: 10^(res/20), res clamped to [0, 50]. */
float rt_fx_resonance_q(float resonance_db);

/* superdough's bandq to a linear Q (clamped to [0.05, 1000]). */
float rt_fx_bandq_q(float bandq);

/* The DJ filter for djf in [0, 1] (clamped): false for the bypass at 0.5,
 * else *mode (RT_FX_SVF_LP or _HP), *cutoff_hz and *q (1). */
bool rt_fx_djf(float djf, uint32_t *mode, float *cutoff_hz, float *q);

#endif /* MS_RT_FX_FILTER_H */
