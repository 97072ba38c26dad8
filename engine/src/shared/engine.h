/*
 * engine.h — internal data shared by the control thread (CT) and the render
 * thread (RT). Not installed.
 *
 * Ownership rules (the whole design hangs on them):
 *   - CT allocates and frees everything. RT never calls malloc/free.
 *   - CT -> RT: ms_cmd_t records through one SPSC ring per producer.
 *   - RT -> CT: ms_ret_t records through the return ring: instrument data
 *     RT no longer uses, producers it has let go. CT frees them.
 *   - Instrument data (rt_instrument_data) is immutable once published,
 *     except the fields marked "RT-owned" which only RT writes.
 *   - Stats are plain uint64_t written with __atomic builtins by one writer.
 */
#ifndef MS_SHARED_ENGINE_H
#define MS_SHARED_ENGINE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "midi_sampler.h"
#include "shared/ring.h"

#define MS_LIKELY(x) __builtin_expect(!!(x), 1)
#define MS_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Control grid: gains, envelopes and pitch are recomputed on absolute frame
 * multiples of this (and at note events), and ramped linearly in between.
 * Absolute alignment makes output independent of how callers slice blocks. */
#define MS_CONTROL_FRAMES 64u
#define MS_MAX_PRODUCERS 8u
#define MS_MAX_CHANNELS 32u /* 2 * MS_MAX_ORBITS: one pair per orbit (MS_AUDIO_ORBIT_OUTPUTS) */
#define MS_MAX_BUSES 16u
#define MS_PAD_BEFORE 1u   /* zero frames before sample data (cubic tap -1) */
#define MS_PAD_AFTER 4u    /* zero frames after (taps +1, +2 past the end) */
#define MS_FADE_SECONDS 0.002f  /* steal / choke / all-sound-off fade */
#define MS_SINE_TABLE_SIZE 4096u
#define MS_TAN_TABLE_SIZE 4096u
#define MS_NAME_MAX 64u
#define MS_ERRMSG_MAX 512u

/* ------------------------------------------------- CT -> RT commands -- */
/*
 * A ring record (ms_cmd_t) is a tagged union: `type` says which member holds
 * its data, and each member means one thing. Public ms_event_t records are
 * converted once, at the API boundary (api_events.c); MIDI input builds its
 * records in midi_source.c.
 *
 * Timed commands (type < MS_CMD_FIRST_IMMEDIATE) wait in RT's queue for their
 * frame; the others apply as soon as RT takes them off the ring.
 */
#define MS_CMD_NOTE_ON 1u          /* note */
#define MS_CMD_NOTE_OFF 2u         /* note_off */
#define MS_CMD_CC 3u               /* cc */
#define MS_CMD_PITCH_BEND 4u       /* bend */
#define MS_CMD_PARAM 5u            /* param */
#define MS_CMD_ALL_NOTES_OFF 6u    /* all */
#define MS_CMD_ALL_SOUND_OFF 7u    /* all */
#define MS_CMD_MIDI 8u             /* midi: through the sampler's MIDI map (rt_midi.c) */
#define MS_CMD_CONTROLS 9u         /* controls: part of the next note-on's per-note controls (rt_vctl.c) */
#define MS_CMD_MIDI_OUT 10u        /* midi_out: a message out of a MIDI output, or its panic (rt_midi_out.c) */
#define MS_CMD_CYCLE 16u           /* cycle: a new cycle length (delaytime in cycles, rt_orbit.c) */
#define MS_CMD_FIRST_IMMEDIATE 100u
#define MS_CMD_SWAP_INSTRUMENT 100u   /* swap */
#define MS_CMD_REMOVE_INSTRUMENT 101u /* remove */
#define MS_CMD_SET_INTERP 102u        /* interp */
#define MS_CMD_REMOVE_PRODUCER 103u   /* producer */
#define MS_CMD_SWAP_MIDI_MAP 104u     /* midi_map */
#define MS_CMD_ORBIT_MEMORY 116u      /* orbit: an orbit's memory from CT (rt_orbit_install) */

struct rt_instrument_data;
struct rt_midi_map;
struct rt_fx_orbit;
struct rt_orbits;
struct ms_producer;

typedef struct ms_cmd_note {
  uint32_t instrument;
  uint8_t key, velocity;       /* velocity 1..127 */
  uint8_t channel;             /* MIDI channel 0..15 (zones' channel ranges) */
  uint8_t controls;            /* MS_CMD_CONTROLS records just before it (0: none) */
  float gain;                  /* linear, multiplies zone and velocity gain */
  float pan;                   /* added to zone and instrument pan */
  float tune_cents;            /* added to the zone's tuning */
  uint32_t offset_frames;      /* added to the zone's start offset */
} ms_cmd_note_t;

