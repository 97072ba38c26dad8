/**
 * midi-sampler: programmable sampling for Deno. What a script imports.
 *
 * @example
 * ```ts ignore
 * import { Sampler } from "./mod.ts";
 * using sampler = Sampler.open();
 * const drums = sampler.createInstrument("drums");
 * drums.addZone(sampler.loadSample("kick.wav"), { keys: [36, 36], loop: { mode: "one-shot" } });
 * drums.noteOn(36, 110, { at: { beats: 0 } });
 * using file = sampler.renderToFile("out.wav");
 * file.write(sampler.clock.secondsToFrames(2));
 * ```
 *
 * @module
 */
export { Sampler, type SamplerStats } from "./engine/sampler.ts";
export {
  type EventOptions,
  Instrument,
  type NoteOnOptions,
  type ParamName,
  PARAMS,
} from "./engine/instrument.ts";
export { Sample, type SampleInfo } from "./engine/sample.ts";
export { RenderFile, type RenderFileOptions } from "./engine/render_file.ts";
export { Recorder, type RecordOptions } from "./engine/recorder.ts";
// live sets (defineSet, patterns, generators, sessions): ./live/mod.ts
export {
  LiveOutput,
  type OutputInfo,
  type OutputOptions,
  OutputOptionsSchema,
  probeRate,
} from "./engine/output.ts";
export { Clock, type Time } from "./engine/clock.ts";
export { linkAvailable, LinkClock, type LinkOptions, type LinkStatus } from "./engine/link.ts";
export { Random } from "./engine/random.ts";
export {
  LoopModeSchema,
  type SamplerOptions,
  SamplerOptionsSchema,
  type ZoneOptions,
  ZoneOptionsSchema,
} from "./engine/options.ts";
export type { Performance, PerformanceContext } from "./engine/performance_context.ts";
export * from "./errors.ts";
// performance scripts, sets and MIDI files rendered or played: ./runners/mod.ts
export {
  type PerformanceResult,
  runPerformance,
  type RunPerformanceOptions,
} from "./runners/performance.ts";
export { defineInstrument, loadInstrument } from "./instrument/mod.ts";
// MIDI input, mappings, handlers and Standard MIDI Files: ./midi/mod.ts
export { Midi, MidiInput, MidiMapError } from "./midi/mod.ts";
