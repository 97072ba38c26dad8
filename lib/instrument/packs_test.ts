/**
 * Sample packs read from local folders: a Dirt-Samples-style folder with odd
 * names, Strudel JSON maps, github: and URL mapping, absent packs, the cache.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTree } from "../../tests/sample_fixtures.ts";
import {
  packPath,
  packStats,
  readPack,
  readSampleMap,
  samplesRoot,
  scanFolder,
  setSamplesRoot,
} from "./packs.ts";

Deno.test("a Dirt-Samples folder: a sound per folder, files in byte order, odd names, other files skipped", () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeTree(dir, {
      "bd/b.wav": 200,
      "bd/A.WAV": 100,
      "bd/c 1.wav": 300,
      "bd/readme.txt": "not audio",
      "bd/.hidden.wav": 999,
      "Hi Hat/x.wav": 400,
      "bd/extra/inner.wav": 500,
      "empty/notes.md": "nothing",
      "machines/RolandTR808/rolandtr808-bd/Bassdrum-01.wav": 50,
    });
    const { sounds, notes } = scanFolder(dir);
    assert.deepEqual([...sounds.keys()].sort(), ["bd", "extra", "hi_hat", "rolandtr808_bd"]);
    const bd = sounds.get("bd")!;
    assert.equal(bd.kind, "list");
    // byte order: upper case first, blanks kept, the text file and the hidden file left out
    assert.deepEqual(
      bd.kind === "list" && bd.files.map((f) => f.slice(dir.length + 1)),
      ["bd/A.WAV", "bd/b.wav", "bd/c 1.wav"],
    );
    assert.deepEqual(notes, []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a Strudel JSON map: _base, a file, a list, note-keyed pitched sounds; missing files noted", () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeTree(dir, {
      "s/kick.wav": 100,
      "s/snare1.wav": 200,
      "s/snare2.wav": 300,
      "s/p/c3.wav": 130.81,
      "s/p/a3.wav": 220,
    });
    const map = {
      _base: "./s/",
      kick: "kick.wav",
      snare: ["snare1.wav", "snare2.wav", "gone.wav"],
      Keys: { c3: "p/c3.wav", a3: ["p/a3.wav"], _base: "./s/" },
    };
    Deno.writeTextFileSync(join(dir, "strudel.json"), JSON.stringify(map));
    const pack = readPack("./strudel.json", dir);
    assert.ok("sounds" in pack);
    assert.deepEqual([...pack.sounds.keys()].sort(), ["keys", "kick", "snare"]);
    const snare = pack.sounds.get("snare")!;
    assert.equal(snare.kind === "list" && snare.files.length, 2);
    const keys = pack.sounds.get("keys")!;
    assert.deepEqual(keys.kind === "pitched" && keys.notes.map((n) => n.note), [48, 57]);
    assert.match(pack.notes[0]!, /1 file is not there \(first: "gone.wav"\): left out/);
    // the folder reads its strudel.json too
    const again = readPack(".", dir);
    assert.ok("sounds" in again && again.sounds.has("keys"));
    // bad shapes name the key
    assert.throws(
      () => readSampleMap({ bd: 3 }, "m.json", dir),
      {
        message:
          'Cannot read sample map m.json: "bd" must be a file, a list of files or an object of notes',
      },
    );
    assert.throws(
      () => readSampleMap({ p: { h9: "x.wav" } }, "m.json", dir),
      /"p.h9" is not a note name/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("github: and URLs map under --samples, then $MS_SAMPLES, then the data directory", () => {
  const before = Deno.env.get("MS_SAMPLES");
  try {
    setSamplesRoot(undefined);
    Deno.env.delete("MS_SAMPLES");
    Deno.env.set("XDG_DATA_HOME", "/xdg");
    assert.equal(samplesRoot(), "/xdg/midi-sampler/samples");
    Deno.env.set("MS_SAMPLES", "/env");
    assert.equal(
      packPath("github:tidalcycles/Dirt-Samples/master", "/").path,
      "/env/tidalcycles/Dirt-Samples",
    );
    setSamplesRoot("/flag");
    assert.equal(packPath("github:owner/repo", "/").path, "/flag/owner/repo");
    assert.equal(packPath("github:owner/repo/main/sub/dir/", "/").path, "/flag/owner/repo/sub/dir");
    assert.equal(
      packPath("https://raw.githubusercontent.com/o/r/main/strudel.json", "/").path,
      "/flag/o/r/strudel.json",
    );
    assert.equal(packPath("https://github.com/o/r", "/").path, "/flag/o/r");
    assert.equal(packPath("bubo:fox", "/").path, "/flag/Bubobubobubobubo/dough-fox");
    assert.equal(
      packPath("https://example.org/packs/a.json", "/").path,
      "/flag/example.org/packs/a.json",
    );
    assert.equal(packPath("rel/dir", "/set").path, "/set/rel/dir");
  } finally {
    setSamplesRoot(undefined);
    Deno.env.delete("XDG_DATA_HOME");
    if (before === undefined) Deno.env.delete("MS_SAMPLES");
    else Deno.env.set("MS_SAMPLES", before);
  }
});

Deno.test("an absent pack is one message naming it and where to put it; a present one is read once per path", () => {
  const root = Deno.makeTempDirSync();
  try {
    setSamplesRoot(root);
    const absent = readPack("github:someone/nothing-here", "/");
    assert.ok(!("sounds" in absent));
    assert.equal(
      absent.message,
      `samples("github:someone/nothing-here"): the pack is not in ${root}/someone/nothing-here: download it there (git clone) or set --samples DIR / $MS_SAMPLES; playing without it`,
    );
    assert.match(
      (readPack("shabda:bass:4", "/") as { message: string }).message,
      /^samples\("shabda:bass:4"\): Shabda makes its samples on its server/,
    );
    // a clone under another letter case is found
    writeTree(root, { "TidalCycles/Dirt-Samples/bd/a.wav": 100 });
    const reads = packStats.reads;
    const a = readPack("github:tidalcycles/dirt-samples", "/");
    const b = readPack("github:tidalcycles/dirt-samples/master", "/");
    assert.ok("sounds" in a && a.sounds.has("bd"));
    assert.equal(a, b);
    assert.equal(packStats.reads, reads + 1);
    // a new sound folder is seen at the next read
    writeTree(root, { "TidalCycles/Dirt-Samples/sn/a.wav": 100 });
    const c = readPack("github:tidalcycles/dirt-samples", "/");
    assert.ok("sounds" in c && c.sounds.has("sn"));
    assert.equal(packStats.reads, reads + 2);
  } finally {
    setSamplesRoot(undefined);
    Deno.removeSync(root, { recursive: true });
  }
});
