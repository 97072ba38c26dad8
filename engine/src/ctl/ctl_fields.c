/*
 * ctl_fields.c — the field tables of ctl_fields.h expanded: rows for
 * ms_field_info, the per-field checks with their one message shape, and
 * the defaults ms_zone_init writes.
 *
 * Thread: CT for the checks (they set the sampler's error message); ANY for
 * ms_field_info and ms_zone_init (constant tables, no state). Never runs on
 * the render thread.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_fields.h"

#define FIELD_TYPE(member)                                                                  \
  _Generic((member), uint8_t: MS_FIELD_U8, uint32_t: MS_FIELD_U32, float: MS_FIELD_F32)

#define ZONE_ROW(m, def, lo, hi, unit, flags, extra)                                          \
  {#m, unit, (double)(def), (double)(lo), (double)(hi), (double)(extra),                     \
   (uint32_t)offsetof(ms_zone_t, m), FIELD_TYPE(((ms_zone_t *)0)->m), (flags)},
static const ctl_field_t ZONE_FIELDS[] = {CTL_ZONE_FIELDS(ZONE_ROW)};

#define NOTE_ROW(m, def, lo, hi, unit, flags, extra)                                          \
  {#m, unit, (double)(def), (double)(lo), (double)(hi), (double)(extra),                     \
   (uint32_t)offsetof(ms_note_params_t, m), FIELD_TYPE(((ms_note_params_t *)0)->m), (flags)},
static const ctl_field_t NOTE_FIELDS[] = {CTL_NOTE_FIELDS(NOTE_ROW)};

#define PARAM_ROW(id, name, def, lo, hi, unit, flags, extra)                                  \
  {#name, unit, (double)(def), (double)(lo), (double)(hi), (double)(extra), (id), MS_FIELD_F32, (flags)},
static const ctl_field_t PARAM_FIELDS[] = {CTL_PARAMS(PARAM_ROW)};

#define CONTROL_ROW(ID, name, def, lo, hi, unit, flags)                                      \
  {#name, unit, (double)(def), (double)(lo), (double)(hi), 0.0, MS_CONTROL_##ID, MS_FIELD_F32, (flags)},
static const ctl_field_t CONTROL_FIELDS[] = {MS_CONTROLS(CONTROL_ROW)};

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

const ctl_field_t *ctl_fields(uint32_t table, uint32_t *count) {
  switch (table) {
    case MS_FIELDS_ZONE: *count = COUNT(ZONE_FIELDS); return ZONE_FIELDS;
    case MS_FIELDS_NOTE: *count = COUNT(NOTE_FIELDS); return NOTE_FIELDS;
    case MS_FIELDS_PARAM: *count = COUNT(PARAM_FIELDS); return PARAM_FIELDS;
    case MS_FIELDS_CONTROL: *count = COUNT(CONTROL_FIELDS); return CONTROL_FIELDS;
    default: *count = 0; return NULL;
  }
}

const ctl_field_t *ctl_param_field(uint32_t param) {
  for (uint32_t i = 0; i < COUNT(PARAM_FIELDS); i++)
    if (PARAM_FIELDS[i].id == param) return &PARAM_FIELDS[i];
  return NULL;
}

bool ctl_field_accepts(const ctl_field_t *f, double v) {
  if (!isfinite(v)) return false;
  if ((f->flags & MS_FIELD_EXTRA) && v == f->extra) return true;
  if (f->type == MS_FIELD_F32) { /* compare as the float the caller stored: 0.01f is in 0.01..40 */
    float x = (float)v;
    return x >= (float)f->min && x <= (float)f->max;
  }
  return v >= f->min && v <= f->max;
}

double ctl_field_read(const ctl_field_t *f, const void *record) {
  const unsigned char *p = (const unsigned char *)record + f->id;
  switch (f->type) {
    case MS_FIELD_U8: return *p;
    case MS_FIELD_U32: {
      uint32_t v;
      memcpy(&v, p, sizeof v);
      return v;
    }
    default: {
      float v;
      memcpy(&v, p, sizeof v);
      return v;
    }
  }
}

