/**
 * SFZ envelope opcodes through the engine, each asserted on a render:
 * ampeg_delay holds a note silent for its time, then the attack begins (an
 * ampeg_delay_onccN row adds to it); fileg_delay and fileg_hold move the
 * filter envelope's opening later and keep it open (measured as the level of
 * a tone the closed filter cuts); the pitch envelope (pitcheg_*) moves the
 * measured pitch by its depth after its delay, holds it, and falls back
 * linearly over its decay, as sfizz's envelope does; pitch_veltrack moves
 * the pitch by its cents times velocity / 127; amp_random and offset_random
 * draw a louder level and a later start per note, the same every run; the v1
 * LFOs (pitchlfo_*, amplfo_*, fillfo_*) as sine LFO rows; amp_keytrack's dB
 * per key from amp_keycenter.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import assert from "node:assert/strict";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { importSfz } from "../lib/instrument/sfz/import.ts";
import { sfzKit } from "./sfz_fixtures.ts";
import { risingCrossingHz } from "./audio_analysis.ts";

const RATE = 48000;

/** The kit.sfz of a temporary kit (tests/sfz_fixtures.ts). */
const kit = (sfz: string, files: Record<string, Float64Array>) => sfzKit(sfz, files, "ms_sfz_eg_");

const sine = (hz: number, seconds: number, level = 0.5) =>
  Float64Array.from(
    { length: Math.round(seconds * RATE) },
    (_, i) => level * Math.sin(2 * Math.PI * hz * i / RATE),
  );
const dc = (seconds: number, level: number) =>
  new Float64Array(Math.round(seconds * RATE)).fill(level);
const t = (s: number) => ({ at: { seconds: s } });
const f = (s: number) => Math.round(s * RATE);

/** Largest magnitude of one channel (0 left, 1 right) over frames [from, to). */
function peak(audio: Float32Array, ch: number, from: number, to: number): number {
  let p = 0;
  for (let i = from; i < to; i++) p = Math.max(p, Math.abs(audio[2 * i + ch]!));
  return p;
}

/** RMS of the left channel over [from, to) seconds, in dB. */
function rmsDb(audio: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = f(from); i < f(to); i++) sum += audio[2 * i]! ** 2;
  return 10 * Math.log10(sum / (f(to) - f(from)) + 1e-30);
}

