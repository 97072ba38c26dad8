/*
 * api_sampler.c — exported sampler lifecycle, real-time setup, stats and
 * sampler-wide events.
 *
 * Thread: CT unless a function's header doc says ANY. Checks every argument
 * and leaves a detail message (ms_error_message) on each failure.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "rt/rt_orbit.h"
#include "shared/engine.h"

static _Atomic uint32_t next_serial = 1;

static int32_t check_config(ms_audio_config_t *c) {
#define DEF(f, v) if (c->f == 0) c->f = v
  DEF(sample_rate, 48000);
  DEF(channels, 2);
  DEF(max_polyphony, 64);
  DEF(buffer_size, 128);
  DEF(ring_capacity, 4096);
  DEF(max_instruments, 128);
  DEF(seed, 1);
#undef DEF
  if (c->interpolation == MS_INTERP_DEFAULT) c->interpolation = MS_INTERP_CUBIC;
#define RANGE(f, lo, hi)                                                                             \
  if (c->f < (lo) || c->f > (hi))                                                                     \
  return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot create sampler: " #f " %u is outside %u..%u", \
                  (unsigned)c->f, (unsigned)(lo), (unsigned)(hi))
  RANGE(sample_rate, 8000u, 384000u);
  RANGE(channels, 1u, MS_MAX_CHANNELS);
  RANGE(max_polyphony, 1u, 4096u);
  RANGE(buffer_size, 16u, 8192u);
  RANGE(ring_capacity, 64u, 1u << 20);
  RANGE(max_instruments, 1u, 4096u);
  RANGE(interpolation, MS_INTERP_LINEAR, MS_INTERP_CUBIC);
#undef RANGE
  if (c->flags & ~(MS_AUDIO_ORBIT_OUTPUTS | MS_AUDIO_NO_LIMITER))
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE,
                    "Cannot create sampler: flags 0x%x has bits other than MS_AUDIO_ORBIT_OUTPUTS (1) and "
                    "MS_AUDIO_NO_LIMITER (2)",
                    c->flags);
  if (c->reserved)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot create sampler: reserved %u must be 0", c->reserved);
  if ((c->flags & MS_AUDIO_ORBIT_OUTPUTS) && (c->channels % 2u))
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE,
                    "Cannot create sampler: orbit outputs need an even channel count (one pair per orbit), got %u",
                    c->channels);
  if (!ring_is_pow2(c->ring_capacity))
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot create sampler: ring_capacity %u is not a power of two",
                    c->ring_capacity);
  return MS_OK;
}

MS_API int32_t ms_sampler_create(const ms_audio_config_t *config, ms_sampler_t **out) {
  ctl_clear_error(NULL);
  if (!out) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot create sampler: the output pointer is NULL");
  *out = NULL;
  ms_audio_config_t c;
  memset(&c, 0, sizeof c);
  if (config) c = *config;
  int32_t rc = check_config(&c);
  if (rc != MS_OK) return rc;

  ms_sampler_t *s = NULL;
  if (posix_memalign((void **)&s, 64, sizeof *s) != 0)
    return ctl_fail(NULL, MS_ERR_NO_MEMORY, "Cannot create sampler: out of memory");
  memset(s, 0, sizeof *s);
  s->cfg = c;
  uint32_t serial;
  do serial = atomic_fetch_add(&next_serial, 1) & 0xffu;
  while (serial == 0);
  s->serial = serial;
  s->buses = (c.channels + 1) / 2;
  if (s->buses > MS_MAX_BUSES) s->buses = MS_MAX_BUSES;
  s->fade_frames = (uint32_t)(c.sample_rate * MS_FADE_SECONDS);
  if (s->fade_frames < 16) s->fade_frames = 16;
  s->voice_capacity = c.max_polyphony + (c.max_polyphony / 4 > 4 ? c.max_polyphony / 4 : 4);
  s->smooth_coef = (float)exp(-(double)MS_CONTROL_FRAMES / (0.005 * c.sample_rate));
  s->interpolation = c.interpolation;
  s->sample_bits = 32;
  /* splitmix64 of the seed: a non-zero xorshift state */
  uint64_t z = (uint64_t)c.seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  s->rng = (z ^ (z >> 31)) | 1u;
  s->stats.struct_size = sizeof(ms_stats_t);
  s->stats.sample_rate = c.sample_rate;

  uint32_t heap_cap = c.ring_capacity * 2;
  if (heap_cap < 1024) heap_cap = 1024;
  if (heap_cap > (1u << 20)) heap_cap = 1u << 20;
  s->heap_capacity = heap_cap;
  const uint32_t ret_cap = 1024;

  s->voices = ctl_alloc(s, sizeof(rt_voice_t) * s->voice_capacity);
  s->active = ctl_alloc(s, sizeof(uint16_t) * s->voice_capacity);
  s->slots = ctl_alloc(s, sizeof(rt_slot_t) * c.max_instruments);
  s->live_slots = ctl_alloc(s, sizeof(uint16_t) * c.max_instruments);
  s->heap = ctl_alloc(s, sizeof(rt_timed_t) * heap_cap);
  s->bus = ctl_alloc(s, sizeof(float) * s->buses * 2 * c.buffer_size);
  s->ret_storage = ctl_alloc(s, ring_storage_bytes(ret_cap, sizeof(ms_ret_t)));
  s->instruments = ctl_alloc(s, sizeof(ms_instrument_t *) * c.max_instruments);
  s->pending_remove = ctl_alloc(s, sizeof(uint32_t) * c.max_instruments);
  s->slot_generation = ctl_alloc(s, sizeof(uint16_t) * c.max_instruments);
  if (!s->voices || !s->active || !s->slots || !s->live_slots || !s->heap || !s->bus || !s->ret_storage ||
      !s->instruments || !s->pending_remove || !s->slot_generation || ctl_tables_build(s) != MS_OK ||
      ctl_orbit_init(s) != MS_OK ||
      ctl_producer_alloc(s, 0, &s->ct_producer) != MS_OK) {
    ms_sampler_destroy(s);
    return ctl_fail(NULL, MS_ERR_NO_MEMORY, "Cannot create sampler: out of memory for %u voices",
                    c.max_polyphony);
  }
  ring_init(&s->ret_ring, s->ret_storage, ret_cap, sizeof(ms_ret_t));
  *out = s;
  return MS_OK;
}

