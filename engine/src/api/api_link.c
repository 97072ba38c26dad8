/*
 * api_link.c — the exported ms_link_* functions: argument checks, error
 * detail, the CT/RT handover of the Link session (s->link, s->link_busy,
 * the same seq_cst handshake as the recorder's), over link/ms_link.h. An
 * engine built without Ableton Link's headers keeps these functions; they
 * fail with MS_ERR_UNSUPPORTED and say how to get Link.
 *
 * Thread: CT (the readers: any thread). Never called by RT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "shared/engine.h"

#if MS_HAVE_LINK
#include "link/ms_link.h"

struct ms_link_session {
  ms_sampler_t *sampler;
  struct ms_link *impl;
  double sample_rate;
};

static bool bpm_ok(double bpm) { return isfinite(bpm) && bpm >= 20.0 && bpm <= 999.0; }

static int32_t not_published(const ms_link_t *l, const char *what) {
  return ctl_fail(l->sampler, MS_ERR_STATE,
                  "Cannot %s: no block rendered since Link was attached: start the output (or call ms_process) first",
                  what);
}

MS_API int32_t ms_link_built(void) { return 1; }

MS_API int32_t ms_link_create(ms_sampler_t *s, double bpm, ms_link_t **out) {
  if (!s || !out) return MS_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (!bpm_ok(bpm))
    return ctl_fail(s, MS_ERR_OUT_OF_RANGE, "Cannot create the Link session: tempo must be 20..999 bpm, got \"%g\"",
                    bpm);
  if (atomic_load(&s->link))
    return ctl_fail(s, MS_ERR_STATE, "Cannot create the Link session: this sampler has one: destroy it first");
  ms_link_t *l = calloc(1, sizeof *l);
  if (!l) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot create the Link session: out of memory");
  char err[256] = "";
  int32_t rc = link_new(bpm, (double)s->cfg.sample_rate, &l->impl, err, sizeof err);
  if (rc != MS_OK) {
    free(l);
    return ctl_fail(s, rc, "Cannot create the Link session: %s", err);
  }
  l->sampler = s;
  l->sample_rate = (double)s->cfg.sample_rate;
  atomic_store(&s->link, l->impl); /* seq_cst: RT sees a fully built session */
  *out = l;
  return MS_OK;
}

MS_API void ms_link_destroy(ms_link_t *l) {
  if (!l) return;
  ms_sampler_t *s = l->sampler;
  atomic_store(&s->link, NULL);
  /* seq_cst pair with ms_process: RT raises link_busy before it reads the
   * pointer, so after clearing it, busy dropping means no call holds it */
  const struct timespec nap = {0, 100000};
  while (atomic_load(&s->link_busy)) nanosleep(&nap, NULL);
  link_delete(l->impl);
  free(l);
}

MS_API int32_t ms_link_enable(ms_link_t *l, uint32_t on) {
  if (!l || on > 1) return MS_ERR_INVALID_ARGUMENT;
  char err[256] = "";
  int32_t rc = link_enable(l->impl, on, err, sizeof err);
  if (rc != MS_OK) return ctl_fail(l->sampler, rc, "Cannot %s the Link session: %s", on ? "join" : "leave", err);
  return MS_OK;
}

MS_API int32_t ms_link_enable_start_stop_sync(ms_link_t *l, uint32_t on) {
  if (!l || on > 1) return MS_ERR_INVALID_ARGUMENT;
  char err[256] = "";
  int32_t rc = link_start_stop_sync(l->impl, on, err, sizeof err);
  if (rc != MS_OK) return ctl_fail(l->sampler, rc, "Cannot sync start/stop with Link: %s", err);
  return MS_OK;
}

MS_API int32_t ms_link_set_quantum(ms_link_t *l, double beats) {
  if (!l) return MS_ERR_INVALID_ARGUMENT;
  if (!(isfinite(beats) && beats >= 1.0 && beats <= 64.0))
    return ctl_fail(l->sampler, MS_ERR_OUT_OF_RANGE, "Cannot set the Link quantum: beats must be 1..64, got \"%g\"",
                    beats);
  link_set_quantum(l->impl, beats);
  return MS_OK;
}

MS_API int32_t ms_link_set_output_latency(ms_link_t *l, uint32_t frames) {
  if (!l) return MS_ERR_INVALID_ARGUMENT;
  if ((double)frames > 10.0 * l->sample_rate)
    return ctl_fail(l->sampler, MS_ERR_OUT_OF_RANGE,
                    "Cannot set the output latency for Link: \"%u\" frames is over 10 s", frames);
  link_set_latency(l->impl, frames);
  return MS_OK;
}

MS_API int32_t ms_link_request_tempo(ms_link_t *l, double bpm, uint64_t frame) {
  if (!l) return MS_ERR_INVALID_ARGUMENT;
  if (!bpm_ok(bpm))
    return ctl_fail(l->sampler, MS_ERR_OUT_OF_RANGE, "Cannot set the Link tempo: tempo must be 20..999 bpm, got \"%g\"",
                    bpm);
  link_request_tempo(l->impl, bpm, frame);
  return MS_OK;
}

