/**
 * Byte layouts of the C structs that cross the FFI boundary, mirrored from
 * `engine/include/midi_sampler.h`, plus the encoders that fill them.
 *
 * Thread: CT (Deno's JavaScript thread). Pure data: no FFI calls here.
 * tests/ffi_contract_test.ts parses the header and compares every offset.
 *
 * @module
 */

/** Status codes (`MS_OK`, `MS_ERR_*`) of the header. Codes are only ever appended. */
export const STATUS = {
  OK: 0,
  INVALID_ARGUMENT: -1,
  OUT_OF_RANGE: -2,
  NO_MEMORY: -3,
  FILE_NOT_FOUND: -4,
  FILE_FORMAT: -5,
  RING_FULL: -6,
  WRONG_SAMPLER: -7,
  NO_SAMPLE: -8,
  LIMIT: -9,
  STATE: -10,
  RT_PRIORITY: -11,
  MEMLOCK: -12,
  IO: -13,
  UNSUPPORTED: -14,
  DEVICE: -15,
  DEVICE_BUSY: -16,
  NO_SERVER: -17,
} as const;

/** `MS_INTERP_*`. */
export const INTERP = { DEFAULT: 0, LINEAR: 1, CUBIC: 2 } as const;

/** `MS_LOOP_*`. */
export const LOOP = { AUTO: 0, NONE: 1, ONE_SHOT: 2, FORWARD: 3, SUSTAIN: 4 } as const;

/** `MS_ALT_*`. */
export const ALT = { ROUND_ROBIN: 0, RANDOM: 1 } as const;

/** `MS_PARAM_*`. */
/** `MS_TRIGGER_*`: when a zone plays. */
export const TRIGGER = { ATTACK: 0, RELEASE: 1 } as const;
/** `MS_OFF_*`: how a choked voice stops, and the special `off_by` values. */
export const OFF = { FAST: 0, NORMAL: 1, BY_OWN: 0, BY_NONE: 4294967295 } as const;
/** `MS_FILTER_*`: the per-voice filter. */
export const FILTER = { NONE: 0, LOWPASS: 1, HIGHPASS: 2, BANDPASS: 3 } as const;
/** `MS_NO_KEYSWITCH`: a zone that plays whatever the last keyswitch. */
export const NO_KEYSWITCH = 255;

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
} as const;

/** A field of a C struct: byte offset and C type. */
export interface FieldLayout {
  readonly offset: number;
  readonly type: "u8" | "u16" | "u32" | "i32" | "u64" | "f32" | "char";
  /** Array length: `char` string buffers, and the uint64 histogram of `ms_stats_t`. */
  readonly length?: number;
}

/** `ms_audio_config_t`, 32 bytes. */
export const AUDIO_CONFIG = {
  size: 32,
  fields: {
    sample_rate: { offset: 0, type: "u32" },
    channels: { offset: 4, type: "u32" },
    max_polyphony: { offset: 8, type: "u32" },
    buffer_size: { offset: 12, type: "u32" },
    ring_capacity: { offset: 16, type: "u32" },
    max_instruments: { offset: 20, type: "u32" },
    interpolation: { offset: 24, type: "u32" },
    seed: { offset: 28, type: "u32" },
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

/** `ms_zone_t`, 64 bytes. */
export const ZONE = {
  size: 136,
  fields: {
    lo_key: { offset: 0, type: "u8" },
    hi_key: { offset: 1, type: "u8" },
    lo_vel: { offset: 2, type: "u8" },
    hi_vel: { offset: 3, type: "u8" },
    root_key: { offset: 4, type: "u8" },
    loop_mode: { offset: 5, type: "u8" },
    alt_mode: { offset: 6, type: "u8" },
    reserved0: { offset: 7, type: "u8" },
    alt_group: { offset: 8, type: "u32" },
    exclusive_group: { offset: 12, type: "u32" },
    tune_cents: { offset: 16, type: "f32" },
    gain_db: { offset: 20, type: "f32" },
    pan: { offset: 24, type: "f32" },
    velocity_track: { offset: 28, type: "f32" },
    loop_start_frames: { offset: 32, type: "u32" },
    loop_end_frames: { offset: 36, type: "u32" },
    attack_s: { offset: 40, type: "f32" },
    hold_s: { offset: 44, type: "f32" },
    decay_s: { offset: 48, type: "f32" },
    sustain: { offset: 52, type: "f32" },
    release_s: { offset: 56, type: "f32" },
    offset_frames: { offset: 60, type: "u32" },
    trigger: { offset: 64, type: "u8" },
    off_mode: { offset: 65, type: "u8" },
    lo_chan: { offset: 66, type: "u8" },
    hi_chan: { offset: 67, type: "u8" },
    sw_last: { offset: 68, type: "u8" },
    sw_lo: { offset: 69, type: "u8" },
    sw_hi: { offset: 70, type: "u8" },
    filter_type: { offset: 71, type: "u8" },
    off_by: { offset: 72, type: "u32" },
    pitch_keytrack: { offset: 76, type: "f32" },
    lo_rand: { offset: 80, type: "f32" },
    hi_rand: { offset: 84, type: "f32" },
    cutoff_hz: { offset: 88, type: "f32" },
    resonance_db: { offset: 92, type: "f32" },
    fil_veltrack_cents: { offset: 96, type: "f32" },
    fil_keytrack_cents: { offset: 100, type: "f32" },
    fileg_depth_cents: { offset: 104, type: "f32" },
    fileg_attack_s: { offset: 108, type: "f32" },
    fileg_decay_s: { offset: 112, type: "f32" },
    fileg_sustain: { offset: 116, type: "f32" },
    fileg_release_s: { offset: 120, type: "f32" },
    fil_keycenter: { offset: 124, type: "u8" },
    cutoff_cc: { offset: 125, type: "u8" },
    cutoff_cc_cents: { offset: 128, type: "f32" },
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

/** `ms_stats_t`: the counters, then the render-time histogram, all uint64 (1184 bytes). */
export const STATS = {
  size: (STATS_FIELDS.length + STATS_HIST_BUCKETS) * 8,
  fields: {
    ...Object.fromEntries(
      STATS_FIELDS.map((name, i) => [name, { offset: i * 8, type: "u64" as const }]),
    ) as Record<StatsField, FieldLayout>,
    render_ns_hist: { offset: STATS_FIELDS.length * 8, type: "u64", length: STATS_HIST_BUCKETS },
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
  ms_note_params_t: NOTE_PARAMS,
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
export type ZoneRecord = { -readonly [K in keyof typeof ZONE.fields]: number };

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
