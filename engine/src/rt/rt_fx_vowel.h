/*
 * rt_fx_vowel.h — the per-note formant filter (superdough's `vowel`): five
 * band-passes in parallel at a vowel's formant frequencies, each with its own
 * gain and Q, summed with superdough's make-up gain of 8.
 *
 * Thread: RT for set/process/reset; init on either. Never: libm, allocation,
 * locks, I/O. Coefficients come from the tan table when the vowel is set.
 *
 * Control:
 *   name   unit    range                                   default  behaviour followed
 *   vowel  letter  a e i o u ae aa oe ue y uh un en an on   absent   superdough vowel.mjs (VowelNode):
 *          (also æ ø ɑ å ö ü ı as aliases, resolved on CT)            5 WebAudio band-passes (0 dB peak,
 *                                                                      linear Q) x formant gain, x 8;
 *                                                                      absent = no filter, no cost
 * The formant table (frequencies in Hz, linear gains, Qs) is the one superdough
 * takes from WebDirt (dktr0/WebDirt, Graph.js), itself in the style of the
 * Csound manual's "Formant values" appendix (Peterson & Barney-type sung-vowel
 * data); SuperDirt's dirt_vowel uses the same kind of table.
 * SuperDirt's extra `resonance` scaling of the vowel is not applied (superdough
 * does not either).
 */
#ifndef MS_RT_FX_VOWEL_H
#define MS_RT_FX_VOWEL_H

#include "rt/rt_fx_common.h"

#define RT_FX_VOWEL_FORMANTS 5u
#define RT_FX_VOWEL_COUNT 15u   /* a e i o u ae aa oe ue y uh un en an on */

/* 5 formants x 2 channels: 200 bytes. */
typedef struct rt_fx_vowel {
  float a1[RT_FX_VOWEL_FORMANTS], a2[RT_FX_VOWEL_FORMANTS], a3[RT_FX_VOWEL_FORMANTS];
  float out[RT_FX_VOWEL_FORMANTS];   /* k * formant gain * make-up: band output to signal */
  float s[2][RT_FX_VOWEL_FORMANTS][2];
  uint8_t channels;
  uint8_t vowel;
} rt_fx_vowel_t;

/* Index of a vowel name ("a", "e", ..., "æ" and the other aliases), or -1.
 * CT (string compare): the command record carries the index. */
int32_t rt_fx_vowel_index(const char *name);

/* The formant data of vowel index v (< RT_FX_VOWEL_COUNT): freqs Hz, gains, Qs. */
void rt_fx_vowel_formants(uint32_t v, float freqs_hz[5], float gains[5], float qs[5]);

/* Clear the state and set vowel index v (clamped) for 1 or 2 channels. */
void rt_fx_vowel_init(rt_fx_vowel_t *f, const rt_fx_ctx_t *c, uint32_t v, uint32_t channels);

/* Clear the state only. */
void rt_fx_vowel_reset(rt_fx_vowel_t *f);

/* At each control step: flush decayed states (denormal guard on the grid, so
 * the output does not depend on the caller's slicing). */
void rt_fx_vowel_control(rt_fx_vowel_t *f);

/* Filter n frames in place (ch1 used when channels == 2). */
void rt_fx_vowel_process(rt_fx_vowel_t *f, float *ch0, float *ch1, uint32_t n);

#endif /* MS_RT_FX_VOWEL_H */
