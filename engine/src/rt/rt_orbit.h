/*
 * rt_orbit.h — the sampler's orbits (effect buses) as the rest of the render
 * thread sees them: where a voice's output goes (dry, and the `delay` and
 * `room` sends of its orbit), the orbit parameters a note sets, and the
 * per-segment run of the awake orbits (rt_orbit.c).
 *
 * Thread: RT (the CT half — memory, the cycle length — is ctl/ctl_orbit.c,
 * reaching RT through typed commands). Never: allocation, locks, I/O, libm.
 *
 * The interface with the voices (rt_voice.c) and the note-on dispatch
 * (rt_dispatch.c):
 *   - a voice keeps its orbit index (0..MS_MAX_ORBITS-1, checked on CT) and
 *     its levels (rt_orbit_levels_t: dry, delay, room; linear gains).
 *   - every voice takes its output bus at note start from
 *     rt_orbit_voice_bus(s, slot->bus, orbit) (its orbit's pair in
 *     orbit-outputs mode, even without controls: the `orbit` default).
 *   - a voice without sends (dry 1, delay == room == 0 for the whole note)
 *     renders as today into s->bus + v->bus. It pays nothing.
 *   - a voice with sends renders a run (at most one segment: runs never cross
 *     a control boundary) at unity into a scratch pair, then calls
 *     rt_orbit_mix(s, orbit, bus, offset, l, r, n, &from, &to): the dry into
 *     the same destination, the sends into the orbit, each level gliding
 *     from `from` (before the first frame) to `to` (at the last frame), the
 *     ramp rt_fx_bus_send_add uses.
 *   - note-on: rt_orbit_note(s, orbit, &params) with the note's orbit
 *     parameters (rt_orbit_params_defaults for absent ones) and which of
 *     the two effects the note sets (superdough: a note sets the delay's
 *     parameters when it sends to the delay, the reverb's when it sends to
 *     the room; the last note wins for everything on the orbit). They latch
 *     at the orbit's next grid frame.
 *   - segments: rt_process.c calls rt_orbit_segment_begin(s, from, offset) before
 *     rendering the voices of a segment and rt_orbit_segment_end(s, n)
 *     after: every orbit with sends or a tail runs exactly that segment, so
 *     a note-on at frame f acts on the same grid frame however the block is
 *     sliced (split invariant).
 *
 * Memory: an orbit's delay lines and reverb network (about 2.1 MiB at
 * 48 kHz) are allocated on CT the first time a control names the orbit or
 * sends to it (note, zone, instrument level, MIDI map: ctl_orbit_prepare,
 * before the note is pushed on the same ring) and handed
 * over by MS_CMD_ORBIT_MEMORY; until then sends to it are dropped (counted
 * in `sends_dropped`) and it costs nothing. Asleep orbits (input and tail
 * below -120 dBFS) cost one mask test per segment.
 */
#ifndef MS_RT_ORBIT_H
#define MS_RT_ORBIT_H

#include <stdbool.h>
#include <stdint.h>

#include "rt/rt_fx_common.h"
#include "rt/rt_fx_limiter.h"
#include "rt/rt_fx_orbit.h"
#include "shared/engine.h"

/* A voice's levels into its orbit: linear gains. dry 1, sends 0: no effect. */
typedef struct rt_orbit_levels {
  float dry;   /* into the voice's output (its bus, or its orbit's pair); 1 from
                  rt_vctl: the `dry` control is the orbit reverb's (rt_fx_reverb) */
  float delay; /* `delay` send */
  float room;  /* `room` send */
  float chorus; /* the zone's chorus send (ms_zone_t.chorus_send) */
} rt_orbit_levels_t;

/* Which effects a note sets (rt_orbit_params_t.set). */
#define RT_ORBIT_SET_DELAY 1u
#define RT_ORBIT_SET_REVERB 2u

/* A note's orbit parameters. With delay.sync, delay.frames_per_cycle is the
 * note's cycle length (sample rate / its cps), or 0: rt_orbit_note takes the
 * sampler's (ms_set_cps_at; superdough's 0.5 cps before any). A later cycle
 * change re-sets every delay in cycles. */
typedef struct rt_orbit_params {
  uint32_t set;                  /* RT_ORBIT_SET_* */
  rt_fx_delay_params_t delay;    /* delaytime (s, or cycles when sync), delayfeedback, lock/delaysync */
  rt_fx_reverb_params_t reverb;  /* size, roomfade, roomlp, roomdim, dry */
} rt_orbit_params_t;

/* One orbit as the sampler holds it. */
typedef struct rt_orbit {
  rt_fx_orbit_t *fx;             /* NULL until CT's memory arrives */
  rt_fx_delay_params_t delay;    /* last delay parameters set (re-set on a cycle change when sync) */
  uint64_t silence_from;         /* all sound off: first frame of the fade (fading or clearing) */
  size_t cleared;                /* bytes of fx->mem zeroed so far (clearing) */
} rt_orbit_t;

/* All sound off (rt_orbit_silence): an awake orbit's output fades to zero
 * over the sampler's fade (2 ms), then its memory is zeroed at
 * RT_ORBIT_CLEAR_BYTES per frame (2.1 MiB: about 90 ms at 48 kHz) while it
 * takes no sends, then it is as new from the first grid frame after that.
 * Both run on absolute frames and the end is a grid frame (where segments
 * end): the same bytes however the blocks are sliced. */
#define RT_ORBIT_CLEAR_BYTES 512u

