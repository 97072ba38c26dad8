/**
 * From a pattern event's controls to what the engine plays: which
 * instrument and key, and the per-note parameters.
 *
 * Thread: CT. Pure: no engine, no I/O. The list of supported controls is
 * {@linkcode CONTROLS} (docs/live-coding.md prints it); anything else in an event is
 * ignored and reported once per name by the session.
 *
 * @module
 */
import { BadValue } from "./bad_value.ts";
import { noteNameToMidi } from "./scales.ts";

/** Where a sound name plays: an instrument, and for drums the key(s). */
export interface SoundMapping {
  /** Instrument name: `instruments/<name>.ts`. */
  instrument: string;
  /**
   * Keys for `n` = 0, 1, 2, ... (`s("hh:1")` or `s("hh").n(1)` picks the
   * second, wrapping). Absent for pitched sounds: they play `note`.
   */
  keys?: readonly number[];
  /** Key a pitched sound plays without `note` or `n`. @default 60 */
  defaultNote?: number;
}

/**
 * The shipped sound names: the drum kit's keys (General MIDI numbering) and
 * the pitched instruments. A set adds or overrides names with `set.sound()`.
 */
export const DEFAULT_SOUNDS: Readonly<Record<string, SoundMapping>> = {
  bd: { instrument: "drums", keys: [36] },
  kick: { instrument: "drums", keys: [36] },
  sd: { instrument: "drums", keys: [38] },
  snare: { instrument: "drums", keys: [38] },
  cp: { instrument: "drums", keys: [39] },
  clap: { instrument: "drums", keys: [39] },
  hh: { instrument: "drums", keys: [42, 44, 46] },
  ch: { instrument: "drums", keys: [42] },
  ph: { instrument: "drums", keys: [44] },
  oh: { instrument: "drums", keys: [46] },
  drums: { instrument: "drums", keys: [36, 38, 39, 42, 44, 46] },
  epiano: { instrument: "epiano", defaultNote: 60 },
  piano: { instrument: "epiano", defaultNote: 60 },
  bass: { instrument: "bass", defaultNote: 36 },
};

/** The controls this runtime plays, and how (printed in docs/live-coding.md). */
export const CONTROLS: Readonly<Record<string, string>> = {
  s: 'sound name: selects the instrument (and for drums the key); "name:i" sets n',
  sound: "same as s",
  n: "drums: index into the sound's keys (wrapping); pitched: the MIDI note when there is no `note`; with .scale(): a degree",
  note: 'pitch: MIDI number or name ("c3" = 48, c4 = 60); a fraction detunes in cents',
  gain:
    "amplitude factor (1 = as is): becomes the note's gain in dB, 20·log10(gain); 0 skips the note",
  velocity:
    "0..1, the MIDI velocity ×127 (default 100/127): selects velocity layers and scales loudness by the zone's velocity tracking",
  pan: "0 (left) .. 0.5 (centre) .. 1 (right): added to the zone's pan",
  speed:
    "playback rate > 0 (2 = an octave up): a detune of 1200·log2(speed) cents, ±2400; negative (reverse) is not supported",
  begin: "0..1: start this far into the sample (the zone the note plays)",
  legato: "note length as a fraction of the event's length (default 1); `clip` is the same",
  clip: "same as legato",
  cut: "cut group: a note releases the previous note of the same group (one-shot zones play on)",
  orbit: "accepted and ignored: everything plays on one stereo mix",
};

/** What one event asks the engine to play. */
export interface NoteRequest {
  /** The sound name as written (without ":n"). */
  sound: string;
  /** The instrument it resolves to. */
  instrument: string;
  /** MIDI key 0..127. */
  note: number;
  /** MIDI velocity 1..127. */
  velocity: number;
  gainDb: number;
  /** -1..1 added to the zone's pan. */
  pan: number;
  tuneCents: number;
  /** Fraction 0..1 of the sample to skip. */
  begin: number;
  /** Fraction of the event's length the note is held. */
  legato: number;
  /** Cut group, if any. */
  cut?: number;
}

