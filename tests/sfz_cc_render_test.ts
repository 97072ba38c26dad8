/**
 * SFZ's CC-driven opcodes through the engine (zone modulation rows): each
 * test imports a snippet, loads it and asserts the played effect on a
 * render: a locc layer switches with the CC between notes, a CC crossfade's
 * gain follows its curve while the CC moves, velocity crossfades at several
 * velocities, amplitude_oncc and pan_oncc follow their CC, set_ccN starts a
 * controller, pitch_random spreads notes within its range the same way each
 * run, pitch_oncc bends a held note, on_loccN starts a region on a CC.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import assert from "node:assert/strict";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { importSfz } from "../lib/instrument/sfz/import.ts";
import { sfzKit } from "./sfz_fixtures.ts";

const RATE = 48000;

function dc(seconds: number, level: number): Float64Array {
  return new Float64Array(Math.round(seconds * RATE)).fill(level);
}

function sine(seconds: number, hz: number, amp: number): Float64Array {
  const n = Math.round(seconds * RATE);
  return Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / RATE));
}

/** The kit.sfz of a temporary kit (tests/sfz_fixtures.ts). */
const kit = (sfz: string, samples: Record<string, Float64Array>) =>
  sfzKit(sfz, samples, "ms_sfz_cc_");

/** Left and right sample at a time (seconds). */
const at = (
  audio: Float32Array,
  s: number,
) => [audio[2 * Math.round(s * RATE)]!, audio[2 * Math.round(s * RATE) + 1]!];
/** Mono level of a centred voice (pan law 0.7071). */
const level = (audio: Float32Array, s: number) => at(audio, s)[0]! / Math.SQRT1_2;
const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const t = (s: number) => ({ at: { seconds: s } });

/** Frequency from rising zero crossings of the left channel between two times. */
function freq(audio: Float32Array, from: number, to: number): number {
  let first = -1, last = -1, n = 0;
  for (let f = Math.round(from * RATE); f < Math.round(to * RATE); f++) {
    const a = audio[2 * f]!, b = audio[2 * f + 2]!;
    if (a <= 0 && b > 0) {
      const x = f + a / (a - b);
      if (first < 0) first = x;
      else n++;
      last = x;
    }
  }
  return n > 0 ? (n * RATE) / (last - first) : 0;
}

