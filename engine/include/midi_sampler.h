/*
 * midi_sampler.h — the only public header of libmidisampler.
 *
 * Threads (see STYLE.md §1):
 *   CT  control thread: the one thread that owns a sampler's handles (Deno's JS
 *       thread, or main() in C). May allocate, lock and do I/O.
 *   RT  render thread: whoever calls ms_process() (later the engine's own
 *       SCHED_FIFO thread). Never allocates, locks, logs or does I/O.
 *   ANY any thread, no synchronisation needed.
 * Every function below names the threads that may call it.
 *
 * Errors: every fallible call returns int32_t, MS_OK (0) or a negative
 * MS_ERR_* code. ms_strerror() gives static text for a code;
 * ms_error_message() copies the detail of the sampler's last failure
 * ("Cannot load sample "x.wav": ...") into a caller buffer. The library never
 * prints, aborts or exits.
 *
 * ABI: fixed-width integers, float/double, pointers. No enums as parameters, no
 * structs by value, no varargs. Structs cross by pointer; their offsets are
 * _Static_assert'ed here and checked again by the TypeScript layout test.
 * Time is always a uint64_t absolute frame index.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef MIDI_SAMPLER_H
#define MIDI_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#if !defined(_Static_assert)
#define _Static_assert static_assert /* C++11 spells C11's layout checks so */
#endif
#endif

#if defined(MS_BUILDING_LIBRARY)
#define MS_API __attribute__((visibility("default")))
#else
#define MS_API
#endif

#define MS_VERSION_MAJOR 0
#define MS_VERSION_MINOR 1
#define MS_VERSION_PATCH 0

/* ---------------------------------------------------------------- errors -- */
/*
 * Every status code, one row each: X(name, value, ms_strerror text). The
 * rows expand into the constants below and into ms_strerror. Codes are only
 * ever appended; a value never changes meaning.
 */
#define MS_STATUS_CODES(X)                                                                          \
  X(MS_OK, 0, "success")                                                                            \
  X(MS_ERR_INVALID_ARGUMENT, -1, "invalid argument (a NULL handle or pointer, or an unknown value)") \
  X(MS_ERR_OUT_OF_RANGE, -2, "value out of range")                                                  \
  X(MS_ERR_NO_MEMORY, -3, "out of memory")                                                          \
  X(MS_ERR_FILE_NOT_FOUND, -4, "file not found or not readable")                                    \
  X(MS_ERR_FILE_FORMAT, -5, "corrupt, truncated, empty or unsupported audio file")                  \
  X(MS_ERR_RING_FULL, -6, "event ring full: event dropped")                                         \
  X(MS_ERR_WRONG_SAMPLER, -7, "object belongs to another sampler")                                  \
  X(MS_ERR_NO_SAMPLE, -8, "zone has no sample")                                                     \
  X(MS_ERR_LIMIT, -9, "limit reached (instruments, zones or producers)")                            \
  X(MS_ERR_STATE, -10, "call does not fit the object's state")                                      \
  X(MS_ERR_RT_PRIORITY, -11, "real-time priority denied")                                           \
  X(MS_ERR_MEMLOCK, -12, "memory locking denied")                                                   \
  X(MS_ERR_IO, -13, "writing a file failed")                                                        \
  X(MS_ERR_UNSUPPORTED, -14, "not supported")                                                       \
  X(MS_ERR_DEVICE, -15, "audio device missing or failing")                                          \
  X(MS_ERR_DEVICE_BUSY, -16, "audio device busy")                                                   \
  X(MS_ERR_NO_SERVER, -17, "no JACK server running")
/* Each function's comment lists the codes it returns and when; RT_PRIORITY and
 * MEMLOCK are non-fatal (audio carries on without them). */
#define MS_STATUS_ENUM_(name, value, text) name = value,
enum { MS_STATUS_CODES(MS_STATUS_ENUM_) MS_ERR_LAST_CODE = -17 /* the most negative code in this version */ };
#undef MS_STATUS_ENUM_

/* ----------------------------------------------------------- handles -- */
typedef struct ms_sampler ms_sampler_t;
typedef struct ms_instrument ms_instrument_t;
typedef struct ms_sample ms_sample_t;
typedef struct ms_render_file ms_render_file_t;

/* -------------------------------------------------------------- config -- */
#define MS_INTERP_DEFAULT 0u /* = MS_INTERP_CUBIC */
#define MS_INTERP_LINEAR 1u
#define MS_INTERP_CUBIC 2u   /* 4-point Hermite */

/* Sampler configuration. Zero fields take the default shown. */
typedef struct ms_audio_config {
  uint32_t sample_rate;      /* Hz, 8000..384000 (default 48000) */
  uint32_t channels;         /* interleaved output channels, 1..32 (default 2); pairs are buses */
  uint32_t max_polyphony;    /* voices, 1..4096 (default 64) */
  uint32_t buffer_size;      /* frames per internal block, 16..8192 (default 128) */
  uint32_t ring_capacity;    /* events per producer ring, power of two, 64..1M (default 4096) */
  uint32_t max_instruments;  /* 1..4096 (default 128) */
  uint32_t interpolation;    /* MS_INTERP_* (default cubic) */
  uint32_t seed;             /* seed of the engine's random alternatives (default 1 when 0) */
  uint32_t flags;            /* 32: MS_AUDIO_* (default 0: orbits into the main output, limiter on) */
  uint32_t reserved;         /* 36: 0 */
} ms_audio_config_t;
_Static_assert(sizeof(ms_audio_config_t) == 40, "ms_audio_config_t layout");

/*
 * Orbits: MS_MAX_ORBITS stereo effect buses (delay + reverb), a note's
 * `orbit` control selects one. By default every orbit's wet output and every
 * voice's dry output mix into the output (the dry on its instrument's
 * MS_PARAM_OUTPUT_BUS pair, the wet on channels 0/1). MS_AUDIO_ORBIT_OUTPUTS
 * gives orbit k channels 2k and 2k+1 instead (the dry of its voices plus its
 * wet; instruments' output buses are then not used): channels must be even,
 * and channels / 2 orbits can be selected. Summing those pairs gives the
 * default mode's stereo mix (stems that add up to the mix). The master soft
 * limiter (linked over every channel, gain exactly 1 below -1 dBFS, output
 * never beyond 0.99) runs on the output unless MS_AUDIO_NO_LIMITER.
 * ms_all_sound_off_at for the whole sampler also fades every orbit's tail
 * out in 2 ms and clears the orbit (about 90 ms at 48 kHz, during which
 * sends to it are dropped).
 */
#define MS_MAX_ORBITS 16u
#define MS_AUDIO_ORBIT_OUTPUTS 1u  /* config flag: one output pair per orbit */
#define MS_AUDIO_NO_LIMITER 2u     /* config flag: no master soft limiter */

/* ------------------------------------------------------------- samples -- */
#define MS_LOOP_AUTO 0u       /* the file's smpl loop if it has one, else MS_LOOP_NONE */
#define MS_LOOP_NONE 1u       /* play once; note-off starts the release */
#define MS_LOOP_ONE_SHOT 2u   /* play to the end whatever note-off does */
#define MS_LOOP_FORWARD 3u    /* loop forever; note-off starts the release */
#define MS_LOOP_SUSTAIN 4u    /* loop while held, then play on to the end */

#define MS_ALT_ROUND_ROBIN 0u
#define MS_ALT_RANDOM 1u

/* Facts about a loaded sample (ms_sample_info). */
typedef struct ms_sample_info {
  uint64_t frames;           /* 0 */
  uint32_t channels;         /* 8: 1 or 2 */
  uint32_t sample_rate;      /* 12: Hz, of the file */
  uint32_t has_loop;         /* 16: 1 when the file carries a smpl loop */
  uint32_t loop_start_frames;/* 20 */
  uint32_t loop_end_frames;  /* 24: exclusive */
  uint32_t root_key;         /* 28: from the smpl chunk, 60 when absent */
  uint64_t bytes;            /* 32: memory held by the decoded data */
  uint32_t bits;             /* 40: 32 (float) or 16 (int16) in memory */
  uint32_t reserved;         /* 44 */
} ms_sample_info_t;
_Static_assert(sizeof(ms_sample_info_t) == 48, "ms_sample_info_t layout");

#define MS_TRIGGER_ATTACK 0u  /* the zone plays on note-on */
#define MS_TRIGGER_RELEASE 1u /* the zone plays on note-off (release samples), with the note-on's velocity */

#define MS_OFF_FAST 0u        /* a choked voice fades out in 2 ms */
#define MS_OFF_NORMAL 1u      /* a choked voice goes into its release */
#define MS_OFF_TIME 2u        /* a choked voice fades out linearly over the zone's off_time_s (SFZ off_mode=time) */
#define MS_OFF_BY_OWN 0u      /* off_by: notes of the zone's own exclusive group choke it (hi-hat style) */
#define MS_OFF_BY_NONE 4294967295u /* off_by: never choked (0xffffffff) */

#define MS_FILTER_NONE 0u
#define MS_FILTER_LOWPASS 1u  /* state-variable, 12 dB/octave */
#define MS_FILTER_HIGHPASS 2u
#define MS_FILTER_BANDPASS 3u

/* What a zone plays (ms_zone_t.source): its sample, or an oscillator (no
 * sample: ms_instrument_add_zone takes NULL). An oscillator zone's pitch is
 * the key's equal-tempered frequency (A4 = 440 Hz) through root_key,
 * pitch_keytrack and tune_cents as for samples (root_key 60 and keytrack 100:
 * key 69 plays 440 Hz), or the `freq` control; full-scale amplitude 1 (a
 * supersaw's unison voices sum to 1 / sqrt(unison)). Band-limited: saw,
 * square and triangle read mip-mapped wavetables (half-octave levels, no
 * harmonic above Nyquist). Noise comes from a generator seeded by the
 * sampler's seed and the note's frame, key and zone: same input, same bytes.
 * The superdough controls fmi, fmh, fmenv, fmattack.., fmwave, unison,
 * detune, spread (MS_CONTROLS) shape them; every other control applies as to
 * a sample voice (speed, begin/end, loop and unit excepted). */
#define MS_SOURCE_SAMPLE 0u
#define MS_SOURCE_SINE 1u
#define MS_SOURCE_SAWTOOTH 2u
#define MS_SOURCE_SQUARE 3u
#define MS_SOURCE_TRIANGLE 4u
#define MS_SOURCE_SUPERSAW 5u  /* `unison` detuned saws (superdough's: 5, detune 0.18 semitones, spread 0.6), stereo */
#define MS_SOURCE_WHITE 6u
#define MS_SOURCE_PINK 7u      /* -3 dB per octave */
#define MS_SOURCE_BROWN 8u     /* -6 dB per octave */
#define MS_SOURCE_SILENCE 9u

#define MS_NO_KEYSWITCH 255u

/*
 * A zone: which keys and velocities play which sample, and how.
 * Always start from ms_zone_init() so new fields get their defaults. The
 * ranges below are the checks' own: ms_field_info(MS_FIELDS_ZONE, ...)
 * reports each member's default, range and unit from the same table.
 */
