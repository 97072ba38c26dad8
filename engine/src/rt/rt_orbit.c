/*
 * rt_orbit.c — the sampler's orbits on the render thread: a note's orbit
 * parameters, the installation of an orbit's memory from CT, the cycle length
 * for delays in cycles, and the run of the orbits that have sends or a tail
 * over each segment of the block loop (see rt_orbit.h).
 *
 * Thread: RT only. Never: allocation, locks, I/O, libm, logging.
 */
#include "rt/rt_orbit.h"

#include <string.h>

#include "rt/rt_meter.h"

void rt_orbit_params_defaults(rt_orbit_params_t *p) {
  p->set = 0;
  p->delay.time = RT_FX_DELAY_DEFAULT_S;
  p->delay.feedback = RT_FX_DELAY_DEFAULT_FEEDBACK;
  p->delay.sync = 0;
  p->delay.frames_per_cycle = 0.0;
  rt_fx_reverb_defaults(&p->reverb);
}

/* The cycle length a delay in cycles uses when its note brought none: the
 * sampler's (MS_CMD_CYCLE), else superdough's default 0.5 cycles per second. */
static double cycle_frames(const ms_sampler_t *s) {
  const rt_orbits_t *o = s->orbits;
  return o->frames_per_cycle > 0.0 ? o->frames_per_cycle : 2.0 * (double)s->cfg.sample_rate;
}

void rt_orbit_note(ms_sampler_t *s, uint32_t orbit, const rt_orbit_params_t *p) {
  rt_orbits_t *o = s->orbits;
  if (orbit >= o->count) return; /* refused on CT; kept safe here */
  rt_orbit_t *ob = &o->orbit[orbit];
  if (p->set & RT_ORBIT_SET_DELAY) {
    ob->delay = p->delay;
    if (!(ob->delay.frames_per_cycle > 0.0)) ob->delay.frames_per_cycle = cycle_frames(s);
    if (ob->fx) rt_fx_orbit_set_delay(ob->fx, &ob->delay);
  }
  if ((p->set & RT_ORBIT_SET_REVERB) && ob->fx) rt_fx_orbit_set_reverb(ob->fx, &p->reverb);
}

void rt_orbit_install(ms_sampler_t *s, uint32_t orbit, rt_fx_orbit_t *fx) {
  rt_orbits_t *o = s->orbits;
  if (orbit >= MS_MAX_ORBITS || !fx || o->orbit[orbit].fx) return;
  o->orbit[orbit].fx = fx;
  /* Asleep, it would only have counted its grid position: set it. */
  fx->delay.phase = fx->reverb.phase = fx->chorus.phase = (uint32_t)(s->now & (MS_CONTROL_FRAMES - 1u));
}

void rt_orbit_set_cycle(ms_sampler_t *s, double frames_per_cycle) {
  rt_orbits_t *o = s->orbits;
  if (!(frames_per_cycle > 0.0)) return;
  o->frames_per_cycle = frames_per_cycle;
  for (uint32_t k = 0; k < MS_MAX_ORBITS; k++) {
    rt_orbit_t *ob = &o->orbit[k];
    if (!ob->delay.sync) continue;
    /* The tempo changed: a delay in cycles follows (from the orbit's next
     * grid frame, crossfading like any new delay time). */
    ob->delay.frames_per_cycle = frames_per_cycle;
    if (ob->fx) rt_fx_orbit_set_delay(ob->fx, &ob->delay);
  }
}

void rt_orbit_silence(ms_sampler_t *s, uint64_t f) {
  rt_orbits_t *o = s->orbits;
  uint32_t start = o->awake & ~(o->fading | o->clearing);
  o->fade_frames = s->fade_frames;
  while (start) {
    const uint32_t k = (uint32_t)__builtin_ctz(start);
    start &= start - 1u;
    o->orbit[k].silence_from = f;
    o->orbit[k].cleared = 0;
    o->fading |= 1u << k;
  }
}

/* The frames [from, from + n) of a fading orbit: run into the scratch pair,
 * add with the fade's gain (1 - (t - f + 1) / F at frame t); true once the
 * fade has ended (the orbit then clears). */
static bool run_fading(ms_sampler_t *s, rt_orbit_t *ob, float *L, float *R, uint64_t from, uint32_t n) {
  const rt_orbits_t *o = s->orbits;
  float *tl = s->scratch, *tr = s->scratch + MS_CONTROL_FRAMES;
  memset(tl, 0, sizeof(float) * n);
  memset(tr, 0, sizeof(float) * n);
  rt_fx_orbit_process(ob->fx, tl, tr, n);
  const float inv = 1.0f / (float)o->fade_frames;
  const uint64_t end = ob->silence_from + o->fade_frames;
  for (uint32_t i = 0; i < n && from + i < end; i++) {
    const float g = 1.0f - (float)(from + i - ob->silence_from + 1u) * inv;
    L[i] += tl[i] * g;
    R[i] += tr[i] * g;
  }
  return from + n >= end;
}

