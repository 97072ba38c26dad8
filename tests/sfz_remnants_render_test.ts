/**
 * SFZ opcodes of issue 14's last part through the engine, each asserted on a
 * render: width (a stereo sample at width 0 plays the same on both sides, at
 * -100 swapped) and width_onccN following its CC; a LFO whose rate follows a
 * CC (lfoN_freq_onccN) changes its measured rate mid-note without a phase
 * jump; ampeg_dynamic=1 re-reads the envelope's CC times while the note plays
 * (=0 keeps the note-on ones); grouped warnings for unknown opcode families.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import assert from "node:assert/strict";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { formatSfzProblem, importSfz } from "../lib/instrument/sfz/import.ts";
import { wavHeader } from "../lib/util/wav.ts";
import { sfzKit } from "./sfz_fixtures.ts";

const RATE = 48000;

/** A 16-bit stereo WAV holding `left` and `right` for `seconds`. */
function stereoDc(seconds: number, left: number, right: number): Uint8Array {
  const n = Math.round(seconds * RATE);
  const head = wavHeader(n * 4, { channels: 2, rate: RATE, bits: 16 });
  const out = new Uint8Array(44 + n * 4);
  out.set(head);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    v.setInt16(44 + 4 * i, Math.round(left * 32767), true);
    v.setInt16(44 + 4 * i + 2, Math.round(right * 32767), true);
  }
  return out;
}

/** The kit.sfz of a temporary kit (tests/sfz_fixtures.ts). */
const kit = (sfz: string, files: Record<string, Uint8Array | Float64Array>) =>
  sfzKit(sfz, files, "ms_sfz_rem_");

const at = (audio: Float32Array, s: number) => [
  audio[2 * Math.round(s * RATE)]!,
  audio[2 * Math.round(s * RATE) + 1]!,
];
const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const t = (s: number) => ({ at: { seconds: s } });
/** The levels 0.4 and 0.1 as the 16-bit file holds them. */
const L = Math.round(0.4 * 32767) / 32768, R = Math.round(0.1 * 32767) / 32768;

