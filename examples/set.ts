/**
 * set: a live-coding set in Strudel patterns — drums, a bass line on a
 * scale, electric piano chords — for `deno task perform`.
 *
 * Play it live and edit it while it plays (each save swaps the changed
 * parts in at the next cycle):
 *   deno task perform examples/set.ts --backend jack
 * Render 8 cycles offline (the same bytes every time):
 *   deno task render examples/set.ts set.wav --cycles 8
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineSet, n, note, s } from "../lib/live/mod.ts";

export default defineSet((set) => {
  set.tempo(112);
  set.play("drums", s("bd [sd sd] <hh cp> bd(3,8)").every(4, (p) => p.fast(2)).gain(0.7));
  set.play("hats", s("hh*8").gain("0.6 0.3").sometimes((p) => p.velocity(0.4)).pan(0.35));
  set.play("bass", n("0 [~ 0] 4 <3 5>").scale("C2:minor").s("bass").gain(0.8).legato(0.8));
  set.play(
    "keys",
    note("<[c3,eb3,g3,bb3] [ab2,c3,eb3,g3] [f2,ab2,c3,eb3] [g2,b2,d3,f3]>").s("epiano")
      .velocity(0.45).gain(0.7).legato(0.9),
  );
});
