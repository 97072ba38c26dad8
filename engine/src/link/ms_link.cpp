/*
 * ms_link.cpp — Ableton Link inside the engine: plain C functions
 * (link/ms_link.h) over Link's header-only C++ API, behind the public
 * ms_link_* (api/api_link.c), and the render thread's per-call step that
 * places the shared beat timeline on the output frames.
 *
 * This one file is compiled twice (engine/CMakeLists.txt):
 *   MS_LINK_RT=1  the render thread's part, rt_link_block: Link's audio-thread
 *                 API (captureAudioSessionState, commitAudioSessionState), the
 *                 host time of the frame that leaves the output, the timeline
 *                 published to CT. Thread: RT. Never allocates, locks, logs or
 *                 does I/O; test_link_rt_symbols checks what it calls and
 *                 test_link runs it under the allocation guard.
 *   MS_LINK_RT=0  the control thread's part, link_*: create, enable, the
 *                 requests (tempo, start/stop), and reading the published
 *                 timeline. Thread: CT (readers: any). Link's app-thread API.
 * No exception leaves this file: every CT function that can throw catches
 * everything and returns a status code (MS_STATUS_CODES) with the text.
 *
 * The clock: RT stamps the first frame of each ms_process call with Link's
 * host clock (the smallest host-minus-frame time of the last calls takes
 * out the callback's late wake-ups), adds the output latency CT reported, and
 * publishes (frame, host time it is heard, beat there, tempo, playing) under
 * a sequence lock. Between two calls the timeline is linear (Link's tempo is
 * constant until someone changes it), so CT maps any beat to a frame and
 * back from the last published point.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <ableton/Link.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <cstdio>
#include <new>

#include "link/ms_link.h"
#include "midi_sampler.h"

/* A sequence-locked value: one writer, any number of readers that retry
 * while a write is in progress (odd sequence) or happened under them. */
struct link_published {
  std::atomic<uint32_t> seq{0};
  std::atomic<uint64_t> frame{0};   /* first frame of the call */
  std::atomic<double> host_us{0};   /* Link host time that frame leaves the output */
  std::atomic<double> beat{0};      /* beat there, for the quantum below */
  std::atomic<double> bpm{120};
  std::atomic<double> quantum{4};
  std::atomic<uint32_t> playing{0};
};

/* A request CT places on a frame; RT commits it in the call that reaches
 * the frame's neighbourhood (the next call: requests are for frames ahead). */
struct link_request {
  std::atomic<uint32_t> seq{0};     /* even: stable; RT applies a new even value once */
  std::atomic<double> bpm{0};
  std::atomic<uint32_t> playing{0};
  std::atomic<uint64_t> frame{0};
};

struct ms_link {
  explicit ms_link(double bpm) : link(bpm) {}
  ableton::Link link;
  double sample_rate = 48000;
  std::atomic<double> quantum{4};
  std::atomic<uint32_t> latency_frames{0};
  link_request tempo_req, play_req;
  link_published pub;
  /* RT-owned: host time minus frame time of the last calls, and their minimum */
  static constexpr uint32_t kWindow = 256;
  double offsets_us[kWindow] = {};
  uint32_t offset_count = 0, offset_at = 0;
  double offset_us = 0;
  uint32_t tempo_seen = 0, play_seen = 0;
};

#if MS_LINK_RT
/* ------------------------------------------------------------- RT part -- */

/* Host time (µs) of `frame` entering the backend. A render call starts
 * when its period is due or later (a late wake-up, a host stall), never
 * earlier, so the smallest host-minus-frame time over the last kWindow
 * calls (about 0.3 to 2 s) is the period's own time; a lasting shift (the
 * device restarted, its clock drifts from the host's) is followed once it
 * fills the window. */
static double rt_link_host_of_frame(ms_link *l, uint64_t frame) {
  const double now_us = static_cast<double>(l->link.clock().micros().count());
  const double frame_us = static_cast<double>(frame) * 1e6 / l->sample_rate;
  l->offsets_us[l->offset_at] = now_us - frame_us;
  l->offset_at = (l->offset_at + 1) % ms_link::kWindow;
  if (l->offset_count < ms_link::kWindow) l->offset_count++;
  double low = l->offsets_us[0];
  for (uint32_t i = 1; i < l->offset_count; i++) low = std::min(low, l->offsets_us[i]);
  l->offset_us = low;
  return frame_us + low;
}

/* A request's fields if a new stable one is there (false while CT writes). */
static bool rt_link_take(link_request &r, uint32_t &seen, double &bpm, uint32_t &playing, uint64_t &frame) {
  /* acquire pairs with the release increment that ends CT's write */
  const uint32_t s1 = r.seq.load(std::memory_order_acquire);
  if ((s1 & 1u) || s1 == seen) return false;
  bpm = r.bpm.load(std::memory_order_relaxed);
  playing = r.playing.load(std::memory_order_relaxed);
  frame = r.frame.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire); /* the reads above before the re-check */
  if (r.seq.load(std::memory_order_relaxed) != s1) return false;
  seen = s1;
  return true;
}

