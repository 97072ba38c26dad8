/**
 * Querying patterns so that errors reach the caller.
 *
 * Thread: CT. Strudel's own `Pattern.queryArc` catches anything thrown while
 * a pattern is queried, logs `[query]: ...` and returns no events: a broken
 * part would play silence with nothing said. {@linkcode queryPattern} queries
 * through `Pattern.query` directly, so the error propagates to the session,
 * which fails the reload or mutes the part and names it.
 *
 * Operations that would make a runaway number of events inside one query
 * (`.ply(1e92)`) are refused by lib/pattern/density_guard.ts; a query that
 * still returns more than {@linkcode MAX_EVENTS_PER_QUERY} events (factors
 * within the bound, chained) is refused here before its events go further.
 *
 * A value that is wrong for one event only (an unknown scale name, a NaN)
 * must not take the whole query down with it: see lib/pattern/bad_value.ts.
 *
 * @module
 */
import type { Hap, Pattern, Rational } from "./pattern.ts";
import { strudel } from "./strudel.ts";
import { MAX_EVENTS_PER_QUERY } from "./density_guard.ts";

/** Most events one query may return (the session queries at most one cycle of a part at a time). */
export { MAX_EVENTS_PER_QUERY };

/**
 * Events of a pattern whose parts lie in [begin, end) cycles, like
 * `pattern.queryArc(begin, end)`, but errors thrown while querying propagate.
 *
 * @param pattern The pattern.
 * @param begin Start, in cycles (a number or an exact rational).
 * @param end End, in cycles.
 * @returns The events (fragments included: check `hasOnset()`).
 * @throws whatever the pattern throws while it is queried; a RangeError when
 * it returns more than {@linkcode MAX_EVENTS_PER_QUERY} events.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queryPattern } from "./query.ts";
 * import { s } from "./pattern.ts";
 * assert(queryPattern(s("bd sd"), 0, 1).length === 2);
 * ```
 */
export function queryPattern(
  pattern: Pattern,
  begin: number | Rational,
  end: number | Rational,
): Hap[] {
  const query = (pattern as unknown as { query(state: unknown): Hap[] }).query;
  if (typeof query !== "function") {
    throw new TypeError("Cannot query pattern: it has no query function (not a Strudel pattern)");
  }
  const haps: Hap[] = query.call(pattern, new strudel.State(new strudel.TimeSpan(begin, end), {}));
  if (haps.length > MAX_EVENTS_PER_QUERY) {
    throw new RangeError(
      `Cannot query the pattern from cycle "${begin.valueOf()}" to "${end.valueOf()}": it made ` +
        `"${haps.length}" events, more than ${MAX_EVENTS_PER_QUERY} in one query; use fewer events per cycle`,
    );
  }
  return haps;
}