MS_API int32_t ms_link_request_playing(ms_link_t *l, uint32_t playing, uint64_t frame) {
  if (!l || playing > 1) return MS_ERR_INVALID_ARGUMENT;
  link_request_playing(l->impl, playing, frame);
  return MS_OK;
}

MS_API int32_t ms_link_peers(const ms_link_t *l, uint32_t *out) {
  if (!l || !out) return MS_ERR_INVALID_ARGUMENT;
  *out = link_peers(l->impl);
  return MS_OK;
}

MS_API int32_t ms_link_tempo(const ms_link_t *l, double *out) {
  if (!l || !out) return MS_ERR_INVALID_ARGUMENT;
  link_snapshot_t p;
  if (!link_read(l->impl, &p)) return not_published(l, "read the Link tempo");
  *out = p.bpm;
  return MS_OK;
}

MS_API int32_t ms_link_playing(const ms_link_t *l, uint32_t *out) {
  if (!l || !out) return MS_ERR_INVALID_ARGUMENT;
  link_snapshot_t p;
  if (!link_read(l->impl, &p)) return not_published(l, "read Link's start/stop state");
  *out = p.playing;
  return MS_OK;
}

MS_API int32_t ms_link_beat_at_frame(const ms_link_t *l, double frame, double *out) {
  if (!l || !out || !isfinite(frame)) return MS_ERR_INVALID_ARGUMENT;
  link_snapshot_t p;
  if (!link_read(l->impl, &p)) return not_published(l, "read the Link beat");
  *out = p.beat + (frame - (double)p.frame) / l->sample_rate * p.bpm / 60.0;
  return MS_OK;
}

MS_API int32_t ms_link_frame_at_beat(const ms_link_t *l, double beat, double *out) {
  if (!l || !out || !isfinite(beat)) return MS_ERR_INVALID_ARGUMENT;
  link_snapshot_t p;
  if (!link_read(l->impl, &p)) return not_published(l, "place a Link beat");
  *out = (double)p.frame + (beat - p.beat) * 60.0 / p.bpm * l->sample_rate;
  return MS_OK;
}

MS_API int32_t ms_link_beat_at_host(const ms_link_t *l, int64_t host_us, double *out) {
  if (!l || !out) return MS_ERR_INVALID_ARGUMENT;
  link_snapshot_t p;
  if (!link_read(l->impl, &p)) return not_published(l, "read the Link beat");
  *out = p.beat + ((double)host_us - p.host_us) / 1e6 * p.bpm / 60.0;
  return MS_OK;
}

MS_API int64_t ms_link_host_now(const ms_link_t *l) { return l ? link_host_now(l->impl) : 0; }

#else /* built without Ableton Link */

static int32_t no_link(ms_sampler_t *s) {
  return ctl_fail(s, MS_ERR_UNSUPPORTED,
                  "Cannot use Ableton Link: this engine was built without Link's headers: install ableton-link-dev "
                  "and libasio-dev (tools/setup.sh) and rebuild");
}

MS_API int32_t ms_link_built(void) { return 0; }
MS_API int32_t ms_link_create(ms_sampler_t *s, double bpm, ms_link_t **out) {
  (void)bpm;
  if (out) *out = NULL;
  return no_link(s);
}
MS_API void ms_link_destroy(ms_link_t *l) { (void)l; }
MS_API int32_t ms_link_enable(ms_link_t *l, uint32_t on) { return (void)l, (void)on, no_link(NULL); }
MS_API int32_t ms_link_enable_start_stop_sync(ms_link_t *l, uint32_t on) { return (void)l, (void)on, no_link(NULL); }
MS_API int32_t ms_link_set_quantum(ms_link_t *l, double beats) { return (void)l, (void)beats, no_link(NULL); }
MS_API int32_t ms_link_set_output_latency(ms_link_t *l, uint32_t frames) { return (void)l, (void)frames, no_link(NULL); }
MS_API int32_t ms_link_request_tempo(ms_link_t *l, double bpm, uint64_t frame) {
  return (void)l, (void)bpm, (void)frame, no_link(NULL);
}
MS_API int32_t ms_link_request_playing(ms_link_t *l, uint32_t playing, uint64_t frame) {
  return (void)l, (void)playing, (void)frame, no_link(NULL);
}
MS_API int32_t ms_link_peers(const ms_link_t *l, uint32_t *out) { return (void)l, (void)out, no_link(NULL); }
MS_API int32_t ms_link_tempo(const ms_link_t *l, double *out) { return (void)l, (void)out, no_link(NULL); }
MS_API int32_t ms_link_playing(const ms_link_t *l, uint32_t *out) { return (void)l, (void)out, no_link(NULL); }
MS_API int32_t ms_link_beat_at_frame(const ms_link_t *l, double frame, double *out) {
  return (void)l, (void)frame, (void)out, no_link(NULL);
}
MS_API int32_t ms_link_frame_at_beat(const ms_link_t *l, double beat, double *out) {
  return (void)l, (void)beat, (void)out, no_link(NULL);
}
MS_API int32_t ms_link_beat_at_host(const ms_link_t *l, int64_t host_us, double *out) {
  return (void)l, (void)host_us, (void)out, no_link(NULL);
}
MS_API int64_t ms_link_host_now(const ms_link_t *l) { return (void)l, 0; }
#endif
