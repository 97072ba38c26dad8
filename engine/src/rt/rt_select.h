/*
 * rt_select.h — which zones a note starts (rt_select.c), for the voice pool
 * (rt_voice.c), which starts them.
 *
 * Thread: RT only. Never allocates, locks or does I/O.
 */
#ifndef MS_RT_SELECT_H
#define MS_RT_SELECT_H

#include "shared/engine.h"

/* The zones one note starts, in the order they start, and the exclusive
 * groups whose voices they choke (one entry per started zone that has a
 * group, in the same order; a group may repeat). The arrays are the
 * version's select scratch (rt_instrument_data_t.select_scratch, sized by
 * its zone count on CT): valid until the next selection on that version, so
 * however many zones a note matches, all of them start. */
typedef struct rt_selection {
  uint8_t note, velocity;
  uint8_t trigger;                        /* MS_TRIGGER_* or RT_TRIGGER_CC */
  uint32_t count;
  const uint32_t *zones;                  /* count indices into the slot's data->zones */
  uint32_t choke_count;
  const uint32_t *chokes;                 /* choke_count exclusive groups */
} rt_selection_t;

/* A note-on of key `note`: remember its velocity and channel (for release
 * triggers), follow keyswitches, then select the attack zones. */
void rt_select_note_on(ms_sampler_t *s, rt_slot_t *slot, uint8_t note, uint8_t velocity, uint8_t chan,
                       rt_selection_t *out);

/* A key's release: its release zones, at its note-on's velocity and channel
 * (count 0 when the instrument has none or the key never sounded). Clears a
 * release deferred by the sustain pedal. */
void rt_select_release(ms_sampler_t *s, rt_slot_t *slot, uint8_t note, rt_selection_t *out);

/* A CC message (cc, value) to the slot: the zones it starts (MS_MOD_TRIGGER
 * rows, their CC conditions and keyswitch holding), trigger RT_TRIGGER_CC,
 * the value as velocity (at least 1). */
#define RT_TRIGGER_CC 0xfeu
void rt_select_cc(ms_sampler_t *s, rt_slot_t *slot, uint32_t cc, uint32_t value, rt_selection_t *out);

/* A note-off under the sustain pedal: its release zones wait for pedal up
 * (rt_select_release_pending). */
static inline void rt_select_defer_release(rt_slot_t *slot, uint8_t note) { slot->release_pending[note] = true; }
static inline bool rt_select_release_pending(const rt_slot_t *slot, uint8_t note) {
  return slot->release_pending[note];
}

#endif /* MS_RT_SELECT_H */
