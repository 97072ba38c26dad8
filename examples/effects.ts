/**
 * effects: a set that shapes every note — filters with envelopes, amplitude
 * envelopes, a vowel, crush, reverb and delay — on two orbits (effect buses):
 * the drums and hats on orbit 1 (a short room), the bass and keys on orbit 2
 * (a long hall and a delay locked to the tempo).
 *
 * Render 8 cycles, and each orbit as its own file too:
 *   deno task render examples/effects.ts effects.wav --cycles 8 --stems effects-stems
 * Play it live and edit it while it plays (JACK: --orbit-outputs gives each orbit
 * its own port pair):
 *   deno task perform examples/effects.ts --backend jack
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineSet, n, note, s } from "../lib/live/mod.ts";

export default defineSet((set) => {
  set.tempo(100);
  // orbit 1: a tight room on the drums; the snare through a band-pass
  set.play(
    "drums",
    s("bd [sd sd] <hh cp> bd(3,8)").gain(0.8).orbit(1).room(0.25).size(0.6),
  );
  set.play(
    "hats",
    s("hh*8").gain("0.5 0.25").hpf(6000).crush(8).pan(0.4).orbit(1).room(0.2).size(0.6),
  );
  // orbit 2: a low-pass sweep with its own envelope, resonance, a long hall
  set.play(
    "bass",
    n("0 [~ 0] 4 <3 5>").scale("C2:minor").s("bass").gain(0.9).legato(0.8)
      .lpf(400).lpq(6).lpenv(3).lpattack(0.01).lpdecay(0.2).lpsustain(0.2)
      .orbit(2).room(0.3).size(4),
  );
  set.play(
    "keys",
    note("<[c3,eb3,g3,bb3] [ab2,c3,eb3,g3] [f2,ab2,c3,eb3] [g2,b2,d3,f3]>").s("epiano")
      .velocity(0.5).gain(0.7).legato(0.9)
      .attack(0.05).decay(0.4).sustain(0.6).release(0.8)
      .vowel("<a o>").lpf(2500)
      .orbit(2).room(0.4).size(4).delay(0.35).delaytime(0.375).lock(1).delayfeedback(0.45),
  );
});
