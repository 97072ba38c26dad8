/*
 * rt_fx_note.h — one note's effect chain: which per-note controls are present
 * (a flag word; a note with none pays one test per run), their values, and
 * the state of each effect, processed in superdough's order:
 *   low-pass, high-pass, band-pass, djf, vowel, coarse, crush, shape, distort,
 *   tremolo, phaser, ring, postgain
 * (superdough applies pan between tremolo and the phaser; every stage after
 * the filters here is linear and identical on both channels or memoryless per
 * channel, so running the whole chain before the voice's pan law gives the
 * same sound and costs one channel for mono samples).
 *
 * Thread: RT for start/control/process; the params are filled on CT (the
 * command record) and copied into the voice at note start. Never: libm,
 * allocation, locks, I/O.
 *
 * Wiring into the engine (done by rt_vctl.c and rt_voice.c's voice_run_ext,
 * as planned here except that the context lives in s->vctl->ctx and the zone
 * filter keeps its own loop):
 *   - ms_sampler_t: an rt_fx_ctx_t filled once on CT after ctl_tables_build
 *     ({sample_rate, 1/sample_rate, s->tan_table, s->sine}).
 *   - CT, per note: the command record's rows become an rt_fx_note_params_t
 *     (104 bytes): flags for the controls present (zone value, overridden by
 *     the note's), resonance/hresonance through rt_fx_resonance_q, bandq
 *     through rt_fx_bandq_q, vowel names through rt_fx_vowel_index, ftype
 *     "24db" -> filter_stages 2, tremoloshape -> RT_FX_LFO_*.
 *   - per voice: an rt_fx_note_t (2056 bytes; a parallel array indexed like
 *     the voice pool keeps rt_voice_t small; voices without effects never
 *     touch it).
 *   - note start: rt_fx_note_start(fx, ctx, &params, voice channels, start
 *     frame), then rt_fx_note_control(...) for the first (partial) segment:
 *     the first control snaps, later ones glide.
 *   - every control step (voice_control: absolute multiples of
 *     MS_CONTROL_FRAMES and note events): the filter envelopes' cutoffs in Hz
 *     (superdough createFilter: min = 2^-(|lpenv| fanchor) cutoff, max =
 *     2^(|lpenv| (1 - fanchor)) cutoff, ADSR between them; rt_fx_exp2f), then
 *     rt_fx_note_control(fx, ctx, lp_hz, hp_hz, bp_hz, ramp frames).
 *   - every run: render the dry frames at unity gain into the scratch (as
 *     voice_run_filtered does), if (fx->flags) rt_fx_note_process(fx, dl,
 *     channels == 2 ? dr : NULL, n), then the gain ramp and pan into the bus.
 *     Runs never cross a control boundary (they already do not).
 *   - the zone filter (MS_FILTER_*) can move onto rt_fx_svf_t: mode LP / HP /
 *     BP_RAW, 1 stage, rt_fx_svf_set(f, g, z->filter_k, ramp) per control
 *     step; it then glides g per frame instead of stepping it.
 */
#ifndef MS_RT_FX_NOTE_H
#define MS_RT_FX_NOTE_H

#include "rt/rt_fx_character.h"
#include "rt/rt_fx_vowel.h"

/* Presence flags: a control absent from the note costs nothing. */
#define RT_FX_LPF (1u << 0)
#define RT_FX_HPF (1u << 1)
#define RT_FX_BPF (1u << 2)
#define RT_FX_DJF (1u << 3)
#define RT_FX_VOWEL (1u << 4)
#define RT_FX_COARSE (1u << 5)
#define RT_FX_CRUSH (1u << 6)
#define RT_FX_SHAPE (1u << 7)
#define RT_FX_DISTORT (1u << 8)
#define RT_FX_TREMOLO (1u << 9)
#define RT_FX_PHASER (1u << 10)
#define RT_FX_RING (1u << 11)
#define RT_FX_POSTGAIN (1u << 12)

/* The controls' values as the command record carries them (already in the
 * units below; CT converts names and superdough's units). */
typedef struct rt_fx_note_params {
  uint32_t flags;                        /* RT_FX_* present */
  uint32_t filter_stages;                /* 1 (ftype 12db) or 2 (24db) */
  float lp_hz, lp_q;                     /* cutoff, rt_fx_resonance_q(resonance) */
  float hp_hz, hp_q;                     /* hcutoff, rt_fx_resonance_q(hresonance) */
  float bp_hz, bp_q;                     /* bandf, rt_fx_bandq_q(bandq) */
  float djf;                             /* 0..1 */
  uint32_t vowel;                        /* rt_fx_vowel_index */
  float coarse, crush;
  float shape, shapevol, distort, distortvol;
  float tremolo_hz, tremolo_depth;
  uint32_t tremolo_shape;                /* RT_FX_LFO_* */
  float phaser_hz, phaser_depth, phaser_center_hz, phaser_sweep_cents;
  float ring, ring_hz;
  float postgain;
} rt_fx_note_params_t;

/* superdough's defaults for the secondary values (flags 0). */
void rt_fx_note_params_default(rt_fx_note_params_t *p);

typedef struct rt_fx_note {
  uint32_t flags;
  rt_fx_note_params_t p;
  rt_fx_svf_t lp, hp, bp, djf;
  rt_fx_vowel_t vowel;
  rt_fx_coarse_t coarse;
  rt_fx_crush_t crush;
  rt_fx_shaper_t shape, distort;
  rt_fx_tremolo_t tremolo;
  rt_fx_phaser_t phaser;
  rt_fx_ring_t ring;
  rt_fx_gain_t postgain;
} rt_fx_note_t;

/* Set up the chain for a note: copies p, clears every active effect's state;
 * a control step must follow before the first process (rt_fx_note_control,
 * which snaps on its first call). */
void rt_fx_note_start(rt_fx_note_t *fx, const rt_fx_ctx_t *c, const rt_fx_note_params_t *p, uint32_t channels,
                      uint64_t start_frame);

/* One control step: the segment's length and the filters' cutoffs for its end. */
void rt_fx_note_control(rt_fx_note_t *fx, const rt_fx_ctx_t *c, float lp_hz, float hp_hz, float bp_hz,
                        uint32_t segment_frames);

/* Run the chain on n frames in place (ch1 NULL for one channel). */
void rt_fx_note_process(rt_fx_note_t *fx, float *ch0, float *ch1, uint32_t n);

#endif /* MS_RT_FX_NOTE_H */
