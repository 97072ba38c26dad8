/*
 * rt_osc.h — oscillator voices (rt_osc.c): the zones whose source is an
 * oscillator (MS_SOURCE_*) instead of a sample. Sine from the sampler's sine
 * table; sawtooth, square and triangle from mip-mapped wavetables (one level
 * per half octave, each holding only harmonics below Nyquist for the
 * increments it plays, so nothing aliases); supersaw as `unison` detuned
 * saws spread in stereo; white, pink and brown noise from a per-voice
 * generator seeded on the note (sampler seed, frame, key, zone); superdough's
 * FM (a modulator at fmh x the carrier, deviation fmi x fmh x the carrier,
 * an optional envelope).
 *
 * Phase is a 32-bit turn (2^32 = one cycle), advanced per frame by the
 * voice's 32.32 increment (v->inc: for an oscillator voice its fractional
 * part is the frequency in turns per frame), so pitch is exact to 2^-32
 * turns and a run's output depends only on the absolute frames it covers.
 *
 * Thread: RT (rt_osc_start/control/run/release); the tables are built on CT
 * (ctl_osc_zone). Never: allocation, locks, I/O, libm, rand().
 */
#ifndef MS_RT_OSC_H
#define MS_RT_OSC_H

#include <stdbool.h>
#include <stdint.h>

#include "rt/rt_fx_common.h"
#include "shared/engine.h"

#define RT_OSC_TABLE_BITS 11u
#define RT_OSC_TABLE_SIZE (1u << RT_OSC_TABLE_BITS) /* 2048 points a cycle */
#define RT_OSC_LEVELS 21u                           /* harmonics 1024 / 2^(k/2), k = 0..20 */
#define RT_OSC_UNISON_MAX 16u

enum { RT_OSC_SAW, RT_OSC_SQUARE, RT_OSC_TRIANGLE, RT_OSC_WAVES };

/* Band-limited tables: level k holds harmonics 1..harmonics[k] and plays any
 * increment up to max_inc[k] (harmonics[k] * max_inc[k] <= 2^31: Nyquist). */
typedef struct rt_osc_tables {
  uint32_t harmonics[RT_OSC_LEVELS];
  uint32_t max_inc[RT_OSC_LEVELS];
  float table[RT_OSC_WAVES][RT_OSC_LEVELS][RT_OSC_TABLE_SIZE + 1]; /* + 1: the first point again */
} rt_osc_tables_t;

/* What starts an oscillator voice (rt_vctl.c fills it from the merged controls). */
typedef struct rt_osc_params {
  uint32_t source;            /* MS_SOURCE_* (not SAMPLE) */
  uint64_t seed;              /* noise and supersaw phases */
  float fmi, fmh;             /* FM index (0: none) and harmonicity */
  uint32_t fm_wave;           /* 0..3: sine sawtooth square triangle */
  bool fm_env;                /* an FM envelope (any of its times or sustain given) */
  bool fm_exp;                /* fmenv exp */
  float fm_attack_frames, fm_decay_frames, fm_sustain, fm_release_frames;
  uint32_t unison;            /* supersaw: 1..16 */
  float detune;               /* semitones between the outer voices */
  float spread;               /* 0..1 */
} rt_osc_params_t;

typedef struct rt_osc {
  uint8_t source;
  uint8_t fm_wave;
  bool fm, fm_env, fm_exp;
  uint32_t unison;
  uint32_t phase[RT_OSC_UNISON_MAX];
  float mul[RT_OSC_UNISON_MAX];  /* unison voice i's frequency multiple */
  float gain_a, gain_b;          /* supersaw: even voices a left / b right, odd ones swapped */
  uint32_t inc_from, inc_to;      /* the increment glides from the last ramp's to this one's across the ramp */
  uint32_t fm_phase;
  float fm_ratio, fm_depth;      /* fmh, fmi * fmh */
  float fm0, fm1;                /* envelope gain at the ramp's start - 1 and its last frame */
  float fm_release_from;         /* the envelope's level when its release began (exp mapping) */
  float fm_sustain;
  rt_env_desc_t fm_desc;
  rt_env_t fm_envs;
  uint64_t rng;
  float pink[7], brown;
  const rt_osc_tables_t *tables;
} rt_osc_t;

/* An oscillator voice's start: o from p and the zone's tables. */
void rt_osc_start(rt_osc_t *o, const rt_osc_params_t *p, const rt_osc_tables_t *tables);

/* Its part of a control step m frames long (the FM envelope). */
void rt_osc_control(rt_osc_t *o, uint32_t m);

/* Note-off: the FM envelope into its release. */
void rt_osc_release(rt_osc_t *o);

/*
 * n frames at increment inc (turns * 2^32 per frame; clamped below Nyquist)
 * added at unity into L (and R for a supersaw; a mono source writes L only).
 * t0: frames from the ramp's start to the run's first frame, m: the ramp's
 * length. Over a ramp the increment moves linearly from the previous ramp's
 * to inc (a pitch envelope or vibrato glides instead of stepping every 64
 * frames), and the FM envelope likewise. Returns n.
 */
uint32_t rt_osc_run(rt_osc_t *o, const rt_fx_ctx_t *c, uint64_t inc, uint32_t t0, uint32_t m, uint32_t n, float *L,
                    float *R);

/* Channels an oscillator source renders (supersaw 2, others 1). */
static inline uint32_t rt_osc_channels(uint32_t source) { return source == MS_SOURCE_SUPERSAW ? 2u : 1u; }

/* Splitmix64: a seed's next value (noise and phase seeds). */
static inline uint64_t rt_osc_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

#endif /* MS_RT_OSC_H */