typedef struct ms_zone {
  uint8_t lo_key, hi_key;    /* 0, 1: inclusive, 0..127 */
  uint8_t lo_vel, hi_vel;    /* 2, 3: inclusive, 1..127 */
  uint8_t root_key;          /* 4: key at which the sample plays unpitched */
  uint8_t loop_mode;         /* 5: MS_LOOP_* */
  uint8_t alt_mode;          /* 6: MS_ALT_* for zones sharing alt_group */
  uint8_t source;            /* 7: MS_SOURCE_* (default MS_SOURCE_SAMPLE) */
  uint32_t alt_group;        /* 8: 0 = layer; zones with the same non-zero group are alternatives */
  uint32_t exclusive_group;  /* 12: 0 = none; the zone's choke group (SFZ "group") */
  float tune_cents;          /* 16: fine tune, -12800..12800 */
  float gain_db;             /* 20: -144..24 */
  float pan;                 /* 24: -1 (left) .. 1 (right) */
  float velocity_track;      /* 28: 0 (velocity ignored) .. 1 (square law, default) */
  uint32_t loop_start_frames;/* 32: with MS_LOOP_FORWARD/SUSTAIN; both 0 = the file's loop or whole sample */
  uint32_t loop_end_frames;  /* 36: exclusive */
  float attack_s;            /* 40: 0..60, linear rise */
  float hold_s;              /* 44: 0..60 */
  float decay_s;             /* 48: 0..60, exponential to sustain (-60 dB time) */
  float sustain;             /* 52: level 0..1 */
  float release_s;           /* 56: 0..60, exponential to silence (-60 dB time) */
  uint32_t offset_frames;    /* 60: start offset into the sample */
  uint8_t trigger;           /* 64: MS_TRIGGER_* (default attack) */
  uint8_t off_mode;          /* 65: MS_OFF_FAST / NORMAL / TIME: how a choked voice stops */
  uint8_t lo_chan, hi_chan;  /* 66, 67: MIDI channels 0..15 answered (default 0..15) */
  uint8_t sw_last;           /* 68: plays only while the last keyswitch is this key; MS_NO_KEYSWITCH = always */
  uint8_t sw_lo, sw_hi;      /* 69, 70: keys that act as keyswitches (sw_lo > sw_hi: none, the default) */
  uint8_t filter_type;       /* 71: MS_FILTER_* (default none) */
  uint32_t off_by;           /* 72: MS_OFF_BY_OWN, MS_OFF_BY_NONE, or the group whose notes choke this zone */
  float pitch_keytrack;      /* 76: cents per key away from root_key, -1200..1200 (default 100) */
  float lo_rand, hi_rand;    /* 80, 84: plays when the note's random value r is in [lo_rand, hi_rand) (0, 1) */
  float cutoff_hz;           /* 88: filter cutoff, 10..20000 (default 20000) */
  float resonance_db;        /* 92: 0..40 (0: Butterworth) */
  float fil_veltrack_cents;  /* 96: cutoff shift at velocity 127, linear in velocity, -9600..9600 */
  float fil_keytrack_cents;  /* 100: cutoff shift per key from fil_keycenter, -1200..1200 */
  float fileg_depth_cents;   /* 104: filter envelope depth, -12000..12000 */
  float fileg_attack_s;      /* 108: filter envelope, 0..60 */
  float fileg_decay_s;       /* 112 */
  float fileg_sustain;       /* 116: 0..1 */
  float fileg_release_s;     /* 120 */
  uint8_t fil_keycenter;     /* 124: default 60 */
  uint8_t cutoff_cc;         /* 125: controller 1..127 moving the cutoff, 0 = none */
  uint8_t note_polyphony;    /* 126: 1..255 voices of a key per exclusive group (oldest released), 0 = no limit */
  uint8_t ampeg_dynamic;     /* 127: 1 the amplitude envelope's CC rows (MS_MOD_AMPEG_*) are followed while the
                                note plays, stages already begun keeping their length (SFZ ampeg_dynamic), 0
                                (default) read at note-on only */
  float cutoff_cc_cents;     /* 128: cutoff shift at controller value 127, -9600..9600 */
  float off_time_s;          /* 132: MS_OFF_TIME: fade of a choked voice, 0.001..60 s (default 0.006) */
  float width;               /* 136: a stereo sample's width before pan, -100..100 % (SFZ width): 100 (default)
                                as recorded, 0 mono, -100 left and right swapped */
  float fileg_delay_s;       /* 140: filter envelope: time at 0 before its attack, 0..60 (SF2 delayModEnv) */
  float fileg_hold_s;        /* 144: filter envelope: time held at full level after its attack, 0..60 (holdModEnv) */
  float chorus_send;         /* 148: send into the orbit's chorus (rt_fx_chorus), 0..1 (SF2 chorusEffectsSend,
                                SFZ effect2 / 100), the orbit the voice's `orbit` control names, else 0 */
  float penv_delay_s;        /* 152: the `penv` pitch envelope (zone, instrument or note controls): time at 0
                                before its attack, 0..60 (SF2 delayModEnv) */
  float penv_hold_s;         /* 156: and time held at full depth after its attack, 0..60 (SF2 holdModEnv) */
  float delay_s;             /* 160: amplitude envelope: time at 0 before its attack, 0..60 (SFZ ampeg_delay);
                                MS_MOD_AMPEG_DELAY_S rows add to it */
} ms_zone_t;
_Static_assert(sizeof(ms_zone_t) == 164, "ms_zone_t layout");

/*
 * Convenience metadata for ms_instrument_load_sample (the guide's one-call
 * path). A zero field means: hi_key/hi_vel 127, lo_vel 1, loop from the file.
 */
typedef struct ms_sample_metadata {
  uint8_t root_note;         /* 0: 0..127 */
  uint8_t lo_key, hi_key;    /* 1, 2: hi_key 0 means 127 */
  uint8_t lo_vel, hi_vel;    /* 3, 4: lo_vel 0 means 1, hi_vel 0 means 127 */
  uint8_t loop_mode;         /* 5: MS_LOOP_* */
  uint8_t reserved[2];       /* 6 */
  float fine_tune_cents;     /* 8 */
  float gain_db;             /* 12 */
  float pan;                 /* 16 */
  uint32_t loop_start_frames;/* 20 */
  uint32_t loop_end_frames;  /* 24 */
  uint32_t reserved2;        /* 28 */
} ms_sample_metadata_t;
_Static_assert(sizeof(ms_sample_metadata_t) == 32, "ms_sample_metadata_t layout");

/* ----------------------------------------------------------- events -- */
#define MS_FRAME_NOW UINT64_MAX /* "at the start of the next block" */

/* Per-note parameters; all-zero means defaults. */
typedef struct ms_note_params {
  float gain_db;             /* 0: added to the zone gain */
  float pan;                 /* 4: added to zone and instrument pan, result clamped to -1..1 */
  float tune_cents;          /* 8: -2400..2400 */
  uint32_t start_offset_frames; /* 12: added to the zone offset, clamped to the sample */
} ms_note_params_t;
_Static_assert(sizeof(ms_note_params_t) == 16, "ms_note_params_t layout");

/* Per-instrument parameters for ms_instrument_set_param_at. */
#define MS_PARAM_VOLUME_DB 1u          /* -144..24, smoothed (default 0) */
#define MS_PARAM_PAN 2u                /* -1..1, smoothed (default 0) */
#define MS_PARAM_PITCH_BEND_RANGE 3u   /* semitones 0..48 (default 2) */
#define MS_PARAM_VIBRATO_DEPTH 4u      /* cents at full mod wheel, 0..1200 (default 50) */
#define MS_PARAM_VIBRATO_RATE_HZ 5u    /* 0.01..40 (default 5.5) */
#define MS_PARAM_MOD_WHEEL 6u          /* 0..1 (like CC1) */
#define MS_PARAM_SUSTAIN 7u            /* 0 or 1 (like CC64) */
#define MS_PARAM_POLYPHONY 8u          /* voices this instrument may hold, 1..4096 (default: the sampler's) */
#define MS_PARAM_OUTPUT_BUS 9u         /* stereo output pair: channels 2b, 2b+1 (default 0) */
#define MS_PARAM_EXPRESSION 10u        /* 0..1 (like CC11) (default 1) */
#define MS_PARAM_KEYSWITCH 11u         /* the current keyswitch key 0..127, 255 = none (SFZ sw_default) */

/*
 * Per-note controls: the live-coding vocabulary (Strudel's superdough /
 * SuperDirt), one row each, in the engine's unit:
 * X(MS_CONTROL_ suffix, superdough's primary name, default, min, max, unit, MS_FIELD_* flags)
 * ids are the row numbers (0, 1, ...; rows are only ever appended). The
 * default is superdough's where the instrument sets none; a control absent
 * from note, instrument and zone plays its default, and a voice with no
 * effect control present runs no effect code. Merge order: zone < instrument
 * (MS_PARAM_CONTROL) < note. ms_field_info(MS_FIELDS_CONTROL, id) reports
 * each row. Conversions the caller makes (names to numbers): unit "r"/"c" ->
 * 0/1, ftype "12db"/"ladder"/"24db" -> 0/1/2 (ladder plays as 24db), vowel
 * a e i o u ae aa oe ue y uh un en an on -> 0..14, tremoloshape sine tri square
 * saw ramp -> 0..4; tremolosync (cycles) -> tremolo = tremolosync * cps.
 * The engine itself does: unit c (speed *= sample seconds * cps, on the
 * render thread, where the zone and so the sample are known; cps: the
 * note's, else the sampler's (ms_set_cps_at), else 0.5), accelerate
 * (speed grows linearly to speed * (1 + accelerate) over `duration`, or over
 * one second when duration is 0), delaysync/lock (delay time in cycles of cps),
 * superdough's getADSRValues rule (decay set, sustain not: sustain 0).
 * Envelope times in seconds; envelopes are linear (superdough's), release
 * from the level at note-off. orbit: 0 is the first orbit (superdough's
 * default 1 is its first). dry: SuperDirt's reverb dryness (the orbit's
 * reverb output x (1 - dry)); a voice's own dry level is always 1.
 * Oscillator zones (MS_SOURCE_*): freq sets the frequency (Hz) instead of
 * the key; fmi (superdough's `fm`) is the FM index: a modulator at fmh times
 * the carrier's frequency deviates it by fmi x fmh x the carrier frequency,
 * its waveform fmwave (sine sawtooth square triangle -> 0..3); an envelope
 * (fmattack, fmdecay, fmsustain, fmrelease, getADSRValues' rule; fmenv lin /
 * exp -> 0 / 1) scales the deviation when any of its four is present.
 * unison, detune (semitones between the outer voices) and spread (pan) shape
 * a supersaw. Sample voices ignore these. The
 * delay and reverb parameters (MS_FIELD_ORBIT) go to the note's orbit with
 * the note when it sends there (delay > 0: the delay's, room > 0: the
 * reverb's); the last such note sets them for everything on the orbit.
 */
#define MS_FIELD_ORBIT 8u          /* control flag: a parameter of the note's orbit (delay/reverb), not of the voice */
#define MS_FIELD_FX 16u            /* control flag: its presence puts the voice's effect chain to work */

