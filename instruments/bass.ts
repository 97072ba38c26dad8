/**
 * A plucked electric bass, sampled every 6 semitones from E1 to E3. Each
 * sample is a pluck that settles into a seamless loop; the loop points are
 * given here (frames, end exclusive) and match the smpl chunks that
 * scripts/make_samples.ts writes (a test checks they agree). The envelope
 * decays like a plucked string; note-off damps it quickly.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { defineInstrument, type ZoneDefinitionInput } from "../lib/instrument/mod.ts";

/** Root, file stem and loop [start, end) of each sample. */
const SAMPLES: [number, string, number, number][] = [
  [28, "e1", 12000, 15495],
  [34, "as1", 12000, 15295],
  [40, "e2", 12000, 18407],
  [46, "as2", 12000, 15295],
  [52, "e3", 12000, 18116],
];

export default defineInstrument({
  name: "bass",
  gainDb: -3,
  polyphony: 4,
  envelope: { attack: 0.002, decay: 4, sustain: 0, release: 0.09 },
  zones: SAMPLES.map(([root, stem, start, end], i): ZoneDefinitionInput => ({
    sample: `samples/bass/${stem}.wav`,
    keys: [i === 0 ? "C1" : root - 3, i === SAMPLES.length - 1 ? "C4" : root + 2],
    rootKey: root,
    loop: { mode: "forward", start, end },
    velocityTrack: 0.6,
  })),
});
