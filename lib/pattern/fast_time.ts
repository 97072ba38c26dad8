/**
 * Strudel's exact time, on doubles while it fits.
 *
 * Thread: CT. `@strudel/core` keeps time as fraction.js 5 rationals, whose
 * sign, numerator and denominator are BigInts: every `add`, `compare` or
 * `floor` parses its argument and reduces its result with a BigInt Euclid
 * loop, and every `TimeSpan` copies both ends through fraction.js's
 * constructor. That arithmetic was two thirds of the cost of a query
 * (`deno task bench --only perform`).
 *
 * {@linkcode installFastTime} puts the same arithmetic on doubles in its
 * place, on fraction.js's prototype and Strudel's `TimeSpan.prototype`:
 * - A rational made here holds plain numbers. Every product and sum is
 *   checked to stay within `Number.MAX_SAFE_INTEGER`, where doubles are exact
 *   integers; the result is reduced and signed as fraction.js does it.
 * - Anything else goes to fraction.js's own method with the receiver in
 *   BigInts: a product past 2^53, a non-integer number argument (which
 *   fraction.js approximates), a string, two arguments, `places`, and every
 *   method not listed here.
 * - Spans made by `TimeSpan`'s methods share their ends instead of copying
 *   them: rationals are never mutated.
 * fraction.js's constructor cannot be replaced from outside; it reads a
 * rational held in numbers (its parse applies `BigInt()` to each field), so
 * both kinds mix. tests/fast_time_test.ts compares every method with
 * fraction.js's on edge and random operands, and whole queries of tunes with
 * Strudel's own arithmetic; `MS_FRACTION=bigint` keeps Strudel's own.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Untyped = any;

const MAX = Number.MAX_SAFE_INTEGER;

/** Methods by name, as put on a prototype. */
type Methods = Record<string, PropertyDescriptor>;

/** Each prototype's own methods and the ones put there instead. */
interface Swap {
  /** Whose prototype ("Fraction", "TimeSpan"). */
  name: string;
  proto: Untyped;
  strudel: Methods;
  fast: Methods;
}

/** What {@linkcode useFastTime} switches: filled by {@linkcode installFastTime}. */
const swaps: Swap[] = [];

/**
 * The swap of `proto`'s methods for `fns` (each keeping its descriptor's flags) and its
 * accessors for `accessors`, beside the descriptors there now.
 */
function swapOf(
  name: string,
  proto: Untyped,
  fns: Record<string, (this: Untyped, ...args: Untyped[]) => Untyped>,
  accessors: Methods = {},
): Swap {
  const fast: Methods = { ...accessors };
  for (const [k, fn] of Object.entries(fns)) {
    fast[k] = { ...Object.getOwnPropertyDescriptor(proto, k)!, value: fn };
  }
  const strudel: Methods = {};
  for (const k of Object.keys(fast)) strudel[k] = Object.getOwnPropertyDescriptor(proto, k)!;
  return { name, proto, strudel, fast };
}

/**
 * Prepares the fast methods for `@strudel/core`'s rationals and spans and puts
 * them in place (unless `MS_FRACTION=bigint`: Strudel's own arithmetic, to
 * tell whether a difference comes from here). Idempotent.
 *
 * @param core The `@strudel/core` module.
 */
export function installFastTime(core: Untyped): void {
  if (swaps.length) return;
  const span = spanMaker(core);
  swaps.push(fractionMethods(core.Fraction._original, span), timeSpanMethods(core, span));
  useFastTime(Deno.env.get("MS_FRACTION") !== "bigint");
}

/**
 * Switches between the fast methods and Strudel's (fraction.js's) own. Patterns built
 * under one must be queried under it: Strudel's own methods cannot read a rational held
 * in numbers as their receiver.
 *
 * @param fast true: the methods here; false: Strudel's, as it shipped them.
 */
export function useFastTime(fast: boolean): void {
  for (const s of swaps) {
    for (const [k, d] of Object.entries(fast ? s.fast : s.strudel)) {
      Object.defineProperty(s.proto, k, d);
    }
  }
}

/**
 * The source text of each method replaced here, as Strudel (and fraction.js)
 * shipped it: a test pins them, so that a Strudel upgrade that changes one
 * is reviewed against its replacement here.
 */
export function strudelSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of swaps) {
    for (const [k, d] of Object.entries(s.strudel)) {
      out[`${s.name}.${k}`] = String(d.value ?? d.get);
    }
  }
  return out;
}

/** Greatest common divisor of two non-negative integers below 2^53. */
function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/**
 * The fast methods for fraction.js's prototype (the constructor is
 * `@strudel/core`'s `Fraction._original`), beside the ones there now.
 */
