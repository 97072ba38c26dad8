/**
 * hello_gm: the hello tune on real instruments — a grand piano, strings, a
 * fingered electric bass and a drum kit from the installed General MIDI bank
 * (FluidR3_GM, else TimGM6mb: tools/setup.sh installs them; `$MS_GM_FONT`
 * picks another). Fmaj9 | Em7 | Dm9 | Cmaj9 at 120 bpm, about 8 s plus the
 * ring-out. `make demo` renders this one when a GM bank is installed and
 * examples/hello.ts (the synthesized instruments) when not.
 *
 * The names are the common ones (lib/instrument/resolve.ts): "piano" and
 * "strings" find GM programs 0 and 48, "kit" the standard kit; the bass is
 * named by its Strudel GM name.
 *
 * Run it (offline, faster than real time):
 *   deno task render examples/hello_gm.ts hello.wav
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

export default async function helloGm(ctx: PerformanceContext): Promise<void> {
  ctx.clock.setTempo(120);
  const [kit, piano, strings, bass] = await Promise.all([
    ctx.instrument("kit"),
    ctx.instrument("piano"),
    ctx.instrument("strings"),
    ctx.instrument("gm_electric_bass_finger"),
  ]);
  const KICK = 36, SNARE = 38, HAT = 42, OPEN_HAT = 46, CRASH = 49;

  BARS.forEach(({ chord, root }, bar) => {
    const b = bar * 4;
    // Piano: the chord on 1, a softer push on the "and" of 2.
    for (const note of chord) {
      play(piano, note, 70, b, 1.4);
      play(piano, note, 56, b + 1.5, 0.9);
    }
    // Strings: the chord held under the bar, an octave down, quietly.
    for (const note of chord) play(strings, note - 12, 52, b, 4);
    // Bass: root, a pickup, the fifth, the octave.
    play(bass, root, 100, b, 1.2);
    play(bass, root, 80, b + 1.5, 0.4);
    play(bass, root + 7, 92, b + 2, 0.9);
    play(bass, root + 12, 84, b + 3, 0.4);
    play(bass, root + 7, 76, b + 3.5, 0.4);
    // Drums: kick on 1 and the "and" of 3, snare on 2 and 4, eighth-note hats.
    play(kit, KICK, 110, b, 0.25);
    play(kit, KICK, 92, b + 2.5, 0.25);
    play(kit, SNARE, 96, b + 1, 0.25);
    play(kit, SNARE, 100, b + 3, 0.25);
    for (let i = 0; i < 8; i++) {
      const open = i === 7 && bar % 2 === 1;
      play(kit, open ? OPEN_HAT : HAT, i % 2 === 0 ? 84 : 60, b + i / 2, 0.25);
    }
  });

  for (const [beat, note, beats] of MELODY) play(piano, note, 96, beat, beats);

  // The ending: everything lands on beat 16 and rings for a bar.
  for (const note of [48, 55, 59, 62, 64, 67]) play(piano, note, 88, 16, 3);
  for (const note of [43, 48, 52, 55]) play(strings, note, 60, 16, 3);
  play(bass, 36, 110, 16, 3);
  play(kit, KICK, 116, 16, 0.25);
  play(kit, CRASH, 100, 16, 0.25);
}
