/**
 * lib/pattern/fast_time.ts against Strudel's own arithmetic (fraction.js 5, BigInts):
 * every replaced method on edge and random operands, and whole queries of tunes and
 * patterns, give the same rationals, spans, values and errors.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { strudelSources, useFastTime } from "../lib/pattern/fast_time.ts";
import { strudel } from "../lib/pattern/strudel.ts";
import { STRUDEL_OWN, traceBoth, type Window } from "./fuzz/targets.ts";

// deno-lint-ignore no-explicit-any
type Untyped = any;

const Frac: Untyped = strudel.Fraction._original;

/** Runs `f` with Strudel's own methods in place, then puts the fast ones back. */
function withStrudelOwn<T>(f: () => T): T {
  useFastTime(false);
  try {
    return f();
  } finally {
    useFastTime(true);
  }
}

/** A result as text: rationals exactly, spans as both ends, errors by message. */
function show(x: Untyped): string {
  if (x instanceof Frac) return `${BigInt(x.s) * BigInt(x.n)}/${BigInt(x.d)}`;
  if (x instanceof strudel.TimeSpan) return `[${show(x.begin)} ${show(x.end)})`;
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : String(x);
  if (typeof x === "object" && x !== null) return JSON.stringify(x);
  return `${typeof x} ${String(x)}`;
}

