/*
 * jack_out.h — the JACK live backend's state, shared by its control side
 * (jack.c, CT) and its process callback (jack_rt.c, JACK's process thread).
 * Allocated with ctl_alloc, so ms_sampler_enable_rt locks it.
 *
 * Thread: CT writes the plain fields before activation and after
 * deactivation; while the client runs, the callbacks share only the
 * atomics (and the MIDI source's rings, whose producer is the process
 * callback).
 */
#ifndef MS_BACKEND_JACK_OUT_H
#define MS_BACKEND_JACK_OUT_H

#include <jack/jack.h>

#include "backend/backend.h"
#include "shared/midi.h"

#define MS_JACK_MAX_FRAMES 8192u

typedef struct jack_out {
  ms_sampler_t *sampler;
  jack_client_t *client;
  jack_port_t *ports[MS_MAX_CHANNELS];
  uint32_t nports;            /* max(2, channels) */
  uint32_t channels;          /* the sampler's */
  uint32_t rate;              /* the sampler's */
  float *ibuf;                /* cap_frames * channels */
  uint32_t cap_frames;
  _Atomic uint32_t buffer_frames; /* JACK's period, from the buffer-size callback */
  _Atomic uint32_t rate_changed;  /* 0, or the server's new rate when it differs */
  _Atomic int shutdown;           /* the server went away */
  _Atomic int connected;          /* jack_start made its connections: rendering may begin */
  char shutdown_reason[160];      /* written once by the shutdown callback before the flag */
  jack_port_t *midi_port;         /* MS_OUTPUT_MIDI_IN: "midi_in", else NULL */
  ms_midi_source_t *midi;         /* its producer + poll rings (produced by the process callback) */
} jack_out_t;

/* jack_rt.c: the process callback (MIDI in, ms_process, de-interleave into
 * the ports) and the buffer-size, sample-rate and xrun callbacks, which only
 * store atomics. arg is the jack_out_t. */
int jack_process(jack_nframes_t n, void *arg);
int jack_on_buffer_size(jack_nframes_t n, void *arg);
int jack_on_sample_rate(jack_nframes_t rate, void *arg);
int jack_on_xrun(void *arg);

#endif /* MS_BACKEND_JACK_OUT_H */