/* Up to 3 per-note controls of the note-on that follows on the same ring
 * (ms_cmd_note_t.controls says how many of these records it has; `index`
 * counts them from 0, which clears what an earlier, broken run left). */
#define MS_CMD_CONTROLS_PER_RECORD 3u
typedef struct ms_cmd_controls {
  uint32_t instrument;
  uint8_t index;               /* 0, 1, ... within the note's run (at most 43 records) */
  uint8_t id[3];               /* MS_CONTROL_*; 0xff = unused */
  float value[3];              /* checked on CT, in the table's unit */
} ms_cmd_controls_t;

typedef struct ms_cmd_note_off {
  uint32_t instrument;
  uint8_t key;
} ms_cmd_note_off_t;

typedef struct ms_cmd_cc {
  uint32_t instrument;
  uint32_t controller;         /* 0..127 */
  uint32_t value;              /* 0..127 */
} ms_cmd_cc_t;

typedef struct ms_cmd_bend {
  uint32_t instrument;
  float amount;                /* -1..1: the MIDI value / 8192 */
} ms_cmd_bend_t;

typedef struct ms_cmd_param {
  uint32_t instrument;
  uint32_t param;              /* MS_PARAM_* */
  float value;                 /* in the render thread's unit: MS_PARAM_VOLUME_DB is a linear gain */
} ms_cmd_param_t;

typedef struct ms_cmd_all {
  uint32_t instrument;         /* 0 = every instrument */
} ms_cmd_all_t;

typedef struct ms_cmd_midi {
  uint64_t arrival_ns;         /* CLOCK_MONOTONIC at arrival; 0 = not stamped (pushed by a caller) */
  uint8_t status, data1, data2; /* a channel voice message */
} ms_cmd_midi_t;

typedef struct ms_cmd_midi_out {
  uint32_t out;                /* index into ms_sampler.midi_outs */
  uint8_t size;                /* 1..3 bytes; 0 = panic: a note-off for every note sounding on it */
  uint8_t bytes[3];
} ms_cmd_midi_out_t;

typedef struct ms_cmd_swap {
  uint32_t instrument;
  struct rt_instrument_data *data; /* the new version, may be NULL */
} ms_cmd_swap_t;

typedef struct ms_cmd_orbit {
  uint32_t orbit;              /* 0..MS_MAX_ORBITS-1 */
  struct rt_fx_orbit *fx;      /* initialised by CT (ctl_orbit_prepare) */
} ms_cmd_orbit_t;

typedef struct ms_cmd_producer {
  uint32_t index;              /* 1..MS_MAX_PRODUCERS-1 */
  struct ms_producer *producer;
} ms_cmd_producer_t;

typedef struct ms_cmd {
  uint64_t frame;              /* absolute frame, or MS_FRAME_NOW; immediate commands ignore it */
  uint32_t type;               /* MS_CMD_*: names the member below */
  union {
    ms_cmd_note_t note;
    ms_cmd_note_off_t note_off;
    ms_cmd_cc_t cc;
    ms_cmd_bend_t bend;
    ms_cmd_param_t param;
    ms_cmd_all_t all;
    ms_cmd_midi_t midi;
    ms_cmd_controls_t controls;
    ms_cmd_midi_out_t midi_out;
    ms_cmd_swap_t swap;
    uint32_t remove;           /* the instrument id */
    uint32_t interp;           /* MS_INTERP_LINEAR or MS_INTERP_CUBIC */
    ms_cmd_producer_t producer;
    struct rt_midi_map *midi_map; /* the new map, may be NULL */
    ms_cmd_orbit_t orbit;
    double frames_per_cycle;   /* MS_CMD_CYCLE: output frames per cycle (> 0) */
  };
} ms_cmd_t;
_Static_assert(sizeof(ms_cmd_t) == 40, "ms_cmd_t size");

/* Return ring record types. */
#define MS_RET_INSTRUMENT_DATA 1u
#define MS_RET_PRODUCER 2u
#define MS_RET_MIDI_MAP 3u

typedef struct ms_ret {
  uint32_t type;
  uint32_t index;
  void *ptr;
} ms_ret_t;

/* ------------------------------------------------------------ memory -- */
/* Every engine allocation carries this header so enable_rt can lock it all. */
typedef struct ctl_block {
  struct ctl_block *prev, *next;
  size_t bytes;      /* usable bytes after the header */
  bool locked;
} ctl_block_t;

