/**
 * rangeWarnings: overlapping zones one line per pair while they are few, in
 * zone order (alternatives of one group are not overlaps), then the rest in
 * one summary line.
 */

import assert from "node:assert/strict";
import { rangeWarnings } from "./inspect.ts";
import { validateDefinition } from "./load.ts";

Deno.test("rangeWarnings: a few overlaps one per line, in zone order; alternatives are not overlaps", () => {
  const def = validateDefinition({
    name: "x",
    zones: [
      { sample: "a.wav", keys: [60, 64] },
      { sample: "b.wav", keys: [62, 70], velocities: [1, 64] },
      { sample: "c.wav", keys: [60, 64], altGroup: "rr" },
      { sample: "d.wav", keys: [60, 64], altGroup: "rr" },
    ],
  }, "x.ts");
  assert.deepEqual(rangeWarnings(def), [
    "overlap: zones 0 and 1 both play keys D4..E4(62..64) at velocities 1..64",
    "overlap: zones 0 and 2 both play keys C4..E4(60..64) at velocities 1..127",
    "overlap: zones 0 and 3 both play keys C4..E4(60..64) at velocities 1..127",
    "overlap: zones 1 and 2 both play keys D4..E4(62..64) at velocities 1..64",
    "overlap: zones 1 and 3 both play keys D4..E4(62..64) at velocities 1..64",
    "uncovered: keys F4..A#4(65..70) have no zone at velocities 65..127",
  ]);
});

Deno.test("rangeWarnings: many overlaps (two mic layers) are five lines and one summary", () => {
  // two mic positions layered on 8 key ranges: 8 pairs
  const zones = Array.from({ length: 16 }, (_, i) => {
    const lo = 24 + 12 * (i >> 1);
    return { sample: `mic${i % 2}_${i >> 1}.wav`, keys: [lo, lo + 11] as [number, number] };
  });
  const lines = rangeWarnings(validateDefinition({ name: "y", zones }, "y.ts"));
  assert.deepEqual(lines, [
    "overlap: zones 0 and 1 both play keys C1..B1(24..35) at velocities 1..127",
    "overlap: zones 2 and 3 both play keys C2..B2(36..47) at velocities 1..127",
    "overlap: zones 4 and 5 both play keys C3..B3(48..59) at velocities 1..127",
    "overlap: zones 6 and 7 both play keys C4..B4(60..71) at velocities 1..127",
    "overlap: zones 8 and 9 both play keys C5..B5(72..83) at velocities 1..127",
    "overlap: 3 more pairs like these (8 pairs in all, 16 of 16 zones): layers that sound " +
    "together (often intended, as mic positions or release layers are)",
  ]);
});
