/*
 * rt_return.c — the render thread's return path: every object RT lets go of
 * (instrument data no voice uses any more, removed producers, replaced MIDI
 * maps) goes back to CT through the return ring, where ctl_collect frees it.
 * Instrument data that finds the ring full waits on an intrusive list and is
 * retried at the start of every ms_process call.
 *
 * Thread: RT only. Never allocates, locks, logs, does I/O or calls
 * JavaScript; never frees: memory is only ever freed on CT.
 */
#include "shared/engine.h"

static bool push_data(ms_sampler_t *s, rt_instrument_data_t *d) {
  ms_ret_t r = {MS_RET_INSTRUMENT_DATA, 0, d};
  if (!ring_push(&s->ret_ring, &r)) return false;
  stat_set(&s->stats.instruments_retired, stat_get(&s->stats.instruments_retired) + 1);
  return true;
}

void rt_retire_data(ms_sampler_t *s, rt_instrument_data_t *d) {
  if (push_data(s, d)) return;
  d->next_retired = s->retired_pending;
  s->retired_pending = d;
}

void rt_retire_retry(ms_sampler_t *s) {
  while (s->retired_pending && push_data(s, s->retired_pending))
    s->retired_pending = s->retired_pending->next_retired;
}

void rt_return_producer(ms_sampler_t *s, uint32_t index, struct ms_producer *p) {
  ms_ret_t r = {MS_RET_PRODUCER, index, p};
  ring_push(&s->ret_ring, &r); /* sized so this cannot fail: at most MS_MAX_PRODUCERS records */
}

bool rt_return_midi_map(ms_sampler_t *s, struct rt_midi_map *m) {
  ms_ret_t r = {MS_RET_MIDI_MAP, 0, m};
  return ring_push(&s->ret_ring, &r);
}
