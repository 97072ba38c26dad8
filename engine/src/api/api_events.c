/*
 * api_events.c — exported note and control functions: range checks on CT,
 * then the public event converted to the render thread's command record
 * (api_cmd_from_event, the one place that happens) into the control
 * thread's ring.
 *
 * Thread: CT (the sampler's control thread). Never blocks: a full ring
 * returns MS_ERR_RING_FULL and the drop is counted.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "ctl/ctl_fields.h"
#include "shared/engine.h"

static const char *type_name(uint32_t t) {
  switch (t) {
    case MS_EV_NOTE_ON: return "note-on";
    case MS_EV_NOTE_OFF: return "note-off";
    case MS_EV_CC: return "control change";
    case MS_EV_PITCH_BEND: return "pitch bend";
    case MS_EV_PARAM: return "parameter";
    case MS_EV_ALL_NOTES_OFF: return "all-notes-off";
    case MS_EV_ALL_SOUND_OFF: return "all-sound-off";
    case MS_EV_MIDI: return "MIDI message";
    case MS_EV_CONTROL: return "control";
    case MS_EV_MIDI_OUT: return "MIDI out message";
    default: return "event";
  }
}

static ms_instrument_t *instrument_of(ms_sampler_t *s, uint32_t id) {
  uint32_t slot = MS_ID_SLOT(id);
  if (slot >= s->cfg.max_instruments) return NULL;
  ms_instrument_t *inst = s->instruments[slot];
  return inst && inst->id == id ? inst : NULL;
}

static bool finite_in(float v, float lo, float hi) { return isfinite(v) && v >= lo && v <= hi; }

static void event_who(char *buf, size_t cap, const ms_event_t *ev, const ms_instrument_t *inst, uint32_t index) {
  if (index == UINT32_MAX)
    snprintf(buf, cap, "Cannot send %s to instrument \"%s\"", type_name(ev->type), inst ? inst->name : "?");
  else
    snprintf(buf, cap, "Cannot push event %u (%s)", index, type_name(ev->type));
}

int32_t api_event_check(ms_sampler_t *s, const ms_event_t *ev, uint32_t index, ms_cmd_t *out) {
  /* the message prefix is built only on failure: this runs for every event */
  char who[160];
  ms_instrument_t *inst = ev->instrument ? instrument_of(s, ev->instrument) : NULL;
