/*
 * offline.c — the offline backend: drive the render path as fast as the
 * CPU allows and write the result to a WAV or FLAC file with libsndfile.
 *
 * Thread: CT. It calls ms_process on the calling thread, so it is the
 * render thread for the duration of ms_render_file_write: file I/O happens
 * here, between blocks, never inside the render path. Output is
 * deterministic: no PEAK chunk (it carries a timestamp), no dither.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>

#include "shared/engine.h"

struct ms_render_file {
  ms_sampler_t *sampler;
  SNDFILE *sf;
  float *buf;
  float peak;
  char path[256];
};

MS_API int32_t ms_render_file_open(ms_sampler_t *s, const char *path, uint32_t file_format, uint32_t sample_format,
                                   ms_render_file_t **out) {
  if (!s) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot open output file: sampler is NULL");
  ctl_clear_error(s);
  if (!path || !out) return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot open output file: path or output pointer is NULL");
  *out = NULL;
  void *handle = NULL;
  int32_t rc = ctl_sndfile_open_write(s, "open output file", path, file_format, sample_format, &handle);
  if (rc != MS_OK) return rc;
  SNDFILE *sf = handle;
  ms_render_file_t *f = ctl_alloc(s, sizeof *f);
  float *buf = f ? ctl_alloc(s, sizeof(float) * s->cfg.buffer_size * s->cfg.channels) : NULL;
  if (!buf) {
    ctl_free(s, f);
    sf_close(sf);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open output file \"%s\": out of memory", path);
  }
  f->sampler = s;
  f->sf = sf;
  f->buf = buf;
  snprintf(f->path, sizeof f->path, "%s", path);
  *out = f;
  return MS_OK;
}

MS_API int32_t ms_render_file_write(ms_render_file_t *f, uint32_t frames) {
  if (!f) return ctl_fail(NULL, MS_ERR_INVALID_ARGUMENT, "Cannot render to file: file is NULL");
  ms_sampler_t *s = f->sampler;
  const uint32_t C = s->cfg.channels;
  while (frames) {
    uint32_t n = frames < s->cfg.buffer_size ? frames : s->cfg.buffer_size;
    if (ms_process(s, f->buf, n) != MS_OK)
      return ctl_fail(s, MS_ERR_STATE, "Cannot render to \"%s\": the sampler is rendering live: stop its output first", f->path);
    for (uint32_t i = 0; i < n * C; i++) {
      float a = fabsf(f->buf[i]);
      if (a > f->peak) f->peak = a;
    }
    if (sf_writef_float(f->sf, f->buf, n) != (sf_count_t)n)
      return ctl_fail(s, MS_ERR_IO, "Cannot write \"%s\": %s: is the disk full?", f->path, sf_strerror(f->sf));
    frames -= n;
    ctl_collect(s); /* free what RT retired: we are CT between blocks */
  }
  return MS_OK;
}

MS_API float ms_render_file_peak(const ms_render_file_t *f) { return f ? f->peak : 0.0f; }

MS_API int32_t ms_render_file_close(ms_render_file_t *f) {
  if (!f) return MS_ERR_INVALID_ARGUMENT;
  ms_sampler_t *s = f->sampler;
  int err = sf_close(f->sf);
  int32_t rc = MS_OK;
  if (err) rc = ctl_fail(s, MS_ERR_IO, "Cannot finish \"%s\": %s", f->path, sf_error_number(err));
  ctl_free(s, f->buf);
  ctl_free(s, f);
  return rc;
}
