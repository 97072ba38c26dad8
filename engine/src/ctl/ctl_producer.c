/*
 * ctl_producer.c — the producer rings toward the render thread: allocating
 * one (index 0 is the control thread's own, made with the sampler; 1.. are
 * for other threads: a MIDI reader, JACK's MIDI port, a caller's sequencer)
 * and asking RT to let one go, after which ctl_collect frees it.
 *
 * Thread: CT. Never touches a ring's contents: the producer thread pushes,
 * RT drains. No detail messages here: callers word their own.
 */
#include "shared/engine.h"

int32_t ctl_producer_alloc(ms_sampler_t *s, uint32_t index, ms_producer_t **out) {
  ms_producer_t *p = ctl_alloc(s, sizeof *p);
  void *st = p ? ctl_alloc(s, ring_storage_bytes(s->cfg.ring_capacity, sizeof(ms_cmd_t))) : NULL;
  if (!st) {
    ctl_free(s, p);
    return MS_ERR_NO_MEMORY;
  }
  ring_init(&p->ring, st, s->cfg.ring_capacity, sizeof(ms_cmd_t));
  p->sampler = s;
  p->index = index;
  p->storage = st;
  s->producer_used[index] = true;
  /* release pairs with RT's acquire load in drain(): the ring is set up
   * before RT can see the pointer */
  atomic_store_explicit(&s->producers[index], p, memory_order_release);
  *out = p;
  return MS_OK;
}

int32_t ctl_producer_create(ms_sampler_t *s, ms_producer_t **out) {
  ctl_collect(s); /* producers RT has let go free their index */
  for (uint32_t i = 1; i < MS_MAX_PRODUCERS; i++)
    if (!s->producer_used[i]) return ctl_producer_alloc(s, i, out);
  return MS_ERR_LIMIT;
}

void ctl_producer_destroy(ms_producer_t *p) {
  ms_cmd_t c = {.frame = MS_FRAME_NOW, .type = MS_CMD_REMOVE_PRODUCER};
  c.producer.index = p->index;
  c.producer.producer = p;
  /* freed by collect once RT has let go; if the ring is full the sampler's
   * destroy frees it instead */
  ring_push(&p->sampler->ct_producer->ring, &c);
}
