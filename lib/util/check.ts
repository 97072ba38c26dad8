/**
 * Argument checks shared by the library's classes, with the one message shape
 * (`Cannot play note: note must be an integer 0..127, got "128"`).
 *
 * Thread: any. Pure.
 *
 * @module
 */

/**
 * `v` when it is an integer in `min..max`, else a RangeError naming the action, the
 * argument and the range.
 *
 * @param name The argument's name.
 * @param v Its value.
 * @param min Least value allowed.
 * @param max Greatest value allowed.
 * @param action What was being done ("Cannot play note").
 * @returns `v`.
 * @throws {RangeError} when `v` is not an integer in range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkInt } from "./check.ts";
 * assert(checkInt("note", 60, 0, 127, "Cannot play note") === 60);
 * assert.throws(() => checkInt("note", 128, 0, 127, "Cannot play note"), RangeError);
 * ```
 */
export function checkInt(
  name: string,
  v: number,
  min: number,
  max: number,
  action: string,
): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${action}: ${name} must be an integer ${min}..${max}, got "${v}"`);
  }
  return v;
}