/* ------------------------------------------------------------ samples -- */
struct ms_sample {
  struct ms_sampler *owner;
  void *data;                 /* first real frame (float or int16); padded before and after */
  uint64_t frames;
  uint32_t channels;
  uint32_t bits;              /* 32: float, 16: int16 (ms_sampler_set_sample_bits) */
  uint32_t sample_rate;
  uint32_t has_loop;
  uint32_t loop_start, loop_end; /* exclusive end */
  uint32_t root_key;
  uint32_t refs;              /* CT-only: the caller's + each zone's + each published version's */
  uint64_t bytes;
  char path[256];
};

/* --------------------------------------------------- instrument data -- */
/* An envelope's description, computed on CT (ctl_env_describe) from a
 * zone's times; its runtime state is rt_env_t, stepped by rt/rt_env.h. */
typedef struct rt_env_desc {
  uint32_t delay_frames, attack_frames, hold_frames;
  float decay_coef;           /* per frame, toward sustain */
  float sustain;
  float release_coef;         /* per frame, toward 0 */
  uint32_t decay_frames, release_frames; /* linear envelopes: the decay and release ramps' lengths */
  bool linear;                /* linear decay and release (per-note controls, superdough's ADSR) */
  float settle;               /* decay becomes sustain within this distance of it; 0 = never */
  float floor;                /* a falling level under this ends the envelope; 0 = never ends */
} rt_env_desc_t;

enum { RT_ENV_DELAY, RT_ENV_ATTACK, RT_ENV_HOLD, RT_ENV_DECAY, RT_ENV_SUSTAIN, RT_ENV_RELEASE, RT_ENV_DONE };

typedef struct rt_env {
  float level;                /* value at the last frame stepped */
  uint32_t left;              /* frames left in a timed stage (delay, attack, hold) */
  uint8_t stage;              /* RT_ENV_* */
} rt_env_t;

/* One zone as the render thread sees it: everything precomputed on CT. */
typedef struct rt_zone {
  const void *data;           /* float or int16 frames */
  uint64_t length;            /* frames */
  uint32_t channels;
  uint32_t bits;
  uint8_t lo_key, hi_key, lo_vel, hi_vel;
  uint8_t loop_mode;          /* resolved: never MS_LOOP_AUTO */
  uint8_t alt_mode;
  uint16_t alt_index;         /* index into alt_counters; 0xffff = no group */
  uint32_t exclusive_group;
  uint32_t choked_by;         /* resolved off_by: the group whose notes choke it, 0 = never */
  uint8_t trigger;            /* MS_TRIGGER_* */
  uint8_t off_mode;           /* MS_OFF_* */
  uint8_t lo_chan, hi_chan;
  uint8_t sw_last;            /* MS_NO_KEYSWITCH = unconditional */
  uint8_t filter_type;        /* MS_FILTER_* */
  uint8_t fil_keycenter;
  uint8_t cutoff_cc;
  uint8_t note_polyphony;     /* 0 = no limit */
  float off_step;             /* MS_OFF_TIME: fade per frame of a choked voice */
  float lo_rand, hi_rand;
  const ms_zone_mod_t *mods;  /* its modulation rows, in the version's array (rt_mod.h), or NULL */
  uint16_t mod_count;
  uint8_t mod_flags;          /* RT_MOD_* (rt_mod.h): which kinds of rows it has */
  const ms_controls_t *controls; /* per-note control values of the zone (ms_instrument_set_zone_controls), or NULL */
  uint32_t loop_start, loop_end;
  uint32_t offset;
  float tune_cents;
  float keytrack;             /* cents per key from root */
  uint8_t root_key;
  float cutoff_hz, filter_k;  /* k = 1/Q of the state-variable filter */
  float fil_veltrack, fil_keytrack, fileg_depth, cutoff_cc_cents;
  rt_env_desc_t fil_env;      /* scaled by fileg_depth cents */
  float chorus_send;          /* into the voice's orbit chorus (the voice then takes the rt_vctl path) */
  float penv_delay_s, penv_hold_s; /* the `penv` pitch envelope's delay and hold (rt_vctl) */
  double rate_ratio;          /* sample rate / output rate */
  float gain;                 /* linear */
  float pan;
  float width;                /* a stereo sample's width / 100, -1..1 (1: as recorded; RT_MOD_WIDTH when not) */
  rt_env_desc_t amp_env;      /* its end ends the voice */
  float amp_times[6];         /* amp_env's delay, attack, hold, decay, sustain, release (s; MS_MOD_AMPEG_* rows) */
  uint8_t source;             /* MS_SOURCE_*: a sample, or an oscillator (rt_osc.h) */
  const struct rt_osc_tables *osc_tables; /* an oscillator zone's wavetables (ctl_osc_zone) */
  float vel_gain[128];
} rt_zone_t;

