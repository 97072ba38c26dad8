/*
 * ctl_tables.c — lookup tables the render thread reads instead of calling
 * pow/sin/tan: semitone and cent pitch ratios, a sine table (vibrato, pan law),
 * the MIDI volume curve, and tan for the filter's cutoff.
 *
 * Thread: CT, once at ms_sampler_create. The tables are immutable after.
 */
#include <math.h>

#include "rt/rt_vctl.h"
#include "shared/engine.h"

int32_t ctl_tables_build(ms_sampler_t *s) {
  s->semitone_ratio = ctl_alloc(s, 257 * sizeof(float));
  s->cent_ratio = ctl_alloc(s, 101 * sizeof(float));
  s->sine = ctl_alloc(s, (MS_SINE_TABLE_SIZE + 1) * sizeof(float));
  s->cc_gain = ctl_alloc(s, 128 * sizeof(float));
  s->tan_table = ctl_alloc(s, (MS_TAN_TABLE_SIZE + 1) * sizeof(float));
  s->scratch = ctl_alloc(s, 2 * MS_CONTROL_FRAMES * sizeof(float));
  void *vctl = ctl_alloc(s, rt_vctl_state_size(s->cfg.max_instruments, s->voice_capacity));
  if (!s->semitone_ratio || !s->cent_ratio || !s->sine || !s->cc_gain || !s->tan_table || !s->scratch || !vctl)
    return MS_ERR_NO_MEMORY;
  /* the filter's g = tan(pi * fc / fs) = tan(pi/2 * x) with x = 2 fc / fs; RT clamps x <= 0.9 */
  for (uint32_t i = 0; i < MS_TAN_TABLE_SIZE; i++)
    s->tan_table[i] = (float)tan(M_PI / 2.0 * (double)i / MS_TAN_TABLE_SIZE);
  s->tan_table[MS_TAN_TABLE_SIZE] = s->tan_table[MS_TAN_TABLE_SIZE - 1];
  for (int i = 0; i < 257; i++) s->semitone_ratio[i] = (float)pow(2.0, (i - 128) / 12.0);
  for (int c = 0; c <= 100; c++) s->cent_ratio[c] = (float)pow(2.0, c / 1200.0);
  for (uint32_t i = 0; i <= MS_SINE_TABLE_SIZE; i++)
    s->sine[i] = (float)sin(2.0 * M_PI * (double)i / MS_SINE_TABLE_SIZE);
  /* MIDI volume/expression: 40*log10(v/127) dB, i.e. (v/127)^2 in amplitude */
  for (int v = 0; v < 128; v++) s->cc_gain[v] = (float)((v / 127.0) * (v / 127.0));
  rt_vctl_init(s, vctl); /* per-note controls: instrument values, staged runs, per-voice state */
  return MS_OK;
}