#define MS_CONTROLS(X)                                                                  \
  X(BEGIN, begin, 0, 0, 1, "fraction", 0)                                               \
  X(END, end, 1, 0, 1, "fraction", 0)                                                   \
  X(LOOP, loop, 0, 0, 1, "bool", MS_FIELD_ENUM)                                         \
  X(LOOP_BEGIN, loopBegin, 0, 0, 1, "fraction", 0)                                      \
  X(LOOP_END, loopEnd, 1, 0, 1, "fraction", 0)                                          \
  X(SPEED, speed, 1, -128, 128, "ratio", 0)                                             \
  X(ACCELERATE, accelerate, 0, -64, 64, "ratio", 0)                                     \
  X(UNIT, unit, 0, 0, 1, "r c", MS_FIELD_ENUM)                                     \
  X(CPS, cps, 0.5, 0.001, 1000, "Hz", 0)                                                \
  X(DURATION, duration, 0, 0, 3600, "s", 0)                                             \
  X(PENV, penv, 0, -96, 96, "semitones", 0)                                             \
  X(PATTACK, pattack, 0.2, 0, 60, "s", 0)                                               \
  X(PDECAY, pdecay, 0.001, 0, 60, "s", 0)                                               \
  X(PSUSTAIN, psustain, 1, 0, 1, "", 0)                                                 \
  X(PRELEASE, prelease, 0.001, 0, 60, "s", 0)                                           \
  X(PANCHOR, panchor, 0, 0, 1, "", 0)                                                   \
  X(VIB, vib, 0, 0, 100, "Hz", 0)                                                       \
  X(VIBMOD, vibmod, 0.5, 0, 48, "semitones", 0)                                         \
  X(ATTACK, attack, 0.001, 0, 60, "s", 0)                                               \
  X(DECAY, decay, 0.001, 0, 60, "s", 0)                                                 \
  X(SUSTAIN, sustain, 1, 0, 1, "", 0)                                                   \
  X(RELEASE, release, 0.01, 0, 60, "s", 0)                                              \
  X(HOLD, hold, 0, 0, 60, "s", 0)                                                       \
  X(CUTOFF, cutoff, 20000, 5, 24000, "Hz", MS_FIELD_FX)                                 \
  X(RESONANCE, resonance, 1, 0, 50, "dB", 0)                                            \
  X(HCUTOFF, hcutoff, 20, 5, 24000, "Hz", MS_FIELD_FX)                                  \
  X(HRESONANCE, hresonance, 1, 0, 50, "dB", 0)                                          \
  X(BANDF, bandf, 1000, 5, 24000, "Hz", MS_FIELD_FX)                                    \
  X(BANDQ, bandq, 1, 0.05, 1000, "Q", 0)                                                \
  X(FTYPE, ftype, 0, 0, 2, "12 ladder 24", MS_FIELD_ENUM)                     \
  X(FANCHOR, fanchor, 0, 0, 1, "", 0)                                                   \
  X(LPATTACK, lpattack, 0.005, 0, 60, "s", 0)                                           \
  X(LPDECAY, lpdecay, 0.14, 0, 60, "s", 0)                                              \
  X(LPSUSTAIN, lpsustain, 0, 0, 1, "", 0)                                               \
  X(LPRELEASE, lprelease, 0.1, 0, 60, "s", 0)                                           \
  X(LPENV, lpenv, 0, -10, 10, "octaves", 0)                                             \
  X(HPATTACK, hpattack, 0.005, 0, 60, "s", 0)                                           \
  X(HPDECAY, hpdecay, 0.14, 0, 60, "s", 0)                                              \
  X(HPSUSTAIN, hpsustain, 0, 0, 1, "", 0)                                               \
  X(HPRELEASE, hprelease, 0.1, 0, 60, "s", 0)                                           \
  X(HPENV, hpenv, 0, -10, 10, "octaves", 0)                                             \
  X(BPATTACK, bpattack, 0.005, 0, 60, "s", 0)                                           \
  X(BPDECAY, bpdecay, 0.14, 0, 60, "s", 0)                                              \
  X(BPSUSTAIN, bpsustain, 0, 0, 1, "", 0)                                               \
  X(BPRELEASE, bprelease, 0.1, 0, 60, "s", 0)                                           \
  X(BPENV, bpenv, 0, -10, 10, "octaves", 0)                                             \
  X(DJF, djf, 0.5, 0, 1, "", MS_FIELD_FX)                                               \
  X(VOWEL, vowel, 0, 0, 14, "vowel", MS_FIELD_ENUM | MS_FIELD_FX)               \
  X(COARSE, coarse, 1, 1, 1024, "frames", MS_FIELD_FX)                                  \
  X(CRUSH, crush, 16, 1, 24, "bits", MS_FIELD_FX)                                       \
  X(SHAPE, shape, 0, 0, 0.999, "", MS_FIELD_FX)                                         \
  X(SHAPEVOL, shapevol, 1, 0.001, 1, "gain", 0)                                         \
  X(DISTORT, distort, 0, 0, 20, "", MS_FIELD_FX)                                        \
  X(DISTORTVOL, distortvol, 1, 0.001, 1, "gain", 0)                                     \
  X(TREMOLO, tremolo, 1, 0, 100, "Hz", MS_FIELD_FX)                                     \
  X(TREMOLODEPTH, tremolodepth, 0.5, 0, 1, "", 0)                                       \
  X(TREMOLOSHAPE, tremoloshape, 0, 0, 4, "LFO shape", MS_FIELD_ENUM)         \
  X(PHASERRATE, phaserrate, 1, 0, 100, "Hz", MS_FIELD_FX)                               \
  X(PHASERDEPTH, phaserdepth, 0.75, 0, 1, "", 0)                                        \
  X(PHASERCENTER, phasercenter, 1000, 20, 20000, "Hz", 0)                               \
  X(PHASERSWEEP, phasersweep, 2000, 0, 4800, "cents", 0)                                \
  X(RING, ring, 0, 0, 10, "", MS_FIELD_FX)                                              \
  X(RINGF, ringf, 0, 0, 20000, "Hz", 0)                                                 \
  X(POSTGAIN, postgain, 1, 0, 10, "gain", MS_FIELD_FX)                                  \
  X(VELOCITY, velocity, 1, 0, 1, "gain", 0)                                             \
  X(ORBIT, orbit, 0, 0, 15, "orbit", 0)                                                 \
  X(ROOM, room, 0, 0, 1, "gain", 0)                                                     \
  X(DELAY, delay, 0, 0, 1, "gain", 0)                                                   \
  X(DRY, dry, 0, 0, 1, "", MS_FIELD_ORBIT)                                              \
  X(DELAYTIME, delaytime, 0.25, 0, 10, "s", MS_FIELD_ORBIT)                             \
  X(DELAYFEEDBACK, delayfeedback, 0.5, 0, 0.98, "", MS_FIELD_ORBIT)                     \
  X(DELAYSYNC, delaysync, 0, 0, 16, "cycles", MS_FIELD_ORBIT)                           \
  X(LOCK, lock, 0, 0, 1, "bool", MS_FIELD_ENUM | MS_FIELD_ORBIT)                        \
  X(ROOMSIZE, roomsize, 2, 0, 10, "size", MS_FIELD_ORBIT)                               \
  X(ROOMLP, roomlp, 15000, 20, 20000, "Hz", MS_FIELD_ORBIT)                             \
  X(ROOMDIM, roomdim, 1000, 20, 20000, "Hz", MS_FIELD_ORBIT)                            \
  X(ROOMFADE, roomfade, 0.1, 0, 10, "s", MS_FIELD_ORBIT)                               \
  X(FREQ, freq, 440, 1, 20000, "Hz", 0)                                                 \
  X(FMI, fmi, 0, 0, 100, "index", 0)                                                    \
  X(FMH, fmh, 1, 0, 64, "ratio", 0)                                                     \
  X(FMENV, fmenv, 1, 0, 1, "lin exp", MS_FIELD_ENUM)                                    \
  X(FMATTACK, fmattack, 0.001, 0, 60, "s", 0)                                           \
  X(FMDECAY, fmdecay, 0.001, 0, 60, "s", 0)                                             \
  X(FMSUSTAIN, fmsustain, 1, 0, 1, "", 0)                                               \
  X(FMRELEASE, fmrelease, 0.01, 0, 60, "s", 0)                                          \
  X(FMWAVE, fmwave, 0, 0, 3, "waveform", MS_FIELD_ENUM)                                 \
  X(UNISON, unison, 5, 1, 16, "voices", 0)                                              \
  X(DETUNE, detune, 0.18, 0, 24, "semitones", 0)                                        \
  X(SPREAD, spread, 0.6, 0, 1, "", 0)

#define MS_CONTROL_ENUM_(ID, name, def, lo, hi, unit, flags) MS_CONTROL_##ID,
enum { MS_CONTROLS(MS_CONTROL_ENUM_) MS_CONTROL_COUNT };
#define MS_CONTROL_CAPACITY 128u   /* ms_controls_t holds ids 0..127; MS_CONTROL_COUNT <= this */
_Static_assert(MS_CONTROL_COUNT <= MS_CONTROL_CAPACITY, "control ids fit ms_controls_t");

/*
 * A block of control values: control id i is present when bit i % 32 of
 * present[i / 32] is set, and then value[i] is its value in the table's unit
 * (absent ids' values are ignored). Zero-filled = no control.
 */
typedef struct ms_controls {
  uint32_t present[4];       /* 0: presence bits by id */
  float value[128];          /* 16: MS_CONTROL_CAPACITY values by id */
} ms_controls_t;
_Static_assert(sizeof(ms_controls_t) == 528, "ms_controls_t layout");

/* Set / test control id in a block (ids below MS_CONTROL_COUNT). Thread: ANY. */
static inline void ms_controls_set(ms_controls_t *c, uint32_t id, float v) {
  c->present[id >> 5] |= 1u << (id & 31u);
  c->value[id] = v;
}
static inline int ms_controls_has(const ms_controls_t *c, uint32_t id) {
  return (int)((c->present[id >> 5] >> (id & 31u)) & 1u);
}

/* Instrument-level control values: MS_PARAM_CONTROL + id sets the value the
 * instrument's next notes play (over the zone's, under the note's), e.g. from a
 * MIDI mapping's controller (ms_midi_cc_map_t.param); MS_PARAM_CONTROL_CLEAR +
 * id removes it (value ignored). Ranges: the control's row. */
#define MS_PARAM_CONTROL 256u
#define MS_PARAM_CONTROL_CLEAR 512u

/*
 * The fixed-size event record ms_push_events takes (and that travels the
 * rings). `instrument` is an id from ms_instrument_id().
 */
#define MS_EV_NOTE_ON 1u
#define MS_EV_NOTE_OFF 2u
#define MS_EV_CC 3u              /* number = controller 0..127, value = 0..127 */
#define MS_EV_PITCH_BEND 4u      /* value = -8192..8191 */
#define MS_EV_PARAM 5u           /* number = MS_PARAM_*, value */
#define MS_EV_ALL_NOTES_OFF 6u   /* instrument 0 = every instrument */
#define MS_EV_ALL_SOUND_OFF 7u   /* instrument 0 = every instrument; 2 ms fade */
/* One per-note control for the next MS_EV_NOTE_ON of the same instrument in
 * the same ms_push_events call (it must follow; the run and its note travel
 * together): number = MS_CONTROL_*, value in the control's unit. */
#define MS_EV_CONTROL 9u
/* A message out of a MIDI output (ms_midi_out_open) at its frame: note = the
 * output's index (ms_midi_out_index), instrument 0, number = status | data1
 * << 8 | data2 << 16 as ms_midi_out_send_at takes them, or 0: a panic (a
 * note-off for every note sounding on it, ms_midi_out_panic_at). */
#define MS_EV_MIDI_OUT 10u

typedef struct ms_event {
  uint64_t frame;            /* 0: absolute frame, or MS_FRAME_NOW */
  uint32_t instrument;       /* 8: ms_instrument_id(), or 0 for sampler-wide events */
  uint16_t type;             /* 12: MS_EV_* */
  uint8_t note;              /* 14 */
  uint8_t velocity;          /* 15 */
  uint32_t number;           /* 16: controller or parameter number; note-on/off: MIDI channel 0..15 */
  float value;               /* 20 */
  ms_note_params_t params;   /* 24: note-on only */
} ms_event_t;
_Static_assert(sizeof(ms_event_t) == 40, "ms_event_t layout");

/* ------------------------------------------------------------- stats -- */
#define MS_STATS_HIST_BUCKETS 128
/*
 * Live counters at a stable address (ms_sampler_stats_ptr). Every field is a
 * naturally aligned uint64_t written by one thread with relaxed/release atomic
 * stores, so another thread may read it directly (a BigUint64Array view in
 * Deno) without a call. Fields are only ever appended.
 */
