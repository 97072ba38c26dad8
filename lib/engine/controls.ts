/**
 * Per-note controls as scripts, instrument files and MIDI mappings write them:
 * `{ cutoff: 800, room: 0.3, vowel: "o" }`, typed and checked from the
 * engine's control table (lib/ffi/control_table.ts), and turned into the
 * (id, value) pairs the engine takes.
 *
 * Thread: CT. Pure, no FFI. A value out of range, an unknown name or a bad
 * vowel is a `RangeError` whose message names the control and its range.
 *
 * @module
 */
import { z } from "zod";
import {
  CONTROL_BY_NAME,
  CONTROL_NAMES,
  CONTROL_ROWS,
  type ControlName,
  controlRangeError,
  controlValue,
} from "../ffi/control_table.ts";

/**
 * Per-note controls by the engine's names (superdough's primary names), in
 * the engine's units; vowel, ftype, tremoloshape and unit also take their
 * names ("o", "24db", "square", "c").
 */
export type Controls = { [K in ControlName]?: number | string };

/** Zod schema of {@linkcode Controls}: each row's range, names for its enum rows. */
export const ControlsSchema: z.ZodType<Controls> = z.strictObject(
  Object.fromEntries(
    CONTROL_ROWS.map((r) => {
      const names = CONTROL_NAMES[r.name];
      const n = r.flags.includes("enum" as never)
        ? z.number().int().min(r.min).max(r.max)
        : z.number().min(r.min).max(r.max);
      const field = names ? z.union([n, z.enum(names as [string, ...string[]])]) : n;
      return [r.name, field.optional()];
    }),
  ),
) as unknown as z.ZodType<Controls>;

/**
 * Check controls and flatten them to [id, value, id, value, ...] in the
 * engine's units.
 *
 * @param controls Controls by name.
 * @param action What was being done, for the message ("Cannot play note 60 on \"bass\"").
 * @returns The pairs (empty for no controls).
 * @throws {RangeError} for an unknown control, a bad name or a value out of
 *   range: `Cannot play note 60 on "bass": cutoff 30000 is outside 5..24000 Hz`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlPairs } from "./controls.ts";
 * const pairs = controlPairs({ cutoff: 800, vowel: "o" }, "Cannot play");
 * assert(pairs.length === 4 && pairs[3] === 3);
 * ```
 */
export function controlPairs(controls: Controls, action: string): number[] {
  const out: number[] = [];
  for (const [name, raw] of Object.entries(controls)) {
    if (raw === undefined) continue;
    const row = CONTROL_BY_NAME.get(name);
    if (!row) {
      throw new RangeError(
        `${action}: no control "${name}": use one of ${CONTROL_ROWS.map((r) => r.name).join(", ")}`,
      );
    }
    const v = controlValue(name, raw);
    if (typeof v === "string") throw new RangeError(`${action}: ${v}`);
    const err = controlRangeError(row, v);
    if (err !== undefined) throw new RangeError(`${action}: ${err}`);
    out.push(row.id, v);
  }
  return out;
}

/** The orbit a note's pairs send to, when they send (room or delay above 0), else undefined. */
export function orbitOfPairs(pairs: readonly number[]): number | undefined {
  let orbit = CONTROL_BY_NAME.get("orbit")!.default;
  let sends = false;
  const room = CONTROL_BY_NAME.get("room")!.id;
  const delay = CONTROL_BY_NAME.get("delay")!.id;
  const orbitId = CONTROL_BY_NAME.get("orbit")!.id;
  for (let i = 0; i < pairs.length; i += 2) {
    const id = pairs[i]!, v = pairs[i + 1]!;
    if ((id === room || id === delay) && v > 0) sends = true;
    if (id === orbitId) orbit = v;
  }
  return sends ? orbit : undefined;
}
