/*
 * api_output.c — the exported ms_output_* functions: argument checks,
 * defaults, choosing a backend (auto: JACK when a server answers, else ALSA
 * "default"), one output per sampler, and the detail messages.
 *
 * Thread: CT for every function here. The render thread lives in the
 * backends (alsa_rt.c, jack_rt.c); nothing in this file runs on it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"

/* Samplers with an output open. A mutex, not the sampler: two samplers may
 * have different control threads. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static const ms_sampler_t *open_samplers[64];

/* MS_OK, MS_ERR_STATE (this sampler has one) or MS_ERR_LIMIT (the table is full). */
static int32_t claim(const ms_sampler_t *s) {
  const size_t n = sizeof open_samplers / sizeof open_samplers[0];
  int32_t rc = MS_ERR_LIMIT;
  pthread_mutex_lock(&open_lock);
  for (size_t i = 0; i < n; i++)
    if (open_samplers[i] == s) rc = MS_ERR_STATE;
  for (size_t i = 0; rc == MS_ERR_LIMIT && i < n; i++) {
    if (!open_samplers[i]) {
      open_samplers[i] = s;
      rc = MS_OK;
    }
  }
  pthread_mutex_unlock(&open_lock);
  return rc;
}

static void release(const ms_sampler_t *s) {
  pthread_mutex_lock(&open_lock);
  for (size_t i = 0; i < sizeof open_samplers / sizeof open_samplers[0]; i++)
    if (open_samplers[i] == s) open_samplers[i] = NULL;
  pthread_mutex_unlock(&open_lock);
}

/* Check a config and fill its defaults (device stays empty for the
 * backend's default name). */
static int32_t check_config(ms_sampler_t *s, const ms_output_config_t *in, ms_output_config_t *c,
                            const char *action) {
  memset(c, 0, sizeof *c);
  if (in) *c = *in;
  if (c->backend > MS_BACKEND_JACK)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "%s: backend %u is not MS_BACKEND_AUTO (0), MS_BACKEND_ALSA (1) or MS_BACKEND_JACK (2)", action,
                    c->backend);
  if (c->pcm_format > MS_PCM_S16)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: pcm_format %u is not one of MS_PCM_AUTO, FLOAT, S32, S16 (0..3)",
                    action, c->pcm_format);
  if (c->flags & ~(MS_OUTPUT_NO_CONNECT | MS_OUTPUT_MIDI_IN))
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "%s: flags 0x%x has unknown bits (only MS_OUTPUT_NO_CONNECT = 1, MS_OUTPUT_MIDI_IN = 2)", action,
                    c->flags);
  if (!memchr(c->device, 0, sizeof c->device))
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: device is not NUL-terminated within %zu bytes", action,
                    sizeof c->device);
  if (c->period_frames == 0) c->period_frames = 128;
  if (c->periods == 0) c->periods = 2;
  if (c->period_frames < 16 || c->period_frames > 8192)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: period_frames %u is outside 16..8192", action, c->period_frames);
  if (c->periods < 2 || c->periods > 32)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: periods %u is outside 2..32", action, c->periods);
  if (c->rt_priority < 0 || c->rt_priority > 99)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: rt_priority %d is outside 0..99", action, (int)c->rt_priority);
  return MS_OK;
}

/* Open with one backend; the device field names its device or client. */
static int32_t open_with(ms_output_t *o, const ms_backend_ops_t *ops) {
  o->ops = ops;
  memset(&o->info, 0, sizeof o->info);
  return ops->open(o);
}

