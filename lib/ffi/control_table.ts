/**
 * The engine's per-note control table (MS_CONTROLS in midi_sampler.h), one
 * row per control, and the names its enum controls take.
 *
 * Thread: any (data). The rows mirror the header's X-macro: id (MS_CONTROL_*),
 * superdough's primary name, the engine's unit, default, accepted range and
 * flags; lib/ffi/control_table_test.ts compares them with ms_field_info
 * (MS_FIELDS_CONTROL), so a row added in C without its row here fails.
 * Values travel in the engine's unit: callers convert names to numbers with
 * {@linkcode controlValue}.
 *
 * @module
 */

/** What a control row's flags say. */
export type ControlFlag =
  /** A code (ftype, vowel, ...): an integer in min..max. */
  | "enum"
  /** Its presence puts the voice's effect chain to work. */
  | "fx"
  /** A parameter of the note's orbit (delay, reverb), not of the voice. */
  | "orbit";

/** One row of the engine's control table. */
export interface ControlRow {
  /** MS_CONTROL_* id: the row number, also the index into ms_controls_t. */
  readonly id: number;
  /** superdough's primary name. */
  readonly name: string;
  /** The engine's unit. */
  readonly unit: string;
  /** What a note plays when neither zone, instrument nor note sets it. */
  readonly default: number;
  /** Inclusive range. */
  readonly min: number;
  readonly max: number;
  readonly flags: readonly ControlFlag[];
}

