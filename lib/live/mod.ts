/**
 * Live sets: patterns and generators in named parts, hot reload, the
 * session scheduler. What a set file imports (rendering a set offline:
 * lib/runners/render_set.ts):
 *
 * ```ts ignore
 * import { defineSet, everyBar, note, s } from "../lib/live/mod.ts";
 * export default defineSet((set) => {
 *   set.tempo(120);
 *   set.play("drums", s("bd [sd sd] <hh cp> bd(3,8)"));
 *   set.play("keys", note("c3 e3 g3").fast(2).s("epiano"));
 * });
 * ```
 *
 * @module
 */
export * from "../pattern/mod.ts";
export {
  defineSet,
  type SetContext,
  type SetDefinition,
  type SetFunction,
  type SetSnapshot,
  type SwapMode,
} from "./set.ts";
export {
  everyBar,
  everyBeat,
  everyCycle,
  type GeneratorNote,
  type GeneratorUnit,
  TICKS_PER_CYCLE,
} from "./source.ts";
export {
  PartQueryError,
  type ReloadReport,
  type ScheduledNote,
  Session,
  type SessionOptions,
} from "./session.ts";
export { InstrumentCache } from "./instruments.ts";
export { SetLoader, SetLoadError } from "./loader.ts";
export {
  evaluateStrudel,
  mapStrudelStack,
  type StrudelOptions,
  type StrudelSink,
} from "./strudel_file.ts";
