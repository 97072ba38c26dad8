/**
 * Byte layouts of the C structs that cross the FFI boundary, mirrored from
 * `engine/include/midi_sampler.h`, plus the encoders that fill them.
 *
 * Thread: CT (Deno's JavaScript thread). Pure data: no FFI calls here.
 * tests/ffi_contract_test.ts parses the header and compares every offset.
 *
 * @module
 */

/** Status codes (`MS_OK`, `MS_ERR_*`), from the one list in lib/errors.ts. */
export { STATUS } from "../errors.ts";

/** `MS_INTERP_*`. */
export const INTERP = { DEFAULT: 0, LINEAR: 1, CUBIC: 2 } as const;

/** `MS_LOOP_*`. */
export const LOOP = { AUTO: 0, NONE: 1, ONE_SHOT: 2, FORWARD: 3, SUSTAIN: 4 } as const;

/** `MS_ALT_*`. */
export const ALT = { ROUND_ROBIN: 0, RANDOM: 1 } as const;

/** `MS_TRIGGER_*`: when a zone plays. */
export const TRIGGER = { ATTACK: 0, RELEASE: 1 } as const;
/** `MS_OFF_*`: how a choked voice stops, and the special `off_by` values. */
export const OFF = { FAST: 0, NORMAL: 1, TIME: 2, BY_OWN: 0, BY_NONE: 4294967295 } as const;
/** `MS_FILTER_*`: the per-voice filter. */
export const FILTER = { NONE: 0, LOWPASS: 1, HIGHPASS: 2, BANDPASS: 3 } as const;
/** `MS_SOURCE_*`: what a zone plays, its sample or an oscillator (superdough's synth names). */
export const SOURCE = {
  sample: 0,
  sine: 1,
  sawtooth: 2,
  square: 3,
  triangle: 4,
  supersaw: 5,
  white: 6,
  pink: 7,
  brown: 8,
  silence: 9,
} as const;
/** `MS_AUDIO_*`: `ms_audio_config_t.flags` (orbit outputs: one channel pair per orbit; no master limiter). */
export const AUDIO = { ORBIT_OUTPUTS: 1, NO_LIMITER: 2 } as const;
/** `MS_MAX_ORBITS`: orbits (effect buses) a note's `orbit` can select, 0..MAX_ORBITS-1. */
export const MAX_ORBITS = 16;
/** `MS_NO_KEYSWITCH`: a zone that plays whatever the last keyswitch. */
export const NO_KEYSWITCH = 255;

/** `MS_PARAM_*`: instrument parameters (ranges in {@linkcode PARAMS}). */
export const PARAM = {
  VOLUME_DB: 1,
  PAN: 2,
  PITCH_BEND_RANGE: 3,
  VIBRATO_DEPTH: 4,
  VIBRATO_RATE_HZ: 5,
  MOD_WHEEL: 6,
  SUSTAIN: 7,
  POLYPHONY: 8,
  OUTPUT_BUS: 9,
  EXPRESSION: 10,
  KEYSWITCH: 11,
  /** `MS_PARAM_CONTROL + id`: an instrument-level per-note control value (id: `MS_CONTROL_*`). */
  CONTROL: 256,
  /** `MS_PARAM_CONTROL_CLEAR + id`: remove it (the zone's or the default plays again). */
  CONTROL_CLEAR: 512,
} as const;

/** `MS_FIELDS_*`: the tables ms_field_info describes. */
export const FIELDS = { ZONE: 1, NOTE: 2, PARAM: 3, CONTROL: 4 } as const;
/** `MS_FIELD_*`: a described field's C type, and its flags (ORBIT, FX: per-note controls). */
export const FIELD = {
  U8: 1,
  U32: 2,
  F32: 3,
  ENUM: 1,
  EXTRA: 2,
  PER_SAMPLE: 4,
  ORBIT: 8,
  FX: 16,
} as const;

/** `MS_EV_*` event types. */
export const EV = {
  NOTE_ON: 1,
  NOTE_OFF: 2,
  CC: 3,
  PITCH_BEND: 4,
  PARAM: 5,
  ALL_NOTES_OFF: 6,
  ALL_SOUND_OFF: 7,
  MIDI: 8,
  /** One per-note control (number = `MS_CONTROL_*`, value) for the note-on that follows in the same push. */
  CONTROL: 9,
  /** A message out of a MIDI output: note = its index, number = status | data1 << 8 | data2 << 16, 0 = panic. */
  MIDI_OUT: 10,
} as const;

/** `MS_FILE_*` and `MS_SAMPLE_*` for offline rendering. */
export const FILE_FORMAT = { WAV: 1, FLAC: 2 } as const;
/** `MS_SAMPLE_*` output sample formats. */
export const SAMPLE_FORMAT = { PCM16: 1, PCM24: 2, FLOAT32: 3 } as const;

/** `MS_RT_*` bits of ms_sampler_rt_status. */
export const RT_STATUS = { MEMORY_LOCKED: 1, PRIORITY_SET: 2 } as const;

/** `MS_BACKEND_*` live output backends. */
export const BACKEND = { AUTO: 0, ALSA: 1, JACK: 2 } as const;

/** `MS_PCM_*` ALSA sample formats. */
export const PCM = { AUTO: 0, FLOAT: 1, S32: 2, S16: 3 } as const;

/** `MS_OUTPUT_*` flags of ms_output_config_t. */
export const OUTPUT = { NO_CONNECT: 1, MIDI_IN: 2 } as const;

/** `MS_MIDI_*`: MIDI map limits, input kinds and message sources. */
export const MIDI = {
  ANY_PROGRAM: 255,
  MAX_LAYERS: 256,
  MAX_CC_MAPS: 128,
  SOURCE_EVENTS: 0,
  SOURCE_RAW: 1,
  SOURCE_ALSA_SEQ: 2,
  SOURCE_JACK: 3,
  IN_RAW: 1,
  IN_ALSA_SEQ: 2,
  OUT_CAPTURE: 0,
  OUT_JACK: 1,
  OUT_ALSA_SEQ: 2,
  MAX_OUTS: 16,
  OUT_RING: 4096,
} as const;

