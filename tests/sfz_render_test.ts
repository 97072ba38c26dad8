/**
 * SFZ opcodes heard on offline renders: each test writes a small SFZ and its
 * synthesized samples to a temp directory, loads it through the same loader
 * as TypeScript definitions, plays notes, and measures the output: round
 * robin alternates, off_by chokes, a release trigger sounds on note-off, a
 * keyswitch selects, the low-pass attenuates above its cutoff, a velocity
 * curve sets the gain. Also: the shipped instruments/stage.sfz loads and
 * every zone sounds, and parallel loading gives the same instrument.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { encodeWav } from "../scripts/make_samples.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RATE = 48000;

function sine(seconds: number, hz: number, amp: number): Float64Array {
  const n = Math.round(seconds * RATE);
  return Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / RATE));
}

function noise(seconds: number, amp: number, seed = 7): Float64Array {
  let x = seed;
  const n = Math.round(seconds * RATE);
  return Float64Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return amp * (x / 2147483648 - 1);
  });
}

/** Write samples and an SFZ into a fresh directory; returns the SFZ path. */
async function kit(sfz: string, samples: Record<string, Float64Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ms_sfz_" });
  for (const [name, x] of Object.entries(samples)) {
    await Deno.writeFile(join(dir, name), encodeWav(x, { rootKey: 60 }));
  }
  await Deno.writeTextFile(join(dir, "kit.sfz"), sfz);
  return join(dir, "kit.sfz");
}

/** RMS of the left channel between two times (seconds). */
function rms(audio: Float32Array, from: number, to: number): number {
  let sum = 0, n = 0;
  for (let f = Math.round(from * RATE); f < Math.round(to * RATE); f++) {
    sum += audio[2 * f]! ** 2;
    n++;
  }
  return Math.sqrt(sum / n);
}

/** Energy of the left channel in a band, from a DFT over `n` frames starting at `from` seconds. */
function bandEnergy(audio: Float32Array, from: number, n: number, loHz: number, hiHz: number) {
  const start = Math.round(from * RATE);
  let total = 0;
  for (let k = Math.ceil((loHz * n) / RATE); k <= Math.floor((hiHz * n) / RATE); k++) {
    let re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n); // Hann
      const x = audio[2 * (start + i)]! * w;
      re += x * Math.cos((2 * Math.PI * k * i) / n);
      im -= x * Math.sin((2 * Math.PI * k * i) / n);
    }
    total += re * re + im * im;
  }
  return total;
}

