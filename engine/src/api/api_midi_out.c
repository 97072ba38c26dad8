/*
 * api_midi_out.c — exported MIDI-out functions: opening an output (capture,
 * a JACK port, an ALSA sequencer port), scheduling messages and panics at a
 * frame through the control thread's ring (MS_CMD_MIDI_OUT, applied by
 * rt_midi_out.c), reading a capture output, its counters.
 *
 * Thread: CT, except ms_midi_out_counts (ANY).
 */
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "backend/backend.h"
#include "shared/midi_out.h"

MS_API int32_t ms_midi_out_open(ms_sampler_t *s, uint32_t kind, const char *name, const char *connect,
                                ms_midi_out_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI output: sampler is NULL");
  ctl_clear_error(s);
  if (!out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI output: the output pointer is NULL");
  *out = NULL;
  if (!name || !name[0] || strlen(name) >= MS_NAME_MAX || strpbrk(name, ":\n"))
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "Cannot open MIDI output \"%s\": a name is 1..63 characters without \":\" or a line break",
                    name ? name : "(null)");
  if (kind != MS_MIDI_OUT_CAPTURE && kind != MS_MIDI_OUT_JACK && kind != MS_MIDI_OUT_ALSA_SEQ)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "Cannot open MIDI output \"%s\": kind %u is not MS_MIDI_OUT_CAPTURE (0), MS_MIDI_OUT_JACK (1) or "
                    "MS_MIDI_OUT_ALSA_SEQ (2)",
                    name, kind);
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    struct ms_midi_out *o = atomic_load_explicit(&s->midi_outs[i], memory_order_relaxed); /* CT writes them */
    if (o && o->kind == kind && strcmp(o->name, name) == 0)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open MIDI output \"%s\": the sampler has one of that name "
                      "and kind open already: use it", name);
  }
  if (kind == MS_MIDI_OUT_JACK && !s->output)
    return ctl_fail(s, MS_ERR_STATE,
                    "Cannot open JACK MIDI output \"%s\": the sampler has no live output open: open it on JACK first",
                    name);
  struct ms_midi_out *o = NULL;
  int32_t rc = ctl_midi_out_new(s, kind, name, &o);
  if (rc != MS_OK) return rc;
  if (kind == MS_MIDI_OUT_JACK) rc = jack_midi_out_attach(s->output, o, connect);
  else if (kind == MS_MIDI_OUT_ALSA_SEQ) rc = ctl_midi_out_open_seq(s, o, connect);
  if (rc != MS_OK) {
    ctl_midi_out_free(s, o); /* never published: nothing else saw it */
    return rc;
  }
  /* release pairs with RT's acquire in rt_midi_out_dispatch and the JACK callback's */
  atomic_store_explicit(&s->midi_outs[o->index], o, memory_order_release);
  *out = o;
  return MS_OK;
}

/* Check one message for output o and fill its command; prefix starts messages. */
static int32_t midi_out_cmd(ms_sampler_t *s, const struct ms_midi_out *o, uint64_t frame, uint8_t status,
                            uint8_t data1, uint8_t data2, const char *prefix, ms_cmd_t *c) {
  uint8_t size;
  const uint8_t type = status & 0xF0u;
  if (status >= 0x80u && status < 0xF0u) size = (type == 0xC0u || type == 0xD0u) ? 2 : 3;
  else if (status == 0xF8u || status == 0xFAu || status == 0xFBu || status == 0xFCu) size = 1;
  else
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "%s on output \"%s\": status 0x%02X is not a channel voice message (0x80..0xEF) or clock, "
                    "start, continue, stop (0xF8, 0xFA, 0xFB, 0xFC)",
                    prefix, o->name, status);
  if (size > 1 && (data1 > 127 || (size == 3 && data2 > 127)))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s on output \"%s\": status 0x%02X with data %u, %u: data bytes are 0..127",
                    prefix, o->name, status, data1, data2);
  if (size == 1) data1 = data2 = 0;
  if (size == 2) data2 = 0;
  memset(c, 0, sizeof *c);
  c->type = MS_CMD_MIDI_OUT;
  c->frame = frame;
  c->midi_out.out = o->index;
  c->midi_out.size = size;
  c->midi_out.bytes[0] = status;
  c->midi_out.bytes[1] = data1;
  c->midi_out.bytes[2] = data2;
  return MS_OK;
}