MS_API void ms_sampler_destroy(ms_sampler_t *s) {
  if (!s) return;
  /* a live output still open: stop its render thread before freeing what it reads */
  if (s->output) ms_output_close(s->output);
  if (s->recording) ms_recorder_stop(s->recording);
  ctl_midi_shutdown(s); /* join the MIDI input threads */
  ctl_midi_out_shutdown(s); /* join the MIDI output threads (ALSA): their notes get note-offs */
  /* every allocation is on the block list: instruments, samples, versions,
   * rings, the voice pool. No RT call may be running (documented). */
  ctl_unlock_all(s);
  ctl_block_t *b = s->blocks.next;
  while (b) {
    ctl_block_t *next = b->next;
    free(b);
    b = next;
  }
  free(s);
}

MS_API int32_t ms_sampler_get_config(const ms_sampler_t *s, ms_audio_config_t *out) {
  if (!s || !out) return MS_ERR_INVALID_ARGUMENT;
  *out = s->cfg;
  return MS_OK;
}

static void *probe_thread(void *arg) { return arg; }

/* Can a thread of ours run SCHED_FIFO at this priority? Try it for real. */
static int probe_fifo(int priority) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
  pthread_attr_setschedpolicy(&a, SCHED_FIFO);
  struct sched_param sp = {.sched_priority = priority};
  pthread_attr_setschedparam(&a, &sp);
  pthread_t t;
  int err = pthread_create(&t, &a, probe_thread, NULL);
  pthread_attr_destroy(&a);
  if (err == 0) pthread_join(t, NULL);
  return err;
}

