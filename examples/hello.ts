/**
 * hello: four bars on the shipped instruments — electric piano chords and a
 * melody over bass and drums (Fmaj9 | Em7 | Dm9 | Cmaj9, 120 bpm), ending on
 * a held chord. About 8 s of music plus the ring-out.
 *
 * Run it (renders offline, faster than real time, into hello.wav):
 *   deno task render examples/hello.ts hello.wav
 * The same command always writes the same bytes.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { Instrument, PerformanceContext } from "../lib/mod.ts";

/** Play `note` from `beat` for `beats` beats. */
function play(inst: Instrument, note: number, velocity: number, beat: number, beats: number) {
  inst.noteOn(note, velocity, { at: { beats: beat } });
  inst.noteOff(note, { at: { beats: beat + beats } });
}

/** Rootless voicings, one per bar, and the bass root under each. */
const BARS = [
  { chord: [57, 60, 64, 67], root: 41 }, // Fmaj9: A C E G over F
  { chord: [55, 59, 62, 64], root: 40 }, // Em7: G B D E over E
  { chord: [53, 57, 60, 64], root: 38 }, // Dm9: F A C E over D
  { chord: [52, 55, 59, 62], root: 36 }, // Cmaj9: E G B D over C
];

/** The melody: [beat, note, beats]. */
const MELODY: [number, number, number][] = [
  [0, 81, 0.75],
  [0.75, 79, 0.75],
  [1.5, 76, 1.5],
  [3, 72, 0.5],
  [3.5, 74, 0.5],
  [4, 76, 1.5],
  [5.5, 74, 0.5],
  [6, 71, 2],
  [8, 77, 0.75],
  [8.75, 76, 0.75],
  [9.5, 72, 1],
  [10.5, 69, 1.5],
  [12, 71, 0.5],
  [12.5, 72, 0.5],
  [13, 76, 3],
];

export default async function hello(ctx: PerformanceContext): Promise<void> {
  ctx.clock.setTempo(120);
  const [drums, epiano, bass] = await Promise.all([
    ctx.instrument("drums"),
    ctx.instrument("epiano"),
    ctx.instrument("bass"),
  ]);
  const KICK = 36, SNARE = 38, CLAP = 39, HAT = 42, OPEN_HAT = 46;

  BARS.forEach(({ chord, root }, bar) => {
    const b = bar * 4;
    // Piano: the chord on 1, a softer push on the "and" of 2, a short stab on 4.
    for (const note of chord) {
      play(epiano, note, 72, b, 1.4);
      play(epiano, note, 58, b + 1.5, 0.9);
      play(epiano, note, 64, b + 3, 0.4);
    }
    // Bass: root, a pickup, the fifth, the octave.
    play(bass, root, 100, b, 1.2);
    play(bass, root, 80, b + 1.5, 0.4);
    play(bass, root + 7, 92, b + 2, 0.9);
    play(bass, root + 12, 84, b + 3, 0.4);
    play(bass, root + 7, 76, b + 3.5, 0.4);
    // Drums: kick on 1 and the "and" of 3, snare on 2 and 4, eighth-note hats.
    play(drums, KICK, 115, b, 0.25);
    play(drums, KICK, 96, b + 2.5, 0.25);
    play(drums, SNARE, 100, b + 1, 0.25);
    play(drums, SNARE, 104, b + 3, 0.25);
    for (let i = 0; i < 8; i++) {
      const open = i === 7 && bar % 2 === 1;
      play(drums, open ? OPEN_HAT : HAT, i % 2 === 0 ? 96 : 70, b + i / 2, 0.25);
    }
  });
  // A clap on the last backbeat and a small snare pickup into the ending.
  play(drums, CLAP, 110, 15, 0.25);
  play(drums, SNARE, 70, 15.5, 0.25);
  play(drums, SNARE, 84, 15.75, 0.25);

  for (const [beat, note, beats] of MELODY) play(epiano, note, 100, beat, beats);

  // The ending: everything lands on beat 16 and rings for a bar.
  for (const note of [48, 55, 59, 62, 64, 67]) play(epiano, note, 92, 16, 3);
  play(bass, 36, 110, 16, 3);
  play(drums, KICK, 120, 16, 0.25);
  play(drums, OPEN_HAT, 90, 16, 0.25);
}
