/**
 * Generated waveforms in instrument definitions: a zone whose `sample` is
 * `*sine`, `*saw`, ... plays the engine's oscillator (zone `source`) instead
 * of a file, as SFZ's generator regions do.
 *
 * Thread: any (data).
 *
 * @module
 */
import type { SOURCE } from "../ffi/layout.ts";

/**
 * The engine oscillator a zone's `sample` names instead of a file: SFZ's
 * generators (`*sine`, `*saw`, `*square`, `*triangle` or `*tri`, `*noise`
 * (white), `*silence`) and superdough's synth names after a `*`
 * (`*sawtooth`, `*supersaw`, `*white`, `*pink`, `*brown`).
 *
 * @param sample a zone's `sample`
 * @returns the zone's `source`, or undefined for a file
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatorSource } from "./generators.ts";
 * assert(generatorSource("*saw") === "sawtooth" && generatorSource("a.wav") === undefined);
 * ```
 */
export function generatorSource(sample: string): Source | undefined {
  return sample.startsWith("*") ? GENERATORS[sample.slice(1).toLowerCase()] : undefined;
}
/** An oscillator source (MS_SOURCE_* but sample). */
export type Source = Exclude<keyof typeof SOURCE, "sample">;
const GENERATORS: Readonly<Record<string, Source>> = {
  sine: "sine",
  saw: "sawtooth",
  sawtooth: "sawtooth",
  square: "square",
  triangle: "triangle",
  tri: "triangle",
  noise: "white",
  white: "white",
  pink: "pink",
  brown: "brown",
  supersaw: "supersaw",
  silence: "silence",
};
