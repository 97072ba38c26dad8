/**
 * A small electronic drum kit on a General MIDI-like key map:
 * 36 (C2) kick, 38 (D2) snare (two round-robin takes), 39 (D#2) clap,
 * 42 (F#2) closed hat, 44 (G#2) pedal hat, 46 (A#2) open hat. The three hats
 * share a choke group: a closed or pedal hat cuts a ringing open hat.
 *
 * Samples are synthesized by scripts/make_samples.ts. Paths are relative to
 * this file.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineInstrument } from "../lib/instrument/mod.ts";

const oneShot = { mode: "one-shot" } as const;

export default defineInstrument({
  name: "drums",
  gainDb: -4,
  polyphony: 24,
  envelope: { attack: 0, release: 0.08 },
  zones: [
    { sample: "samples/drums/kick.wav", keys: "C2", loop: oneShot, velocityTrack: 0.7 },
    {
      sample: "samples/drums/snare_1.wav",
      keys: "D2",
      loop: oneShot,
      altGroup: "snare",
      gainDb: -2,
      velocityTrack: 0.8,
    },
    {
      sample: "samples/drums/snare_2.wav",
      keys: "D2",
      loop: oneShot,
      altGroup: "snare",
      gainDb: -2,
      velocityTrack: 0.8,
    },
    { sample: "samples/drums/clap.wav", keys: "D#2", loop: oneShot, gainDb: -3, pan: 0.1 },
    {
      sample: "samples/drums/hat_closed.wav",
      keys: "F#2",
      loop: oneShot,
      exclusiveGroup: "hats",
      gainDb: -9,
      pan: -0.25,
    },
    {
      sample: "samples/drums/hat_closed.wav",
      keys: "G#2",
      loop: oneShot,
      exclusiveGroup: "hats",
      tuneCents: -150,
      gainDb: -13,
      pan: -0.25,
    },
    {
      sample: "samples/drums/hat_open.wav",
      keys: "A#2",
      loop: oneShot,
      exclusiveGroup: "hats",
      gainDb: -11,
      pan: -0.25,
    },
  ],
});