typedef struct rt_instrument_data {
  uint32_t zone_count;
  uint32_t alt_count;
  rt_zone_t *zones;
  uint32_t *alt_counters;     /* RT-owned: round-robin positions */
  uint32_t *select_scratch;   /* RT-owned: 3 * zone_count, one note's matches, started zones, chokes (rt_select.c) */
  double *lfo_state;          /* RT-owned: lfo_stride doubles per voice of the pool, for LFO rows whose rate a
                                 MS_MOD_LFO_HZ row moves (rt_mod.c): the last frame read, then each row's phase and
                                 rate; NULL when no zone has such rows */
  uint32_t lfo_stride;        /* 1 + 2 * the most such rows of one zone */
  bool keyswitch[128];        /* keys that act as keyswitches in this version */
  bool has_release_zones;
  bool has_cc_triggers;       /* a zone starts on CC messages (MS_MOD_TRIGGER) */
  uint8_t cc_init[128];       /* what CC sources read until the slot receives the CC (ms_instrument_set_cc_init) */
  ms_zone_mod_t *mods;        /* every zone's modulation rows, zone after zone */
  const float *curves;        /* the instrument's custom curves, 128 values each from curve 8, or NULL */
  uint32_t curve_count;
  uint32_t mod_count;
  /* RT-owned bookkeeping */
  uint32_t voices_using;
  bool retired;
  struct rt_instrument_data *next_retired;
  /* CT-owned */
  struct ms_sample **samples; /* references to release when freed */
  uint32_t sample_count;
} rt_instrument_data_t;

/* Per-instrument controller state, owned by RT (indexed by slot). */
typedef struct rt_slot {
  rt_instrument_data_t *data;
  uint32_t id;                 /* 0 = free */
  uint32_t voices;             /* voices holding notes (not fading) */
  uint32_t polyphony;
  uint32_t bus;
  bool sustain;
  float bend;                  /* -1..1 */
  float bend_range;            /* semitones */
  float mod;                   /* 0..1 */
  float vib_depth_cents, vib_rate_hz, vib_phase;
  float vib_cents;             /* value for the current control chunk */
  float volume, expression, pan;      /* targets */
  float gain0, gain1, pan0, pan1;     /* smoothed values at chunk start-1 and chunk end */
  bool live;                   /* in the live slot list */
  uint8_t keyswitch;           /* last keyswitch key, MS_NO_KEYSWITCH before any */
  uint8_t note_vel[128];       /* velocity of each key's last note-on (release triggers) */
  uint8_t note_chan[128];
  bool release_pending[128];   /* note-off seen under the sustain pedal: release zones fire at pedal up */
  uint8_t cc[128];             /* last value of each controller (filter cutoff modulation) */
  uint32_t cc_seen[4];         /* bit n: cc[n] was received (else zone rows read the version's cc_init) */
  uint64_t note_frame[128];    /* frame of each key's last note-on (MS_MOD_SRC_HELD_SECONDS) */
} rt_slot_t;

/* ------------------------------------------------------------- voices -- */
enum { VOICE_FREE = 0, VOICE_PLAYING, VOICE_FADING };

