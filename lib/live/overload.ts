/**
 * Notes for a live session when the engine runs out of room or time: events
 * the event ring refused, events that arrived after their frame, voices
 * stolen because every voice was busy, memory the memory-lock limit left
 * unlocked (sample packs and SoundFonts load without the SFZ loader's check
 * beforehand). The engine
 * counts both on the render thread (it cannot say anything there); this turns
 * the counters into warnings a performer can act on, said when the count
 * first rises and then at most once per interval with the count since.
 *
 * Thread: CT. Pure: give it the counters, it returns the lines to say.
 *
 * @module
 */

/** The counters {@linkcode OverloadNotes} reads (from `sampler.stats()`). */
export interface OverloadCounters {
  eventsDropped: number;
  eventsLate: number;
  voicesStolen: number;
  /** Bytes the engine holds, and of those locked in RAM (0: it does not lock). */
  memoryBytes: number;
  memoryLockedBytes: number;
}

/** What the messages name. */
export interface OverloadLimits {
  /** Voices the sampler has (its maxPolyphony). */
  voices: number;
  /** Records the event ring holds (its ringCapacity). */
  ringCapacity: number;
}

/**
 * Warnings from the engine's overload counters, rate-limited.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OverloadNotes } from "./overload.ts";
 * const notes = new OverloadNotes({ voices: 64, ringCapacity: 4096 }, 10000);
 * const quiet = { eventsDropped: 0, eventsLate: 0, memoryBytes: 0, memoryLockedBytes: 0 };
 * assert(notes.check({ ...quiet, voicesStolen: 3 }, 0).length === 1);
 * assert(notes.check({ ...quiet, voicesStolen: 9 }, 500).length === 0);
 * ```
 */
export class OverloadNotes {
  readonly #limits: OverloadLimits;
  readonly #intervalMs: number;
  #dropped = 0;
  #stolen = 0;
  #late = 0;
  #droppedAt = -Infinity;
  #stolenAt = -Infinity;
  #lateAt = -Infinity;
  #unlockedSaid = false;

  /**
   * @param limits The sampler's voices and ring size, named in the messages.
   * @param intervalMs Least time between two warnings of one kind. @default 10000
   */
  constructor(limits: OverloadLimits, intervalMs = 10000) {
    this.#limits = limits;
    this.#intervalMs = intervalMs;
  }

  /**
   * The warnings due now.
   *
   * @param c The engine's counters now.
   * @param nowMs The time now, ms (any monotonic clock).
   * @returns Zero to four lines.
   */
  check(c: OverloadCounters, nowMs: number): string[] {
    const out: string[] = [];
    const dropped = c.eventsDropped - this.#dropped;
    if (dropped > 0 && nowMs - this.#droppedAt >= this.#intervalMs) {
      out.push(
        `Cannot play ${dropped} event${dropped === 1 ? "" : "s"}: the event ring ` +
          `(${this.#limits.ringCapacity} records) was full, so they were dropped (counted in ` +
          `"dropped"); thin the densest part, or shorten --lookahead-ms`,
      );
      this.#dropped = c.eventsDropped;
      this.#droppedAt = nowMs;
    }
    const late = c.eventsLate - this.#late;
    if (late > 0 && nowMs - this.#lateAt >= this.#intervalMs) {
      out.push(
        `Cannot play ${late} event${late === 1 ? "" : "s"} on time: they reached the engine ` +
          `after their frame and sounded late (counted in "late"); the set takes longer to ` +
          `schedule than the look-ahead: raise --lookahead-ms, or thin the parts`,
      );
      this.#late = c.eventsLate;
      this.#lateAt = nowMs;
    }
    const stolen = c.voicesStolen - this.#stolen;
    if (stolen > 0 && nowMs - this.#stolenAt >= this.#intervalMs) {
      out.push(
        `Cannot give every note a voice: all ${this.#limits.voices} voices were busy, so ` +
          `${stolen} sounding note${stolen === 1 ? "" : "s"} faded out early (stolen, oldest and ` +
          `released first); thin the parts, shorten releases, or raise --voices`,
      );
      this.#stolen = c.voicesStolen;
      this.#stolenAt = nowMs;
    }
    // locking on (something is locked) but not everything: an mlock over the limit failed
    const unlocked = c.memoryBytes - c.memoryLockedBytes;
    if (!this.#unlockedSaid && c.memoryLockedBytes > 0 && unlocked > 0) {
      this.#unlockedSaid = true;
      out.push(
        `Cannot lock all the engine's memory in RAM: ${mb(c.memoryLockedBytes)} of ` +
          `${mb(c.memoryBytes)} locked, the memory-lock limit reached: the rest may be paged ` +
          `out and glitch: raise the limit (ulimit -l, limits.conf memlock) or give the ` +
          `process CAP_IPC_LOCK`,
      );
    }
    return out;
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
