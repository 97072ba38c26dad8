/**
 * hello: four bars on the shipped instruments — electric piano chords and a
 * melody over bass and drums (Fmaj9 | Em7 | Dm9 | Cmaj9, 120 bpm), ending on
 * a held chord. About 8 s of music plus the ring-out.
 *
 * Run it (renders offline, faster than real time, into hello.wav):
 *   deno task render examples/hello.ts hello.wav
 * The same command always writes the same bytes.
 *
 * The tune (chords, melody, bass line, drum groove) is examples/hello/tune.ts.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { PerformanceContext } from "../lib/mod.ts";
import {
  BARS,
  bassBar,
  CLAP,
  drumBar,
  ENDING,
  KICK,
  MELODY,
  OPEN_HAT,
  play,
  SNARE,
} from "./hello/tune.ts";

export default async function hello(ctx: PerformanceContext): Promise<void> {
  ctx.clock.setTempo(120);
  const [drums, epiano, bass] = await Promise.all([
    ctx.instrument("drums"),
    ctx.instrument("epiano"),
    ctx.instrument("bass"),
  ]);
  BARS.forEach(({ chord, root }, bar) => {
    const b = bar * 4;
    // Piano: the chord on 1, a softer push on the "and" of 2, a short stab on 4.
    for (const note of chord) {
      play(epiano, note, 72, b, 1.4);
      play(epiano, note, 58, b + 1.5, 0.9);
      play(epiano, note, 64, b + 3, 0.4);
    }
    bassBar(bass, root, b);
    drumBar(drums, bar, b, { kick: [115, 96], snare: [100, 104], hat: [96, 70] });
  });
  // A clap on the last backbeat and a small snare pickup into the ending.
  play(drums, CLAP, 110, 15, 0.25);
  play(drums, SNARE, 70, 15.5, 0.25);
  play(drums, SNARE, 84, 15.75, 0.25);

  for (const [beat, note, beats] of MELODY) play(epiano, note, 100, beat, beats);

  // The ending: everything lands on beat 16 and rings for a bar.
  for (const note of ENDING) play(epiano, note, 92, 16, 3);
  play(bass, 36, 110, 16, 3);
  play(drums, KICK, 120, 16, 0.25);
  play(drums, OPEN_HAT, 90, 16, 0.25);
}