/** A field of a C struct: byte offset and C type. */
export interface FieldLayout {
  readonly offset: number;
  readonly type: "u8" | "u16" | "u32" | "i32" | "u64" | "f32" | "f64" | "char";
  /** Array length: `char` string buffers, and the uint64 histogram of `ms_stats_t`. */
  readonly length?: number;
}

/** `ms_audio_config_t`, 40 bytes. */
export const AUDIO_CONFIG = {
  size: 40,
  fields: {
    sample_rate: { offset: 0, type: "u32" },
    channels: { offset: 4, type: "u32" },
    max_polyphony: { offset: 8, type: "u32" },
    buffer_size: { offset: 12, type: "u32" },
    ring_capacity: { offset: 16, type: "u32" },
    max_instruments: { offset: 20, type: "u32" },
    interpolation: { offset: 24, type: "u32" },
    seed: { offset: 28, type: "u32" },
    flags: { offset: 32, type: "u32" },
    reserved: { offset: 36, type: "u32" },
  },
} as const satisfies StructLayout;

/** `ms_sample_info_t`, 40 bytes. */
export const SAMPLE_INFO = {
  size: 48,
  fields: {
    frames: { offset: 0, type: "u64" },
    channels: { offset: 8, type: "u32" },
    sample_rate: { offset: 12, type: "u32" },
    has_loop: { offset: 16, type: "u32" },
    loop_start_frames: { offset: 20, type: "u32" },
    loop_end_frames: { offset: 24, type: "u32" },
    root_key: { offset: 28, type: "u32" },
    bytes: { offset: 32, type: "u64" },
    bits: { offset: 40, type: "u32" },
    reserved: { offset: 44, type: "u32" },
  },
} as const satisfies StructLayout;

/** A C number type a zone member can have. */
export type MemberType = "u8" | "u32" | "f32";

/** One `ms_zone_t` member: name, byte offset and C type. */
export interface ZoneMember<N extends string = string> {
  readonly name: N;
  readonly offset: number;
  readonly type: MemberType;
}

/** A number option filling one member, min..max inclusive (whole numbers for u8/u32 members). */
export interface ZoneNumberRow<N extends string = string> {
  readonly kind: "number";
  readonly member: ZoneMember<N>;
  readonly min: number;
  readonly max: number;
  /** Must be given when its group is (`filter.envelope.depthCents`). */
  readonly required: boolean;
  /** Summary, range and `@default`. */
  readonly doc: string;
}

