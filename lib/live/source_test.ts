/**
 * Sources: pattern and generator events in ticks, chunked queries agreeing
 * with one query, seeded generators, errors propagating.
 */
import assert from "node:assert/strict";
import { BadValue } from "../pattern/bad_value.ts";
import { mini, note, s, stack } from "../pattern/pattern.ts";
import { queryPattern } from "../pattern/query.ts";
import { fraction } from "../pattern/strudel.ts";
import {
  everyBar,
  everyBeat,
  everyCycle,
  GeneratorSource,
  mixSeed,
  PatternSource,
  type SourceEvent,
  TICKS_PER_CYCLE,
  toSource,
} from "./source.ts";

const T = TICKS_PER_CYCLE;
const meter = { beatsPerCycle: 4, beatsPerBar: 4 };
/** [start, length] in ticks (exact up to rounding) and the sound or note. */
const brief = (evs: SourceEvent[]) =>
  evs.map((e) => [Math.round(e.cycle * T), Math.round(e.cycles * T), e.value.s ?? e.value.note]);

Deno.test("TICKS_PER_CYCLE divides into triplets, quintuplets, septuplets and 2^9", () => {
  for (const d of [3, 5, 7, 512, 3 * 5 * 7 * 512]) assert.equal(T % d, 0);
});

Deno.test("a pattern source: events with an onset in [from, to), start and length in cycles", () => {
  const src = new PatternSource(s("bd [sd sd] hh"));
  assert.deepEqual(brief(src.query(0, T)), [
    [0, T / 3, "bd"],
    [T / 3, T / 6, "sd"],
    [T / 2, T / 6, "sd"],
    [2 * T / 3, T / 3, "hh"],
  ]);
  // "bd" overlaps [T/6, T) but starts before it: not there
  assert.deepEqual(brief(src.query(T / 6, T)).map((x) => x[2]), ["sd", "sd", "hh"]);
  // a third is exact in ticks: no event lost or doubled at the boundary
  assert.deepEqual(brief(src.query(0, T / 3)).map((x) => x[2]), ["bd"]);
  assert.deepEqual(brief(src.query(T / 3, T / 2)).map((x) => x[2]), ["sd"]);
  assert.deepEqual(src.query(T, T), []);
  assert.deepEqual(src.query(T, 0), []);
});

Deno.test("a pattern source queried in chunks gives the same events as in one query", () => {
  const src = new PatternSource(s("bd*3 [sd cp]*5 hh(5,8)").fast("<1 2 1.5>"));
  const once = src.query(0, 4 * T);
  const chunked: SourceEvent[] = [];
  for (let a = 0; a < 4 * T; a += 997) chunked.push(...src.query(a, Math.min(4 * T, a + 997)));
  assert.deepEqual(brief(chunked), brief(once));
  assert.ok(once.length > 40);
});

Deno.test("windows inside a cycle, cut from the whole cycle's query, match direct queries", () => {
  // starts off the tick grid (elevenths, a 1.1 speed-up), on it, and at window boundaries
  const pat = stack(
    s("bd*11"),
    s("hh*16").fast(1.1),
    note("c3 [e3 g3]").s("piano").sometimes((p) => p.gain(0.5)),
  );
  const src = new PatternSource(pat);
  const direct = (a: number, b: number) =>
    queryPattern(pat, fraction(a, T), fraction(b, T))
      .filter((h) => h.whole && h.hasOnset())
      .map((h) =>
        [
          h.whole!.begin.valueOf(),
          h.whole!.end.valueOf() - h.whole!.begin.valueOf(),
          h.value,
        ] as const
      )
      .sort((x, y) => x[0] - y[0]);
  let n = 0;
  for (const step of [T / 10, 4887, 4889, T / 16, 1]) {
    // one-tick windows around the second eleventh (4887.27 ticks): an off-grid start
    const [first, limit] = step === 1 ? [4800, 5000] : [0, 3 * T];
    for (let a = first; a < limit; a += step) {
      const got = src.query(a, a + step).map((e) => [e.cycle, e.cycles, e.value] as const);
      assert.deepEqual(got, direct(a, a + step), `window [${a}, ${a + step})`);
      n += got.length;
    }
  }
  // far on (cycle 2^36): start times past 2^53 ticks as products, placed through BigInts
  for (let a = 2 ** 36 * T; a < (2 ** 36 + 1) * T; a += T / 10) {
    const got = src.query(a, a + T / 10).map((e) => [e.cycle, e.cycles, e.value] as const);
    assert.deepEqual(got, direct(a, a + T / 10), `window [${a}, ${a + T / 10})`);
    n += got.length;
  }
  assert.ok(n > 300);
});

Deno.test("a cycle that throws in its second half still plays its first half, window by window", () => {
  const src = new PatternSource(
    s("bd sd").withValue((v: Record<string, unknown>) => {
      if (v.s === "sd") throw new Error("no sd");
      return v;
    }),
  );
  assert.deepEqual(brief(src.query(0, T / 2)), [[0, T / 2, "bd"]]);
  assert.throws(() => src.query(T / 2, T), /^Error: no sd$/);
});

