/**
 * SFZ opcodes heard on offline renders: each test writes a small SFZ and its
 * synthesized samples to a temp directory, loads it through the same loader
 * as TypeScript definitions, plays notes, and measures the output: round
 * robin alternates, off_by chokes, a release trigger sounds on note-off, a
 * keyswitch selects, the low-pass attenuates above its cutoff, a velocity
 * curve sets the gain. Also: the shipped instruments/stage.sfz loads and
 * every zone sounds, and parallel loading gives the same instrument. The
 * library-shaped fixtures of tests/fixtures/sfz (includes in Data/,
 * #define'd keys, CC-switched pedal layers, a kit with bad lines and sample
 * paths in another letter case) import, load and play; 300 round-robin sets
 * load (the engine's old cap was 256).
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument, readDefinition } from "../lib/instrument/load.ts";
import { importSfz } from "../lib/instrument/sfz/import.ts";
import { encodeWav } from "../scripts/make_samples.ts";
import { sfzKit } from "./sfz_fixtures.ts";

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
/** The kit.sfz of a temporary kit (tests/sfz_fixtures.ts). */
const kit = (sfz: string, samples: Record<string, Float64Array>) => sfzKit(sfz, samples, "ms_sfz_");

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

/** Copy a fixture library to a temp directory (samples are written beside it, not in the tree). */
function fixture(name: string): string {
  const from = join(ROOT, "tests", "fixtures", "sfz", name);
  const to = Deno.makeTempDirSync({ prefix: `ms_sfz_${name}_` });
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(join(from, rel))) {
      const r = join(rel, e.name);
      if (e.isDirectory) {
        Deno.mkdirSync(join(to, r));
        walk(r);
      } else Deno.copyFileSync(join(from, r), join(to, r));
    }
  };
  walk("");
  return to;
}

/**
 * Write a sine for every sample the SFZ names, at its zone's root key, at
 * `level(path)`; `rename` gives the file name actually written (to mimic a
 * library whose paths differ in case from its files).
 */
function writeSamples(
  sfz: string,
  level: (sample: string) => number,
  rename: (sample: string) => string = (x) => x,
): void {
  const imported = importSfz(sfz);
  const dir = dirname(sfz);
  const done = new Set<string>();
  for (const z of imported.definition.zones) {
    if (done.has(z.sample)) continue;
    done.add(z.sample);
    const path = join(dir, rename(z.sample));
    Deno.mkdirSync(dirname(path), { recursive: true });
    const hz = 440 * 2 ** (((z.rootKey ?? 60) - 69) / 12);
    Deno.writeFileSync(
      path,
      encodeWav(sine(0.4, hz, level(z.sample)), { rootKey: z.rootKey ?? 60 }),
    );
  }
}

Deno.test("fixture Upright Piano: includes, #define'd keys and layers import; one zone per note and velocity; it plays", async () => {
  const sfz = join(fixture("upright"), "Upright Piano.sfz");
  writeSamples(sfz, (s) => (s.includes(" f ") ? 0.4 : 0.1));
  const imported = importSfz(sfz);
  const zones = imported.definition.zones;
  // 2 keyswitched masters x 2 velocity layers x 6 keys, and the pedal-up release noise;
  // the two pedal-noise regions start on CC64, not on notes: left out
  assert.equal(zones.length, 25);
  assert.deepEqual(imported.controllers.map((c) => [c.cc, c.label]), [
    [64, "Sustain Pedal (64)"],
    [72, "Release (72)"],
    [99, "Veltrack (99)"],
  ]);
  // as sfizz plays it at rest: every key and velocity starts exactly one attack zone
  for (const ks of [12, 13]) {
    for (let key = 21; key <= 108; key++) {
      for (let vel = 1; vel <= 127; vel += 9) {
        const n = zones.filter((z) =>
          (z.trigger ?? "attack") === "attack" && z.keyswitch === ks &&
          z.keys![0] <= key && key <= z.keys![1] && z.velocities![0] <= vel &&
          vel <= z.velocities![1]
        ).length;
        assert.equal(n, 1, `keyswitch ${ks}, key ${key}, velocity ${vel}: ${n} zones`);
      }
    }
  }
  const warnings: string[] = [];
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz, { onWarning: (w) => warnings.push(w) });
  assert.equal(inst.zoneCount, 25);
  assert.ok(!warnings.some((w) => /ampeg_release_oncc/.test(w))); // played: zone rows
  inst.noteOn(60, 40, { at: 0 }); // soft layer, normal
  inst.noteOn(60, 120, { at: { seconds: 0.5 } }); // loud layer
  inst.noteOn(13, 100, { at: { seconds: 0.95 } }); // keyswitch: soft master, -6 dB
  inst.noteOn(60, 120, { at: { seconds: 1 } });
  const audio = sampler.process(RATE * 1.5);
  const soft = rms(audio, 0.05, 0.2), loud = rms(audio, 0.55, 0.7), quiet = rms(audio, 1.05, 1.2);
  // the soft layer's samples are at 0.1 with group_volume=3, the loud ones at 0.4
  assert.ok(Math.abs(loud / soft - 0.4 / (0.1 * 10 ** (3 / 20))) < 0.05, `layers ${soft} ${loud}`);
  assert.ok(Math.abs(20 * Math.log10(quiet / loud) + 6) < 1, `master_volume ${loud} -> ${quiet}`);
});