/** A `[lo, hi]` option filling two members, each min..max, lo <= hi. */
export interface ZonePairRow<A extends string = string, B extends string = string> {
  readonly kind: "pair";
  readonly members: readonly [ZoneMember<A>, ZoneMember<B>];
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

/** An option given by name ("round-robin") filling one member with the name's code; with `numbers` also a number in that range. */
export interface ZoneNamesRow<N extends string = string, K extends string = string> {
  readonly kind: "names";
  readonly member: ZoneMember<N>;
  readonly names: Readonly<Record<K, number>>;
  readonly numbers: readonly [number, number] | undefined;
  readonly required: boolean;
  readonly doc: string;
}

/** Options grouped under one key (`envelope`, `loop`, `filter`). */
export interface ZoneGroupRow<
  G extends Readonly<Record<string, ZoneRow>> = Readonly<Record<string, ZoneRow>>,
> {
  readonly kind: "group";
  readonly rows: G;
  readonly doc: string;
}

/** One row of {@linkcode ZONE_OPTIONS}. */
export type ZoneRow = ZoneNumberRow | ZonePairRow | ZoneNamesRow | ZoneGroupRow;

const member = <const N extends string>(
  name: N,
  offset: number,
  type: MemberType,
): ZoneMember<N> => ({
  name,
  offset,
  type,
});
const num = <const N extends string>(
  name: N,
  offset: number,
  type: MemberType,
  min: number,
  max: number,
  doc: string,
): ZoneNumberRow<N> => ({
  kind: "number",
  member: member(name, offset, type),
  min,
  max,
  required: false,
  doc,
});
const pair = <const A extends string, const B extends string>(
  lo: [A, number],
  hi: [B, number],
  type: MemberType,
  min: number,
  max: number,
  doc: string,
): ZonePairRow<A, B> => ({
  kind: "pair",
  members: [member(lo[0], lo[1], type), member(hi[0], hi[1], type)],
  min,
  max,
  doc,
});
const names = <const N extends string, const K extends string>(
  name: N,
  offset: number,
  type: MemberType,
  codes: Record<K, number>,
  doc: string,
): ZoneNamesRow<N, K> => ({
  kind: "names",
  member: member(name, offset, type),
  names: codes,
  numbers: undefined,
  required: false,
  doc,
});
/** Let a names row also take a number in min..max (the number is the member's value). */
const orNumber = <R extends ZoneNamesRow>(
  row: R,
  min: number,
  max: number,
): R & { readonly numbers: readonly [number, number] } => ({
  ...row,
  numbers: [min, max] as const,
});
/** Mark a row of a group as one that must be given whenever its group is. */
const required = <R extends ZoneNumberRow | ZoneNamesRow>(
  row: R,
): R & { readonly required: true } => ({
  ...row,
  required: true as const,
});
const group = <const G extends Readonly<Record<string, ZoneRow>>>(
  doc: string,
  rows: G,
): ZoneGroupRow<G> => ({
  kind: "group",
  rows,
  doc,
});

const U32_MAX = 4294967295;

/**
 * Every `ms_zone_t` member, as the option of `ZoneOptions` that sets it: the
 * member's offset and type, the option's range (the engine's own, see
 * ms_field_info; tests/ffi_contract_test.ts walks both), and its doc. The
 * zone layout {@linkcode ZONE}, the zod `ZoneOptionsSchema`
 * (lib/engine/options.ts) and the option-to-record copy
 * ({@linkcode zoneRecord}) are derived from it. A member left out of the
 * options keeps ms_zone_init's default.
 */
// deno-fmt-ignore
export const ZONE_OPTIONS = {
  //            C member(s) and byte offset        type   min     max       doc (range and @default)
  keys: pair(["lo_key", 0], ["hi_key", 1],         "u8",  0,      127,      "Inclusive key range [lo, hi], 0..127. @default [0, 127]"),
  velocities: pair(["lo_vel", 2], ["hi_vel", 3],   "u8",  1,      127,      "Inclusive velocity range [lo, hi], 1..127. @default [1, 127]"),
  rootKey: num("root_key", 4,                      "u8",  0,      127,      "Key at which the sample plays unpitched, 0..127. @default 60"),
  loop: group("Loop mode and optional loop points in frames (end exclusive). @default { mode: \"auto\" }", {
    mode: required(names("loop_mode", 5,           "u8",  { "auto": LOOP.AUTO, "none": LOOP.NONE, "one-shot": LOOP.ONE_SHOT, "forward": LOOP.FORWARD, "sustain": LOOP.SUSTAIN }, "How the sample loops")),
    start: num("loop_start_frames", 32,            "u32", 0,      U32_MAX,  "First frame of the loop. @default the file's loop start, else 0"),
    end: num("loop_end_frames", 36,                "u32", 1,      U32_MAX,  "Frame after the loop's last one. @default the file's loop end, else the sample's end"),
  }),
  source: names("source", 7,                       "u8",  SOURCE, "What the zone plays: its sample, or an oscillator (no sample: pitch from the key through rootKey, amplitude 1). @default \"sample\""),
  altMode: names("alt_mode", 6,                    "u8",  { "round-robin": ALT.ROUND_ROBIN, "random": ALT.RANDOM }, "How alternatives are chosen. @default \"round-robin\""),
  altGroup: num("alt_group", 8,                    "u32", 0,      U32_MAX,  "Zones with the same non-zero group are alternatives of each other; 0 = layer. @default 0"),
  exclusiveGroup: num("exclusive_group", 12,       "u32", 0,      U32_MAX,  "A new note fades out the others of its non-zero group (hi-hat choke). @default 0"),
  tuneCents: num("tune_cents", 16,                 "f32", -12800, 12800,    "Fine tune in cents, -12800..12800. @default 0"),
  gainDb: num("gain_db", 20,                       "f32", -144,   24,       "Gain in dB, -144..24. @default 0"),
  pan: num("pan", 24,                              "f32", -1,     1,        "Pan, -1 (left) .. 1 (right). @default 0"),
  velocityTrack: num("velocity_track", 28,         "f32", 0,      1,        "Velocity sensitivity, 0 (ignored) .. 1 (square law). @default 1"),
  envelope: group("AHDSR envelope: times in seconds 0..60, sustain level 0..1. @default { sustain: 1, release: 0.05 }", {
    delay: num("delay_s", 160,                     "f32", 0,      60,       "Time at 0 before the attack, 0..60 s (SFZ ampeg_delay; ampegDelay rows add to it). @default 0"),
    attack: num("attack_s", 40,                    "f32", 0,      60,       "Linear rise, 0..60 s. @default 0"),
    hold: num("hold_s", 44,                        "f32", 0,      60,       "Time held at full level, 0..60 s. @default 0"),
    decay: num("decay_s", 48,                      "f32", 0,      60,       "Fall to the sustain level (time to -60 dB), 0..60 s. @default 0"),
    sustain: num("sustain", 52,                    "f32", 0,      1,        "Sustain level, 0..1. @default 1"),
    release: num("release_s", 56,                  "f32", 0,      60,       "Fade after note-off (time to -60 dB), 0..60 s. @default 0.05"),
    dynamic: num("ampeg_dynamic", 127,             "u8",  0,      1,        "1: the envelope's CC rows (mods ampeg*) are followed while the note plays, stages already begun keep their length (SFZ ampeg_dynamic); 0: read at note-on. @default 0"),
  }),
  offset: num("offset_frames", 60,                 "u32", 0,      U32_MAX,  "Start offset into the sample in frames. @default 0"),
  trigger: names("trigger", 64,                    "u8",  { "attack": TRIGGER.ATTACK, "release": TRIGGER.RELEASE }, "When the zone plays: \"attack\" on note-on, \"release\" on note-off (with the note-on's velocity). @default \"attack\""),
  offMode: names("off_mode", 65,                   "u8",  { "fast": OFF.FAST, "normal": OFF.NORMAL, "time": OFF.TIME }, "How a choked voice stops: \"fast\" (2 ms fade), \"normal\" (its release) or \"time\" (a fade over offTime). @default \"fast\""),
  offTime: num("off_time_s", 132,                  "f32", 0.001,  60,       "Fade of a choked voice with offMode \"time\", 0.001..60 s (SFZ off_time). @default 0.006"),
  midiChannels: pair(["lo_chan", 66], ["hi_chan", 67], "u8", 0,   15,       "MIDI channels answered, [lo, hi] inclusive, 0..15 (the note's channel). @default [0, 15]"),
  keyswitch: num("sw_last", 68,                    "u8",  0,      127,      "Plays only while the last keyswitch pressed is this key, 0..127. @default none: always"),
  keyswitchRange: pair(["sw_lo", 69], ["sw_hi", 70], "u8", 0,     127,      "Keys that act as keyswitches, [lo, hi] inclusive (instrument-wide once any zone names them). @default none"),
  offBy: orNumber(names("off_by", 72,              "u32", { "own": OFF.BY_OWN, "none": OFF.BY_NONE }, "Which group's new notes choke this zone: \"own\" (its exclusiveGroup, hi-hat style), \"none\" (never choked), or a group number. @default \"own\""), 1, U32_MAX - 1),
  pitchKeytrack: num("pitch_keytrack", 76,         "f32", -1200,  1200,     "Cents per key away from rootKey, -1200..1200 (0: same pitch on every key). @default 100"),
  random: pair(["lo_rand", 80], ["hi_rand", 84],   "f32", 0,      1,        "Plays when the note's random value (0..1, one per note) is in [lo, hi). @default [0, 1]"),
  filter: group("Per-voice state-variable filter (12 dB/octave); cents shift the cutoff, 1200 is an octave up. @default none", {
    type: required(names("filter_type", 71,        "u8",  { "lowpass": FILTER.LOWPASS, "highpass": FILTER.HIGHPASS, "bandpass": FILTER.BANDPASS }, "Filter response")),
    cutoffHz: num("cutoff_hz", 88,                 "f32", 10,     20000,    "Cutoff in Hz, 10..20000. @default 20000"),
    resonanceDb: num("resonance_db", 92,           "f32", 0,      40,       "Resonance in dB over Butterworth, 0..40. @default 0"),
    velocityTrackCents: num("fil_veltrack_cents", 96, "f32", -9600, 9600,   "Cutoff shift at velocity 127 (linear in velocity), -9600..9600 cents. @default 0"),
    keyTrackCents: num("fil_keytrack_cents", 100,  "f32", -1200,  1200,     "Cutoff shift per key away from keyCenter, -1200..1200 cents. @default 0"),
    keyCenter: num("fil_keycenter", 124,           "u8",  0,      127,      "Key at which keyTrackCents shifts nothing, 0..127. @default 60"),
    envelope: group("Filter envelope: depth in cents at full level, times in seconds 0..60, sustain 0..1. @default none", {
      depthCents: required(num("fileg_depth_cents", 104, "f32", -12000, 12000, "Depth at full level, -12000..12000 cents")),
      delay: num("fileg_delay_s", 140,             "f32", 0,      60,       "Time at 0 before the attack, 0..60 s. @default 0"),
      attack: num("fileg_attack_s", 108,           "f32", 0,      60,       "Rise, 0..60 s. @default 0"),
      hold: num("fileg_hold_s", 144,               "f32", 0,      60,       "Time held at full level after the attack, 0..60 s. @default 0"),
      decay: num("fileg_decay_s", 112,             "f32", 0,      60,       "Fall to the sustain level, 0..60 s. @default 0"),
      sustain: num("fileg_sustain", 116,           "f32", 0,      1,        "Sustain level, 0..1. @default 1"),
      release: num("fileg_release_s", 120,         "f32", 0,      60,       "Fall after note-off, 0..60 s. @default 0"),
    }),
    cc: group("A controller moving the cutoff. @default none", {
      controller: required(num("cutoff_cc", 125,   "u8",  1,      127,      "Controller number, 1..127")),
      cents: required(num("cutoff_cc_cents", 128, "f32", -9600,  9600,     "Cutoff shift at value 127, -9600..9600 cents")),
    }),
  }),
  notePolyphony: num("note_polyphony", 126,        "u8",  1,      255,      "Voices of one key this zone's exclusive group may hold; a note beyond releases the oldest (SFZ note_polyphony), 1..255. @default none: no limit"),
  width: num("width", 136,                         "f32", -100,   100,      "A stereo sample's width in percent, applied before pan: 100 as recorded, 0 mono, -100 left and right swapped (SFZ width), -100..100. @default 100"),
  chorus: num("chorus_send", 148,                  "f32", 0,      1,        "Send into the orbit's chorus (FluidSynth's default chorus: 3 voices, 8 ms, 0.3 Hz), 0..1 (SF2 chorusEffectsSend). @default 0"),
  penvDelay: num("penv_delay_s", 152,              "f32", 0,      60,       "The `penv` pitch envelope's time at 0 before its attack, 0..60 s (SF2 delayModEnv). @default 0"),
  penvHold: num("penv_hold_s", 156,                "f32", 0,      60,       "The `penv` pitch envelope's time held at full depth after its attack, 0..60 s (SF2 holdModEnv). @default 0"),
} as const;

/** The `ms_zone_t` member names a row fills. */
type MembersOf<R> = R extends ZoneGroupRow<infer G> ? { [K in keyof G]: MembersOf<G[K]> }[keyof G]
  : R extends ZonePairRow<infer A, infer B> ? A | B
  : R extends { member: ZoneMember<infer N> } ? N
  : never;

/** Name of an `ms_zone_t` member. */
export type ZoneMemberName = MembersOf<ZoneGroupRow<typeof ZONE_OPTIONS>>;

/** Every member of a row, depth first. */
export function zoneMembers(row: ZoneRow): ZoneMember[] {
  switch (row.kind) {
    case "group":
      return Object.values(row.rows).flatMap(zoneMembers);
    case "pair":
      return [...row.members];
    default:
      return [row.member];
  }
}

/** `ms_zone_t`, 164 bytes; its fields come from {@linkcode ZONE_OPTIONS}. */
export const ZONE: {
  readonly size: 164;
  readonly fields: Readonly<Record<ZoneMemberName, FieldLayout>>;
} = {
  size: 164,
  fields: Object.fromEntries(
    zoneMembers(group("", ZONE_OPTIONS)).map((m) => [m.name, { offset: m.offset, type: m.type }]),
  ) as Record<ZoneMemberName, FieldLayout>,
};

/**
 * The `ms_zone_t` members a zone's options set (parsed options, names
 * already valid): the one copy from options to record. Members the options
 * leave out are not in the result (they keep ms_zone_init's defaults).
 *
 * @param options Parsed zone options (`ZoneOptions` after its schema).
 * @returns Member values by C name.
 */
export function zoneRecord(options: Readonly<Record<string, unknown>>): Partial<ZoneRecord> {
  const out: Partial<Record<string, number>> = {};
  const fill = (
    rows: Readonly<Record<string, ZoneRow>>,
    values: Readonly<Record<string, unknown>>,
  ) => {
    for (const [key, row] of Object.entries(rows)) {
      const v = values[key];
      if (v === undefined) continue;
      switch (row.kind) {
        case "group":
          fill(row.rows, v as Record<string, unknown>);
          break;
        case "pair":
          [out[row.members[0].name], out[row.members[1].name]] = v as [number, number];
          break;
        case "names":
          out[row.member.name] = typeof v === "number"
            ? v
            : (row.names as Record<string, number>)[v as string];
          break;
        default:
          out[row.member.name] = v as number;
      }
    }
  };
  fill(ZONE_OPTIONS, options);
  return out as Partial<ZoneRecord>;
}

/**
 * The range of a number option of {@linkcode ZONE_OPTIONS} by its path
 * (`["filter", "keyTrackCents"]`), for code that clamps values to it (the
 * SFZ import).
 *
 * @param path Keys from the top of the table.
 * @returns `[min, max]`.
 * @throws {Error} when the path is not a number or pair option.
 */
export function zoneRange(...path: string[]): readonly [number, number] {
  let row: ZoneRow = group("", ZONE_OPTIONS);
  for (const key of path) {
    const next: ZoneRow | undefined = row.kind === "group" ? row.rows[key] : undefined;
    if (!next) throw new Error(`zoneRange: no option ${path.join(".")}`);
    row = next;
  }
  if (row.kind !== "number" && row.kind !== "pair") {
    throw new Error(`zoneRange: ${path.join(".")} is not numeric`);
  }
  return [row.min, row.max];
}

/** `ms_field_info_t`, 96 bytes: one row of the engine's field tables (ms_field_info). */
export const FIELD_INFO = {
  size: 96,
  fields: {
    name: { offset: 0, type: "char", length: 32 },
    unit: { offset: 32, type: "char", length: 16 },
    default_value: { offset: 48, type: "f64" },
    min: { offset: 56, type: "f64" },
    max: { offset: 64, type: "f64" },
    extra: { offset: 72, type: "f64" },
    id: { offset: 80, type: "u32" },
    type: { offset: 84, type: "u32" },
    flags: { offset: 88, type: "u32" },
    reserved: { offset: 92, type: "u32" },
  },
} as const satisfies StructLayout;

/** `ms_note_params_t`, 16 bytes. */
export const NOTE_PARAMS = {
  size: 16,
  fields: {
    gain_db: { offset: 0, type: "f32" },
    pan: { offset: 4, type: "f32" },
    tune_cents: { offset: 8, type: "f32" },
    start_offset_frames: { offset: 12, type: "u32" },
  },
} as const satisfies StructLayout;

/**
 * `MS_MOD_*`: a zone modulation row's targets, and its sources beyond the
 * CCs 0..127 (`SRC_*`, numbered as sfizz's extended controllers).
 */
export const MOD = {
  SRC_BEND: 128,
  SRC_VELOCITY: 131,
  SRC_KEY: 133,
  SRC_RANDOM: 135,
  SRC_RANDOM_BIPOLAR: 136,
  SRC_HELD_SECONDS: 160,
  SRC_LFO: 200,
  SRC_MAX: 200,
  RANGE: 1,
  TRIGGER: 2,
  XFIN: 3,
  XFOUT: 4,
  AMPLITUDE: 5,
  VOLUME_DB: 6,
  PAN: 7,
  PITCH_CENTS: 8,
  CUTOFF_CENTS: 9,
  AMPEG_DELAY_S: 10,
  AMPEG_ATTACK_S: 11,
  AMPEG_HOLD_S: 12,
  AMPEG_DECAY_S: 13,
  AMPEG_SUSTAIN: 14,
  AMPEG_RELEASE_S: 15,
  OFFSET_FRAMES: 16,
  WIDTH: 17,
  LFO_HZ: 18,
  TARGET_MAX: 18,
} as const;
/** `MS_CURVE_*`: the curves of a modulation row's depth (sfizz's built-in curves 0..5). */
export const CURVE = {
  LINEAR: 0,
  BIPOLAR: 1,
  INVERTED: 2,
  INVERTED_BIPOLAR: 3,
  SQUARE: 4,
  SQRT: 5,
  UPPER: 6,
  LOWER: 7,
  FIRST_CUSTOM: 8,
} as const;
/** `MS_LFO_*`: LFO waves (SFZ lfoN_wave numbers). */
export const LFO = {
  TRIANGLE: 0,
  SINE: 1,
  PULSE75: 2,
  SQUARE: 3,
  PULSE25: 4,
  PULSE12: 5,
  SAW_UP: 6,
  SAW_DOWN: 7,
} as const;
/** `MS_XF_*`: the curves of a crossfade row. */
export const XF = { POWER: 0, GAIN: 1 } as const;

/** Depth range of each depth target, as ms_instrument_set_zone_mods checks it (engine units). */
export const MOD_DEPTH = {
  [MOD.AMPLITUDE]: [-10, 10],
  [MOD.VOLUME_DB]: [-144, 144],
  [MOD.PAN]: [-2, 2],
  [MOD.PITCH_CENTS]: [-9600, 9600],
  [MOD.CUTOFF_CENTS]: [-9600, 9600],
  [MOD.AMPEG_DELAY_S]: [-100, 100],
  [MOD.AMPEG_ATTACK_S]: [-100, 100],
  [MOD.AMPEG_HOLD_S]: [-100, 100],
  [MOD.AMPEG_DECAY_S]: [-100, 100],
  [MOD.AMPEG_SUSTAIN]: [-1, 1],
  [MOD.AMPEG_RELEASE_S]: [-100, 100],
  [MOD.OFFSET_FRAMES]: [0, 2147483648],
  [MOD.WIDTH]: [-2, 2],
  [MOD.LFO_HZ]: [-100, 100],
} as const satisfies Record<number, readonly [number, number]>;

/** `ms_zone_mod_t`, 32 bytes: one zone modulation row. */
export const ZONE_MOD = {
  size: 32,
  fields: {
    source: { offset: 0, type: "u16" },
    target: { offset: 2, type: "u8" },
    curve: { offset: 3, type: "u8" },
    depth: { offset: 4, type: "f32" },
    lo: { offset: 8, type: "f32" },
    hi: { offset: 12, type: "f32" },
    lfo_hz: { offset: 16, type: "f32" },
    lfo_delay_s: { offset: 20, type: "f32" },
    lfo_fade_s: { offset: 24, type: "f32" },
    lfo_wave: { offset: 28, type: "u8" },
    lfo_depth_cc: { offset: 29, type: "u8" },
    lfo_index: { offset: 30, type: "u8" },
  },
} as const satisfies StructLayout;

/** One `ms_zone_mod_t` as numbers. */
export interface ZoneModRecord {
  source: number;
  target: number;
  curve: number;
  depth: number;
  lo: number;
  hi: number;
  /** MS_MOD_SRC_LFO rows: rate (Hz), delay and fade (s), wave (MS_LFO_*); 0 otherwise. */
  lfoHz?: number;
  lfoDelay?: number;
  lfoFade?: number;
  lfoWave?: number;
  /** MS_MOD_SRC_LFO rows: 0 a fixed depth, or 1 + the CC (0..127) the LFO's value is scaled by (CC / 127). */
  lfoDepthCc?: number;
  /** MS_MOD_SRC_LFO rows: 0, or the LFO (1..255) LFO_HZ rows of that index speed up; LFO_HZ rows: that LFO. */
  lfoIndex?: number;
}

/**
 * Encode modulation rows as consecutive `ms_zone_mod_t` records.
 *
 * @param rows the rows, in engine numbers and units
 * @returns `rows.length * 32` bytes
 */
export function encodeZoneMods(rows: readonly ZoneModRecord[]): Uint8Array<ArrayBuffer> {
  return encodeRecords(ZONE_MOD, rows, (r) => ({
    source: r.source,
    target: r.target,
    curve: r.curve,
    depth: r.depth,
    lo: r.lo,
    hi: r.hi,
    lfo_hz: r.lfoHz ?? 0,
    lfo_delay_s: r.lfoDelay ?? 0,
    lfo_fade_s: r.lfoFade ?? 0,
    lfo_wave: r.lfoWave ?? 0,
    lfo_depth_cc: r.lfoDepthCc ?? 0,
    lfo_index: r.lfoIndex ?? 0,
  }));
}

/** `ms_event_t`, 40 bytes; `params` is an embedded ms_note_params_t at 24. */
export const EVENT = {
  size: 40,
  fields: {
    frame: { offset: 0, type: "u64" },
    instrument: { offset: 8, type: "u32" },
    type: { offset: 12, type: "u16" },
    note: { offset: 14, type: "u8" },
    velocity: { offset: 15, type: "u8" },
    number: { offset: 16, type: "u32" },
    value: { offset: 20, type: "f32" },
    params: { offset: 24, type: "u32" },
  },
} as const satisfies StructLayout;

/** `ms_output_config_t`, 128 bytes. */
export const OUTPUT_CONFIG = {
  size: 128,
  fields: {
    backend: { offset: 0, type: "u32" },
    period_frames: { offset: 4, type: "u32" },
    periods: { offset: 8, type: "u32" },
    rt_priority: { offset: 12, type: "i32" },
    pcm_format: { offset: 16, type: "u32" },
    flags: { offset: 20, type: "u32" },
    device: { offset: 24, type: "char", length: 104 },
  },
} as const satisfies StructLayout;

/** `ms_output_info_t`, 144 bytes. */
export const OUTPUT_INFO = {
  size: 144,
  fields: {
    backend: { offset: 0, type: "u32" },
    sample_rate: { offset: 4, type: "u32" },
    period_frames: { offset: 8, type: "u32" },
    periods: { offset: 12, type: "u32" },
    latency_frames: { offset: 16, type: "u32" },
    pcm_format: { offset: 20, type: "u32" },
    sched_policy: { offset: 24, type: "i32" },
    sched_priority: { offset: 28, type: "i32" },
    running: { offset: 32, type: "u32" },
    reserved: { offset: 36, type: "u32" },
    device: { offset: 40, type: "char", length: 104 },
  },
} as const satisfies StructLayout;

/** `ms_latency_report_t`, 48 bytes: ms_rt_probe_latency's result. */
export const LATENCY_REPORT = {
  size: 48,
  fields: {
    samples: { offset: 0, type: "u64" },
    min_ns: { offset: 8, type: "u64" },
    avg_ns: { offset: 16, type: "u64" },
    p99_ns: { offset: 24, type: "u64" },
    max_ns: { offset: 32, type: "u64" },
    sched_policy: { offset: 40, type: "i32" },
    sched_priority: { offset: 44, type: "i32" },
  },
} as const satisfies StructLayout;

/** `ms_midi_layer_t`, 144 bytes: one keyboard layer of a MIDI map. */
export const MIDI_LAYER = {
  size: 144,
  fields: {
    channel_mask: { offset: 0, type: "u16" },
    lo_key: { offset: 2, type: "u8" },
    hi_key: { offset: 3, type: "u8" },
    lo_vel: { offset: 4, type: "u8" },
    hi_vel: { offset: 5, type: "u8" },
    program: { offset: 6, type: "u8" },
    transpose: { offset: 8, type: "i32" },
    instrument: { offset: 12, type: "u32" },
    velocity: { offset: 16, type: "u8", length: 128 },
  },
} as const satisfies StructLayout;

/** `ms_midi_cc_map_t`, 528 bytes: a controller driving an instrument parameter. */
export const MIDI_CC_MAP = {
  size: 528,
  fields: {
    channel_mask: { offset: 0, type: "u16" },
    controller: { offset: 2, type: "u8" },
    instrument: { offset: 4, type: "u32" },
    param: { offset: 8, type: "u32" },
    values: { offset: 16, type: "f32", length: 128 },
  },
} as const satisfies StructLayout;

/** `ms_midi_channel_t`, 8 bytes: per-channel settings of a MIDI map. */
export const MIDI_CHANNEL = {
  size: 8,
  fields: {
    bend_range: { offset: 0, type: "f32" },
    program: { offset: 4, type: "u8" },
    pass_cc: { offset: 5, type: "u8" },
  },
} as const satisfies StructLayout;

/** `ms_midi_message_t`, 16 bytes: a message as ms_midi_poll hands it to JavaScript. */
export const MIDI_MESSAGE = {
  size: 16,
  fields: {
    arrival_ns: { offset: 0, type: "u64" },
    status: { offset: 8, type: "u8" },
    data1: { offset: 9, type: "u8" },
    data2: { offset: 10, type: "u8" },
    source: { offset: 11, type: "u8" },
  },
} as const satisfies StructLayout;

/** `ms_midi_out_event_t`, 24 bytes: a message as a capture MIDI output hands it back (ms_midi_out_read). */
export const MIDI_OUT_EVENT = {
  size: 24,
  fields: {
    frame: { offset: 0, type: "u64" },
    time_ns: { offset: 8, type: "u64" },
    size: { offset: 16, type: "u8" },
    bytes: { offset: 17, type: "u8" },
  },
} as const satisfies StructLayout;

/** `MS_MIDI_OUT_*`: what a MIDI output writes into. */
export const MIDI_OUT_KIND = {
  CAPTURE: MIDI.OUT_CAPTURE,
  JACK: MIDI.OUT_JACK,
  ALSA_SEQ: MIDI.OUT_ALSA_SEQ,
} as const;

/** Counter names of `ms_midi_stats_t`, in order (uint64 each), before its latency histogram. */
export const MIDI_STATS_FIELDS = [
  "messages",
  "dropped",
  "clock_ticks",
  "clock_bpm_milli",
  "clock_running",
  "clock_transport",
  "latency_count",
  "latency_ns_total",
  "latency_ns_max",
] as const;

/** `ms_midi_stats_t`: MIDI counters, then the input-latency histogram (1096 bytes). */
export const MIDI_STATS = {
  size: (MIDI_STATS_FIELDS.length + 128) * 8,
  fields: {
    ...Object.fromEntries(
      MIDI_STATS_FIELDS.map((name, i) => [name, { offset: i * 8, type: "u64" as const }]),
    ) as Record<typeof MIDI_STATS_FIELDS[number], FieldLayout>,
    latency_ns_hist: { offset: MIDI_STATS_FIELDS.length * 8, type: "u64", length: 128 },
  },
} as const;

/** Field names of `ms_stats_t`, in order: field i is the uint64 at byte i * 8. */
export const STATS_FIELDS = [
  "struct_size",
  "sample_rate",
  "frames_rendered",
  "blocks_rendered",
  "xruns",
  "events_received",
  "events_dropped",
  "events_late",
  "voices_active",
  "voices_peak",
  "voices_stolen",
  "render_ns_last",
  "render_ns_total",
  "render_ns_max",
  "block_frames_last",
  "dsp_load_ppm",
  "dsp_load_max_ppm",
  "memory_locked_bytes",
  "memory_bytes",
  "instruments_retired",
] as const;

/** Name of one `ms_stats_t` counter. */
export type StatsField = typeof STATS_FIELDS[number];

/** Buckets of `ms_stats_t.render_ns_hist` (MS_STATS_HIST_BUCKETS). */
export const STATS_HIST_BUCKETS = 128;
/** Index of `render_ns_hist[0]` in a BigUint64Array over the stats block. */
export const STATS_HIST_INDEX: number = STATS_FIELDS.length;

/** Orbits of `ms_stats_t.orbit_peak_ppm` (MS_MAX_ORBITS). */
export const STATS_ORBITS = 16;
/** Index of `orbits_awake` (after the histogram) in a BigUint64Array over the stats block. */
export const STATS_AWAKE_INDEX: number = STATS_FIELDS.length + STATS_HIST_BUCKETS;
/** Index of `output_peak_ppm`. */
export const STATS_OUTPUT_PEAK_INDEX: number = STATS_AWAKE_INDEX + 1;
/** Index of `orbit_peak_ppm[0]`. */
export const STATS_ORBIT_PEAK_INDEX: number = STATS_AWAKE_INDEX + 2;

/**
 * `ms_stats_t`: the counters, the render-time histogram, then the meters
 * (orbits awake, output peak, a peak per orbit), all uint64 (1328 bytes).
 */
export const STATS = {
  size: (STATS_ORBIT_PEAK_INDEX + STATS_ORBITS) * 8,
  fields: {
    ...Object.fromEntries(
      STATS_FIELDS.map((name, i) => [name, { offset: i * 8, type: "u64" as const }]),
    ) as Record<StatsField, FieldLayout>,
    render_ns_hist: { offset: STATS_FIELDS.length * 8, type: "u64", length: STATS_HIST_BUCKETS },
    orbits_awake: { offset: STATS_AWAKE_INDEX * 8, type: "u64" },
    output_peak_ppm: { offset: STATS_OUTPUT_PEAK_INDEX * 8, type: "u64" },
    orbit_peak_ppm: { offset: STATS_ORBIT_PEAK_INDEX * 8, type: "u64", length: STATS_ORBITS },
  },
} as const;

/** Index of each stats counter in a BigUint64Array over the block. */
export const STATS_INDEX: Readonly<Record<StatsField, number>> = Object.fromEntries(
  STATS_FIELDS.map((name, i) => [name, i]),
) as Record<StatsField, number>;

/** Any struct layout above. */
export interface StructLayout {
  readonly size: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

/** Every struct the contract test checks against the header, by C type name. */
export const STRUCTS: Readonly<Record<string, StructLayout>> = {
  ms_audio_config_t: AUDIO_CONFIG,
  ms_sample_info_t: SAMPLE_INFO,
  ms_zone_t: ZONE,
  ms_field_info_t: FIELD_INFO,
  ms_note_params_t: NOTE_PARAMS,
  ms_zone_mod_t: ZONE_MOD,
  ms_event_t: EVENT,
  ms_stats_t: STATS,
  ms_output_config_t: OUTPUT_CONFIG,
  ms_output_info_t: OUTPUT_INFO,
  ms_latency_report_t: LATENCY_REPORT,
  ms_midi_layer_t: MIDI_LAYER,
  ms_midi_cc_map_t: MIDI_CC_MAP,
  ms_midi_channel_t: MIDI_CHANNEL,
  ms_midi_message_t: MIDI_MESSAGE,
  ms_midi_stats_t: MIDI_STATS,
  ms_midi_out_event_t: MIDI_OUT_EVENT,
};

const TWO_32 = 4294967296;

/** Fields of one event record; unused fields are 0. */
export interface EventRecord {
  /** Absolute frame; `-1` encodes MS_FRAME_NOW. */
  frame: number;
  instrument: number;
  type: number;
  note: number;
  velocity: number;
  number: number;
  value: number;
  gainDb: number;
  pan: number;
  tuneCents: number;
  offsetFrames: number;
}

/**
 * An event record: `fields` as given, every other field 0 (for a note's
 * parameters: no gain change, centre pan, no tuning, no start offset).
 */
export function eventRecord(
  fields: Partial<EventRecord> & Pick<EventRecord, "frame" | "type">,
): EventRecord {
  const { frame, type, ...rest } = fields;
  return {
    frame,
    instrument: 0,
    type,
    note: 0,
    velocity: 0,
    number: 0,
    value: 0,
    gainDb: 0,
    pan: 0,
    tuneCents: 0,
    offsetFrames: 0,
    ...rest,
  };
}

/**
 * Write one ms_event_t at `byteOffset` of `view`. A frame of -1 writes
 * MS_FRAME_NOW (UINT64_MAX). Frames are written as two uint32 halves, which
 * is exact for every integer below 2^53.
 */
export function encodeEvent(view: DataView, byteOffset: number, ev: EventRecord): void {
  if (ev.frame < 0) {
    view.setUint32(byteOffset, 0xffffffff, true);
    view.setUint32(byteOffset + 4, 0xffffffff, true);
  } else {
    view.setUint32(byteOffset, ev.frame % TWO_32, true);
    view.setUint32(byteOffset + 4, Math.floor(ev.frame / TWO_32), true);
  }
  view.setUint32(byteOffset + 8, ev.instrument, true);
  view.setUint16(byteOffset + 12, ev.type, true);
  view.setUint8(byteOffset + 14, ev.note);
  view.setUint8(byteOffset + 15, ev.velocity);
  view.setUint32(byteOffset + 16, ev.number, true);
  view.setFloat32(byteOffset + 20, ev.value, true);
  view.setFloat32(byteOffset + 24, ev.gainDb, true);
  view.setFloat32(byteOffset + 28, ev.pan, true);
  view.setFloat32(byteOffset + 32, ev.tuneCents, true);
  view.setUint32(byteOffset + 36, ev.offsetFrames, true);
}

/** Decoded ms_zone_t, field names as in C. */
export type ZoneRecord = { -readonly [K in ZoneMemberName]: number };

/** Read a struct's fields from `bytes` (little-endian) by its layout. */
export function decodeStruct<L extends StructLayout>(
  layout: L,
  bytes: Uint8Array,
): { [K in keyof L["fields"]]: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(layout.fields)) {
    out[name] = readField(view, f);
  }
  return out as { [K in keyof L["fields"]]: number };
}

/** Write a struct's fields into `bytes` by its layout; missing fields are left as they are. */
export function encodeStruct<L extends StructLayout>(
  layout: L,
  bytes: Uint8Array,
  values: Partial<{ [K in keyof L["fields"]]: number }>,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, f] of Object.entries(layout.fields)) {
    const v = (values as Record<string, number | undefined>)[name];
    if (v !== undefined) writeField(view, f, v);
  }
}

