/**
 * Cross-layer tests of instrument definitions and the shipped instruments:
 * errors name file, field and value; missing samples are reported all at
 * once; the shipped definitions validate; scripts/make_samples.ts
 * regenerates the committed WAVs byte for byte; the files are what the
 * definitions say (mono 48 kHz 16-bit, loops where claimed, seamless).
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { InstrumentDefinitionError } from "../lib/errors.ts";
import { readDefinition, validateDefinition } from "../lib/instrument/mod.ts";
import { readSmpl } from "../scripts/make_samples.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHIPPED = ["drums", "epiano", "bass"];
const SAMPLES_DIR = join(ROOT, "instruments", "samples");

/** Every file under dir, as paths relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

Deno.test("an invalid definition names the file, the field's path and the value", () => {
  const zones = [
    { sample: "samples/drums/kick.wav", keys: 36 },
    { sample: "samples/drums/snare_1.wav", keys: 38 },
    { sample: "samples/drums/clap.wav", keys: 39 },
    { sample: "samples/drums/hat_closed.wav", keys: [42, 130] },
  ];
  assert.throws(() => validateDefinition({ name: "drums", zones }, "instruments/drums.ts"), {
    name: "InstrumentDefinitionError",
    message: "instruments/drums.ts: zones[3].keys[1]: 130 is above 127",
  });
});

Deno.test("a definition with three missing samples lists all three in one error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ms_missing_" });
  try {
    await Deno.mkdir(join(dir, "s"));
    await Deno.writeTextFile(join(dir, "s", "here.wav"), "");
    await Deno.writeTextFile(
      join(dir, "kit.ts"),
      `export default { name: "kit", zones: [
        { sample: "s/gone_1.wav", keys: 36 },
        { sample: "s/here.wav", keys: 37 },
        { sample: "s/gone_2.wav", keys: 38 },
        { sample: "s/gone_3.wav", keys: 39 },
      ] };`,
    );
    await assert.rejects(() => readDefinition(join(dir, "kit.ts")), (err: unknown) => {
      assert.ok(err instanceof InstrumentDefinitionError);
      const lines = err.message.split("\n");
      assert.equal(lines.length, 3, err.message);
      for (const [i, line] of lines.entries()) {
        const [zone, name] = [[0, "gone_1"], [2, "gone_2"], [3, "gone_3"]][i]!;
        assert.equal(
          line,
          `${join(dir, "kit.ts")}: zones[${zone}].sample: "s/${name}.wav" has no file at ${
            join(dir, "s", `${name}.wav`)
          }`,
        );
      }
      assert.deepEqual(err.path, ["zones", 0, "sample"]);
      assert.equal(err.value, "s/gone_1.wav");
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the shipped definitions validate and every sample they name exists", async () => {
  for (const name of SHIPPED) {
    const { definition, samplePaths } = await readDefinition(
      join(ROOT, "instruments", `${name}.ts`),
    );
    assert.equal(definition.name, name);
    assert.ok(samplePaths.every((p) => p.startsWith(SAMPLES_DIR)));
  }
});

Deno.test("the drum kit: GM-ish keys, hats in one choke group, round-robin snares", async () => {
  const { definition } = await readDefinition(join(ROOT, "instruments", "drums.ts"));
  const byKey = (k: number) => definition.zones.filter((z) => z.keys?.[0] === k);
  for (const key of [36, 38, 39, 42, 46]) assert.ok(byKey(key).length > 0, `no zone on key ${key}`);
  const hats = [...byKey(42), ...byKey(44), ...byKey(46)].map((z) => z.exclusiveGroup);
  assert.ok(hats[0] !== undefined && hats.every((g) => g === hats[0]));
  const snares = byKey(38);
  assert.equal(snares.length, 2);
  assert.ok(snares[0]!.altGroup !== undefined && snares[0]!.altGroup === snares[1]!.altGroup);
});

Deno.test("the epiano covers its range with two velocity layers and no gaps", async () => {
  const { definition } = await readDefinition(join(ROOT, "instruments", "epiano.ts"));
  for (const vel of [30, 120]) {
    for (let key = 21; key <= 108; key++) {
      const hits = definition.zones.filter((z) =>
        z.keys![0] <= key && key <= z.keys![1] && z.velocities![0] <= vel && vel <= z.velocities![1]
      );
      assert.equal(hits.length, 1, `key ${key} velocity ${vel}: ${hits.length} zones`);
    }
  }
});

Deno.test("make_samples regenerates the committed files byte for byte, twice", async () => {
  const script = join(ROOT, "scripts", "make_samples.ts");
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    for (const dir of dirs) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-write", script, "--quiet", dir],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    const committed = await listFiles(SAMPLES_DIR);
    assert.deepEqual(await listFiles(dirs[0]!), committed);
    assert.deepEqual(await listFiles(dirs[1]!), committed);
    for (const file of committed) {
      const [a, b, c] = await Promise.all([
        Deno.readFile(join(dirs[0]!, file)),
        Deno.readFile(join(dirs[1]!, file)),
        Deno.readFile(join(SAMPLES_DIR, file)),
      ]);
      assert.deepEqual(a, b, `${file} differs between two runs`);
      assert.deepEqual(
        a,
        c,
        `${file} differs from the committed file (run scripts/make_samples.ts)`,
      );
    }
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});

/** The fmt fields and 16-bit frames of a PCM WAV. */
function parseWav(
  bytes: Uint8Array,
): { channels: number; rate: number; bits: number; data: Int16Array } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 12, channels = 0, rate = 0, bits = 0;
  let data = new Int16Array(0);
  while (o + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(o, o + 4));
    const size = v.getUint32(o + 4, true);
    if (id === "fmt ") {
      channels = v.getUint16(o + 10, true);
      rate = v.getUint32(o + 12, true);
      bits = v.getUint16(o + 22, true);
    } else if (id === "data") {
      data = new Int16Array(bytes.slice(o + 8, o + 8 + size).buffer);
    }
    o += 8 + size + (size & 1);
  }
  return { channels, rate, bits, data };
}

