/**
 * The hello tune that examples/hello.ts and examples/hello_gm.ts both play:
 * Fmaj9 | Em7 | Dm9 | Cmaj9 at 120 bpm, its melody, the bass line and the
 * drum groove of a bar. Each example picks the instruments and velocities.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { Instrument } from "../../lib/mod.ts";

/** Play `note` from `beat` for `beats` beats. */
export function play(
  inst: Instrument,
  note: number,
  velocity: number,
  beat: number,
  beats: number,
): void {
  inst.noteOn(note, velocity, { at: { beats: beat } });
  inst.noteOff(note, { at: { beats: beat + beats } });
}

/** Rootless voicings, one per bar, and the bass root under each. */
export const BARS = [
  { chord: [57, 60, 64, 67], root: 41 }, // Fmaj9: A C E G over F
  { chord: [55, 59, 62, 64], root: 40 }, // Em7: G B D E over E
  { chord: [53, 57, 60, 64], root: 38 }, // Dm9: F A C E over D
  { chord: [52, 55, 59, 62], root: 36 }, // Cmaj9: E G B D over C
];

/** The melody: [beat, note, beats]. */
export const MELODY: [number, number, number][] = [
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

/** General MIDI drum keys the tune uses. */
export const KICK = 36, SNARE = 38, CLAP = 39, HAT = 42, OPEN_HAT = 46, CRASH = 49;

/** The final chord (C: C G B D E G), played on beat 16. */
export const ENDING = [48, 55, 59, 62, 64, 67];

/** Bass for the bar from beat `b`: root, a pickup, the fifth, the octave. */
export function bassBar(bass: Instrument, root: number, b: number): void {
  play(bass, root, 100, b, 1.2);
  play(bass, root, 80, b + 1.5, 0.4);
  play(bass, root + 7, 92, b + 2, 0.9);
  play(bass, root + 12, 84, b + 3, 0.4);
  play(bass, root + 7, 76, b + 3.5, 0.4);
}

/** Velocities of a drum bar: [first, second] kick and snare, [on, off]-beat hats. */
export interface DrumVelocities {
  kick: readonly [number, number];
  snare: readonly [number, number];
  hat: readonly [number, number];
}

/**
 * Drums for bar `bar` from beat `b`: kick on 1 and the "and" of 3, snare on
 * 2 and 4, eighth-note hats (the last one open every second bar).
 */
export function drumBar(drums: Instrument, bar: number, b: number, v: DrumVelocities): void {
  play(drums, KICK, v.kick[0], b, 0.25);
  play(drums, KICK, v.kick[1], b + 2.5, 0.25);
  play(drums, SNARE, v.snare[0], b + 1, 0.25);
  play(drums, SNARE, v.snare[1], b + 3, 0.25);
  for (let i = 0; i < 8; i++) {
    const open = i === 7 && bar % 2 === 1;
    play(drums, open ? OPEN_HAT : HAT, i % 2 === 0 ? v.hat[0] : v.hat[1], b + i / 2, 0.25);
  }
}
