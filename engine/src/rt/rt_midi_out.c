/*
 * rt_midi_out.c — MIDI out on the render thread: an MS_CMD_MIDI_OUT record,
 * taken off the heap on its frame, becomes an ms_midi_out_event_t in its
 * output's ring (stamped with the frame and the CLOCK_MONOTONIC time that
 * frame is rendered), and the output's count of sounding notes follows
 * note-ons and note-offs, so a panic answers each sounding note with a
 * note-off on the same frame.
 *
 * Thread: RT only. Never allocates, locks, logs, does I/O or calls
 * JavaScript. A full ring drops the message and counts it.
 */
#include "shared/midi_out.h"

static void emit(ms_sampler_t *s, struct ms_midi_out *o, uint64_t f, uint8_t size, uint8_t b0, uint8_t b1,
                 uint8_t b2) {
  ms_midi_out_event_t e;
  e.frame = f;
  /* the render call started at anchor_ns on anchor_frame: this frame's time at the output's rate */
  e.time_ns = s->anchor_ns + (f > s->anchor_frame ? (f - s->anchor_frame) * 1000000000ull / s->cfg.sample_rate : 0);
  e.size = size;
  e.bytes[0] = b0;
  e.bytes[1] = b1;
  e.bytes[2] = b2;
  e.reserved = 0;
  if (ring_push(&o->ring, &e)) stat_add(&o->sent, 1);
  else stat_add(&o->dropped, 1);
}

static void panic(ms_sampler_t *s, struct ms_midi_out *o, uint64_t f) {
  if (!stat_get(&o->sounding_total)) return;
  for (uint32_t ch = 0; ch < 16; ch++) {
    for (uint32_t k = 0; k < 128; k++) {
      /* one note-off per note-on not yet answered: a synth that stacks a key's notes releases them all */
      for (uint8_t n = o->sounding[ch][k]; n; n--) emit(s, o, f, 3, (uint8_t)(0x80u | ch), (uint8_t)k, 0);
      o->sounding[ch][k] = 0;
    }
  }
  stat_set(&o->sounding_total, 0);
}

void rt_midi_out_dispatch(ms_sampler_t *s, const ms_cmd_midi_out_t *m, uint64_t f) {
  if (m->out >= MS_MIDI_MAX_OUTS) return;
  /* acquire pairs with the release store that published the output (api_midi_out.c) */
  struct ms_midi_out *o = atomic_load_explicit(&s->midi_outs[m->out], memory_order_acquire);
  if (!o) return;
  if (m->size == 0) {
    panic(s, o, f);
    return;
  }
  const uint8_t st = m->bytes[0], type = st & 0xF0u, ch = st & 0x0Fu, key = m->bytes[1] & 0x7Fu;
  if (type == 0x90u && m->bytes[2] > 0) {
    if (o->sounding[ch][key] < 255u) {
      o->sounding[ch][key]++;
      stat_add(&o->sounding_total, 1);
    }
  } else if (type == 0x80u || type == 0x90u) {
    if (o->sounding[ch][key]) {
      o->sounding[ch][key]--;
      stat_set(&o->sounding_total, stat_get(&o->sounding_total) - 1);
    }
  }
  emit(s, o, f, m->size, st, m->bytes[1], m->bytes[2]);
}
