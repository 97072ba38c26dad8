/**
 * SoundFont reader, zone layering and loading, on small fonts written here
 * (SF2 with 16-bit PCM, SF3 with an Ogg Vorbis sample made by sox when it is
 * installed) and on TimGM6mb when it is installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { risingCrossingHz } from "../../../tests/audio_analysis.ts";
import { cat, chunk, list } from "../../../tests/riff_fixtures.ts";
import { Sampler } from "../../engine/sampler.ts";
import { InstrumentDefinitionError } from "../../errors.ts";
import { gmSlots } from "./gm.ts";
import { GM_PROGRAMS } from "./gm_names.ts";
import { listPresets, loadSoundFontPreset, splitPresetPath } from "./load.ts";
import { evaluateModulators, mergeModulators, sourceValue } from "./modulators.ts";
import { parseSoundFont, type Sf2Modulator, type SoundFont } from "./riff.ts";
import { GEN, presetZones } from "./zones.ts";

const RATE = 48000;

interface TestSample {
  name: string;
  /** 16-bit PCM, or Ogg bytes for SF3. */
  data: Int16Array | Uint8Array;
  rate: number;
  root: number;
  loop?: [number, number];
}
type Gens = [number, number][];
interface TestFont {
  samples: TestSample[];
  /** Zones as generator lists; a zone without sampleID first is the global zone. */
  instruments: { name: string; zones: Gens[] }[];
  presets: { name: string; bank: number; program: number; zones: Gens[] }[];
}

/** Pack a range generator amount (lo, hi) the way pgen/igen store it. */
const range = (lo: number, hi: number) => (hi << 8 | lo) << 16 >> 16;

/** A SoundFont file for `f` (version 3 when a sample holds Ogg bytes). */
function buildFont(f: TestFont): Uint8Array {
  const enc = new TextEncoder();
  const rec = (size: number, n: number, fill: (v: DataView, i: number, at: number) => void) => {
    const b = new Uint8Array(size * n);
    const v = new DataView(b.buffer);
    for (let i = 0; i < n; i++) fill(v, i, i * size);
    return b;
  };
  const name20 = (b: DataView, at: number, s: string) => {
    enc.encode(s.slice(0, 19)).forEach((c, i) => b.setUint8(at + i, c));
  };
  const vorbis = f.samples.some((s) => s.data instanceof Uint8Array);
  // sample data: PCM frames (with 46 zero frames after each) or Ogg bytes
  const parts: Uint8Array[] = [];
  const where: [number, number][] = [];
  let pos = 0;
  for (const s of f.samples) {
    if (s.data instanceof Int16Array) {
      const b = new Uint8Array((s.data.length + 46) * 2);
      b.set(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength));
      where.push([pos, pos + s.data.length]);
      pos += s.data.length + 46;
      parts.push(b);
    } else {
      where.push([pos, pos + s.data.length]);
      pos += s.data.length;
      parts.push(s.data);
    }
  }
  const zonesOf = (all: Gens[][]) => {
    const bags: [number, number][] = [];
    const gens: Gens = [];
    for (const zones of all) {
      for (const z of zones) {
        bags.push([gens.length, 0]);
        gens.push(...z);
      }
    }
    bags.push([gens.length, 0]);
    gens.push([0, 0]);
    return { bags, gens };
  };
  const p = zonesOf(f.presets.map((x) => x.zones)), i = zonesOf(f.instruments.map((x) => x.zones));
  const bagRec = (b: [number, number][]) =>
    rec(4, b.length, (v, k, at) => {
      v.setUint16(at, b[k]![0], true);
      v.setUint16(at + 2, b[k]![1], true);
    });
  const genRec = (g: Gens) =>
    rec(4, g.length, (v, k, at) => {
      v.setUint16(at, g[k]![0], true);
      v.setInt16(at + 2, g[k]![1], true);
    });
  let pb = 0, ib = 0;
  const phdr = rec(38, f.presets.length + 1, (v, k, at) => {
    const x = f.presets[k];
    name20(v, at, x?.name ?? "EOP");
    v.setUint16(at + 20, x?.program ?? 0, true);
    v.setUint16(at + 22, x?.bank ?? 0, true);
    v.setUint16(at + 24, pb, true);
    pb += x?.zones.length ?? 0;
  });
  const inst = rec(22, f.instruments.length + 1, (v, k, at) => {
    const x = f.instruments[k];
    name20(v, at, x?.name ?? "EOI");
    v.setUint16(at + 20, ib, true);
    ib += x?.zones.length ?? 0;
  });
  const shdr = rec(46, f.samples.length + 1, (v, k, at) => {
    const s = f.samples[k];
    name20(v, at, s?.name ?? "EOS");
    if (!s) return;
    const [start, end] = where[k]!;
    const rel = s.data instanceof Uint8Array ? 0 : start; // SF3 loops are relative
    v.setUint32(at + 20, start, true);
    v.setUint32(at + 24, end, true);
    v.setUint32(at + 28, rel + (s.loop?.[0] ?? 0), true);
    v.setUint32(at + 32, rel + (s.loop?.[1] ?? 0), true);
    v.setUint32(at + 36, s.rate, true);
    v.setUint8(at + 40, s.root);
    v.setUint16(at + 44, s.data instanceof Uint8Array ? 0x11 : 1, true);
  });
  const ifil = rec(4, 1, (v) => v.setUint16(0, vorbis ? 3 : 2, true));
  const body = cat(
    enc.encode("sfbk"),
    list("INFO", chunk("ifil", ifil), chunk("INAM", enc.encode("test font\0"))),
    list("sdta", chunk("smpl", cat(...parts))),
    list(
      "pdta",
      chunk("phdr", phdr),
      chunk("pbag", bagRec(p.bags)),
      chunk("pmod", new Uint8Array(10)),
      chunk("pgen", genRec(p.gens)),
      chunk("inst", inst),
      chunk("ibag", bagRec(i.bags)),
      chunk("imod", new Uint8Array(10)),
      chunk("igen", genRec(i.gens)),
      chunk("shdr", shdr),
    ),
  );
  return chunk("RIFF", body);
}

