/**
 * Instrument definitions: the zod schema (the single source of truth for
 * their shape), validation with file/path/value errors, and loading a
 * definition file into a sampler.
 *
 * A definition file is a TypeScript module in instruments/:
 * ```ts ignore
 * import { defineInstrument } from "../lib/instrument/mod.ts";
 * export default defineInstrument({
 *   name: "drums",
 *   zones: [{ sample: "samples/drums/kick.wav", keys: "C2" }],
 * });
 * ```
 * Control thread only.
 *
 * @module
 */

export {
  EnvelopeSchema,
  GroupSchema,
  type InstrumentDefinition,
  type InstrumentDefinitionInput,
  InstrumentSchema,
  KeyRangeSchema,
  LOOP_MODES,
  type LoopMode,
  LoopSchema,
  NoteSchema,
  VelocityRangeSchema,
  type ZoneDefinition,
  type ZoneDefinitionInput,
  ZoneSchema,
} from "./schema.ts";
export {
  defineInstrument,
  loadInstrument,
  type LoadOptions,
  readDefinition,
  type ResolvedDefinition,
  validateDefinition,
  zoneOptions,
} from "./load.ts";
export { type DefinitionIssue, formatIssues, formatPath } from "./issues.ts";
export { noteName, noteNumber } from "./notes.ts";
