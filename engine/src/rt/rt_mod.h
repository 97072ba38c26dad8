/*
 * rt_mod.h — zone modulation rows on the render thread: the CC conditions of
 * zone selection (loccN/hiccN), the zones a CC message starts (on_loccN), and
 * the gain, pan, pitch and cutoff a zone's rows give a voice (crossfades,
 * amplitude_onccN, volume_onccN, pan_onccN, pitch_onccN, pitch_random ...).
 * The rows are built on CT (ctl_instrument_build) into one array per
 * instrument version; each zone points at its run (rt_zone_t.mods).
 *
 * Thread: RT only. Must never allocate, lock, log or do I/O; reads immutable
 * instrument data and the slot's controller values; writes only the voice
 * it is given and the sampler's random generator.
 */
#ifndef MS_RT_MOD_H
#define MS_RT_MOD_H

#include "shared/engine.h"

/* rt_zone_t.mod_flags */
#define RT_MOD_RANGE 1u   /* RANGE rows: checked at note-on */
#define RT_MOD_TRIGGER 2u /* TRIGGER rows: starts on CC messages, not notes */
#define RT_MOD_NOTE 4u    /* rows read once at note-on (velocity, key, random sources) */
#define RT_MOD_LIVE 8u    /* rows that follow a CC or the bend while the voice plays */
#define RT_MOD_BEND 16u   /* pitch rows on the bend: they replace the instrument's bend range */
#define RT_MOD_ENV 32u    /* amplitude envelope rows (MS_MOD_AMPEG_*): the voice gets its own envelope */
#define RT_MOD_WIDTH 64u  /* width not 100 % or MS_MOD_WIDTH rows: a stereo voice takes the controlled path */
#define RT_MOD_ENV_LIVE 128u /* ampeg_dynamic with envelope rows on a CC or the bend (and none random):
                                rt_mod_voice_live re-reads the envelope each control step (with RT_MOD_LIVE) */

/* The engine's seeded generator (xorshift64*): the same seed and events give
 * the same alternatives and random values. */
static inline uint32_t rt_rng_next(ms_sampler_t *s) {
  uint64_t x = s->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  s->rng = x;
  return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

/* The value of CC n (0..127) as zone rows read it: the slot's last, else the version's initial value. */
static inline float rt_mod_cc(const rt_slot_t *slot, uint32_t n) {
  if (slot->cc_seen[n >> 5] & (1u << (n & 31u))) return (float)slot->cc[n];
  return slot->data ? (float)slot->data->cc_init[n] : 0.0f;
}

/* True when every RANGE row of z holds for the slot's controllers. */
bool rt_mod_ranges_hold(const rt_zone_t *z, const rt_slot_t *slot);

/* True when a TRIGGER row of z answers CC cc at value (and its RANGE rows hold). */
bool rt_mod_cc_triggers(const rt_zone_t *z, const rt_slot_t *slot, uint32_t cc, float value);

/*
 * A voice starting: fold the rows read at note-on (velocity, key, random)
 * into its note gain, pan, cents and filter cents, and compute its live rows'
 * first values. key and vel are the note's; f the voice's first frame.
 */
void rt_mod_voice_start(ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint8_t key, uint8_t vel,
                        uint64_t f);

/* The live rows' values (v->mod_*) from the slot's controllers now, and LFOs
 * at frame f; with RT_MOD_ENV_LIVE, the voice's own envelope from its rows
 * now (the stages not begun yet take their new lengths, the current one
 * keeps its own; decay, sustain and release follow at once). */
void rt_mod_voice_live(const ms_sampler_t *s, rt_voice_t *v, const rt_slot_t *slot, uint64_t f, float *gain,
                       float *pan, float *cents, float *cutoff_cents);

/* How many of a zone's rows are LFO rows whose rate LFO_HZ rows of the zone
 * move (they keep a phase per voice): CT sizes the version's lfo_state by it. */
static inline uint32_t rt_mod_phase_rows(const ms_zone_mod_t *rows, uint32_t count) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (rows[i].source != MS_MOD_SRC_LFO || !rows[i].lfo_index) continue;
    for (uint32_t k = 0; k < count; k++) {
      if (rows[k].target == MS_MOD_LFO_HZ && rows[k].lfo_index == rows[i].lfo_index) {
        n++;
        break;
      }
    }
  }
  return n;
}

/* A stereo voice's width now (-1..1): its zone's plus its MS_MOD_WIDTH rows
 * at the slot's controllers (CC, bend; velocity and key are the note's). */
float rt_mod_width(const rt_voice_t *v, const rt_slot_t *slot);

/* Width w (-1..1) as the two gains of its 2x2 matrix, as sfizz's width: with
 * p = (w + 1) / 2, *same = sin(p pi/2) and *cross = cos(p pi/2), so
 * L' = l * same + r * cross and R' = l * cross + r * same (w 1 leaves the
 * channels as they are, 0 gives both (l + r) * 0.7071, -1 swaps them). */
void rt_mod_width_gains(float w, float *same, float *cross);

#endif