#define WHO() (event_who(who, sizeof who, ev, inst, index), who)

  if ((ev->type < MS_EV_NOTE_ON || ev->type > MS_EV_ALL_SOUND_OFF) && ev->type != MS_EV_MIDI &&
      ev->type != MS_EV_CONTROL && ev->type != MS_EV_MIDI_OUT)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: type %u is not an MS_EV_* value (1..10)", WHO(), ev->type);
  if (ev->type == MS_EV_MIDI_OUT) return api_midi_out_event_check(s, ev, index, out);
  if (ev->type == MS_EV_MIDI) { /* raw MIDI for the MIDI map: no instrument, no arrival stamp */
    uint32_t st = ev->number & 0xffu;
    if (ev->instrument)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: instrument must be 0 (the MIDI map picks instruments)", WHO());
    if (st < 0x80 || st > 0xEF || (ev->number & 0xff808000u))
      return ctl_fail(s, MS_ERR_OUT_OF_RANGE,
                      "%s: number 0x%06x is not a channel message (status 0x80..0xEF, data bytes 0..127)", WHO(),
                      ev->number);
    api_cmd_from_event(ev, out);
    return MS_OK;
  }
  bool sampler_wide = ev->type == MS_EV_ALL_NOTES_OFF || ev->type == MS_EV_ALL_SOUND_OFF;
  if (ev->instrument || !sampler_wide) {
    if (MS_ID_SERIAL(ev->instrument) != s->serial && ev->instrument)
      return ctl_fail(s, MS_ERR_WRONG_SAMPLER, "%s: instrument id 0x%08x belongs to another sampler", WHO(),
                      ev->instrument);
    if (!inst)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: instrument id 0x%08x does not exist (destroyed?)", WHO(),
                      ev->instrument);
  }
  switch (ev->type) {
    case MS_EV_NOTE_ON: {
      if (ev->note > 127) return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: note %u is above 127", WHO(), ev->note);
      if (ev->number > 15) return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: channel %u is above 15", WHO(), ev->number);
      if (ev->velocity > 127)
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: velocity %u is above 127", WHO(), ev->velocity);
      const ms_note_params_t *p = &ev->params;
      int32_t rc = ctl_fields_check(s, MS_FIELDS_NOTE, p, WHO());
      if (rc != MS_OK) return rc;
      break;
    }
    case MS_EV_NOTE_OFF:
      if (ev->note > 127) return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: note %u is above 127", WHO(), ev->note);
      if (ev->number > 15) return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: channel %u is above 15", WHO(), ev->number);
      break;
    case MS_EV_CC:
      if (ev->number > 127)
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: controller %u is above 127", WHO(), ev->number);
      if (!finite_in(ev->value, 0.0f, 127.0f) || ev->value != floorf(ev->value))
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: value %g is not a whole number in 0..127", WHO(), ev->value);
      break;
    case MS_EV_PITCH_BEND:
      if (!finite_in(ev->value, -8192.0f, 8191.0f))
        return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: value %g is outside -8192..8191", WHO(), ev->value);
      break;
    case MS_EV_CONTROL: {
      int32_t rc = ctl_control_check(s, ev->number, ev->value, WHO());
      if (rc != MS_OK) return rc;
      break;
    }
    case MS_EV_PARAM: {
      if (ev->number >= MS_PARAM_CONTROL_CLEAR && ev->number < MS_PARAM_CONTROL_CLEAR + MS_CONTROL_COUNT) break;
      if (ev->number >= MS_PARAM_CONTROL && ev->number < MS_PARAM_CONTROL + MS_CONTROL_COUNT) {
        int32_t rc = ctl_control_check(s, ev->number - MS_PARAM_CONTROL, ev->value, WHO());
        if (rc != MS_OK) return rc;
        ms_controls_t one; /* an instrument's orbit or send: the orbit gets its memory now */
        memset(&one, 0, sizeof one);
        ms_controls_set(&one, ev->number - MS_PARAM_CONTROL, ev->value);
        if ((rc = api_controls_orbit(s, &one, "set an instrument's orbit control")) != MS_OK) return rc;
        break;
      }
      const ctl_field_t *f = ctl_param_field(ev->number);
      if (!f)
        return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: parameter %u is not an MS_PARAM_* value", WHO(), ev->number);
      if (!ctl_field_accepts(f, ev->value)) return ctl_field_fail(s, f, ev->value, WHO());
      break;
    }
    default: break;
  }
  api_cmd_from_event(ev, out);
  return MS_OK;
#undef WHO
}

