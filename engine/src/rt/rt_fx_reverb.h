/*
 * rt_fx_reverb.h — an orbit's stereo reverb (the `room` bus): an 8-line
 * feedback delay network.
 *
 * Thread: bytes/init on CT (memory from the caller); set/process/reset on RT.
 * Never: allocation, locks, I/O, libm.
 *
 * Controls (superdough = Strudel's packages/superdough reverb.mjs and
 * reverbGen.mjs: a convolver whose impulse response is noise decaying by
 * 60 dB over `roomsize` seconds, faded in over `roomfade`, lowpassed by a
 * filter gliding from `roomlp` at the start to `roomdim` at the -60 dB point;
 * SuperDirt = core-synths-global.scd `dirt_reverb`):
 *
 * | control            | unit    | range        | default | behaviour followed                        |
 * |--------------------|---------|--------------|---------|-------------------------------------------|
 * | room               | gain    | 0..1         | -       | per-note send into the orbit's reverb;    |
 * |                    |         |              |         | the voice applies it (rt_fx_bus_send_add) |
 * | size / roomsize /  | seconds | 0.05..20     | 2       | superdough: RT60 (the -60 dB time) of the |
 * | rsize / sz         |         |              |         | tail. (SuperDirt's `size` is a 0..1 loop  |
 * |                    |         |              |         | gain; we follow superdough's seconds.)    |
 * | roomfade           | seconds | 0..max (1 s) | 0.1     | superdough: fade-in time of the tail      |
 * | roomlp             | Hz      | 20..fs/2     | 15000   | superdough: lowpass of the tail's start   |
 * |                    |         |              |         | (here: input bandwidth, one pole)         |
 * | roomdim            | Hz      | 20..fs/2     | 1000    | superdough: lowpass cutoff reached at the |
 * |                    |         |              |         | -60 dB time (here: per-line damping set   |
 * |                    |         |              |         | so that after `size` seconds the tail is  |
 * |                    |         |              |         | 3 dB down at roomdim relative to DC)      |
 * | dry                | 0..1    | 0..1         | 0       | SuperDirt: reverb output x (1 - dry);     |
 * |                    |         |              |         | 1 turns the reverb off for the orbit      |
 *
 * Level: the tail's energy for a unit impulse is about 0.095 x RT60 per
 * channel, the level superdough's normalized convolver gives at 48 kHz
 * (WebAudio scales an impulse response to RMS 0.00125 x 44100/fs, and the
 * response lasts 1.5 x roomsize). Like superdough's (normalized after its
 * lowpass), it does not drop with roomlp/roomdim: the output gain counts the
 * damping (measured: defaults 0.236 against 0.19, undamped 2 s 0.186).
 *
 * Structure (per frame): input one-pole lowpass at roomlp -> 3 series
 * allpasses per channel (different lengths left/right) -> a tap line: 16
 * taps spread over max(roomfade, 20 ms), gains rising as sqrt(t/roomfade) so
 * the tail's power ramps in as superdough's linear fade does, each feeding one
 * of 8 delay lines (left taps the even lines, right the odd) -> 8 lines of 28
 * to 59 ms (at any rate), each read with a slow sine modulation (+-6 frames
 * at 48 kHz, 0.31..1.29 Hz, 4-point Hermite interpolation) that breaks up fixed
 * modes, a one-pole damping lowpass and loop gain per line (RT60 and roomdim),
 * an 8x8 Hadamard feedback matrix (orthogonal: every line feeds every other
 * with equal weight, no metallic self-recirculation) -> outputs taken from the
 * line inputs with two orthogonal sign patterns for left and right
 * (decorrelated).
 *
 * Parameters latch at the next grid frame; loop gains, damping, bandwidth and
 * output gain glide over one control period; tap positions (roomfade) jump.
 * The LFOs step once per control period with a linear glide in between.
 *
 * Sleep: when everything written into the network stayed below -120 dBFS
 * for longer than all its buffers, the reverb sleeps until input above the
 * threshold arrives.
 */
