/*
 * api_producer.c — the exported producer functions: an extra single-producer
 * ring for a thread other than CT that sends events (a sequencer, a MIDI
 * reader of the caller's own). Events are converted to command records here
 * (api_cmd_from_event), as every public event is.
 *
 * Thread: create/destroy CT; push: the one thread that owns the producer,
 * so push leaves no detail message (that is CT's) and never blocks.
 */
#include "api/api_internal.h"
#include "shared/engine.h"

MS_API int32_t ms_producer_create(ms_sampler_t *s, ms_producer_t **out) {
  if (!s || !out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot create producer: sampler or output pointer is NULL");
  int32_t rc = ctl_producer_create(s, out);
  if (rc == MS_ERR_LIMIT)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot create producer: all %u producer rings are in use", MS_MAX_PRODUCERS - 1);
  if (rc != MS_OK) return ctl_fail(s, rc, "Cannot create producer: out of memory");
  return MS_OK;
}

MS_API void ms_producer_destroy(ms_producer_t *p) {
  if (p) ctl_producer_destroy(p);
}

MS_API int32_t ms_producer_push(ms_producer_t *p, const ms_event_t *ev) {
  if (!p || !ev) return MS_ERR_INVALID_ARGUMENT;
  if (ev->type == MS_EV_NOTE_ON) {
    if (ev->note > 127 || ev->velocity > 127) return MS_ERR_OUT_OF_RANGE;
  } else if (ev->type < MS_EV_NOTE_OFF || ev->type > MS_EV_ALL_SOUND_OFF || ev->type == MS_EV_PARAM) {
    return MS_ERR_INVALID_ARGUMENT;
  }
  ms_cmd_t c;
  api_cmd_from_event(ev, &c);
  if (c.type == MS_CMD_NOTE_ON) c.note.gain = 1.0f; /* per-note gain is a CT feature; unity here */
  if (ring_push(&p->ring, &c)) return MS_OK;
  stat_add(&p->sampler->stats.events_dropped, 1);
  return MS_ERR_RING_FULL;
}
