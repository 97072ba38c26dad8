/*
 * rt_select.c — zone selection: which zones of an instrument's current
 * version a note starts. Key, velocity and channel ranges, the note's random
 * value (lorand/hirand), keyswitches, release triggers, alternatives (round
 * robin or random, one zone per group), and the exclusive groups the started
 * zones choke (off_by is resolved on CT into each zone's choked_by).
 *
 * Thread: RT only. Must never allocate, lock, log or do I/O. Writes only
 * RT-owned state: the slot's note memory and keyswitch, the version's
 * round-robin counters and select scratch (sized by its zone count on CT:
 * no cap on how many zones one note starts) and the sampler's random
 * generator. Knows nothing of
 * voices: rt_voice.c starts what is selected here.
 */
#include "rt/rt_select.h"

#include "rt/rt_mod.h"

#define rng_next rt_rng_next

static bool zone_answers(const rt_zone_t *z, const rt_slot_t *slot, uint8_t note, uint8_t vel, uint8_t chan,
                         uint8_t trigger, float r) {
  if (note < z->lo_key || note > z->hi_key || vel < z->lo_vel || vel > z->hi_vel) return false;
  if (z->trigger != trigger || chan < z->lo_chan || chan > z->hi_chan) return false;
  if (z->sw_last != MS_NO_KEYSWITCH && z->sw_last != slot->keyswitch) return false;
  if (r < z->lo_rand || (r >= z->hi_rand && z->hi_rand < 1.0f)) return false;
  /* CC conditions (loccN/hiccN); zones that start on CC messages answer no note */
  if (MS_UNLIKELY(z->mod_flags & (RT_MOD_RANGE | RT_MOD_TRIGGER)))
    return !(z->mod_flags & RT_MOD_TRIGGER) && rt_mod_ranges_hold(z, slot);
  return true;
}

static void pick_zones(ms_sampler_t *s, rt_instrument_data_t *d, const uint32_t *match, uint32_t nm,
                       rt_selection_t *out);

/* A selection with nothing in it. */
static void clear_selection(rt_selection_t *out) {
  out->count = 0;
  out->choke_count = 0;
  out->zones = out->chokes = NULL;
}

/*
 * The zones of slot's current version that answer this key, velocity,
 * channel and trigger: layers all play, each alternative group plays one.
 */
static void select_zones(ms_sampler_t *s, rt_slot_t *slot, uint8_t note, uint8_t vel, uint8_t chan, uint8_t trigger,
                         rt_selection_t *out) {
  out->note = note;
  out->velocity = vel;
  out->trigger = trigger;
  clear_selection(out);
  rt_instrument_data_t *d = slot->data;
  if (!d || d->zone_count == 0) return;
  const float r = (float)(rng_next(s) >> 8) * 0x1p-24f; /* one random value per note, as SFZ's lorand/hirand */

  uint32_t *match = d->select_scratch, nm = 0; /* zone_count entries: every zone may match */
  for (uint32_t i = 0; i < d->zone_count; i++)
    if (zone_answers(&d->zones[i], slot, note, vel, chan, trigger, r)) match[nm++] = i;
  pick_zones(s, d, match, nm, out);
}

/* From the matching zones: every layer, one zone per alternative group; and
 * the groups they choke. The started zones and chokes go to the second and
 * third zone_count-long parts of the version's scratch (match is its first). */
static void pick_zones(ms_sampler_t *s, rt_instrument_data_t *d, const uint32_t *match, uint32_t nm,
                       rt_selection_t *out) {
  uint32_t *zones = d->select_scratch + d->zone_count, *chokes = zones + d->zone_count;
  out->zones = zones;
  out->chokes = chokes;
  /* alternatives: keep one zone per alt group, at the group's first match */
  uint32_t nc = 0;
  for (uint32_t a = 0; a < nm; a++) {
    const rt_zone_t *z = &d->zones[match[a]];
    if (z->alt_index == 0xffff) {
      zones[nc++] = match[a];
      continue;
    }
    bool first = true;
    uint32_t count = 0;
    for (uint32_t b = 0; b < nm; b++) {
      if (d->zones[match[b]].alt_index == z->alt_index) {
        if (b < a) first = false;
        count++;
      }
    }
    if (!first) continue;
    uint32_t k;
    if (z->alt_mode == MS_ALT_RANDOM) {
      k = rng_next(s) % count;
    } else {
      k = d->alt_counters[z->alt_index] % count;
      d->alt_counters[z->alt_index]++;
    }
    for (uint32_t b = 0; b < nm; b++) {
      if (d->zones[match[b]].alt_index == z->alt_index && k-- == 0) {
        zones[nc++] = match[b];
        break;
      }
    }
  }
  out->count = nc;

  /* chokes: a started zone of group g turns off the voices that g chokes */
  for (uint32_t c = 0; c < nc; c++) {
    uint32_t g = d->zones[zones[c]].exclusive_group;
    if (g) chokes[out->choke_count++] = g;
  }
}

void rt_select_note_on(ms_sampler_t *s, rt_slot_t *slot, uint8_t note, uint8_t velocity, uint8_t chan,
                       rt_selection_t *out) {
  slot->note_vel[note] = velocity;
  slot->note_chan[note] = chan;
  slot->release_pending[note] = false;
  if (slot->data && slot->data->keyswitch[note]) slot->keyswitch = note;
  select_zones(s, slot, note, velocity, chan, MS_TRIGGER_ATTACK, out);
}

void rt_select_release(ms_sampler_t *s, rt_slot_t *slot, uint8_t note, rt_selection_t *out) {
  slot->release_pending[note] = false;
  clear_selection(out);
  if (!slot->data || !slot->data->has_release_zones || !slot->note_vel[note]) return;
  select_zones(s, slot, note, slot->note_vel[note], slot->note_chan[note], MS_TRIGGER_RELEASE, out);
}

void rt_select_cc(ms_sampler_t *s, rt_slot_t *slot, uint32_t cc, uint32_t value, rt_selection_t *out) {
  out->velocity = value ? (uint8_t)value : 1u;
  out->note = 0;
  out->trigger = RT_TRIGGER_CC;
  clear_selection(out);
  rt_instrument_data_t *d = slot->data;
  if (!d || !d->has_cc_triggers) return;
  uint32_t *match = d->select_scratch, nm = 0;
  for (uint32_t i = 0; i < d->zone_count; i++) {
    const rt_zone_t *z = &d->zones[i];
    if (!(z->mod_flags & RT_MOD_TRIGGER)) continue;
    if (z->sw_last != MS_NO_KEYSWITCH && z->sw_last != slot->keyswitch) continue;
    if (rt_mod_cc_triggers(z, slot, cc, (float)value)) match[nm++] = i;
  }
  pick_zones(s, d, match, nm, out);
}