MS_API int32_t ms_sampler_enable_rt(ms_sampler_t *s, int32_t priority) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot enable real-time mode: sampler is NULL");
  ctl_clear_error(s);
  int maxp = sched_get_priority_max(SCHED_FIFO);
  if (priority < 1 || priority > maxp)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot enable real-time mode: priority %d is outside 1..%d",
                    priority, maxp);
  s->rt_priority = priority;
  char msg[MS_ERRMSG_MAX] = "";
  int32_t rc = MS_OK;
  int perr = probe_fifo(priority);
  if (perr == 0) {
    s->rt_status |= MS_RT_PRIORITY_SET;
  } else {
    s->rt_status &= ~MS_RT_PRIORITY_SET;
    rc = MS_ERR_RT_PRIORITY;
    snprintf(msg, sizeof msg,
             "Could not set RT priority %d: %s: add \"@audio - rtprio 95\" to /etc/security/limits.conf and "
             "join the audio group (then log in again), or run \"setcap cap_sys_nice,cap_ipc_lock+ep\" on the "
             "program; audio carries on at normal priority",
             priority, strerror(perr));
  }
  int merr = ctl_lock_all(s);
  if (merr == 0) {
    s->rt_status |= MS_RT_MEMORY_LOCKED;
  } else {
    uint64_t mb = stat_get(&s->stats.memory_bytes) >> 20;
    ctl_unlock_all(s);
    s->rt_status &= ~MS_RT_MEMORY_LOCKED;
    size_t used = strlen(msg);
    snprintf(msg + used, sizeof msg - used,
             "%sCould not lock memory (%llu MB): %s: add \"@audio - memlock unlimited\" to "
             "/etc/security/limits.conf and join the audio group, or run \"setcap cap_ipc_lock+ep\" on the "
             "program; audio carries on unlocked",
             used ? "; " : "", (unsigned long long)mb, strerror(merr));
    if (rc == MS_OK) rc = MS_ERR_MEMLOCK;
  }
  if (rc != MS_OK) return ctl_fail(s, rc, "%s", msg);
  return MS_OK;
}

MS_API uint32_t ms_sampler_rt_status(const ms_sampler_t *s) { return s ? s->rt_status : 0; }

MS_API int32_t ms_sampler_collect(ms_sampler_t *s) {
  if (!s) return MS_ERR_INVALID_ARGUMENT;
  ctl_collect(s);
  int32_t rc = MS_OK;
  for (uint32_t i = 0; i < s->cfg.max_instruments; i++) {
    ms_instrument_t *inst = s->instruments[i];
    if (inst && inst->dirty) {
      int32_t r = ctl_instrument_publish(inst);
      if (r != MS_OK) rc = r;
    }
  }
  return rc;
}

MS_API int32_t ms_get_stats(const ms_sampler_t *s, uint64_t *frames, uint32_t *xruns) {
  if (!s) return MS_ERR_INVALID_ARGUMENT;
  if (frames) *frames = ms_sampler_now(s);
  if (xruns) *xruns = (uint32_t)stat_get(&s->stats.xruns);
  return MS_OK;
}

MS_API int32_t ms_get_stats_ex(const ms_sampler_t *s, ms_stats_t *out) {
  if (!s || !out) return MS_ERR_INVALID_ARGUMENT;
  const uint64_t *src = (const uint64_t *)&s->stats;
  uint64_t *dst = (uint64_t *)out;
  for (size_t i = 0; i < sizeof(ms_stats_t) / sizeof(uint64_t); i++) dst[i] = stat_get(&src[i]);
  return MS_OK;
}

MS_API const ms_stats_t *ms_sampler_stats_ptr(const ms_sampler_t *s) { return s ? &s->stats : NULL; }

static int32_t sampler_event(ms_sampler_t *s, uint64_t frame, uint32_t type, const char *what) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send %s: sampler is NULL", what);
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.frame = frame;
  c.type = type; /* all.instrument 0: every instrument */
  if (ctl_push(s, &c) != MS_OK) return api_ring_full(s, what);
  return MS_OK;
}

MS_API int32_t ms_all_notes_off_at(ms_sampler_t *s, uint64_t frame) {
  return sampler_event(s, frame, MS_CMD_ALL_NOTES_OFF, "all-notes-off");
}

