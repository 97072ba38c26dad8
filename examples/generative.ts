/**
 * generative: a seeded piece that is different for every seed and the same
 * every time for one seed. ctx.random (seeded by --seed) picks the key, the
 * tempo, a chord progression walking the diatonic chords, a pentatonic
 * melody with rests, bass figures and drum patterns; it fills the length
 * asked for (--seconds) and leaves the last seconds to ring out.
 *
 * Run it:
 *   deno task render examples/generative.ts generative.wav --seconds 20 --seed 7
 * Another --seed gives another piece; the same seed gives the same bytes.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { Instrument, PerformanceContext } from "../lib/mod.ts";

/** Play `note` from `beat` for `beats` beats. */
function play(inst: Instrument, note: number, velocity: number, beat: number, beats: number) {
  inst.noteOn(note, velocity, { at: { beats: beat } });
  inst.noteOff(note, { at: { beats: beat + beats } });
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
/** Where each diatonic chord (0 = I .. 5 = vi) likes to go next. */
const NEXT: number[][] = [[3, 4, 5, 1], [4, 4, 3], [5, 3], [4, 0, 1, 4], [0, 5, 0], [1, 3, 2]];
/** Drum patterns over 8 eighth notes: K kick, S snare, . nothing. */
const GROOVES = ["K...S.K.", "K..KS...", "K.K.S..K", "K...S..S", "K..K..S."];

export default async function generative(ctx: PerformanceContext): Promise<void> {
  const { random } = ctx;
  const tonic = 48 + random.int(0, 11); // the key: C3..B3
  const bpm = random.int(84, 112);
  ctx.clock.setTempo(bpm);
  const [drums, epiano, bass] = await Promise.all([
    ctx.instrument("drums"),
    ctx.instrument("epiano"),
    ctx.instrument("bass"),
  ]);

  // Scale degree -> MIDI note, any octave.
  const degree = (d: number) => tonic + 12 * Math.floor(d / 7) + MAJOR[((d % 7) + 7) % 7]!;
  const beatsAvailable = ((ctx.seconds - 2.5) * bpm) / 60;
  const bars = Math.max(1, Math.floor(beatsAvailable / 4));

  const groove = random.pick(GROOVES);
  let chord = 0;
  let melody = 9; // a scale degree above the tonic's octave
  for (let bar = 0; bar < bars; bar++) {
    const b = bar * 4;
    const last = bar === bars - 1;
    if (bar > 0) chord = last ? 0 : random.pick(NEXT[chord]!);

    // Piano: a seventh chord (degrees chord, +2, +4, +6), voiced around the tonic.
    const voicing = [0, 2, 4, 6].map((step) => degree(chord + step));
    const comp = last ? [[0, 4]] : random.pick([
      [[0, 1.5], [1.5, 0.5], [3, 0.75]],
      [[0, 2], [2.5, 1]],
      [[0.5, 1], [2, 0.5], [3.5, 0.5]],
    ]);
    for (const [at, len] of comp) {
      for (const note of voicing) play(epiano, note, random.int(50, 70), b + at!, len!);
    }

    // Melody: a walk on the pentatonic degrees (no 4th, no 7th), with rests.
    if (!last) {
      for (let eighth = 0; eighth < 8; eighth++) {
        if (!random.chance(eighth % 2 === 0 ? 0.55 : 0.3)) continue;
        melody = Math.max(7, Math.min(14, melody + random.pick([-2, -1, -1, 1, 1, 2])));
        if ([3, 6].includes(((melody % 7) + 7) % 7)) melody += 1;
        play(epiano, degree(melody), random.int(80, 104), b + eighth / 2, random.pick([0.5, 1]));
      }
    } else {
      play(epiano, degree(14), 96, b, 4);
    }

    // Bass: the chord's root, with a fifth or an octave now and then.
    const root = degree(chord) - 12 - (degree(chord) - 12 > 45 ? 12 : 0);
    play(bass, root, 104, b, last ? 4 : 1.3);
    if (!last) {
      for (const at of [1.5, 2, 3, 3.5]) {
        if (random.chance(0.6)) {
          play(bass, root + random.pick([0, 7, 12]), random.int(76, 96), b + at, 0.4);
        }
      }
    }

    // Drums: the groove, hats with a human-ish velocity, sometimes an open hat or a clap.
    if (last) {
      play(drums, 36, 118, b, 0.25);
      play(drums, 46, 88, b, 0.25);
      continue;
    }
    for (let eighth = 0; eighth < 8; eighth++) {
      const at = b + eighth / 2;
      const hit = groove[eighth];
      if (hit === "K") play(drums, 36, random.int(100, 118), at, 0.25);
      if (hit === "S") {
        play(drums, bar % 4 === 3 && random.chance(0.5) ? 39 : 38, random.int(92, 108), at, 0.25);
      }
      const open = eighth === 7 && random.chance(0.3);
      play(drums, open ? 46 : 42, (eighth % 2 ? 60 : 84) + random.int(0, 14), at, 0.25);
      if (eighth % 2 === 1 && random.chance(0.15)) {
        play(drums, 42, random.int(40, 60), at + 0.25, 0.2);
      }
    }
  }
}
