/*
 * api_internal.h — helpers shared by the exported functions in src/api.
 * Thread: CT.
 */
#ifndef MS_API_INTERNAL_H
#define MS_API_INTERNAL_H

#include "shared/engine.h"

/* Validate a public event and convert it to the ring record RT expects
 * (api_cmd_from_event). index names the record in messages (UINT32_MAX for
 * single-event calls). */
int32_t api_event_check(ms_sampler_t *s, const ms_event_t *ev, uint32_t index, ms_cmd_t *out);

/* Convert one public event, already checked, to its command record: note
 * gain and volume from dB to linear, pitch bend to -1..1, a velocity-0
 * note-on to a note-off, a raw MIDI message to its bytes. */
void api_cmd_from_event(const ms_event_t *ev, ms_cmd_t *out);

/* Send the instrument's unpublished changes before an event that needs them. */
int32_t api_publish_for(ms_sampler_t *s, uint32_t instrument_id);

/* Message for a full ring. */
int32_t api_ring_full(ms_sampler_t *s, const char *what);

#endif