Deno.test("fixture Rock Kit: bad lines are skipped with file:line, paths in another case resolve, the kit plays", async () => {
  const dir = fixture("rock_kit");
  const sfz = join(dir, "Rock Kit.sfz");
  const LEVELS: Record<string, number> = { RR1: 0.1, RR2: 0.2, RR3: 0.3 };
  // the SFZ writes samples\Kick\Kick_RR1.wav; the files are Samples/Kick/Kick_RR1.WAV
  writeSamples(
    sfz,
    (s) => LEVELS[/RR(\d)/.exec(s)?.[0] ?? ""] ?? (s.includes("open") ? 0.2 : 0.3),
    (s) => s.replace(/^samples/, "Samples").replace(/\.wav$/, ".WAV"),
  );
  const resolved = await readDefinition(sfz);
  assert.deepEqual(resolved.warnings.map((w) => w.replace(`${dir}/`, "")), [
    'Rock Kit.sfz:20: "# kit pieces follow" is not a directive (a shell-style comment?): line skipped',
    'Data/snare.sfz:2: "snare" is not a <header>, an opcode=value or a #directive: line skipped',
    'Data/snare.sfz:7: malformed header "<region seq_position=1 sample=Snare\\\\S...": line skipped',
    `Rock Kit.sfz: 9 sample paths match their files only when letter case is ignored (first: "samples/Kick/Kick_RR1.wav" is "Samples/Kick/Kick_RR1.WAV"): using the files found`,
  ]);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  assert.equal(inst.zoneCount, 9);
  const t = (s: number) => ({ at: { seconds: s } });
  for (let i = 0; i < 4; i++) inst.noteOn(36, 127, t(i * 0.5)); // kick round robin 1, 2, 3, 1
  inst.noteOn(38, 40, t(2)); // soft snare
  inst.noteOn(38, 120, t(2.5)); // hard snare
  inst.noteOn(46, 127, t(3)); // open hat ...
  inst.noteOn(42, 127, t(3.2)); // ... choked by the closed one
  const audio = sampler.process(RATE * 4);
  const kicks = [0, 1, 2, 3].map((i) => rms(audio, i * 0.5 + 0.02, i * 0.5 + 0.3));
  const r = (a: number, b: number) => Math.abs(a / b - 1) < 0.05;
  assert.ok(
    r(kicks[1]! / kicks[0]!, 2) && r(kicks[2]! / kicks[0]!, 3) && r(kicks[3]!, kicks[0]!),
    `kicks ${kicks}`,
  );
  assert.ok(
    rms(audio, 2.02, 2.3) > 1e-3 && rms(audio, 2.52, 2.8) > rms(audio, 2.02, 2.3),
    "snare layers",
  );
  assert.ok(rms(audio, 3.05, 3.15) > 1e-3, "open hat");
});

Deno.test("SFZ render: 300 round-robin sets load and each alternates (the engine's cap was 256 groups)", async () => {
  const lines: string[] = [];
  const samples: Record<string, Float64Array> = {};
  for (let key = 0; key < 100; key++) {
    for (const [lo, hi] of [[1, 40], [41, 90], [91, 127]]) {
      lines.push(
        `<group> key=${key} lovel=${lo} hivel=${hi} seq_length=2 loop_mode=one_shot amp_veltrack=0`,
      );
      for (const pos of [1, 2]) lines.push(`<region> sample=rr${pos}.wav seq_position=${pos}`);
    }
  }
  samples["rr1.wav"] = sine(0.1, 440, 0.1);
  samples["rr2.wav"] = sine(0.1, 440, 0.4);
  const sfz = await kit(lines.join("\n"), samples);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, sfz);
  assert.equal(inst.zoneCount, 600);
  for (let i = 0; i < 4; i++) inst.noteOn(99, 127, { at: { seconds: i * 0.2 } }); // the last set
  const audio = sampler.process(RATE);
  const levels = [0, 1, 2, 3].map((i) => rms(audio, i * 0.2 + 0.01, i * 0.2 + 0.08));
  assert.ok(levels[1]! > 3 * levels[0]! && levels[3]! > 3 * levels[2]!, `levels ${levels}`);
});
