/*
 * alsa_out.h — the ALSA live backend's state, shared by its control side
 * (alsa.c: open, start, stop, close on CT) and its render-thread loop
 * (alsa_rt.c). Allocated with ctl_alloc, so ms_sampler_enable_rt locks it.
 *
 * Thread: CT writes every field before the render thread starts and after it
 * is joined; while it runs, they share only `stop` and `fault` (atomics).
 */
#ifndef MS_BACKEND_ALSA_OUT_H
#define MS_BACKEND_ALSA_OUT_H

#include <alsa/asoundlib.h>
#include <poll.h>

#include "backend/backend.h"

typedef struct alsa_out {
  ms_sampler_t *sampler;
  snd_pcm_t *pcm;
  snd_pcm_format_t format;
  uint32_t channels;
  snd_pcm_uframes_t period;   /* frames per write */
  snd_pcm_uframes_t buffer;   /* frames in the device buffer */
  float *fbuf;                /* period * channels floats: ms_process output */
  void *ibuf;                 /* period * channels integers when the device wants them */
  struct pollfd *fds;         /* the PCM's descriptors, then the stop eventfd */
  int nfds;                   /* the PCM's count (the eventfd is fds[nfds]) */
  int stop_fd;
  _Atomic int stop;           /* CT sets (release) before waking the thread; RT loads (acquire) */
  _Atomic int fault;          /* RT stores the ALSA error that ended the loop; CT reads */
  ctl_thread_t thread;
} alsa_out_t;

/* The render thread's loop (alsa_rt.c): render a period, convert it when the
 * device wants integers, write it, wait on the PCM's descriptors and the stop
 * eventfd; until stop is set or the device fails. arg is the alsa_out_t. */
void *alsa_loop(void *arg);

#endif /* MS_BACKEND_ALSA_OUT_H */
