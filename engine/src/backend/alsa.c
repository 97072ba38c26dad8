/*
 * alsa.c — the ALSA live backend's control side: opening and configuring the
 * PCM, starting and stopping the engine's own render thread, whose loop
 * (alsa_loop) lives in alsa_rt.c, reporting device failures, probing rates.
 *
 * Thread: CT for every function here; nothing in this file runs on the
 * render thread.
 *
 * alsa-lib prints its errors to stderr by default; the library never prints:
 * ALSA's words for a failing call come from ctl_alsa_msg.c.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend/alsa_out.h"
#include "ctl/ctl_alsa_msg.h"

/* "null", "jack", ... : the playback PCMs "aplay -L" would list. */
static void list_devices(char *out, size_t cap) {
  void **hints = NULL;
  size_t used = 0;
  out[0] = 0;
  if (snd_device_name_hint(-1, "pcm", &hints) < 0 || !hints) {
    snprintf(out, cap, "nothing");
    return;
  }
  int count = 0;
  for (void **h = hints; *h; h++) {
    char *name = snd_device_name_get_hint(*h, "NAME");
    char *io = snd_device_name_get_hint(*h, "IOID");
    if (name && (!io || strcmp(io, "Output") == 0)) {
      int n = snprintf(out + used, cap - used, "%s\"%s\"", count ? ", " : "", name);
      if (n < 0 || (size_t)n >= cap - used - 6) {
        snprintf(out + used, cap - used, ", ...");
        free(name);
        free(io);
        break;
      }
      used += (size_t)n;
      count++;
    }
    free(name);
    free(io);
  }
  snd_device_name_free_hint(hints);
  if (!count) snprintf(out, cap, "nothing");
}

/* The message for a device that cannot be opened at all. */
static int32_t fail_open(ms_sampler_t *s, const char *device, int err) {
  char list[240];
  list_devices(list, sizeof list);
  if (err == -EBUSY)
    return ctl_fail(s, MS_ERR_DEVICE_BUSY,
                    "Cannot open ALSA device \"%s\": it is in use by another program (%s): close that program, "
                    "use \"default\" (which can mix), or use --backend jack; \"aplay -L\" offers %s",
                    device, ctl_alsa_msg_text(err), list);
  return ctl_fail(s, MS_ERR_DEVICE,
                  "Cannot open ALSA device \"%s\": %s: choose one that \"aplay -L\" offers (%s); " MS_HINT_NO_DEVICE,
                  device, ctl_alsa_msg_text(err), list);
}

static const char *format_name(uint32_t f) {
  switch (f) {
    case MS_PCM_FLOAT: return "FLOAT";
    case MS_PCM_S32: return "S32";
    case MS_PCM_S16: return "S16";
    default: return "?";
  }
}

static snd_pcm_format_t to_alsa_format(uint32_t f) {
  switch (f) {
    case MS_PCM_S32: return SND_PCM_FORMAT_S32;
    case MS_PCM_S16: return SND_PCM_FORMAT_S16;
    default: return SND_PCM_FORMAT_FLOAT;
  }
}

/* ------------------------------------------------------------- CT side -- */

static void free_out(ms_sampler_t *s, alsa_out_t *a) {
  if (!a) return;
  if (a->pcm) snd_pcm_close(a->pcm);
  if (a->stop_fd >= 0) close(a->stop_fd);
  ctl_free(s, a->fbuf);
  ctl_free(s, a->ibuf);
  ctl_free(s, a->fds);
  ctl_free(s, a);
}

