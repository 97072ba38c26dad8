/**
 * hello_gm: the hello tune on real instruments — a grand piano, strings, a
 * fingered electric bass and a drum kit from the installed General MIDI bank
 * (FluidR3_GM, else TimGM6mb: tools/setup.sh installs them; `$MS_GM_FONT`
 * picks another). Fmaj9 | Em7 | Dm9 | Cmaj9 at 120 bpm, about 8 s plus the
 * ring-out. `make demo` renders this one when a GM bank is installed and
 * examples/hello.ts (the synthesized instruments) when not.
 *
 * The melodic instruments are named by Strudel's GM names (programs 0, 48
 * and 33); "kit" is the common name of the standard kit (bank 128), so one
 * line says which kit stood in (lib/instrument/resolve.ts).
 *
 * Run it (offline, faster than real time):
 *   deno task render examples/hello_gm.ts hello.wav
 *
 * The tune (chords, melody, bass line, drum groove) is examples/hello/tune.ts.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import type { PerformanceContext } from "../lib/mod.ts";
import { BARS, bassBar, CRASH, drumBar, ENDING, KICK, MELODY, play } from "./hello/tune.ts";

export default async function helloGm(ctx: PerformanceContext): Promise<void> {
  ctx.clock.setTempo(120);
  const [kit, piano, strings, bass] = await Promise.all([
    ctx.instrument("kit"),
    ctx.instrument("gm_acoustic_grand_piano"),
    ctx.instrument("gm_string_ensemble_1"),
    ctx.instrument("gm_electric_bass_finger"),
  ]);
  BARS.forEach(({ chord, root }, bar) => {
    const b = bar * 4;
    // Piano: the chord on 1, a softer push on the "and" of 2.
    for (const note of chord) {
      play(piano, note, 70, b, 1.4);
      play(piano, note, 56, b + 1.5, 0.9);
    }
    // Strings: the chord held under the bar, an octave down, quietly.
    for (const note of chord) play(strings, note - 12, 52, b, 4);
    bassBar(bass, root, b);
    drumBar(kit, bar, b, { kick: [110, 92], snare: [96, 100], hat: [84, 60] });
  });

  for (const [beat, note, beats] of MELODY) play(piano, note, 96, beat, beats);

  // The ending: everything lands on beat 16 and rings for a bar.
  for (const note of ENDING) play(piano, note, 88, 16, 3);
  for (const note of [43, 48, 52, 55]) play(strings, note, 60, 16, 3);
  play(bass, 36, 110, 16, 3);
  play(kit, KICK, 116, 16, 0.25);
  play(kit, CRASH, 100, 16, 0.25);
}
