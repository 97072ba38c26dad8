/*
 * midi_out.h — one MIDI output (ms_midi_out_t) as the control thread, the
 * render thread and the output's reader share it.
 *
 * Ownership: CT allocates it (ctl_alloc, so ms_sampler_enable_rt locks it),
 * fills every field, then publishes it in ms_sampler.midi_outs with a
 * release store; it is freed with the sampler. The ring carries
 * ms_midi_out_event_t records: its producer is the render thread
 * (rt_midi_out.c); its consumer is the reader of the output's kind: JACK's
 * process callback (jack_rt.c, the same thread), the ALSA helper thread
 * (ctl_midi_out.c) or CT through ms_midi_out_read (capture). Fields marked
 * RT-owned are written only by the render thread.
 */
#ifndef MS_SHARED_MIDI_OUT_H
#define MS_SHARED_MIDI_OUT_H

#include <pthread.h>

#include "shared/engine.h"

struct ms_midi_out {
  ms_sampler_t *sampler;
  uint32_t index;              /* in sampler->midi_outs: what MS_CMD_MIDI_OUT names */
  uint32_t kind;               /* MS_MIDI_OUT_* */
  char name[MS_NAME_MAX];
  ms_ring_t ring;              /* ms_midi_out_event_t: RT -> the reader */
  void *ring_storage;
  /* JACK: the port and the output that registered it; the JACK backend
   * clears jack_port (CT, after deactivation) when it closes the client. */
  void *_Atomic jack_port;     /* jack_port_t * */
  const void *jack_owner;      /* the jack_out_t */
  char jack_connect[128];      /* a port to connect to once the client is active (CT), "" = none */
  /* ALSA sequencer: the helper thread that sends (ctl_midi_out.c) */
  void *seq;                   /* snd_seq_t * */
  int seq_port;
  uint64_t seq_latency_ns;     /* the live output's latency when the port opened (0 without one) */
  pthread_t thread;
  bool thread_started;
  _Atomic uint32_t stop;       /* CT asks the helper thread to finish */
  /* counters: one writer each (RT) */
  uint64_t sent, dropped, sounding_total;
  /* RT-owned: note-ons not yet answered, per channel and key */
  uint8_t sounding[16][128];
};

/* CT (ctl_midi_out.c): a new output of kind at the sampler's first free
 * index (not yet published); free one never published or after shutdown;
 * open an ALSA sequencer port for it and start its sending thread. Each
 * leaves a message with ctl_fail. */
int32_t ctl_midi_out_new(ms_sampler_t *s, uint32_t kind, const char *name, struct ms_midi_out **out);
void ctl_midi_out_free(ms_sampler_t *s, struct ms_midi_out *o);
int32_t ctl_midi_out_open_seq(ms_sampler_t *s, struct ms_midi_out *o, const char *connect);

#endif /* MS_SHARED_MIDI_OUT_H */
