/**
 * Unit tests of the loader against a fake sampler (no engine): sample paths
 * resolve against the definition file, each file is decoded once, zone
 * options get their defaults, and problems found late are all reported.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { InstrumentDefinitionError } from "../errors.ts";
import {
  type LoaderZoneOptions,
  loadInstrument,
  readDefinition,
  validateDefinition,
  zoneOptions,
} from "./load.ts";

interface FakeSample {
  path: string;
  info: { frames: number; rootKey: number };
}

class FakeInstrument {
  zones: { sample: FakeSample; zone: LoaderZoneOptions }[] = [];
  params: [string, number][] = [];
  commits = 0;
  constructor(readonly name: string) {}
  addZone(sample: FakeSample, zone: LoaderZoneOptions): number {
    return this.zones.push({ sample, zone }) - 1;
  }
  commit(): void {
    this.commits++;
  }
  setParam(name: "polyphony", value: number): void {
    this.params.push([name, value]);
  }
}

class FakeSampler {
  loaded: string[] = [];
  instruments: FakeInstrument[] = [];
  loadSample(path: string): FakeSample {
    this.loaded.push(path);
    return { path, info: { frames: 1000, rootKey: path.endsWith("pad.wav") ? 57 : 60 } };
  }
  createInstrument(name: string): FakeInstrument {
    const i = new FakeInstrument(name);
    this.instruments.push(i);
    return i;
  }
}

/** A temp folder holding `files` (path -> text). */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ms_instrument_" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), text);
  }
  return dir;
}

