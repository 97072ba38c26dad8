/**
 * The bound on events one operation makes of one event: runaway counts throw
 * a named RangeError (when built, or when a patterned value is queried) and
 * the process lives; counts within the bound give exactly Strudel's own events.
 */
import assert from "node:assert/strict";
import { MAX_EVENTS_PER_EVENT, unguarded } from "./density_guard.ts";
import { MAX_EVENTS_PER_QUERY, queryPattern } from "./query.ts";
import * as rawMini from "@strudel/mini";
import { strudel, strudelMini } from "./strudel.ts";

// deno-lint-ignore no-explicit-any
type Untyped = any;

const bd = () => strudel.s("bd sd");

/** [what, build]: each would make about 1e9 events or more per cycle. */
const RUNAWAY: [string, string, () => Untyped][] = [
  ['s("bd*1e9")', "fast", () => strudel.s("bd*1e9")],
  ['s("bd!1e9")', "fast", () => strudel.s("bd!1e9")],
  ['s("bd/1e-9")', "slow", () => strudel.s("bd/1e-9")],
  ['s("bd(3,1e9)")', "euclid", () => strudel.s("bd(3,1e9)")],
  [".fast(1e12)", "fast", () => bd().fast(1e12)],
  [".slow(1e-9)", "slow", () => bd().slow(1e-9)],
  [".segment(1e9)", "segment", () => bd().segment(1e9)],
  [".chop(1e9)", "chop", () => bd().chop(1e9)],
  [".striate(1e9)", "striate", () => bd().striate(1e9)],
  [".ply(1e9)", "ply", () => bd().ply(1e9)],
  [".hurry(1e9)", "hurry", () => bd().hurry(1e9)],
  [".euclid(3, 1e9)", "euclid", () => bd().euclid(3, 1e9)],
  ["run(1e9)", "segment", () => strudel.n(strudel.run(1e9))],
  ["fast(1e12, pat)", "fast", () => strudel.fast(1e12, bd())],
  ["ply(1e9, pat)", "ply", () => strudel.ply(1e9, bd())],
  ["._fast(1e12)", "fast", () => bd()._fast(1e12)],
  ["._ply(1e9)", "ply", () => bd()._ply(1e9)],
  [".linger(1e-9)", "linger", () => bd().linger(1e-9)],
  [".zoom(0, 1e9)", "zoom", () => bd().zoom(0, 1e9)],
  [".iter(1e9)", "iter", () => bd().iter(1e9)],
  [".chunk(1e9, ...)", "chunk", () => bd().chunk(1e9, (x: Untyped) => x.hurry(2))],
];

