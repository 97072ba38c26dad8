/** The terminal piano roll: rows per pitch (highest first) then per sound, starts and holds. */
import assert from "node:assert/strict";
import { pianoRoll } from "./piano_roll.ts";

Deno.test("pitches high to low, then sounds; █ starts, ▒ holds, │ per cycle", () => {
  const roll = pianoRoll([
    { cycle: 0, cycles: 0.5, value: { note: "E3", s: "bass" } },
    { cycle: 0.5, cycles: 0.25, value: { note: 60 } },
    { cycle: 1, cycles: 1, value: { n: 2 } }, // no sound: n is the pitch
    { cycle: 0, cycles: 0.25, value: { s: "bd" } },
    { cycle: 1.5, cycles: 0.25, value: { s: "bd", n: 1 } },
    { cycle: 2, cycles: 1, value: { note: 70 } }, // outside the cycles shown
  ], { from: 0, cycles: 2, columnsPerCycle: 4 });
  assert.equal(
    roll,
    [
      "   C4 │  █ │    │",
      "   E3 │█▒  │    │",
      "  D-1 │    │█▒▒▒│",
      "   bd │█   │  █ │",
    ].join("\n"),
  );
});

Deno.test("an empty roll is empty; too many rows are counted", () => {
  assert.equal(pianoRoll([], { from: 0 }), "");
  const many = Array.from(
    { length: 30 },
    (_, i) => ({ cycle: 3, cycles: 1, value: { note: 40 + i } }),
  );
  const lines = pianoRoll(many, { from: 3, cycles: 1, maxRows: 5 }).split("\n");
  assert.equal(lines.length, 6);
  assert.match(lines[0]!, /^ {3}A4 │█▒{31}│$/); // the highest: 40 + 29 = 69 = A4
  assert.equal(lines[5], "      (25 more rows)");
});
