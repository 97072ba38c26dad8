/*
 * rt_vctl.h — per-note controls on the render thread (rt_vctl.c): the
 * instrument-level values (MS_PARAM_CONTROL), the run of MS_CMD_CONTROLS
 * records staged for the next note-on, and each controlled voice's state
 * (rt_vext_t, a parallel array indexed like the voice pool: a voice without
 * controls never touches it).
 *
 * Thread: RT (rt_vctl_state_size/init: CT at sampler create). Never:
 * allocation, locks, I/O, libm (2^x and sines: rt_fx_common.h).
 *
 * What a voice plays: the zone's controls, over them the instrument's, over
 * those the note's (merge order zone < instrument < note), each absent one at
 * its MS_CONTROLS default. rt_vctl_voice_start turns them into the voice's
 * playback window (begin/end/loop, reverse), speed, envelopes (amplitude,
 * pitch, filters; rt_env.h linear mode), vibrato and effect chain
 * (rt_fx_note.h); rt_vctl_control is its part of each control step.
 */
#ifndef MS_RT_VCTL_H
#define MS_RT_VCTL_H

#include "rt/rt_fx_note.h"
#include "rt/rt_orbit.h"
#include "rt/rt_osc.h"
#include "shared/engine.h"

#define RT_VX_REVERSE 1u  /* negative speed: read backwards (rt_voice.c's reverse run) */
#define RT_VX_PITCH 2u    /* pitch envelope, vibrato or accelerate: pitch moves per control step */
#define RT_VX_AMP 4u      /* its own amplitude envelope (amp_desc) instead of the zone's */
#define RT_VX_FX 8u       /* an effect chain (fx.flags != 0) */
#define RT_VX_FENV 16u    /* a filter envelope moves a cutoff */
#define RT_VX_SENDS 32u   /* delay / room sends: output through rt_orbit_mix */
#define RT_VX_OSC 64u     /* an oscillator zone: rt_osc renders the dry run */
#define RT_VX_WIDTH 128u  /* a stereo sample not at width 100 % or with width rows (rt_mod_width) */

/* One controlled voice. */
typedef struct rt_vext {
  uint32_t flags;                 /* RT_VX_* */
  uint32_t orbit;
  uint64_t start_frame;
  uint64_t lo;                    /* reverse: the lowest frame read (the window's start) */
  float accel_slope;              /* speed multiplier gained per frame (accelerate / duration) */
  float accel_frames;             /* frames over which it grows */
  float penv_cents, panchor;
  float vib_hz, vib_cents;
  float lp_hz, hp_hz, bp_hz;      /* cutoffs before their envelopes */
  float lp_oct, hp_oct, bp_oct;   /* envelope depths (lpenv ...), octaves */
  float fanchor;
  rt_orbit_levels_t levels;       /* dry 1, the delay and room sends */
  rt_env_desc_t amp_desc, pitch_desc, lp_desc, hp_desc, bp_desc;
  rt_env_t pitch, lp, hp, bp;
  rt_fx_note_t fx;
  rt_osc_t osc;                   /* RT_VX_OSC */
  /* RT_VX_WIDTH: the width matrix's gains (rt_mod_width_gains) at the ramp's start and its last frame */
  float w_same0, w_cross0, w_same1, w_cross1, w_inv_frames;
  uint32_t w_frames;              /* the ramp's length (an event may end it sooner) */
} rt_vext_t;

typedef struct rt_vctl {
  rt_fx_ctx_t ctx;
  ms_controls_t *slot;            /* max_instruments: instrument-level values */
  ms_controls_t staged;           /* the note-on run being received */
  uint32_t staged_instrument;
  uint32_t staged_records;        /* records of the run received so far */
  rt_vext_t *voice;               /* voice_capacity */
} rt_vctl_t;

/* Bytes rt_vctl_init needs for a sampler (CT) and the layout it lays into them. */
size_t rt_vctl_state_size(uint32_t max_instruments, uint32_t voices);
void rt_vctl_init(ms_sampler_t *s, void *mem);

/* MS_CMD_CONTROLS: one record of a note's run. */
void rt_vctl_stage(ms_sampler_t *s, const ms_cmd_controls_t *c);

/* The controls a note-on carries (its whole run arrived), or NULL. */
const ms_controls_t *rt_vctl_note_controls(ms_sampler_t *s, const ms_cmd_note_t *note);

/* The note-on has started its voices: the staged run is spent. */
void rt_vctl_note_done(ms_sampler_t *s);

/* MS_PARAM_CONTROL / MS_PARAM_CONTROL_CLEAR + id on a slot; a slot's values
 * cleared (a new instrument in it). */
void rt_vctl_slot_param(ms_sampler_t *s, uint32_t slot_index, uint32_t param, float value);
void rt_vctl_slot_clear(ms_sampler_t *s, uint32_t slot_index);

/*
 * A voice of zone z starting at frame f (after voice_start filled it from the
 * zone): merge zone, slot and note controls and apply them to v (window,
 * speed, gain) and to its rt_vext_t; an oscillator zone's voice always takes
 * the controlled path (RT_VX_OSC). Returns true when the voice needs the
 * controlled paths (v->ext), false when it plays as a plain voice.
 */
bool rt_vctl_voice_start(ms_sampler_t *s, rt_voice_t *v, const rt_zone_t *z, uint32_t slot_index,
                         const ms_controls_t *note, uint64_t f);

/* The amplitude envelope a voice follows. */
static inline const rt_env_desc_t *rt_vctl_amp_desc(const ms_sampler_t *s, const rt_voice_t *v) {
  if (MS_UNLIKELY(v->ext)) {
    const rt_vext_t *x = &s->vctl->voice[v - s->voices];
    if (x->flags & RT_VX_AMP) return &x->amp_desc;
  }
  return &v->zone->amp_env;
}

static inline rt_vext_t *rt_vctl_of(ms_sampler_t *s, const rt_voice_t *v) { return &s->vctl->voice[v - s->voices]; }

/* A controlled voice's part of the control step starting at f, m frames
 * long: adds pitch envelope and vibrato to *cents, steps the filter
 * envelopes and the effect chain's controls; returns the speed multiplier
 * (accelerate), 1 without. */
float rt_vctl_control(ms_sampler_t *s, rt_voice_t *v, uint64_t f, uint32_t m, float *cents);

/* RT_VX_WIDTH: the width matrix on a stereo run's n dry frames in place,
 * from frame t0 of the ramp (gains moving linearly to the ramp's end). */
void rt_vctl_width(const rt_vext_t *x, float *dl, float *dr, uint32_t n, float t0);

/* Note-off: the pitch and filter envelopes into their release. */
void rt_vctl_release(ms_sampler_t *s, rt_voice_t *v);

#endif /* MS_RT_VCTL_H */
