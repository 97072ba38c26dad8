/*
 * ctl_fields.h — one row per zone field, per-note parameter and instrument
 * parameter: default, range, unit. The rows expand into ms_zone_init, the
 * argument checks and their messages (ctl_fields.c), and ms_field_info,
 * which lets tests and other languages compare their own ranges with these.
 *
 * Thread: CT (and ANY for ms_field_info: the tables are constant). Never
 * included by src/rt: the render thread sees only checked values.
 *
 * Adding a zone field: the member in ms_zone_t (midi_sampler.h), one row
 * here, the render code that uses it, and one row in lib/ffi/layout.ts.
 */
#ifndef MS_CTL_FIELDS_H
#define MS_CTL_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/engine.h"
#include "shared/param_table.h"

/* No "none" value beyond min..max (the `extra` column). */
#define CTL_NO_EXTRA (-1.0)
#define CTL_U32_MAX 4294967295.0

/*
 * ms_zone_t, in struct order (reserved members left out):
 * X(member, ms_zone_init's value, min, max, unit, MS_FIELD_* flags, extra)
 * Pairs (lo/hi key, velocity, channel, random) are also checked in order by
 * ctl_check_zone; offset and loop points also against the sample's length.
 */
#define CTL_ZONE_FIELDS(X)                                                                 \
  X(lo_key, 0, 0, 127, "key", 0, CTL_NO_EXTRA)                                             \
  X(hi_key, 127, 0, 127, "key", 0, CTL_NO_EXTRA)                                           \
  X(lo_vel, 1, 1, 127, "velocity", 0, CTL_NO_EXTRA)                                        \
  X(hi_vel, 127, 1, 127, "velocity", 0, CTL_NO_EXTRA)                                      \
  X(root_key, 60, 0, 127, "key", 0, CTL_NO_EXTRA)                                          \
  X(loop_mode, MS_LOOP_AUTO, 0, MS_LOOP_SUSTAIN, "MS_LOOP_*", MS_FIELD_ENUM, CTL_NO_EXTRA) \
  X(alt_mode, MS_ALT_ROUND_ROBIN, 0, MS_ALT_RANDOM, "MS_ALT_*", MS_FIELD_ENUM, CTL_NO_EXTRA) \
  X(source, MS_SOURCE_SAMPLE, 0, MS_SOURCE_SILENCE, "MS_SOURCE_*", MS_FIELD_ENUM, CTL_NO_EXTRA) \
  X(alt_group, 0, 0, CTL_U32_MAX, "group", 0, CTL_NO_EXTRA)                                \
  X(exclusive_group, 0, 0, CTL_U32_MAX, "group", 0, CTL_NO_EXTRA)                          \
  X(tune_cents, 0, -12800, 12800, "cents", 0, CTL_NO_EXTRA)                                \
  X(gain_db, 0, -144, 24, "dB", 0, CTL_NO_EXTRA)                                           \
  X(pan, 0, -1, 1, "", 0, CTL_NO_EXTRA)                                                    \
  X(velocity_track, 1, 0, 1, "", 0, CTL_NO_EXTRA)                                          \
  X(loop_start_frames, 0, 0, CTL_U32_MAX, "frames", MS_FIELD_PER_SAMPLE, CTL_NO_EXTRA)     \
  X(loop_end_frames, 0, 1, CTL_U32_MAX, "frames", MS_FIELD_PER_SAMPLE | MS_FIELD_EXTRA, 0) \
  X(attack_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                              \
  X(hold_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                                \
  X(decay_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                               \
  X(sustain, 1, 0, 1, "", 0, CTL_NO_EXTRA)                                                 \
  X(release_s, 0.05, 0, 60, "s", 0, CTL_NO_EXTRA)                                          \
  X(offset_frames, 0, 0, CTL_U32_MAX, "frames", MS_FIELD_PER_SAMPLE, CTL_NO_EXTRA)         \
  X(trigger, MS_TRIGGER_ATTACK, 0, MS_TRIGGER_RELEASE, "MS_TRIGGER_*", MS_FIELD_ENUM, CTL_NO_EXTRA) \
  X(off_mode, MS_OFF_FAST, 0, MS_OFF_TIME, "MS_OFF_*", MS_FIELD_ENUM, CTL_NO_EXTRA)            \
  X(lo_chan, 0, 0, 15, "channel", 0, CTL_NO_EXTRA)                                         \
  X(hi_chan, 15, 0, 15, "channel", 0, CTL_NO_EXTRA)                                        \
  X(sw_last, MS_NO_KEYSWITCH, 0, 127, "key", MS_FIELD_EXTRA, MS_NO_KEYSWITCH)              \
  X(sw_lo, 127, 0, 127, "key", 0, CTL_NO_EXTRA)                                            \
  X(sw_hi, 0, 0, 127, "key", 0, CTL_NO_EXTRA)                                              \
  X(filter_type, MS_FILTER_NONE, 0, MS_FILTER_BANDPASS, "MS_FILTER_*", MS_FIELD_ENUM, CTL_NO_EXTRA) \
  X(off_by, MS_OFF_BY_OWN, 0, CTL_U32_MAX, "group", 0, CTL_NO_EXTRA)                       \
  X(pitch_keytrack, 100, -1200, 1200, "cents", 0, CTL_NO_EXTRA)                            \
  X(lo_rand, 0, 0, 1, "", 0, CTL_NO_EXTRA)                                                 \
  X(hi_rand, 1, 0, 1, "", 0, CTL_NO_EXTRA)                                                 \
  X(cutoff_hz, 20000, 10, 20000, "Hz", 0, CTL_NO_EXTRA)                                    \
  X(resonance_db, 0, 0, 40, "dB", 0, CTL_NO_EXTRA)                                         \
  X(fil_veltrack_cents, 0, -9600, 9600, "cents", 0, CTL_NO_EXTRA)                          \
  X(fil_keytrack_cents, 0, -1200, 1200, "cents", 0, CTL_NO_EXTRA)                          \
  X(fileg_depth_cents, 0, -12000, 12000, "cents", 0, CTL_NO_EXTRA)                         \
  X(fileg_attack_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                        \
  X(fileg_decay_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                         \
  X(fileg_sustain, 1, 0, 1, "", 0, CTL_NO_EXTRA)                                           \
  X(fileg_release_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                       \
  X(fil_keycenter, 60, 0, 127, "key", 0, CTL_NO_EXTRA)                                     \
  X(cutoff_cc, 0, 1, 127, "controller", MS_FIELD_EXTRA, 0)                                 \
  X(cutoff_cc_cents, 0, -9600, 9600, "cents", 0, CTL_NO_EXTRA)                            \
  X(note_polyphony, 0, 1, 255, "voices", MS_FIELD_EXTRA, 0)                               \
  X(off_time_s, 0.006, 0.001, 60, "s", 0, CTL_NO_EXTRA)                                   \
  X(width, 100, -100, 100, "%", 0, CTL_NO_EXTRA)                                           \
  X(ampeg_dynamic, 0, 0, 1, "", 0, CTL_NO_EXTRA)                                           \
  X(fileg_delay_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                         \
  X(fileg_hold_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                          \
  X(chorus_send, 0, 0, 1, "gain", 0, CTL_NO_EXTRA)                                         \
  X(penv_delay_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                          \
  X(penv_hold_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)                                          \
  X(delay_s, 0, 0, 60, "s", 0, CTL_NO_EXTRA)

/* ms_note_params_t, in struct order: X(member, default, min, max, unit, flags, extra) */
#define CTL_NOTE_FIELDS(X)                                                   \
  X(gain_db, 0, -144, 24, "dB", 0, CTL_NO_EXTRA)                             \
  X(pan, 0, -2, 2, "", 0, CTL_NO_EXTRA)                                      \
  X(tune_cents, 0, -2400, 2400, "cents", 0, CTL_NO_EXTRA)                    \
  X(start_offset_frames, 0, 0, CTL_U32_MAX, "frames", 0, CTL_NO_EXTRA)

/* MS_PARAM_* rows: MS_PARAM_TABLE in shared/param_table.h (the render thread
 * takes its initial values from there too). */
#define CTL_PARAMS(X) MS_PARAM_TABLE(X)

/* One row of a table above, as ms_field_info reports it. */
typedef struct ctl_field {
  const char *name;
  const char *unit;
  double def, min, max, extra;
  uint32_t id;    /* byte offset, or MS_PARAM_* */
  uint32_t type;  /* MS_FIELD_U8 / _U32 / _F32 */
  uint32_t flags; /* MS_FIELD_* */
} ctl_field_t;

/* The table MS_FIELDS_* names, and its row count; NULL for an unknown table. */
const ctl_field_t *ctl_fields(uint32_t table, uint32_t *count);

/* The row of an MS_PARAM_* number, or NULL. */
const ctl_field_t *ctl_param_field(uint32_t param);

/* True when v is a value the row accepts (NaN never is). */
bool ctl_field_accepts(const ctl_field_t *f, double v);

/* A field's value read from a struct by the row's offset and type. */
double ctl_field_read(const ctl_field_t *f, const void *record);

/*
 * Check every field of a record against its table (MS_FIELDS_ZONE or
 * MS_FIELDS_NOTE): on the first bad one, fail on s with "<head>: <name> <v>
 * is outside <min>..<max>" (an enum: "is unknown") and return its code.
 */
int32_t ctl_fields_check(ms_sampler_t *s, uint32_t table, const void *record, const char *head);

/*
 * Check a block of per-note controls (MS_FIELDS_CONTROL rows): a present id
 * past the table is INVALID_ARGUMENT, an enum value not a whole code
 * INVALID_ARGUMENT, a value outside its row OUT_OF_RANGE; the message names
 * the control ("<head>: cutoff 3 is outside 5..24000 Hz").
 */
int32_t ctl_controls_check(ms_sampler_t *s, const ms_controls_t *c, const char *head);

/* One control value against its row (id < MS_CONTROL_COUNT), same messages. */
int32_t ctl_control_check(ms_sampler_t *s, uint32_t id, float v, const char *head);

/* Present controls in a block. */
uint32_t ctl_controls_count(const ms_controls_t *c);

/* "<head>: <name> <v> is outside <min>..<max>" for one row: the message every check uses. */
int32_t ctl_field_fail(ms_sampler_t *s, const ctl_field_t *f, double v, const char *head);

#endif