Deno.test("SFZ CC: a locc/hicc layer is chosen by the CC at note-on and switches between notes", async () => {
  const sfz = await kit(
    `<control> set_cc64=0
<global> amp_veltrack=0 loop_mode=loop_continuous
<region> sample=up.wav hicc64=63
<region> sample=down.wav locc64=64`,
    { "up.wav": dc(1, 0.1), "down.wav": dc(1, 0.3) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  assert.equal(inst.zoneCount, 2);
  inst.noteOn(60, 100, t(0));
  inst.noteOff(60, t(0.2));
  inst.cc(64, 127, t(0.3));
  inst.noteOn(60, 100, t(0.4));
  inst.noteOff(60, t(0.6));
  inst.cc(64, 0, t(0.7));
  inst.noteOn(60, 100, t(0.8));
  const audio = sampler.process(RATE);
  near(level(audio, 0.1), 0.1, 1e-4, "pedal up: the up layer only");
  near(level(audio, 0.5), 0.3, 1e-4, "pedal down: the down layer only");
  near(level(audio, 0.9), 0.1, 1e-4, "pedal up again");
});

Deno.test("SFZ CC: a CC crossfade's gain follows its curve (power, gain) while the CC moves", async () => {
  const sfz = await kit(
    `<global> amp_veltrack=0 loop_mode=loop_continuous
<region> sample=a.wav pan=-100 xfin_locc1=0 xfin_hicc1=127
<region> sample=b.wav pan=100 xfout_locc1=0 xfout_hicc1=127 xf_cccurve=gain`,
    { "a.wav": dc(2, 0.5), "b.wav": dc(2, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  const values = [0, 20, 64, 100, 127];
  values.forEach((v, i) => inst.cc(1, v, t(0.1 + 0.2 * i)));
  const audio = sampler.process(RATE * 1.2);
  values.forEach((v, i) => {
    const [l, r] = at(audio, 0.2 + 0.2 * i);
    near(l!, 0.5 * Math.sqrt(v / 127), 1e-4, `xfin power at CC ${v}`);
    near(r!, 0.5 * (1 - v / 127), 1e-4, `xfout gain at CC ${v}`);
  });
});

Deno.test("SFZ CC: velocity crossfades at several velocities", async () => {
  const sfz = await kit(
    `<global> amp_veltrack=0 loop_mode=loop_continuous
<region> sample=soft.wav pan=-100 xfout_lovel=40 xfout_hivel=100
<region> sample=loud.wav pan=100 xfin_lovel=40 xfin_hivel=100`,
    { "soft.wav": dc(1, 0.5), "loud.wav": dc(1, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  const vels = [20, 40, 70, 100, 127];
  vels.forEach((v, i) => {
    inst.noteOn(60, v, t(0.2 * i));
    inst.noteOff(60, t(0.2 * i + 0.1));
  });
  const audio = sampler.process(RATE);
  vels.forEach((v, i) => {
    const x = Math.min(1, Math.max(0, (v - 40) / 60));
    const [l, r] = at(audio, 0.2 * i + 0.05);
    near(l!, 0.5 * Math.sqrt(1 - x), 1e-4, `soft layer at velocity ${v}`);
    near(r!, 0.5 * Math.sqrt(x), 1e-4, `loud layer at velocity ${v}`);
  });
});

Deno.test("SFZ CC: amplitude_oncc and pan_oncc follow their CC; set_ccN is where they start", async () => {
  const sfz = await kit(
    `<control> set_cc20=127
<region> sample=a.wav amp_veltrack=0 loop_mode=loop_continuous amplitude_oncc20=100 pan_oncc21=100 volume_oncc22=-20`,
    { "a.wav": dc(1, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(20, 64, t(0.2));
  inst.cc(21, 127, t(0.4));
  inst.cc(22, 127, t(0.6));
  const audio = sampler.process(RATE * 0.8);
  near(level(audio, 0.1), 0.5, 1e-4, "CC20 starts at 127 (set_cc20)");
  near(level(audio, 0.3), 0.5 * 64 / 127, 1e-4, "amplitude follows CC20");
  const [l, r] = at(audio, 0.5);
  near(l!, 0, 1e-6, "pan_oncc21=100 at 127: hard right");
  near(r!, 0.5 * 64 / 127, 1e-4, "... at full level");
  near(at(audio, 0.7)[1]!, 0.5 * 64 / 127 / 10, 1e-4, "volume_oncc22=-20 at 127");
});

Deno.test("SFZ CC: pitch_random spreads notes within its range, the same way each run; pitch_oncc bends a held note", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 loop_mode=loop_continuous pitch_random=50 pitch_oncc5=1200`,
    { "s.wav": sine(1, 480, 0.5) },
  );
  const runs: number[][] = [];
  for (let run = 0; run < 2; run++) {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadInstrument(sampler, sfz);
    for (let i = 0; i < 16; i++) {
      inst.noteOn(60, 100, t(0.1 * i));
      inst.noteOff(60, t(0.1 * i + 0.09));
    }
    inst.noteOn(60, 100, t(1.6));
    inst.cc(5, 127, t(1.8)); // not CC1: the mod wheel also drives vibrato
    const audio = sampler.process(RATE * 2);
    const cents = Array.from(
      { length: 16 },
      (_, i) => 1200 * Math.log2(freq(audio, 0.1 * i + 0.01, 0.1 * i + 0.085) / 480),
    );
    for (const c of cents) assert.ok(Math.abs(c) <= 51, `pitch_random 50: ${c} cents`);
    assert.ok(Math.max(...cents) - Math.min(...cents) > 50, `spread ${cents}`);
    const before = freq(audio, 1.62, 1.78), after = freq(audio, 1.82, 1.98);
    near(1200 * Math.log2(after / before), 1200, 1, "pitch_oncc5=1200 at CC 127");
    runs.push(cents);
  }
  assert.deepEqual(runs[0], runs[1]);
});

Deno.test("SFZ CC: on_locc/on_hicc starts a region on a CC message in range, not on notes", async () => {
  const sfz = await kit(
    `<region> sample=pedal.wav on_locc64=100 on_hicc64=127 amp_veltrack=0
<region> sample=note.wav key=60 amp_veltrack=0 pan=-100`,
    { "pedal.wav": dc(0.1, 0.4), "note.wav": dc(0.1, 0.2) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  assert.equal(inst.zoneCount, 2);
  inst.noteOn(60, 100, t(0));
  inst.cc(64, 50, t(0.2));
  inst.cc(64, 127, t(0.4));
  const audio = sampler.process(RATE * 0.6);
  near(at(audio, 0.05)[1]!, 0, 1e-6, "a note does not start the pedal region");
  near(at(audio, 0.25)[1]!, 0, 1e-6, "CC64 at 50: out of range");
  near(level(audio, 0.45), 0.4, 1e-4, "CC64 at 127 starts it");
});

Deno.test("SFZ CC: bend_up/bend_down bend by their own ranges (rows replace the instrument's bend range)", async () => {
  const sfz = await kit(
    `<region> sample=s.wav key=60 amp_veltrack=0 loop_mode=loop_continuous bend_up=1200 bend_down=-100`,
    { "s.wav": sine(1, 480, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.pitchBend(8191, t(0.2));
  inst.pitchBend(-8192, t(0.4));
  const audio = sampler.process(RATE * 0.6);
  near(1200 * Math.log2(freq(audio, 0.22, 0.38) / 480), 1200 * 8191 / 8192, 0.5, "bend_up=1200");
  near(1200 * Math.log2(freq(audio, 0.42, 0.58) / 480), -100, 0.5, "bend_down=-100");
});

Deno.test("SFZ CC: rt_decay lowers a release sample by its dB per second held", async () => {
  const sfz = await kit(
    `<global> amp_veltrack=0
<region> sample=a.wav key=60 volume=-144
<region> sample=r.wav key=60 trigger=release rt_decay=6 loop_mode=one_shot`,
    { "a.wav": dc(3, 0.5), "r.wav": dc(0.3, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  assert.deepEqual(
    importSfz(sfz).definition.zones[1]!.mods,
    [{ source: "heldSeconds", target: "volume", depth: -6 }],
  );
  inst.noteOn(60, 100, t(0));
  inst.noteOff(60, t(0.5)); // held 0.5 s: -3 dB
  inst.noteOn(60, 100, t(1));
  inst.noteOff(60, t(3)); // held 2 s: -12 dB
  const audio = sampler.process(RATE * 3.5);
  near(20 * Math.log10(level(audio, 0.6) / 0.5), -3, 0.01, "held 0.5 s");
  near(20 * Math.log10(level(audio, 3.1) / 0.5), -12, 0.01, "held 2 s");
});

Deno.test("SFZ CC: note_polyphony keeps at most n voices of a key", async () => {
  const sfz = await kit(
    `<region> sample=a.wav amp_veltrack=0 loop_mode=loop_continuous ampeg_release=0.001 note_polyphony=1`,
    { "a.wav": dc(1, 0.1) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  for (let i = 0; i < 3; i++) inst.noteOn(60, 100, t(0.1 * i));
  inst.noteOn(64, 100, t(0.3));
  const audio = sampler.process(RATE * 0.5);
  near(level(audio, 0.25), 0.1, 1e-4, "one voice on key 60 after three notes");
  near(level(audio, 0.45), 0.2, 1e-4, "and one on key 64");
});

Deno.test("SFZ CC: ampeg_attack_oncc and ampeg_vel2release shape the envelope at note-on", async () => {
  const sfz = await kit(
    `<region> sample=a.wav amp_veltrack=0 loop_mode=loop_continuous ampeg_attack_oncc3=1 ampeg_release=0.1 ampeg_vel2release=0.9`,
    { "a.wav": dc(3, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.cc(3, 127, t(0));
  inst.noteOn(60, 127, t(0)); // attack 1 s, release 0.1 + 0.9 s
  inst.noteOff(60, t(1.5));
  const audio = sampler.process(RATE * 2.6);
  near(level(audio, 0.5), 0.25, 0.002, "halfway up the 1 s attack");
  // release: -60 dB in 1 s, so -30 dB after 0.5 s
  near(20 * Math.log10(level(audio, 2.0) / 0.5), -30, 0.5, "release 1 s at velocity 127");
});

Deno.test("SFZ CC: a v2 LFO modulates pitch at its rate and depth, after its delay", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 loop_mode=loop_continuous lfo1_freq=2 lfo1_wave=3 lfo1_delay=0.5 lfo1_pitch=100`,
    { "s.wav": sine(3, 480, 0.5) },
  );
  assert.deepEqual(importSfz(sfz).definition.zones[0]!.mods, [
    {
      source: "lfo",
      lfo: { hz: 2, wave: "square", delay: 0.5, fade: 0 },
      target: "pitch",
      depth: 100,
    },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  const audio = sampler.process(RATE * 1.5);
  const cents = (a: number, b: number) => 1200 * Math.log2(freq(audio, a, b) / 480);
  near(cents(0.05, 0.45), 0, 0.5, "during the delay");
  near(cents(0.52, 0.73), 100, 0.5, "first half period: +100 cents");
  near(cents(0.77, 0.98), -100, 0.5, "second half: -100");
  near(cents(1.02, 1.23), 100, 0.5, "a period (0.5 s) later");
});

Deno.test("SFZ CC: lfoN_amplitude swings the gain by its percent at the LFO's rate", async () => {
  const sfz = await kit(
    `<region> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous lfo1_freq=4 lfo1_wave=3 lfo1_amplitude=50`,
    { "d.wav": dc(1, 0.25) },
  );
  assert.deepEqual(importSfz(sfz).definition.zones[0]!.mods, [
    {
      source: "lfo",
      lfo: { hz: 4, wave: "square", delay: 0, fade: 0 },
      target: "amplitude",
      depth: 0.5,
    },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  const audio = sampler.process(RATE);
  const base = 0.25;
  // 4 Hz square: +50 % for the first 1/8 s of each 1/4 s, -50 % the next
  near(level(audio, 0.06) / base, 1.5, 1e-3, "first half period: 1.5");
  near(level(audio, 0.19) / base, 0.5, 1e-3, "second half: 0.5");
  near(level(audio, 0.31) / base, 1.5, 1e-3, "a period (0.25 s) later");
  near(level(audio, 0.44) / base, 0.5, 1e-3, "and its second half");
});

Deno.test("SFZ CC: lfoN_volume_onccN: the CC sets the LFO's measured depth while the note plays", async () => {
  const sfz = await kit(
    `<region> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous lfo1_freq=4 lfo1_wave=3 lfo1_volume_oncc1=-6`,
    { "d.wav": dc(2, 0.25) },
  );
  assert.deepEqual(importSfz(sfz).definition.zones[0]!.mods, [
    {
      source: "lfo",
      lfo: { hz: 4, wave: "square", delay: 0, fade: 0 },
      target: "volume",
      depth: -6,
      depthCc: 1,
    },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(1, 127, t(0.5));
  inst.cc(1, 32, t(1));
  const audio = sampler.process(RATE * 1.5);
  // swing between the two halves of the 4 Hz square, in dB (depth -6: -6 dB then +6 dB)
  const swing = (s: number) => 20 * Math.log10(level(audio, s + 0.125) / level(audio, s));
  near(swing(0.06), 0, 0.01, "CC1 at 0: no modulation");
  near(swing(0.56), 12, 0.01, "CC1 at 127: the full depth");
  near(swing(1.06), 12 * 32 / 127, 0.01, "CC1 at 32: 32/127 of it");
});

Deno.test("SFZ CC: off_mode=time fades a choked voice over off_time", async () => {
  const sfz = await kit(
    `<region> sample=a.wav key=60 group=1 off_by=1 off_mode=time off_time=0.5 amp_veltrack=0 loop_mode=loop_continuous`,
    { "a.wav": dc(2, 0.2) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.noteOn(60, 100, t(0.1));
  const audio = sampler.process(RATE);
  near(level(audio, 0.35), 0.2 + 0.1, 2e-3, "halfway through the 0.5 s fade");
  near(level(audio, 0.8), 0.2, 1e-4, "faded out");
});

Deno.test("SFZ CC: offset_oncc moves the start by the CC at note-on", async () => {
  const ramp = Float64Array.from({ length: RATE }, (_, i) => i / RATE);
  const sfz = await kit(
    `<region> sample=r.wav amp_veltrack=0 loop_mode=one_shot offset_cc4=12000`,
    { "r.wav": ramp },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 127, t(0)); // CC4 at 0: from the start
  inst.cc(4, 127, t(0.25));
  inst.noteOn(62, 127, { at: { seconds: 0.5 } });
  const audio = sampler.process(RATE * 0.6);
  near(level(audio, 0.1), 0.1, 1e-3, "no offset at CC 0");
  const f = (0.55 - 0.5) * RATE;
  // the second note (key 62) plays the ramp 2 semitones up from 12000 frames in, over the first note
  const second = level(audio, 0.55) - 0.55; // minus the first note, still at its 0.55 s point
  near(second, (12000 + f * 2 ** (2 / 12)) / RATE, 2e-3, "started 12000 frames in");
});

Deno.test("SFZ CC: a <curve> header shapes its controller (amplitude_curvecc)", async () => {
  const sfz = await kit(
    `<region> sample=a.wav amp_veltrack=0 loop_mode=loop_continuous amplitude_oncc20=100 amplitude_curvecc20=7
<curve> curve_index=7 v000=0 v064=0.1 v127=1`,
    { "a.wav": dc(1, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.cc(20, 64, t(0));
  inst.noteOn(60, 100, t(0));
  inst.cc(20, 127, t(0.2));
  const audio = sampler.process(RATE * 0.4);
  near(level(audio, 0.1), 0.5 * 0.1, 1e-4, "CC 64 through the curve: 0.1");
  near(level(audio, 0.3), 0.5, 1e-4, "CC 127: 1");
});

Deno.test("SFZ CC: CC1 moves only the file's rows (no mod-wheel vibrato of the engine's own, as in sfizz)", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 loop_mode=loop_continuous pitch_oncc1=1200`,
    { "s.wav": sine(1, 480, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(1, 127, t(0.2));
  const audio = sampler.process(RATE * 1);
  const base = freq(audio, 0.02, 0.18);
  near(1200 * Math.log2(base / 480), 0, 1, "before CC1");
  // a 50-cent vibrato at 5.5 Hz would move each 1/11 s window's pitch by tens of cents
  for (let w = 0; w < 6; w++) {
    const from = 0.3 + w / 11;
    near(1200 * Math.log2(freq(audio, from, from + 1 / 11) / base), 1200, 1, `window ${w}`);
  }
});
