/**
 * Runners: what plays a whole piece from a file. Performance scripts, sets
 * and Standard MIDI Files, rendered offline into a file or played live. They
 * sit above lib/engine, lib/live and lib/midi and nothing below imports them.
 *
 * @module
 */
export {
  type PerformanceResult,
  runPerformance,
  type RunPerformanceOptions,
} from "./performance.ts";
export {
  type LivePerformance,
  type LivePerformanceOptions,
  type LivePerformanceResult,
  startPerformance,
} from "./live_performance.ts";
export { renderSet, type RenderSetOptions } from "./render_set.ts";
export { renderMidiFile, type RenderMidiOptions } from "./render_midi.ts";