void api_cmd_from_event(const ms_event_t *ev, ms_cmd_t *c) {
  memset(c, 0, sizeof *c);
  c->frame = ev->frame;
  switch (ev->type) {
    case MS_EV_NOTE_ON:
      if (ev->velocity > 0) {
        const ms_note_params_t *p = &ev->params;
        c->type = MS_CMD_NOTE_ON;
        c->note.instrument = ev->instrument;
        c->note.key = ev->note;
        c->note.velocity = ev->velocity;
        c->note.channel = (uint8_t)(ev->number & 15u);
        c->note.gain = p->gain_db == 0.0f ? 1.0f : p->gain_db <= -144.0f ? 0.0f : (float)pow(10.0, p->gain_db / 20.0);
        c->note.pan = p->pan;
        c->note.tune_cents = p->tune_cents;
        c->note.offset_frames = p->start_offset_frames;
        break;
      }
      /* MIDI: note-on with velocity 0 is a note-off */
      /* fall through */
    case MS_EV_NOTE_OFF:
      c->type = MS_CMD_NOTE_OFF;
      c->note_off.instrument = ev->instrument;
      c->note_off.key = ev->note;
      break;
    case MS_EV_CC:
      c->type = MS_CMD_CC;
      c->cc.instrument = ev->instrument;
      c->cc.controller = ev->number;
      c->cc.value = (uint32_t)ev->value;
      break;
    case MS_EV_PITCH_BEND:
      c->type = MS_CMD_PITCH_BEND;
      c->bend.instrument = ev->instrument;
      c->bend.amount = ev->value * (1.0f / 8192.0f);
      break;
    case MS_EV_PARAM:
      c->type = MS_CMD_PARAM;
      c->param.instrument = ev->instrument;
      c->param.param = ev->number;
      c->param.value = ev->value;
      if (ev->number == MS_PARAM_VOLUME_DB)
        c->param.value = ev->value <= -144.0f ? 0.0f : (float)pow(10.0, ev->value / 20.0);
      break;
    case MS_EV_ALL_NOTES_OFF:
    case MS_EV_ALL_SOUND_OFF:
      c->type = ev->type == MS_EV_ALL_NOTES_OFF ? MS_CMD_ALL_NOTES_OFF : MS_CMD_ALL_SOUND_OFF;
      c->all.instrument = ev->instrument;
      break;
    case MS_EV_MIDI: /* no arrival stamp: it plays at its frame */
      c->type = MS_CMD_MIDI;
      c->midi.status = (uint8_t)(ev->number & 0xffu);
      c->midi.data1 = (uint8_t)((ev->number >> 8) & 0xffu);
      c->midi.data2 = (uint8_t)((ev->number >> 16) & 0xffu);
      break;
    default: break;
  }
}

int32_t api_push_controls(ms_sampler_t *s, uint32_t instrument, uint64_t frame, const ms_controls_t *c,
                          uint8_t *records) {
  ms_cmd_t r;
  memset(&r, 0, sizeof r);
  r.frame = frame;
  r.type = MS_CMD_CONTROLS;
  r.controls.instrument = instrument;
  uint32_t k = 0, n = 0;
  memset(r.controls.id, 0xff, sizeof r.controls.id);
  for (uint32_t id = 0; id < MS_CONTROL_COUNT; id++) {
    if (!ms_controls_has(c, id)) continue;
    r.controls.id[k] = (uint8_t)id;
    r.controls.value[k] = c->value[id];
    if (++k == MS_CMD_CONTROLS_PER_RECORD) {
      r.controls.index = (uint8_t)n++;
      if (ctl_push(s, &r) != MS_OK) return MS_ERR_RING_FULL;
      k = 0;
      memset(r.controls.id, 0xff, sizeof r.controls.id);
    }
  }
  if (k) {
    r.controls.index = (uint8_t)n++;
    if (ctl_push(s, &r) != MS_OK) return MS_ERR_RING_FULL;
  }
  *records = (uint8_t)n;
  return MS_OK;
}

int32_t api_controls_orbit(ms_sampler_t *s, const ms_controls_t *c, const char *what) {
  const bool named = ms_controls_has(c, MS_CONTROL_ORBIT);
  const uint32_t orbit = named ? (uint32_t)c->value[MS_CONTROL_ORBIT] : 0u;
  const bool sends = (ms_controls_has(c, MS_CONTROL_DELAY) && c->value[MS_CONTROL_DELAY] > 0.0f) ||
                     (ms_controls_has(c, MS_CONTROL_ROOM) && c->value[MS_CONTROL_ROOM] > 0.0f);
  if (!sends && !named) return MS_OK;
  /* An orbit named anywhere (zone, instrument, note) gets its memory, even
   * without a send here: the send may come from another level (an
   * instrument's room with a note's orbit), and the levels merge on RT. */
  return ctl_orbit_prepare(s, orbit, what);
}

