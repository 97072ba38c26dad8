/*
 * midi.h — internal MIDI state shared by the input threads, the render
 * thread and CT: the compiled map (immutable once published), the per-
 * sampler hub, and one "source" per producer of MIDI (an input thread, or
 * JACK's process callback).
 *
 * Ownership: CT allocates and frees everything (ctl_alloc). A source's engine
 * ring has one producer (its thread or JACK's callback) and the render thread
 * as consumer; its poll ring has the same producer and CT (ms_midi_poll) as
 * consumer. Maps reach RT through MS_CMD_SWAP_MIDI_MAP and come back through
 * the return ring (MS_RET_MIDI_MAP). Fields marked RT-owned are written only
 * by the render thread.
 */
#ifndef MS_SHARED_MIDI_H
#define MS_SHARED_MIDI_H

#include <string.h>
#include <time.h>

#include "shared/engine.h"
#include "shared/midi_parser.h"

#define MS_MIDI_MAX_TARGETS 8u      /* voices one held (channel, key) may have started: layers */
#define MS_MIDI_CHAN_INSTRUMENTS 32u /* distinct instruments one channel's layers may reach */
#define MS_MIDI_MAX_INPUTS 4u
#define MS_MIDI_MAX_SOURCES (MS_MIDI_MAX_INPUTS + 1u) /* + JACK */
#define MS_MIDI_POLL_RING 1024u     /* messages waiting for JavaScript, per source */

/* The compiled, immutable map RT reads. One ctl_alloc block: this header,
 * then the layers, then the controller mappings. */
typedef struct rt_midi_map {
  uint32_t layer_count, cc_count;
  const ms_midi_layer_t *layers;
  const ms_midi_cc_map_t *ccs;     /* values converted for RT (volume dB -> linear) */
  ms_midi_channel_t channels[16];
  uint32_t chan_inst_count[16];
  uint32_t chan_inst[16][MS_MIDI_CHAN_INSTRUMENTS];
  bool cc_mapped[16][128];         /* a mapping exists: no pass-through */
  struct rt_midi_map *next_retired; /* RT-owned: waiting for room in the return ring */
} rt_midi_map_t;

typedef struct midi_target {
  uint32_t id;
  uint8_t key;
} midi_target_t;

/* One producer of MIDI messages. */
typedef struct ms_midi_source {
  ms_producer_t *producer;  /* engine ring toward RT */
  ms_ring_t poll_ring;      /* ms_midi_message_t toward CT */
  void *poll_storage;
  midi_parser_t parser;     /* producer-owned */
  midi_clock_t clock;       /* producer-owned */
  uint8_t kind;             /* MS_MIDI_SOURCE_* */
} ms_midi_source_t;

typedef struct ms_midi_hub {
  ms_sampler_t *sampler;
  int wake_fd;                       /* eventfd: input threads and ms_midi_wake write, ms_midi_wait reads */
  _Atomic uint64_t polled_pushed;    /* messages put in any poll ring (producers add) */
  _Atomic uint64_t polled_seen;      /* the count ms_midi_poll last saw (CT stores, the waiter loads) */
  _Atomic uint32_t listening;        /* 1 once JavaScript polls: only then do poll rings fill */
  /* CT-owned */
  ms_midi_source_t *sources[MS_MIDI_MAX_SOURCES];
  struct ms_midi_in *inputs[MS_MIDI_MAX_INPUTS];
  /* RT-owned */
  rt_midi_map_t *map;
  rt_midi_map_t *retire_pending;
  uint8_t program[16];
  bool program_set[16];
  uint8_t target_count[16][128];
  midi_target_t targets[16][128][MS_MIDI_MAX_TARGETS];
} ms_midi_hub_t;

static inline uint64_t midi_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Hand one parsed message on: channel messages become an MS_CMD_MIDI record
 * in the source's engine ring (at `frame`, MS_FRAME_NOW for the next block)
 * and, while JavaScript listens, a copy in its poll ring; clock ticks move
 * the tempo estimate; start/stop/continue set the transport state. Returns
 * true when the poll ring got a message (the caller may then wake the
 * waiter). Thread: the source's producer (an input thread or RT). RT-safe:
 * no allocation, locks or system calls.
 */
bool midi_source_deliver(ms_sampler_t *s, ms_midi_hub_t *h, ms_midi_source_t *src, const midi_msg_t *m,
                         uint64_t arrival_ns, uint64_t frame);

/* CT: the sampler's hub, created on first use. NULL when out of memory or no eventfd. */
ms_midi_hub_t *ctl_midi_hub(ms_sampler_t *s);
/* CT: a source of kind (engine producer + poll ring), registered in the hub. */
int32_t ctl_midi_source_new(ms_sampler_t *s, uint8_t kind, ms_midi_source_t **out);
/* CT: unregister and free a source whose producer has stopped for good. */
void ctl_midi_source_free(ms_sampler_t *s, ms_midi_source_t *src);
/* CT: open an input and start its reader thread; close joins it (ctl_midi_in.c). */
int32_t ctl_midi_in_open(ms_sampler_t *s, uint32_t kind, const char *path, struct ms_midi_in **out);
void ctl_midi_in_close(struct ms_midi_in *in);

#endif /* MS_SHARED_MIDI_H */
