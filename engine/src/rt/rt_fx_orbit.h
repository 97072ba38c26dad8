/*
 * rt_fx_orbit.h — one orbit (effect bus): a delay (rt_fx_delay), a reverb
 * (rt_fx_reverb) and a chorus (rt_fx_chorus) with their send-accumulation
 * buffers. Voices add their
 * output, scaled by the note's `delay` and `room` amounts, into the sends;
 * once per block the orbit turns the sends into its stereo wet output and
 * adds it to the caller's buffers (the orbit's own output pair, or the mix).
 *
 * Thread: bytes/init on CT (memory from the caller); everything else on RT.
 * Never: allocation, locks, I/O, libm.
 *
 * | control   | where it acts                                                  |
 * |-----------|----------------------------------------------------------------|
 * | orbit     | which orbit a voice sends to (the caller's index, 12 or more)  |
 * | delay     | voice: gain into send_delay (rt_fx_orbit_send)                 |
 * | room      | voice: gain into send_room (rt_fx_orbit_send)                  |
 * | delaytime, delayfeedback, lock/delaysync | rt_fx_orbit_set_delay (rt_fx_delay.h) |
 * | size/roomsize, roomfade, roomlp, roomdim, dry | rt_fx_orbit_set_reverb (rt_fx_reverb.h) |
 *
 * As in superdough and SuperDirt, delay and reverb parameters belong to the
 * orbit: the last note that sets one changes it for everything on the orbit.
 *
 * Sleep: each effect sleeps on its own once its input and tail have stayed
 * below -120 dBFS for its whole memory; an orbit whose sends were not touched
 * this block and whose effects sleep costs two flag tests and outputs nothing
 * (exact zeros: nothing is added). The state (buffers, LFO phases, grid
 * position) is part of the render state: deterministic and split-invariant.
 */
#ifndef MS_RT_FX_ORBIT_H
#define MS_RT_FX_ORBIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt/rt_fx_chorus.h"
#include "rt/rt_fx_common.h"
#include "rt/rt_fx_delay.h"
#include "rt/rt_fx_reverb.h"

typedef struct rt_fx_orbit_config {
  float sample_rate;
  float max_delay_s;   /* delay memory (<= 4 s, SuperDirt's maximum) */
  float max_fade_s;    /* roomfade memory (<= 1 s) */
  uint32_t max_frames; /* largest block process() is given */
} rt_fx_orbit_config_t;

typedef struct rt_fx_orbit {
  rt_fx_delay_t delay;
  rt_fx_reverb_t reverb;
  rt_fx_chorus_t chorus;
  float *send_delay_l, *send_delay_r; /* max_frames each, zero between blocks */
  float *send_room_l, *send_room_r;
  float *send_chorus_l, *send_chorus_r;
  uint32_t max_frames;
  bool delay_touched, room_touched;   /* a voice added to the send this block */
  bool chorus_touched;
  void *mem;                          /* the caller's memory (rt_fx_orbit_bytes) */
  size_t mem_bytes;
} rt_fx_orbit_t;

/* Bytes of memory one orbit needs (delay lines, reverb network, sends). CT. */
size_t rt_fx_orbit_bytes(const rt_fx_orbit_config_t *cfg);

/* Set up with caller memory of rt_fx_orbit_bytes() bytes (16-byte aligned);
 * defaults, asleep. Call at an absolute grid frame. CT. */
void rt_fx_orbit_init(rt_fx_orbit_t *o, const rt_fx_orbit_config_t *cfg, void *mem);

/* Silence everything (stop/panic; memsets the buffers). RT. */
void rt_fx_orbit_reset(rt_fx_orbit_t *o);

/* Back to the state after init (asleep, parameters kept) once the caller has
 * zeroed all of o->mem (o->mem_bytes), e.g. a piece per block. RT. */
void rt_fx_orbit_reset_state(rt_fx_orbit_t *o);

/* Orbit parameters (latched at the next grid frame). RT. */
static inline void rt_fx_orbit_set_delay(rt_fx_orbit_t *o, const rt_fx_delay_params_t *p) {
  rt_fx_delay_set(&o->delay, p);
}
static inline void rt_fx_orbit_set_reverb(rt_fx_orbit_t *o, const rt_fx_reverb_params_t *p) {
  rt_fx_reverb_set(&o->reverb, p);
}

/* A voice's n frames (l, r) at frame `offset` of the current block into the
 * sends, with the note's delay and room amounts gliding from *0 to *1 over
 * the n frames. A zero amount (both ends) does not touch that send. RT. */
static inline void rt_fx_orbit_send(rt_fx_orbit_t *o, uint32_t offset, const float *l,
                                    const float *r, uint32_t n, float delay0, float delay1,
                                    float room0, float room1) {
  if (delay0 != 0.0f || delay1 != 0.0f) {
    rt_fx_bus_send_add(o->send_delay_l + offset, o->send_delay_r + offset, l, r, n, delay0, delay1);
    o->delay_touched = true;
  }
  if (room0 != 0.0f || room1 != 0.0f) {
    rt_fx_bus_send_add(o->send_room_l + offset, o->send_room_r + offset, l, r, n, room0, room1);
    o->room_touched = true;
  }
}

/* A voice's n frames into the chorus send (a zone's chorus_send), its
 * amount gliding from c0 to c1, as rt_fx_orbit_send does. RT. */
static inline void rt_fx_orbit_send_chorus(rt_fx_orbit_t *o, uint32_t offset, const float *l, const float *r,
                                           uint32_t n, float c0, float c1) {
  rt_fx_bus_send_add(o->send_chorus_l + offset, o->send_chorus_r + offset, l, r, n, c0, c1);
  o->chorus_touched = true;
}

/* True when every effect sleeps (an idle orbit). RT or tests. */
static inline bool rt_fx_orbit_asleep(const rt_fx_orbit_t *o) {
  return o->delay.asleep && o->reverb.asleep && o->chorus.asleep;
}

/* The block's n frames (n <= max_frames): run the delay and the reverb on the
 * sends, add their outputs into (out_l, out_r), clear the sends. RT. */
void rt_fx_orbit_process(rt_fx_orbit_t *o, float *out_l, float *out_r, uint32_t n);

#endif /* MS_RT_FX_ORBIT_H */