Deno.test("SFZ render: seq_length/seq_position alternate in order", async () => {
  const sfz = await kit(
    `<group> key=60 seq_length=2 loop_mode=one_shot amp_veltrack=0
<region> sample=loud.wav seq_position=2
<region> sample=quiet.wav seq_position=1`,
    { "quiet.wav": sine(0.2, 440, 0.1), "loud.wav": sine(0.2, 440, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  for (let i = 0; i < 4; i++) inst.noteOn(60, 100, { at: { seconds: i * 0.25 } });
  const audio = sampler.process(RATE);
  const levels = [0, 1, 2, 3].map((i) => rms(audio, i * 0.25 + 0.02, i * 0.25 + 0.15));
  assert.ok(levels[0]! < levels[1]! / 3, `levels ${levels}`);
  assert.ok(levels[2]! < levels[1]! / 3 && levels[3]! > levels[2]! * 3, `levels ${levels}`);
});

Deno.test("SFZ render: off_by chokes the ringing note (fast), without off_by it rings on", async () => {
  for (const choke of [true, false]) {
    const sfz = await kit(
      `<region> sample=ring.wav key=60 group=1 ${choke ? "off_by=2" : ""} loop_mode=one_shot
<region> sample=tick.wav key=62 group=2 loop_mode=one_shot volume=-40`,
      { "ring.wav": sine(1, 440, 0.5), "tick.wav": sine(0.05, 880, 0.5) },
    );
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadInstrument(sampler, sfz);
    inst.noteOn(60, 127, { at: 0 });
    inst.noteOn(62, 127, { at: { seconds: 0.3 } });
    const audio = sampler.process(RATE);
    const before = rms(audio, 0.1, 0.29), after = rms(audio, 0.4, 0.6);
    if (choke) assert.ok(after < before / 100, `choked: ${before} -> ${after}`);
    else assert.ok(after > before / 2, `not choked: ${before} -> ${after}`);
  }
});

Deno.test("SFZ render: a trigger=release region sounds on note-off, not before", async () => {
  const sfz = await kit(
    `<region> sample=attack.wav key=60 loop_mode=one_shot
<region> sample=release.wav key=60 trigger=release loop_mode=one_shot`,
    { "attack.wav": sine(0.1, 440, 0.5), "release.wav": sine(0.2, 660, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, { at: 0 });
  inst.noteOff(60, { at: { seconds: 0.5 } });
  const audio = sampler.process(RATE);
  const attack = rms(audio, 0.01, 0.09), held = rms(audio, 0.2, 0.49);
  const released = rms(audio, 0.52, 0.68);
  assert.ok(attack > 0.05, `attack ${attack}`);
  assert.ok(held < 1e-4, `silence while held ${held}`);
  assert.ok(released > 0.05, `release sample ${released}`);
});

Deno.test("SFZ render: keyswitches select a region; sw_default applies before any", async () => {
  const sfz = await kit(
    `<global> sw_lokey=c1 sw_hikey=d1 sw_default=c1 loop_mode=one_shot amp_veltrack=0
<region> sample=quiet.wav key=60 sw_last=c1
<region> sample=loud.wav key=60 sw_last=d1`,
    { "quiet.wav": sine(0.2, 440, 0.1), "loud.wav": sine(0.2, 440, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 100, { at: { seconds: 0.05 } }); // default: c1, quiet
  inst.noteOn(26, 100, { at: { seconds: 0.3 } }); // d1
  inst.noteOn(60, 100, { at: { seconds: 0.35 } });
  inst.noteOn(24, 100, { at: { seconds: 0.6 } }); // c1
  inst.noteOn(60, 100, { at: { seconds: 0.65 } });
  const audio = sampler.process(RATE);
  const a = rms(audio, 0.07, 0.2), b = rms(audio, 0.37, 0.5), c = rms(audio, 0.67, 0.8);
  assert.ok(a > 0.01 && b > 4 * a && c < b / 4, `levels ${a} ${b} ${c}`);
  // a keyswitch key itself plays nothing here
  assert.ok(rms(audio, 0.3, 0.35) < 1e-4);
});

Deno.test("SFZ render: the low-pass filter attenuates above its cutoff", async () => {
  const measure = async (opcodes: string) => {
    const sfz = await kit(`<region> sample=noise.wav key=60 amp_veltrack=0 ${opcodes}`, {
      "noise.wav": noise(0.6, 0.5),
    });
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadInstrument(sampler, sfz);
    inst.noteOn(60, 100, { at: 0 });
    const audio = sampler.process(RATE / 2);
    return {
      low: bandEnergy(audio, 0.1, 4096, 100, 400),
      high: bandEnergy(audio, 0.1, 4096, 4000, 8000),
    };
  };
  const dry = await measure("");
  const wet = await measure("fil_type=lpf_2p cutoff=1000");
  const db = (x: number) => 10 * Math.log10(x);
  // below the cutoff the level stays within 2 dB
  assert.ok(Math.abs(db(wet.low) - db(dry.low)) < 2, `low band ${db(dry.low)} -> ${db(wet.low)}`);
  // 2-3 octaves above a 12 dB/octave cutoff: at least 24 dB down
  assert.ok(db(dry.high) - db(wet.high) > 24, `high band ${db(dry.high)} -> ${db(wet.high)}`);
});

Deno.test("SFZ render: amp_velcurve_N points set the gain per velocity", async () => {
  const sfz = await kit(
    `<region> sample=tone.wav key=60 loop_mode=one_shot amp_velcurve_127=1 amp_velcurve_64=0.25`,
    { "tone.wav": sine(0.2, 440, 0.5) },
  );
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  inst.noteOn(60, 127, { at: 0 });
  inst.noteOn(60, 64, { at: { seconds: 0.5 } });
  const audio = sampler.process(RATE);
  const ratio = rms(audio, 0.55, 0.65) / rms(audio, 0.05, 0.15);
  assert.ok(Math.abs(ratio - 0.25) < 0.01, `ratio ${ratio}`);
});

Deno.test("instruments/stage.sfz loads (serial and parallel alike) and every zone sounds", async () => {
  const file = join(ROOT, "instruments", "stage.sfz");
  const warnings: string[] = [];
  using serial = Sampler.open();
  const a = await loadInstrument(serial, file, { jobs: 1, onWarning: (w) => warnings.push(w) });
  using parallel = Sampler.open();
  const progress: number[] = [];
  const b = await loadInstrument(parallel, file, {
    jobs: 4,
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(warnings, []);
  assert.equal(a.zoneCount, 15);
  assert.equal(b.zoneCount, 15);
  assert.deepEqual(progress, [...progress.keys()].map((i) => i + 1));
  // piano (default keyswitch), its release thump, the bass after D0, drums
  const play = (inst: typeof a, sampler: Sampler) => {
    const out: number[] = [];
    const t = (s: number) => ({ at: { seconds: s } });
    inst.noteOn(60, 100, t(0));
    inst.noteOff(60, t(0.3));
    inst.noteOn(14, 100, t(0.9)); // D0: bass
    inst.noteOn(40, 100, t(1));
    inst.noteOff(40, t(1.3));
    for (const [i, key] of [96, 98, 102, 106].entries()) inst.noteOn(key, 100, t(1.6 + i * 0.2));
    const audio = sampler.process(RATE * 3);
    for (
      const [from, to] of [[0, 0.25], [0.32, 0.4], [1, 1.25], [1.6, 1.7], [1.8, 1.9], [2, 2.1], [
        2.2,
        2.3,
      ]]
    ) {
      out.push(rms(audio, from!, to!));
    }
    return { out, audio };
  };
  const ra = play(a, serial), rb = play(b, parallel);
  for (const level of ra.out) assert.ok(level > 1e-3, `levels ${ra.out}`);
  assert.deepEqual(rb.audio, ra.audio);
});
