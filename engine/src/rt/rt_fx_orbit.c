/*
 * rt_fx_orbit.c — one orbit: memory layout, and the per-block run of its
 * delay and reverb over the send buffers (see rt_fx_orbit.h).
 *
 * Thread: rt_fx_orbit_bytes/init on CT; process/reset on RT.
 * Never: allocation, locks, I/O, libm, logging.
 */
#include "rt/rt_fx_orbit.h"

#include <string.h>

static size_t align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

size_t rt_fx_orbit_bytes(const rt_fx_orbit_config_t *cfg) {
  return align16(rt_fx_delay_bytes(cfg->sample_rate, cfg->max_delay_s)) +
         align16(rt_fx_reverb_bytes(cfg->sample_rate, cfg->max_fade_s)) +
         align16(rt_fx_chorus_bytes(cfg->sample_rate)) + 6u * align16((size_t)cfg->max_frames * sizeof(float));
}

void rt_fx_orbit_init(rt_fx_orbit_t *o, const rt_fx_orbit_config_t *cfg, void *mem) {
  memset(o, 0, sizeof *o);
  char *p = (char *)mem;
  rt_fx_delay_init(&o->delay, cfg->sample_rate, cfg->max_delay_s, p);
  p += align16(rt_fx_delay_bytes(cfg->sample_rate, cfg->max_delay_s));
  rt_fx_reverb_init(&o->reverb, cfg->sample_rate, cfg->max_fade_s, p);
  p += align16(rt_fx_reverb_bytes(cfg->sample_rate, cfg->max_fade_s));
  rt_fx_chorus_init(&o->chorus, cfg->sample_rate, p);
  p += align16(rt_fx_chorus_bytes(cfg->sample_rate));
  size_t sb = align16((size_t)cfg->max_frames * sizeof(float));
  o->send_delay_l = (float *)p;
  o->send_delay_r = (float *)(p + sb);
  o->send_room_l = (float *)(p + 2u * sb);
  o->send_room_r = (float *)(p + 3u * sb);
  o->send_chorus_l = (float *)(p + 4u * sb);
  o->send_chorus_r = (float *)(p + 5u * sb);
  memset(p, 0, 6u * sb);
  o->max_frames = cfg->max_frames;
  o->mem = mem;
  o->mem_bytes = rt_fx_orbit_bytes(cfg);
}

void rt_fx_orbit_reset_state(rt_fx_orbit_t *o) {
  rt_fx_delay_reset_state(&o->delay);
  rt_fx_reverb_reset_state(&o->reverb);
  rt_fx_chorus_reset_state(&o->chorus);
  o->delay_touched = o->room_touched = o->chorus_touched = false;
}

void rt_fx_orbit_reset(rt_fx_orbit_t *o) {
  rt_fx_delay_reset(&o->delay);
  rt_fx_reverb_reset(&o->reverb);
  rt_fx_chorus_reset(&o->chorus);
  size_t sb = (size_t)o->max_frames * sizeof(float);
  memset(o->send_delay_l, 0, sb);
  memset(o->send_delay_r, 0, sb);
  memset(o->send_room_l, 0, sb);
  memset(o->send_room_r, 0, sb);
  memset(o->send_chorus_l, 0, sb);
  memset(o->send_chorus_r, 0, sb);
  o->delay_touched = o->room_touched = o->chorus_touched = false;
}

void rt_fx_orbit_process(rt_fx_orbit_t *o, float *out_l, float *out_r, uint32_t n) {
  if (n > o->max_frames) n = o->max_frames;
  if (!o->delay_touched && !o->room_touched && !o->chorus_touched && rt_fx_orbit_asleep(o)) {
    /* Idle: only the grid position moves (what the effects' own process
     * calls would do, without the calls). */
    o->delay.phase = (o->delay.phase + n) & (MS_CONTROL_FRAMES - 1u);
    o->reverb.phase = (o->reverb.phase + n) & (MS_CONTROL_FRAMES - 1u);
    o->chorus.phase = (o->chorus.phase + n) & (MS_CONTROL_FRAMES - 1u);
    return;
  }
  rt_fx_delay_process(&o->delay, o->send_delay_l, o->send_delay_r, !o->delay_touched, out_l, out_r,
                      n);
  rt_fx_reverb_process(&o->reverb, o->send_room_l, o->send_room_r, !o->room_touched, out_l, out_r,
                       n);
  if (o->delay_touched) {
    memset(o->send_delay_l, 0, (size_t)n * sizeof(float));
    memset(o->send_delay_r, 0, (size_t)n * sizeof(float));
    o->delay_touched = false;
  }
  if (o->room_touched) {
    memset(o->send_room_l, 0, (size_t)n * sizeof(float));
    memset(o->send_room_r, 0, (size_t)n * sizeof(float));
    o->room_touched = false;
  }
  rt_fx_chorus_process(&o->chorus, o->send_chorus_l, o->send_chorus_r, !o->chorus_touched, out_l, out_r, n);
  if (o->chorus_touched) {
    memset(o->send_chorus_l, 0, (size_t)n * sizeof(float));
    memset(o->send_chorus_r, 0, (size_t)n * sizeof(float));
    o->chorus_touched = false;
  }
}