/** Every engine control, by id (the header's row order). */
export const CONTROL_ROWS = [
  { id: 0, name: "begin", unit: "fraction", default: 0, min: 0, max: 1, flags: [] },
  { id: 1, name: "end", unit: "fraction", default: 1, min: 0, max: 1, flags: [] },
  { id: 2, name: "loop", unit: "bool", default: 0, min: 0, max: 1, flags: ["enum"] },
  { id: 3, name: "loopBegin", unit: "fraction", default: 0, min: 0, max: 1, flags: [] },
  { id: 4, name: "loopEnd", unit: "fraction", default: 1, min: 0, max: 1, flags: [] },
  { id: 5, name: "speed", unit: "ratio", default: 1, min: -128, max: 128, flags: [] },
  { id: 6, name: "accelerate", unit: "ratio", default: 0, min: -64, max: 64, flags: [] },
  { id: 7, name: "unit", unit: "r c", default: 0, min: 0, max: 1, flags: ["enum"] },
  { id: 8, name: "cps", unit: "Hz", default: 0.5, min: 0.001, max: 1000, flags: [] },
  { id: 9, name: "duration", unit: "s", default: 0, min: 0, max: 3600, flags: [] },
  { id: 10, name: "penv", unit: "semitones", default: 0, min: -96, max: 96, flags: [] },
  { id: 11, name: "pattack", unit: "s", default: 0.2, min: 0, max: 60, flags: [] },
  { id: 12, name: "pdecay", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 13, name: "psustain", unit: "", default: 1, min: 0, max: 1, flags: [] },
  { id: 14, name: "prelease", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 15, name: "panchor", unit: "", default: 0, min: 0, max: 1, flags: [] },
  { id: 16, name: "vib", unit: "Hz", default: 0, min: 0, max: 100, flags: [] },
  { id: 17, name: "vibmod", unit: "semitones", default: 0.5, min: 0, max: 48, flags: [] },
  { id: 18, name: "attack", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 19, name: "decay", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 20, name: "sustain", unit: "", default: 1, min: 0, max: 1, flags: [] },
  { id: 21, name: "release", unit: "s", default: 0.01, min: 0, max: 60, flags: [] },
  { id: 22, name: "hold", unit: "s", default: 0, min: 0, max: 60, flags: [] },
  { id: 23, name: "cutoff", unit: "Hz", default: 20000, min: 5, max: 24000, flags: ["fx"] },
  { id: 24, name: "resonance", unit: "dB", default: 1, min: 0, max: 50, flags: [] },
  { id: 25, name: "hcutoff", unit: "Hz", default: 20, min: 5, max: 24000, flags: ["fx"] },
  { id: 26, name: "hresonance", unit: "dB", default: 1, min: 0, max: 50, flags: [] },
  { id: 27, name: "bandf", unit: "Hz", default: 1000, min: 5, max: 24000, flags: ["fx"] },
  { id: 28, name: "bandq", unit: "Q", default: 1, min: 0.05, max: 1000, flags: [] },
  { id: 29, name: "ftype", unit: "12 ladder 24", default: 0, min: 0, max: 2, flags: ["enum"] },
  { id: 30, name: "fanchor", unit: "", default: 0, min: 0, max: 1, flags: [] },
  { id: 31, name: "lpattack", unit: "s", default: 0.005, min: 0, max: 60, flags: [] },
  { id: 32, name: "lpdecay", unit: "s", default: 0.14, min: 0, max: 60, flags: [] },
  { id: 33, name: "lpsustain", unit: "", default: 0, min: 0, max: 1, flags: [] },
  { id: 34, name: "lprelease", unit: "s", default: 0.1, min: 0, max: 60, flags: [] },
  { id: 35, name: "lpenv", unit: "octaves", default: 0, min: -10, max: 10, flags: [] },
  { id: 36, name: "hpattack", unit: "s", default: 0.005, min: 0, max: 60, flags: [] },
  { id: 37, name: "hpdecay", unit: "s", default: 0.14, min: 0, max: 60, flags: [] },
  { id: 38, name: "hpsustain", unit: "", default: 0, min: 0, max: 1, flags: [] },
  { id: 39, name: "hprelease", unit: "s", default: 0.1, min: 0, max: 60, flags: [] },
  { id: 40, name: "hpenv", unit: "octaves", default: 0, min: -10, max: 10, flags: [] },
  { id: 41, name: "bpattack", unit: "s", default: 0.005, min: 0, max: 60, flags: [] },
  { id: 42, name: "bpdecay", unit: "s", default: 0.14, min: 0, max: 60, flags: [] },
  { id: 43, name: "bpsustain", unit: "", default: 0, min: 0, max: 1, flags: [] },
  { id: 44, name: "bprelease", unit: "s", default: 0.1, min: 0, max: 60, flags: [] },
  { id: 45, name: "bpenv", unit: "octaves", default: 0, min: -10, max: 10, flags: [] },
  { id: 46, name: "djf", unit: "", default: 0.5, min: 0, max: 1, flags: ["fx"] },
  { id: 47, name: "vowel", unit: "vowel", default: 0, min: 0, max: 14, flags: ["enum", "fx"] },
  { id: 48, name: "coarse", unit: "frames", default: 1, min: 1, max: 1024, flags: ["fx"] },
  { id: 49, name: "crush", unit: "bits", default: 16, min: 1, max: 24, flags: ["fx"] },
  { id: 50, name: "shape", unit: "", default: 0, min: 0, max: 0.999, flags: ["fx"] },
  { id: 51, name: "shapevol", unit: "gain", default: 1, min: 0.001, max: 1, flags: [] },
  { id: 52, name: "distort", unit: "", default: 0, min: 0, max: 20, flags: ["fx"] },
  { id: 53, name: "distortvol", unit: "gain", default: 1, min: 0.001, max: 1, flags: [] },
  { id: 54, name: "tremolo", unit: "Hz", default: 1, min: 0, max: 100, flags: ["fx"] },
  { id: 55, name: "tremolodepth", unit: "", default: 0.5, min: 0, max: 1, flags: [] },
  { id: 56, name: "tremoloshape", unit: "LFO shape", default: 0, min: 0, max: 4, flags: ["enum"] },
  { id: 57, name: "phaserrate", unit: "Hz", default: 1, min: 0, max: 100, flags: ["fx"] },
  { id: 58, name: "phaserdepth", unit: "", default: 0.75, min: 0, max: 1, flags: [] },
  { id: 59, name: "phasercenter", unit: "Hz", default: 1000, min: 20, max: 20000, flags: [] },
  { id: 60, name: "phasersweep", unit: "cents", default: 2000, min: 0, max: 4800, flags: [] },
  { id: 61, name: "ring", unit: "", default: 0, min: 0, max: 10, flags: ["fx"] },
  { id: 62, name: "ringf", unit: "Hz", default: 0, min: 0, max: 20000, flags: [] },
  { id: 63, name: "postgain", unit: "gain", default: 1, min: 0, max: 10, flags: ["fx"] },
  { id: 64, name: "velocity", unit: "gain", default: 1, min: 0, max: 1, flags: [] },
  { id: 65, name: "orbit", unit: "orbit", default: 0, min: 0, max: 15, flags: [] },
  { id: 66, name: "room", unit: "gain", default: 0, min: 0, max: 1, flags: [] },
  { id: 67, name: "delay", unit: "gain", default: 0, min: 0, max: 1, flags: [] },
  { id: 68, name: "dry", unit: "", default: 0, min: 0, max: 1, flags: ["orbit"] },
  { id: 69, name: "delaytime", unit: "s", default: 0.25, min: 0, max: 10, flags: ["orbit"] },
  { id: 70, name: "delayfeedback", unit: "", default: 0.5, min: 0, max: 0.98, flags: ["orbit"] },
  { id: 71, name: "delaysync", unit: "cycles", default: 0, min: 0, max: 16, flags: ["orbit"] },
  { id: 72, name: "lock", unit: "bool", default: 0, min: 0, max: 1, flags: ["enum", "orbit"] },
  { id: 73, name: "roomsize", unit: "size", default: 2, min: 0, max: 10, flags: ["orbit"] },
  { id: 74, name: "roomlp", unit: "Hz", default: 15000, min: 20, max: 20000, flags: ["orbit"] },
  { id: 75, name: "roomdim", unit: "Hz", default: 1000, min: 20, max: 20000, flags: ["orbit"] },
  { id: 76, name: "roomfade", unit: "s", default: 0.1, min: 0, max: 10, flags: ["orbit"] },
  { id: 77, name: "freq", unit: "Hz", default: 440, min: 1, max: 20000, flags: [] },
  { id: 78, name: "fmi", unit: "index", default: 0, min: 0, max: 100, flags: [] },
  { id: 79, name: "fmh", unit: "ratio", default: 1, min: 0, max: 64, flags: [] },
  { id: 80, name: "fmenv", unit: "lin exp", default: 1, min: 0, max: 1, flags: ["enum"] },
  { id: 81, name: "fmattack", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 82, name: "fmdecay", unit: "s", default: 0.001, min: 0, max: 60, flags: [] },
  { id: 83, name: "fmsustain", unit: "", default: 1, min: 0, max: 1, flags: [] },
  { id: 84, name: "fmrelease", unit: "s", default: 0.01, min: 0, max: 60, flags: [] },
  { id: 85, name: "fmwave", unit: "waveform", default: 0, min: 0, max: 3, flags: ["enum"] },
  { id: 86, name: "unison", unit: "voices", default: 5, min: 1, max: 16, flags: [] },
  { id: 87, name: "detune", unit: "semitones", default: 0.18, min: 0, max: 24, flags: [] },
  { id: 88, name: "spread", unit: "", default: 0.6, min: 0, max: 1, flags: [] },
] as const satisfies readonly ControlRow[];

