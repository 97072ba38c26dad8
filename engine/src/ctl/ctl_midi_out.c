/*
 * ctl_midi_out.c — MIDI outputs on the control side: allocating one (its
 * ring toward the reader), the ALSA sequencer output and its helper thread,
 * and the shutdown that stops those threads with the sampler.
 *
 * Threads: the ctl_* functions run on CT. An ALSA output's helper thread
 * "ms-midi-out" (normal priority) drains the output's ring every
 * millisecond and sends each message directly when its time comes: the
 * CLOCK_MONOTONIC time the render thread stamped on its frame plus the
 * live output's latency, so it leaves with the audio of that frame. It
 * never waits on the render thread or on JavaScript.
 */
#include <alsa/asoundlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "ctl/ctl_alsa_msg.h"
#include "shared/midi_out.h"

#define MS_SEQ_OUT_CLIENT_NAME "midi-sampler"

int32_t ctl_midi_out_new(ms_sampler_t *s, uint32_t kind, const char *name, struct ms_midi_out **out) {
  *out = NULL;
  uint32_t index = MS_MIDI_MAX_OUTS;
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    if (!atomic_load_explicit(&s->midi_outs[i], memory_order_relaxed)) { /* CT is the only writer */
      index = i;
      break;
    }
  }
  if (index == MS_MIDI_MAX_OUTS)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot open MIDI output \"%s\": the sampler has %u already, the most it takes",
                    name, MS_MIDI_MAX_OUTS);
  struct ms_midi_out *o = ctl_alloc(s, sizeof *o);
  void *storage = o ? ctl_alloc(s, ring_storage_bytes(MS_MIDI_OUT_RING, sizeof(ms_midi_out_event_t))) : NULL;
  if (!storage) {
    ctl_free(s, o);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI output \"%s\": out of memory", name);
  }
  o->sampler = s;
  o->index = index;
  o->kind = kind;
  snprintf(o->name, sizeof o->name, "%s", name);
  o->ring_storage = storage;
  ring_init(&o->ring, storage, MS_MIDI_OUT_RING, sizeof(ms_midi_out_event_t));
  *out = o;
  return MS_OK;
}

void ctl_midi_out_free(ms_sampler_t *s, struct ms_midi_out *o) {
  if (!o) return;
  if (o->seq) snd_seq_close(o->seq);
  ctl_free(s, o->ring_storage);
  ctl_free(s, o);
}

/* ------------------------------------------------- ALSA sequencer out -- */

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void seq_send(struct ms_midi_out *o, const ms_midi_out_event_t *e) {
  snd_seq_event_t ev;
  snd_seq_ev_clear(&ev);
  snd_seq_ev_set_source(&ev, o->seq_port);
  snd_seq_ev_set_subs(&ev);
  snd_seq_ev_set_direct(&ev);
  const uint8_t st = e->bytes[0], ch = st & 0x0Fu, d1 = e->bytes[1], d2 = e->bytes[2];
  switch (st & 0xF0u) {
    case 0x80: snd_seq_ev_set_noteoff(&ev, ch, d1, d2); break;
    case 0x90: snd_seq_ev_set_noteon(&ev, ch, d1, d2); break;
    case 0xA0: snd_seq_ev_set_keypress(&ev, ch, d1, d2); break;
    case 0xB0: snd_seq_ev_set_controller(&ev, ch, d1, d2); break;
    case 0xC0: snd_seq_ev_set_pgmchange(&ev, ch, d1); break;
    case 0xD0: snd_seq_ev_set_chanpress(&ev, ch, d1); break;
    case 0xE0: snd_seq_ev_set_pitchbend(&ev, ch, (int)(d1 | d2 << 7) - 8192); break;
    default:
      if (st == 0xF8) ev.type = SND_SEQ_EVENT_CLOCK;
      else if (st == 0xFA) ev.type = SND_SEQ_EVENT_START;
      else if (st == 0xFB) ev.type = SND_SEQ_EVENT_CONTINUE;
      else if (st == 0xFC) ev.type = SND_SEQ_EVENT_STOP;
      else return;
  }
  snd_seq_event_output_direct(o->seq, &ev);
}

