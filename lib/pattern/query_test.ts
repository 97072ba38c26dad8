/** queryPattern: the same events as Strudel's queryArc, but errors reach the caller. */
import assert from "node:assert/strict";
import { s, stack } from "./pattern.ts";
import { queryPattern } from "./query.ts";
import { fraction } from "./strudel.ts";

const boom = () =>
  s("bd sd").withValue(() => {
    throw new RangeError("boom");
  });

Deno.test("queryPattern gives what queryArc gives, for numbers and exact rationals", () => {
  const p = s("bd*3 [sd cp]").fast("<1 2>");
  for (const [b, e] of [[0, 1], [0.5, 2.25], [1, 3]] as const) {
    const want = p.queryArc(b, e).map((h) => [h.whole?.begin.toFraction(), h.value]);
    const got = queryPattern(p, b, e).map((h) => [h.whole?.begin.toFraction(), h.value]);
    assert.deepEqual(got, want);
  }
  const thirds = queryPattern(s("a b c"), fraction(1, 3), fraction(2, 3));
  assert.deepEqual(thirds.map((h) => [h.part.begin.toFraction(), h.value.s]), [["1/3", "b"]]);
});

Deno.test("an error while querying propagates (queryArc would return no events)", () => {
  const quiet = console.log;
  let logged = "";
  console.log = (...a: unknown[]) => (logged += a.join(" "));
  try {
    assert.deepEqual(stack(s("hh*4"), boom()).queryArc(0, 1), []); // the whole stack, silent
  } finally {
    console.log = quiet;
  }
  assert.match(logged, /\[query\]: boom/);
  assert.throws(() => queryPattern(stack(s("hh*4"), boom()), 0, 1), (err: unknown) => {
    assert.ok(err instanceof RangeError);
    assert.equal(err.message, "boom");
    return true;
  });
});

Deno.test("something that is not a Strudel pattern is a TypeError", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => queryPattern({ queryArc: () => [] } as any, 0, 1),
    /^TypeError: Cannot query pattern: it has no query function/,
  );
});
