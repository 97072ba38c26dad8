/**
 * The value at a path inside nested objects and arrays (a zod issue's `path`),
 * for messages that show what was given.
 *
 * @module
 */

/**
 * Follow `path` from `root`.
 *
 * @param root The value the path starts from.
 * @param path Keys and indices, outermost first.
 * @returns The value there, or undefined when the path leaves the objects.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valueAt } from "./value_at.ts";
 * assert.equal(valueAt({ zones: [{ keys: [1, 130] }] }, ["zones", 0, "keys", 1]), 130);
 * assert.equal(valueAt({ zones: 3 }, ["zones", 0]), undefined);
 * ```
 */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