int32_t api_push_note_with_controls(ms_sampler_t *s, const ms_event_t *note, const ms_controls_t *c,
                                    const char *what) {
  ms_cmd_t cmd;
  api_cmd_from_event(note, &cmd);
  uint8_t records = 0;
  if (c && cmd.type == MS_CMD_NOTE_ON && ctl_controls_count(c)) {
    int32_t rc = api_controls_orbit(s, c, "play a note on its orbit");
    if (rc != MS_OK) return rc;
    if (api_push_controls(s, note->instrument, note->frame, c, &records) != MS_OK) return api_ring_full(s, what);
    cmd.note.controls = records;
  }
  if (ctl_push(s, &cmd) != MS_OK) return api_ring_full(s, what);
  return MS_OK;
}

int32_t api_control_run_check(ms_sampler_t *s, const ms_event_t *events, uint32_t count, uint32_t i,
                              uint32_t *end) {
  uint32_t j = i;
  while (j < count && events[j].type == MS_EV_CONTROL) {
    if (events[j].instrument != events[i].instrument || events[j].frame != events[i].frame)
      return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                      "Cannot push event %u (control): the controls of one note share its instrument and frame", j);
    j++;
  }
  if (j >= count || events[j].type != MS_EV_NOTE_ON || events[j].velocity == 0 ||
      events[j].instrument != events[i].instrument || events[j].frame != events[i].frame)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT,
                    "Cannot push event %u (control): controls must be followed by their note-on (same instrument "
                    "and frame, velocity > 0)",
                    i);
  if (j - i > 255u * MS_CMD_CONTROLS_PER_RECORD)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot push event %u (control): too many controls for one note", i);
  *end = j;
  return MS_OK;
}

int32_t api_publish_for(ms_sampler_t *s, uint32_t id) {
  if (!id) return MS_OK;
  ms_instrument_t *inst = instrument_of(s, id);
  return inst && inst->dirty ? ctl_instrument_publish(inst) : MS_OK;
}

int32_t api_ring_full(ms_sampler_t *s, const char *what) {
  return ctl_fail(s, MS_ERR_RING_FULL,
                  "Cannot send %s: the event ring is full (%u events): the engine is not rendering, or events "
                  "are sent faster than it plays them; the event was dropped",
                  what, s->cfg.ring_capacity);
}

static int32_t send(ms_instrument_t *inst, ms_event_t *ev) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send %s: instrument is NULL", type_name(ev->type));
  ms_sampler_t *s = inst->sampler;
  ev->instrument = inst->id;
  ms_cmd_t c;
  int32_t rc = api_event_check(s, ev, UINT32_MAX, &c);
  if (rc != MS_OK) return rc;
  if ((rc = api_publish_for(s, inst->id)) != MS_OK) return rc;
  if (ctl_push(s, &c) != MS_OK) return api_ring_full(s, type_name(ev->type));
  return MS_OK;
}

/* A zeroed event of `type` at frame: the fields every ms_*_at call fills first. */
static ms_event_t event_at(uint64_t frame, uint16_t type) {
  ms_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.frame = frame;
  ev.type = type;
  return ev;
}

/* A note-on event (params NULL: the defaults). */
static ms_event_t note_on_event(uint64_t frame, int32_t note, int32_t velocity, const ms_note_params_t *params) {
  ms_event_t ev = event_at(frame, MS_EV_NOTE_ON);
  ev.note = (uint8_t)note;
  ev.velocity = (uint8_t)velocity;
  if (params) ev.params = *params;
  return ev;
}

static int32_t check_note(ms_instrument_t *inst, const char *what, int32_t note, int32_t velocity) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send %s: instrument is NULL", what);
  if (note < 0 || note > 127)
    return ctl_fail(inst->sampler, MS_ERR_OUT_OF_RANGE, "Cannot send %s to instrument \"%s\": note %d is outside 0..127",
                    what, inst->name, note);
  if (velocity < 0 || velocity > 127)
    return ctl_fail(inst->sampler, MS_ERR_OUT_OF_RANGE,
                    "Cannot send %s to instrument \"%s\": velocity %d is outside 0..127", what, inst->name, velocity);
  return MS_OK;
}

