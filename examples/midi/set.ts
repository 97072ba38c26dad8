/**
 * A live set that plays a MIDI keyboard (or a MIDI file) through a mapping,
 * over a drum pattern: `deno task perform examples/midi/set.ts --play
 * examples/midi/song.mid`. Edit and save the mapping below while it plays:
 * the new map is swapped in with the reload, between two audio blocks.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineSet, s } from "../../lib/live/mod.ts";

export default defineSet((set) => {
  set.tempo(96);
  set.play("drums", s("bd ~ [~ bd] ~, ~ sd ~ sd, hh*8").gain(0.8));
  // a split at C3: bass an octave up below it, electric piano above
  set.midi({
    layers: [
      { instrument: "bass", keys: [0, "B2"], transpose: 12, velocityCurve: "hard" },
      { instrument: "epiano", keys: ["C3", 127], velocityCurve: "soft" },
    ],
    controllers: [{ cc: 1, param: "vibratoDepth", range: [0, 60], instrument: "epiano" }],
    bendRange: 2,
  });
});
