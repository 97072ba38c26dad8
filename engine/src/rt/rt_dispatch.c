/*
 * rt_dispatch.c — applying commands on the render thread: each timed command
 * on its frame (notes to the voices, controllers, pitch bend and parameters
 * to the instrument's slot, all-notes-off and all-sound-off), the immediate
 * ones as RT takes them off the ring (instrument versions swapped in and
 * out, instruments and producers removed, the interpolation changed), and
 * the per-slot smoothing of gain, pan and vibrato on the control grid.
 *
 * Thread: RT only. Never allocates, locks, logs, does I/O or calls
 * JavaScript. Commands for an instrument that no longer exists are ignored.
 */
#include <string.h>

#include "rt/rt_dsp.h"
#include "rt/rt_vctl.h"
#include "shared/engine.h"
#include "shared/param_table.h"

/* ------------------------------------------------------------ slots -- */

/* An MS_PARAM_*'s initial value from the one table (constant-folded). */
static inline float rt_param_initial(uint32_t param) {
  switch (param) {
#define RT_PARAM_CASE(id, name, initial, ...) \
  case id: return (float)(initial);
    MS_PARAM_TABLE(RT_PARAM_CASE)
#undef RT_PARAM_CASE
    default: return 0.0f;
  }
}

static void slot_reset_controllers(rt_slot_t *slot) {
  slot->bend = 0.0f;
  slot->mod = 0.0f;
  slot->expression = rt_param_initial(MS_PARAM_EXPRESSION);
}

static void slot_init(ms_sampler_t *s, rt_slot_t *slot, uint32_t index, uint32_t id) {
  memset(slot, 0, sizeof *slot);
  rt_vctl_slot_clear(s, index);
  slot->id = id;
  slot->polyphony = s->cfg.max_polyphony;
  slot->bend_range = rt_param_initial(MS_PARAM_PITCH_BEND_RANGE);
  slot->vib_depth_cents = rt_param_initial(MS_PARAM_VIBRATO_DEPTH);
  slot->vib_rate_hz = rt_param_initial(MS_PARAM_VIBRATO_RATE_HZ);
  slot->volume = 1.0f; /* linear gain of the table's initial volume, 0 dB */
  slot_reset_controllers(slot);
  slot->gain0 = slot->gain1 = 1.0f;
  slot->keyswitch = (uint8_t)rt_param_initial(MS_PARAM_KEYSWITCH);
  slot->live = true;
  s->live_slots[s->live_slot_count++] = (uint16_t)index;
}

static void slot_unlist(ms_sampler_t *s, uint32_t index) {
  for (uint32_t i = 0; i < s->live_slot_count; i++) {
    if (s->live_slots[i] == index) {
      s->live_slots[i] = s->live_slots[--s->live_slot_count];
      break;
    }
  }
  s->slots[index].live = false;
}

/* The slot's data goes back to CT once no voice plays it (rt_voice.c hands
 * it back when the last one ends). */
static void retire_slot_data(ms_sampler_t *s, rt_instrument_data_t *d) {
  if (!d) return;
  d->retired = true;
  if (d->voices_using == 0) rt_retire_data(s, d);
}

void rt_slots_advance(ms_sampler_t *s) {
  const float smooth = s->smooth_coef;
  const float chunk_s = (float)MS_CONTROL_FRAMES / (float)s->cfg.sample_rate;
  for (uint32_t i = 0; i < s->live_slot_count; i++) {
    rt_slot_t *slot = &s->slots[s->live_slots[i]];
    slot->gain0 = slot->gain1;
    slot->pan0 = slot->pan1;
    float gt = slot->volume * slot->expression;
    slot->gain1 = gt + (slot->gain0 - gt) * smooth;
    slot->pan1 = slot->pan + (slot->pan0 - slot->pan) * smooth;
    if (slot->mod > 0.0f && slot->vib_depth_cents > 0.0f) {
      slot->vib_phase += slot->vib_rate_hz * chunk_s;
      slot->vib_phase -= (float)(int32_t)slot->vib_phase;
      slot->vib_cents = slot->mod * slot->vib_depth_cents * rt_sine(s, slot->vib_phase);
    } else {
      slot->vib_cents = 0.0f;
    }
  }
}

/* ------------------------------------------------------ timed commands -- */

static rt_slot_t *slot_for(ms_sampler_t *s, uint32_t id, uint32_t *index) {
  uint32_t i = MS_ID_SLOT(id);
  if (i >= s->cfg.max_instruments || s->slots[i].id != id || id == 0) return NULL;
  *index = i;
  return &s->slots[i];
}

static void apply_param(ms_sampler_t *s, rt_slot_t *slot, uint32_t si, uint32_t param, float v,
                        uint64_t f) {
  switch (param) {
    case MS_PARAM_VOLUME_DB: slot->volume = v; break; /* a linear gain (ms_cmd_param_t) */
    case MS_PARAM_PAN: slot->pan = v; break;
    case MS_PARAM_PITCH_BEND_RANGE: slot->bend_range = v; break;
    case MS_PARAM_VIBRATO_DEPTH: slot->vib_depth_cents = v; break;
    case MS_PARAM_VIBRATO_RATE_HZ: slot->vib_rate_hz = v; break;
    case MS_PARAM_MOD_WHEEL: slot->mod = v; break;
    case MS_PARAM_SUSTAIN: {
      bool down = v >= 0.5f;
      if (slot->sustain && !down) {
        slot->sustain = false;
        rt_voice_release_sustained(s, si, f);
      }
      slot->sustain = down;
      break;
    }
    case MS_PARAM_POLYPHONY: slot->polyphony = (uint32_t)v; break;
    case MS_PARAM_OUTPUT_BUS: {
      uint32_t b = (uint32_t)v;
      slot->bus = b < s->buses ? b : s->buses - 1;
      break;
    }
    case MS_PARAM_EXPRESSION: slot->expression = v; break;
    case MS_PARAM_KEYSWITCH: slot->keyswitch = (uint8_t)v; break;
    default:
      if (param >= MS_PARAM_CONTROL) rt_vctl_slot_param(s, si, param, v); /* instrument-level control values */
      break;
  }
}

