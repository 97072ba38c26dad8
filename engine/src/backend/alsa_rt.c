/*
 * alsa_rt.c — the ALSA live backend's render-thread loop: render a period
 * with ms_process, convert it when the device wants integers, write it with
 * snd_pcm_writei, and wait on the PCM's poll descriptors and the stop eventfd.
 *
 * Thread: the engine's own render thread ("ms-render", started by alsa.c
 * through ctl_thread.c). Touches only ctl_alloc'ed memory and calls only
 * ms_process, the conversion, poll and the ALSA PCM calls themselves (avail,
 * state, start, writei, recover with silent = 1). Never allocates, logs or
 * takes a lock of ours; failures become stats.xruns or a fault code CT reads
 * later. Built in the ms_backend_rt object library, whose undefined symbols
 * the test_backend_rt_symbols test checks against an allow-list.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>

#include "backend/alsa_out.h"

/* ------------------------------------------------ conversion (RT) -- */
static void convert_s16(const float *in, int16_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = in[i] * 32768.0f;
    if (v >= 32767.0f) out[i] = INT16_MAX;
    else if (v <= -32768.0f) out[i] = INT16_MIN;
    else out[i] = (int16_t)lrintf(v);
  }
}

static void convert_s32(const float *in, int32_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = in[i] * 2147483648.0f;
    /* 2147483647 is not a float: anything at or above 2^31 clips */
    if (v >= 2147483648.0f) out[i] = INT32_MAX;
    else if (v <= -2147483648.0f) out[i] = INT32_MIN;
    else out[i] = (int32_t)lrintf(v);
  }
}

/* ----------------------------------------------------- render loop (RT) -- */

/* After an error from the PCM: true to carry on, false when the device is
 * gone (the error is left in a->fault for CT). */
static bool rt_recover(alsa_out_t *a, int err) {
  if (err == -EAGAIN) return true;
  if (err == -EPIPE || err == -ESTRPIPE) stat_add(&a->sampler->stats.xruns, 1);
  /* silent = 1: alsa-lib must not print from the render thread */
  if (snd_pcm_recover(a->pcm, err, 1) == 0) return true;
  atomic_store_explicit(&a->fault, err, memory_order_release);
  return false;
}

/* Wait until the PCM wants data or CT asks us to stop. false = leave. */
static bool rt_wait(alsa_out_t *a) {
  for (;;) {
    /* acquire pairs with the release store in alsa_stop */
    if (atomic_load_explicit(&a->stop, memory_order_acquire)) return false;
    int r = poll(a->fds, (nfds_t)(a->nfds + 1), 1000);
    if (r < 0) {
      if (errno == EINTR) continue;
      atomic_store_explicit(&a->fault, -errno, memory_order_release);
      return false;
    }
    if (a->fds[a->nfds].revents) return false; /* the stop eventfd */
    if (r == 0) return true;                   /* re-check avail and state */
    unsigned short revents = 0;
    int e = snd_pcm_poll_descriptors_revents(a->pcm, a->fds, (unsigned)a->nfds, &revents);
    if (e < 0) return rt_recover(a, e);
    if (revents & POLLERR) {
      snd_pcm_state_t st = snd_pcm_state(a->pcm);
      if (st == SND_PCM_STATE_XRUN) return rt_recover(a, -EPIPE);
      if (st == SND_PCM_STATE_SUSPENDED) return rt_recover(a, -ESTRPIPE);
      if (st == SND_PCM_STATE_DISCONNECTED) {
        atomic_store_explicit(&a->fault, -ENODEV, memory_order_release);
        return false;
      }
    }
    if (revents & POLLOUT) return true;
  }
}

void *alsa_loop(void *arg) {
  alsa_out_t *a = arg;
  const snd_pcm_uframes_t P = a->period;
  const size_t samples = (size_t)P * a->channels;
  const size_t frame_bytes = (size_t)snd_pcm_format_physical_width(a->format) / 8u * a->channels;
  while (!atomic_load_explicit(&a->stop, memory_order_acquire)) {
    snd_pcm_sframes_t avail = snd_pcm_avail_update(a->pcm);
    if (avail < 0) {
      if (!rt_recover(a, (int)avail)) break;
      continue;
    }
    if ((snd_pcm_uframes_t)avail < P) {
      /* the buffer is full: if it has not started (a buffer that is not a
       * whole number of periods never reaches the start threshold), start */
      if (snd_pcm_state(a->pcm) == SND_PCM_STATE_PREPARED) {
        int e = snd_pcm_start(a->pcm);
        if (e < 0 && !rt_recover(a, e)) break;
        continue;
      }
      if (!rt_wait(a)) break;
      continue;
    }
    ms_process(a->sampler, a->fbuf, (uint32_t)P);
    const char *src = (const char *)a->fbuf;
    if (a->format == SND_PCM_FORMAT_S16) {
      convert_s16(a->fbuf, a->ibuf, samples);
      src = a->ibuf;
    } else if (a->format == SND_PCM_FORMAT_S32) {
      convert_s32(a->fbuf, a->ibuf, samples);
      src = a->ibuf;
    }
    snd_pcm_uframes_t left = P;
    bool ok = true;
    while (left && ok) {
      snd_pcm_sframes_t w = snd_pcm_writei(a->pcm, src, left);
      if (w >= 0) {
        left -= (snd_pcm_uframes_t)w;
        src += (size_t)w * frame_bytes;
      } else if (w == -EAGAIN) {
        ok = rt_wait(a);
      } else {
        ok = rt_recover(a, (int)w); /* after an xrun, the rest of the period still goes out */
      }
    }
    if (!ok) break;
  }
  return NULL;
}
