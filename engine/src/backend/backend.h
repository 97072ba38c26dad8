/*
 * backend.h — the live-output handle and the small vtable each live backend
 * (alsa.c, jack.c) fills in, plus the render-thread helper (ctl_thread.c).
 *
 * Thread: CT for every vtable entry. The render thread (the ALSA loop in
 * alsa_rt.c, JACK's process callback in jack_rt.c) touches only memory from
 * ctl_alloc (locked when ms_sampler_enable_rt is on) and never calls back
 * into this file's CT functions.
 */
#ifndef MS_BACKEND_H
#define MS_BACKEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "shared/engine.h"

struct ms_output;

typedef struct ms_backend_ops {
  const char *name; /* "ALSA", "JACK": for messages */
  /* Open the device for o->sampler with o->cfg (defaults filled in) and fill
   * o->info (backend, rate, period, periods, latency, format, device). Leaves
   * a message with ctl_fail on failure. */
  int32_t (*open)(struct ms_output *o);
  /* Start rendering. May return MS_ERR_RT_PRIORITY (non-fatal: running). */
  int32_t (*start)(struct ms_output *o);
  /* Stop rendering; no render-thread code runs after it returns. */
  int32_t (*stop)(struct ms_output *o);
  /* Release the device and the backend's memory (after stop). */
  void (*close)(struct ms_output *o);
  /* Refresh the fields of o->info that can change (latency, period, policy).
   * Returns MS_OK, or an error code with a message when the device failed
   * while running (JACK rate change, server gone, ALSA device lost). */
  int32_t (*refresh)(struct ms_output *o);
} ms_backend_ops_t;

/* The live-output handle (ms_output_t). Allocated with ctl_alloc. */
struct ms_output {
  ms_sampler_t *sampler;
  const ms_backend_ops_t *ops;
  ms_output_config_t cfg;    /* the request, defaults filled in */
  ms_output_info_t info;     /* what was obtained */
  int32_t rt_priority;       /* asked for: cfg.rt_priority, else the sampler's enable_rt priority */
  bool running;
  void *impl;                /* backend state */
};

extern const ms_backend_ops_t ms_backend_alsa;
extern const ms_backend_ops_t ms_backend_jack;

/* Probe the rate without opening for playback (ms_output_probe_rate).
 * s may be NULL (messages go to the thread's message). */
int32_t alsa_probe_rate(ms_sampler_t *s, const char *device, uint32_t *rate);
int32_t jack_probe_rate(ms_sampler_t *s, const char *client_name, uint32_t *rate);

/* Register a MIDI output port named after the output on o's JACK client
 * and connect it to `connect` when given (jack.c); the process callback
 * writes the output's messages into it from then on. Thread: CT.
 * Errors: STATE (o is not JACK), DEVICE. */
struct ms_midi_out;
int32_t jack_midi_out_attach(struct ms_output *o, struct ms_midi_out *m, const char *connect);

/* Default names. */
#define MS_ALSA_DEFAULT_DEVICE "default"
#define MS_JACK_DEFAULT_CLIENT "midi-sampler"

/* Where to send the user when there is no sound device at all. */
#define MS_HINT_NO_DEVICE \
  "there may be no sound device at all: \"deno task render\" renders to a file instead"

/* ------------------------------------------------------ render thread -- */
/* The engine's own render thread (ctl_thread.c). */
typedef struct ctl_thread {
  pthread_t tid;
  bool started;
  void *stack_block;   /* ctl_alloc'ed, so ms_sampler_enable_rt locks it */
  void *(*fn)(void *);
  void *arg;
  int32_t policy;      /* read back after start */
  int32_t priority;
} ctl_thread_t;

/*
 * Start fn(arg) on a thread named "ms-render" with its stack from ctl_alloc:
 * SCHED_FIFO at priority when priority > 0 (explicit-sched attribute). When
 * the system denies it, the thread starts at normal priority anyway and the
 * call returns MS_ERR_RT_PRIORITY with the fix in the sampler's message.
 * The policy actually in force is read back into t->policy / t->priority.
 * Thread: CT. Errors: NO_MEMORY, DEVICE (thread creation failed), RT_PRIORITY.
 */
int32_t ctl_thread_start(ms_sampler_t *s, ctl_thread_t *t, int32_t priority, void *(*fn)(void *),
                         void *arg);

/* Join the thread and free its stack. Thread: CT. */
void ctl_thread_join(ms_sampler_t *s, ctl_thread_t *t);

/* Name the calling thread "ms-render" (JACK's process thread, ours). */
void ctl_thread_name_self(void);

/* The fix text ms_sampler_enable_rt gives when SCHED_FIFO is denied. */
#define MS_RT_PRIORITY_FIX                                                                          \
  "add \"@audio - rtprio 95\" to /etc/security/limits.conf and join the audio group (then log in "  \
  "again), or run \"setcap cap_sys_nice,cap_ipc_lock+ep\" on the program; audio carries on at "     \
  "normal priority"

#endif /* MS_BACKEND_H */