Deno.test("SFZ ampeg_delay=0.2: silence for 0.2 s, then the attack; ampeg_delay_onccN adds to it", async () => {
  const sfz = await kit(
    `<global> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous ampeg_attack=0.1 ampeg_delay=0.2
<region> key=60 pan=-100
<region> key=62 pan=100 ampeg_delay_oncc3=0.2`,
    { "d.wav": dc(2, 0.5) },
  );
  const zones = importSfz(sfz).definition.zones;
  assert.equal(zones[0]!.envelope?.delay, 0.2);
  assert.deepEqual(zones[1]!.mods, [
    { source: 3, target: "ampegDelay", curve: "linear", depth: 0.2 },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.cc(3, 127, t(0));
  inst.noteOn(60, 100, t(0));
  inst.noteOn(62, 100, t(0));
  const audio = sampler.process(RATE);
  // left: the zone's 0.2 s delay, to the frame
  assert.equal(peak(audio, 0, 0, f(0.2)), 0, "silent through the delay");
  assert.ok(audio[2 * (f(0.2) + 2)]! > 0, "the attack begins on the delay's last frame");
  const full = audio[2 * f(0.4)]!;
  assert.ok(full > 0.45, `full level after the attack: ${full}`);
  const half = audio[2 * f(0.25)]! / full;
  assert.ok(Math.abs(half - 0.5) < 0.01, `half way up the 0.1 s attack at 0.25 s: ${half}`);
  // right: 0.2 s + the row's 0.2 s at CC3 = 127
  assert.equal(peak(audio, 1, 0, f(0.4)), 0, "silent through delay + row");
  assert.ok(audio[2 * (f(0.4) + 2) + 1]! > 0, "its attack begins at 0.4 s");
  const halfR = audio[2 * f(0.45) + 1]! / full;
  assert.ok(Math.abs(halfR - 0.5) < 0.01, `half way up at 0.45 s: ${halfR}`);
});

Deno.test("SFZ fileg_delay and fileg_hold: the cutoff's rise comes after the delay and stays for the hold", async () => {
  // a 3 kHz tone through a 200 Hz lowpass; the envelope opens it 5 octaves (6.4 kHz) at once,
  // then falls back at once after the hold (decay 0, sustain 0)
  const sfz = await kit(
    `<global> sample=s.wav amp_veltrack=0 loop_mode=loop_continuous fil_type=lpf_2p cutoff=200
 fileg_depth=6000 fileg_attack=0 fileg_decay=0 fileg_sustain=0
<region> key=60 fileg_delay=0.2 fileg_hold=0.3
<region> key=61 pitch_keycenter=61`,
    { "s.wav": sine(3000, 3) },
  );
  const zones = importSfz(sfz).definition.zones;
  assert.deepEqual(zones[0]!.filter?.envelope, {
    depthCents: 6000,
    delay: 0.2,
    attack: 0,
    hold: 0.3,
    decay: 0,
    sustain: 0,
  });
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.noteOff(60, t(0.9));
  inst.noteOn(61, 100, t(1));
  const audio = sampler.process(2 * RATE);
  const closed = rmsDb(audio, 0.05, 0.19), open = rmsDb(audio, 0.22, 0.48);
  const after = rmsDb(audio, 0.55, 0.85);
  assert.ok(
    open - closed > 25,
    `opened after the delay: ${open.toFixed(1)} vs ${closed.toFixed(1)} dB`,
  );
  assert.ok(
    open - after > 25,
    `closed again after the hold: ${open.toFixed(1)} vs ${after.toFixed(1)} dB`,
  );
  // the same region without delay and hold: open only at its start, closed by 20 ms
  const plainOpen = rmsDb(audio, 1.0, 1.0 + 64 / RATE), plainLater = rmsDb(audio, 1.05, 1.19);
  assert.ok(
    Math.abs(plainLater - closed) < 1,
    `without them, closed from the start: ${plainLater.toFixed(1)} vs ${closed.toFixed(1)} dB`,
  );
  assert.ok(plainOpen > plainLater, "and open on its first frames");
});

Deno.test("SFZ pitch envelope: up by its depth after the delay, held, then back linearly over the decay", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 pitcheg_depth=1200 pitcheg_delay=0.1 pitcheg_attack=0
 pitcheg_hold=0.2 pitcheg_decay=0.4 pitcheg_sustain=0 pitcheg_release=0.1`,
    { "s.wav": sine(440, 3) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.noteOff(60, t(1.2));
  const audio = sampler.process(RATE);
  const cents = (from: number, to: number) =>
    1200 * Math.log2(risingCrossingHz(audio, f(from), f(to), RATE) / 440);
  const near = (from: number, to: number, want: number, what: string) => {
    const c = cents(from, to);
    assert.ok(Math.abs(c - want) < 5, `${what}: ${c.toFixed(1)} cents, want ${want}`);
  };
  near(0.01, 0.09, 0, "before the delay ends: the key's pitch");
  near(0.11, 0.29, 1200, "after it: up the depth (an octave), held");
  near(0.49, 0.51, 600, "half way through the decay: half the depth");
  near(0.75, 0.95, 0, "after the decay (sustain 0): back to the key's pitch");
});

Deno.test("SFZ pitch_veltrack=1200: velocity 127 an octave up, 64 about half, the note's pitch measured", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 pitch_veltrack=1200`,
    { "s.wav": sine(440, 3) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 127, t(0));
  inst.noteOff(60, t(0.3));
  inst.noteOn(60, 64, t(0.5));
  inst.noteOff(60, t(0.8));
  const audio = sampler.process(RATE);
  const cents = (from: number, to: number) =>
    1200 * Math.log2(risingCrossingHz(audio, f(from), f(to), RATE) / 440);
  const c127 = cents(0.05, 0.25), c64 = cents(0.55, 0.75);
  assert.ok(Math.abs(c127 - 1200) < 1, `velocity 127: ${c127.toFixed(2)} cents`);
  assert.ok(Math.abs(c64 - 1200 * 64 / 127) < 1, `velocity 64: ${c64.toFixed(2)} cents`);
});

Deno.test("SFZ amp_random and offset_random: each note's level up to amp_random dB louder, its start up to offset_random frames later; the same draws every run", async () => {
  // key 60: a level of 0.5 with amp_random=6; key 62: a ramp whose value is its frame / 32767,
  // from offset_random=1000 (key 64 starts at the fixed offset=1000 for reference)
  const ramp = Float64Array.from({ length: 30000 }, (_, i) => i / 32767);
  const sfz = await kit(
    `<global> amp_veltrack=0 pan=-100 ampeg_release=0.001
<region> key=60 sample=d.wav amp_random=6 loop_mode=loop_continuous
<region> key=61 sample=d.wav loop_mode=loop_continuous
<region> key=62 sample=r.wav offset_random=1000
<region> key=64 sample=r.wav offset=1000`,
    { "d.wav": dc(1, 0.5), "r.wav": ramp },
  );
  const mods = importSfz(sfz).definition.zones.map((z) => z.mods);
  assert.deepEqual(mods, [
    [{ source: "random", target: "volume", depth: 6 }],
    undefined,
    [{ source: "random", target: "offset", depth: 1001 }],
    undefined,
  ]);
  const run = async () => {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadInstrument(sampler, sfz);
    const notes = 40, step = 0.1;
    inst.noteOn(61, 100, t(0));
    inst.noteOff(61, t(0.02));
    inst.noteOn(64, 100, t(0.05));
    inst.noteOff(64, t(0.07));
    for (let n = 0; n < notes; n++) {
      inst.noteOn(60, 100, t(0.1 + n * step));
      inst.noteOff(60, t(0.1 + n * step + 0.02));
      inst.noteOn(62, 100, t(0.1 + n * step + 0.05));
      inst.noteOff(62, t(0.1 + n * step + 0.07));
    }
    const audio = sampler.process(f(0.2 + notes * step));
    const ref = audio[2 * f(0.01)]!, ref1000 = audio[2 * f(0.05)]!;
    const db: number[] = [], offsets: number[] = [];
    for (let n = 0; n < notes; n++) {
      db.push(20 * Math.log10(audio[2 * f(0.1 + n * step + 0.01)]! / ref));
      offsets.push(1000 * audio[2 * f(0.1 + n * step + 0.05)]! / ref1000);
    }
    return { db, offsets };
  };
  const a = await run(), b = await run();
  assert.deepEqual(a, b, "the same draws in a second run");
  for (const d of a.db) assert.ok(d >= -1e-4 && d <= 6 + 1e-4, `a level in 0..6 dB: ${d}`);
  assert.ok(
    Math.max(...a.db) - Math.min(...a.db) > 3,
    `levels spread: ${a.db.map((d) => d.toFixed(1))}`,
  );
  for (const o of a.offsets) {
    assert.ok(
      Math.abs(o - Math.round(o)) < 0.01 && o >= 0 && o <= 1000,
      `a whole offset in 0..1000: ${o}`,
    );
  }
  assert.ok(
    new Set(a.offsets.map(Math.round)).size > 30,
    `offsets differ: ${a.offsets.map(Math.round)}`,
  );
});

Deno.test("SFZ v1 LFOs: pitchlfo_freq/_depth swing the measured pitch by the depth at the rate; _depthccN adds with its CC; amplfo and fillfo rows", async () => {
  const sfz = await kit(
    `<region> sample=s.wav amp_veltrack=0 pitchlfo_freq=5 pitchlfo_depth=100 pitchlfo_depthcc20=100
<region> key=62 sample=s.wav amplfo_freq=2 amplfo_depth=3 amplfo_delay=0.5 fil_type=lpf_2p cutoff=1000
 fillfo_freq=4 fillfo_depth=600 fillfo_fade=1 fillfo_depth_oncc2=-300`,
    { "s.wav": sine(440, 4) },
  );
  const zones = importSfz(sfz).definition.zones;
  const lfo = (hz: number, delay = 0, fade = 0) => ({ hz, wave: "sine", delay, fade });
  assert.deepEqual(zones[0]!.mods, [
    { source: "lfo", lfo: lfo(5), target: "pitch", depth: 100 },
    { source: "lfo", lfo: lfo(5), target: "pitch", depth: 100, depthCc: 20 },
  ]);
  assert.deepEqual(zones[1]!.mods, [
    { source: "lfo", lfo: lfo(2, 0.5), target: "volume", depth: 3 },
    { source: "lfo", lfo: lfo(4, 0, 1), target: "cutoff", depth: 600 },
    { source: "lfo", lfo: lfo(4, 0, 1), target: "cutoff", depth: -300, depthCc: 2 },
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, t(0));
  inst.cc(20, 127, t(1)); // not CC1: the engine's own mod-wheel vibrato would add to it
  const audio = sampler.process(2 * RATE);
  // pitch in 10 ms windows: 5 Hz swings of +-100 cents, then +-200 with CC20 at 127
  const swing = (from: number, to: number) => {
    const c: number[] = [];
    for (let s = from; s < to - 0.01; s += 0.005) {
      c.push(1200 * Math.log2(risingCrossingHz(audio, f(s), f(s + 0.01), RATE) / 440));
    }
    return [Math.min(...c), Math.max(...c)];
  };
  const [lo0, hi0] = swing(0.05, 0.95), [lo1, hi1] = swing(1.05, 1.95);
  assert.ok(hi0! > 95 && hi0! < 101 && lo0! < -95 && lo0! > -101, `depth 100: ${lo0} .. ${hi0}`);
  assert.ok(hi1! > 190 && hi1! < 201 && lo1! < -190 && lo1! > -201, `+ CC20: ${lo1} .. ${hi1}`);
  // the rate: rising crossings of the pitch's swing around 0 over 0.05..0.95 s at 5 Hz
  let ups = 0, prev = 0;
  for (let s = 0.05; s < 0.95; s += 0.005) {
    const c = 1200 * Math.log2(risingCrossingHz(audio, f(s), f(s + 0.01), RATE) / 440);
    if (prev < 0 && c >= 0) ups++;
    prev = c;
  }
  assert.ok(ups >= 4 && ups <= 5, `5 Hz: ${ups} upward swings in 0.9 s`);
});

Deno.test("SFZ amp_keytrack: dB per key away from amp_keycenter, rising or falling, measured on each key", async () => {
  const sfz = await kit(
    `<global> sample=d.wav amp_veltrack=0 loop_mode=loop_continuous
<region> lokey=0 hikey=63 pan=-100 amp_keytrack=0.5
<region> lokey=64 hikey=127 pan=-100 amp_keytrack=-0.75 amp_keycenter=c6 volume=-15`,
    { "d.wav": dc(1, 0.25) },
  );
  const zones = importSfz(sfz).definition.zones;
  assert.deepEqual(zones[0]!.mods, [{
    source: "key",
    target: "volume",
    curve: "linear",
    depth: 63.5,
  }]);
  assert.equal(zones[0]!.gainDb, -30); // 0.5 dB x (key - 60) = 63.5 x key / 127 - 30
  assert.deepEqual(zones[1]!.mods, [{
    source: "key",
    target: "volume",
    curve: "inverted",
    depth: 0.75 * 127,
  }]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  const keys = [36, 48, 60, 63, 64, 72, 84, 96];
  keys.forEach((k, i) => {
    inst.noteOn(k, 100, t(0.1 * i));
    inst.noteOff(k, t(0.1 * i + 0.05));
  });
  const audio = sampler.process(RATE);
  const ref = 20 * Math.log10(0.25); // the file's level (8192 / 32768) at 0 dB
  keys.forEach((k, i) => {
    const db = 20 * Math.log10(audio[2 * f(0.1 * i + 0.02)]!) - ref;
    const want = k < 64 ? 0.5 * (k - 60) : -15 - 0.75 * (k - 84);
    assert.ok(Math.abs(db - want) < 0.01, `key ${k}: ${db.toFixed(3)} dB, want ${want}`);
  });
});
