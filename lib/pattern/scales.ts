/**
 * Scales as Strudel names them: `.scale("C:minor")`, `"C minor"`,
 * `"D3 hirajoshi"`, `"C:<major minor>"`, through `@strudel/tonal`.
 *
 * Thread: CT. Pure. Strudel's tonal `scale` logs and silences an event it
 * cannot place, and throws out of the whole query for a bad name on a
 * `note` it quantizes. Here a scale name or degree that is wrong gives that
 * one event a {@linkcode BadValue} instead (the session drops it with one
 * warning per cause), and every other event goes through tonal's own `scale`
 * unchanged: note names (`"Eb3"`), the scale kept in the event's context
 * for `scaleTranspose`. lib/pattern/pattern.ts registers
 * {@linkcode safeScale} as the patterns' `scale`.
 *
 * @module
 */
import { BadValue } from "./bad_value.ts";
import { strudel, strudelTonal } from "./strudel.ts";

// deno-lint-ignore no-explicit-any
type Untyped = any;

const PITCH: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/**
 * MIDI note of a note name ("c3", "eb4", "f#2"; c4 = 60, as in Strudel).
 *
 * @param name Letter, accidentals (# s b f), optional octave (default 3).
 * @returns MIDI note (may be outside 0..127).
 * @throws {RangeError} for something that is not a note name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noteNameToMidi } from "./scales.ts";
 * assert(noteNameToMidi("c4") === 60 && noteNameToMidi("eb3") === 51);
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

/** A few of Strudel's scale names, for messages (tonal knows about 90). */
const SOME_SCALES = [
  "major",
  "minor",
  "dorian",
  "phrygian",
  "lydian",
  "mixolydian",
  "locrian",
  "harmonic minor",
  "melodic minor",
  "major pentatonic",
  "minor pentatonic",
  "blues",
  "whole tone",
  "chromatic",
  "hirajoshi",
  "ritusen",
  "bebop major",
];

/** Scale name as tonal reads it: mini-notation gives "C:major" as ["C", "major"]. */
function scaleKey(scale: unknown): string {
  return Array.isArray(scale) ? scale.flat().join(" ") : String(scale);
}

/** Scale name as written: ["C", "major"] back to "C:major". */
function shownName(scale: unknown): string {
  return Array.isArray(scale) ? scale.flat().join(":") : String(scale);
}

const problems = new Map<string, string | undefined>();

/**
 * Why `scale` is not a scale Strudel knows, or undefined when it is one.
 * Asks tonal itself (its own scale on one degree), once per name.
 *
 * @param scale A scale name: "C:major", "C minor", "D3 hirajoshi", or mini-notation's ["C", "major"].
 * @returns The reason, starting `Cannot use scale "<name>": `, or undefined.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleProblem } from "./scales.ts";
 * assert(scaleProblem("D3 hirajoshi") === undefined);
 * assert(scaleProblem("C:nope")!.startsWith('Cannot use scale "C:nope": no scale "nope"'));
 * ```
 */
export function scaleProblem(scale: unknown): string | undefined {
  const key = scaleKey(scale);
  if (problems.has(key)) return problems.get(key);
  const shown = shownName(scale);
  let problem: string | undefined;
  const log = console.log;
  console.log = () => {}; // tonal logs the failure (once a second): the BadValue says it
  try {
    const haps = strudelTonal.scale(strudel.pure(key), strudel.pure(0)).queryArc(0, 1);
    if (!haps.length) {
      const words = key.trim().split(/[\s:]+/);
      const name = strudel.isNote(words[0]) ? words.slice(1).join(" ") : words.join(" ");
      problem = !name || !strudel.isNote(words[0])
        ? `Cannot use scale "${shown}": give a root and a name, e.g. "C:major" or "D3 hirajoshi"`
        : `Cannot use scale "${shown}": no scale "${name}", use one of Strudel's scale names (${
          SOME_SCALES.join(", ")
        }, ...)`;
    }
  } finally {
    console.log = log;
  }
  problems.set(key, problem);
  return problem;
}