/* Zero the part of a clearing orbit's memory due by the end of the frames
 * [from, from + n); true at the grid frame that ends the clearing (all of
 * it zero, the orbit as new: it takes sends again from there). */
static bool run_clearing(const rt_orbits_t *o, rt_orbit_t *ob, uint64_t from, uint32_t n) {
  const uint64_t c0 = ob->silence_from + o->fade_frames; /* clearing starts here */
  const uint64_t total = ob->fx->mem_bytes;
  uint64_t end = c0 + (total + RT_ORBIT_CLEAR_BYTES - 1u) / RT_ORBIT_CLEAR_BYTES;
  end = (end + MS_CONTROL_FRAMES - 1u) / MS_CONTROL_FRAMES * MS_CONTROL_FRAMES;
  uint64_t due = from + n > c0 ? (from + n - c0) * RT_ORBIT_CLEAR_BYTES : 0;
  if (due > total || from + n >= end) due = total;
  if (due > ob->cleared) {
    memset((char *)ob->fx->mem + ob->cleared, 0, (size_t)(due - ob->cleared));
    ob->cleared = (size_t)due;
  }
  if (from + n < end) return false;
  rt_fx_orbit_reset_state(ob->fx);
  return true;
}

void rt_orbit_segment_end(ms_sampler_t *s, uint32_t n) {
  rt_orbits_t *o = s->orbits;
  if (MS_UNLIKELY(o->clearing)) {
    uint32_t c = o->clearing;
    while (c) {
      const uint32_t k = (uint32_t)__builtin_ctz(c);
      c &= c - 1u;
      if (run_clearing(o, &o->orbit[k], o->seg_from, n)) o->clearing &= ~(1u << k);
    }
  }
  uint32_t run = (o->active | o->awake) & ~o->clearing;
  if (!run) return;
  uint32_t awake = 0;
  const uint32_t phase = (uint32_t)(o->seg_from & (MS_CONTROL_FRAMES - 1u));
  while (run) {
    const uint32_t k = (uint32_t)__builtin_ctz(run);
    run &= run - 1u;
    rt_fx_orbit_t *fx = o->orbit[k].fx;
    if (!(o->awake & (1u << k))) {
      /* It slept uncounted since its last run: an asleep effect only counts
       * its grid position, which the absolute frame gives. */
      fx->delay.phase = fx->reverb.phase = fx->chorus.phase = phase;
    }
    float *L = s->bus + (size_t)(o->orbit_outputs ? k : 0u) * 2u * s->cfg.buffer_size + o->seg_offset;
    /* the meter (rt_meter.h) takes what the effects add to the shared bus;
     * in orbit-outputs mode it reads the orbit's whole pair after the block */
    float before[2u * MS_CONTROL_FRAMES];
    const bool meter = !o->orbit_outputs && n <= MS_CONTROL_FRAMES;
    if (meter) {
      memcpy(before, L, sizeof(float) * n);
      memcpy(before + MS_CONTROL_FRAMES, L + s->cfg.buffer_size, sizeof(float) * n);
    }
    if (MS_UNLIKELY((o->fading >> k) & 1u)) {
      if (run_fading(s, &o->orbit[k], L, L + s->cfg.buffer_size, o->seg_from, n)) {
        o->fading &= ~(1u << k);
        o->clearing |= 1u << k; /* cleared from the next segment on; no output meanwhile */
      } else if (!rt_fx_orbit_asleep(fx)) {
        awake |= 1u << k;
      } else {
        o->fading &= ~(1u << k); /* fell asleep while fading: nothing left to clear */
      }
    } else {
      rt_fx_orbit_process(fx, L, L + s->cfg.buffer_size, n);
      if (!rt_fx_orbit_asleep(fx)) awake |= 1u << k;
    }
    if (meter) {
      float p = rt_meter_peak_added(L, before, n, o->meter_block[k]);
      o->meter_block[k] =
          rt_meter_peak_added(L + s->cfg.buffer_size, before + MS_CONTROL_FRAMES, n, p);
    }
  }
  o->active = 0;
  o->awake = awake;
  __atomic_store_n(&o->awake_public, awake, __ATOMIC_RELAXED);
}

void rt_orbit_reset_all(ms_sampler_t *s) {
  rt_orbits_t *o = s->orbits;
  for (uint32_t k = 0; k < MS_MAX_ORBITS; k++)
    if (o->orbit[k].fx) rt_fx_orbit_reset(o->orbit[k].fx);
  o->active = o->awake = o->fading = o->clearing = 0;
  __atomic_store_n(&o->awake_public, 0u, __ATOMIC_RELAXED);
}