/**
 * Encode rows as consecutive records of a layout, each by
 * {@linkcode encodeStruct}; fields not given stay 0.
 *
 * @param values a row's scalar fields, by their C names
 * @param options `count`: records to allocate (default the rows, at least one;
 *   rows beyond it are left out); `arrays`: writes a row's array fields at `at`
 * @returns `count * layout.size` bytes
 */
export function encodeRecords<L extends StructLayout, R>(
  layout: L,
  rows: readonly R[],
  values: (row: R) => Partial<{ [K in keyof L["fields"]]: number }>,
  options: {
    count?: number;
    arrays?: (view: DataView, at: number, row: R) => void;
  } = {},
): Uint8Array<ArrayBuffer> {
  const count = options.count ?? Math.max(1, rows.length);
  const bytes = new Uint8Array(count * layout.size);
  const view = new DataView(bytes.buffer);
  rows.slice(0, count).forEach((row, i) => {
    const at = i * layout.size;
    encodeStruct(layout, bytes.subarray(at, at + layout.size), values(row));
    options.arrays?.(view, at, row);
  });
  return bytes;
}

function readField(view: DataView, f: FieldLayout): number {
  switch (f.type) {
    case "u8":
      return view.getUint8(f.offset);
    case "u16":
      return view.getUint16(f.offset, true);
    case "u32":
      return view.getUint32(f.offset, true);
    case "i32":
      return view.getInt32(f.offset, true);
    case "char":
      return NaN; // strings: use readCString / writeCString
    case "f32":
      return view.getFloat32(f.offset, true);
    case "f64":
      return view.getFloat64(f.offset, true);
    case "u64":
      return view.getUint32(f.offset, true) + view.getUint32(f.offset + 4, true) * TWO_32;
  }
}

