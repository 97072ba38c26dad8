/**
 * A small seeded pseudo-random generator (mulberry32) for performance scripts:
 * the same seed gives the same sequence on every machine and run.
 *
 * Thread: CT. Pure, no FFI. Not for cryptography.
 *
 * @module
 */

/**
 * Seeded PRNG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Random } from "./random.ts";
 * const a = new Random(7), b = new Random(7);
 * assert(a.next() === b.next());
 * const n = a.int(1, 6); // 1..6 inclusive
 * assert(n >= 1 && n <= 6);
 * ```
 */
export class Random {
  #state: number;
  /** The seed this generator started from. */
  readonly seed: number;

  /**
   * @param seed Any integer; taken modulo 2^32.
   * @throws {RangeError} for a non-integer seed.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new RangeError(`Cannot seed random generator: seed must be an integer, got "${seed}"`);
    }
    this.seed = seed;
    this.#state = seed >>> 0;
  }

  /**
   * Next value.
   *
   * @returns A float in [0, 1).
   */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An integer between `min` and `max`, both included.
   *
   * @param min Lowest value (integer).
   * @param max Highest value (integer, >= min).
   * @returns The integer.
   * @throws {RangeError} when the bounds are not integers or max < min.
   */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(
        `Cannot pick random integer: need integers with min <= max, got "${min}" and "${max}"`,
      );
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /**
   * One element of a non-empty array, uniformly.
   *
   * @param items The choices.
   * @returns One of them.
   * @throws {RangeError} for an empty array.
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError("Cannot pick from an empty array: pass at least one item");
    }
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * True with probability `p`.
   *
   * @param p Probability 0..1. @default 0.5
   * @returns The coin.
   */
  chance(p = 0.5): boolean {
    return this.next() < p;
  }
}