typedef struct rt_voice {
  alignas(64)
  /* hot: read every frame */
  uint64_t pos;                /* 32.32 fixed point sample position */
  uint64_t inc;
  const void *data;            /* float or int16 frames (bits) */
  float gl, gr, dgl, dgr;      /* gain at ramp_start-1 and per-frame steps: frame f plays
                                  gl + dgl * (f - ramp_start + 1) */
  uint32_t channels;
  uint32_t bits;
  uint32_t frame_bytes;
  uint32_t loop_start, loop_end; /* active loop (end exclusive); loop_end 0 = none */
  uint64_t length;
  uint8_t state;
  uint8_t loop_mode;
  uint8_t note, velocity;
  bool released;               /* note-off seen (or sustained then released) */
  bool sustained;              /* note-off arrived while the pedal was down */
  bool detached;               /* its instrument was removed: no slot bookkeeping */
  bool wrapped;                /* a looping voice has passed its loop end at least once */
  bool ext;                    /* per-note controls: s->vctl->voice[index] holds them (rt_vctl.h) */
  uint8_t orbit;               /* its `orbit` control (0 without): the pair it plays into with orbit outputs */
  uint16_t slot;
  uint16_t active_index;
  /* control: recomputed at ramp ends */
  uint64_t ramp_start, ramp_end;   /* absolute frames: ramp covers [start, end) */
  float gl_end, gr_end;        /* gain at ramp_end-1: where the next ramp starts */
  /* the last ramp's gain and pitch inputs and results (voice_control reuses them while the inputs
   * keep their bits: a held note's ramps): memo_inc 0 = none yet */
  float memo_level, memo_sg, memo_sp, memo_note_gain, memo_note_pan, memo_gl, memo_gr, memo_cents;
  uint64_t memo_inc;
  rt_env_t amp;                /* amplitude envelope; amp.level is its value at ramp_end-1 */
  float env0;                  /* ... and at ramp_start-1 */
  float fade0, fade1;          /* steal/choke fade multiplier likewise */
  float fade_step;             /* per frame while fading */
  float note_gain;             /* zone gain * velocity gain * note gain */
  float note_pan;
  float cents;                 /* pitch relative to the sample, before bend/vibrato */
  double rate_ratio;
  const rt_zone_t *zone;
  rt_instrument_data_t *idata;
  uint64_t start_seq;
  uint32_t exclusive_group;
  uint32_t choked_by;
  uint32_t bus;
  /* per-voice filter (zone->filter_type != MS_FILTER_NONE) */
  float ic1[2], ic2[2];        /* state-variable filter state per channel */
  float fa1, fa2, fa3, fk;     /* coefficients for the current ramp */
  float fil_base_cents;        /* velocity + key tracking, fixed at note-on */
  rt_env_t fil;                /* filter envelope, stepped once per ramp */
  /* zone modulation rows that follow a CC (zone->mod_flags & RT_MOD_LIVE), at the current ramp */
  float mod_gain, mod_pan, mod_cents, mod_cutoff_cents;
  bool own_env;                /* zone rows gave it its own amplitude envelope (amp_own) */
  uint64_t mod_start;          /* its first frame: LFO rows' time origin */
  rt_env_desc_t amp_own;
} rt_voice_t;

/* A queued timed command (heap entry): cmd.frame is the frame it applies at. */
typedef struct rt_timed {
  uint64_t seq;                /* arrival order: ties on one frame keep it */
  ms_cmd_t cmd;
} rt_timed_t;

/* ------------------------------------------------------------ producer -- */
struct ms_producer {
  alignas(64) ms_ring_t ring;
  struct ms_sampler *sampler;
  uint32_t index;
  void *storage;
};

/* ------------------------------------------------------------- sampler -- */
struct ms_instrument;

struct ms_sampler {
  /* ---- fixed at create (read by both) ---- */
  ms_audio_config_t cfg;
  uint32_t serial;             /* distinguishes samplers in instrument ids */
  uint32_t buses;              /* stereo buses rendered */
  uint32_t fade_frames;
  uint32_t voice_capacity;     /* max_polyphony + fade reserve */
  float smooth_coef;           /* one-pole coefficient per control chunk (~5 ms) */

  /* ---- tables (CT builds at create, RT reads) ---- */
  float *semitone_ratio;       /* 257: 2^((i-128)/12) */
  float *cent_ratio;           /* 101: 2^(c/1200) */
  float *sine;                 /* MS_SINE_TABLE_SIZE + 1 */
  float *cc_gain;              /* 128: MIDI volume curve */
  float *tan_table;            /* MS_TAN_TABLE_SIZE + 1: tan(pi * x / 2) for x in [0, 1): filter g */
  float *scratch;              /* 2 * MS_CONTROL_FRAMES: dry samples of a filtered voice's run */
  struct rt_vctl *vctl;        /* per-note controls: instrument values, staged note run, per-voice state (rt_vctl.h) */

  /* ---- CT -> RT ---- */
  ms_producer_t *_Atomic producers[MS_MAX_PRODUCERS];
  ms_producer_t *ct_producer;  /* index 0: the CT's own */
  /* ---- RT -> CT ---- */
  ms_ring_t ret_ring;
  void *ret_storage;

  /* ---- RT-owned state ---- */
  alignas(64) _Atomic uint32_t in_process; /* one ms_process caller at a time (checked, never waited for) */
  uint64_t now;                /* next frame to render */
  uint64_t anchor_ns;          /* CLOCK_MONOTONIC at the start of the last ms_process call */
  uint64_t anchor_frame;       /* ... the frame it began at, and its length: raw MIDI input */
  uint32_t anchor_frames;      /* lands at arrival + one call (constant latency, no jitter) */
  uint64_t seq;
  uint64_t rng;
  uint32_t interpolation;
  rt_voice_t *voices;          /* voice_capacity */
  uint16_t *active;            /* indices of non-free voices */
  uint32_t active_count;
  uint32_t holding;            /* voices holding notes (not fading) */
  rt_slot_t *slots;            /* max_instruments */
  uint16_t *live_slots;
  uint32_t live_slot_count;
  rt_timed_t *heap;
  uint32_t heap_count, heap_capacity;
  float *bus;                  /* buses * 2 * buffer_size, planar */
  struct rt_orbits *orbits;    /* rt/rt_orbit.h: allocated at create; orbit memory arrives lazily */
  rt_instrument_data_t *retired_pending; /* waiting for room in the return ring */
  uint64_t voice_seq;

