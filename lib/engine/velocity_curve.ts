/**
 * Velocity curves: sparse [velocity, gain] points (SFZ amp_velcurve_N)
 * expanded to the 128 gains ms_instrument_set_velocity_curve takes.
 *
 * Thread: CT. Pure.
 *
 * @module
 */

/**
 * Expand sparse velocity-curve points to one linear gain per velocity,
 * interpolating linearly between the points as the SFZ format says. Velocity
 * 0 is gain 0 and velocity 127 gain 1 unless the points give them; a velocity
 * named twice keeps its last gain.
 *
 * @param points [velocity 0..127 (integer), gain] pairs, in any order.
 * @returns 128 gains, index = velocity.
 * @throws {RangeError} for a velocity outside 0..127 or a gain that is not finite.
 * @example
 * ```ts
 * import { velocityCurveGains } from "./velocity_curve.ts";
 * import assert from "node:assert/strict";
 * const g = velocityCurveGains([[64, 1]]);
 * assert.equal(g[32], 0.5);
 * assert.equal(g[100], 1);
 * ```
 */
export function velocityCurveGains(
  points: readonly (readonly [number, number])[],
): Float32Array<ArrayBuffer> {
  const byVel = new Map<number, number>([[0, 0], [127, 1]]);
  const given = new Set<number>();
  for (const [v, g] of points) {
    if (!Number.isInteger(v) || v < 0 || v > 127) {
      throw new RangeError(`Cannot build velocity curve: velocity "${v}" is not an integer 0..127`);
    }
    if (!Number.isFinite(g)) {
      throw new RangeError(
        `Cannot build velocity curve: gain "${g}" at velocity ${v} is not finite`,
      );
    }
    byVel.set(v, g);
    given.add(v);
  }
  const xs = [...byVel.keys()].sort((a, b) => a - b);
  const out = new Float32Array(128);
  for (let i = 0; i + 1 < xs.length; i++) {
    const x0 = xs[i]!, x1 = xs[i + 1]!;
    const y0 = byVel.get(x0)!, y1 = byVel.get(x1)!;
    for (let v = x0; v <= x1; v++) out[v] = y0 + (y1 - y0) * (v - x0) / (x1 - x0);
  }
  return out;
}