function run(f: () => Untyped): string {
  try {
    return show(f());
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

/** A rational as fraction.js's constructor makes it (BigInt fields). */
const big = (n: bigint | number, d: bigint | number = 1) => Frac(BigInt(n), BigInt(d));

/** The same rational held in numbers, as the fast methods make it (when it fits). */
function small(n: bigint | number, d: bigint | number = 1): Untyped {
  return big(0).add(big(n, d));
}

const P53 = 2n ** 53n;
const EDGE: [bigint, bigint][] = [
  [0n, 1n],
  [1n, 1n],
  [-1n, 1n],
  [7n, 1n],
  [1n, 3n],
  [-7n, 12n],
  [53759n, 53760n],
  [-53761n, 53760n],
  [(1n << 26n) - 1n, 1n << 26n],
  [1n << 26n, 3n],
  [(1n << 31n) + 1n, 7n],
  [P53 - 1n, 1n],
  [-(P53 - 1n), 3n],
  [P53, 1n],
  [P53 + 1n, P53 - 1n],
  [10n ** 20n, 3n],
  [1n, 10n ** 18n + 9n],
];

const METHODS_1 = [
  "add",
  "sub",
  "mul",
  "div",
  "compare",
  "equals",
  "lt",
  "gt",
  "lte",
  "gte",
  "eq",
  "ne",
  "max",
  "min",
  "mod",
  "gcd",
  "lcm",
  "divisible",
  "roundTo",
];
const METHODS_0 = [
  "floor",
  "ceil",
  "round",
  "sam",
  "nextSam",
  "cyclePos",
  "wholeCycle",
  "abs",
  "neg",
  "clone",
  "inverse",
  "valueOf",
  "toFraction",
  "toString",
  "show",
];

/** Arguments as Strudel passes them, and as fraction.js's parse reads them. */
function argumentsFor(): Untyped[][] {
  const args: Untyped[][] = [];
  for (const [n, d] of EDGE) args.push([big(n, d)]);
  for (const [n, d] of EDGE) args.push([small(n, d)]);
  for (const x of [0, 3, -5, 2 ** 53 - 1, 2 ** 53 + 2, 0.5, -0.125, NaN]) args.push([x]);
  args.push(["1/3"], ["0.(3)"], [[2, 3]], [1, 3], [undefined], [{ n: 5, d: 4 }]);
  return args;
}

Deno.test("the fast path is taken: results that fit hold numbers, spans share their ends", () => {
  const third = big(1, 3);
  assert.equal(typeof third.n, "bigint");
  const sum = third.add(big(1, 6));
  assert.equal(typeof sum.n, "number");
  assert.equal(show(sum), "1/2");
  const span = new strudel.TimeSpan(third, sum);
  const moved = span.withTime((t: Untyped) => t);
  assert.equal(moved.begin, span.begin);
  assert.ok(moved instanceof strudel.TimeSpan);
  // past 2^53 it is fraction.js's own BigInt arithmetic
  const huge = big(P53 + 1n, 3n).add(big(1, 3));
  assert.equal(typeof huge.n, "bigint");
  assert.equal(show(huge), `${P53 + 2n}/3`);
});

Deno.test("every replaced method gives fraction.js's result on edge operands", () => {
  const receivers: [string, Untyped][] = [];
  for (const [n, d] of EDGE) {
    receivers.push([`big ${n}/${d}`, big(n, d)], [`small ${n}/${d}`, small(n, d)]);
  }
  const args = argumentsFor();
  const cases: { what: string; call: (self: Untyped) => Untyped; self: Untyped }[] = [];
  for (const [name, self] of receivers) {
    for (const m of METHODS_0) cases.push({ what: `${name}.${m}()`, self, call: (x) => x[m]() });
    for (const places of [1, 2]) {
      for (const m of ["floor", "ceil", "round"]) {
        cases.push({ what: `${name}.${m}(${places})`, self, call: (x) => x[m](places) });
      }
    }
    for (const m of METHODS_1) {
      for (const a of args) {
        cases.push({ what: `${name}.${m}(${a.map(show)})`, self, call: (x) => x[m](...a) });
      }
    }
  }
  // fraction.js approximates a float that is not a dyadic fraction by a long Farey search
  for (const [name, self] of receivers.slice(0, 8)) {
    for (const m of METHODS_1) {
      for (const x of [1 / 3, 1e-9]) {
        cases.push({ what: `${name}.${m}(${x})`, self, call: (f) => f[m](x) });
      }
    }
  }
  const fast = cases.map((c) => run(() => c.call(c.self)));
  // Strudel's own methods read only BigInt fields: give them the receiver as the constructor makes it
  const own = withStrudelOwn(() => cases.map((c) => run(() => c.call(Frac(c.self)))));
  let smallResults = 0;
  for (let i = 0; i < cases.length; i++) {
    assert.equal(fast[i], own[i], cases[i]!.what);
    if (!fast[i]!.startsWith("throws")) smallResults++;
  }
  assert.ok(cases.length > 5000 && smallResults > cases.length / 2, `${cases.length} cases`);
});

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("fraction.js's results on 30,000 random operations, across the 2^53 boundary", () => {
  const r = random(16);
  /** A random integer below 2^bits (bits <= 60). */
  const int = (bits: number) =>
    (BigInt(Math.floor(r() * 2 ** Math.max(0, bits - 30))) << 30n) +
    BigInt(Math.floor(r() * 2 ** Math.min(bits, 30)));
  const operand = () => {
    const bits = [4, 12, 20, 27, 30, 40, 55][Math.floor(r() * 7)]!;
    const n = int(bits) * (r() < 0.3 ? -1n : 1n), d = int(bits) + 1n;
    return r() < 0.5 ? big(n, d) : small(n, d);
  };
  const binary = ["add", "sub", "mul", "div", "compare", "equals", "lt", "max"];
  const unary = ["floor", "ceil", "sam", "nextSam", "cyclePos", "neg", "valueOf"];
  const cases = Array.from({ length: 30_000 }, () => {
    const op = r() < 0.7
      ? binary[Math.floor(r() * binary.length)]!
      : unary[Math.floor(r() * unary.length)]!;
    const b = !binary.includes(op)
      ? undefined
      : r() < 0.2
      ? Math.floor((r() - 0.5) * 2 ** 20)
      : operand();
    return { op, a: operand(), b };
  });
  const fast = cases.map((c) => run(() => c.a[c.op](c.b)));
  const own = withStrudelOwn(() => cases.map((c) => run(() => Frac(c.a)[c.op](c.b))));
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    assert.equal(fast[i], own[i], `${show(c.a)}.${c.op}(${show(c.b)})`);
  }
  const bigints = cases.filter((c) => typeof c.a.n === "bigint").length;
  assert.ok(bigints > 1000 && cases.length - bigints > 1000, "both kinds of receiver");
});

/** Patterns that exercise Strudel's time arithmetic, beside the tunes. */
const PATTERNS = [
  `s("bd*2 [sd cp] hh*3 <oh ~ [lt mt]>")`,
  `s("bd(3,8,<0 2>), hh*<4 6 8>").fast(1.5)`,
  `note("c3 e3 g3").slow(2.25).late(1/3).early(0.125)`,
  `n("0 .. 7").scale("C:minor").ply("<1 2 3>").swingBy(1/3, 4)`,
  `s("bd sd").hurry("<1 2 0.75>").linger("<0.25 0.5>")`,
  `n("0 1 2 3 4 5 6 7").zoom(0.25, 0.75).compress(0.1, 0.9).rev()`,
  `s("hh*8").segment(12).degradeBy(0.3).sometimesBy(0.5, x => x.speed(2))`,
  `note("c a f e").off(1/8, x => x.add(note(12))).jux(rev).iter(4)`,
  `s("bd sd hh cp").chunk(4, x => x.fast(2)).palindrome().every(3, x => x.slow(1.5))`,
  `n(run(8)).chop(3).striate(2).struct("x ~ x x ~ x")`,
  `s("bd").euclidLegato(5, 8).mask("1 [0 1] 1 1").fastGap(1.5)`,
  `note(sine.range(40, 80).segment(7)).nudge("0 0.01").inside(2, rev)`,
  `s("[bd | sd | hh]*4").fast(1.0001)`,
  `note("<[c3,e3,g3] [a2,c3,e3]>").arp("0 [2 1]").slow(1.7)`,
  `s("bd*16").fast("<1 1.25 0.8>").ribbon(3, 2)`,
  `n(saw.range(0, 12).segment("<3 5 7>")).scale("D:dorian").late(0.123456789)`,
  `s("bd sd").stut(3, 0.5, 1/3).echo(2, 0.2, 0.5)`,
  `s("<bd sd> hh").repeatCycles(2).brak().press()`,
];

/** Query windows: whole cycles, thirds, sevenths, and far cycles past 2^26 and 2^40. */
function windows(): Window[] {
  const w: Window[] = [];
  for (let c = 0; c < 8; c++) w.push([big(c), big(c + 1)]);
  for (let i = 0; i < 9; i++) w.push([big(i, 3), big(i + 1, 3)]);
  for (let i = 0; i < 9; i++) w.push([big(i, 7), big(i + 1, 7)]);
  for (const far of [2n ** 26n + 5n, 2n ** 40n + 1n, 2n ** 52n]) {
    w.push([big(far), big(far + 1n)], [big(3n * far + 1n, 3n), big(3n * far + 2n, 3n)]);
  }
  return w;
}

Deno.test("tunes and patterns query to the same events as with Strudel's own arithmetic", async () => {
  const codes = [
    ...["examples/tune.strudel", "examples/from_strudel.strudel"].map((f) =>
      Deno.readTextFileSync(new URL(`../${f}`, import.meta.url))
    ),
    ...STRUDEL_OWN,
    ...PATTERNS,
  ];
  let events = 0;
  for (const code of codes) {
    const { fast, own } = await traceBoth(code, windows());
    assert.ok(!fast[0]?.startsWith("eval "), `${code}: ${fast[0]}`); // every one evaluates
    assert.deepEqual(fast, own, code);
    events += fast.filter((l) => !/^(part|cps|query) /.test(l)).length;
  }
  assert.ok(events > 5000, `${events} events compared`);
});

Deno.test("MS_FRACTION=bigint keeps Strudel's own arithmetic", async () => {
  const code = `import { strudel } from "${new URL("../lib/pattern/strudel.ts", import.meta.url)}";
console.log(typeof strudel.Fraction(1).add(1).n);`;
  const kind = async (env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", new URL("../deno.json", import.meta.url).pathname, code],
      env,
      stderr: "inherit",
    }).output();
    assert.ok(out.success);
    return new TextDecoder().decode(out.stdout).trim();
  };
  assert.equal(await kind({ MS_FRACTION: "bigint" }), "bigint");
  assert.equal(await kind({}), "number");
});

/**
 * The methods replaced by lib/pattern/fast_time.ts, as Strudel 1.2.5 and fraction.js
 * 5.3.4 shipped them. An upgrade that changes one fails here: check the replacement
 * against the new source, then update the digest.
 */
const SOURCES_SHA256 = "c36da273fb4320696ee48c0a9c0f8455e94507f5bd29ecaaca0abf81f6de34f8";

Deno.test("the replaced methods are the ones reimplemented (Strudel and fraction.js unchanged)", () => {
  const sources = strudelSources();
  const text = Object.keys(sources).sort().map((k) => `${k}\n${sources[k]}`).join("\n\n");
  const digest = createHash("sha256").update(text).digest("hex");
  assert.equal(
    digest,
    SOURCES_SHA256,
    `Strudel's time methods changed (${Object.keys(sources).length} methods): review ` +
      `lib/pattern/fast_time.ts against them, then set SOURCES_SHA256 to the new digest`,
  );
});