static void apply_cc(ms_sampler_t *s, rt_slot_t *slot, uint32_t si, uint32_t cc, uint32_t value,
                     uint64_t f) {
  slot->cc[cc & 127u] = (uint8_t)value;
  slot->cc_seen[(cc & 127u) >> 5] |= 1u << (cc & 31u);
  if (MS_UNLIKELY(slot->data && slot->data->has_cc_triggers)) rt_voice_cc_trigger(s, slot, si, cc & 127u, value, f);
  switch (cc) {
    case 1: slot->mod = (float)value * (1.0f / 127.0f); break;
    case 7: slot->volume = s->cc_gain[value]; break;
    case 10: {
      float p = ((float)value - 64.0f) / 63.0f;
      slot->pan = p < -1.0f ? -1.0f : p;
      break;
    }
    case 11: slot->expression = s->cc_gain[value]; break;
    case 64: apply_param(s, slot, si, MS_PARAM_SUSTAIN, value >= 64 ? 1.0f : 0.0f, f); break;
    case 120: rt_voice_fade_all(s, (int32_t)si, f, false); break;
    case 121:
      slot_reset_controllers(slot);
      apply_param(s, slot, si, MS_PARAM_SUSTAIN, 0.0f, f);
      break;
    case 123: rt_voice_all_notes_off(s, (int32_t)si, f); break;
    default: break;
  }
}

void rt_dispatch(ms_sampler_t *s, const ms_cmd_t *c, uint64_t f) {
  uint32_t si = 0;
  rt_slot_t *slot = NULL;
  switch (c->type) {
    case MS_CMD_ALL_NOTES_OFF:
    case MS_CMD_ALL_SOUND_OFF: {
      int32_t target = -1;
      if (c->all.instrument) {
        if (!slot_for(s, c->all.instrument, &si)) return;
        target = (int32_t)si;
      }
      if (c->type == MS_CMD_ALL_NOTES_OFF) rt_voice_all_notes_off(s, target, f);
      else rt_voice_fade_all(s, target, f, false);
      return;
    }
    case MS_CMD_NOTE_ON:
      if ((slot = slot_for(s, c->note.instrument, &si))) rt_voice_note_on(s, slot, si, &c->note, f);
      return;
    case MS_CMD_CONTROLS: rt_vctl_stage(s, &c->controls); return;
    case MS_CMD_NOTE_OFF:
      if (slot_for(s, c->note_off.instrument, &si)) rt_voice_note_off(s, si, c->note_off.key, f);
      return;
    case MS_CMD_CC:
      if ((slot = slot_for(s, c->cc.instrument, &si))) apply_cc(s, slot, si, c->cc.controller, c->cc.value, f);
      return;
    case MS_CMD_PITCH_BEND:
      if ((slot = slot_for(s, c->bend.instrument, &si))) slot->bend = c->bend.amount;
      return;
    case MS_CMD_PARAM:
      if ((slot = slot_for(s, c->param.instrument, &si))) apply_param(s, slot, si, c->param.param, c->param.value, f);
      return;
    default: return;
  }
}

/* -------------------------------------------------- immediate commands -- */

static void swap_instrument(ms_sampler_t *s, uint32_t id, rt_instrument_data_t *data) {
  uint32_t i = MS_ID_SLOT(id);
  if (i >= s->cfg.max_instruments) {
    if (data) rt_retire_data(s, data);
    return;
  }
  rt_slot_t *slot = &s->slots[i];
  if (slot->id != id) {
    if (slot->live) { /* a removed instrument's slot reused without a remove: be safe */
      rt_voice_fade_all(s, (int32_t)i, s->now, true);
      retire_slot_data(s, slot->data);
      slot_unlist(s, i);
    }
    slot_init(s, slot, i, id);
  }
  rt_instrument_data_t *old = slot->data;
  slot->data = data;
  retire_slot_data(s, old);
}

static void remove_instrument(ms_sampler_t *s, uint32_t id) {
  uint32_t si;
  rt_slot_t *slot = slot_for(s, id, &si);
  if (!slot) return;
  rt_voice_fade_all(s, (int32_t)si, s->now, true);
  retire_slot_data(s, slot->data);
  slot->data = NULL;
  slot->id = 0;
  slot_unlist(s, si);
}

void rt_dispatch_immediate(ms_sampler_t *s, const ms_cmd_t *c) {
  switch (c->type) {
    case MS_CMD_SWAP_INSTRUMENT: swap_instrument(s, c->swap.instrument, c->swap.data); break;
    case MS_CMD_REMOVE_INSTRUMENT: remove_instrument(s, c->remove); break;
    case MS_CMD_SET_INTERP: s->interpolation = c->interp; break;
    case MS_CMD_REMOVE_PRODUCER: {
      uint32_t k = c->producer.index;
      if (k > 0 && k < MS_MAX_PRODUCERS) {
        /* release pairs with CT's acquire when it reads the return record:
         * after this store RT never touches the producer again */
        atomic_store_explicit(&s->producers[k], NULL, memory_order_release);
        rt_return_producer(s, k, c->producer.producer);
      }
      break;
    }
    default: break;
  }
}
