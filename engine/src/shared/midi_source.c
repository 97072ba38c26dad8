/*
 * midi_source.c — from a parsed MIDI message to the rings: the engine ring
 * toward the render thread, the poll ring toward JavaScript, and the clock
 * and transport counters.
 *
 * Thread: the source's single producer: an "ms-midi" input thread, or the
 * render thread itself (JACK's process callback reads JACK MIDI). So this is
 * RT code: no allocation, locks, system calls or I/O.
 */
#include "shared/midi.h"

static void poll_push(ms_sampler_t *s, ms_midi_hub_t *h, ms_midi_source_t *src, const midi_msg_t *m,
                      uint64_t arrival_ns, bool *pushed) {
  /* relaxed: a hint; a message pushed just before JS starts listening may be missed */
  if (!atomic_load_explicit(&h->listening, memory_order_relaxed)) return;
  ms_midi_message_t r = {arrival_ns, m->status, m->data1, m->data2, src->kind, 0};
  if (!ring_push(&src->poll_ring, &r)) {
    stat_add(&s->midi_stats.dropped, 1);
    return;
  }
  /* release pairs with the waiter's acquire: the record is in before the count moves */
  atomic_fetch_add_explicit(&h->polled_pushed, 1, memory_order_release);
  *pushed = true;
}

bool midi_source_deliver(ms_sampler_t *s, ms_midi_hub_t *h, ms_midi_source_t *src, const midi_msg_t *m,
                         uint64_t arrival_ns, uint64_t frame) {
  ms_midi_stats_t *st = &s->midi_stats;
  bool pushed = false;
  switch (m->status) {
    case 0xF8: {
      double bpm = midi_clock_tick(&src->clock, arrival_ns);
      stat_add(&st->clock_ticks, 1);
      if (bpm > 0.0) stat_set(&st->clock_bpm_milli, (uint64_t)(bpm * 1000.0 + 0.5));
      return false;
    }
    case 0xFA: case 0xFB: case 0xFC:
      if (m->status == 0xFA) midi_clock_reset(&src->clock);
      stat_set(&st->clock_running, m->status != 0xFC);
      stat_add(&st->clock_transport, 1);
      poll_push(s, h, src, m, arrival_ns, &pushed);
      return pushed;
    default: break;
  }
  if (m->status < 0x80 || m->status >= 0xF0) { /* system common: handlers only */
    if (m->status != 0xFE && m->status != 0xFF) poll_push(s, h, src, m, arrival_ns, &pushed);
    return pushed;
  }
  stat_add(&st->messages, 1);
  ms_cmd_t c;
  memset(&c, 0, sizeof c);
  c.frame = frame;
  c.type = MS_CMD_MIDI;
  c.midi.arrival_ns = arrival_ns;
  c.midi.status = m->status;
  c.midi.data1 = m->data1;
  c.midi.data2 = m->data2;
  if (!ring_push(&src->producer->ring, &c)) stat_add(&st->dropped, 1);
  poll_push(s, h, src, m, arrival_ns, &pushed);
  return pushed;
}