Deno.test("loadInstrument: paths relative to the definition, one decode per file, defaults", async () => {
  const dir = await tree({
    "inst/kit.ts": `export default {
      name: "kit",
      polyphony: 12,
      envelope: { attack: 0.001, release: 0.2 },
      zones: [
        { sample: "s/kick.wav", keys: "C2" },
        { sample: "s/pad.wav", keys: ["C3", "B3"], envelope: { release: 1 } },
        { sample: "s/pad.wav", keys: ["C4", "B4"], rootKey: "C4", exclusiveGroup: "x",
          loop: { mode: "forward", start: 10, end: 900 }, gainDb: -3, offset: 5 },
      ],
    };`,
    "inst/s/kick.wav": "",
    "inst/s/pad.wav": "",
  });
  const sampler = new FakeSampler();
  const inst = await loadInstrument(sampler, join(dir, "inst/kit.ts"));
  assert.equal(inst.name, "kit");
  assert.deepEqual(sampler.loaded, [join(dir, "inst/s/kick.wav"), join(dir, "inst/s/pad.wav")]);
  assert.deepEqual(inst.params, [["polyphony", 12]]);
  assert.equal(inst.commits, 1);
  assert.deepEqual(inst.zones.map((z) => z.zone), [
    { keys: [36, 36], rootKey: 36, envelope: { attack: 0.001, release: 0.2 } },
    { keys: [48, 59], rootKey: 57, envelope: { attack: 0.001, release: 1 } },
    {
      keys: [60, 71],
      rootKey: 60,
      loop: { mode: "forward", start: 10, end: 900 },
      exclusiveGroup: 1,
      gainDb: -3,
      envelope: { attack: 0.001, release: 0.2 },
      offset: 5,
    },
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("zoneOptions: the instrument's gain adds to each zone's, kept within -144..24 dB", () => {
  const def = validateDefinition(
    {
      name: "g",
      gainDb: -6,
      zones: [{ sample: "a" }, { sample: "a", gainDb: 3 }, { sample: "a", gainDb: -140 }],
    },
    "g.ts",
  );
  assert.deepEqual(def.zones.map((z) => zoneOptions(def, z, 60).gainDb), [-6, -3, -144]);
});

Deno.test("loadInstrument: loop ends and offsets past the sample are all reported, before any instrument exists", async () => {
  const dir = await tree({
    "bad.ts": `export default { name: "bad", zones: [
      { sample: "a.wav", loop: { mode: "forward", start: 0, end: 1001 } },
      { sample: "a.wav", offset: 1000 },
    ] };`,
    "a.wav": "",
  });
  const sampler = new FakeSampler();
  await assert.rejects(() => loadInstrument(sampler, join(dir, "bad.ts")), (err: unknown) => {
    assert.ok(err instanceof InstrumentDefinitionError);
    const lines = err.message.split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /bad\.ts: zones\[0\]\.loop\.end: 1001 is beyond the sample's end \(1000 frames in "a\.wav"\)$/,
    );
    assert.match(lines[1]!, /bad\.ts: zones\[1\]\.offset: 1000 is not before the sample's end/);
    return true;
  });
  assert.equal(sampler.instruments.length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readDefinition: missing file, no default export, a module that throws, JSON", async () => {
  const dir = await tree({
    "nodefault.ts": "export const x = 1;",
    "throws.ts": 'throw new Error("boom");',
    "ok.json": JSON.stringify({ name: "j", zones: [{ sample: "a.wav", keys: "A4" }] }),
    "bad.json": "{ name: ",
    "a.wav": "",
  });
  const rejectsWith = (path: string, re: RegExp) =>
    assert.rejects(() => readDefinition(join(dir, path)), (err: unknown) => {
      assert.ok(err instanceof InstrumentDefinitionError, String(err));
      assert.match(err.message, re);
      assert.equal(err.file, join(dir, path));
      return true;
    });
  await rejectsWith("nope.ts", /nope\.ts: no such instrument definition at /);
  await rejectsWith(
    "nodefault.ts",
    /nodefault\.ts: has no default export \(write: export default defineInstrument/,
  );
  await rejectsWith("throws.ts", /throws\.ts: cannot import it: .*boom/);
  await rejectsWith("bad.json", /bad\.json: is not valid JSON/);
  const ok = await readDefinition(join(dir, "ok.json"));
  assert.deepEqual(ok.definition.zones[0]?.keys, [69, 69]);
  assert.deepEqual(ok.samplePaths, [join(dir, "a.wav")]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readDefinition: fresh re-imports an edited file", async () => {
  const dir = await tree({
    "d.ts": 'export default { name: "one", zones: [{ sample: "a.wav" }] };',
    "a.wav": "",
  });
  assert.equal((await readDefinition(join(dir, "d.ts"))).definition.name, "one");
  await Deno.writeTextFile(
    join(dir, "d.ts"),
    'export default { name: "two", zones: [{ sample: "a.wav" }] };',
  );
  assert.equal((await readDefinition(join(dir, "d.ts"), { fresh: true })).definition.name, "two");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("zoneOptions: one loop point takes the other from the file's loop, else the sample's ends", () => {
  const def = validateDefinition(
    {
      name: "l",
      zones: [
        { sample: "a", loop: { mode: "forward", start: 10 } },
        { sample: "a", loop: { mode: "forward", end: 90 } },
      ],
    },
    "l.ts",
  );
  const withLoop = { frames: 100, rootKey: 60, loop: { start: 20, end: 80 } };
  const without = { frames: 100, rootKey: 60 };
  const loops = (info: typeof without) => def.zones.map((z) => zoneOptions(def, z, 60, info).loop);
  assert.deepEqual(loops(withLoop), [
    { mode: "forward", start: 10, end: 80 },
    { mode: "forward", start: 20, end: 90 },
  ]);
  assert.deepEqual(loops(without), [
    { mode: "forward", start: 10, end: 100 },
    { mode: "forward", start: 0, end: 90 },
  ]);
});

Deno.test("zoneOptions: SFZ-grade fields pass through with groups numbered in one namespace", () => {
  const def = validateDefinition(
    {
      name: "z",
      keyswitchDefault: "C1",
      zones: [
        { sample: "a", exclusiveGroup: "hats", offBy: "none", trigger: "release" },
        { sample: "a", exclusiveGroup: 3, offBy: "hats", offMode: "normal", keyswitch: "C1" },
        {
          sample: "a",
          keyswitchRange: ["C1", "D1"],
          midiChannels: [1, 2],
          random: [0, 0.5],
          pitchKeytrack: 0,
          filter: { type: "bandpass", cutoffHz: 800, keyCenter: "C3" },
          velocityCurve: [[64, 0.5]],
        },
      ],
    },
    "z.ts",
  );
  assert.equal(def.keyswitchDefault, 24);
  const opts = def.zones.map((z) => zoneOptions(def, z, 60));
  assert.deepEqual(opts[0], {
    rootKey: 60,
    exclusiveGroup: 4,
    offBy: "none",
    trigger: "release",
  });
  assert.deepEqual(opts[1], {
    rootKey: 60,
    exclusiveGroup: 3,
    offBy: 4,
    offMode: "normal",
    keyswitch: 24,
  });
  assert.deepEqual(opts[2], {
    rootKey: 60,
    keyswitchRange: [24, 26],
    midiChannels: [1, 2],
    random: [0, 0.5],
    pitchKeytrack: 0,
    filter: { type: "bandpass", cutoffHz: 800, keyCenter: 48 },
    velocityCurve: [[64, 0.5]],
  });
});