MS_API int32_t ms_note_on_at(ms_instrument_t *inst, uint64_t frame, int32_t note, int32_t velocity,
                             const ms_note_params_t *params) {
  int32_t rc = check_note(inst, "note-on", note, velocity);
  if (rc != MS_OK) return rc;
  ms_event_t ev = note_on_event(frame, note, velocity, params);
  return send(inst, &ev);
}

MS_API int32_t ms_note_on_controls_at(ms_instrument_t *inst, uint64_t frame, int32_t note, int32_t velocity,
                                      const ms_note_params_t *params, const ms_controls_t *controls) {
  if (!controls) return ms_note_on_at(inst, frame, note, velocity, params);
  int32_t rc = check_note(inst, "note-on", note, velocity);
  if (rc != MS_OK) return rc;
  ms_sampler_t *s = inst->sampler;
  ms_event_t ev = note_on_event(frame, note, velocity, params);
  ev.instrument = inst->id;
  ms_cmd_t c;
  if ((rc = api_event_check(s, &ev, UINT32_MAX, &c)) != MS_OK) return rc;
  char head[160];
  snprintf(head, sizeof head, "Cannot send note-on to instrument \"%s\"", inst->name);
  if ((rc = ctl_controls_check(s, controls, head)) != MS_OK) return rc;
  if ((rc = api_publish_for(s, inst->id)) != MS_OK) return rc;
  return api_push_note_with_controls(s, &ev, controls, "note-on");
}

MS_API int32_t ms_note_on(ms_instrument_t *inst, int32_t note, int32_t velocity, const ms_note_params_t *params) {
  return ms_note_on_at(inst, MS_FRAME_NOW, note, velocity, params);
}

MS_API int32_t ms_note_off_at(ms_instrument_t *inst, uint64_t frame, int32_t note) {
  int32_t rc = check_note(inst, "note-off", note, 0);
  if (rc != MS_OK) return rc;
  ms_event_t ev = event_at(frame, MS_EV_NOTE_OFF);
  ev.note = (uint8_t)note;
  return send(inst, &ev);
}

MS_API int32_t ms_note_off(ms_instrument_t *inst, int32_t note) { return ms_note_off_at(inst, MS_FRAME_NOW, note); }

MS_API int32_t ms_cc_at(ms_instrument_t *inst, uint64_t frame, int32_t controller, int32_t value) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send control change: instrument is NULL");
  if (controller < 0 || controller > 127 || value < 0 || value > 127)
    return ctl_fail(inst->sampler, MS_ERR_OUT_OF_RANGE,
                    "Cannot send control change to instrument \"%s\": controller %d value %d is outside 0..127",
                    inst->name, controller, value);
  ms_event_t ev = event_at(frame, MS_EV_CC);
  ev.number = (uint32_t)controller;
  ev.value = (float)value;
  return send(inst, &ev);
}

MS_API int32_t ms_pitch_bend_at(ms_instrument_t *inst, uint64_t frame, int32_t value) {
  if (!inst) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot send pitch bend: instrument is NULL");
  if (value < -8192 || value > 8191)
    return ctl_fail(inst->sampler, MS_ERR_OUT_OF_RANGE,
                    "Cannot send pitch bend to instrument \"%s\": value %d is outside -8192..8191", inst->name, value);
  ms_event_t ev = event_at(frame, MS_EV_PITCH_BEND);
  ev.value = (float)value;
  return send(inst, &ev);
}

MS_API int32_t ms_instrument_set_param_at(ms_instrument_t *inst, uint64_t frame, uint32_t param, float value) {
  ms_event_t ev = event_at(frame, MS_EV_PARAM);
  ev.number = param;
  ev.value = value;
  return send(inst, &ev);
}