/** One second of a 440 Hz sine at 22050 Hz, as 16-bit PCM. */
function sine440(): Int16Array {
  const n = 22050;
  return Int16Array.from(
    { length: n },
    (_, i) => Math.round(16000 * Math.sin(2 * Math.PI * 440 * i / 22050)),
  );
}

/** A font with one instrument (global zone + one local zone) under one preset. */
function layeredFont(): TestFont {
  return {
    samples: [{ name: "sine", data: sine440(), rate: 22050, root: 69, loop: [1000, 1000 + 2205] }],
    instruments: [{
      name: "inst",
      zones: [
        [[GEN.attackVolEnv, 0], [GEN.fineTune, 5]], // global: attack 1 s, +5 cents
        [[GEN.keyRange, range(40, 80)], [GEN.sampleModes, 1], [GEN.initialAttenuation, 100], [
          GEN.sampleID,
          0,
        ]],
      ],
    }],
    presets: [{
      name: "Layered",
      bank: 0,
      program: 5,
      zones: [[
        [GEN.keyRange, range(60, 100)],
        [GEN.fineTune, 10],
        [GEN.sampleModes, 0], // not allowed at preset level: ignored
        [GEN.instrument, 0],
      ]],
    }],
  };
}

Deno.test("the reader finds presets, instruments and samples of a written SF2", () => {
  const font = parseSoundFont(buildFont(layeredFont()));
  assert.equal(font.name, "test font");
  assert.equal(font.version, 2);
  assert.deepEqual(font.presets.map((p) => [p.name, p.bank, p.program, p.zones.length]), [
    ["Layered", 0, 5, 1],
  ]);
  assert.equal(font.instruments[0]!.zones.length, 2);
  assert.deepEqual(
    font.samples.map((s) => [s.name, s.end - s.start, s.sampleRate, s.originalPitch]),
    [["sine", 22050, 22050, 69]],
  );
});