static void field_write(const ctl_field_t *f, void *record, double v) {
  unsigned char *p = (unsigned char *)record + f->id;
  switch (f->type) {
    case MS_FIELD_U8: *p = (uint8_t)v; break;
    case MS_FIELD_U32: {
      uint32_t u = (uint32_t)v;
      memcpy(p, &u, sizeof u);
      break;
    }
    default: {
      float x = (float)v;
      memcpy(p, &x, sizeof x);
      break;
    }
  }
}

int32_t ctl_field_fail(ms_sampler_t *s, const ctl_field_t *f, double v, const char *head) {
  if (f->flags & MS_FIELD_ENUM)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: %s %.10g is unknown (%s: %.10g..%.10g)", head, f->name, v,
                    f->unit, f->min, f->max);
  const char *sp = f->unit[0] ? " " : "";
  if (f->flags & MS_FIELD_EXTRA)
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: %s %.10g is outside %.10g..%.10g%s%s and not %.10g (none)", head,
                    f->name, v, f->min, f->max, sp, f->unit, f->extra);
  return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "%s: %s %.10g is outside %.10g..%.10g%s%s", head, f->name, v, f->min,
                  f->max, sp, f->unit);
}

int32_t ctl_fields_check(ms_sampler_t *s, uint32_t table, const void *record, const char *head) {
  uint32_t n;
  const ctl_field_t *rows = ctl_fields(table, &n);
  for (uint32_t i = 0; i < n; i++) {
    double v = ctl_field_read(&rows[i], record);
    if (!ctl_field_accepts(&rows[i], v)) return ctl_field_fail(s, &rows[i], v, head);
  }
  return MS_OK;
}

int32_t ctl_control_check(ms_sampler_t *s, uint32_t id, float v, const char *head) {
  if (id >= MS_CONTROL_COUNT)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "%s: control %u is not an MS_CONTROL_* id (0..%u)", head, id,
                    (unsigned)MS_CONTROL_COUNT - 1);
  const ctl_field_t *f = &CONTROL_FIELDS[id];
  if (!ctl_field_accepts(f, v) || ((f->flags & MS_FIELD_ENUM) && v != (float)(int32_t)v)) {
    char shortest[32]; /* the float as the caller wrote it: 1.2, not 1.200000048 */
    snprintf(shortest, sizeof shortest, "%.7g", (double)v);
    return ctl_field_fail(s, f, strtod(shortest, NULL), head);
  }
  return MS_OK;
}

int32_t ctl_controls_check(ms_sampler_t *s, const ms_controls_t *c, const char *head) {
  for (uint32_t id = 0; id < MS_CONTROL_CAPACITY; id++) {
    if (!ms_controls_has(c, id)) continue;
    int32_t rc = ctl_control_check(s, id, c->value[id], head);
    if (rc != MS_OK) return rc;
  }
  return MS_OK;
}

uint32_t ctl_controls_count(const ms_controls_t *c) {
  uint32_t n = 0;
  for (uint32_t w = 0; w < 4; w++) n += (uint32_t)__builtin_popcount(c->present[w]);
  return n;
}

MS_API void ms_zone_init(ms_zone_t *z) {
  if (!z) return;
  memset(z, 0, sizeof *z);
  for (uint32_t i = 0; i < COUNT(ZONE_FIELDS); i++) field_write(&ZONE_FIELDS[i], z, ZONE_FIELDS[i].def);
}

MS_API int32_t ms_field_info(uint32_t table, uint32_t index, ms_field_info_t *out) {
  if (!out) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot describe a field: the output pointer is NULL");
  uint32_t n;
  const ctl_field_t *rows = ctl_fields(table, &n);
  if (!rows)
    return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot describe a field: table %u is not an MS_FIELDS_* value (1..4)",
                    table);
  if (index >= n)
    return ctl_fail(NULL, MS_ERR_OUT_OF_RANGE, "Cannot describe field %u of table %u: it has %u fields", index, table, n);
  const ctl_field_t *f = &rows[index];
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", f->name);
  snprintf(out->unit, sizeof out->unit, "%s", f->unit);
  out->default_value = f->def;
  out->min = f->min;
  out->max = f->max;
  out->extra = (f->flags & MS_FIELD_EXTRA) ? f->extra : 0.0;
  out->id = f->id;
  out->type = f->type;
  out->flags = f->flags;
  return MS_OK;
}