/** The name of an engine control. */
export type ControlName = (typeof CONTROL_ROWS)[number]["name"];

/** Engine controls by name. */
export const CONTROL_BY_NAME: ReadonlyMap<string, ControlRow> = new Map(
  CONTROL_ROWS.map((r): [string, ControlRow] => [r.name, r]),
);

/** Capacity of ms_controls_t (MS_CONTROL_CAPACITY): ids 0..127. */
export const CONTROL_CAPACITY = 128;
/** MS_PARAM_CONTROL: instrument parameter number of control id 0 (+ id). */
export const PARAM_CONTROL = 256;
/** MS_PARAM_CONTROL_CLEAR: removes the instrument's value of control id (+ id). */
export const PARAM_CONTROL_CLEAR = 512;

/** The engine's vowel indices (rt_fx_vowel.c's order). */
export const VOWELS = [
  "a",
  "e",
  "i",
  "o",
  "u",
  "ae",
  "aa",
  "oe",
  "ue",
  "y",
  "uh",
  "un",
  "en",
  "an",
  "on",
] as const;
/** superdough's IPA spellings of the vowels. */
export const VOWEL_ALIASES: Readonly<Record<string, string>> = {
  "æ": "ae",
  "ø": "oe",
  "ɑ": "aa",
  "å": "aa",
  "ö": "oe",
  "ü": "ue",
  "ı": "y",
};
/** Filter types by number (superdough's): the engine plays "ladder" as its 24 dB filter. */
export const FTYPES = ["12db", "ladder", "24db"] as const;
/** Tremolo waveforms by number (RT_FX_LFO_*). */
export const TREMOLO_SHAPES = ["sine", "tri", "square", "saw", "ramp"] as const;
/** `unit` values by number: rate, cycles. */
export const UNITS = ["r", "c"] as const;
/** `fmenv` values by number. */
export const FM_ENVS = ["lin", "exp"] as const;
/** `fmwave` values by number (the FM modulator's waveform). */
export const FM_WAVES = ["sine", "sawtooth", "square", "triangle"] as const;