Deno.test("SFZ width: 0 plays a stereo sample the same on both sides, -100 swaps them, 100 as recorded", async () => {
  const sfz = await kit(
    `<global> amp_veltrack=0 loop_mode=loop_continuous sample=st.wav
<region> key=60
<region> key=61 width=0
<region> key=62 width=-100
<region> key=63 width=50`,
    { "st.wav": stereoDc(1, 0.4, 0.1) },
  );
  const zones = importSfz(sfz).definition.zones;
  assert.deepEqual(zones.map((z) => z.width), [undefined, 0, -100, 50]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  [60, 61, 62, 63].forEach((k, i) => {
    inst.noteOn(k, 100, t(0.25 * i));
    inst.noteOff(k, t(0.25 * i + 0.2));
  });
  const audio = sampler.process(RATE);
  const [l0, r0] = at(audio, 0.1);
  near(l0!, L, 1e-6, "width 100: left as recorded");
  near(r0!, R, 1e-6, "width 100: right as recorded");
  const [l1, r1] = at(audio, 0.35);
  assert.equal(l1, r1, "width 0: left == right");
  near(l1!, (L + R) * Math.SQRT1_2, 1e-5, "width 0: the mid at -3 dB");
  const [l2, r2] = at(audio, 0.6);
  near(l2!, R, 1e-6, "width -100: left plays the right channel");
  near(r2!, L, 1e-6, "width -100: right plays the left channel");
  const p = 0.75 * Math.PI / 2; // width 50: sfizz's (w + 1) / 2 on the quarter circle
  const [l3, r3] = at(audio, 0.85);
  near(l3!, L * Math.sin(p) + R * Math.cos(p), 1e-5, "width 50: left");
  near(r3!, L * Math.cos(p) + R * Math.sin(p), 1e-5, "width 50: right");
});

Deno.test("SFZ width_onccN: the width follows its CC while the note plays", async () => {
  const sfz = await kit(
    `<region> sample=st.wav amp_veltrack=0 loop_mode=loop_continuous width=100 width_oncc20=-200`,
    { "st.wav": stereoDc(2, 0.4, 0.1) },
  );
  assert.deepEqual(importSfz(sfz).definition.zones[0]!.mods, [
    { source: 20, target: "width", curve: "linear", depth: -2 },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(20, 127, t(0.3));
  inst.cc(20, 64, t(0.6));
  const audio = sampler.process(RATE);
  const [l0, r0] = at(audio, 0.2);
  near(l0!, L, 1e-6, "CC 0: as recorded (left)");
  near(r0!, R, 1e-6, "CC 0: as recorded (right)");
  const [l1, r1] = at(audio, 0.5);
  near(l1!, R, 1e-5, "CC 127: width -100, swapped (left)");
  near(r1!, L, 1e-5, "CC 127: swapped (right)");
  const p = (1 - 2 * 64 / 127 + 1) / 2 * Math.PI / 2;
  const [l2, r2] = at(audio, 0.8);
  near(l2!, L * Math.sin(p) + R * Math.cos(p), 1e-5, "CC 64: nearly mono (left)");
  near(r2!, L * Math.cos(p) + R * Math.sin(p), 1e-5, "CC 64: nearly mono (right)");
});

Deno.test("SFZ ampeg_dynamic=1: a release CC moved during the note sets the release; =0 keeps the note-on one", async () => {
  const sfz = await kit(
    `<global> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous ampeg_release=0.1 ampeg_release_oncc3=1.9
<region> key=60 pan=-100 ampeg_dynamic=1
<region> key=61 pan=100 ampeg_dynamic=0`,
    { "d.wav": new Float64Array(RATE * 2).fill(0.5) },
  );
  const zones = importSfz(sfz).definition.zones;
  assert.equal(zones[0]!.envelope?.dynamic, 1);
  assert.equal(zones[1]!.envelope?.dynamic, undefined);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0)); // CC3 at 0: release 0.1 s at note-on
  inst.noteOn(61, 100, t(0));
  inst.cc(3, 127, t(0.25)); // while the notes are held: release 2 s
  inst.noteOff(60, t(0.5));
  inst.noteOff(61, t(0.5));
  const audio = sampler.process(RATE);
  const db = (x: number) => 20 * Math.log10(x / 0.5);
  near(db(at(audio, 0.7)[0]!), -6, 0.2, "dynamic: -60 dB over 2 s, -6 dB after 0.2 s");
  near(db(at(audio, 0.55)[1]!), -30, 0.5, "not dynamic: -60 dB over 0.1 s, -30 dB after 0.05 s");
});

Deno.test("SFZ lfoN_freq_onccN: the CC changes the LFO's measured rate mid-note; its phase runs on without a jump", async () => {
  const sfz = await kit(
    `<region> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous lfo1_freq=2 lfo1_wave=3 lfo1_volume=-6 lfo1_freq_oncc1=4`,
    { "d.wav": new Float64Array(RATE * 2).fill(0.25) },
  );
  assert.deepEqual(importSfz(sfz).definition.zones[0]!.mods, [
    {
      source: "lfo",
      lfo: { hz: 2, wave: "square", delay: 0, fade: 0 },
      target: "volume",
      depth: -6,
      lfoIndex: 1,
    },
    { source: 1, target: "lfoHz", depth: 4, lfoIndex: 1 },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(1, 127, t(0.6)); // 2 Hz + 4 Hz
  const audio = sampler.process(RATE * 1.3);
  // the frames where the level flips between -6 and +6 dB (each ramped over one 64-frame control step)
  const flips: number[] = [];
  for (let f = 1; f < RATE * 1.3; f++) {
    if (Math.abs(audio[2 * f]! - audio[2 * f - 2]!) > 1e-3 && !(flips.at(-1)! > f - 1 - 64)) {
      flips.push(f - 1);
    }
  }
  // 2 Hz until 0.6 s (1.2 turns), then 6 Hz from that phase: the next half turn at 0.65 s, then every 1/12 s.
  // A phase of rate * time would have jumped from 1.2 to 3.6 turns at 0.6 s.
  const want = [0.25, 0.5, ...Array.from({ length: 8 }, (_, k) => 0.65 + k / 12)];
  assert.equal(flips.length, want.length, `flips at ${flips.map((f) => (f / RATE).toFixed(3))}`);
  flips.forEach((f, k) => near(f / RATE, want[k]!, 64 / RATE, `flip ${k}`));
});

Deno.test("SFZ warnings: a file full of CC opcodes the engine does not play gives one line per family", async () => {
  const per = (f: (i: number) => string) =>
    Array.from({ length: 60 }, (_, i) => f(i + 1)).join(" ");
  const sfz = await kit(
    `<region> sample=d.wav width_oncc1=50 lfo1_freq=2 lfo1_pitch=10 lfo1_freq_oncc2=3 ampeg_dynamic=1
<region> sample=d.wav ${per((i) => `pitch_smoothcc${i}=5`)} ${per((i) => `foo_oncc${i}=1`)}
<region> sample=d.wav ${per((i) => `bar_${i}=1`)} ${
      per((i) => `locc${i + 200}=1`)
    } pitch_smoothcc7=1`,
    { "d.wav": new Float64Array(RATE).fill(0.25) },
  );
  const lines = importSfz(sfz).warnings.map(formatSfzProblem);
  const at = (line: number) => `${sfz}:${line}: `.replace(`${Deno.cwd()}/`, "");
  assert.deepEqual(lines, [
    `${at(2)}opcodes "pitch_smoothcc*" are read but not played yet (60 opcodes, 61 uses)`,
    `${at(2)}opcodes "foo_oncc*" are read but not played yet (60 opcodes, 60 uses)`,
    `${at(3)}opcodes "bar_*" are not supported (ignored; 60 opcodes, 60 uses)`,
    `${at(3)}opcodes "locc*" are read but not played yet (60 opcodes, 60 uses)`,
  ]);
});