function writeField(view: DataView, f: FieldLayout, v: number): void {
  switch (f.type) {
    case "u8":
      return view.setUint8(f.offset, v);
    case "u16":
      return view.setUint16(f.offset, v, true);
    case "u32":
      return view.setUint32(f.offset, v, true);
    case "i32":
      return view.setInt32(f.offset, v, true);
    case "char":
      return; // strings: use writeCString
    case "f32":
      return view.setFloat32(f.offset, v, true);
    case "f64":
      return view.setFloat64(f.offset, v, true);
    case "u64":
      view.setUint32(f.offset, v % TWO_32, true);
      view.setUint32(f.offset + 4, Math.floor(v / TWO_32), true);
  }
}

/**
 * Write `text` as a NUL-terminated UTF-8 string into a `char` field.
 *
 * @throws {RangeError} when it does not fit (with its NUL).
 */
export function writeCString(bytes: Uint8Array, f: FieldLayout, text: string): void {
  const encoded = new TextEncoder().encode(text);
  const cap = f.length ?? 0;
  if (encoded.length + 1 > cap) {
    throw new RangeError(
      `Cannot store "${text}": it is ${encoded.length} bytes, the field holds ${cap - 1}`,
    );
  }
  bytes.fill(0, f.offset, f.offset + cap);
  bytes.set(encoded, f.offset);
}

/** Read a NUL-terminated UTF-8 string from a `char` field. */
export function readCString(bytes: Uint8Array, f: FieldLayout): string {
  const field = bytes.subarray(f.offset, f.offset + (f.length ?? 0));
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}