Deno.test("shipped samples: mono 48 kHz 16-bit, small, seamless loops matching the definitions", async () => {
  const files = await listFiles(SAMPLES_DIR);
  let total = 0;
  for (const file of files) {
    const bytes = await Deno.readFile(join(SAMPLES_DIR, file));
    total += bytes.length;
    const wav = parseWav(bytes);
    assert.deepEqual([wav.channels, wav.rate, wav.bits], [1, 48000, 16], file);
    const smpl = readSmpl(bytes);
    if (file.startsWith("epiano/") || file.startsWith("bass/")) {
      assert.ok(smpl?.loop, `${file} has no smpl loop`);
      const { start, end } = smpl.loop;
      assert.equal(end, wav.data.length, `${file}: the loop should end the file`);
      // Seamless: the jump from the loop's last frame back to its first is no
      // bigger than the largest step inside the loop.
      let maxStep = 0;
      for (let i = start + 1; i < end; i++) {
        maxStep = Math.max(maxStep, Math.abs(wav.data[i]! - wav.data[i - 1]!));
      }
      const wrap = Math.abs(wav.data[start]! - wav.data[end - 1]!);
      assert.ok(wrap <= maxStep, `${file}: loop wrap step ${wrap} > ${maxStep}`);
    }
  }
  assert.ok(total < 2 * 1024 * 1024, `samples take ${total} bytes`);

  const { definition, samplePaths } = await readDefinition(join(ROOT, "instruments", "bass.ts"));
  for (const [i, zone] of definition.zones.entries()) {
    const smpl = readSmpl(await Deno.readFile(samplePaths[i]!));
    assert.deepEqual(
      { start: zone.loop?.start, end: zone.loop?.end },
      smpl?.loop,
      `bass zone ${i}: loop points differ from the file's smpl chunk`,
    );
    assert.equal(zone.rootKey, smpl?.rootKey);
  }
});

/** Peak of a stretch of interleaved stereo output, in dBFS. */
function peakDb(buf: Float32Array, from = 0, to = buf.length / 2): number {
  let p = 0;
  for (let i = from * 2; i < to * 2; i++) p = Math.max(p, Math.abs(buf[i]!));
  return 20 * Math.log10(p || 1e-12);
}