function fractionMethods(Fraction: Untyped, span: MakeSpan): Swap {
  const proto = Fraction.prototype;
  const orig: Record<string, (...args: Untyped[]) => Untyped> = {};
  for (const key of Object.getOwnPropertyNames(proto)) {
    const v = proto[key];
    if (typeof v === "function") orig[key] = v;
  }

  /** A rational held in numbers (reduced, d > 0, s = ±1, n >= 0), with fraction.js's prototype. */
  function Small(this: Untyped, s: number, n: number, d: number) {
    this.s = s;
    this.n = n;
    this.d = d;
  }
  Small.prototype = proto;

  /** The reduced rational sn/d (d > 0, |sn| and d below 2^53). */
  function make(sn: number, d: number): Untyped {
    const n = Math.abs(sn), g = gcd(n, d);
    // deno-lint-ignore no-explicit-any
    return new (Small as any)(sn < 0 ? -1 : 1, n / g, d / g);
  }

  // the operands of the method being run: receiver (t) and argument (p); r: the last read
  let ts = 1, tn = 0, td = 1, ps = 1, pn = 0, pd = 1, rs = 1, rn = 0, rd = 1;

  /** A rational of either kind in numbers, into rs/rn/rd; false when it does not fit. */
  function read(f: Untyped): boolean {
    const n = f.n;
    if (typeof n === "number") {
      rs = f.s, rn = n, rd = f.d;
      return true;
    }
    const nn = Number(n), dd = Number(f.d);
    if (nn > MAX || dd > MAX) return false;
    rs = Number(f.s), rn = nn, rd = dd;
    return true;
  }

  /** The receiver in numbers, into ts/tn/td; false when it does not fit. */
  function loadThis(f: Untyped): boolean {
    if (!read(f)) return false;
    ts = rs, tn = rn, td = rd;
    return true;
  }

  /** One argument as fraction.js's parse reads it, into ps/pn/pd; false: leave it to fraction.js. */
  function loadArg(a: Untyped, b: Untyped): boolean {
    if (b !== undefined) return false;
    if (typeof a === "number") {
      if (!Number.isInteger(a) || a > MAX || a < -MAX) return false;
      ps = a < 0 ? -1 : 1, pn = Math.abs(a), pd = 1;
      return true;
    }
    if (!(a instanceof Fraction) || !read(a)) return false;
    ps = rs, pn = rn, pd = rd;
    return true;
  }

  /** The receiver as fraction.js holds it, for its own methods. */
  const big = (f: Untyped) => (typeof f.n === "number" ? Fraction(f) : f);

  /** this - arg, as -1, 0 or 1; NaN when it is fraction.js's to compute. */
  function cmp(self: Untyped, a: Untyped, b: Untyped): number {
    if (!loadThis(self) || !loadArg(a, b)) return NaN;
    const x = tn * pd, y = pn * td;
    if (x > MAX || y > MAX) return NaN;
    const t = ts * x - ps * y;
    return t > 0 ? 1 : t < 0 ? -1 : 0;
  }
  const compare = (self: Untyped, a: Untyped, b?: Untyped): number => {
    const c = cmp(self, a, b);
    return c === c ? c : orig.compare!.call(big(self), a, b);
  };

  function addSub(self: Untyped, a: Untyped, b: Untyped, sign: number, name: string): Untyped {
    if (loadThis(self) && loadArg(a, b)) {
      const x = tn * pd, y = pn * td, d = td * pd;
      if (x <= MAX && y <= MAX && d <= MAX) {
        const n = ts * x + sign * ps * y;
        if (n <= MAX && n >= -MAX) return make(n, d);
      }
    }
    return orig[name]!.call(big(self), a, b);
  }

  function floorCeil(self: Untyped, places: Untyped, up: boolean): Untyped {
    if (!places && loadThis(self)) {
      const r = tn % td, q = (tn - r) / td;
      // floor: toward -inf; ceil: toward +inf
      const k = ts < 0 ? -q - (!up && r > 0 ? 1 : 0) : q + (up && r > 0 ? 1 : 0);
      return make(k, 1);
    }
    return orig[up ? "ceil" : "floor"]!.call(big(self), places);
  }

  const methods: Record<string, (this: Untyped, ...args: Untyped[]) => Untyped> = {
    add(a, b) {
      return addSub(this, a, b, 1, "add");
    },
    sub(a, b) {
      return addSub(this, a, b, -1, "sub");
    },
    mul(a, b) {
      if (loadThis(this) && loadArg(a, b)) {
        const n = tn * pn, d = td * pd;
        if (n <= MAX && d <= MAX) return make(ts * ps * n, d);
      }
      return orig.mul!.call(big(this), a, b);
    },
    div(a, b) {
      if (loadThis(this) && loadArg(a, b) && pn !== 0) {
        const n = tn * pd, d = td * pn;
        if (n <= MAX && d <= MAX) return make(ts * ps * n, d);
      }
      return orig.div!.call(big(this), a, b);
    },
    abs() {
      return loadThis(this) ? make(tn, td) : orig.abs!.call(this);
    },
    neg() {
      return loadThis(this) ? make(-ts * tn, td) : orig.neg!.call(this);
    },
    clone() {
      return loadThis(this) ? make(ts * tn, td) : orig.clone!.call(this);
    },
    floor(places) {
      return floorCeil(this, places, false);
    },
    ceil(places) {
      return floorCeil(this, places, true);
    },
    compare(a, b) {
      return compare(this, a, b);
    },
    equals(a, b) {
      const c = cmp(this, a, b);
      return c === c ? c === 0 : orig.equals!.call(big(this), a, b);
    },
    valueOf(this: Untyped) {
      return typeof this.n === "number" ? this.s * this.n / this.d : orig.valueOf!.call(this);
    },
    // Strudel's own (core/fraction.mjs), on the methods above
    sam() {
      return floorCeil(this, undefined, false);
    },
    nextSam() {
      return floorCeil(this, undefined, false).add(1);
    },
    cyclePos() {
      return this.sub(floorCeil(this, undefined, false));
    },
    wholeCycle() {
      return span(this.sam(), this.nextSam());
    },
    lt(a) {
      return compare(this, a) < 0;
    },
    gt(a) {
      return compare(this, a) > 0;
    },
    lte(a) {
      return compare(this, a) <= 0;
    },
    gte(a) {
      return compare(this, a) >= 0;
    },
    eq(a) {
      return compare(this, a) == 0;
    },
    ne(a) {
      return compare(this, a) != 0;
    },
    max(a) {
      return compare(this, a) > 0 ? this : a;
    },
    min(a) {
      return compare(this, a) < 0 ? this : a;
    },
  };

  for (const [key, fn] of Object.entries(orig)) {
    if (Object.hasOwn(methods, key) || STRUDEL_COMPOSED.has(key)) continue;
    // every other method reads the receiver's fields itself: give it BigInts
    methods[key] = function (this: Untyped, ...args: Untyped[]) {
      return fn.apply(big(this), args);
    };
  }
  return swapOf("Fraction", proto, methods);
}