typedef struct ms_stats {
  uint64_t struct_size;          /* 0: sizeof(ms_stats_t) */
  uint64_t sample_rate;          /* 8 */
  uint64_t frames_rendered;      /* 16: the engine's "now" */
  uint64_t blocks_rendered;      /* 24 */
  uint64_t xruns;                /* 32 */
  uint64_t events_received;      /* 40: taken from the rings by RT */
  uint64_t events_dropped;       /* 48: refused because a ring or the event queue was full */
  uint64_t events_late;          /* 56: stamped before the block that played them */
  uint64_t voices_active;        /* 64 */
  uint64_t voices_peak;          /* 72 */
  uint64_t voices_stolen;        /* 80 */
  uint64_t render_ns_last;       /* 88: wall time of the last block */
  uint64_t render_ns_total;      /* 96: sum over all blocks (mean = total / blocks) */
  uint64_t render_ns_max;        /* 104 */
  uint64_t block_frames_last;    /* 112 */
  uint64_t dsp_load_ppm;         /* 120: last block's render time / its duration, parts per million */
  uint64_t dsp_load_max_ppm;     /* 128 */
  uint64_t memory_locked_bytes;  /* 136: bytes currently mlock'ed (CT-written) */
  uint64_t memory_bytes;         /* 144: bytes the engine holds for samples, voices, rings (CT-written) */
  uint64_t instruments_retired;  /* 152: instrument data versions handed back to CT */
  /* 160: render time per ms_process call, by octave and eighth of an octave:
   * bucket i = 8*o + k holds calls that took [t, t * (1 + 1/(8 + k))) ns with
   * t = 1000 * 2^o * (1 + k/8), i.e. 1 us up to ~65 ms in steps of at most
   * 12.5 %; bucket 0 also takes faster calls, bucket 127 slower ones. */
  uint64_t render_ns_hist[128];  /* MS_STATS_HIST_BUCKETS */
  /* 1184: meters, written by RT after each block: peak |sample| in millionths
   * of full scale (1000000 = 0 dBFS), held and falling 20 dB per second, so a
   * reader polling a few times a second sees every peak. */
  uint64_t orbits_awake;         /* 1184: bit k: orbit k's effects ran in the last block */
  uint64_t output_peak_ppm;      /* 1192: the output after the limiter, every channel */
  /* 1200: orbit k's effect return (its delay + reverb); with
   * MS_AUDIO_ORBIT_OUTPUTS its whole pair (its voices' dry + its wet) */
  uint64_t orbit_peak_ppm[16];   /* MS_MAX_ORBITS */
} ms_stats_t;
_Static_assert(sizeof(ms_stats_t) == 1328, "ms_stats_t layout");
_Static_assert(MS_MAX_ORBITS == 16, "ms_stats_t.orbit_peak_ppm size");
_Static_assert(MS_STATS_HIST_BUCKETS == 128, "histogram size");

/* ---------------------------------------------------------- library -- */

/* Static English text for a status code ("unknown error" for others). Thread: ANY. */
MS_API const char *ms_strerror(int32_t code);

/* Packed version, (major << 16) | (minor << 8) | patch. Thread: ANY. */
MS_API uint32_t ms_version(void);

/*
 * Copy the detail message of the last failure into buf (NUL-terminated,
 * truncated to cap). With sampler NULL, the calling thread's last failure
 * (useful after ms_sampler_create fails). Returns the full message length.
 * Thread: CT.
 */
MS_API uint32_t ms_error_message(const ms_sampler_t *sampler, char *buf, uint32_t cap);

/* --------------------------------------------------------- sampler -- */

/*
 * Create a sampler: voice pool, rings, event queue and tables are allocated
 * here, once. config may be NULL for all defaults.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, NO_MEMORY.
 */
MS_API int32_t ms_sampler_create(const ms_audio_config_t *config, ms_sampler_t **out);

/* Free the sampler and everything it owns (instruments, samples); an open
 * live output is closed first. Thread: CT, with no other ms_process caller running. */
MS_API void ms_sampler_destroy(ms_sampler_t *sampler);

/* Copy the effective configuration (defaults filled in). Thread: ANY. */
MS_API int32_t ms_sampler_get_config(const ms_sampler_t *sampler, ms_audio_config_t *out);

/*
 * Ask for real-time operation: remember priority (1..99) for the render
 * thread, and mlock the engine's own memory (never mlockall). Non-fatal:
 * returns MS_ERR_MEMLOCK / MS_ERR_RT_PRIORITY with a message naming the fix,
 * and the sampler keeps working unlocked. ms_sampler_rt_status() tells
 * what is in force.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, MEMLOCK, RT_PRIORITY.
 */
MS_API int32_t ms_sampler_enable_rt(ms_sampler_t *sampler, int32_t priority);

#define MS_RT_MEMORY_LOCKED 1u
#define MS_RT_PRIORITY_SET 2u   /* the render thread runs SCHED_FIFO */
/* Bit set of MS_RT_* now in force. Thread: ANY. */
MS_API uint32_t ms_sampler_rt_status(const ms_sampler_t *sampler);

/*
 * Render frames of interleaved float audio into buffer (frames * channels
 * floats), applying every event due in that span on its exact frame.
 * Thread: RT (one thread at a time). Never allocates, locks or blocks.
 * Errors: INVALID_ARGUMENT (NULL sampler/buffer), STATE (another thread is
 * in ms_process for this sampler, e.g. its live output: refused, not waited for).
 */
MS_API int32_t ms_process(ms_sampler_t *sampler, float *buffer, uint32_t frames);

/* The next frame ms_process will render (the engine's "now"). Thread: ANY. */
MS_API uint64_t ms_sampler_now(const ms_sampler_t *sampler);

/*
 * CT housekeeping: publish instrument changes not yet sent, and free
 * instrument data the render thread has retired. Cheap; call it now and then
 * (the Deno layer does, each scheduling tick). Thread: CT.
 */
MS_API int32_t ms_sampler_collect(ms_sampler_t *sampler);

/* The guide's pair: frames rendered and xruns. Thread: ANY. */
MS_API int32_t ms_get_stats(const ms_sampler_t *sampler, uint64_t *frames, uint32_t *xruns);

/* A consistent-enough copy of every counter. Thread: ANY. */
MS_API int32_t ms_get_stats_ex(const ms_sampler_t *sampler, ms_stats_t *out);

/* The live stats block; valid until ms_sampler_destroy. Thread: ANY. */
MS_API const ms_stats_t *ms_sampler_stats_ptr(const ms_sampler_t *sampler);

/* Sampler-wide events. Thread: CT. Errors: INVALID_ARGUMENT, RING_FULL. */
MS_API int32_t ms_all_notes_off_at(ms_sampler_t *sampler, uint64_t frame);
MS_API int32_t ms_all_sound_off_at(ms_sampler_t *sampler, uint64_t frame);
/*
 * Orbits (see MS_MAX_ORBITS). An orbit's memory (delay lines and reverb,
 * about 2.1 MiB at 48 kHz) is allocated the first time it is needed, on the
 * control thread: when a note, a zone or an instrument-level control names
 * the orbit or sends to the default one, and when a MIDI map's controller can
 * select it (ms_midi_map_set). A producer thread (ms_producer_push) cannot
 * allocate: prepare its orbits first with ms_orbit_prepare (sends to an
 * orbit without memory are dropped). Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE (orbit beyond
 * MS_MAX_ORBITS - 1, or channels / 2 - 1 with MS_AUDIO_ORBIT_OUTPUTS),
 * NO_MEMORY, RING_FULL.
 */
MS_API int32_t ms_orbit_prepare(ms_sampler_t *sampler, uint32_t orbit);
/* The tempo from `frame` on, in cycles per second (0.001..1000): delay times
 * in cycles (lock / delaysync) follow it, re-timed on the orbit's next control
 * frame. Before any, a note's own cps control, else 0.5. Thread: CT. Errors:
 * INVALID_ARGUMENT, OUT_OF_RANGE, RING_FULL. */
MS_API int32_t ms_set_cps_at(ms_sampler_t *sampler, uint64_t frame, double cps);
/* Bit k set: orbit k is awake (has input or a tail above -120 dBFS) as of the
 * last rendered block; asleep orbits cost nothing. Thread: ANY. */
MS_API uint32_t ms_orbits_awake(const ms_sampler_t *sampler);
/* Interpolation for voices started from now on: MS_INTERP_*. Thread: CT. */
MS_API int32_t ms_sampler_set_interpolation(ms_sampler_t *sampler, uint32_t interpolation);

/*
 * Push count event records in one call (the fast path for schedulers).
 * Records are checked first: a bad one makes the call fail with nothing
 * pushed, and the message names its index. When the ring fills part way,
 * *pushed says how many went in (the rest were dropped and counted).
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, WRONG_SAMPLER, RING_FULL.
 */
MS_API int32_t ms_push_events(ms_sampler_t *sampler, const ms_event_t *events, uint32_t count,
                              uint32_t *pushed);

/* ------------------------------------------------------ instruments -- */

/*
 * Create an empty instrument named name (copied; 1..63 bytes).
 * Thread: CT. Errors: INVALID_ARGUMENT, LIMIT, NO_MEMORY.
 */
MS_API int32_t ms_instrument_create(ms_sampler_t *sampler, const char *name, ms_instrument_t **out);

/*
 * Remove the instrument: its voices fade out within 2 ms, its data is freed
 * once the render thread hands it back. The handle is invalid after this.
 * Thread: CT.
 */
MS_API void ms_instrument_destroy(ms_instrument_t *instrument);

/* The id used in ms_event_t.instrument; never 0. Thread: ANY. */
MS_API uint32_t ms_instrument_id(const ms_instrument_t *instrument);

/*
 * Load a sample file and add one zone for it (the guide's one-call path).
 * meta may be NULL: root 60, all keys and velocities, loop from the file.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, FILE_NOT_FOUND,
 * FILE_FORMAT, NO_MEMORY, LIMIT.
 */
MS_API int32_t ms_instrument_load_sample(ms_instrument_t *instrument, const char *path,
                                         const ms_sample_metadata_t *meta);

/* Fill a zone with the defaults ms_field_info reports: all keys, velocities 1..127, root 60, loop auto,
 * velocity_track 1, sustain 1, release 0.05 s, attack trigger, channels 0..15, no keyswitch,
 * pitch_keytrack 100, random 0..1, no filter (cutoff 20000, fil_keycenter 60, fileg_sustain 1).
 * Thread: ANY. */
MS_API void ms_zone_init(ms_zone_t *zone);

/*
 * Describing fields: the engine's own table of every ms_zone_t field, every
 * ms_note_params_t field and every MS_PARAM_* parameter, with the default,
 * the accepted range and the unit the checks use. Bindings and tests compare
 * their own ranges with it.
 */
#define MS_FIELDS_ZONE 1u          /* ms_zone_t members in struct order (reserved ones left out) */
#define MS_FIELDS_NOTE 2u          /* ms_note_params_t members */
#define MS_FIELDS_PARAM 3u         /* MS_PARAM_* parameters, by rising number */
#define MS_FIELDS_CONTROL 4u       /* MS_CONTROLS rows by id (MS_CONTROL_*): name, unit, default, range, flags */

#define MS_FIELD_U8 1u             /* type: uint8_t */
#define MS_FIELD_U32 2u            /* type: uint32_t */
#define MS_FIELD_F32 3u            /* type: float */

#define MS_FIELD_ENUM 1u           /* flag: a code (MS_LOOP_*, ...): outside min..max is INVALID_ARGUMENT */
#define MS_FIELD_EXTRA 2u          /* flag: `extra` is accepted too, a "none" value outside min..max */
#define MS_FIELD_PER_SAMPLE 4u     /* flag: also limited by the sample (offset and loop points lie inside it) */

typedef struct ms_field_info {
  char name[32];             /* 0: member ("tune_cents") or parameter ("volume_db") name */
  char unit[16];             /* 32: "cents", "dB", "s", "Hz", "key", "frames", "MS_LOOP_*", ... or "" */
  double default_value;      /* 48: ms_zone_init's value; a parameter's initial value (polyphony 0: the sampler's) */
  double min;                /* 56: inclusive */
  double max;                /* 64: inclusive */
  double extra;              /* 72: with MS_FIELD_EXTRA, the one more accepted value (MS_NO_KEYSWITCH, ...) */
  uint32_t id;               /* 80: byte offset in the struct; MS_FIELDS_PARAM: the MS_PARAM_* number; MS_FIELDS_CONTROL: the MS_CONTROL_* id */
  uint32_t type;             /* 84: MS_FIELD_U8 / _U32 / _F32 (parameters are float) */
  uint32_t flags;            /* 88: MS_FIELD_ENUM | MS_FIELD_EXTRA | MS_FIELD_PER_SAMPLE */
  uint32_t reserved;         /* 92 */
} ms_field_info_t;
_Static_assert(sizeof(ms_field_info_t) == 96, "ms_field_info_t layout");

