/*
 * rt_env.h — the envelope every voice modulator uses (amplitude and filter
 * today): delay, linear attack, hold, exponential decay to a sustain level,
 * exponential release. The description (rt_env_desc_t, in shared/engine.h) is
 * computed once on CT by ctl_env_describe; the state (rt_env_t) lives in the
 * voice and is stepped here on the control grid (MS_CONTROL_FRAMES), the
 * caller interpolating between steps.
 *
 * Thread: RT only (the functions below). Pure arithmetic on the voice's own
 * state: no allocation, no libm, no I/O.
 *
 * Linear envelopes (desc->linear; per-note controls, superdough's ADSR):
 * decay falls in a straight line to sustain over decay_frames and release
 * to 0 over release_frames from wherever the level is at note-off; both
 * count their frames down in `left` like the timed stages.
 *
 * Stepping rules, which output depends on:
 *  - Timed stages (delay, attack, hold) count frames down in `left`. A step
 *    that reaches a stage's end leaves the stage there with left = 0; the
 *    next rt_env_settle moves on. A step longer than what is left ends at the
 *    stage's end value (the rest of the step is not carried into the next
 *    stage): a caller that needs exact stage ends cuts its steps at
 *    rt_env_timed_left, as the amplitude envelope does.
 *  - Decay approaches sustain as sustain + (level - sustain) * coef^frames; it
 *    enters the sustain stage once within `settle` of it (never when settle
 *    is 0).
 *  - A falling level under `floor` ends the envelope: level 0, stage DONE.
 *    With floor 0 an envelope never ends (a modulator whose voice's life the
 *    amplitude envelope decides).
 */
#ifndef MS_RT_ENV_H
#define MS_RT_ENV_H

#include <stdint.h>

#include "rt/rt_dsp.h"
#include "shared/engine.h"

/* Start at note-on: the delay stage, at the level the envelope starts from
 * (the peak when there is neither delay nor attack). */
static inline void rt_env_start(const rt_env_desc_t *d, rt_env_t *e) {
  e->stage = RT_ENV_DELAY;
  e->left = d->delay_frames;
  e->level = (d->delay_frames == 0 && d->attack_frames == 0) ? 1.0f : 0.0f;
}

/* Leave the timed stages that have no frames left (zero-length ones
 * included): delay -> attack -> hold (at the peak, 1) -> decay. */
static inline void rt_env_settle(const rt_env_desc_t *d, rt_env_t *e) {
  for (;;) {
    if (e->stage == RT_ENV_DELAY && e->left == 0) {
      e->stage = RT_ENV_ATTACK;
      e->left = d->attack_frames;
    } else if (e->stage == RT_ENV_ATTACK && e->left == 0) {
      e->level = 1.0f;
      e->stage = RT_ENV_HOLD;
      e->left = d->hold_frames;
    } else if (e->stage == RT_ENV_HOLD && e->left == 0) {
      e->stage = RT_ENV_DECAY;
      e->left = d->decay_frames; /* read by linear envelopes only */
    } else {
      return;
    }
  }
}

/* Frames to the end of the current timed stage; UINT32_MAX in the others.
 * Call after rt_env_settle (a timed stage then has frames left). */
static inline uint32_t rt_env_timed_left(const rt_env_t *e) {
  return e->stage <= RT_ENV_HOLD ? e->left : UINT32_MAX;
}

/* Advance m frames (after rt_env_settle); the level is then the value at the
 * last of them. */
static inline void rt_env_step(const rt_env_desc_t *d, rt_env_t *e, uint32_t m) {
  switch (e->stage) {
    case RT_ENV_DELAY: e->left = e->left > m ? e->left - m : 0; break;
    case RT_ENV_ATTACK:
      if (e->left > m) {
        e->left -= m;
        e->level = 1.0f - (float)e->left / (float)d->attack_frames;
      } else {
        e->left = 0;
        e->level = 1.0f;
      }
      break;
    case RT_ENV_HOLD:
      e->left = e->left > m ? e->left - m : 0;
      e->level = 1.0f;
      break;
    case RT_ENV_DECAY:
      if (d->linear) {
        if (e->left > m) {
          e->level = d->sustain + (e->level - d->sustain) * ((float)(e->left - m) / (float)e->left);
          e->left -= m;
        } else {
          e->left = 0;
          e->level = d->sustain;
          e->stage = RT_ENV_SUSTAIN;
          if (d->sustain < d->floor) {
            e->level = 0.0f;
            e->stage = RT_ENV_DONE;
          }
        }
        break;
      }
      /* Two spellings of one update. Without a settle distance nothing
       * compares the result, and the compiler may fuse the multiply-add
       * (-ffast-math); with one, the difference to sustain is computed
       * once for the test. Output bytes depend on which: keep both. */
      if (d->settle > 0.0f) {
        float x = d->sustain + (e->level - d->sustain) * rt_powi(d->decay_coef, m);
        if (x - d->sustain < d->settle && x - d->sustain > -d->settle) {
          x = d->sustain;
          e->stage = RT_ENV_SUSTAIN;
          if (d->sustain < d->floor) {
            x = 0.0f;
            e->stage = RT_ENV_DONE;
          }
        }
        e->level = x;
      } else {
        e->level = d->sustain + (e->level - d->sustain) * rt_powi(d->decay_coef, m);
      }
      break;
    case RT_ENV_SUSTAIN:
      e->level = d->sustain;
      if (e->level < d->floor) {
        e->level = 0.0f;
        e->stage = RT_ENV_DONE;
      }
      break;
    case RT_ENV_RELEASE:
      if (d->linear) {
        if (e->left > m) {
          e->level *= (float)(e->left - m) / (float)e->left;
          e->left -= m;
        } else {
          e->left = 0;
          e->level = 0.0f;
        }
        if (e->level <= d->floor) {
          e->level = 0.0f;
          e->stage = RT_ENV_DONE;
        }
        break;
      }
      e->level *= rt_powi(d->release_coef, m);
      if (e->level < d->floor) {
        e->level = 0.0f;
        e->stage = RT_ENV_DONE;
      }
      break;
    default: e->level = 0.0f; break;
  }
}

/* Note-off: from wherever the level is, fall at the release rate (a linear
 * envelope: to 0 in release_frames). */
static inline void rt_env_release(const rt_env_desc_t *d, rt_env_t *e) {
  if (e->stage == RT_ENV_DONE) return;
  e->stage = RT_ENV_RELEASE;
  e->left = d->release_frames; /* read by linear envelopes only */
}

/* A step cut short: the level is `level` (where sound really is), and the
 * `unused` frames the step had planned go back to a timed stage. An envelope
 * that had ended within the cut step falls on from there. */
static inline void rt_env_cut(rt_env_t *e, uint32_t unused, float level) {
  e->level = level;
  if (e->stage <= RT_ENV_HOLD || e->stage == RT_ENV_DECAY || e->stage == RT_ENV_RELEASE)
    e->left += unused; /* timed stages, and the ramps of linear envelopes (exponential ones ignore left) */
  if (e->stage == RT_ENV_DONE) e->stage = RT_ENV_RELEASE;
}

#endif /* MS_RT_ENV_H */