/** The degree (or note) of a value tonal's scale would read, as tonal reads it. */
function stepOf(value: unknown): { ok: boolean; shown: unknown } {
  if (value instanceof BadValue) return { ok: false, shown: value };
  const isObject = typeof value === "object" && value !== null;
  if (isObject && !("n" in value) && !("value" in value)) {
    // a note to quantize to the scale: tonal reads numbers and note names
    const note = (value as { note?: unknown }).note;
    const ok = typeof note === "number" ? Number.isFinite(note) : strudel.isNote(note);
    return { ok, shown: note };
  }
  const step = isObject
    ? (value as { n?: unknown; value?: unknown }).n ??
      (value as { value?: unknown }).value
    : value;
  if (step instanceof BadValue) return { ok: false, shown: step };
  if (typeof step === "number") return { ok: Number.isFinite(step), shown: step };
  if (typeof step === "string") {
    const ok = step.trim() !== "" && (!Number.isNaN(Number(step)) ||
      /^-?\d+(#+|b+)?$/.test(step) || strudel.isNote(step));
    return { ok, shown: step };
  }
  return { ok: false, shown: step };
}

/** The event's value with its degree (or note) replaced by `bad`. */
function spoil(value: unknown, bad: BadValue): unknown {
  if (typeof value === "object" && value !== null && !(value instanceof BadValue)) {
    const { n: _n, value: _v, ...rest } = value as Record<string, unknown>;
    return { ...rest, note: bad };
  }
  return bad;
}

/**
 * A scale degree as Strudel's `scale` gives it: a note name, or a
 * {@linkcode BadValue} saying why there is none. Never throws.
 *
 * @param scale A scale name as for {@linkcode scaleProblem}.
 * @param degree A number, a numeric text (`"2"`, `"-1"`, `"3#"`), or anything else (a BadValue).
 * @returns The note name (`"E3"`), or a BadValue for an unknown scale or a degree that is not one.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleNote } from "./scales.ts";
 * import { BadValue } from "./bad_value.ts";
 * assert(scaleNote("C:major", "2") === "E3" && scaleNote("C:nope", 0) instanceof BadValue);
 * ```
 */
export function scaleNote(scale: unknown, degree: unknown): string | BadValue {
  const problem = scaleProblem(scale);
  if (problem) return new BadValue(problem);
  const { ok } = stepOf(degree);
  if (!ok) {
    return degree instanceof BadValue ? degree : new BadValue(
      `Cannot use scale "${shownName(scale)}": degree "${String(degree)}" is not a number`,
    );
  }
  const haps = strudelTonal.scale(strudel.pure(scaleKey(scale)), strudel.pure(degree)).queryArc(
    0,
    1,
  );
  return String(haps[0]?.value);
}

/**
 * `.scale(name)` for one scale name: tonal's `scale` for the events it can
 * place, a {@linkcode BadValue} for the others (an unknown name, a degree
 * that is not a number).
 *
 * @param scale The scale name (one value of a patterned name).
 * @param pat The pattern of degrees or notes.
 * @returns The pattern of notes.
 */
export function safeScale(scale: unknown, pat: Untyped): Untyped {
  const problem = scaleProblem(scale);
  if (problem) {
    const bad = new BadValue(problem);
    return pat.withValue((v: unknown) => v instanceof BadValue ? v : spoil(v, bad));
  }
  const name = scaleKey(scale);
  const good = pat.filterValues((v: unknown) => stepOf(v).ok);
  const rest = pat.filterValues((v: unknown) => !stepOf(v).ok).withValue((v: unknown) => {
    const { shown } = stepOf(v);
    if (shown instanceof BadValue) return spoil(v, shown);
    return spoil(
      v,
      new BadValue(
        `Cannot use scale "${shownName(scale)}": degree "${String(shown)}" is not a number`,
      ),
    );
  });
  return strudel.stack(strudelTonal.scale(strudel.pure(name), good), rest);
}
