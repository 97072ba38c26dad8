/**
 * The marker a per-event failure leaves in an event's value.
 *
 * Thread: CT. Pure. A value that is wrong for one event only (an unknown
 * scale name, a scale degree that is not a number) must not take the whole
 * query down with it, which would silence every part of a `stack` for that
 * span: such a value becomes a {@linkcode BadValue}, which travels through
 * Strudel's operations like any value, and the event holding it is dropped
 * with one warning per cause when its controls are resolved
 * (lib/pattern/controls.ts).
 *
 * @module
 */

/**
 * A control value that could not be computed for one event, with the reason.
 * Its number value is NaN and its text the reason, so arithmetic on it
 * (`.add(12)`) stays invalid rather than becoming a plausible note.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BadValue } from "./bad_value.ts";
 * const bad = new BadValue('no scale "nope"');
 * assert(Number.isNaN(Number(bad)) && String(bad) === 'no scale "nope"');
 * ```
 */
export class BadValue {
  /** Why the value is wrong, e.g. `Cannot use scale "C:nope": no scale "nope", ...`. */
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
  valueOf(): number {
    return NaN;
  }
  toString(): string {
    return this.reason;
  }
}