/*
 * Describe row `index` (0, 1, ...) of table MS_FIELDS_*. Walk a table by
 * rising index until OUT_OF_RANGE. A value v of a row is accepted when it is
 * finite and min <= v <= max, or equals extra under MS_FIELD_EXTRA; pairs
 * (lo_key <= hi_key, ...) and MS_FIELD_PER_SAMPLE limits are checked on top.
 * Thread: ANY. Errors: INVALID_ARGUMENT (out NULL, unknown table),
 * OUT_OF_RANGE (index past the table's end).
 */
MS_API int32_t ms_field_info(uint32_t table, uint32_t index, ms_field_info_t *out);

/*
 * Add a zone playing sample (which must belong to the instrument's sampler),
 * or an oscillator (zone->source not MS_SOURCE_SAMPLE: sample may be NULL,
 * and is ignored; the zone's offset and loop points are unused).
 * The change reaches the render thread at the instrument's next event, or at
 * ms_instrument_commit / ms_sampler_collect. *index (may be NULL) receives
 * the zone's index.
 * Thread: CT. Errors: INVALID_ARGUMENT, NO_SAMPLE, WRONG_SAMPLER, OUT_OF_RANGE, LIMIT, NO_MEMORY.
 */
MS_API int32_t ms_instrument_add_zone(ms_instrument_t *instrument, ms_sample_t *sample,
                                      const ms_zone_t *zone, uint32_t *index);

/*
 * Replace a zone's velocity-to-gain curve (SFZ amp_velcurve_N) with 128
 * linear gains (index = velocity; index 0 unused), each 0..4.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE (index, a gain).
 */
MS_API int32_t ms_instrument_set_velocity_curve(ms_instrument_t *instrument, uint32_t zone_index,
                                                const float *gains128);

/*
 * Give a zone per-note control values (MS_CONTROLS): its notes play them
 * unless the instrument (MS_PARAM_CONTROL) or the note sets the same control.
 * controls NULL or all-absent removes them. Each present value is checked
 * against its row; the message names the control and its range.
 * Thread: CT. Errors: INVALID_ARGUMENT (zone index, an enum value), OUT_OF_RANGE, NO_MEMORY.
 */
MS_API int32_t ms_instrument_set_zone_controls(ms_instrument_t *instrument, uint32_t zone_index,
                                               const ms_controls_t *controls);

/*
 * Zone modulation rows: SFZ's CC-driven opcodes. Each row reads one source
 * and acts on one target of its zone; a zone has any number of rows
 * (ms_instrument_set_zone_mods), each version of the instrument holds them
 * in one array sized by the instrument. Sources are numbered as sfizz's
 * extended controllers: 0..127 a MIDI CC of the instrument (its last value,
 * or its initial value, ms_instrument_set_cc_init, until one arrives), and
 * the MS_MOD_SRC_* below. Rows with a CC or bend source follow it while the
 * voice plays (read at each 64-frame control step, gain ramped between);
 * velocity, key and random sources are read once, at note-on. A zone with
 * a PITCH_CENTS row on MS_MOD_SRC_BEND bends by its rows, not by the
 * instrument's MS_PARAM_PITCH_BEND_RANGE.
 */
#define MS_MOD_SRC_BEND 128u            /* pitch bend, -1..1 */
#define MS_MOD_SRC_VELOCITY 131u        /* the note's velocity, 0..127 */
#define MS_MOD_SRC_KEY 133u             /* the note's key, 0..127 */
#define MS_MOD_SRC_RANDOM 135u          /* 0..1, drawn per voice from the seeded generator */
#define MS_MOD_SRC_RANDOM_BIPOLAR 136u  /* -1..1, likewise */
#define MS_MOD_SRC_HELD_SECONDS 160u    /* seconds the voice's key had been held when it started: the
                                           note's length for a release zone (SFZ rt_decay), 0 otherwise */
#define MS_MOD_SRC_LFO 200u             /* -1..1: the row's own LFO (lfo_hz, lfo_wave, lfo_delay_s,
                                           lfo_fade_s), from the voice's start; followed like a CC */
#define MS_MOD_SRC_MAX 200u

#define MS_MOD_RANGE 1u        /* the zone plays a note only while the CC is in lo..hi (loccN/hiccN) */
#define MS_MOD_TRIGGER 2u      /* a CC message with its value in lo..hi starts the zone at its root key, with
                                  the value as velocity; the zone no longer answers notes (on_loccN/on_hiccN) */
#define MS_MOD_XFIN 3u         /* gain 0 below lo, rising to 1 at hi (xfin_*): curve MS_XF_POWER or MS_XF_GAIN */
#define MS_MOD_XFOUT 4u        /* gain 1 up to lo, falling to 0 at hi (xfout_*) */
#define MS_MOD_AMPLITUDE 5u    /* gain multiplied by depth * curve(x), depth -10..10 (amplitude_onccN / 100);
                                  on an LFO source by 1 + depth * curve(x), kept >= 0 (lfoN_amplitude / 100);
                                  VOLUME_DB, PAN, PITCH_CENTS, CUTOFF_CENTS add depth * curve(x) */
#define MS_MOD_VOLUME_DB 6u    /* depth * curve(x) dB added, depth -144..144 (volume_onccN) */
#define MS_MOD_PAN 7u          /* depth * curve(x) added to the pan, depth -2..2 (pan_onccN / 100) */
#define MS_MOD_PITCH_CENTS 8u  /* depth * curve(x) cents added, depth -9600..9600 (pitch_onccN, tune_onccN, pitch_random) */
#define MS_MOD_CUTOFF_CENTS 9u /* depth * curve(x) cents added to the filter's cutoff, -9600..9600 (cutoff_onccN) */
/* The amplitude envelope's stages, read once at note-on whatever the source
 * (ampeg_*_onccN, ampeg_vel2*): seconds added (-100..100; the sum kept >= 0),
 * or the sustain level added (-1..1; the sum kept in 0..1). */
#define MS_MOD_AMPEG_DELAY_S 10u
#define MS_MOD_AMPEG_ATTACK_S 11u
#define MS_MOD_AMPEG_HOLD_S 12u
#define MS_MOD_AMPEG_DECAY_S 13u
#define MS_MOD_AMPEG_SUSTAIN 14u
#define MS_MOD_AMPEG_RELEASE_S 15u
#define MS_MOD_OFFSET_FRAMES 16u /* frames added to the start offset at note-on, 0..2^31 (offset_onccN); kept in the sample */
#define MS_MOD_WIDTH 17u       /* depth * curve(x) added to a stereo zone's width / 100, depth -2..2 (width_onccN / 100);
                                  the sum kept in -1..1; CC and bend sources followed, velocity and key read at note-on */
#define MS_MOD_LFO_HZ 18u      /* depth * curve(x) Hz added to the rate of the zone's LFO rows with the same lfo_index,
                                  depth -100..100, the rate kept in 0..100 Hz; a CC or the bend, followed: those rows keep
                                  a phase per voice, so the rate changes without a jump (lfoN_freq_onccN) */
#define MS_MOD_TARGET_MAX 18u

/* Curves of the depth targets: sfizz's built-in curves of x = CC / 127
 * (velocity, key likewise; bend and random sources as they are). */
#define MS_CURVE_LINEAR 0u             /* x */
#define MS_CURVE_BIPOLAR 1u            /* 2x - 1 */
#define MS_CURVE_INVERTED 2u           /* 1 - x */
#define MS_CURVE_INVERTED_BIPOLAR 3u   /* 1 - 2x */
#define MS_CURVE_SQUARE 4u             /* x^2 */
#define MS_CURVE_SQRT 5u               /* sqrt(x) */
#define MS_CURVE_UPPER 6u              /* max(x, 0): the upper half of a bipolar source (SFZ bend_up) */
#define MS_CURVE_LOWER 7u              /* max(-x, 0): its lower half (bend_down, a negative depth) */
#define MS_CURVE_FIRST_CUSTOM 8u       /* 8..255: the instrument's curves (ms_instrument_set_curve; linear until set) */
/* LFO waves (SFZ lfoN_wave numbers). */
#define MS_LFO_TRIANGLE 0u
#define MS_LFO_SINE 1u
#define MS_LFO_PULSE75 2u
#define MS_LFO_SQUARE 3u
#define MS_LFO_PULSE25 4u
#define MS_LFO_PULSE12 5u
#define MS_LFO_SAW_UP 6u
#define MS_LFO_SAW_DOWN 7u
/* Curves of the crossfades (xf_velcurve, xf_keycurve, xf_cccurve). */
#define MS_XF_POWER 0u                 /* sqrt of the linear position: constant power (SFZ's default) */
#define MS_XF_GAIN 1u                  /* the linear position: constant gain */

typedef struct ms_zone_mod {
  uint16_t source;           /* 0: 0..127 a CC, or MS_MOD_SRC_* */
  uint8_t target;            /* 2: MS_MOD_* */
  uint8_t curve;             /* 3: MS_CURVE_* (depth targets) or MS_XF_* (crossfades) */
  float depth;               /* 4: the target's unit (above); unused by RANGE, TRIGGER, XFIN, XFOUT */
  float lo, hi;              /* 8, 12: the source's range in its unit (RANGE, TRIGGER, XFIN, XFOUT), lo <= hi */
  float lfo_hz;              /* 16: MS_MOD_SRC_LFO: rate, 0.001..100 Hz (other sources: 0) */
  float lfo_delay_s;         /* 20: the LFO is 0 for this long after note-on, 0..100 s */
  float lfo_fade_s;          /* 24: then rises to full depth over this, 0..100 s */
  uint8_t lfo_wave;          /* 28: MS_LFO_* */
  uint8_t lfo_depth_cc;      /* 29: MS_MOD_SRC_LFO rows: 0 a fixed depth; 1..128 the LFO's value times CC
                                (n - 1) / 127, followed like a CC (SFZ lfoN_pitch_onccN ...); other rows: 0 */
  uint8_t lfo_index;         /* 30: MS_MOD_SRC_LFO rows 0, or the LFO (SFZ lfoN's N, 1..255) that LFO_HZ rows of the
                                same index speed up, LFO_HZ rows the LFO they speed up (1..255), other rows 0 */
  uint8_t reserved;          /* 31: 0 */
} ms_zone_mod_t;
_Static_assert(sizeof(ms_zone_mod_t) == 32, "ms_zone_mod_t layout");

/*
 * Give a zone its modulation rows (count 0 removes them): copied. Each row
 * is checked: source, target and curve known, depth finite and within its
 * target's range, lo <= hi; RANGE and TRIGGER rows read a CC (0..127).
 * Thread: CT. Errors: INVALID_ARGUMENT (instrument, zone index, rows NULL
 * with count > 0, an unknown source, target or curve), OUT_OF_RANGE (depth,
 * lo/hi), NO_MEMORY.
 */
MS_API int32_t ms_instrument_set_zone_mods(ms_instrument_t *instrument, uint32_t zone_index,
                                           const ms_zone_mod_t *rows, uint32_t count);

/*
 * The value a CC source of the zone rows reads until the instrument receives
 * that CC (SFZ set_ccN): 0..127. Defaults as sfizz's: CC7 100, CC10 64,
 * CC11 127, others 0. Sets no MIDI state (volume, pan) itself.
 * Thread: CT. Errors: INVALID_ARGUMENT (instrument NULL, controller > 127), OUT_OF_RANGE (value).
 */