/** Makes a `TimeSpan` from two times (rationals or numbers). */
type MakeSpan = (begin: Untyped, end: Untyped) => Untyped;

/** A `TimeSpan` maker that keeps ends that are already core's rationals instead of copying them. */
function spanMaker(core: Untyped): MakeSpan {
  const Frac = core.Fraction._original, fraction = core.Fraction;
  /** A span over two rationals as they are. */
  function Span(this: Untyped, begin: Untyped, end: Untyped) {
    this.begin = begin;
    this.end = end;
  }
  Span.prototype = core.TimeSpan.prototype;
  const asFrac = (x: Untyped) => (x instanceof Frac ? x : fraction(x));
  // deno-lint-ignore no-explicit-any
  return (b, e) => new (Span as any)(asFrac(b), asFrac(e));
}

/**
 * Span methods for Strudel's `TimeSpan.prototype` (and the rational's
 * `wholeCycle`) that make their spans without the constructor's copy of both
 * ends: `new TimeSpan(b, e)` runs fraction.js's parse and Euclid on each end
 * (a third of a query's time), while rationals are never mutated, so one
 * already made can be shared. An end that is not core's Fraction still goes
 * through `Fraction()`. The logic is Strudel 1.2.5's (core/timespan.mjs),
 * method for method.
 */
function timeSpanMethods(core: Untyped, span: MakeSpan): Swap {
  const spanCycles: PropertyDescriptor = {
    configurable: true,
    get(this: Untyped) {
      const out = [];
      let b = this.begin;
      const end = this.end, endSam = end.sam();
      if (b.equals(end)) return [span(b, end)];
      while (end.gt(b)) {
        if (b.sam().equals(endSam)) {
          out.push(span(b, this.end));
          break;
        }
        const next = b.nextSam();
        out.push(span(b, next));
        b = next;
      }
      return out;
    },
  };
  const methods = {
    cycleArc(this: Untyped) {
      const b = this.begin.cyclePos();
      return span(b, b.add(this.duration));
    },
    withTime(this: Untyped, f: (t: Untyped) => Untyped) {
      return span(f(this.begin), f(this.end));
    },
    withEnd(this: Untyped, f: (t: Untyped) => Untyped) {
      return span(this.begin, f(this.end));
    },
    withCycle(this: Untyped, f: (t: Untyped) => Untyped) {
      const sam = this.begin.sam();
      return span(sam.add(f(this.begin.sub(sam))), sam.add(f(this.end.sub(sam))));
    },
    intersection(this: Untyped, o: Untyped) {
      const b = this.begin.max(o.begin), e = this.end.min(o.end);
      if (b.gt(e)) return undefined;
      if (
        b.equals(e) &&
        (b.equals(this.end) && this.begin.lt(this.end) || b.equals(o.end) && o.begin.lt(o.end))
      ) return undefined;
      return span(b, e);
    },
    midpoint(this: Untyped) {
      return this.begin.add(this.duration.div(2));
    },
  };
  return swapOf("TimeSpan", core.TimeSpan.prototype, methods, { spanCycles });
}

/** Strudel's additions that only call other methods: they work on either kind as they are. */
const STRUDEL_COMPOSED = new Set([
  "maximum",
  "mulmaybe",
  "divmaybe",
  "addmaybe",
  "submaybe",
  "show",
  "or",
]);