/* Choose the sample format: the one asked, or FLOAT, S32, S16 in turn. */
static int32_t pick_format(ms_sampler_t *s, snd_pcm_t *pcm, snd_pcm_hw_params_t *hw, const char *device,
                           uint32_t asked, uint32_t *got) {
  static const uint32_t order[] = {MS_PCM_FLOAT, MS_PCM_S32, MS_PCM_S16};
  if (asked != MS_PCM_AUTO) {
    if (snd_pcm_hw_params_test_format(pcm, hw, to_alsa_format(asked)) == 0) {
      *got = asked;
      return MS_OK;
    }
  } else {
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
      if (snd_pcm_hw_params_test_format(pcm, hw, to_alsa_format(order[i])) == 0) {
        *got = order[i];
        return MS_OK;
      }
    }
  }
  char offered[96] = "";
  size_t used = 0;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (snd_pcm_hw_params_test_format(pcm, hw, to_alsa_format(order[i])) == 0)
      used += (size_t)snprintf(offered + used, sizeof offered - used, "%s%s", used ? ", " : "", format_name(order[i]));
  if (asked != MS_PCM_AUTO)
    return ctl_fail(s, MS_ERR_UNSUPPORTED,
                    "Cannot open ALSA device \"%s\": it does not take %s samples: use %s, or \"plug:%s\" to convert",
                    device, format_name(asked), used ? offered : "another device", device);
  return ctl_fail(s, MS_ERR_UNSUPPORTED,
                  "Cannot open ALSA device \"%s\": it takes none of FLOAT, S32 or S16: use \"plug:%s\" to convert",
                  device, device);
}