/** Controls a NoteRequest takes into account (others are reported as ignored). */
export const KNOWN_CONTROLS: ReadonlySet<string> = new Set(Object.keys(CONTROLS));

const num = (v: unknown): number | undefined => {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/**
 * Resolve one event's controls.
 *
 * @param value The event's controls (e.g. `{ s: "hh", n: 1, gain: 0.5 }`).
 * @param sounds Sound names to mappings.
 * @param defaultSound Sound of events that name none (a bare `note(...)`). @default "epiano"
 * @returns The note to play, `null` for a silent event (gain 0), or an error text: the
 *   event is dropped then (a supported control that is NaN or a {@linkcode BadValue}
 *   drops it too, with the reason).
 * @example
 * ```ts
 * import { DEFAULT_SOUNDS, resolveControls } from "./controls.ts";
 * const r = resolveControls({ s: "hh", n: 2, gain: 0.5, pan: 1 }, DEFAULT_SOUNDS);
 * console.assert(typeof r === "object" && r !== null && r.note === 46 && r.pan === 1);
 * ```
 */
export function resolveControls(
  value: Record<string, unknown>,
  sounds: Readonly<Record<string, SoundMapping>>,
  defaultSound = "epiano",
): NoteRequest | null | string {
  for (const key of KNOWN_CONTROLS) {
    const v = value[key];
    if (v instanceof BadValue) return v.reason;
    if (typeof v === "number" && Number.isNaN(v)) return `${key} is NaN`;
  }
  let sound = value.s ?? value.sound ?? defaultSound;
  let index = num(value.n);
  if (typeof sound === "string" && sound.includes(":")) {
    const [name, i] = sound.split(":");
    sound = name!;
    if (index === undefined && num(i) !== undefined) index = num(i);
  }
  if (typeof sound !== "string") return `sound must be a name, got "${JSON.stringify(sound)}"`;
  const map = sounds[sound];
  if (!map) return `no sound "${sound}": use one of ${Object.keys(sounds).join(", ")}`;

  let key: number;
  let cents = 0;
  if (map.keys && map.keys.length) {
    const i = Math.floor(index ?? 0);
    key = map.keys[((i % map.keys.length) + map.keys.length) % map.keys.length]!;
    if (value.note !== undefined) {
      const nv = noteValue(value.note);
      if (typeof nv === "string") return nv;
      key = nv;
    }
  } else {
    const nv = value.note !== undefined ? noteValue(value.note) : index ?? map.defaultNote ?? 60;
    if (typeof nv === "string") return nv;
    key = nv;
  }
  const whole = Math.round(key);
  cents = (key - whole) * 100;
  key = whole;
  if (key < 0 || key > 127) return `note ${key} is outside 0..127`;

  const gain = num(value.gain) ?? 1;
  if (!(gain > 0)) return null;
  const gainDb = Math.max(-144, Math.min(24, 20 * Math.log10(gain)));
  const vel = num(value.velocity);
  const velocity = vel === undefined ? 100 : Math.max(1, Math.min(127, Math.round(vel * 127)));
  const panRaw = num(value.pan);
  const pan = panRaw === undefined ? 0 : Math.max(-1, Math.min(1, panRaw * 2 - 1));
  const speed = num(value.speed);
  if (speed !== undefined) {
    if (!(speed > 0)) return `speed must be > 0 (reverse is not supported), got "${speed}"`;
    cents += 1200 * Math.log2(speed);
  }
  const tuneCents = Math.max(-2400, Math.min(2400, cents));
  const begin = Math.max(0, Math.min(1, num(value.begin) ?? 0));
  const legato = Math.max(0, num(value.legato) ?? num(value.clip) ?? 1);
  const req: NoteRequest = {
    sound,
    instrument: map.instrument,
    note: key,
    velocity,
    gainDb,
    pan,
    tuneCents,
    begin,
    legato,
  };
  const cut = num(value.cut);
  if (cut !== undefined) req.cut = cut;
  return req;
}

function noteValue(v: unknown): number | string {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const asNum = num(v);
    if (asNum !== undefined) return asNum;
    try {
      return noteNameToMidi(v);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return `note must be a number or a name, got "${JSON.stringify(v)}"`;
}
