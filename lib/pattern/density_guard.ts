/**
 * A bound on how many events one Strudel operation may make of one event.
 *
 * Thread: CT. `@strudel/core` queries synchronously: `.ply(1e92)`,
 * `s("bd*1e9")`, `.slow(1e-9)`, `.segment(1e9)`, `.chop(1e9)` or
 * `.euclid(3, 1e9)`, `.iter(1e9)` make it build that many events (or an array that long)
 * inside one query, until the heap reaches V8's limit and the process aborts
 * with the music. {@linkcode installDensityGuard} wraps the methods that
 * multiply events by a count (both the patternified `fast` and the raw
 * `_fast` that `register()` installs on `Pattern.prototype`) and returns
 * guarded top-level functions: a count whose magnitude would make more than
 * {@linkcode MAX_EVENTS_PER_EVENT} events per cycle of one event throws a
 * RangeError naming the operation, the value and the fix. A plain value
 * throws when the pattern is built (the reload fails at its line); a
 * patterned one (`"<1 1e92>"`) throws when that value is queried, which
 * lib/pattern/query.ts's queryPattern surfaces (the part is muted, the rest
 * plays). Values within the bound pass untouched: the events are the same.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Untyped = any;

/** Most events per cycle one operation may make of one event (`fast`, `ply`, `*`, `segment`, ...). */
export const MAX_EVENTS_PER_EVENT = 10_000;

/**
 * Most events one query may return (lib/pattern/query.ts refuses more), and so the most
 * events per cycle of one event that a chain of these operations may make together.
 */
export const MAX_EVENTS_PER_QUERY = 100_000;

/**
 * On a pattern made by a chain of guarded operations with plain counts: the events per
 * cycle it makes of each source event, as far as the chain tells (`.ply(100).fast(4)`: 400).
 */
const CHAIN = Symbol("events per cycle of each event, by the chain of guarded operations");

/** How an operation's plain count changes the chain's events per cycle (absent: unchanged). */
const CHAINED: Readonly<Record<string, (chain: number, n: number) => number>> = (() => {
  const scale = (chain: number, n: number) => chain * Math.abs(n);
  const out: Record<string, (chain: number, n: number) => number> = {};
  for (const name of ["fast", "density", "ply", "hurry", "chop", "striate", "fastGap", "fastgap"]) {
    out[name] = scale;
  }
  for (const name of ["slow", "sparsity"]) {
    out[name] = (chain, n) => (n === 0 ? 0 : chain / Math.abs(n));
  }
  // a segment cuts each event at n points a cycle: at most n more pieces
  for (const name of ["segment", "seg"]) out[name] = (chain, n) => chain + Math.abs(n);
  return out;
})();

/** Events per cycle per source event that the value `n` of an operation makes. */
type Density = (n: number) => number;

const times: Density = (n) => Math.abs(n);
// slow(0) is silence in Strudel, as fast(0) is
const over: Density = (n) => (n === 0 ? 0 : 1 / Math.abs(n));

/** What a guarded count makes: events (the default) or the parts a cycle is cut into. */
const EVENTS = "events per cycle of each event";
const PARTS = "parts of each cycle";

/**
 * Guarded operations: names (synonyms share the function), density, how many
 * leading arguments are counts, what the count makes.
 */
const GUARDED: ReadonlyArray<[names: string[], density: Density, counts: number, unit: string]> = [
  [["fast", "density"], times, 1, EVENTS],
  [["slow", "sparsity"], over, 1, EVENTS],
  [["linger"], over, 1, EVENTS],
  [["ply"], times, 1, EVENTS],
  [["hurry"], times, 1, EVENTS],
  [["segment", "seg"], times, 1, EVENTS],
  [["chop"], times, 1, EVENTS],
  [["striate"], times, 1, EVENTS],
  [["fastGap", "fastgap"], times, 1, EVENTS],
  [["zoom"], times, 2, EVENTS],
  [["euclid"], times, 2, EVENTS],
  [["euclidRot"], times, 2, EVENTS],
  [["euclidLegato"], times, 2, EVENTS],
  [["euclidLegatoRot"], times, 2, EVENTS],
  [["iter", "iterBack", "iterback"], times, 1, PARTS],
  [
    ["chunk", "slowchunk", "slowChunk", "chunkBack", "chunkback", "fastchunk", "fastChunk"],
    times,
    1,
    PARTS,
  ],
  [["chunkinto", "chunkInto", "chunkbackinto", "chunkBackInto"], times, 1, PARTS],
];

/** The prototype methods as core installed them, to compare with (see {@linkcode unguarded}). */
const originals: [proto: Untyped, name: string, fn: Untyped][] = [];

/**
 * Runs `fn` with core's own unguarded methods on `Pattern.prototype` (for
 * tests that compare the guarded events with Strudel's own), then puts the
 * guard back. Patterns built inside `fn` must also be queried inside it.
 *
 * @param fn What to run.
 * @returns What `fn` returns.
 */
export function unguarded<T>(fn: () => T): T {
  const guarded = originals.map(([proto, name]) => proto[name]);
  for (const [proto, name, f] of originals) proto[name] = f;
  try {
    return fn();
  } finally {
    originals.forEach(([proto, name], i) => (proto[name] = guarded[i]));
  }
}

/** Throws when `value` as an argument of `name` exceeds the bound; NaN and non-numbers are left to Strudel. */
function check(name: string, density: Density, unit: string, value: unknown): void {
  const n = Number(value);
  if (Number.isNaN(n)) return;
  if (density(n) <= MAX_EVENTS_PER_EVENT) return;
  throw new RangeError(
    `Cannot ${name}("${value}"): it would make more than ${MAX_EVENTS_PER_EVENT} ${unit}; ` +
      `use a value that makes at most ${MAX_EVENTS_PER_EVENT}`,
  );
}