static int32_t setup(ms_output_t *o, alsa_out_t *a, const char *device) {
  ms_sampler_t *s = o->sampler;
  const uint32_t rate = s->cfg.sample_rate;
  snd_pcm_hw_params_t *hw;
  snd_pcm_hw_params_alloca(&hw);
  int e = snd_pcm_hw_params_any(a->pcm, hw);
  if (e < 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot configure ALSA device \"%s\": %s", device, ctl_alsa_msg_text(e));
  if ((e = snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
    return ctl_fail(s, MS_ERR_UNSUPPORTED,
                    "Cannot configure ALSA device \"%s\": it does not take interleaved writes: use \"plug:%s\"",
                    device, device);
  uint32_t fmt = MS_PCM_FLOAT;
  int32_t rc = pick_format(s, a->pcm, hw, device, o->cfg.pcm_format, &fmt);
  if (rc != MS_OK) return rc;
  a->format = to_alsa_format(fmt);
  snd_pcm_hw_params_set_format(a->pcm, hw, a->format);
  if ((e = snd_pcm_hw_params_set_channels(a->pcm, hw, a->channels)) < 0) {
    unsigned lo = 0, hi = 0;
    snd_pcm_hw_params_get_channels_min(hw, &lo);
    snd_pcm_hw_params_get_channels_max(hw, &hi);
    return ctl_fail(s, MS_ERR_UNSUPPORTED,
                    "Cannot configure ALSA device \"%s\": it takes %u..%u channels, not the sampler's %u: create "
                    "the sampler with a channel count in that range, or use \"plug:%s\"",
                    device, lo, hi, a->channels, device);
  }
  unsigned r = rate;
  e = snd_pcm_hw_params_set_rate_near(a->pcm, hw, &r, NULL);
  if (e < 0 || r != rate)
    return ctl_fail(s, MS_ERR_UNSUPPORTED,
                    "Cannot configure ALSA device \"%s\": it does not run at %u Hz (nearest %u Hz): create the "
                    "sampler at the rate ms_output_probe_rate reports",
                    device, rate, e < 0 ? 0u : r);
  snd_pcm_uframes_t period = o->cfg.period_frames;
  if ((e = snd_pcm_hw_params_set_period_size_near(a->pcm, hw, &period, NULL)) < 0)
    return ctl_fail(s, MS_ERR_UNSUPPORTED, "Cannot configure ALSA device \"%s\": period of %u frames refused: %s",
                    device, o->cfg.period_frames, ctl_alsa_msg_text(e));
  unsigned periods = o->cfg.periods;
  if ((e = snd_pcm_hw_params_set_periods_near(a->pcm, hw, &periods, NULL)) < 0) {
    /* some plugins fix the buffer instead: ask for period * periods frames */
    snd_pcm_uframes_t buf = period * o->cfg.periods;
    if ((e = snd_pcm_hw_params_set_buffer_size_near(a->pcm, hw, &buf)) < 0)
      return ctl_fail(s, MS_ERR_UNSUPPORTED,
                      "Cannot configure ALSA device \"%s\": %u periods of %lu frames refused: %s", device,
                      o->cfg.periods, (unsigned long)period, ctl_alsa_msg_text(e));
  }
  if ((e = snd_pcm_hw_params(a->pcm, hw)) < 0)
    return ctl_fail(s, MS_ERR_UNSUPPORTED,
                    "Cannot configure ALSA device \"%s\" for %u Hz, %u channels, %s, %u x %u frames: %s", device,
                    rate, a->channels, format_name(fmt), o->cfg.periods, o->cfg.period_frames, ctl_alsa_msg_text(e));
  if ((e = snd_pcm_get_params(a->pcm, &a->buffer, &a->period)) < 0 || a->period == 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot configure ALSA device \"%s\": reading back the buffer failed: %s",
                    device, ctl_alsa_msg_text(e));

  snd_pcm_sw_params_t *sw;
  snd_pcm_sw_params_alloca(&sw);
  snd_pcm_sw_params_current(a->pcm, sw);
  /* start once the buffer is full; wake when a period has room */
  snd_pcm_sw_params_set_start_threshold(a->pcm, sw, a->buffer - a->buffer % a->period);
  snd_pcm_sw_params_set_avail_min(a->pcm, sw, a->period);
  if ((e = snd_pcm_sw_params(a->pcm, sw)) < 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot configure ALSA device \"%s\": software parameters refused: %s", device,
                    ctl_alsa_msg_text(e));

  const size_t samples = (size_t)a->period * a->channels;
  a->fbuf = ctl_alloc(s, samples * sizeof(float));
  if (fmt != MS_PCM_FLOAT) a->ibuf = ctl_alloc(s, samples * sizeof(int32_t));
  int n = snd_pcm_poll_descriptors_count(a->pcm);
  if (n < 0) n = 0;
  a->fds = ctl_alloc(s, sizeof(struct pollfd) * (size_t)(n + 1));
  if (!a->fbuf || (fmt != MS_PCM_FLOAT && !a->ibuf) || !a->fds)
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open ALSA device \"%s\": out of memory for the period buffers",
                    device);
  a->nfds = n > 0 ? snd_pcm_poll_descriptors(a->pcm, a->fds, (unsigned)n) : 0;
  if (a->nfds < 0) a->nfds = 0;
  a->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (a->stop_fd < 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot open ALSA device \"%s\": eventfd failed: %s", device, strerror(errno));
  a->fds[a->nfds].fd = a->stop_fd;
  a->fds[a->nfds].events = POLLIN;

  o->info.backend = MS_BACKEND_ALSA;
  o->info.sample_rate = rate;
  o->info.period_frames = (uint32_t)a->period;
  o->info.periods = (uint32_t)(a->buffer / a->period);
  o->info.latency_frames = (uint32_t)a->buffer;
  o->info.pcm_format = fmt;
  snprintf(o->info.device, sizeof o->info.device, "%s", device);
  return MS_OK;
}

static int32_t alsa_open(ms_output_t *o) {
  ms_sampler_t *s = o->sampler;
  const char *device = o->cfg.device;
  alsa_out_t *a = ctl_alloc(s, sizeof *a);
  if (!a) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open ALSA device \"%s\": out of memory", device);
  a->sampler = s;
  a->stop_fd = -1;
  a->channels = s->cfg.channels;
  ctl_alsa_msg_begin();
  /* non-blocking: a busy device fails at once with -EBUSY instead of waiting */
  int e = snd_pcm_open(&a->pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
  int32_t rc;
  if (e < 0) {
    a->pcm = NULL;
    rc = fail_open(s, device, e);
  } else {
    rc = setup(o, a, device);
  }
  ctl_alsa_msg_end();
  if (rc != MS_OK) {
    free_out(s, a);
    return rc;
  }
  o->impl = a;
  return MS_OK;
}

static int32_t alsa_start(ms_output_t *o) {
  alsa_out_t *a = o->impl;
  ms_sampler_t *s = o->sampler;
  uint64_t drained;
  while (read(a->stop_fd, &drained, sizeof drained) > 0) {
  }
  atomic_store_explicit(&a->stop, 0, memory_order_relaxed);
  atomic_store_explicit(&a->fault, 0, memory_order_relaxed);
  if (snd_pcm_state(a->pcm) != SND_PCM_STATE_PREPARED) {
    int e = snd_pcm_prepare(a->pcm);
    if (e < 0)
      return ctl_fail(s, MS_ERR_DEVICE, "Cannot start ALSA device \"%s\": %s", o->info.device, snd_strerror(e));
  }
  int32_t rc = ctl_thread_start(s, &a->thread, o->rt_priority, alsa_loop, a);
  o->info.sched_policy = a->thread.policy;
  o->info.sched_priority = a->thread.priority;
  return rc;
}

static int32_t alsa_stop(ms_output_t *o) {
  alsa_out_t *a = o->impl;
  /* release pairs with the render thread's acquire loads of stop */
  atomic_store_explicit(&a->stop, 1, memory_order_release);
  uint64_t one = 1;
  ssize_t ignored = write(a->stop_fd, &one, sizeof one);
  (void)ignored;
  ctl_thread_join(o->sampler, &a->thread);
  snd_pcm_drop(a->pcm);
  return MS_OK;
}

static void alsa_close(ms_output_t *o) {
  free_out(o->sampler, o->impl);
  o->impl = NULL;
}

static int32_t alsa_refresh(ms_output_t *o) {
  alsa_out_t *a = o->impl;
  /* acquire pairs with the render thread's release store of fault */
  int fault = atomic_load_explicit(&a->fault, memory_order_acquire);
  if (fault)
    return ctl_fail(o->sampler, MS_ERR_DEVICE,
                    "Cannot play through ALSA device \"%s\": it failed while playing (%s): close the output and "
                    "open it again",
                    o->info.device, snd_strerror(fault));
  return MS_OK;
}

int32_t alsa_probe_rate(ms_sampler_t *s, const char *device, uint32_t *rate) {
  snd_pcm_t *pcm = NULL;
  ctl_alsa_msg_begin();
  int e = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
  int32_t rc = MS_OK;
  if (e < 0) {
    rc = fail_open(s, device, e);
  } else {
    snd_pcm_hw_params_t *hw;
    snd_pcm_hw_params_alloca(&hw);
    unsigned r = 48000;
    if ((e = snd_pcm_hw_params_any(pcm, hw)) < 0) {
      rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot probe ALSA device \"%s\": %s", device, ctl_alsa_msg_text(e));
    } else {
      /* the device's own rate nearest 48000, not what a plug layer could resample to */
      snd_pcm_hw_params_set_rate_resample(pcm, hw, 0);
      if ((e = snd_pcm_hw_params_set_rate_near(pcm, hw, &r, NULL)) < 0)
        rc = ctl_fail(s, MS_ERR_UNSUPPORTED, "Cannot probe ALSA device \"%s\": no sample rate is offered: %s",
                      device, ctl_alsa_msg_text(e));
      else
        *rate = r;
    }
    snd_pcm_close(pcm);
  }
  ctl_alsa_msg_end();
  return rc;
}

const ms_backend_ops_t ms_backend_alsa = {
    .name = "ALSA",
    .open = alsa_open,
    .start = alsa_start,
    .stop = alsa_stop,
    .close = alsa_close,
    .refresh = alsa_refresh,
};