Deno.test("a bare value becomes the note; a BadValue stays one event's note", () => {
  assert.deepEqual(new PatternSource(mini("60 62")).query(0, T).map((e) => e.value), [
    { note: 60 },
    { note: 62 },
  ]);
  const bad = new PatternSource(mini("0 4").scale("C:nope")).query(0, T);
  assert.equal(bad.length, 2);
  assert.ok(bad.every((e) => e.value.note instanceof BadValue));
});

Deno.test("what a pattern throws while queried propagates", () => {
  const src = new PatternSource(
    s("bd").withValue(() => {
      throw new Error("nope");
    }),
  );
  assert.throws(() => src.query(0, T), /^Error: nope$/);
});

Deno.test("a generator per bar: events at exact beats, in cycles", () => {
  const src = new GeneratorSource(
    everyBar((bar) => {
      bar.play("bd", { at: 0 });
      bar.play("sd", { at: 1, dur: 0.5, gain: 0.5 });
      bar.play("hh", { at: 3.5 });
    }),
    meter,
    1,
    "g",
  );
  assert.deepEqual(src.query(0, 2 * T).map((e) => [e.cycle, e.cycles, e.value]), [
    [0, 1, { s: "bd" }], // default length: the rest of the bar
    [0.25, 0.125, { s: "sd", gain: 0.5 }],
    [0.875, 0.125, { s: "hh" }], // the rest of the bar
    [1, 1, { s: "bd" }],
    [1.25, 0.125, { s: "sd", gain: 0.5 }],
    [1.875, 0.125, { s: "hh" }],
  ]);
});

Deno.test("generator units: bars of 3 beats in 4-beat cycles, beats, cycles; each unit computed once", () => {
  const seen: number[] = [];
  const bars = new GeneratorSource(
    everyBar((bar) => {
      seen.push(bar.index);
      bar.play("bd");
    }),
    { beatsPerCycle: 4, beatsPerBar: 3 },
    1,
    "b",
  );
  assert.deepEqual(bars.query(0, 2 * T).map((e) => e.cycle), [0, 0.75, 1.5]);
  bars.query(0, 2 * T);
  bars.query(T / 2, T);
  assert.deepEqual(seen, [0, 1, 2]); // cached: not called again
  const beats = new GeneratorSource(everyBeat((b) => b.play("hh")), meter, 1, "h");
  assert.deepEqual(beats.query(0, T).map((e) => e.cycle), [0, 0.25, 0.5, 0.75]);
  const cycles = new GeneratorSource(
    everyCycle((c) => c.play("bd", { at: c.beats - 1 })),
    meter,
    1,
    "c",
  );
  assert.deepEqual(cycles.query(0, 2 * T).map((e) => e.cycle), [0.75, 1.75]);
});

Deno.test("a generator's random numbers depend on the seed, the part and the unit only", () => {
  const make = (seed: number, name: string) =>
    new GeneratorSource(
      everyBar((bar) => {
        for (let i = 0; i < 8; i++) bar.play("bd", { at: i / 2, gain: bar.random.next() });
      }),
      meter,
      seed,
      name,
    );
  const gains = (src: GeneratorSource, from: number, to: number) =>
    src.query(from, to).map((e) => e.value.gain);
  const a = make(7, "x");
  assert.deepEqual(gains(a, 0, 3 * T), gains(make(7, "x"), 0, 3 * T));
  // bar 2 alone gives what it gave in the long query
  assert.deepEqual(gains(make(7, "x"), 2 * T, 3 * T), gains(a, 0, 3 * T).slice(16));
  assert.notDeepEqual(gains(a, 0, T), gains(make(8, "x"), 0, T));
  assert.notDeepEqual(gains(a, 0, T), gains(make(7, "y"), 0, T));
  assert.notDeepEqual(gains(a, 0, T), gains(a, T, 2 * T));
});

Deno.test("a generator's errors propagate: a bad `at`, a throw", () => {
  const neg = new GeneratorSource(everyBar((b) => b.play("bd", { at: -1 })), meter, 1, "n");
  assert.throws(
    () => neg.query(0, T),
    (err: unknown) =>
      err instanceof RangeError &&
      err.message === 'Cannot play "bd": at must be >= 0 beats, got "-1"',
  );
  const boom = new GeneratorSource(
    everyBar((b) => {
      if (b.index === 2) throw new Error("bar two");
      b.play("bd");
    }),
    meter,
    1,
    "t",
  );
  assert.equal(boom.query(0, 2 * T).length, 2);
  assert.throws(() => boom.query(2 * T, 3 * T), /bar two/);
});

Deno.test("toSource: a pattern, a generator, or a TypeError naming the part", () => {
  assert.ok(toSource(s("bd"), meter, 1, "p") instanceof PatternSource);
  assert.ok(toSource(everyBar(() => {}), meter, 1, "g") instanceof GeneratorSource);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => toSource(42 as any, meter, 1, "x"),
    (err: unknown) =>
      err instanceof TypeError &&
      err.message ===
        'Cannot play part "x": give a pattern (s("bd sd")) or a generator (everyBar(...)), got number',
  );
});

Deno.test("mixSeed is FNV-1a over the text, started from the seed", () => {
  assert.equal(mixSeed(0, ""), 0x811c9dc5);
  assert.equal(mixSeed(0, "a"), 0xe40c292c);
  assert.equal(mixSeed(0, "foobar"), 0xbf9cf968);
  assert.notEqual(mixSeed(1, "a"), mixSeed(2, "a"));
});