MS_API int32_t ms_all_sound_off_at(ms_sampler_t *s, uint64_t frame) {
  return sampler_event(s, frame, MS_CMD_ALL_SOUND_OFF, "all-sound-off");
}

MS_API int32_t ms_sampler_set_interpolation(ms_sampler_t *s, uint32_t interpolation) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set interpolation: sampler is NULL");
  if (interpolation == MS_INTERP_DEFAULT) interpolation = MS_INTERP_CUBIC;
  if (interpolation > MS_INTERP_CUBIC)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot set interpolation: %u is not MS_INTERP_LINEAR (1) or MS_INTERP_CUBIC (2)",
                    interpolation);
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.frame = MS_FRAME_NOW;
  c.type = MS_CMD_SET_INTERP;
  c.interp = interpolation;
  if (ctl_push(s, &c) != MS_OK) return api_ring_full(s, "interpolation change");
  return MS_OK;
}

MS_API int32_t ms_orbit_prepare(ms_sampler_t *s, uint32_t orbit) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot prepare orbit: sampler is NULL");
  ctl_clear_error(s);
  return ctl_orbit_prepare(s, orbit, "prepare orbit");
}

MS_API int32_t ms_set_cps_at(ms_sampler_t *s, uint64_t frame, double cps) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot set cps: sampler is NULL");
  if (!(cps >= 0.001 && cps <= 1000.0))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot set cps: %g is outside 0.001..1000 (cycles per second)", cps);
  if (ctl_orbit_cycle(s, frame, cps) != MS_OK) return api_ring_full(s, "cps change");
  return MS_OK;
}

MS_API uint32_t ms_orbits_awake(const ms_sampler_t *s) {
  if (!s || !s->orbits) return 0;
  return __atomic_load_n(&s->orbits->awake_public, __ATOMIC_RELAXED);
}

MS_API int32_t ms_push_events(ms_sampler_t *s, const ms_event_t *events, uint32_t count, uint32_t *pushed) {
  if (pushed) *pushed = 0;
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot push events: sampler is NULL");
  if (!events && count) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot push events: events is NULL");
  /* check everything first: a bad record fails the call with nothing pushed */
  for (uint32_t i = 0; i < count; i++) {
    ms_cmd_t c;
    int32_t rc = api_event_check(s, &events[i], i, &c);
    if (rc != MS_OK) return rc;
    uint32_t end;
    if (events[i].type == MS_EV_CONTROL && (i == 0 || events[i - 1].type != MS_EV_CONTROL) &&
        (rc = api_control_run_check(s, events, count, i, &end)) != MS_OK)
      return rc;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (events[i].type == MS_EV_CONTROL) { /* a note's controls: they travel just before it */
      uint32_t end = i;
      while (events[end].type == MS_EV_CONTROL) end++;
      ms_controls_t run;
      memset(&run, 0, sizeof run);
      for (uint32_t k = i; k < end; k++) ms_controls_set(&run, events[k].number, events[k].value);
      int32_t rc = api_publish_for(s, events[end].instrument);
      if (rc == MS_OK) rc = api_push_note_with_controls(s, &events[end], &run, "events");
      if (rc != MS_OK) {
        stat_add(&s->stats.events_dropped, count - end - 1);
        return rc;
      }
      i = end;
      if (pushed) *pushed = i + 1;
      continue;
    }
    ms_cmd_t c;
    api_event_check(s, &events[i], i, &c);
    int32_t rc = api_publish_for(s, events[i].instrument);
    if (rc != MS_OK) return rc;
    if (ctl_push(s, &c) != MS_OK) {
      stat_add(&s->stats.events_dropped, count - i - 1);
      return ctl_fail(s, MS_ERR_RING_FULL,
                      "Cannot push events: the event ring is full after %u of %u: render more often, schedule "
                      "less far ahead, or raise ring_capacity (%u)",
                      i, count, s->cfg.ring_capacity);
    }
    if (pushed) *pushed = i + 1;
  }
  return MS_OK;
}
