/**
 * A tine electric piano: FM tones sampled every 6 semitones from C2 to C6,
 * two velocity layers (soft: mellow; hard: brighter with more tine bell).
 * Each sample holds a short attack and a seamless sustain loop (a whole
 * number of periods, stored in the file's smpl chunk, so `loop` needs no
 * points here); the envelope's decay gives the natural fade, shorter for
 * higher notes, as on the real instrument.
 *
 * Samples are synthesized by scripts/make_samples.ts. Paths are relative to
 * this file.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineInstrument, type ZoneDefinitionInput } from "../lib/instrument/mod.ts";

/** Sampled roots and their file-name stems. */
const ROOTS: [number, string][] = [
  [36, "c2"],
  [42, "fs2"],
  [48, "c3"],
  [54, "fs3"],
  [60, "c4"],
  [66, "fs4"],
  [72, "c5"],
  [78, "fs5"],
  [84, "c6"],
];
const LAYERS: { layer: string; velocities: [number, number] }[] = [
  { layer: "soft", velocities: [1, 88] },
  { layer: "hard", velocities: [89, 127] },
];

export default defineInstrument({
  name: "epiano",
  gainDb: -8,
  polyphony: 32,
  envelope: { attack: 0.001, decay: 5, sustain: 0, release: 0.35 },
  zones: ROOTS.flatMap(([root, stem], i) =>
    LAYERS.map(({ layer, velocities }): ZoneDefinitionInput => ({
      sample: `samples/epiano/${layer}_${stem}.wav`,
      // Each root covers root-3..root+2; the ends stretch to the piano's range.
      keys: [i === 0 ? "A0" : root - 3, i === ROOTS.length - 1 ? "C8" : root + 2],
      velocities,
      rootKey: root,
      loop: { mode: "forward" },
      // About 9 s to -60 dB at C2, halving every two octaves.
      envelope: { decay: 9 * Math.pow(2, -(root - 36) / 24) },
    }))
  ),
});
