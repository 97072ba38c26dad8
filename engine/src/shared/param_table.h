/*
 * param_table.h — the MS_PARAM_* instrument parameters, one row each:
 * X(MS_PARAM_ id, name, initial value, min, max, unit, MS_FIELD_* flags, extra)
 * Pure data. CT expands it into the argument checks and ms_field_info
 * (ctl/ctl_fields.c); RT into each instrument slot's initial values
 * (rt_dispatch.c). Polyphony's initial value 0 stands for the sampler's
 * max_polyphony; volume is in dB here and a linear gain on RT.
 *
 * Thread: any (constants only).
 */
#ifndef MS_SHARED_PARAM_TABLE_H
#define MS_SHARED_PARAM_TABLE_H

#include "midi_sampler.h"

#define MS_PARAM_TABLE(X)                                                                 \
  X(MS_PARAM_VOLUME_DB, volume_db, 0, -144, 24, "dB", 0, CTL_NO_EXTRA)                    \
  X(MS_PARAM_PAN, pan, 0, -1, 1, "", 0, CTL_NO_EXTRA)                                     \
  X(MS_PARAM_PITCH_BEND_RANGE, pitch_bend_range, 2, 0, 48, "semitones", 0, CTL_NO_EXTRA)  \
  X(MS_PARAM_VIBRATO_DEPTH, vibrato_depth, 50, 0, 1200, "cents", 0, CTL_NO_EXTRA)         \
  X(MS_PARAM_VIBRATO_RATE_HZ, vibrato_rate_hz, 5.5, 0.01, 40, "Hz", 0, CTL_NO_EXTRA)      \
  X(MS_PARAM_MOD_WHEEL, mod_wheel, 0, 0, 1, "", 0, CTL_NO_EXTRA)                          \
  X(MS_PARAM_SUSTAIN, sustain, 0, 0, 1, "", 0, CTL_NO_EXTRA)                              \
  X(MS_PARAM_POLYPHONY, polyphony, 0, 1, 4096, "voices", 0, CTL_NO_EXTRA)                 \
  X(MS_PARAM_OUTPUT_BUS, output_bus, 0, 0, MS_MAX_BUSES - 1, "bus", 0, CTL_NO_EXTRA)      \
  X(MS_PARAM_EXPRESSION, expression, 1, 0, 1, "", 0, CTL_NO_EXTRA)                        \
  X(MS_PARAM_KEYSWITCH, keyswitch, MS_NO_KEYSWITCH, 0, 127, "key", MS_FIELD_EXTRA, MS_NO_KEYSWITCH)

#endif /* MS_SHARED_PARAM_TABLE_H */