/* Every orbit of a sampler (s->orbits; allocated at sampler create, small). */
typedef struct rt_orbits {
  rt_orbit_t orbit[MS_MAX_ORBITS];
  uint32_t count;                /* orbits a note may select (MS_MAX_ORBITS, or channels/2 in orbit-outputs mode) */
  uint32_t active;               /* bit k: orbit k has sends this segment */
  uint32_t awake;                /* bit k: orbit k ran and was not asleep after (runs every segment) */
  uint32_t fading;               /* bit k: orbit k's output fades out (all sound off) */
  uint32_t clearing;             /* bit k: orbit k's memory is being zeroed: no output, no sends */
  uint32_t fade_frames;
  uint32_t awake_public;         /* copy of awake for other threads (ms_orbits_awake), relaxed */
  uint32_t seg_offset;           /* block offset of the segment being rendered */
  uint64_t seg_from;             /* its absolute first frame */
  bool limiter_on;               /* the master soft limiter (rt_fx_limiter) runs on the output */
  rt_fx_limiter_t limiter;
  bool orbit_outputs;            /* orbit k has its own pair (bus k); else wet into bus 0 */
  double frames_per_cycle;       /* for lock/delaysync; 0 until ms_set_cps_at */
  uint64_t sends_dropped;        /* runs sent to an orbit without memory */
  /* Meters for the stats block (rt_meter.h): this block's peaks, the held
   * peaks, and their fall per frame (20 dB/s, set on CT). */
  float meter_block[MS_MAX_ORBITS];
  float meter_held[MS_MAX_ORBITS];
  float meter_out_held;
  float meter_fall;
} rt_orbits_t;

/* Default orbit parameters (superdough's), set = 0. RT or CT. */
void rt_orbit_params_defaults(rt_orbit_params_t *p);

/* The output bus a voice plays into: its instrument's bus (MS_PARAM_OUTPUT_BUS,
 * slot->bus), or in orbit-outputs mode its orbit's pair. Every voice, with
 * controls or without, takes it at note start (v->bus = rt_orbit_voice_bus(s,
 * slot->bus, orbit), orbit = the merged `orbit` control, MS_CONTROLS default
 * 1 when absent, like superdough), so plain voices land on their orbit's
 * pair too and keep writing into s->bus + v->bus at no cost. RT. */
static inline uint32_t rt_orbit_voice_bus(const ms_sampler_t *s, uint32_t slot_bus, uint32_t orbit) {
  const rt_orbits_t *o = s->orbits;
  if (!o->orbit_outputs) return slot_bus;
  return orbit < o->count ? orbit : o->count - 1u;
}

/* The planar destination (L at [0, buffer_size), R after) of a voice's dry
 * output at block offset 0: bus `bus`, or its orbit's pair in orbit-outputs
 * mode. RT. */
static inline float *rt_orbit_dry_bus(ms_sampler_t *s, uint32_t bus, uint32_t orbit) {
  return s->bus + (size_t)rt_orbit_voice_bus(s, bus, orbit) * 2u * s->cfg.buffer_size;
}

/* A voice's run of n frames (l, r at unity) at block offset `offset` into
 * its output and its orbit's sends, each level gliding from *from (before
 * frame 0) to *to (at frame n-1). n frames never cross the segment. RT. */
static inline void rt_orbit_mix(ms_sampler_t *s, uint32_t orbit, uint32_t bus, uint32_t offset,
                                const float *l, const float *r, uint32_t n,
                                const rt_orbit_levels_t *from, const rt_orbit_levels_t *to) {
  rt_orbits_t *o = s->orbits;
  float *L = rt_orbit_dry_bus(s, bus, orbit) + offset, *R = L + s->cfg.buffer_size;
  if (from->dry != 0.0f || to->dry != 0.0f) rt_fx_bus_send_add(L, R, l, r, n, from->dry, to->dry);
  if (from->delay == 0.0f && to->delay == 0.0f && from->room == 0.0f && to->room == 0.0f &&
      from->chorus == 0.0f && to->chorus == 0.0f)
    return;
  rt_fx_orbit_t *fx = o->orbit[orbit].fx;
  if (MS_UNLIKELY(!fx || ((o->clearing >> orbit) & 1u))) {
    o->sends_dropped++;
    return;
  }
  rt_fx_orbit_send(fx, offset - o->seg_offset, l, r, n, from->delay, to->delay, from->room, to->room);
  if (from->chorus != 0.0f || to->chorus != 0.0f)
    rt_fx_orbit_send_chorus(fx, offset - o->seg_offset, l, r, n, from->chorus, to->chorus);
  o->active |= 1u << orbit;
}

/* A note's orbit parameters (p->set says which effects), at the note's
 * frame; latched at the orbit's next grid frame. RT. */
void rt_orbit_note(ms_sampler_t *s, uint32_t orbit, const rt_orbit_params_t *p);

/* MS_CMD_ORBIT_MEMORY: install an orbit's memory (CT initialised it). RT. */
void rt_orbit_install(ms_sampler_t *s, uint32_t orbit, rt_fx_orbit_t *fx);

/* MS_CMD_CYCLE at its frame: the new cycle length; delays in cycles follow. RT. */
void rt_orbit_set_cycle(ms_sampler_t *s, double frames_per_cycle);

/* Around each segment of the block loop (rt_process.c). RT. */
static inline void rt_orbit_segment_begin(ms_sampler_t *s, uint64_t from, uint32_t offset) {
  s->orbits->seg_offset = offset;
  s->orbits->seg_from = from;
}
void rt_orbit_segment_end(ms_sampler_t *s, uint32_t n);

/* All sound off / panic: silence every orbit at once (memsets: not per block). RT. */
void rt_orbit_reset_all(ms_sampler_t *s);

/* Sampler-wide all sound off at frame f (the current segment's first frame):
 * every awake orbit fades out and is cleared (RT_ORBIT_CLEAR_BYTES). RT. */
void rt_orbit_silence(ms_sampler_t *s, uint64_t f);

#endif /* MS_RT_ORBIT_H */