  /* ---- recorder handover (ctl_recorder.c <-> rt_recorder.c) ---- */
  struct ms_recorder *_Atomic recorder; /* set/cleared by CT, read by RT each call */
  _Atomic uint32_t recorder_busy;        /* RT holds `recorder` while 1 (seq_cst handshake) */
  /* ---- Ableton Link handover (api/api_link.c: ms_link_create/destroy <-> rt_process.c) ---- */
  struct ms_link *_Atomic link;          /* set/cleared by CT, read by RT each call (link/ms_link.h) */
  _Atomic uint32_t link_busy;            /* RT holds `link` while 1 (seq_cst handshake) */

  /* ---- MIDI (shared/midi.h): set by CT before the first MIDI command, then read by RT ---- */
  struct ms_midi_hub *_Atomic midi;
  /* ---- MIDI outputs (shared/midi_out.h): published by CT (release) before a command names one ---- */
  struct ms_midi_out *_Atomic midi_outs[MS_MIDI_MAX_OUTS];

  /* ---- stats: stable address, one writer per field ---- */
  alignas(64) ms_stats_t stats;
  alignas(64) ms_midi_stats_t midi_stats;

  /* ---- CT-owned ---- */
  ctl_block_t blocks;          /* list head of every allocation */
  uint64_t mem_total, mem_locked; /* running totals of the list (under its lock) */
  bool lock_memory;
  uint32_t sample_bits;        /* width new samples are stored at: 32 (float) or 16 */
  uint32_t rt_status;
  int32_t rt_priority;
  struct ms_instrument **instruments; /* by slot */
  uint32_t *pending_remove;    /* by slot: id of a removal the full ring has not taken yet */
  bool producer_used[MS_MAX_PRODUCERS];
  struct ms_output *output;    /* the open live output, closed by ms_sampler_destroy */
  struct ms_recorder *recording; /* the running recorder, stopped by ms_sampler_destroy */
  uint16_t *slot_generation;
  _Atomic uint32_t orbits_prepared; /* bit k: orbit k's memory was pushed to RT (ctl_orbit.c); read by producers */
  char errmsg[MS_ERRMSG_MAX];
};

/* CT-side instrument handle. */
typedef struct ctl_zone {
  ms_zone_t desc;
  struct ms_sample *sample;
  bool has_vel_curve;          /* vel_curve replaces the velocity_track square law */
  ms_controls_t *controls;     /* ms_instrument_set_zone_controls, or NULL */
  ms_zone_mod_t *mods;         /* ms_instrument_set_zone_mods, or NULL */
  uint32_t mod_count;
  float vel_curve[128];
} ctl_zone_t;

struct ms_instrument {
  ms_sampler_t *sampler;
  uint32_t id;
  uint32_t slot;
  char name[MS_NAME_MAX];
  ctl_zone_t *zones;
  uint32_t zone_count, zone_capacity;
  uint8_t cc_init[128];        /* ms_instrument_set_cc_init */
  float *curves;               /* ms_instrument_set_curve: 128 values per curve from 8, linear until set */
  uint32_t curve_count;        /* curves allocated (8 .. 8 + curve_count - 1) */
  bool dirty;
};

/* Instrument ids: serial(8) | generation(12) | slot(12); never 0. */
#define MS_ID_SLOT(id) ((id) & 0xfffu)
#define MS_ID_SERIAL(id) ((id) >> 24)
static inline uint32_t ms_make_id(uint32_t serial, uint32_t gen, uint32_t slot) {
  return ((serial & 0xffu) << 24) | ((gen & 0xfffu) << 12) | (slot & 0xfffu);
}

/* Stats helpers: relaxed single-writer stores (readers may be any thread). */
static inline void stat_set(uint64_t *field, uint64_t v) { __atomic_store_n(field, v, __ATOMIC_RELAXED); }
static inline uint64_t stat_get(const uint64_t *field) { return __atomic_load_n(field, __ATOMIC_RELAXED); }
static inline void stat_add(uint64_t *field, uint64_t v) { __atomic_fetch_add(field, v, __ATOMIC_RELAXED); }

/* The recorder's ring, shared by RT (producer of frames) and its writer
 * thread (consumer). Defined here so rt_recorder.c can feed it. */
