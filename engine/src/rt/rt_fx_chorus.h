/*
 * rt_fx_chorus.h — an orbit's chorus (the zone's `chorus` send, SoundFont
 * chorusEffectsSend, SFZ effect2): a few copies of the input, each read from
 * one delay line at a delay a slow sine sweeps, spread across the stereo field.
 *
 * Thread: bytes/init on CT (memory from the caller); process/reset on RT.
 * Never: allocation, locks, I/O, libm.
 *
 * Parameters: FluidSynth's default chorus (its settings synth.chorus.nr 3,
 * depth 8 ms, speed 0.3 Hz, sine, level 2; fluid_chorus.c read for the
 * structure, nothing copied), fixed:
 *
 * | what            | value                                                     |
 * |-----------------|-----------------------------------------------------------|
 * | voices          | 3, their sines a third of a turn apart                    |
 * | delay           | 2 + h + h sin(2 pi (0.3 t + k / 3)) frames, h = 4 ms      |
 * |                 | (depth 8 ms peak to peak): 2 frames .. 8 ms + 2 frames    |
 * | input           | mono: (left + right) x 0.7071, a centre-panned voice at   |
 * |                 | its own level (FluidSynth feeds its chorus the unpanned   |
 * |                 | voice)                                                    |
 * | stereo, level   | voice gains left (11/3, -3, 2/3), right (-3, 11/3, 2/3):  |
 * |                 | FluidSynth's level 2 and width 10 worked through its      |
 * |                 | stereo unit. A low frequency (all taps alike) comes out   |
 * |                 | at 4/3 per channel, decorrelated content 13.6 dB up       |
 *
 * The sines are evaluated at the absolute grid frames (MS_CONTROL_FRAMES)
 * and each delay glides linearly in between; the line is read with 4-point
 * Hermite interpolation (a linear one would lose up to 1.8 dB of treble on
 * fractional delays; FluidSynth's allpass keeps it). Output: the wet signal
 * only, added to the caller's buffers.
 *
 * Sleep: no feedback, so once the input has stayed below -120 dBFS for the
 * line's length the output is silent: the chorus sleeps (only its grid
 * position moves; its LFO holds and resumes where it stopped) until a frame
 * of input above the threshold arrives, on that exact frame. Deterministic and split-invariant:
 * the state is the line, the write index, the LFO phase (integer) and the
 * grid position.
 */
#ifndef MS_RT_FX_CHORUS_H
#define MS_RT_FX_CHORUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_FX_CHORUS_VOICES 3u
#define RT_FX_CHORUS_DEPTH_S 0.008f /* peak to peak */
#define RT_FX_CHORUS_RATE_HZ 0.3f

typedef struct rt_fx_chorus {
  float sample_rate;
  float *line;             /* size floats (a power of two) */
  uint32_t size, w;        /* write index: the next frame goes to line[w] */
  float half_depth;        /* h, frames */
  uint32_t lfo;            /* LFO phase of voice 0 at the next grid frame, 2^32 per turn */
  uint32_t lfo_step;       /* per control period */
  float d[RT_FX_CHORUS_VOICES];     /* each voice's delay (frames) at the current frame */
  float d_step[RT_FX_CHORUS_VOICES];/* its per-frame glide to the next grid frame */
  float gl[RT_FX_CHORUS_VOICES], gr[RT_FX_CHORUS_VOICES]; /* output gains */
  uint32_t phase;          /* frames since the last grid frame, 0..MS_CONTROL_FRAMES-1 */
  uint32_t quiet_frames;   /* frames of silent input in a row */
  bool asleep;
} rt_fx_chorus_t;

/* Bytes of line for a chorus at sample_rate. CT. */
size_t rt_fx_chorus_bytes(float sample_rate);

/* Set up with caller memory of rt_fx_chorus_bytes() (zeroed here), asleep.
 * Call at an absolute grid frame. CT. */
void rt_fx_chorus_init(rt_fx_chorus_t *c, float sample_rate, void *mem);

/* Silence the line, asleep, LFO from its start. RT (memset: stop/panic only). */
void rt_fx_chorus_reset(rt_fx_chorus_t *c);

/* rt_fx_chorus_reset without the memset, for a line the caller has zeroed. RT. */
void rt_fx_chorus_reset_state(rt_fx_chorus_t *c);

/* Process n frames: adds the chorus of (in_l, in_r) into (out_l, out_r).
 * in_silent = true promises the input is all zero. RT. */
void rt_fx_chorus_process(rt_fx_chorus_t *c, const float *in_l, const float *in_r, bool in_silent,
                          float *out_l, float *out_r, uint32_t n);

#endif /* MS_RT_FX_CHORUS_H */