MS_API int32_t ms_output_open(ms_sampler_t *s, const ms_output_config_t *config, ms_output_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot open audio output: sampler is NULL");
  ctl_clear_error(s);
  if (!out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open audio output: the output pointer is NULL");
  *out = NULL;
  ms_output_config_t c;
  int32_t rc = check_config(s, config, &c, "Cannot open audio output");
  if (rc != MS_OK) return rc;
  rc = claim(s);
  if (rc == MS_ERR_STATE)
    return ctl_fail(s, MS_ERR_STATE,
                    "Cannot open audio output: this sampler already has one open: close it first (one output per "
                    "sampler)");
  if (rc != MS_OK)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot open audio output: %zu outputs are open in this process: close one first",
                    sizeof open_samplers / sizeof open_samplers[0]);
  ms_output_t *o = ctl_alloc(s, sizeof *o);
  if (!o) {
    release(s);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open audio output: out of memory");
  }
  o->sampler = s;
  o->cfg = c;
  o->rt_priority = c.rt_priority > 0 ? c.rt_priority : s->rt_priority;

  if (c.backend == MS_BACKEND_JACK) {
    rc = open_with(o, &ms_backend_jack);
  } else if (c.backend == MS_BACKEND_ALSA) {
    if (!o->cfg.device[0]) snprintf(o->cfg.device, sizeof o->cfg.device, "%s", MS_ALSA_DEFAULT_DEVICE);
    rc = open_with(o, &ms_backend_alsa);
  } else {
    /* auto: JACK (default client name) when a server answers, else ALSA */
    ms_output_config_t asked = o->cfg;
    o->cfg.device[0] = 0;
    rc = open_with(o, &ms_backend_jack);
    if (rc == MS_ERR_NO_SERVER) {
      o->cfg = asked;
      if (!o->cfg.device[0]) snprintf(o->cfg.device, sizeof o->cfg.device, "%s", MS_ALSA_DEFAULT_DEVICE);
      rc = open_with(o, &ms_backend_alsa);
      if (rc == MS_ERR_DEVICE) {
        char alsa_msg[MS_ERRMSG_MAX];
        ms_error_message(s, alsa_msg, sizeof alsa_msg);
        /* the ALSA message already lists the devices and points to render */
        rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot open any audio output: no JACK server is running, and %s%s",
                      alsa_msg[0] == 'C' ? "c" : "", alsa_msg[0] == 'C' ? alsa_msg + 1 : alsa_msg);
      }
    } else {
      o->cfg.device[0] = 0;
    }
  }
  if (rc != MS_OK) {
    ctl_free(s, o);
    release(s);
    return rc;
  }
  *out = o;
  s->output = o; /* ms_sampler_destroy closes it if the caller did not */
  return MS_OK;
}

MS_API int32_t ms_output_start(ms_output_t *o) {
  if (!o) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot start audio output: output is NULL");
  ms_sampler_t *s = o->sampler;
  ctl_clear_error(s);
  if (o->running)
    return ctl_fail(s, MS_ERR_STATE, "Cannot start audio output \"%s\": it is already running", o->info.device);
  int32_t rc = o->ops->start(o);
  if (rc == MS_OK || rc == MS_ERR_RT_PRIORITY) {
    o->running = true; /* RT_PRIORITY is non-fatal: it plays at normal priority */
    o->info.running = 1;
  }
  return rc;
}

MS_API int32_t ms_output_stop(ms_output_t *o) {
  if (!o) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot stop audio output: output is NULL");
  if (!o->running) return MS_OK;
  int32_t rc = o->ops->stop(o);
  o->running = false;
  o->info.running = 0;
  return rc;
}

MS_API void ms_output_close(ms_output_t *o) {
  if (!o) return;
  ms_sampler_t *s = o->sampler;
  ms_output_stop(o);
  o->ops->close(o);
  release(s);
  if (s->output == o) s->output = NULL;
  ctl_free(s, o);
}

MS_API int32_t ms_output_get_info(const ms_output_t *co, ms_output_info_t *out) {
  if (!co || !out) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot read audio output info: output or out is NULL");
  ms_output_t *o = (ms_output_t *)co; /* refresh updates the cached latency and period */
  int32_t rc = o->ops->refresh(o);
  *out = o->info;
  return rc;
}

MS_API int32_t ms_output_probe_rate(const ms_output_config_t *config, uint32_t *rate) {
  ctl_clear_error(NULL);
  if (!rate) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot probe the output rate: rate is NULL");
  *rate = 0;
  ms_output_config_t c;
  int32_t rc = check_config(NULL, config, &c, "Cannot probe the output rate");
  if (rc != MS_OK) return rc;
  if (c.backend == MS_BACKEND_JACK) return jack_probe_rate(NULL, c.device, rate);
  if (c.backend == MS_BACKEND_AUTO) {
    rc = jack_probe_rate(NULL, "", rate);
    if (rc != MS_ERR_NO_SERVER) return rc;
    rc = alsa_probe_rate(NULL, c.device[0] ? c.device : MS_ALSA_DEFAULT_DEVICE, rate);
    if (rc == MS_ERR_DEVICE) {
      /* the same wording as ms_output_open in auto mode */
      char alsa_msg[MS_ERRMSG_MAX];
      ms_error_message(NULL, alsa_msg, sizeof alsa_msg);
      rc = ctl_fail(NULL, MS_ERR_DEVICE, "Cannot open any audio output: no JACK server is running, and %s%s",
                    alsa_msg[0] == 'C' ? "c" : "", alsa_msg[0] == 'C' ? alsa_msg + 1 : alsa_msg);
    }
    return rc;
  }
  return alsa_probe_rate(NULL, c.device[0] ? c.device : MS_ALSA_DEFAULT_DEVICE, rate);
}
