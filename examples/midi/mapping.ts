/**
 * A MIDI mapping for `deno task render examples/midi/song.mid out.wav
 * --map examples/midi/mapping.ts` (and for a live keyboard): a split at C3,
 * bass below (an octave up, hard velocity curve), electric piano above
 * (soft curve), with the bass layered under hard piano notes; the mod wheel
 * drives the piano's vibrato depth, the expression pedal (CC11) its volume
 * over -30..0 dB with an exponential curve; a pitch-bend range of 2.
 *
 * A mapping script is a performance script: it gets the same context, loads
 * the instruments and sets the map; the song's notes then go through it.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { PerformanceContext } from "../../lib/mod.ts";

export default async function (ctx: PerformanceContext) {
  const bass = await ctx.instrument("bass");
  const epiano = await ctx.instrument("epiano");
  ctx.sampler.midi.setMap({
    layers: [
      { instrument: bass.name, keys: [0, "B2"], transpose: 12, velocityCurve: "hard" },
      { instrument: epiano.name, keys: ["C3", 127], velocityCurve: "soft" },
      { instrument: bass.name, keys: ["C3", 127], velocities: [110, 127], transpose: -24 },
    ],
    controllers: [
      { cc: 1, param: "vibratoDepth", range: [0, 60], instrument: epiano.name },
      { cc: 11, param: "volumeDb", range: [-30, 0], curve: "exp", instrument: epiano.name },
    ],
    bendRange: 2,
  });
}