Deno.test("zones layer as SF2 says: ranges intersect, preset generators add, preset-only rules hold", () => {
  const font = parseSoundFont(buildFont(layeredFont()));
  const { zones } = presetZones(font, 0);
  assert.equal(zones.length, 1);
  const o = zones[0]!.options;
  assert.deepEqual(o.keys, [60, 80]); // 40..80 ∩ 60..100
  assert.equal(o.tuneCents, 15); // instrument global 5 + preset 10
  assert.deepEqual(o.loop, { mode: "forward", start: 1000, end: 3205 }); // preset sampleModes ignored
  assert.ok(Math.abs(o.gainDb! - -4) < 1e-9); // 100 cB × 0.4 (FluidSynth's EMU factor)
  assert.equal(o.envelope?.attack, 1); // 0 timecents = 1 s, from the global zone
  assert.equal(o.rootKey, 69);
});

Deno.test("modulators: an instrument's replaces the default, a preset's adds; velocity sources split the zone", () => {
  const velAtt = (amount: number): Sf2Modulator => ({
    src: 0x0502,
    dest: GEN.initialAttenuation,
    amount,
    amtSrc: 0,
    trans: 0,
  });
  // the instrument turns velocity attenuation off, the preset adds 800 cB back
  const merged = mergeModulators([[velAtt(0)]], [[velAtt(800)]]);
  assert.equal(evaluateModulators(merged, 100, 60).velocityToAttenuation, 800);
  // concave source: 960 cB of it is 40·log10(v/127) dB
  assert.ok(
    Math.abs(960 * sourceValue(0x0502, 100 / 127) / 10 - -40 * Math.log10(100 / 127)) < 1e-9,
  );
  // velocity (linear, positive) to the cutoff, +2400 cents at 127: bands of 16, brighter when louder
  const g = (oper: number, amount: number) => ({
    oper,
    amount,
    lo: amount & 0xff,
    hi: (amount >> 8) & 0xff,
  });
  const font: SoundFont = {
    name: "",
    version: 2,
    notes: [],
    bytes: new Uint8Array(0),
    smpl: { offset: 0, size: 0 },
    samples: [{
      name: "s",
      start: 0,
      end: 1000,
      loopStart: 0,
      loopEnd: 0,
      sampleRate: 44100,
      originalPitch: 60,
      pitchCorrection: 0,
      link: 0,
      type: 1,
      vorbis: false,
    }],
    instruments: [{
      name: "i",
      zones: [{
        generators: [g(GEN.initialFilterFc, 6000), g(GEN.sampleID, 0)],
        modulators: [{ src: 0x0002, dest: GEN.initialFilterFc, amount: 2400, amtSrc: 0, trans: 0 }],
      }],
    }],
    presets: [{
      name: "p",
      bank: 0,
      program: 0,
      zones: [{ generators: [g(GEN.instrument, 0)], modulators: [] }],
    }],
  };
  const { zones, unsupported } = presetZones(font, 0);
  assert.deepEqual(zones.map((z) => z.options.velocities), [
    [1, 15],
    [16, 31],
    [32, 47],
    [48, 63],
    [64, 79],
    [80, 95],
    [96, 111],
    [112, 127],
  ]);
  const hz = zones.map((z) => z.options.filter!.cutoffHz!);
  assert.ok(hz.every((h, i) => i === 0 || h > hz[i - 1]!), `cutoffs rise with velocity: ${hz}`);
  // the top band (middle 120) is 6000 + 2400·120/127 cents
  assert.ok(Math.abs(hz[7]! - 8.176 * 2 ** ((6000 + 2400 * 120 / 127) / 1200)) < 1e-6);
  assert.ok(
    [...unsupported.keys()].some((k) => k.startsWith("approximated: velocity/key modulators")),
  );
});

Deno.test("a malformed SoundFont is a RangeError that names the chunk", () => {
  const good = buildFont(layeredFont());
  assert.throws(
    () => parseSoundFont(good.subarray(0, good.length - 100)),
    /runs \d+ bytes past its end/,
  );
  const notSf = good.slice();
  notSf.set(new TextEncoder().encode("WAVE"), 8);
  assert.throws(() => parseSoundFont(notSf), /the RIFF form is "WAVE", expected "sfbk"/);
});