struct ms_recorder {
  ms_sampler_t *sampler;
  float *ring;                 /* capacity * channels floats */
  uint32_t capacity;           /* frames, power of two */
  uint32_t channels;
  alignas(64) _Atomic uint64_t head; /* frames written by RT */
  alignas(64) _Atomic uint64_t tail; /* frames taken by the writer */
  alignas(64) _Atomic uint64_t dropped;
  _Atomic uint32_t stop;       /* CT asks the writer to drain and finish */
  void *sf;                    /* SNDFILE*, writer thread only */
  int32_t write_error;         /* set by the writer, read by CT after join */
  char path[256];
};

/* ------------------------------------------------ RT entry points (rt/) -- */
/* The render thread's files call downward only: rt_process.c (block loop) ->
 * rt_midi.c (MIDI map) -> rt_dispatch.c (slots, events, commands) ->
 * rt_voice.c (voices) -> rt_select.c (which zones a note starts) and
 * rt_return.c (RT -> CT); rt_recorder.c stands apart. test_layers checks it. */

/* rt_recorder.c: append one rendered call's frames to the recorder, if one is attached. */
void rt_recorder_feed(ms_sampler_t *s, const float *frames, uint32_t n);

/* rt_return.c: hand instrument data RT no longer uses back to CT (kept on a
 * list while the return ring is full); retry that list; a producer RT has
 * let go; a MIDI map (false when the ring is full). */
void rt_retire_data(ms_sampler_t *s, rt_instrument_data_t *d);
void rt_retire_retry(ms_sampler_t *s);
void rt_return_producer(ms_sampler_t *s, uint32_t index, struct ms_producer *p);
bool rt_return_midi_map(ms_sampler_t *s, struct rt_midi_map *m);

/* rt_voice.c */
void rt_voice_note_on(ms_sampler_t *s, rt_slot_t *slot, uint32_t slot_index, const ms_cmd_note_t *note,
                      uint64_t frame);
void rt_voice_note_off(ms_sampler_t *s, uint32_t slot_index, uint8_t note, uint64_t frame);
/* A CC message: start the zones it triggers (MS_MOD_TRIGGER rows). */
void rt_voice_cc_trigger(ms_sampler_t *s, rt_slot_t *slot, uint32_t slot_index, uint32_t cc, uint32_t value,
                         uint64_t frame);
void rt_voice_release_sustained(ms_sampler_t *s, uint32_t slot_index, uint64_t frame);
void rt_voice_all_notes_off(ms_sampler_t *s, int32_t slot_index, uint64_t frame);
void rt_voice_fade_all(ms_sampler_t *s, int32_t slot_index, uint64_t frame, bool detach);
void rt_voices_render(ms_sampler_t *s, uint64_t from, uint32_t frames, uint32_t offset);

/* rt_dispatch.c: apply one timed command (not MS_CMD_MIDI) at frame; apply
 * one immediate command (not MS_CMD_SWAP_MIDI_MAP); advance every live slot's
 * smoothed gain, pan and vibrato at a control-grid boundary. */
void rt_dispatch(ms_sampler_t *s, const ms_cmd_t *c, uint64_t frame);
void rt_dispatch_immediate(ms_sampler_t *s, const ms_cmd_t *c);
void rt_slots_advance(ms_sampler_t *s);

/* rt_midi.c: an MS_CMD_MIDI record through the current map; a map swap. */
void rt_midi_dispatch(ms_sampler_t *s, const ms_cmd_midi_t *m, uint64_t frame);
void rt_midi_swap_map(ms_sampler_t *s, struct rt_midi_map *map);

/* rt_midi_out.c: an MS_CMD_MIDI_OUT record on frame f: into its output's ring. */
void rt_midi_out_dispatch(ms_sampler_t *s, const ms_cmd_midi_out_t *m, uint64_t f);

/* Eighth-octave bucket of a duration, with integer operations only:
 * 8*log2(ns/1000) from the leading bit and the next three bits, capped at
 * buckets - 1 (ms_stats_t.render_ns_hist, ms_midi_stats_t.latency_ns_hist). */
static inline uint32_t ms_hist_bucket(uint64_t ns, uint32_t buckets) {
  uint64_t us8 = ns * 8 / 1000; /* eighths of a microsecond */
  if (us8 < 8) return 0;
  uint32_t lead = 63u - (uint32_t)__builtin_clzll(us8); /* >= 3 */
  uint32_t frac = (uint32_t)((us8 >> (lead - 3)) & 7u);
  uint32_t b = (lead - 3) * 8 + frac;
  return b < buckets ? b : buckets - 1;
}

