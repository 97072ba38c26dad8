/*
 * jack_rt.c — the JACK live backend's render thread: the process callback
 * reads the MIDI input port (when there is one) into its producer ring,
 * renders with ms_process into a pre-allocated interleaved buffer and
 * de-interleaves it into the output ports; the buffer-size, sample-rate and
 * xrun callbacks only store atomics.
 *
 * Thread: JACK's process thread (the render thread) and JACK's notification
 * threads. Touches only ctl_alloc'ed memory and calls only ms_process,
 * ms_sampler_now, the MIDI parser and source (RT-safe), and the JACK port
 * and MIDI-buffer calls jack_port_get_buffer, jack_midi_get_event_count,
 * jack_midi_event_get, jack_midi_clear_buffer and jack_midi_event_reserve
 * (MIDI out: each output's messages into its port after the render).
 * Never allocates, locks, logs or does I/O. Built in
 * the ms_backend_rt object library, whose undefined symbols the
 * test_backend_rt_symbols test checks against an allow-list.
 */
#include <jack/midiport.h>
#include <string.h>

#include "backend/jack_out.h"
#include "shared/midi_out.h"

/* Parse this period's JACK MIDI into the port's ring, each event on its
 * frame. The events reach us in the cycle that plays them (whoever wrote
 * them ran earlier in this cycle, or JACK's MIDI driver collected them
 * during the previous one): each is stamped with the time this callback
 * sees it, so the latency measured is the engine's part: its offset into
 * the period plus processing. The output latency and, for hardware ports,
 * JACK's own period of MIDI input latency come on top. */
static void read_midi(jack_out_t *j, jack_nframes_t n) {
  void *buf = jack_port_get_buffer(j->midi_port, n);
  uint32_t count = jack_midi_get_event_count(buf);
  if (!count) return;
  ms_sampler_t *s = j->sampler;
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_acquire);
  const uint64_t base = ms_sampler_now(s);
  const uint64_t arrival = midi_mono_ns();
  for (uint32_t i = 0; i < count; i++) {
    jack_midi_event_t e;
    if (jack_midi_event_get(&e, buf, i) != 0) continue;
    jack_nframes_t at = e.time < n ? e.time : n - 1;
    midi_msg_t m;
    for (size_t b = 0; b < e.size; b++)
      if (midi_parser_feed(&j->midi->parser, e.buffer[b], &m))
        midi_source_deliver(s, h, j->midi, &m, arrival, base + at);
  }
}

/* After this period's frames [base, base + n) were rendered: each MIDI
 * output's messages (all on those frames: the render thread sent them
 * while rendering) into its port at their offset in the period, where they
 * line up with the audio of the same frames. The ring's producer (the
 * render thread) and its reader are both this thread. A port's buffer is
 * cleared every period, as JACK requires of output ports. */
static void write_midi_out(jack_out_t *j, uint64_t base, jack_nframes_t n) {
  ms_sampler_t *s = j->sampler;
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    /* acquire pairs with the release store that published the output */
    struct ms_midi_out *m = atomic_load_explicit(&s->midi_outs[i], memory_order_acquire);
    if (!m || m->jack_owner != j) continue;
    jack_port_t *port = atomic_load_explicit(&m->jack_port, memory_order_relaxed);
    if (!port) continue;
    void *buf = jack_port_get_buffer(port, n);
    jack_midi_clear_buffer(buf);
    const ms_midi_out_event_t *e;
    while ((e = ring_peek(&m->ring)) != NULL) {
      uint64_t at = e->frame > base ? e->frame - base : 0;
      if (at >= n) break; /* a later period's (not expected: sent while rendering these frames) */
      jack_midi_data_t *d = jack_midi_event_reserve(buf, (jack_nframes_t)at, e->size);
      if (d) memcpy(d, e->bytes, e->size);
      else stat_add(&m->dropped, 1); /* the port's buffer is full */
      ring_advance(&m->ring);
    }
  }
}

int jack_process(jack_nframes_t n, void *arg) {
  jack_out_t *j = arg;
  if (j->midi_port) read_midi(j, n);
  float *out[MS_MAX_CHANNELS];
  for (uint32_t p = 0; p < j->nports; p++) out[p] = jack_port_get_buffer(j->ports[p], n);
  /* relaxed: a flag; nothing else is published with it. Until jack_start
   * has made its connections (acquire pairs with its release), the
   * sampler's clock waits: silence, and no MIDI out lost on a port that
   * leads nowhere yet. */
  if (atomic_load_explicit(&j->rate_changed, memory_order_relaxed) ||
      atomic_load_explicit(&j->shutdown, memory_order_relaxed) ||
      !atomic_load_explicit(&j->connected, memory_order_acquire)) {
    for (uint32_t p = 0; p < j->nports; p++) memset(out[p], 0, sizeof(float) * n);
    write_midi_out(j, ms_sampler_now(j->sampler), n); /* nothing rendered: clears the ports */
    return 0;
  }
  const uint32_t C = j->channels;
  const uint64_t base = ms_sampler_now(j->sampler);
  uint32_t done = 0;
  while (done < n) {
    uint32_t k = n - done < j->cap_frames ? n - done : j->cap_frames;
    ms_process(j->sampler, j->ibuf, k);
    for (uint32_t c = 0; c < C; c++) {
      float *dst = out[c] + done;
      const float *src = j->ibuf + c;
      for (uint32_t f = 0; f < k; f++) dst[f] = src[(size_t)f * C];
    }
    if (C == 1) memcpy(out[1] + done, out[0] + done, sizeof(float) * k); /* mono on both outputs */
    done += k;
  }
  write_midi_out(j, base, n);
  return 0;
}

int jack_on_buffer_size(jack_nframes_t n, void *arg) {
  jack_out_t *j = arg;
  atomic_store_explicit(&j->buffer_frames, n, memory_order_relaxed);
  return 0;
}

int jack_on_sample_rate(jack_nframes_t rate, void *arg) {
  jack_out_t *j = arg;
  /* a different rate would play every note at the wrong pitch: go silent */
  atomic_store_explicit(&j->rate_changed, rate == j->rate ? 0u : (uint32_t)rate, memory_order_relaxed);
  return 0;
}

int jack_on_xrun(void *arg) {
  jack_out_t *j = arg;
  stat_add(&j->sampler->stats.xruns, 1);
  return 0;
}
