/**
 * set_generators: a set without patterns — plain TypeScript functions per
 * bar and per beat, with the seeded random generator (`--seed`).
 *
 *   deno task perform examples/set_generators.ts --backend jack --seed 3
 *   deno task render examples/set_generators.ts gen.wav --cycles 8 --seed 3
 *
 * Each bar's notes depend only on the seed, the part's name and the bar's
 * index, so a reload that leaves a part unchanged keeps it where it was.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineSet, everyBar, everyBeat } from "../lib/live/mod.ts";

const MINOR_PENTATONIC = [0, 3, 5, 7, 10];

export default defineSet((set) => {
  set.tempo(100);
  set.play(
    "drums",
    everyBar((bar) => {
      bar.play("bd", { at: 0, gain: 0.8 });
      bar.play("bd", { at: bar.random.chance(0.5) ? 2.5 : 2, gain: 0.7 });
      bar.play("sd", { at: 1, gain: 0.6 });
      bar.play("sd", { at: 3, gain: 0.6 });
      if (bar.index % 4 === 3) bar.play("cp", { at: 3.5, gain: 0.5 });
    }),
  );
  set.play(
    "hats",
    everyBeat((beat) => {
      beat.play("hh", { at: 0, gain: 0.35 });
      beat.play("hh", { at: 0.5, gain: 0.2 + 0.2 * beat.random.next(), pan: 0.3 });
    }),
  );
  set.play(
    "lead",
    everyBar((bar) => {
      for (let i = 0; i < 8; i++) {
        if (!bar.random.chance(0.45)) continue;
        const degree = bar.random.pick(MINOR_PENTATONIC) + 12 * bar.random.int(0, 1);
        bar.play("epiano", {
          at: i / 2,
          dur: 0.45,
          note: 57 + degree,
          velocity: 0.4 + 0.3 * bar.random.next(),
          gain: 0.6,
        });
      }
    }),
  );
});