/** The error building `build` and querying 4 cycles gives (fails when there is none). */
function thrown(build: () => Untyped): Error {
  try {
    const p = build();
    for (let c = 0; c < 4; c++) queryPattern(p, c, c + 1);
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail("no error");
}

for (const [what, name, build] of RUNAWAY) {
  Deno.test(`${what}: a RangeError naming ${name}, the value and the fix`, () => {
    const err = thrown(build);
    assert.match(
      err.message,
      new RegExp(
        `Cannot ${name}\\("[^"]+"\\): it would make more than ${MAX_EVENTS_PER_EVENT} ` +
          `(events per cycle of each event|parts of each cycle); use a value that makes at most ${MAX_EVENTS_PER_EVENT}$`,
      ),
    );
  });
}

Deno.test('.ply("<1 1e92>") plays cycle 0 and throws when cycle 1 is queried', () => {
  const p = bd().ply("<1 1e92>");
  assert.equal(queryPattern(p, 0, 1).length, 2);
  assert.throws(
    () => queryPattern(p, 1, 2),
    /^RangeError: Cannot ply\("1e\+92"\): it would make more than 10000/,
  );
  assert.throws(() => queryPattern(p, 0, 2), RangeError);
  assert.equal(queryPattern(p, 2, 3).length, 2);
  assert.throws(() => queryPattern(bd().fast("<2 [1 1e9]>"), 1, 2), /Cannot fast\("1000000000"\)/);
});

Deno.test("the bound is inclusive: 10000 passes, 10001 throws", () => {
  assert.equal(
    queryPattern(strudel.s("bd").ply(MAX_EVENTS_PER_EVENT), 0, 1).length,
    MAX_EVENTS_PER_EVENT,
  );
  assert.throws(() => strudel.s("bd").ply(MAX_EVENTS_PER_EVENT + 1), /Cannot ply\("10001"\)/);
  assert.throws(() => strudel.s("bd").slow(1 / (MAX_EVENTS_PER_EVENT + 1)), /Cannot slow/);
  // slow(0) and fast(0) stay Strudel's silence
  assert.deepEqual(queryPattern(bd().slow(0), 0, 1), []);
  assert.deepEqual(queryPattern(bd().fast(0), 0, 1), []);
});

/** The events of `build()` over cycles 0..7, as comparable text. */
function events(build: () => Untyped): string[] {
  const p = build();
  const out: string[] = [];
  for (let c = 0; c < 8; c++) {
    for (const h of queryPattern(p, c, c + 1) as Untyped[]) out.push(h.show(true));
  }
  return out;
}

const NORMAL: [string, () => Untyped][] = [
  ["fast(2)", () => bd().fast(2)],
  ['fast("<1 2 [3 0.5]>")', () => bd().fast("<1 2 [3 0.5]>")],
  ["ply(3)", () => bd().ply(3)],
  ['ply("<1 2 3>")', () => bd().ply("<1 2 3>")],
  ['"bd*16"', () => strudel.s("bd*16 [sd cp]!2 hh/2 oh(3,8) ~@3")],
  ["segment(16)", () => strudel.n(strudel.saw.range(0, 8)).segment(16)],
  ["chop(8)", () => bd().chop(8)],
  ["striate(32)", () => bd().striate(32)],
  ["slow(0.5)", () => bd().slow(0.5)],
  ['slow("<2 0.25>")', () => bd().slow("<2 0.25>")],
  ["hurry(2)", () => bd().hurry(2)],
  ["euclid(3, 8)", () => bd().euclid(3, 8)],
  ["run(8)", () => strudel.n(strudel.run(8))],
  ["fast(2, pat)", () => strudel.fast(2, bd())],
  ["linger(0.25)", () => strudel.s("bd sd hh cp").linger(0.25)],
  ["zoom(0.25, 0.75)", () => strudel.s("bd sd hh cp").zoom(0.25, 0.75)],
  ["iter(4)", () => strudel.s("bd sd hh cp").iter(4)],
  ["chunk(4, hurry(2))", () => strudel.s("bd sd hh cp").chunk(4, (x: Untyped) => x.hurry(2))],
];

for (const [what, build] of NORMAL) {
  Deno.test(`${what}: exactly Strudel's own events over 8 cycles`, () => {
    const want = unguarded(() => events(build));
    assert.ok(want.length > 0);
    assert.deepEqual(events(build), want);
  });
}

Deno.test("unguarded really is Strudel's own: ply(20000) passes there and throws here", () => {
  assert.equal(unguarded(() => queryPattern(strudel.s("bd").ply(20000), 0, 1).length), 20000);
  assert.throws(() => strudel.s("bd").ply(20000), RangeError);
});

Deno.test("a query returning more than MAX_EVENTS_PER_QUERY events is refused, with the span and the count", () => {
  // each factor within the bound, 200000 together; gain ends the guarded chain (see below)
  const p = strudel.s("bd").ply(10000).gain(1).fast(20);
  assert.throws(
    () => queryPattern(p, 0, 1),
    new RangeError(
      `Cannot query the pattern from cycle "0" to "1": it made "200000" events, more than ` +
        `${MAX_EVENTS_PER_QUERY} in one query; use fewer events per cycle`,
    ),
  );
  assert.equal(queryPattern(p, 0, 0.25).length, 50000);
});

Deno.test('a literal mini-notation range past the bound ("0 .. 1e9") is refused when parsed; "0 .. 7" plays as before', () => {
  const want = new RangeError(
    'Cannot expand "0 .. 1e9": it would make more than 10000 events per cycle of each event; ' +
      "use a range of at most 10000 values",
  );
  assert.throws(() => strudel.n("0 .. 1e9"), want);
  assert.throws(() => strudelMini.m("<0 [1 .. 2]> 0 .. 1e9", 0), want);
  assert.throws(() => strudelMini.mini("0 .. 1e9"), want);
  const values = (p: Untyped) => queryPattern(p, 0, 1).map((h: Untyped) => h.value.n ?? h.value);
  assert.deepEqual(values(strudel.n("0 .. 7")), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(values(strudel.n("9999 .. 0")).length, 10000);
  assert.deepEqual(values(rawMini.m("3 .. 0", 0)), values(strudelMini.m("3 .. 0", 0)));
});

/** Chains of guarded operations with plain counts, each count within the bound, past 100,000 together. */
const CHAINS: [string, () => Untyped][] = [
  [".ply(1e4).fast(1e4)", () => bd().ply(1e4).fast(1e4)],
  [".fast(1e4).ply(1e4)", () => bd().fast(1e4).ply(1e4)],
  [".chop(400).striate(400)", () => bd().chop(400).striate(400)],
  ['.hurry("1000").ply(1000)', () => bd().hurry("1000").ply(1000)],
  [".segment(1e4).fast(20)", () => strudel.n(strudel.saw).segment(1e4).fast(20)],
  ["fast(1000, pat.ply(1000))", () => strudel.fast(1000, bd().ply(1000))],
  [".fast(8).euclid(3, 8).ply(1e4).fast(2)", () => bd().fast(8).euclid(3, 8).ply(1e4).fast(2)],
];

for (const [what, build] of CHAINS) {
  Deno.test(`${what}: refused when built, naming the operation and the total`, () => {
    assert.throws(
      build,
      (err: Error) =>
        err instanceof RangeError &&
        /^Cannot [a-z]+\("\d+"\) after the operations before it: together they would make \d\.\de\+\d+ events per cycle of each event, more than 100000; use smaller counts$/
          .test(err.message),
    );
  });
}

Deno.test("chains within the total play Strudel's own events; slow divides; other methods end the chain", () => {
  for (
    const build of [
      () => bd().fast(1e4).slow(1e4).ply(5),
      () => bd().ply(100).fast(100),
      () => strudel.fast(4, bd().ply(3)).chop(2),
    ]
  ) {
    assert.deepEqual(events(build), unguarded(() => events(build)));
  }
  assert.doesNotThrow(() => bd().ply(300).fast(300)); // 90,000 a cycle: within
  assert.doesNotThrow(() => bd().ply(1e4).gain(1).fast(1e4)); // the query's own bound refuses it
});