MS_API int32_t ms_instrument_set_cc_init(ms_instrument_t *instrument, uint32_t controller, float value);

/*
 * Define curve `curve` (MS_CURVE_FIRST_CUSTOM..255) of the instrument for its
 * zone rows (SFZ <curve> headers): 128 values, index = source value 0..127
 * (x * 127), interpolated linearly between them; each finite, -1000..1000.
 * Copied. Thread: CT. Errors: INVALID_ARGUMENT (instrument or values NULL,
 * curve outside 8..255), OUT_OF_RANGE (a value), NO_MEMORY.
 */
MS_API int32_t ms_instrument_set_curve(ms_instrument_t *instrument, uint32_t curve, const float *values128);

/* Remove every zone (voices playing keep their data until they end). Thread: CT. */
MS_API int32_t ms_instrument_clear_zones(ms_instrument_t *instrument);

/* Number of zones. Thread: CT. */
MS_API uint32_t ms_instrument_zone_count(const ms_instrument_t *instrument);

/*
 * Send the instrument's pending changes to the render thread now, as one
 * immutable version. Thread: CT. Errors: INVALID_ARGUMENT, NO_MEMORY, RING_FULL.
 */
MS_API int32_t ms_instrument_commit(ms_instrument_t *instrument);

/* -------------------------------------------------- playing (CT) -- */
/*
 * Note and control events. The plain forms act at the next block
 * (MS_FRAME_NOW); the _at forms at an absolute frame. An event for a frame
 * already rendered plays at once and counts as late. A full ring returns
 * MS_ERR_RING_FULL and counts the drop; it never blocks.
 * Thread: CT (the sampler's control thread; more producers: ms_producer_*).
 * Errors: INVALID_ARGUMENT, OUT_OF_RANGE (note/velocity/cc > 127, ...), RING_FULL.
 */
MS_API int32_t ms_note_on(ms_instrument_t *instrument, int32_t note, int32_t velocity,
                          const ms_note_params_t *params);
MS_API int32_t ms_note_off(ms_instrument_t *instrument, int32_t note);
MS_API int32_t ms_note_on_at(ms_instrument_t *instrument, uint64_t frame, int32_t note,
                             int32_t velocity, const ms_note_params_t *params);
MS_API int32_t ms_note_off_at(ms_instrument_t *instrument, uint64_t frame, int32_t note);
/* A note-on with per-note controls (controls may be NULL: as ms_note_on_at).
 * Present values are checked against their rows (the message names the
 * control and its range); they travel to the render thread with the note, as
 * ceil(count / 3) ring records before it. A send (delay or room > 0)
 * prepares its orbit's memory first (ms_orbit_prepare).
 * Thread: CT. Errors: as ms_note_on_at; INVALID_ARGUMENT (an id past the
 * table, an enum value not a whole code), OUT_OF_RANGE (a value outside its
 * row, an orbit the output does not have), NO_MEMORY (orbit memory), RING_FULL. */
MS_API int32_t ms_note_on_controls_at(ms_instrument_t *instrument, uint64_t frame, int32_t note,
                                      int32_t velocity, const ms_note_params_t *params,
                                      const ms_controls_t *controls);
/* MIDI control change: 1 mod wheel, 7 volume, 10 pan, 11 expression, 64 sustain,
 * 120 all sound off, 121 reset controllers, 123 all notes off; others are ignored. */
MS_API int32_t ms_cc_at(ms_instrument_t *instrument, uint64_t frame, int32_t controller,
                        int32_t value);
/* Pitch bend -8192..8191, scaled by MS_PARAM_PITCH_BEND_RANGE. */
MS_API int32_t ms_pitch_bend_at(ms_instrument_t *instrument, uint64_t frame, int32_t value);
/* Set an MS_PARAM_* value (checked against its range). */
MS_API int32_t ms_instrument_set_param_at(ms_instrument_t *instrument, uint64_t frame,
                                          uint32_t param, float value);

/* --------------------------------------------------------- samples -- */

/*
 * Decode an audio file (WAV, AIFF, FLAC, OGG/Vorbis, ... via libsndfile) to
 * float once, with its smpl loop and root key. The caller owns one
 * reference; zones take their own. Thread: CT.
 * Errors: INVALID_ARGUMENT, FILE_NOT_FOUND, FILE_FORMAT, NO_MEMORY.
 */
MS_API int32_t ms_sample_load(ms_sampler_t *sampler, const char *path, ms_sample_t **out);

/*
 * ms_sample_load for loading many files in parallel: safe to call from
 * several threads at once (e.g. Deno's nonblocking FFI pool) while CT goes
 * on; a failure's detail goes to msg (cap bytes) instead of the sampler.
 * Thread: CT or loader threads, concurrently. Errors as ms_sample_load.
 */
MS_API int32_t ms_sample_load_msg(ms_sampler_t *sampler, const char *path, ms_sample_t **out, char *msg,
                                  uint32_t cap);

/* A sample from interleaved float data (copied). Thread: CT. */
MS_API int32_t ms_sample_create(ms_sampler_t *sampler, const float *data, uint64_t frames,
                                uint32_t channels, uint32_t sample_rate, ms_sample_t **out);

/*
 * Width of samples loaded or created from now on: 32 (float, default) or 16
 * (int16: half the memory, converted to float while rendering; 16-bit
 * sources lose nothing, 24-bit and float ones are rounded to 16 bits).
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE.
 */
MS_API int32_t ms_sampler_set_sample_bits(ms_sampler_t *sampler, uint32_t bits);

/* Drop the caller's reference; data lives on while zones use it. Thread: CT. */
MS_API void ms_sample_destroy(ms_sample_t *sample);

/* Thread: CT. Errors: INVALID_ARGUMENT. */
MS_API int32_t ms_sample_get_info(const ms_sample_t *sample, ms_sample_info_t *out);

/* ------------------------------------------------------- producers -- */
/*
 * An extra single-producer ring, for a second thread that sends events (a
 * MIDI reader, a sequencer). Thread: create/destroy CT; push: the one thread
 * that owns the producer. Errors: INVALID_ARGUMENT, LIMIT, NO_MEMORY, RING_FULL.
 */
typedef struct ms_producer ms_producer_t;
MS_API int32_t ms_producer_create(ms_sampler_t *sampler, ms_producer_t **out);
MS_API void ms_producer_destroy(ms_producer_t *producer);
MS_API int32_t ms_producer_push(ms_producer_t *producer, const ms_event_t *event);

/* --------------------------------------------------- offline render -- */
#define MS_FILE_WAV 1u
#define MS_FILE_FLAC 2u
#define MS_SAMPLE_PCM16 1u
#define MS_SAMPLE_PCM24 2u
#define MS_SAMPLE_FLOAT32 3u /* WAV only */

/*
 * Open an output file for offline rendering at the sampler's rate and
 * channel count. Output is deterministic: the same events give the same bytes.
 * Thread: CT. Errors: INVALID_ARGUMENT, UNSUPPORTED (FLAC float), FILE_NOT_FOUND, NO_MEMORY.
 */
MS_API int32_t ms_render_file_open(ms_sampler_t *sampler, const char *path, uint32_t file_format,
                                   uint32_t sample_format, ms_render_file_t **out);

/*
 * Render frames (as fast as the CPU allows) and append them to the file.
 * Runs the render path on the calling thread: do not also drive the sampler
 * from another render thread. Thread: CT. Errors: INVALID_ARGUMENT, IO.
 */
MS_API int32_t ms_render_file_write(ms_render_file_t *file, uint32_t frames);

/* Peak absolute sample value written so far (linear). Thread: CT. */
MS_API float ms_render_file_peak(const ms_render_file_t *file);

/* Finish the file (header sizes) and free the handle. Thread: CT. Errors: IO. */
MS_API int32_t ms_render_file_close(ms_render_file_t *file);

/* ------------------------------------------------------ live output -- */
/*
 * Live output: the engine's own render thread (SCHED_FIFO when permitted)
 * writing to ALSA, or JACK's process callback. Either way the render thread
 * is the only caller of ms_process while the output runs.
 */
typedef struct ms_output ms_output_t;

#define MS_BACKEND_AUTO 0u  /* JACK (client "midi-sampler") when a server answers, else ALSA `device` */
#define MS_BACKEND_ALSA 1u
#define MS_BACKEND_JACK 2u

#define MS_PCM_AUTO 0u      /* float if the device takes it, else S32, else S16 */
#define MS_PCM_FLOAT 1u
#define MS_PCM_S32 2u
#define MS_PCM_S16 3u

#define MS_OUTPUT_NO_CONNECT 1u /* JACK: do not connect to the system playback ports */

typedef struct ms_output_config {
  uint32_t backend;          /* 0: MS_BACKEND_* */
  uint32_t period_frames;    /* 4: ALSA period (default 128); JACK uses the server's */
  uint32_t periods;          /* 8: ALSA periods per buffer (default 2) */
  int32_t rt_priority;       /* 12: SCHED_FIFO priority 1..99 for the render thread; 0 = the priority given
                                to ms_sampler_enable_rt, or normal priority when it was not called */
  uint32_t pcm_format;       /* 16: MS_PCM_* (ALSA) */
  uint32_t flags;            /* 20: MS_OUTPUT_* */
  char device[104];          /* 24: ALSA PCM name (default "default"); JACK client name (default "midi-sampler");
                                with MS_BACKEND_AUTO it names the ALSA device only */
} ms_output_config_t;
_Static_assert(sizeof(ms_output_config_t) == 128, "ms_output_config_t layout");

typedef struct ms_output_info {
  uint32_t backend;          /* 0: MS_BACKEND_ALSA or MS_BACKEND_JACK, the one in use */
  uint32_t sample_rate;      /* 4 */
  uint32_t period_frames;    /* 8 */
  uint32_t periods;          /* 12: ALSA periods per buffer; 0 for JACK (the server does not say) */
  uint32_t latency_frames;   /* 16: output latency obtained: ALSA the buffer (period * periods); JACK the
                                playback latency of out_1 plus one period */
  uint32_t pcm_format;       /* 20: MS_PCM_* in use */
  int32_t sched_policy;      /* 24: policy of the render thread read back (SCHED_FIFO=1, SCHED_OTHER=0) */
  int32_t sched_priority;    /* 28: its priority read back (JACK: the process thread JACK made) */
  uint32_t running;          /* 32 */
  uint32_t reserved;         /* 36 */
  char device[104];          /* 40: device or JACK client name in use */
} ms_output_info_t;
_Static_assert(sizeof(ms_output_info_t) == 144, "ms_output_info_t layout");

/*
 * Open an output device for the sampler (nothing plays until start). The
 * device's rate must be the sampler's: open the sampler at the rate the
 * device or JACK server runs (ms_output_probe_rate tells it). config may be
 * NULL for all defaults (auto backend). Close the output before destroying
 * the sampler.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE (period 16..8192,
 * periods 2..32, rt_priority 0..99), DEVICE (missing; the message lists what
 * "aplay -L" offers and points to render), DEVICE_BUSY, NO_SERVER,
 * UNSUPPORTED (rate/format/channels), STATE (an output is already open),
 * LIMIT (64 outputs open in the process).
 */
MS_API int32_t ms_output_open(ms_sampler_t *sampler, const ms_output_config_t *config, ms_output_t **out);

/*
 * Start rendering: ALSA gets the engine's render thread (SCHED_FIFO at
 * config.rt_priority when permitted; when denied it runs at normal priority,
 * returns MS_ERR_RT_PRIORITY with the fix, and audio plays anyway), JACK
 * activates its client. Thread: CT. Errors: STATE, DEVICE, RT_PRIORITY (non-fatal).
 */
MS_API int32_t ms_output_start(ms_output_t *output);

/* Stop rendering and join the render thread (JACK: deactivate). Stopping a
 * stopped output does nothing. Thread: CT. */
