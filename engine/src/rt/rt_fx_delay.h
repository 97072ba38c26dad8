/*
 * rt_fx_delay.h — an orbit's stereo feedback delay (the `delay` bus).
 *
 * Thread: init/bytes on CT (memory from the caller); set/process/reset on RT.
 * Never: allocation, locks, I/O, libm.
 *
 * Controls (superdough = Strudel's packages/superdough, SuperDirt =
 * synths/core-synths-global.scd `dirt_delay`):
 *
 * | control          | unit    | range         | default | behaviour followed                          |
 * |------------------|---------|---------------|---------|---------------------------------------------|
 * | delay            | gain    | 0..1          | 0       | per-note send into the orbit's delay; the   |
 * |                  |         |               |         | voice applies it (rt_fx_bus_send_add).      |
 * |                  |         |               |         | superdough: send gain; echo 1 at this level |
 * | delaytime        | seconds | 0..max (4 s)  | 0.25 s  | superdough (up to 1.x: seconds, 0.25) and   |
 * |                  |         |               |         | SuperDirt (seconds, clip 0..4 s). Newer     |
 * |                  |         |               |         | superdough reads it in cycles (3/16): use   |
 * |                  |         |               |         | sync = 1 for that.                          |
 * | delaytime + lock | cycles  | 0..max (4 s)  | 3/16    | SuperDirt `lock` = 1 (time / cps), newer    |
 * | / delaysync      |         |               |         | superdough's cycleToSeconds: the caller     |
 * |                  |         |               |         | passes frames per cycle.                    |
 * | delayfeedback    | gain    | 0..0.98       | 0.5     | level of each repeat relative to the one    |
 * |                  |         |               |         | before; clamped to 0.98 as superdough does  |
 * |                  |         |               |         | ("to save your ears").                      |
 *
 * superdough sends a note to the delay only when delay, delaytime and
 * delayfeedback are all > 0 (a feedback of 0 gives no echo at all there); the
 * voice applies that rule when it picks its send gain.
 *
 * Structure: dual mono, like superdough's DelayNode + feedback gain (each
 * channel echoes itself; the stereo image of the sends is kept; no
 * ping-pong). Output is the delayed signal only (the wet echoes): the first
 * echo arrives `delaytime` after the send at the send's level, echo k at
 * k * delaytime with level feedback^(k-1).
 *
 * Delay in whole frames (no interpolation inside the loop: repeats do not
 * lose treble). A new delay time crossfades from the old read position to
 * the new one over RT_FX_DELAY_XFADE_FRAMES (grid-aligned, no click, no
 * pitch glide); a change arriving during a crossfade waits for it to end.
 * Feedback glides over one control period.
 *
 * Sleep: when every value written into the line stayed below -120 dBFS for
 * the whole buffer length (so nothing audible is left anywhere in it), the
 * delay sleeps: process() then only scans its input for a frame above the
 * threshold (or returns at once when the caller says the input is silent).
 */
#ifndef MS_RT_FX_DELAY_H
#define MS_RT_FX_DELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_FX_DELAY_MAX_S 4.0f           /* SuperDirt's maxDelayTime */
#define RT_FX_DELAY_DEFAULT_S 0.25f
#define RT_FX_DELAY_DEFAULT_CYCLES 0.1875f
#define RT_FX_DELAY_DEFAULT_FEEDBACK 0.5f
#define RT_FX_DELAY_MAX_FEEDBACK 0.98f
#define RT_FX_DELAY_XFADE_FRAMES 1024u   /* 16 control periods (21 ms at 48 kHz) */

typedef struct rt_fx_delay_params {
  float time;              /* delaytime: seconds, or cycles when sync */
  float feedback;          /* delayfeedback, clamped to [0, 0.98] */
  uint32_t sync;           /* 0: seconds; 1: cycles (lock / delaysync) */
  double frames_per_cycle; /* with sync: sample_rate / cps (the caller updates it on tempo changes) */
} rt_fx_delay_params_t;

typedef struct rt_fx_delay {
  float *buf;              /* 2 * len floats: [ch * len + i] */
  uint32_t len;            /* max delay frames + 1 */
  uint32_t w;              /* write index */
  float sample_rate;

  rt_fx_delay_params_t pending; /* latched at the next grid frame when dirty */
  bool dirty;

  uint32_t d_old, d_new;   /* read delays (frames); equal when not crossfading */
  uint32_t d_target;       /* latched delay; the next crossfade goes there */
  uint32_t xf_left;        /* crossfade frames left */
  float xf;                /* weight of d_new */
  float fb, fb_step, fb_target;

  uint32_t phase;          /* frame inside the control period */
  float peak;              /* max |written| since the last grid frame */
  uint32_t quiet_frames;   /* frames since a written value was above -120 dB */
  bool asleep;
} rt_fx_delay_t;

/* Bytes of delay memory for max_delay_s (clamped to (0, 4]) at sample_rate. CT. */
size_t rt_fx_delay_bytes(float sample_rate, float max_delay_s);

/* Set up with caller memory of rt_fx_delay_bytes() (zeroed here), default
 * parameters, asleep. Call at an absolute grid frame (e.g. engine start). CT. */
void rt_fx_delay_init(rt_fx_delay_t *d, float sample_rate, float max_delay_s, void *mem);

/* Silence the line and return to defaults-as-set, asleep. RT (memset of the
 * buffer: use on stop/panic, not per block). */
void rt_fx_delay_reset(rt_fx_delay_t *d);

/* rt_fx_delay_reset without the memset, for a line the caller has already
 * zeroed (in pieces: rt_orbit's silencing). RT. */
void rt_fx_delay_reset_state(rt_fx_delay_t *d);

/* New parameters, applied from the next grid frame (at once when asleep). RT. */
void rt_fx_delay_set(rt_fx_delay_t *d, const rt_fx_delay_params_t *p);

/* Delay length in frames the parameters give (clamped to [1, max]). RT. */
uint32_t rt_fx_delay_frames(const rt_fx_delay_t *d, const rt_fx_delay_params_t *p);

/* Process n frames: adds the echoes of (in_l, in_r) into (out_l, out_r).
 * in_silent = true promises the input is all zero (lets a sleeping delay
 * return at once). RT. */
void rt_fx_delay_process(rt_fx_delay_t *d, const float *in_l, const float *in_r, bool in_silent,
                         float *out_l, float *out_r, uint32_t n);

#endif /* MS_RT_FX_DELAY_H */
