/**
 * Instrument definitions: the zod schema (the single source of truth for
 * their shape), validation with file/path/value errors, and loading a
 * definition file into a sampler.
 *
 * A definition file is a TypeScript module in instruments/ (or an SFZ file,
 * imported by importSfz into the same model):
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
  DEFINITION_EXTENSIONS,
  findDefinition,
  loadInstrument,
  type LoadOptions,
  type LoadProgress,
  readDefinition,
  type ResolvedDefinition,
  validateDefinition,
  zoneOptions,
} from "./load.ts";
export { type DefinitionIssue, formatIssues, formatPath } from "./issues.ts";
export { noteName, noteNumber } from "./notes.ts";
export {
  convertSfzFile,
  formatSfzProblem,
  importSfz,
  type ImportSfzOptions,
  type SfzInstrument,
} from "./sfz/import.ts";
export type { SfzOrigin, SfzProblem } from "./sfz/parse.ts";