/** The plain number of a count argument (a number, a numeric string, a pure pattern), or NaN. */
function plainCount(core: Untyped, a: Untyped): number {
  if (core.isPattern(a)) return a.__pure === undefined ? NaN : Number(a.__pure);
  if (typeof a === "number") return a;
  return typeof a === "string" && a.trim() !== "" ? Number(a) : NaN;
}

/**
 * Marks `out`, made by `name` with `count` from `source`, with the chain's events per cycle
 * of each event, and throws when the chain passes {@linkcode MAX_EVENTS_PER_QUERY}: Strudel
 * would build that many events in every query of a cycle before the query's own bound saw them.
 */
function chain(name: string, source: Untyped, count: number, out: Untyped): Untyped {
  const before: number | undefined = source?.[CHAIN];
  const rule = CHAINED[name];
  let after: number | undefined;
  if (rule && Number.isFinite(count)) after = rule(before ?? 1, count);
  else if (before !== undefined && !rule) after = before;
  if (after === undefined || out === null || typeof out !== "object") return out;
  if (after > MAX_EVENTS_PER_QUERY) {
    throw new RangeError(
      `Cannot ${name}("${count}") after the operations before it: together they would make ` +
        `${
          after.toExponential(1)
        } events per cycle of each event, more than ${MAX_EVENTS_PER_QUERY}; ` +
        `use smaller counts`,
    );
  }
  out[CHAIN] = after;
  return out;
}

/**
 * Installs the guard on core's `Pattern.prototype` (once) and returns the
 * guarded top-level functions (`fast`, `ply`, ... as exported by core) to
 * shadow core's own in the scope code sees.
 *
 * @param core The `@strudel/core` module.
 * @returns Guarded top-level functions by name.
 */
export function installDensityGuard(core: Untyped): Record<string, Untyped> {
  const proto = core.Pattern.prototype;
  if (proto.__densityGuard) return proto.__densityGuard;
  const arg = (name: string, density: Density, unit: string, a: Untyped): Untyped => {
    const pat = core.isPattern(a)
      ? a
      : Array.isArray(a) || typeof a === "string"
      ? core.reify(a)
      : undefined;
    if (pat === undefined) {
      check(name, density, unit, a);
      return a;
    }
    if (pat.__pure !== undefined) {
      check(name, density, unit, pat.__pure);
      return pat;
    }
    return pat.fmap((v: unknown) => (check(name, density, unit, v), v));
  };
  const top: Record<string, Untyped> = {};
  for (const [names, density, counts, unit] of GUARDED) {
    for (const name of names) {
      const method = proto[name];
      const raw = proto["_" + name];
      if (typeof method === "function") {
        originals.push([proto, name, method]);
        proto[name] = function (this: Untyped, ...args: Untyped[]) {
          const out = method.apply(
            this,
            args.map((a, i) => (i < counts ? arg(name, density, unit, a) : a)),
          );
          return chain(name, this, counts === 1 ? plainCount(core, args[0]) : NaN, out);
        };
      }
      if (typeof raw === "function") {
        originals.push([proto, "_" + name, raw]);
        proto["_" + name] = function (this: Untyped, ...args: Untyped[]) {
          for (let i = 0; i < counts && i < args.length; i++) check(name, density, unit, args[i]);
          return raw.apply(this, args);
        };
      }
      const fn = core[name];
      if (typeof fn === "function") {
        // fast(2, pat): the counts first, then the pattern
        top[name] = (...args: Untyped[]) =>
          chain(
            name,
            args[counts],
            counts === 1 ? plainCount(core, args[0]) : NaN,
            fn(...args.map((a, i) => (i < counts ? arg(name, density, unit, a) : a))),
          );
      }
    }
  }
  Object.defineProperty(proto, "__densityGuard", { value: top });
  return top;
}

/** Throws when a mini-notation range `a .. b` of literal numbers in `ast` has more than the bound of values. */
function checkRanges(ast: Untyped): void {
  if (ast === null || typeof ast !== "object") return;
  for (const op of ast.options_?.ops ?? []) {
    const to = op?.type_ === "range" ? op.arguments_?.element : undefined;
    if (ast.source_?.type_ !== "atom" || to?.type_ !== "atom") continue;
    const from = ast.source_.source_;
    const span = Math.abs(Number(to.source_) - Number(from)) + 1;
    if (span > MAX_EVENTS_PER_EVENT) {
      throw new RangeError(
        `Cannot expand "${from} .. ${to.source_}": it would make more than ${MAX_EVENTS_PER_EVENT} ` +
          `${EVENTS}; use a range of at most ${MAX_EVENTS_PER_EVENT} values`,
      );
    }
  }
  for (const v of Object.values(ast)) checkRanges(v);
}

/**
 * `@strudel/mini`'s module with `mini` and `m` (the transpiler's double-quoted
 * strings) refusing a range of literal numbers (`"0 .. 1e9"`) past the bound:
 * Strudel would build an array that long when it is queried.
 *
 * @param mini The `@strudel/mini` module.
 * @returns The module's exports, `mini` and `m` guarded.
 */
export function guardMini(mini: Untyped): Untyped {
  return {
    ...mini,
    mini: (...strings: string[]) => {
      for (const str of strings) {
        if (typeof str === "string") checkRanges(mini.mini2ast(`"${str}"`));
      }
      return mini.mini(...strings);
    },
    m: (str: string, offset: number) => {
      if (typeof str === "string") checkRanges(mini.mini2ast(`"${str}"`));
      return mini.m(str, offset);
    },
  };
}