/** Names an enum control takes, by control. */
export const CONTROL_NAMES: Readonly<Record<string, readonly string[]>> = {
  vowel: VOWELS,
  ftype: FTYPES,
  tremoloshape: TREMOLO_SHAPES,
  unit: UNITS,
  fmenv: FM_ENVS,
  fmwave: FM_WAVES,
};

/**
 * A control's value in the engine's unit: numbers as they are (a numeric
 * string too), names of enum controls as their index (ftype "24db" is 2, vowel
 * "o" is 3).
 *
 * @param name An engine control name.
 * @param value A number or, for vowel, ftype, tremoloshape and unit, a name.
 * @returns The number, or a message saying what is accepted.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlValue } from "./control_table.ts";
 * assert(controlValue("ftype", "24db") === 2 && controlValue("vowel", "æ") === 5);
 * assert(controlValue("cutoff", "800") === 800);
 * ```
 */
export function controlValue(name: string, value: unknown): number | string {
  const names = CONTROL_NAMES[name];
  if (typeof value === "string") {
    const t = value.trim();
    if (t !== "" && Number.isFinite(Number(t))) return controlValue(name, Number(t));
    if (names) {
      const key = VOWEL_ALIASES[t] ?? t.toLowerCase();
      const i = names.indexOf(key);
      if (i >= 0) return i;
      return `${name} "${value}" is not one of ${names.join(" ")}`;
    }
    return `${name} must be a number, got "${value}"`;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return `${name} must be a finite number, got "${String(value)}"`;
  }
  return value;
}

/**
 * Check a value against its row: the message names the control and its range.
 *
 * @param row The control's row.
 * @param value A number in the engine's unit.
 * @returns undefined when accepted (an integer for enum rows), else the message.
 */
export function controlRangeError(row: ControlRow, value: number): string | undefined {
  const unit = row.unit && !row.flags.includes("enum") ? ` ${row.unit}` : "";
  if (!(value >= row.min && value <= row.max)) {
    return `${row.name} ${value} is outside ${row.min}..${row.max}${unit}`;
  }
  if (row.flags.includes("enum") && !Number.isInteger(value)) {
    return `${row.name} ${value} is not an integer ${row.min}..${row.max}`;
  }
  return undefined;
}

/**
 * Fill an ms_controls_t block (528 bytes: 4 presence words, 128 floats) from
 * values by id.
 *
 * @param values [id, value] pairs in the engine's unit.
 * @param out The block to fill; zeroed first. @default a new one
 * @returns The block.
 */
export function controlsBlock(
  values: Iterable<readonly [number, number]>,
  out: Uint8Array<ArrayBuffer> = new Uint8Array(CONTROLS_BLOCK_SIZE),
): Uint8Array<ArrayBuffer> {
  out.fill(0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const [id, v] of values) {
    const word = id >> 5;
    dv.setUint32(word * 4, (dv.getUint32(word * 4, true) | (1 << (id & 31))) >>> 0, true);
    dv.setFloat32(16 + id * 4, v, true);
  }
  return out;
}

/** sizeof(ms_controls_t). */
export const CONTROLS_BLOCK_SIZE = 528;
