/**
 * Scales for `.scale("C:major")`: scale degrees (`n`) to MIDI notes.
 *
 * Thread: CT. Pure. Strudel's own `scale` lives in @strudel/tonal, which does
 * not load in Deno (a dependency's package has no usable entry point), so
 * this is a small table of the usual scales, registered on Strudel's
 * patterns by lib/pattern/pattern.ts. There, a scale name or degree that is
 * wrong gives that one event a {@linkcode BadValue} ({@linkcode scaleNote}),
 * instead of throwing out of the query of the whole pattern.
 *
 * @module
 */
import { BadValue } from "./bad_value.ts";

/** Semitone steps of each scale from its root. */
export const SCALES: Readonly<Record<string, readonly number[]>> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  ionian: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
  aeolian: [0, 2, 3, 5, 7, 8, 10],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  phrygian: [0, 1, 3, 5, 7, 8, 10],
  lydian: [0, 2, 4, 6, 7, 9, 11],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
  locrian: [0, 1, 3, 5, 6, 8, 10],
  "harmonic minor": [0, 2, 3, 5, 7, 8, 11],
  "melodic minor": [0, 2, 3, 5, 7, 9, 11],
  "major pentatonic": [0, 2, 4, 7, 9],
  pentatonic: [0, 2, 4, 7, 9],
  "minor pentatonic": [0, 3, 5, 7, 10],
  blues: [0, 3, 5, 6, 7, 10],
  "whole tone": [0, 2, 4, 6, 8, 10],
  chromatic: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

const PITCH: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/**
 * MIDI note of a note name ("c3", "eb4", "f#2"; c4 = 60, as in Strudel).
 *
 * @param name Letter, accidentals (# s b f), optional octave (default 3).
 * @returns MIDI note (may be outside 0..127).
 * @throws {RangeError} for something that is not a note name.
 * @example
 * ```ts
 * import { noteNameToMidi } from "./scales.ts";
 * console.assert(noteNameToMidi("c4") === 60 && noteNameToMidi("eb3") === 51);
 * ```
 */
export function noteNameToMidi(name: string): number {
  const m = /^([a-gA-G])([#sbf]*)(-?\d+)?$/.exec(name.trim());
  if (!m) throw new RangeError(`Cannot read note "${name}": use a name like "c3", "eb4" or "f#2"`);
  let acc = 0;
  for (const c of m[2]!) acc += c === "#" || c === "s" ? 1 : -1;
  const octave = m[3] === undefined ? 3 : Number(m[3]);
  return (octave + 1) * 12 + PITCH[m[1]!.toLowerCase()]! + acc;
}

/**
 * The MIDI note of a scale degree.
 *
 * @param scale "Root:name" or "Root:name words", e.g. "C:major", "D4:minor:pentatonic".
 * @param degree Degree from 0 (may be negative or fractional: the fraction adds semitones).
 * @returns MIDI note.
 * @throws {RangeError} for an unknown scale or root.
 * @example
 * ```ts
 * import { scaleDegree } from "./scales.ts";
 * console.assert(scaleDegree("C:major", 0) === 48 && scaleDegree("C:major", 7) === 60);
 * console.assert(scaleDegree("A2:minor:pentatonic", 1) === 48);
 * ```
 */
export function scaleDegree(scale: string, degree: number): number {
  const [root = "", ...rest] = String(scale).split(/[: ]/);
  const name = rest.join(" ").toLowerCase() || "major";
  const steps = SCALES[name];
  if (!steps) {
    throw new RangeError(
      `Cannot use scale "${scale}": no scale "${name}", use one of ${
        Object.keys(SCALES).join(", ")
      }`,
    );
  }
  const tonic = noteNameToMidi(root);
  const whole = Math.floor(degree);
  const len = steps.length;
  const octave = Math.floor(whole / len);
  const step = steps[((whole % len) + len) % len]!;
  return tonic + 12 * octave + step + (degree - whole);
}

/**
 * The MIDI note of a scale degree, or a {@linkcode BadValue} saying why there
 * is none: what one event of `.scale(name)` gets. Never throws.
 *
 * @param scale As for {@linkcode scaleDegree}.
 * @param degree A number, a numeric text, or anything else (a BadValue, NaN: no note).
 * @returns MIDI note, or a BadValue for an unknown scale or root or a degree that is not a number.
 * @example
 * ```ts
 * import { scaleNote } from "./scales.ts";
 * import { BadValue } from "./bad_value.ts";
 * console.assert(scaleNote("C:major", "2") === 52 && scaleNote("C:nope", 0) instanceof BadValue);
 * ```
 */
export function scaleNote(scale: string, degree: unknown): number | BadValue {
  if (degree instanceof BadValue) return degree;
  const d = typeof degree === "string" && degree.trim() !== "" ? Number(degree) : degree;
  if (typeof d !== "number" || Number.isNaN(d)) {
    return new BadValue(
      `Cannot use scale "${scale}": degree "${String(degree)}" is not a number`,
    );
  }
  try {
    return scaleDegree(scale, d);
  } catch (err) {
    return new BadValue((err as Error).message);
  }
}