#ifndef MS_RT_FX_REVERB_H
#define MS_RT_FX_REVERB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_FX_REVERB_LINES 8u
#define RT_FX_REVERB_APS 3u          /* input allpasses per channel */
#define RT_FX_REVERB_MAX_FADE_S 1.0f
#define RT_FX_REVERB_MIN_SIZE_S 0.05f
#define RT_FX_REVERB_MAX_SIZE_S 20.0f
#define RT_FX_REVERB_DEFAULT_SIZE_S 2.0f
#define RT_FX_REVERB_DEFAULT_FADE_S 0.1f
#define RT_FX_REVERB_DEFAULT_LP_HZ 15000.0f
#define RT_FX_REVERB_DEFAULT_DIM_HZ 1000.0f

typedef struct rt_fx_reverb_params {
  float size_s; /* size / roomsize: RT60 in seconds */
  float fade_s; /* roomfade */
  float lp_hz;  /* roomlp */
  float dim_hz; /* roomdim */
  float dry;    /* dry: output x (1 - dry) */
} rt_fx_reverb_params_t;

typedef struct rt_fx_reverb {
  float sample_rate;
  float *lines;            /* RT_FX_REVERB_LINES * line_size */
  float *taps;             /* 2 * tap_size */
  float *aps;              /* 2 * RT_FX_REVERB_APS * ap_size */
  uint32_t line_size, tap_size, ap_size; /* powers of two */
  uint32_t w, tw, aw;      /* write indices */
  uint32_t max_fade_frames;
  uint32_t ap_len[2][RT_FX_REVERB_APS];
  float len[RT_FX_REVERB_LINES];       /* nominal line delays (frames) */
  float mod_depth;                     /* frames */
  float mean_len;                      /* mean of len[] (output level) */

  /* LFO: (c, s) rotated once per control period. */
  float lfo_c[RT_FX_REVERB_LINES], lfo_s[RT_FX_REVERB_LINES];
  float rot_c[RT_FX_REVERB_LINES], rot_s[RT_FX_REVERB_LINES];
  float dpos[RT_FX_REVERB_LINES], dstep[RT_FX_REVERB_LINES];

  /* Taps: line i reads taps 2i and 2i+1 of its channel (i & 1). */
  uint32_t tap_d[RT_FX_REVERB_LINES][2];
  float tap_g[RT_FX_REVERB_LINES][2];

  /* Glides: value, per-frame step, target. */
  float b[RT_FX_REVERB_LINES], b_step[RT_FX_REVERB_LINES], b_t[RT_FX_REVERB_LINES];
  float a[RT_FX_REVERB_LINES], a_step[RT_FX_REVERB_LINES], a_t[RT_FX_REVERB_LINES];
  float bw, bw_step, bw_t;
  float og, og_step, og_t;

  float s[RT_FX_REVERB_LINES]; /* damping states */
  float lp[2];                 /* input lowpass states */

  rt_fx_reverb_params_t pending;
  bool dirty;

  uint32_t phase;
  float peak2;             /* max energy written per frame since the last grid frame */
  uint32_t quiet_frames;
  uint32_t window;         /* quiet frames needed to sleep */
  bool asleep;
} rt_fx_reverb_t;

/* Bytes for a reverb at sample_rate with roomfade up to max_fade_s (clamped
 * to [0, 1]). CT. */
size_t rt_fx_reverb_bytes(float sample_rate, float max_fade_s);

/* Set up with caller memory of rt_fx_reverb_bytes() (zeroed here), default
 * parameters, asleep. Call at an absolute grid frame. CT. */
void rt_fx_reverb_init(rt_fx_reverb_t *r, float sample_rate, float max_fade_s, void *mem);

/* Silence the network, asleep. RT (memset of every buffer: stop/panic only). */
void rt_fx_reverb_reset(rt_fx_reverb_t *r);

/* rt_fx_reverb_reset without the memsets, for buffers the caller has already
 * zeroed (in pieces: rt_orbit's silencing). RT. */
void rt_fx_reverb_reset_state(rt_fx_reverb_t *r);

/* New parameters, applied from the next grid frame (at once when asleep). RT. */
void rt_fx_reverb_set(rt_fx_reverb_t *r, const rt_fx_reverb_params_t *p);

/* Defaults (superdough's). */
void rt_fx_reverb_defaults(rt_fx_reverb_params_t *p);

/* Process n frames: adds the reverb of (in_l, in_r) into (out_l, out_r).
 * in_silent = true promises the input is all zero. RT. */
void rt_fx_reverb_process(rt_fx_reverb_t *r, const float *in_l, const float *in_r, bool in_silent,
                          float *out_l, float *out_r, uint32_t n);

#endif /* MS_RT_FX_REVERB_H */