MS_API int32_t ms_output_stop(ms_output_t *output);

/* Stop if running and close the device; frees the handle. Thread: CT. */
MS_API void ms_output_close(ms_output_t *output);

/*
 * What was obtained: backend, rate, period, latency, thread policy. out is
 * filled even when the call fails: DEVICE when the device failed while
 * playing, or JACK's rate changed (the output then plays silence; the
 * message says "JACK's rate changed from 48000 to 44100: restart with the
 * new rate"); NO_SERVER when the JACK server quit. Thread: CT.
 */
MS_API int32_t ms_output_get_info(const ms_output_t *output, ms_output_info_t *out);

/*
 * The sample rate the given backend would run at (JACK: the server's; ALSA:
 * the device's preferred/nearest to 48000), without opening it for playback,
 * so the sampler can be created to match. Thread: CT. Errors as ms_output_open.
 */
MS_API int32_t ms_output_probe_rate(const ms_output_config_t *config, uint32_t *rate);

/* ------------------------------------------------------- recording -- */
/*
 * Record what the render thread plays (live or offline) into a WAV/FLAC
 * file, written off the render thread: RT copies each rendered block into a
 * pre-allocated ring; a writer thread of the recorder drains it to the file.
 * When the writer falls behind by more than buffer_seconds, frames are
 * dropped (never waited for) and counted in ms_recorder_dropped_frames.
 */
typedef struct ms_recorder ms_recorder_t;

/* Start recording from the next block. buffer_seconds 0 = 2 s.
 * Thread: CT. Errors: INVALID_ARGUMENT, UNSUPPORTED (FLAC float),
 * FILE_NOT_FOUND (cannot create the file), STATE (already recording), NO_MEMORY. */
MS_API int32_t ms_recorder_start(ms_sampler_t *sampler, const char *path, uint32_t file_format,
                                 uint32_t sample_format, float buffer_seconds, ms_recorder_t **out);

/* Stop: the render thread lets go at its next block, the writer drains what
 * is left, the file is finished and the handle freed. Thread: CT. Errors: IO. */
MS_API int32_t ms_recorder_stop(ms_recorder_t *recorder);

/* Frames written to the file so far, and frames dropped because the writer
 * fell behind. Thread: ANY. */
MS_API uint64_t ms_recorder_frames(const ms_recorder_t *recorder);
MS_API uint64_t ms_recorder_dropped_frames(const ms_recorder_t *recorder);

/* ---------------------------------------------------- system check -- */
/* Timer wake-up latency measured by ms_rt_probe_latency (like cyclictest). */
typedef struct ms_latency_report {
  uint64_t samples;          /* 0: wake-ups measured */
  uint64_t min_ns;           /* 8 */
  uint64_t avg_ns;           /* 16 */
  uint64_t p99_ns;           /* 24 */
  uint64_t max_ns;           /* 32 */
  int32_t sched_policy;      /* 40: policy the probe thread actually ran with (SCHED_FIFO=1) */
  int32_t sched_priority;    /* 44 */
} ms_latency_report_t;
_Static_assert(sizeof(ms_latency_report_t) == 48, "ms_latency_report_t layout");

/*
 * Measure timer wake-up latency for duration_ms: a thread (SCHED_FIFO at
 * priority when permitted, else normal priority, reported in the result)
 * sleeps interval_us at a time on CLOCK_MONOTONIC absolute deadlines and
 * records how late each wake-up was. Blocks the caller for the duration.
 * Thread: CT (or Deno's nonblocking FFI pool). Errors: INVALID_ARGUMENT,
 * OUT_OF_RANGE (priority 0..99, duration 1..600000 ms, interval 50..100000 us),
 * NO_MEMORY; RT_PRIORITY when FIFO was denied (the report is still filled).
 */
MS_API int32_t ms_rt_probe_latency(int32_t priority, uint32_t duration_ms, uint32_t interval_us,
                                   ms_latency_report_t *out);


/* ------------------------------------------------------------ MIDI -- */
/*
 * MIDI input and mappings. Input is read on engine helper threads ("ms-midi",
 * never the render thread, never waiting on JavaScript) from raw MIDI
 * devices or any byte stream (a FIFO), the ALSA sequencer, or, with
 * MS_OUTPUT_MIDI_IN, a JACK MIDI port read inside JACK's process callback.
 * Each message is stamped on arrival (CLOCK_MONOTONIC) and travels to the
 * render thread as an MS_EV_MIDI record, where the current MIDI map turns it
 * into notes and controls with no JavaScript in the path. A copy of each
 * channel message goes into a ring JavaScript drains (ms_midi_poll), woken by
 * ms_midi_wait, which never blocks an input thread.
 */

/* A raw MIDI message as an event record: instrument 0, number = status |
 * data1 << 8 | data2 << 16 (a channel voice message: 0x80..0xEF status).
 * The render thread applies the sampler's MIDI map to it. */
#define MS_EV_MIDI 8u

/* JACK output flag: also register a MIDI input port "midi_in" on the client,
 * read by the render thread (JACK's process callback) each period. */
#define MS_OUTPUT_MIDI_IN 2u

#define MS_MIDI_ANY_PROGRAM 255u
#define MS_MIDI_MAX_LAYERS 256u
#define MS_MIDI_MAX_CC_MAPS 128u

/*
 * A keyboard layer: notes on these channels, keys and velocities (while the
 * channel's program matches) play `instrument`, transposed, with the
 * velocity looked up in `velocity`. Several layers matching one note all
 * play (layers); disjoint key ranges make splits. Start from
 * ms_midi_layer_init().
 */
typedef struct ms_midi_layer {
  uint16_t channel_mask;     /* 0: bit c answers MIDI channel c (0..15) */
  uint8_t lo_key, hi_key;    /* 2, 3: inclusive input keys */
  uint8_t lo_vel, hi_vel;    /* 4, 5: inclusive input velocities 1..127 */
  uint8_t program;           /* 6: plays while the channel's program is this, or MS_MIDI_ANY_PROGRAM */
  uint8_t reserved0;         /* 7 */
  int32_t transpose;         /* 8: semitones -127..127 (notes pushed outside 0..127 are dropped) */
  uint32_t instrument;       /* 12: ms_instrument_id() */
  uint8_t velocity[128];     /* 16: output velocity per input velocity, 0..127 (0 = silent); [0] unused */
} ms_midi_layer_t;
_Static_assert(sizeof(ms_midi_layer_t) == 144, "ms_midi_layer_t layout");

/*
 * A controller mapping: controller `controller` on these channels sets
 * parameter `param` (MS_PARAM_*) of `instrument` (0: every instrument the
 * channel's layers play) to values[controller value]; range and curve are
 * baked into the table. Controllers without a mapping reach the channel's
 * instruments as plain control changes when the channel's pass_cc is set
 * (1 mod wheel, 7 volume, 10 pan, 11 expression, 64 sustain, ...).
 */
typedef struct ms_midi_cc_map {
  uint16_t channel_mask;     /* 0 */
  uint8_t controller;        /* 2: 0..127 */
  uint8_t reserved0;         /* 3 */
  uint32_t instrument;       /* 4: ms_instrument_id(), or 0 */
  uint32_t param;            /* 8: MS_PARAM_* */
  uint32_t reserved1;        /* 12 */
  float values[128];         /* 16: in the parameter's range (MS_PARAM_VOLUME_DB in dB) */
} ms_midi_cc_map_t;
_Static_assert(sizeof(ms_midi_cc_map_t) == 528, "ms_midi_cc_map_t layout");

/* Per-channel settings of a map (ms_midi_map_set takes 16 or NULL for defaults). */
typedef struct ms_midi_channel {
  float bend_range;          /* 0: semitones 0..48 set with each pitch bend; < 0 (default -1): the instrument's */
  uint8_t program;           /* 4: the program in force until a program change, 0..127 (default 0) */
  uint8_t pass_cc;           /* 5: 1 (default): unmapped controllers pass through as control changes */
  uint8_t reserved[2];       /* 6 */
} ms_midi_channel_t;
_Static_assert(sizeof(ms_midi_channel_t) == 8, "ms_midi_channel_t layout");

/* One message as JavaScript handlers see it (ms_midi_poll). */
#define MS_MIDI_SOURCE_EVENTS 0u /* pushed with ms_push_events (never copied to the poll ring) */
#define MS_MIDI_SOURCE_RAW 1u
#define MS_MIDI_SOURCE_ALSA_SEQ 2u
#define MS_MIDI_SOURCE_JACK 3u
typedef struct ms_midi_message {
  uint64_t arrival_ns;       /* 0: CLOCK_MONOTONIC when it arrived */
  uint8_t status, data1, data2; /* 8, 9, 10: note-on with velocity 0 arrives as note-off */
  uint8_t source;            /* 11: MS_MIDI_SOURCE_* */
  uint32_t reserved;         /* 12 */
} ms_midi_message_t;
_Static_assert(sizeof(ms_midi_message_t) == 16, "ms_midi_message_t layout");

/* Fill a layer with defaults: every channel and key, velocities 1..127, any
 * program, no transpose, linear velocity (velocity[v] = v). Thread: ANY. */
MS_API void ms_midi_layer_init(ms_midi_layer_t *layer);

/*
 * Replace the sampler's MIDI map: layers, controller mappings and channel
 * settings are checked, compiled into one immutable table and handed to the
 * render thread, which swaps it in between blocks (notes already sounding
 * are released through the map that started them). The old table comes back
 * through the return ring and is freed by ms_sampler_collect. layer_count 0
 * and cc_count 0 clear the map (MIDI then plays nothing).
 * Thread: CT. Errors: INVALID_ARGUMENT (NULL with a count, an instrument id
 * that does not exist; the message names the record and field),
 * OUT_OF_RANGE, LIMIT (over MS_MIDI_MAX_LAYERS / _CC_MAPS), NO_MEMORY, RING_FULL.
 */
MS_API int32_t ms_midi_map_set(ms_sampler_t *sampler, const ms_midi_layer_t *layers, uint32_t layer_count,
                               const ms_midi_cc_map_t *cc_maps, uint32_t cc_count,
                               const ms_midi_channel_t *channels);

typedef struct ms_midi_in ms_midi_in_t;
#define MS_MIDI_IN_RAW 1u       /* path: a raw MIDI device (/dev/snd/midiC1D0) or any byte stream (a FIFO) */
#define MS_MIDI_IN_ALSA_SEQ 2u  /* a sequencer port "midi-sampler:in"; path "" or "CLIENT:PORT" to connect from */

/*
 * Open a MIDI input and start its reader thread "ms-midi" (normal priority;
 * it never waits on the render thread or on JavaScript). At most 4 inputs per
 * sampler. Thread: CT. Errors: INVALID_ARGUMENT, FILE_NOT_FOUND (raw path),
 * DEVICE (cannot open: the message says why, e.g. no /dev/snd/seq), LIMIT,
 * NO_MEMORY.
 */
MS_API int32_t ms_midi_in_open(ms_sampler_t *sampler, uint32_t kind, const char *path, ms_midi_in_t **out);

/* Stop the reader thread and close the input; frees the handle. Thread: CT. */
MS_API void ms_midi_in_close(ms_midi_in_t *input);

/*
 * Copy up to cap waiting messages (channel messages and start/stop/continue;
 * clock ticks only move the tempo estimate) into out, oldest first; returns
 * how many. Never blocks. Thread: CT.
 */
MS_API uint32_t ms_midi_poll(ms_sampler_t *sampler, ms_midi_message_t *out, uint32_t cap);

/*
 * Block until ms_midi_poll has messages, ms_midi_wake is called, or
 * timeout_ms passes. Returns 1 (messages or a wake), 0 (timeout) or a
 * negative error. Meant for a helper thread (Deno's nonblocking FFI pool):
 * input threads wake it through an eventfd; JACK MIDI (which the render
 * thread reads and which may not make system calls) is noticed within 2 ms.
 * Call ms_midi_wake and let it return before destroying the sampler.
 * Thread: one helper thread at a time. Errors: INVALID_ARGUMENT, NO_MEMORY.
 */
