/*
 * ctl_orbit.c — the control-thread half of the orbits (rt/rt_orbit.h): the
 * sampler's orbit table and master limiter at create, an orbit's memory when
 * a note first needs it (handed to RT by MS_CMD_ORBIT_MEMORY on the CT's own
 * ring, ahead of the note), and tempo changes (MS_CMD_CYCLE).
 *
 * Thread: CT (ctl_orbit_ready: ANY). Never called by the render thread.
 * Memory stays with the sampler until ms_sampler_destroy (an orbit, once
 * prepared, is never taken back: RT never hands memory back for these).
 */
#include <math.h>
#include <string.h>

#include "rt/rt_orbit.h"
#include "shared/engine.h"

/* Delay memory: SuperDirt's 4 s maximum; roomfade up to 1 s. */
static void orbit_config(const ms_sampler_t *s, rt_fx_orbit_config_t *cfg) {
  cfg->sample_rate = (float)s->cfg.sample_rate;
  cfg->max_delay_s = RT_FX_DELAY_MAX_S;
  cfg->max_fade_s = RT_FX_REVERB_MAX_FADE_S;
  cfg->max_frames = MS_CONTROL_FRAMES; /* sends hold one segment */
}

int32_t ctl_orbit_init(ms_sampler_t *s) {
  rt_orbits_t *o = ctl_alloc(s, sizeof *o);
  if (!o) return MS_ERR_NO_MEMORY;
  o->orbit_outputs = (s->cfg.flags & MS_AUDIO_ORBIT_OUTPUTS) != 0;
  o->count = o->orbit_outputs ? s->cfg.channels / 2u : MS_MAX_ORBITS;
  if (o->count > MS_MAX_ORBITS) o->count = MS_MAX_ORBITS;
  o->limiter_on = (s->cfg.flags & MS_AUDIO_NO_LIMITER) == 0;
  rt_fx_limiter_init(&o->limiter, (float)s->cfg.sample_rate);
  o->meter_fall = powf(10.0f, -1.0f / (float)s->cfg.sample_rate); /* 20 dB per second */
  s->orbits = o;
  return MS_OK;
}

size_t ctl_orbit_bytes(const ms_sampler_t *s) {
  rt_fx_orbit_config_t cfg;
  orbit_config(s, &cfg);
  return ((sizeof(rt_fx_orbit_t) + 63u) & ~(size_t)63u) + rt_fx_orbit_bytes(&cfg);
}

int32_t ctl_orbit_check(ms_sampler_t *s, uint32_t orbit, const char *what) {
  const uint32_t count = s->orbits->count;
  if (orbit < count) return MS_OK;
  if (s->orbits->orbit_outputs)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE,
                    "Cannot %s: orbit %u is outside 0..%u (orbit outputs: one pair per orbit, %u channels)", what,
                    orbit, count - 1u, s->cfg.channels);
  return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot %s: orbit %u is outside 0..%u", what, orbit, count - 1u);
}

bool ctl_orbit_ready(const ms_sampler_t *s, uint32_t orbit) {
  return orbit < MS_MAX_ORBITS &&
         ((atomic_load_explicit(&s->orbits_prepared, memory_order_acquire) >> orbit) & 1u);
}

int32_t ctl_orbit_prepare(ms_sampler_t *s, uint32_t orbit, const char *what) {
  int32_t rc = ctl_orbit_check(s, orbit, what);
  if (rc != MS_OK) return rc;
  if (ctl_orbit_ready(s, orbit)) return MS_OK;
  rt_fx_orbit_config_t cfg;
  orbit_config(s, &cfg);
  const size_t head = (sizeof(rt_fx_orbit_t) + 63u) & ~(size_t)63u;
  char *block = ctl_alloc_uninit(s, head + rt_fx_orbit_bytes(&cfg));
  if (!block)
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot %s: out of memory for orbit %u (%zu bytes)", what, orbit,
                    head + rt_fx_orbit_bytes(&cfg));
  rt_fx_orbit_t *fx = (rt_fx_orbit_t *)block;
  rt_fx_orbit_init(fx, &cfg, block + head);
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.type = MS_CMD_ORBIT_MEMORY;
  c.frame = MS_FRAME_NOW;
  c.orbit.orbit = orbit;
  c.orbit.fx = fx;
  if (ctl_push(s, &c) != MS_OK) {
    ctl_free(s, block);
    return ctl_fail(s, MS_ERR_RING_FULL,
                    "Cannot %s: the event ring is full (%u events), so orbit %u could not be handed its memory",
                    what, s->cfg.ring_capacity, orbit);
  }
  atomic_fetch_or_explicit(&s->orbits_prepared, 1u << orbit, memory_order_release);
  return MS_OK;
}

int32_t ctl_orbit_cycle(ms_sampler_t *s, uint64_t frame, double cps) {
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.type = MS_CMD_CYCLE;
  c.frame = frame;
  c.frames_per_cycle = (double)s->cfg.sample_rate / cps;
  return ctl_push(s, &c);
}
