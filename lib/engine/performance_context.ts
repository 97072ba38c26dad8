/**
 * What a performance script receives. A performance script is a module whose
 * default export is `(ctx: PerformanceContext) => void | Promise<void>`; it
 * schedules events (at absolute times) and returns; the runner renders them.
 *
 * Thread: CT. Types only.
 *
 * @example
 * ```ts ignore
 * import type { PerformanceContext } from "../lib/mod.ts";
 * export default async function (ctx: PerformanceContext) {
 *   const piano = await ctx.instrument("piano");
 *   for (let beat = 0; beat < 8; beat++) {
 *     const note = ctx.random.pick([60, 62, 64, 67, 69]);
 *     piano.noteOn(note, 90, { at: { beats: beat } });
 *     piano.noteOff(note, { at: { beats: beat + 0.9 } });
 *   }
 * }
 * ```
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Instrument } from "./instrument.ts";
import type { Random } from "./random.ts";
import type { Sampler } from "./sampler.ts";

/** The argument of a performance script's default export. */
export interface PerformanceContext {
  /** The sampler that plays the performance. */
  readonly sampler: Sampler;
  /** Its clock (tempo map; seconds and beats to frames). */
  readonly clock: Clock;
  /** A PRNG seeded with `seed`: the same seed gives the same performance. */
  readonly random: Random;
  /**
   * Load `instruments/<name>.ts` into the sampler (cached per name), or a
   * SoundFont preset: `"path/font.sf2#bank:program"` (`#program` for bank 0).
   *
   * @throws {InstrumentDefinitionError} when the definition is invalid.
   */
  instrument(name: string): Promise<Instrument>;
  /** Length of the render in seconds. */
  readonly seconds: number;
  /** The seed of this run. */
  readonly seed: number;
}

/** The shape of a performance script's default export. */
export type Performance = (ctx: PerformanceContext) => void | Promise<void>;