Deno.test("a preset path selects bank and program; a bad one says how to write it", () => {
  assert.deepEqual(splitPresetPath("a.sf2#128:25"), { file: "a.sf2", bank: 128, program: 25 });
  assert.throws(() => splitPresetPath("a.sf2#x"), /write #program \(0\.\.127\) or #bank:program/);
  assert.throws(() => splitPresetPath("a.sf2#0:200"), RangeError);
});

Deno.test("a loaded preset plays its looped sample at the key's pitch; a missing preset names what exists", async () => {
  const file = await Deno.makeTempFile({ suffix: ".sf2" });
  await Deno.writeFile(file, buildFont(layeredFont()));
  try {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadSoundFontPreset(sampler, `${file}#0:5`);
    assert.equal(inst.name, "Layered");
    inst.noteOn(80, 127, { at: { seconds: 0 } }); // 11 keys over root 69, +15 cents
    const audio = sampler.process(RATE * 2); // past the sample's 1 s: the loop holds it
    const hz = risingCrossingHz(audio, RATE * 1.2, RATE * 1.8, RATE);
    const cents = 1200 * Math.log2(hz / (440 * 2 ** (11 / 12)));
    assert.ok(Math.abs(cents - 15) < 1, `played ${hz} Hz, ${cents} cents from key 80`);
    await assert.rejects(
      () => loadSoundFontPreset(sampler, file, { bank: 0, program: 9, exact: true }),
      (err: unknown) =>
        err instanceof InstrumentDefinitionError &&
        /no such preset \(it has 1, e\.g\. 0:5 "Layered"\)/.test(err.message),
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("the mod wheel brings in SF2's vibrato: 50 cents at the preset's LFO rate (8.176 Hz by default)", async () => {
  const file = await Deno.makeTempFile({ suffix: ".sf2" });
  await Deno.writeFile(file, buildFont(layeredFont()));
  try {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadSoundFontPreset(sampler, `${file}#0:5`);
    inst.cc(1, 127, { at: { seconds: 0 } });
    inst.noteOn(69, 127, { at: { seconds: 0 } });
    const audio = sampler.process(RATE * 3);
    // pitch every 20 ms over two seconds, in cents around its mean
    const cents: number[] = [];
    for (let t = RATE; t < RATE * 3 - 960; t += 960) {
      cents.push(1200 * Math.log2(risingCrossingHz(audio, t, t + 960, RATE) / 440));
    }
    const mean = cents.reduce((a, b) => a + b) / cents.length;
    let crossings = 0;
    for (let i = 1; i < cents.length; i++) {
      if ((cents[i - 1]! - mean) * (cents[i]! - mean) < 0) crossings++;
    }
    const rate = crossings / 2 / 2; // two crossings per cycle, two seconds
    assert.ok(Math.abs(rate - 8.176) < 1, `vibrato at ${rate} Hz`);
    const depth = Math.max(...cents) - Math.min(...cents);
    assert.ok(depth > 60 && depth < 110, `vibrato swings ${depth} cents peak to peak`);
  } finally {
    await Deno.remove(file);
  }
});

const soxOgg = (() => {
  try {
    const tmp = Deno.makeTempFileSync({ suffix: ".ogg" });
    const ok = new Deno.Command("sox", {
      args: ["-n", "-r", "22050", "-c", "1", tmp, "synth", "1", "sine", "440"],
      stderr: "null",
    }).outputSync().success;
    const bytes = ok ? Deno.readFileSync(tmp) : undefined;
    Deno.removeSync(tmp);
    return bytes;
  } catch {
    return undefined;
  }
})();

Deno.test({
  name: "SF3: an Ogg Vorbis sample is decoded by the engine and plays in tune",
  ignore: soxOgg === undefined,
  async fn() {
    const f = layeredFont();
    f.samples[0] = {
      name: "sine",
      data: soxOgg!,
      rate: 22050,
      root: 69,
      loop: [1000, 1000 + 2205],
    };
    const file = await Deno.makeTempFile({ suffix: ".sf3" });
    await Deno.writeFile(file, buildFont(f));
    try {
      using sampler = Sampler.open({ sampleRate: RATE });
      const inst = await loadSoundFontPreset(sampler, `${file}#5`);
      inst.noteOn(69, 127, { at: { seconds: 0 } });
      const audio = sampler.process(RATE);
      const hz = risingCrossingHz(audio, RATE * 0.2, RATE * 0.8, RATE);
      assert.ok(Math.abs(1200 * Math.log2(hz / 440) - 15) < 1, `played ${hz} Hz`);
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("Strudel's gm_* names cover the 128 GM programs once each (gm_piano also by its four GM names)", () => {
  const programs = [...GM_PROGRAMS.values()];
  assert.deepEqual([...new Set(programs)].sort((a, b) => a - b), [...Array(128).keys()]);
  assert.equal(GM_PROGRAMS.size, 124 + 5); // gm_piano and the four GM piano names for 0..3
  assert.equal(GM_PROGRAMS.get("gm_synth_strings_1"), 50);
  assert.equal(GM_PROGRAMS.get("gm_lead_8_bass_lead"), 87);
});

Deno.test("GM slots follow bank select at the program change", () => {
  const song = {
    seconds: 1,
    tempos: [],
    events: [
      { seconds: 0, bytes: [0xb1, 0, 1] }, // channel 2: bank 128 (MSB 1)
      { seconds: 0, bytes: [0xc1, 5] },
      { seconds: 0, bytes: [0x91, 60, 100] },
      { seconds: 0.5, bytes: [0xb1, 0, 0] },
      { seconds: 0.5, bytes: [0xc1, 5] },
      { seconds: 0.5, bytes: [0x91, 60, 100] },
    ],
  };
  const { slots, conflicts } = gmSlots(song);
  assert.deepEqual(slots, [{ channel: 1, program: 5, bank: 128 }]);
  assert.equal(conflicts.length, 1);
  assert.match(conflicts[0]!, /channel 2 program 5 is asked for from banks 128 and 0/);
});

const TIMGM = "/usr/share/sounds/sf2/TimGM6mb.sf2";
const haveTim = (() => {
  try {
    return Deno.statSync(TIMGM).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "TimGM6mb: 136 presets list with GM names; the drum kit's hi-hats share a choke group",
  ignore: !haveTim,
  async fn() {
    const { presets, font } = await listPresets(TIMGM);
    assert.equal(presets.length, 136);
    assert.equal(presets[0]!.name, "Piano 1");
    assert.ok(presets.some((p) => p.bank === 128 && p.program === 0));
    const kit = presetZones(font, font.presets.findIndex((p) => p.bank === 128 && p.program === 0));
    const hat = (key: number) =>
      kit.zones.find((z) => (z.options.keys as number[])[0] === key)?.options.exclusiveGroup;
    assert.ok(
      hat(42) !== undefined && hat(42) === hat(46),
      "closed and open hi-hat choke each other",
    );
  },
});
if (!haveTim) {
  console.log(`sf2_test: TimGM6mb tests skipped: no ${TIMGM} (apt-get install timgm6mb-soundfont)`);
}

/** {@linkcode layeredFont} with these generators in its instrument's global zone (attack at its default). */
function fontWith(gens: Gens, presetGens: Gens = []): TestFont {
  const f = layeredFont();
  f.instruments[0]!.zones[0] = gens;
  f.presets[0]!.zones[0] = [...presetGens, ...f.presets[0]!.zones[0]!];
  return f;
}

/** Timecents and absolute cents of seconds and Hz. */
const tc = (seconds: number) => Math.round(1200 * Math.log2(seconds));
const absCents = (hz: number) => Math.round(1200 * Math.log2(hz / 8.176));

/** Load preset 0:5 of `f` into a fresh sampler, play key at velocity 127 for `hold` s, render `seconds`. */
async function renderFont(
  f: TestFont,
  key: number,
  hold: number,
  seconds: number,
  options: { effects?: boolean; cc1?: number } = {},
): Promise<Float32Array> {
  const file = await Deno.makeTempFile({ suffix: ".sf2" });
  await Deno.writeFile(file, buildFont(f));
  try {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadSoundFontPreset(sampler, `${file}#0:5`, {
      ...(options.effects === undefined ? {} : { effects: options.effects }),
    });
    if (options.cc1 !== undefined) inst.cc(1, options.cc1, { at: { seconds: 0 } });
    inst.noteOn(key, 127, { at: { seconds: 0 } });
    inst.noteOff(key, { at: { seconds: hold } });
    return sampler.process(Math.round(RATE * seconds));
  } finally {
    await Deno.remove(file);
  }
}

/** RMS of the left channel over [from, from + n) frames, dB. */
function rmsLeftDb(audio: Float32Array, from: number, n: number): number {
  let sum = 0;
  for (let i = from; i < from + n; i++) sum += audio[2 * i]! ** 2;
  return 10 * Math.log10(sum / n + 1e-30);
}

Deno.test("SF2 LFOs play as zone rows: a delayed triangle vibrato at its rate and depth, a tremolo in cB", async () => {
  const f = fontWith([
    [GEN.vibLfoToPitch, 50],
    [GEN.freqVibLFO, absCents(4)],
    [GEN.delayVibLFO, tc(0.5)],
    [GEN.modLfoToVolume, 60], // ±6 dB
    [GEN.freqModLFO, absCents(2)],
  ]);
  const zone = presetZones(parseSoundFont(buildFont(f)), 0).zones[0]!;
  const lfoRows = zone.options.mods!.filter((m) => m.source === "lfo" && m.depthCc === undefined);
  assert.deepEqual(lfoRows.map((m) => [m.target, m.depth, m.lfo!.wave]), [
    ["pitch", 50, "triangle"],
    ["volume", 6, "triangle"],
  ]);
  assert.ok(
    Math.abs(lfoRows[0]!.lfo!.hz - 4) < 0.01 && Math.abs(lfoRows[0]!.lfo!.delay! - 0.5) < 0.001,
  );
  const audio = await renderFont(f, 69, 3, 3);
  const cents = (t: number) =>
    1200 *
    Math.log2(
      risingCrossingHz(audio, Math.round(t * RATE), Math.round(t * RATE) + 480, RATE) / 442.55,
    );
  // before the delay the pitch holds (key 69 + the preset's 10 cents: 442.55 Hz)
  for (let t = 0.05; t < 0.45; t += 0.05) {
    assert.ok(Math.abs(cents(t)) < 2, `${cents(t)} cents at ${t} s`);
  }
  // after it: a triangle from 0 rising, 4 Hz, ±50 cents (peak at 0.5 + 1/16 s, trough at 0.5 + 3/16 s)
  const peak = cents(0.5625 - 0.005), trough = cents(0.6875 - 0.005);
  assert.ok(Math.abs(peak - 50) < 6 && Math.abs(trough + 50) < 6, `peak ${peak}, trough ${trough}`);
  assert.ok(Math.abs(cents(1.5625 - 0.005) - 50) < 6, "four cycles later, the same peak");
  // the tremolo: ±6 dB at 2 Hz from the start: peak at 0.125 s, trough at 0.375 s
  const level = (t: number) => rmsLeftDb(audio, Math.round(t * RATE) - 240, 480);
  const swing = level(1.125) - level(1.375);
  assert.ok(Math.abs(swing - 12) < 1, `tremolo swings ${swing} dB`);
});

Deno.test("SF2 volume envelope: delayVolEnv holds the note back, keynumToVolEnvDecay shortens the decay up the keys", async () => {
  const delayed = await renderFont(fontWith([[GEN.delayVolEnv, tc(0.25)]]), 69, 1, 0.5);
  let onset = 0;
  while (Math.abs(delayed[2 * onset]!) < 1e-4) onset++;
  assert.ok(Math.abs(onset - 0.25 * RATE) <= 64, `sounds from frame ${onset}`);
  // decay 1 s at key 60, 100 timecents shorter per key up: key 62 0.891 s, key 78 0.354 s
  const f = fontWith([
    [GEN.decayVolEnv, 0],
    [GEN.sustainVolEnv, 960],
    [GEN.keynumToVolEnvDecay, 100],
  ]);
  const down20 = (audio: Float32Array) => {
    const start = rmsLeftDb(audio, 480, 480);
    let t = 960;
    while (rmsLeftDb(audio, t, 480) > start - 20) t += 240;
    return t / RATE;
  };
  const low = down20(await renderFont(f, 62, 3, 3)), high = down20(await renderFont(f, 78, 3, 3));
  const ratio = low / high;
  assert.ok(
    Math.abs(ratio - 0.891 / 0.354) < 0.25,
    `decay times ${low} and ${high} s: ratio ${ratio}`,
  );
});

Deno.test("SF2 reverb send: reverbEffectsSend routes into the orbit reverb, its tail scales with the send; effects: false is dry", async () => {
  const tail = async (send: number, effects?: boolean) => {
    const audio = await renderFont(
      fontWith([[GEN.reverbEffectsSend, send]]),
      69,
      0.2,
      1.2,
      effects === undefined ? {} : { effects },
    );
    // the note's release ends within 10 ms of its note-off at 0.2 s: what follows is the tail
    return rmsLeftDb(audio, Math.round(0.4 * RATE), Math.round(0.4 * RATE));
  };
  // sends of 20 % and 10 %: room 0.5 and 0.25 (FLUID_REVERB_SEND 2.5)
  const half = await tail(200), quarter = await tail(100), dry = await tail(500, false);
  const none = await tail(0);
  assert.ok(half > -60, `a 20 % send leaves a tail at ${half} dB after the note`);
  assert.ok(Math.abs(half - quarter - 6.02) < 0.5, `half vs quarter send: ${half - quarter} dB`);
  assert.ok(dry < -200 && none < -200, `no send, no tail: ${dry}, ${none} dB`);
});

Deno.test("SF2 modulation envelope to the cutoff: delayModEnv keeps the filter closed, holdModEnv keeps it open", async () => {
  // 440 Hz under a 100 Hz lowpass; the envelope opens it 5 octaves (3.2 kHz)
  const f = fontWith([
    [GEN.initialFilterFc, absCents(100)],
    [GEN.modEnvToFilterFc, 6000],
    [GEN.delayModEnv, tc(0.3)],
    [GEN.holdModEnv, tc(0.3)],
    [GEN.decayModEnv, tc(0.05)],
    [GEN.sustainModEnv, 1000], // sustain level 0
  ]);
  const env = presetZones(parseSoundFont(buildFont(f)), 0).zones[0]!.options.filter!.envelope!;
  assert.ok(Math.abs(env.delay! - 0.3) < 1e-3 && Math.abs(env.hold! - 0.3) < 1e-3);
  const audio = await renderFont(f, 69, 2, 1.2);
  const level = (t: number) => rmsLeftDb(audio, Math.round(t * RATE), 2400);
  const closed = level(0.15), open = level(0.5), after = level(1.0);
  assert.ok(open - closed > 15, `delay: ${closed} dB before, ${open} dB once open`);
  assert.ok(open - after > 15, `hold then decay: ${open} dB held, ${after} dB after`);
});

Deno.test("SF2 chorus send: chorusEffectsSend adds the orbit chorus's modulated copies, in proportion; effects: false is dry", async () => {
  // 16 dB down (the preset's attenuation adds to the zone's): the chorus's gain
  // stays under the master limiter's threshold (-1 dBFS)
  const f = (send: number) =>
    fontWith([[GEN.chorusEffectsSend, send]], [[GEN.initialAttenuation, 400]]);
  const zone = presetZones(parseSoundFont(buildFont(f(500))), 0).zones[0]!;
  assert.equal(zone.options.chorus, 0.5);
  const dry = await renderFont(f(500), 69, 1, 1, { effects: false });
  const half = await renderFont(f(500), 69, 1, 1), quarter = await renderFont(f(250), 69, 1, 1);
  // the wet part: what the send adds to the dry render
  const wetDb = (audio: Float32Array) => {
    let sum = 0;
    for (let i = RATE / 10; i < RATE * 0.9; i++) {
      sum += (audio[2 * i]! - dry[2 * i]!) ** 2 + (audio[2 * i + 1]! - dry[2 * i + 1]!) ** 2;
    }
    return 10 * Math.log10(sum / (RATE * 0.8) + 1e-30);
  };
  const dryDb = rmsLeftDb(dry, RATE / 10, RATE * 0.8);
  assert.ok(wetDb(half) > dryDb - 20, `the chorus adds ${wetDb(half)} dB beside ${dryDb} dB dry`);
  assert.ok(
    Math.abs(wetDb(half) - wetDb(quarter) - 6.02) < 0.2,
    `half vs quarter send: ${wetDb(half) - wetDb(quarter)} dB`,
  );
  // effects: false plays the send-500 preset exactly as a preset without a send
  const none = await renderFont(f(0), 69, 1, 1);
  assert.ok(wetDb(none) < -200, `dry and no send differ by ${wetDb(none)} dB`);
});

Deno.test("SF2 fixed key and velocity: every key plays the fixed key's pitch, every velocity the fixed velocity's level", async () => {
  const f = fontWith([[GEN.keynum, 64], [GEN.velocity, 40]]);
  const play = async (key: number, velocity: number) => {
    const file = await Deno.makeTempFile({ suffix: ".sf2" });
    await Deno.writeFile(file, buildFont(f));
    try {
      using sampler = Sampler.open({ sampleRate: RATE });
      const inst = await loadSoundFontPreset(sampler, `${file}#0:5`);
      inst.noteOn(key, velocity, { at: { seconds: 0 } });
      const audio = sampler.process(RATE);
      return {
        hz: risingCrossingHz(audio, RATE * 0.2, RATE * 0.8, RATE),
        db: rmsLeftDb(audio, RATE * 0.2, RATE * 0.5),
      };
    } finally {
      await Deno.remove(file);
    }
  };
  const a = await play(62, 127), b = await play(79, 64);
  // key 64 on the root-69 sample, plus the preset's 10 cents
  const expected = 440 * 2 ** ((64 - 69) / 12 + 10 / 1200);
  for (const x of [a, b]) {
    assert.ok(Math.abs(1200 * Math.log2(x.hz / expected)) < 1, `${x.hz} Hz, expected ${expected}`);
  }
  assert.ok(Math.abs(a.db - b.db) < 0.05, `levels ${a.db} and ${b.db} dB at velocities 127 and 64`);
  // velocity 40 on the square law: 40 log10(40/127) dB under full level
  const full = fontWith([]);
  const file = await Deno.makeTempFile({ suffix: ".sf2" });
  await Deno.writeFile(file, buildFont(full));
  try {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadSoundFontPreset(sampler, `${file}#0:5`);
    inst.noteOn(64, 127, { at: { seconds: 0 } });
    const ref = rmsLeftDb(sampler.process(RATE), RATE * 0.2, RATE * 0.5);
    const drop = ref - a.db;
    assert.ok(
      Math.abs(drop - -40 * Math.log10(40 / 127)) < 0.1,
      `velocity 40 plays ${drop} dB down`,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("SF2 modulation envelope to pitch: delayModEnv and holdModEnv hold the octave jump back, then up", async () => {
  // an octave up after 0.1 s, held 0.2 s, then straight down (sustain 0, decay 1 ms)
  const f = fontWith([
    [GEN.modEnvToPitch, 1200],
    [GEN.delayModEnv, tc(0.1)],
    [GEN.holdModEnv, tc(0.2)],
    [GEN.sustainModEnv, 1000],
  ]);
  const o = presetZones(parseSoundFont(buildFont(f)), 0).zones[0]!.options;
  assert.ok(Math.abs(o.penvDelay! - 0.1) < 1e-3 && Math.abs(o.penvHold! - 0.2) < 1e-3);
  const audio = await renderFont(f, 69, 1, 0.6);
  const cents = (t: number) =>
    1200 *
    Math.log2(
      risingCrossingHz(audio, Math.round(t * RATE), Math.round(t * RATE) + 960, RATE) / 442.55,
    );
  assert.ok(Math.abs(cents(0.05)) < 3, `during the delay: ${cents(0.05)} cents`);
  assert.ok(Math.abs(cents(0.2) - 1200) < 3, `held: ${cents(0.2)} cents`);
  assert.ok(Math.abs(cents(0.45)) < 3, `after the hold: ${cents(0.45)} cents`);
});