static void panic_cmd(const struct ms_midi_out *o, uint64_t frame, ms_cmd_t *c) {
  memset(c, 0, sizeof *c);
  c->type = MS_CMD_MIDI_OUT;
  c->frame = frame;
  c->midi_out.out = o->index; /* size 0: the panic */
}

/* (api_ring_full's words; this file stays below api_events.c, which calls it) */
static int32_t ring_full(ms_sampler_t *s, const struct ms_midi_out *o, const char *what) {
  return ctl_fail(s, MS_ERR_RING_FULL,
                  "Cannot send %s on output \"%s\": the event ring is full (%u events): the engine is not "
                  "rendering, or events are sent faster than it plays them; the event was dropped",
                  what, o->name, s->cfg.ring_capacity);
}

MS_API int32_t ms_midi_out_send_at(ms_midi_out_t *o, uint64_t frame, uint8_t status, uint8_t data1, uint8_t data2) {
  if (!o) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send MIDI: the output is NULL");
  ms_sampler_t *s = o->sampler;
  ctl_clear_error(s);
  ms_cmd_t c;
  int32_t rc = midi_out_cmd(s, o, frame, status, data1, data2, "Cannot send MIDI", &c);
  if (rc != MS_OK) return rc;
  if (ctl_push(s, &c) != MS_OK) return ring_full(s, o, "MIDI");
  return MS_OK;
}

MS_API int32_t ms_midi_out_panic_at(ms_midi_out_t *o, uint64_t frame) {
  if (!o) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send MIDI note-offs: the output is NULL");
  ctl_clear_error(o->sampler);
  ms_cmd_t c;
  panic_cmd(o, frame, &c);
  if (ctl_push(o->sampler, &c) != MS_OK) return ring_full(o->sampler, o, "MIDI note-offs");
  return MS_OK;
}

int32_t api_midi_out_event_check(ms_sampler_t *s, const ms_event_t *ev, uint32_t index, ms_cmd_t *out) {
  char prefix[64];
  if (index == UINT32_MAX) snprintf(prefix, sizeof prefix, "Cannot send MIDI");
  else snprintf(prefix, sizeof prefix, "Cannot push event %u (MIDI out message)", index);
  /* acquire pairs with the release store in ms_midi_out_open (a producer thread may check) */
  const struct ms_midi_out *o =
      ev->note < MS_MIDI_MAX_OUTS ? atomic_load_explicit(&s->midi_outs[ev->note], memory_order_acquire) : NULL;
  if (!o)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: no MIDI output has index %u: open one with ms_midi_out_open",
                    prefix, ev->note);
  if (ev->instrument)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s on output \"%s\": instrument must be 0", prefix, o->name);
  if (ev->number == 0) {
    panic_cmd(o, ev->frame, out);
    return MS_OK;
  }
  if (ev->number > 0xffffffu)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s on output \"%s\": number 0x%08x is over three bytes", prefix,
                    o->name, ev->number);
  return midi_out_cmd(s, o, ev->frame, (uint8_t)(ev->number & 0xffu), (uint8_t)((ev->number >> 8) & 0xffu),
                      (uint8_t)((ev->number >> 16) & 0xffu), prefix, out);
}

MS_API uint32_t ms_midi_out_index(const ms_midi_out_t *o) { return o ? o->index : 0xffffffffu; }

MS_API uint32_t ms_midi_out_read(ms_midi_out_t *o, ms_midi_out_event_t *out, uint32_t cap) {
  if (!o || !out || o->kind != MS_MIDI_OUT_CAPTURE) return 0;
  uint32_t n = 0;
  while (n < cap && ring_pop(&o->ring, &out[n])) n++;
  return n;
}

MS_API void ms_midi_out_counts(const ms_midi_out_t *o, uint64_t *sent, uint64_t *dropped, uint64_t *sounding) {
  if (sent) *sent = o ? stat_get(&o->sent) : 0;
  if (dropped) *dropped = o ? stat_get(&o->dropped) : 0;
  if (sounding) *sounding = o ? stat_get(&o->sounding_total) : 0;
}
