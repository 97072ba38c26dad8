/**
 * MIDI note names: "C4" is 60 (so "C-1" is 0 and "G9" is 127), with "#" or
 * "b" for sharps and flats, letters in either case ("c#3", "Eb2", "bb1").
 *
 * Pure functions; run on whatever thread calls them (the control thread).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

const LETTER_SEMITONES: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
const NOTE_NAME = /^([a-gA-G])([#b\u266F\u266D]?)(-?\d{1,2})$/;

/**
 * Turn a note name into its MIDI number, without a range check.
 *
 * @param name a name like "C4", "c#3", "Eb2" or "C-1"
 * @returns the MIDI note number (may lie outside 0..127, e.g. "C10" is 132), or
 *   undefined when the text is not a note name
 * @example
 * ```ts
 * import { noteNumber } from "./notes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(noteNumber("C4"), 60);
 * assert.equal(noteNumber("c#3"), 49);
 * assert.equal(noteNumber("Eb2"), 39);
 * assert.equal(noteNumber("H2"), undefined);
 * ```
 */
export function noteNumber(name: string): number | undefined {
  const m = NOTE_NAME.exec(name.trim());
  if (!m) return undefined;
  const [, letter, accidental, octave] = m;
  const base = LETTER_SEMITONES[letter!.toLowerCase()]!;
  const shift = accidental === "#" || accidental === "\u266F"
    ? 1
    : accidental === "b" || accidental === "\u266D"
    ? -1
    : 0;
  return (Number(octave) + 1) * 12 + base + shift;
}

/**
 * The name of a MIDI note, with sharps ("C4" for 60, "F#2" for 42).
 *
 * @param note a MIDI note number, 0..127
 * @returns its name
 * @example
 * ```ts
 * import { noteName } from "./notes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(noteName(61), "C#4");
 * ```
 */
export function noteName(note: number): string {
  const names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
  return `${names[((note % 12) + 12) % 12]}${Math.floor(note / 12) - 1}`;
}
