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

/* An MS_EV_MIDI_OUT record checked against the sampler's outputs and
 * converted to its MS_CMD_MIDI_OUT command (api_midi_out.c); index as in
 * api_event_check. */
int32_t api_midi_out_event_check(ms_sampler_t *s, const ms_event_t *ev, uint32_t index, ms_cmd_t *out);

/* Message for a full ring. */
int32_t api_ring_full(ms_sampler_t *s, const char *what);

/* A note's per-note controls as a run of MS_CMD_CONTROLS records at the
 * note's frame (checked already); *records says how many went in. */
int32_t api_push_controls(ms_sampler_t *s, uint32_t instrument, uint64_t frame, const ms_controls_t *c,
                          uint8_t *records);

/* Orbits a block of controls needs: a send (delay or room > 0) prepares its
 * orbit (the block's, else orbit 0: ctl_orbit_prepare), a named orbit is
 * checked against the orbits the output has. */
int32_t api_controls_orbit(ms_sampler_t *s, const ms_controls_t *c, const char *what);

/* A checked note event preceded by its controls' run (c may be NULL); a full
 * ring fails with the ring-full message naming `what`. */
int32_t api_push_note_with_controls(ms_sampler_t *s, const ms_event_t *note, const ms_controls_t *c,
                                    const char *what);

/* ms_push_events' checks of a run of MS_EV_CONTROL records starting at i: it
 * must end at a note-on (velocity > 0) of the same instrument and frame.
 * *end receives the note's index. */
int32_t api_control_run_check(ms_sampler_t *s, const ms_event_t *events, uint32_t count, uint32_t i,
                              uint32_t *end);

#endif
