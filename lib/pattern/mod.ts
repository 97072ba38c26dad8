/**
 * Patterns: the typed facade over Strudel's pattern engine (mini-notation,
 * the pattern functions, per-note controls and scales). lib/live/mod.ts
 * re-exports it for set files.
 *
 * @module
 */
export * from "./pattern.ts";
export { CONTROLS, DEFAULT_SOUNDS, type SoundMapping } from "./controls.ts";
export { noteNameToMidi, scaleNote, scaleProblem } from "./scales.ts";
export { BadValue } from "./bad_value.ts";
export { queryPattern } from "./query.ts";