void rt_link_block(struct ms_link *l, uint64_t frame) {
  const double heard_us =
      rt_link_host_of_frame(l, frame) + l->latency_frames.load(std::memory_order_relaxed) * 1e6 / l->sample_rate;
  const double q = l->quantum.load(std::memory_order_relaxed);
  auto state = l->link.captureAudioSessionState();
  double bpm;
  uint32_t playing;
  uint64_t at;
  bool commit = false;
  if (rt_link_take(l->tempo_req, l->tempo_seen, bpm, playing, at)) {
    const double t = heard_us + (static_cast<double>(at) - static_cast<double>(frame)) * 1e6 / l->sample_rate;
    state.setTempo(bpm, std::chrono::microseconds(std::llround(t)));
    commit = true;
  }
  if (rt_link_take(l->play_req, l->play_seen, bpm, playing, at)) {
    const double t = heard_us + (static_cast<double>(at) - static_cast<double>(frame)) * 1e6 / l->sample_rate;
    state.setIsPlaying(playing != 0, std::chrono::microseconds(std::llround(t)));
    commit = true;
  }
  if (commit) l->link.commitAudioSessionState(state);
  const auto heard = std::chrono::microseconds(std::llround(heard_us));
  link_published &p = l->pub;
  const uint32_t s = p.seq.load(std::memory_order_relaxed);
  p.seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release); /* odd seq before the fields (readers' re-check) */
  p.frame.store(frame, std::memory_order_relaxed);
  p.host_us.store(static_cast<double>(heard.count()), std::memory_order_relaxed);
  p.beat.store(state.beatAtTime(heard, q), std::memory_order_relaxed);
  p.bpm.store(state.tempo(), std::memory_order_relaxed);
  p.quantum.store(q, std::memory_order_relaxed);
  p.playing.store(state.isPlaying() ? 1u : 0u, std::memory_order_relaxed);
  /* release pairs with readers' acquire of seq: the fields before the even seq */
  p.seq.store(s + 2, std::memory_order_release);
}

#else
/* ------------------------------------------------------------- CT part -- */

namespace {

/* Run body; an exception becomes a status code and its text in err. */
template <typename F>
int32_t guarded(char *err, size_t cap, F body) {
  try {
    body();
    return MS_OK;
  } catch (const std::bad_alloc &) {
    std::snprintf(err, cap, "out of memory");
    return MS_ERR_NO_MEMORY;
  } catch (const std::exception &e) {
    std::snprintf(err, cap, "Ableton Link failed: \"%s\"", e.what());
    return MS_ERR_STATE;
  } catch (...) {
    std::snprintf(err, cap, "Ableton Link failed with an unknown exception");
    return MS_ERR_STATE;
  }
}

} // namespace

extern "C" {

int32_t link_new(double bpm, double sample_rate, struct ms_link **out, char *err, size_t cap) {
  *out = nullptr;
  return guarded(err, cap, [&] {
    ms_link *l = new ms_link(bpm);
    l->sample_rate = sample_rate;
    *out = l;
  });
}

void link_delete(struct ms_link *l) {
  try {
    l->link.enable(false);
    delete l;
  } catch (...) {
    /* Link's destructor joins its threads; nothing is left to report to */
  }
}

int32_t link_enable(struct ms_link *l, uint32_t on, char *err, size_t cap) {
  return guarded(err, cap, [&] { l->link.enable(on != 0); });
}

int32_t link_start_stop_sync(struct ms_link *l, uint32_t on, char *err, size_t cap) {
  return guarded(err, cap, [&] { l->link.enableStartStopSync(on != 0); });
}

void link_set_quantum(struct ms_link *l, double beats) { l->quantum.store(beats, std::memory_order_relaxed); }

void link_set_latency(struct ms_link *l, uint32_t frames) {
  l->latency_frames.store(frames, std::memory_order_relaxed);
}

static void write_request(link_request &r, double bpm, uint32_t playing, uint64_t frame) {
  const uint32_t s = r.seq.load(std::memory_order_relaxed);
  r.seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release); /* odd seq before the fields */
  r.bpm.store(bpm, std::memory_order_relaxed);
  r.playing.store(playing, std::memory_order_relaxed);
  r.frame.store(frame, std::memory_order_relaxed);
  /* release pairs with rt_link_take's acquire */
  r.seq.store(s + 2, std::memory_order_release);
}

void link_request_tempo(struct ms_link *l, double bpm, uint64_t frame) { write_request(l->tempo_req, bpm, 0, frame); }

void link_request_playing(struct ms_link *l, uint32_t playing, uint64_t frame) {
  write_request(l->play_req, 0, playing, frame);
}

uint32_t link_peers(const struct ms_link *l) { return static_cast<uint32_t>(l->link.numPeers()); }

int link_read(const struct ms_link *l, link_snapshot_t *out) {
  const link_published &p = l->pub;
  for (;;) {
    /* acquire pairs with RT's release store of the even seq */
    const uint32_t s1 = p.seq.load(std::memory_order_acquire);
    if (s1 == 0) return 0;
    if (s1 & 1u) continue;
    out->frame = p.frame.load(std::memory_order_relaxed);
    out->host_us = p.host_us.load(std::memory_order_relaxed);
    out->beat = p.beat.load(std::memory_order_relaxed);
    out->bpm = p.bpm.load(std::memory_order_relaxed);
    out->quantum = p.quantum.load(std::memory_order_relaxed);
    out->playing = p.playing.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire); /* the reads above before the re-check */
    if (p.seq.load(std::memory_order_relaxed) == s1) return 1;
  }
}

int64_t link_host_now(const struct ms_link *l) { return static_cast<int64_t>(l->link.clock().micros().count()); }

} // extern "C"
#endif
