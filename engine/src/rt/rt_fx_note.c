/*
 * rt_fx_note.c — one note's effect chain (see rt_fx_note.h).
 *
 * Thread: RT (params_default also CT). Never: libm, allocation, locks, I/O.
 * Each stage runs only when its flag is set; the flags are tested once per
 * call, not per frame.
 */
#include "rt/rt_fx_note.h"

void rt_fx_note_params_default(rt_fx_note_params_t *p) {
  memset(p, 0, sizeof *p);
  p->filter_stages = 1;
  p->lp_q = p->hp_q = rt_fx_resonance_q(1.0f); /* superdough resonance/hresonance default 1 */
  p->bp_q = 1.0f;                              /* bandq default 1 */
  p->djf = 0.5f;
  p->coarse = 1.0f;
  p->crush = 16.0f;
  p->shapevol = p->distortvol = 1.0f;
  p->tremolo_hz = 1.0f;   /* SuperDirt tremolorate */
  p->tremolo_depth = 0.5f; /* SuperDirt tremolodepth */
  p->phaser_depth = 0.75f; /* superdough phaserdepth */
  p->phaser_center_hz = 1000.0f;
  p->phaser_sweep_cents = 2000.0f;
  p->postgain = 1.0f;
}

void rt_fx_note_start(rt_fx_note_t *fx, const rt_fx_ctx_t *c, const rt_fx_note_params_t *p, uint32_t channels,
                      uint64_t start_frame) {
  fx->p = *p;
  uint32_t fl = p->flags;
  const uint32_t st = p->filter_stages >= 2 ? 2 : 1;
  if (fl & RT_FX_LPF) rt_fx_svf_init(&fx->lp, RT_FX_SVF_LP, st, channels);
  if (fl & RT_FX_HPF) rt_fx_svf_init(&fx->hp, RT_FX_SVF_HP, st, channels);
  if (fl & RT_FX_BPF) rt_fx_svf_init(&fx->bp, RT_FX_SVF_BP, st, channels);
  if (fl & RT_FX_DJF) {
    uint32_t mode;
    float hz, q;
    if (rt_fx_djf(p->djf, &mode, &hz, &q)) {
      rt_fx_svf_init(&fx->djf, mode, 1, channels);
      rt_fx_svf_set_hz(&fx->djf, c, hz, q, 0);
    } else {
      fl &= ~RT_FX_DJF; /* 0.5: bypass */
    }
  }
  if (fl & RT_FX_VOWEL) rt_fx_vowel_init(&fx->vowel, c, p->vowel, channels);
  if (fl & RT_FX_COARSE) {
    if (p->coarse > 1.0f) rt_fx_coarse_init(&fx->coarse, p->coarse);
    else fl &= ~RT_FX_COARSE; /* 1 = full rate */
  }
  if (fl & RT_FX_CRUSH) rt_fx_crush_set(&fx->crush, p->crush);
  if (fl & RT_FX_SHAPE) rt_fx_shaper_init(&fx->shape);
  if (fl & RT_FX_DISTORT) rt_fx_shaper_init(&fx->distort);
  if (fl & RT_FX_TREMOLO) rt_fx_tremolo_init(&fx->tremolo, c, p->tremolo_shape);
  if (fl & RT_FX_PHASER) {
    if (p->phaser_depth > 0.0f)
      rt_fx_phaser_init(&fx->phaser, c, channels, start_frame, p->phaser_hz, p->phaser_depth, p->phaser_center_hz,
                        p->phaser_sweep_cents);
    else
      fl &= ~RT_FX_PHASER; /* superdough: phaserdepth 0 skips the phaser */
  }
  if (fl & RT_FX_RING) rt_fx_ring_init(&fx->ring, c);
  if (fl & RT_FX_POSTGAIN) memset(&fx->postgain, 0, sizeof fx->postgain);
  fx->flags = fl;
}

void rt_fx_note_control(rt_fx_note_t *fx, const rt_fx_ctx_t *c, float lp_hz, float hp_hz, float bp_hz,
                        uint32_t segment_frames) {
  const uint32_t fl = fx->flags;
  const rt_fx_note_params_t *p = &fx->p;
  if (fl & RT_FX_LPF) rt_fx_svf_set_hz(&fx->lp, c, lp_hz, p->lp_q, segment_frames);
  if (fl & RT_FX_HPF) rt_fx_svf_set_hz(&fx->hp, c, hp_hz, p->hp_q, segment_frames);
  if (fl & RT_FX_BPF) rt_fx_svf_set_hz(&fx->bp, c, bp_hz, p->bp_q, segment_frames);
  if (fl & RT_FX_DJF) rt_fx_svf_set(&fx->djf, fx->djf.g.end, fx->djf.k.end, segment_frames); /* flush only */
  if (fl & RT_FX_VOWEL) rt_fx_vowel_control(&fx->vowel);
  if (fl & RT_FX_SHAPE) rt_fx_shaper_set(&fx->shape, rt_fx_shape_k(p->shape), p->shapevol, segment_frames);
  if (fl & RT_FX_DISTORT) rt_fx_shaper_set(&fx->distort, rt_fx_distort_k(p->distort), p->distortvol, segment_frames);
  if (fl & RT_FX_TREMOLO) rt_fx_tremolo_set(&fx->tremolo, p->tremolo_hz, p->tremolo_depth, segment_frames);
  if (fl & RT_FX_PHASER) rt_fx_phaser_control(&fx->phaser, c, segment_frames);
  if (fl & RT_FX_RING) rt_fx_ring_set(&fx->ring, p->ring, p->ring_hz, segment_frames);
  if (fl & RT_FX_POSTGAIN) rt_fx_gain_set(&fx->postgain, p->postgain, segment_frames);
}

void rt_fx_note_process(rt_fx_note_t *fx, float *ch0, float *ch1, uint32_t n) {
  const uint32_t fl = fx->flags;
  if (fl & RT_FX_LPF) rt_fx_svf_process(&fx->lp, ch0, ch1, n);
  if (fl & RT_FX_HPF) rt_fx_svf_process(&fx->hp, ch0, ch1, n);
  if (fl & RT_FX_BPF) rt_fx_svf_process(&fx->bp, ch0, ch1, n);
  if (fl & RT_FX_DJF) rt_fx_svf_process(&fx->djf, ch0, ch1, n);
  if (fl & RT_FX_VOWEL) rt_fx_vowel_process(&fx->vowel, ch0, ch1, n);
  if (fl & RT_FX_COARSE) rt_fx_coarse_process(&fx->coarse, ch0, ch1, n);
  if (fl & RT_FX_CRUSH) rt_fx_crush_process(&fx->crush, ch0, ch1, n);
  if (fl & RT_FX_SHAPE) rt_fx_shaper_process(&fx->shape, ch0, ch1, n);
  if (fl & RT_FX_DISTORT) rt_fx_shaper_process(&fx->distort, ch0, ch1, n);
  if (fl & RT_FX_TREMOLO) rt_fx_tremolo_process(&fx->tremolo, ch0, ch1, n);
  if (fl & RT_FX_PHASER) rt_fx_phaser_process(&fx->phaser, ch0, ch1, n);
  if (fl & RT_FX_RING) rt_fx_ring_process(&fx->ring, ch0, ch1, n);
  if (fl & RT_FX_POSTGAIN) rt_fx_gain_process(&fx->postgain, ch0, ch1, n);
}
