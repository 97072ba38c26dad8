/** Strudel loaded once: mini-notation on, exact fractions, our scale registered. */
import assert from "node:assert/strict";
import { fraction, strudel } from "./strudel.ts";
import "./pattern.ts";

Deno.test("fraction(num, den) is exact", () => {
  const third = fraction(1, 3);
  assert.equal(third.toFraction(), "1/3");
  assert.equal(third.valueOf(), 1 / 3);
  assert.equal(fraction(53760, 53760).toFraction(), "1");
  assert.equal(fraction(3, 53760).add(fraction(53757, 53760)).toFraction(), "1");
});

Deno.test("strings are mini-notation", () => {
  const haps = strudel.s("bd*2 [sd cp]").queryArc(0, 1);
  assert.deepEqual(haps.map((h: { value: { s: string } }) => h.value.s), ["bd", "bd", "sd", "cp"]);
});

Deno.test("patterns have tonal's .scale and .voicing, on the same core instance", async () => {
  const haps = strudel.n("0 4").scale("C3:major").queryArc(0, 1);
  assert.deepEqual(haps.map((h: { value: { note: string } }) => h.value.note), ["C3", "G3"]);
  assert.equal(typeof strudel.Pattern.prototype.voicing, "function");
  const { Pattern } = await import("@strudel/core");
  assert.equal(Pattern, strudel.Pattern);
});