Deno.test("the shipped instruments load into the engine and every zone sounds", async () => {
  const { Sampler } = await import("../lib/mod.ts");
  const { loadInstrument } = await import("../lib/instrument/mod.ts");
  for (const name of SHIPPED) {
    using sampler = Sampler.open();
    const file = join(ROOT, "instruments", `${name}.ts`);
    const instrument = await loadInstrument(sampler, file);
    const { definition } = await readDefinition(file);
    assert.equal(instrument.zoneCount, definition.zones.length);
    for (const [i, zone] of definition.zones.entries()) {
      const [lo, hi] = zone.keys ?? [0, 127];
      const [vlo, vhi] = zone.velocities ?? [1, 127];
      const note = Math.round((lo + hi) / 2), velocity = Math.round((vlo + vhi) / 2);
      const start = sampler.now();
      instrument.noteOn(note, velocity, { at: start + 100 });
      instrument.noteOff(note, { at: start + 12000 });
      const out = sampler.process(48000);
      const peak = peakDb(out);
      assert.ok(
        peak > -40 && peak < -1,
        `${name} zone ${i} (note ${note}): peak ${peak.toFixed(1)} dBFS`,
      );
      assert.ok(peakDb(out, 0, 100) < -120, `${name} zone ${i} sounds before its note`);
      sampler.allSoundOff();
      sampler.process(4800);
    }
  }
});

Deno.test("in the engine: a closed hat chokes the open hat; the two snare takes alternate", async () => {
  const { Sampler } = await import("../lib/mod.ts");
  const { loadInstrument } = await import("../lib/instrument/mod.ts");
  using sampler = Sampler.open();
  const drums = await loadInstrument(sampler, join(ROOT, "instruments", "drums.ts"));
  drums.noteOn(46, 110, { at: 0 });
  drums.noteOn(42, 110, { at: 12000 });
  const choked = sampler.process(48000);
  assert.ok(peakDb(choked, 24000, 48000) < -90, "the open hat rings on after the closed hat");
  const start = sampler.now();
  drums.noteOn(46, 110, { at: start });
  const ringing = sampler.process(48000);
  assert.ok(peakDb(ringing, 12000, 24000) > -50, "the open hat alone dies too soon");

  sampler.allSoundOff();
  sampler.process(4800);
  const takes: Float32Array[] = [];
  for (let i = 0; i < 2; i++) {
    drums.noteOn(38, 100, { at: sampler.now() });
    takes.push(sampler.process(12000));
  }
  assert.notDeepEqual(takes[0], takes[1], "two snare hits in a row play the same take");
});

Deno.test("in the engine: the epiano's loops come from its files' smpl chunks", async () => {
  const { Sampler } = await import("../lib/mod.ts");
  using sampler = Sampler.open();
  for (const file of (await listFiles(SAMPLES_DIR)).filter((f) => f.startsWith("epiano/"))) {
    const path = join(SAMPLES_DIR, file);
    const info = sampler.loadSample(path).info;
    assert.deepEqual(info.loop, readSmpl(await Deno.readFile(path))?.loop, file);
    assert.equal(info.loop?.end, info.frames, file);
  }
});

Deno.test("in the engine: every sample that cannot be decoded is listed in one error", async () => {
  const { Sampler } = await import("../lib/mod.ts");
  const { loadInstrument } = await import("../lib/instrument/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "ms_undecodable_" });
  try {
    await Deno.writeFile(join(dir, "empty.wav"), new Uint8Array());
    await Deno.writeTextFile(join(dir, "text.wav"), "not a wav file");
    await Deno.copyFile(join(SAMPLES_DIR, "drums", "kick.wav"), join(dir, "kick.wav"));
    await Deno.writeTextFile(
      join(dir, "bad.ts"),
      `export default { name: "bad", zones: [
        { sample: "kick.wav", keys: 36 },
        { sample: "empty.wav", keys: 37 },
        { sample: "text.wav", keys: 38 },
      ] };`,
    );
    using sampler = Sampler.open();
    await assert.rejects(() => loadInstrument(sampler, join(dir, "bad.ts")), (err: unknown) => {
      assert.ok(err instanceof InstrumentDefinitionError);
      const lines = err.message.split("\n");
      assert.equal(lines.length, 2, err.message);
      assert.ok(
        lines[0]!.startsWith(
          `${join(dir, "bad.ts")}: zones[1].sample: "empty.wav" cannot be loaded: `,
        ),
      );
      assert.ok(
        lines[1]!.startsWith(
          `${join(dir, "bad.ts")}: zones[2].sample: "text.wav" cannot be loaded: `,
        ),
      );
      assert.equal((err.cause as Error).name, "SampleLoadError");
      return true;
    });
    assert.equal(sampler.instruments.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