MS_API int32_t ms_midi_wait(ms_sampler_t *sampler, uint32_t timeout_ms);

/* Make a pending (or the next) ms_midi_wait return 1. Thread: ANY. */
MS_API void ms_midi_wake(ms_sampler_t *sampler);

/* MIDI counters and the input-latency distribution: a block of its own
 * (ms_midi_stats_ptr) so ms_stats_t keeps its size. One writer per field
 * except messages/dropped (atomic adds from each input). */
typedef struct ms_midi_stats {
  uint64_t messages;             /* 0: channel messages received from every input */
  uint64_t dropped;              /* 8: lost because a ring was full */
  uint64_t clock_ticks;          /* 16: 0xF8 received */
  uint64_t clock_bpm_milli;      /* 24: external tempo from the clock's arrival stamps, BPM * 1000, 0 = none */
  uint64_t clock_running;        /* 32: 1 after start (0xFA) or continue (0xFB), 0 after stop (0xFC) */
  uint64_t clock_transport;      /* 40: start/stop/continue messages received */
  uint64_t latency_count;        /* 48: messages with an arrival stamp that reached the render thread */
  uint64_t latency_ns_total;     /* 56 */
  uint64_t latency_ns_max;       /* 64 */
  /* 72: arrival to the render thread rendering the message's frame, in the
   * buckets of ms_stats_t.render_ns_hist; add ms_output_info_t.latency_frames
   * for the time it is heard. */
  uint64_t latency_ns_hist[128];
} ms_midi_stats_t;
_Static_assert(sizeof(ms_midi_stats_t) == 1096, "ms_midi_stats_t layout");

/* The live MIDI stats block (all zero until MIDI is used); valid until
 * ms_sampler_destroy. Thread: ANY. */
MS_API const ms_midi_stats_t *ms_midi_stats_ptr(const ms_sampler_t *sampler);

/* -------------------------------------------------------- MIDI out -- */
/*
 * MIDI out: messages scheduled at an absolute frame travel the command ring
 * like notes and leave on the render thread at that exact frame, into a
 * named output: a JACK MIDI port on the sampler's open JACK output (written
 * at the frame's offset in JACK's period, so it lines up with the audio of
 * that frame), an ALSA sequencer port (sent by a helper thread at the time
 * the render thread stamped, plus the output latency), or a capture ring
 * that ms_midi_out_read drains (offline renders writing a .mid file, tests).
 * The render thread counts the notes sounding on each output, so a panic
 * sends a note-off for every one of them (no hanging notes on hush or quit).
 * An output lives until the sampler is destroyed.
 */
typedef struct ms_midi_out ms_midi_out_t;
#define MS_MIDI_OUT_CAPTURE 0u  /* records kept until ms_midi_out_read takes them */
#define MS_MIDI_OUT_JACK 1u     /* a MIDI output port `name` on the sampler's open JACK output */
#define MS_MIDI_OUT_ALSA_SEQ 2u /* a sequencer port "midi-sampler:<name>"; connect "" or "CLIENT:PORT" */
#define MS_MIDI_MAX_OUTS 16u
#define MS_MIDI_OUT_RING 4096u  /* messages an output holds for its reader */

/* One message as it left (ms_midi_out_read). */
typedef struct ms_midi_out_event {
  uint64_t frame;            /* 0: the absolute frame it was sent on */
  uint64_t time_ns;          /* 8: CLOCK_MONOTONIC when that frame is rendered (the render call's start + offset) */
  uint8_t size;              /* 16: bytes used, 1..3 */
  uint8_t bytes[3];          /* 17: status, data */
  uint32_t reserved;         /* 20 */
} ms_midi_out_event_t;
_Static_assert(sizeof(ms_midi_out_event_t) == 24, "ms_midi_out_event_t layout");

/*
 * Open a MIDI output of kind MS_MIDI_OUT_* named `name` (1..63 characters:
 * the JACK port's or ALSA port's name). MS_MIDI_OUT_JACK needs the
 * sampler's live output open on JACK (ms_output_open); `connect` (JACK: a
 * port such as "fluidsynth:midi_00", connected once the output is started;
 * ALSA: "CLIENT:PORT") is connected when given, "" or NULL connects
 * nothing. At most MS_MIDI_MAX_OUTS per sampler; freed by
 * ms_sampler_destroy.
 * Thread: CT. Errors: INVALID_ARGUMENT (NULL, an unknown kind, a bad name),
 * STATE (JACK without an open JACK output), LIMIT, NO_MEMORY, DEVICE
 * (registering the port or connecting failed, no /dev/snd/seq: the message
 * says which).
 */
MS_API int32_t ms_midi_out_open(ms_sampler_t *sampler, uint32_t kind, const char *name, const char *connect,
                                ms_midi_out_t **out);

/*
 * Send one channel voice message (status 0x80..0xEF with its data bytes)
 * or a system real-time message (0xF8 clock, 0xFA start, 0xFB continue,
 * 0xFC stop; data ignored) on `output` at absolute `frame` (MS_FRAME_NOW:
 * the next block; a frame already rendered leaves at once and counts as
 * late). Note-on with velocity 0 is a note-off.
 * Thread: CT. Errors: INVALID_ARGUMENT (NULL, a status that is neither),
 * OUT_OF_RANGE (a data byte over 127), RING_FULL.
 */
MS_API int32_t ms_midi_out_send_at(ms_midi_out_t *output, uint64_t frame, uint8_t status, uint8_t data1,
                                   uint8_t data2);

/*
 * At `frame`, send a note-off for every note sounding on `output` (one per
 * note-on not yet answered, on its channel), and forget them.
 * Thread: CT. Errors: INVALID_ARGUMENT, RING_FULL.
 */
MS_API int32_t ms_midi_out_panic_at(ms_midi_out_t *output, uint64_t frame);

/*
 * Copy up to cap messages a MS_MIDI_OUT_CAPTURE output sent into out, in
 * the order they left (frame order); returns how many (0 for other kinds,
 * whose reader is the JACK callback or the ALSA thread). Call it at least
 * every MS_MIDI_OUT_RING messages: a full ring drops and counts.
 * Thread: CT (one reader).
 */
MS_API uint32_t ms_midi_out_read(ms_midi_out_t *output, ms_midi_out_event_t *out, uint32_t cap);

/* Counters of one output (any may be NULL): messages sent, messages
 * dropped (its ring full), notes sounding now. Thread: ANY. */
/* The output's index 0..MS_MIDI_MAX_OUTS-1, for MS_EV_MIDI_OUT records
 * (0xffffffff for NULL). Thread: ANY. */
MS_API uint32_t ms_midi_out_index(const ms_midi_out_t *output);

MS_API void ms_midi_out_counts(const ms_midi_out_t *output, uint64_t *sent, uint64_t *dropped, uint64_t *sounding);

/* --------------------------------------------------- Ableton Link -- */
/*
 * A sampler joins an Ableton Link session (tempo, beat timeline, start/stop
 * shared with other apps on the network) through one ms_link_t. The render
 * thread captures Link's session state at the start of every ms_process
 * call (Link's audio-thread API: no allocation, no lock), stamps the call's
 * first frame with Link's host clock plus the output latency given here,
 * and publishes where the beat is; CT maps beats to frames from that
 * (ms_link_frame_at_beat) and asks for tempo and start/stop changes, which
 * the render thread commits at the frame named. Link's peers find each other
 * by UDP multicast on every network interface that is up.
 * Built only when Ableton Link's headers were found (ms_link_built); without
 * them every function fails with UNSUPPORTED and says what to install.
 */
typedef struct ms_link_session ms_link_t;

/* 1 when this engine was built with Ableton Link, else 0. Thread: ANY. */
MS_API int32_t ms_link_built(void);

/*
 * Attach a Link session to the sampler, not yet joined (ms_link_enable
 * joins): its tempo is `bpm` (20..999) until peers say otherwise, its
 * quantum 4 beats. One per sampler; destroy it before the sampler.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, STATE (one attached
 * already; Link failed to start its threads), NO_MEMORY, UNSUPPORTED.
 */
MS_API int32_t ms_link_create(ms_sampler_t *sampler, double bpm, ms_link_t **out);

/* Leave the session, detach it (waits for a render call that holds it to
 * end) and free it. NULL is a no-op. Thread: CT. */
MS_API void ms_link_destroy(ms_link_t *link);

/* Join (1) or leave (0) the session on the network. Thread: CT.
 * Errors: INVALID_ARGUMENT, STATE (Link failed), UNSUPPORTED. */
MS_API int32_t ms_link_enable(ms_link_t *link, uint32_t on);

/* Share start/stop with peers that do (1) or not (0, the default).
 * Thread: CT. Errors: INVALID_ARGUMENT, STATE, UNSUPPORTED. */
MS_API int32_t ms_link_enable_start_stop_sync(ms_link_t *link, uint32_t on);

/* Beats in a cycle of the shared timeline (Link's quantum, 1..64): peers
 * with the same quantum start their cycles together. Thread: CT.
 * Errors: INVALID_ARGUMENT, OUT_OF_RANGE, UNSUPPORTED. */
MS_API int32_t ms_link_set_quantum(ms_link_t *link, double beats);

/* Frames between a call's first frame and the moment it is heard (the
 * output latency the backend reports, 0..10 s): the beat is placed where
 * the sound leaves the output. Thread: CT. Errors: INVALID_ARGUMENT,
 * OUT_OF_RANGE, UNSUPPORTED. */
MS_API int32_t ms_link_set_output_latency(ms_link_t *link, uint32_t frames);

/* Change the session's tempo to `bpm` (20..999) keeping the beat that is
 * heard at absolute `frame` where it is; committed by the next render call.
 * Thread: CT. Errors: INVALID_ARGUMENT, OUT_OF_RANGE, UNSUPPORTED. */
MS_API int32_t ms_link_request_tempo(ms_link_t *link, double bpm, uint64_t frame);

/* Start (1) or stop (0) the session's transport at the moment `frame` is
 * heard; committed by the next render call (shared with peers when
 * start/stop sync is on). Thread: CT. Errors: INVALID_ARGUMENT, UNSUPPORTED. */
MS_API int32_t ms_link_request_playing(ms_link_t *link, uint32_t playing, uint64_t frame);

/* Peers in the session besides this one. Thread: ANY.
 * Errors: INVALID_ARGUMENT, UNSUPPORTED. */
MS_API int32_t ms_link_peers(const ms_link_t *link, uint32_t *out);

/*
 * Readers of the timeline the last render call published (tempo in bpm,
 * transport playing 0/1, the beat at an absolute frame, the exact frame of
 * a beat, the beat heard at a Link host time in µs). Beats count on this
 * peer's timeline; peers agree on the phase within the quantum. Linear
 * until the tempo changes: ask again after each render call.
 * Thread: ANY. Errors: INVALID_ARGUMENT (also a non-finite frame or beat),
 * STATE (no render call since the session was attached), UNSUPPORTED.
 */
MS_API int32_t ms_link_tempo(const ms_link_t *link, double *out);
MS_API int32_t ms_link_playing(const ms_link_t *link, uint32_t *out);
MS_API int32_t ms_link_beat_at_frame(const ms_link_t *link, double frame, double *out);
MS_API int32_t ms_link_frame_at_beat(const ms_link_t *link, double beat, double *out);
MS_API int32_t ms_link_beat_at_host(const ms_link_t *link, int64_t host_us, double *out);

/* Link's host clock now in µs (CLOCK_MONOTONIC_RAW on Linux), 0 for NULL.
 * Thread: ANY. */
MS_API int64_t ms_link_host_now(const ms_link_t *link);

#ifdef __cplusplus
}
#endif
#endif /* MIDI_SAMPLER_H */