static void *seq_thread(void *arg) {
  struct ms_midi_out *o = arg;
  const struct timespec tick = {0, 1000000}; /* 1 ms: the sending jitter */
  /* the frame's sound leaves the output latency after it is rendered */
  const uint64_t latency_ns = o->seq_latency_ns;
  while (!atomic_load_explicit(&o->stop, memory_order_acquire)) {
    const ms_midi_out_event_t *e;
    while ((e = ring_peek(&o->ring)) != NULL && e->time_ns + latency_ns <= mono_ns()) {
      seq_send(o, e);
      ring_advance(&o->ring);
    }
    nanosleep(&tick, NULL);
  }
  return NULL;
}

int32_t ctl_midi_out_open_seq(ms_sampler_t *s, struct ms_midi_out *o, const char *connect) {
  ctl_alsa_msg_begin(); /* ALSA's messages become ours: the library never prints */
  snd_seq_t *seq = NULL;
  int e = snd_seq_open(&seq, "default", SND_SEQ_OPEN_OUTPUT, 0);
  ctl_alsa_msg_end();
  if (e < 0) {
    bool missing = access("/dev/snd/seq", F_OK) != 0;
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot open MIDI output \"%s\" on the ALSA sequencer: %s%s", o->name,
                    ctl_alsa_msg_text(e),
                    missing ? ": /dev/snd/seq does not exist (no sound hardware, or the snd-seq module is not "
                              "loaded: modprobe snd-seq); use a JACK MIDI output instead"
                            : "");
  }
  o->seq = seq;
  snd_seq_set_client_name(seq, MS_SEQ_OUT_CLIENT_NAME);
  o->seq_port = snd_seq_create_simple_port(seq, o->name, SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
                                           SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
  if (o->seq_port < 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot create the ALSA sequencer port \"%s:%s\": %s", MS_SEQ_OUT_CLIENT_NAME,
                    o->name, snd_strerror(o->seq_port));
  if (connect && connect[0]) {
    snd_seq_addr_t addr;
    ctl_alsa_msg_begin();
    e = snd_seq_parse_address(seq, &addr, connect);
    if (e >= 0) e = snd_seq_connect_to(seq, o->seq_port, addr.client, addr.port);
    ctl_alsa_msg_end();
    if (e < 0)
      return ctl_fail(s, MS_ERR_DEVICE,
                      "Cannot connect MIDI output \"%s\" to \"%s\": %s: list ports with \"aconnect -o\" (CLIENT:PORT)",
                      o->name, connect, ctl_alsa_msg_text(e));
  }
  /* read here, on CT: the thread never touches the output handle */
  if (s->output) o->seq_latency_ns = (uint64_t)s->output->info.latency_frames * 1000000000ull / s->cfg.sample_rate;
  if (pthread_create(&o->thread, NULL, seq_thread, o) != 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot open MIDI output \"%s\": its sending thread did not start", o->name);
  pthread_setname_np(o->thread, "ms-midi-out");
  o->thread_started = true;
  return MS_OK;
}

void ctl_midi_out_shutdown(ms_sampler_t *s) {
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    struct ms_midi_out *o = atomic_load_explicit(&s->midi_outs[i], memory_order_relaxed);
    if (!o || !o->thread_started) continue;
    /* release pairs with the thread's acquire: it sends what is due, then ends */
    atomic_store_explicit(&o->stop, 1u, memory_order_release);
    pthread_join(o->thread, NULL);
    o->thread_started = false;
    /* no render call runs any more (ms_sampler_destroy): its sounding notes
     * are final; answer each so no synth keeps one hanging */
    for (uint32_t ch = 0; ch < 16; ch++)
      for (uint32_t k = 0; k < 128; k++)
        for (uint8_t n = o->sounding[ch][k]; n; n--) {
          ms_midi_out_event_t e = {.size = 3, .bytes = {(uint8_t)(0x80u | ch), (uint8_t)k, 0}};
          seq_send(o, &e);
        }
    snd_seq_close(o->seq);
    o->seq = NULL;
  }
}
