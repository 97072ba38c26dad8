/*
 * ms_link.h — the C face of link/ms_link.cpp (Ableton Link's C++ API behind
 * plain functions), used by api/api_link.c (CT) and rt/rt_process.c (RT).
 * Built only when the Link headers are found (MS_HAVE_LINK). No function
 * here lets an exception out: the CT ones return MS_OK or a status code and
 * write what failed into `err`.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef MS_LINK_INTERNAL_H
#define MS_LINK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ms_link;

/* The timeline RT published last: `frame` leaves the output at Link host
 * time `host_us`, on beat `beat` (for `quantum`), at `bpm`. */
typedef struct link_snapshot {
  uint64_t frame;
  double host_us;
  double beat;
  double bpm;
  double quantum;
  uint32_t playing;
} link_snapshot_t;

/* ---- CT (Link's app-thread API) ---- */
/* A disabled Link session at `bpm` for a sampler running at `sample_rate`. */
int32_t link_new(double bpm, double sample_rate, struct ms_link **out, char *err, size_t cap);
/* Leave the session and free it (RT must no longer hold it). */
void link_delete(struct ms_link *l);
int32_t link_enable(struct ms_link *l, uint32_t on, char *err, size_t cap);
int32_t link_start_stop_sync(struct ms_link *l, uint32_t on, char *err, size_t cap);
void link_set_quantum(struct ms_link *l, double beats);
void link_set_latency(struct ms_link *l, uint32_t frames);
/* Ask RT to commit a tempo / a start or stop heard at `frame`. */
void link_request_tempo(struct ms_link *l, double bpm, uint64_t frame);
void link_request_playing(struct ms_link *l, uint32_t playing, uint64_t frame);
uint32_t link_peers(const struct ms_link *l);
/* 0 before RT has published (no call rendered with Link attached), else 1. */
int link_read(const struct ms_link *l, link_snapshot_t *out);
int64_t link_host_now(const struct ms_link *l);

/* ---- RT (Link's audio-thread API) ---- */
/* Capture the session on the call that starts at `frame`, commit CT's
 * requests, publish the timeline. */
void rt_link_block(struct ms_link *l, uint64_t frame);

#ifdef __cplusplus
}
#endif
#endif