/* ---------------------------------------------- CT internals (ctl/) -- */
void *ctl_alloc(ms_sampler_t *s, size_t bytes);
/* Like ctl_alloc but not zeroed (the caller writes every byte it reads). */
void *ctl_alloc_uninit(ms_sampler_t *s, size_t bytes);
void ctl_free(ms_sampler_t *s, void *p);
int32_t ctl_lock_all(ms_sampler_t *s);
void ctl_unlock_all(ms_sampler_t *s);

int32_t ctl_fail(ms_sampler_t *s, int32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ctl_clear_error(ms_sampler_t *s);
/* Copy this thread's last failure message; returns its full length. */
size_t ctl_copy_thread_error(char *buf, size_t cap);

int32_t ctl_tables_build(ms_sampler_t *s);

/* instrument: name for messages, or NULL */
int32_t ctl_sample_decode(ms_sampler_t *s, const char *path, const char *instrument, struct ms_sample **out);
struct ms_sample *ctl_sample_new(ms_sampler_t *s, uint64_t frames, uint32_t channels, uint32_t bits);
void ctl_sample_ref(struct ms_sample *smp);
void ctl_sample_unref(struct ms_sample *smp);

/* ctl_envelope.c: an envelope's description from its times in seconds (a
 * -60 dB time for decay and release) at the output rate. An amplitude
 * envelope settles into sustain and ends below -74 dB; another never ends. */
typedef struct ctl_env_times {
  float delay_s, attack_s, hold_s, decay_s, sustain, release_s;
} ctl_env_times_t;
void ctl_env_describe(rt_env_desc_t *d, const ctl_env_times_t *t, uint32_t rate, bool amplitude);

/* An oscillator zone (source not MS_SOURCE_SAMPLE) at build: its wavetables
 * (built once per process), channels and reference pitch (ctl_osc.c). */
void ctl_osc_zone(rt_zone_t *r, const ms_zone_t *z, uint32_t rate);

int32_t ctl_instrument_build(ms_instrument_t *inst, rt_instrument_data_t **out);
void ctl_instrument_data_free(ms_sampler_t *s, rt_instrument_data_t *d);
int32_t ctl_instrument_publish(ms_instrument_t *inst);
int32_t ctl_check_zone(ms_instrument_t *inst, const struct ms_sample *smp, const ms_zone_t *z);

/* Open path for writing the sampler's output (rate, channels) as MS_FILE_* /
 * MS_SAMPLE_*; *out is a SNDFILE*. what names the action in messages. */
int32_t ctl_sndfile_open_write(ms_sampler_t *s, const char *what, const char *path, uint32_t file_format,
                               uint32_t sample_format, void **out);

int32_t ctl_push(ms_sampler_t *s, const ms_cmd_t *cmd);
/* ctl_producer.c: the ring at index (0: CT's own, with the sampler); the
 * first free index 1..MS_MAX_PRODUCERS-1 (MS_ERR_LIMIT when none is); ask RT
 * to let one go (ctl_collect frees it). Codes only, no detail message. */
int32_t ctl_producer_alloc(ms_sampler_t *s, uint32_t index, ms_producer_t **out);
int32_t ctl_producer_create(ms_sampler_t *s, ms_producer_t **out);
void ctl_producer_destroy(ms_producer_t *p);
/* ctl_orbit.c: the orbit table and limiter at create; bytes of one orbit's
 * memory; refuse an orbit index beyond the sampler's (message names `what`,
 * e.g. "send note-on to instrument \"x\""); has orbit k memory (ANY thread);
 * give it memory if it has none (before pushing a note that sends to it, on
 * the same ring); a tempo change at frame. */
int32_t ctl_orbit_init(ms_sampler_t *s);
size_t ctl_orbit_bytes(const ms_sampler_t *s);
int32_t ctl_orbit_check(ms_sampler_t *s, uint32_t orbit, const char *what);
bool ctl_orbit_ready(const ms_sampler_t *s, uint32_t orbit);
int32_t ctl_orbit_prepare(ms_sampler_t *s, uint32_t orbit, const char *what);
int32_t ctl_orbit_cycle(ms_sampler_t *s, uint64_t frame, double cps);
/* ctl_midi_in.c: close every MIDI input (join its thread) before the sampler is freed. */
void ctl_midi_shutdown(ms_sampler_t *s);
/* ctl_midi_out.c: stop the MIDI outputs' helper threads (after the live output is closed). */
void ctl_midi_out_shutdown(ms_sampler_t *s);
void ctl_collect(ms_sampler_t *s);

#endif /* MS_SHARED_ENGINE_H */
