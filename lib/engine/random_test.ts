import assert from "node:assert/strict";
import { Random } from "./random.ts";

Deno.test("Random: same seed gives the same sequence, another seed another", () => {
  const seq = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 50 }, () => r.next());
  };
  assert.deepEqual(seq(42), seq(42));
  assert.notDeepEqual(seq(42), seq(43));
  for (const x of seq(7)) assert.ok(x >= 0 && x < 1);
});

Deno.test("Random.int covers both bounds; pick and chance", () => {
  const r = new Random(1);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(r.int(1, 6));
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
  assert.throws(() => r.int(3, 2), RangeError);
  assert.throws(() => r.pick([]), RangeError);
  assert.ok(["a", "b"].includes(r.pick(["a", "b"])));
  assert.equal(typeof r.chance(), "boolean");
  assert.throws(() => new Random(1.5), RangeError);
});
