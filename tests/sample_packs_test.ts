/**
 * Sample packs played: .strudel tunes and TypeScript sets rendered with
 * generated packs whose files are sines of different frequencies, so the
 * rendered pitch tells which file played and how it was repitched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { renderSet } from "../lib/runners/render_set.ts";
import type { ScheduledNote } from "../lib/live/session.ts";
import { Session } from "../lib/live/session.ts";
import { InstrumentCache } from "../lib/live/instruments.ts";
import { evaluateSet } from "../lib/live/set.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { packStats, setSamplesRoot } from "../lib/instrument/packs.ts";
import { writeTree } from "./sample_fixtures.ts";
import { readWavF32, risingCrossingHz } from "./audio_analysis.ts";

const RATE = 48000;

async function render(file: string, cycles: number) {
  const out = file.replace(/\.\w+$/, ".wav");
  const notes: ScheduledNote[] = [];
  const warnings: string[] = [];
  await renderSet(file, {
    out,
    cycles,
    bits: "32f",
    onNote: (n) => notes.push(n),
    onWarning: (w) => warnings.push(w),
  });
  return { audio: readWavF32(await Deno.readFile(out)), notes, warnings };
}

/** Hz in the middle of [t0, t1) seconds. */
function hzAt(audio: Float32Array, t0: number, t1: number): number {
  const pad = (t1 - t0) * 0.2;
  return risingCrossingHz(
    audio,
    Math.round((t0 + pad) * RATE),
    Math.round((t1 - pad) * RATE),
    RATE,
  );
}

const near = (got: number, want: number, what: string) =>
  assert.ok(
    Math.abs(1200 * Math.log2(got / want)) < 5,
    `${what}: ${got.toFixed(2)} Hz, want ${want} Hz`,
  );

Deno.test("a .strudel tune plays a local Dirt-Samples folder: n and name:i pick files (wrapping), note repitches from 36", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTree(dir, {
      "pack/bd/b.wav": 330,
      "pack/bd/A.WAV": 220, // byte order: "A.WAV" < "b.wav" < "c 3.wav"
      "pack/bd/c 3.wav": 440,
      "pack/bd/notes.txt": "skipped",
      "pack/Tone/t.wav": 100,
    });
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `samples('./pack')
setcps(1)
$: s("<[bd:0 bd:1 bd:2 bd:3] [tone ~ ~ ~]>")
_$: s("bd")
tones: note("<~ [~ 48 ~ 43]>").s("TONE")
`,
    );
    const { audio, notes, warnings } = await render(join(dir, "tune.strudel"), 2);
    const files = notes.filter((n) => n.frame < RATE).map((n) => n.instrument.split("/").pop());
    assert.deepEqual(files, ["A.WAV", "b.wav", "c 3.wav", "A.WAV"]);
    near(hzAt(audio, 0, 0.25), 220, "bd:0");
    near(hzAt(audio, 0.25, 0.5), 330, "bd:1");
    near(hzAt(audio, 0.5, 0.75), 440, "bd:2");
    near(hzAt(audio, 0.75, 1), 220, "bd:3 wraps to file 0");
    // cycle 2: tone unpitched (note 36) at 100 Hz, note 48 an octave up, 43 a fifth up
    near(hzAt(audio, 1, 1.25), 100, "tone as recorded");
    near(hzAt(audio, 1.25, 1.5), 200, "note 48");
    near(hzAt(audio, 1.75, 2), 100 * 2 ** (7 / 12), "note 43");
    assert.deepEqual(warnings.filter((w) => /samples|pack/.test(w)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a strudel.json with note-keyed sounds plays the closest note's file; bank() finds Machine_sound", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTree(dir, {
      "maps/k/c3.wav": 130.81,
      "maps/k/a3.wav": 220,
      "maps/strudel.json": JSON.stringify({
        _base: "./",
        keys: { c3: "k/c3.wav", a3: "k/a3.wav" },
      }),
      "tdm/machines/RolandTR808/rolandtr808-bd/Bassdrum-01.wav": 150,
      "tdm/machines/RolandTR808/rolandtr808-sd/Snare 1.wav": 250,
    });
    await Deno.writeTextFile(
      join(dir, "set.ts"),
      `import { defineSet, note, s } from "${new URL("../lib/live/mod.ts", import.meta.url).href}";
export default defineSet((set) => {
  set.tempo(240); // 1 cycle per second
  set.samples("./maps/strudel.json");
  set.samples("./tdm");
  set.play("keys", note("c3 d3 g3 a3").s("keys"));
  set.play("drums", s("~ ~ ~ ~ bd sd").bank("RolandTR808").slow(2));
});
`,
    );
    const { audio, notes } = await render(join(dir, "set.ts"), 2);
    near(hzAt(audio, 0, 0.25), 130.81, "c3");
    near(hzAt(audio, 0.25, 0.5), 146.83, "d3 from c3");
    near(hzAt(audio, 0.5, 0.75), 196, "g3 from a3 (closer)");
    near(hzAt(audio, 0.75, 1), 220, "a3");
    const drums = notes.filter((n) => n.part === "drums").map((
      n,
    ) => [n.sound, n.instrument.split("/").pop()]);
    assert.deepEqual(drums, [["rolandtr808_bd", "Bassdrum-01.wav"], [
      "rolandtr808_sd",
      "Snare 1.wav",
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("github: packs come from --samples; an absent one is one note and the tune plays; prebake names stand in with a note", async () => {
  const dir = await Deno.makeTempDir();
  const root = join(dir, "samples");
  try {
    writeTree(root, { "me/kit/clave/x.wav": 500 });
    setSamplesRoot(root);
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `samples('github:me/kit')
samples('github:nobody/absent')
setcps(1)
$: s("clave bd")
`,
    );
    const first = await render(join(dir, "tune.strudel"), 1);
    near(hzAt(first.audio, 0, 0.5), 500, "clave from the github: pack");
    const said = first.warnings.filter((w) => w.includes("absent") || w.includes("uzu-drumkit"));
    assert.deepEqual(said, [
      `samples("github:nobody/absent"): the pack is not in ${root}/nobody/absent: download it there (git clone) or set --samples DIR / $MS_SAMPLES; playing without it`,
      `sound "bd": Strudel plays it from tidalcycles/uzu-drumkit, which is not in ${root}/tidalcycles/uzu-drumkit: playing the project's "bd" (drums) instead`,
    ]);
    assert.equal(first.notes.find((n) => n.sound === "bd")?.instrument, "drums");
    // with the REPL's default drum pack in the sample directory, bd plays from it
    writeTree(root, { "tidalcycles/uzu-drumkit/bd/bd0.wav": 60 });
    const second = await render(join(dir, "tune.strudel"), 1);
    assert.match(
      second.notes.find((n) => n.sound === "bd")!.instrument,
      /uzu-drumkit\/bd\/bd0\.wav$/,
    );
    assert.ok(!second.warnings.some((w) => w.includes("uzu-drumkit")));
  } finally {
    setSamplesRoot(undefined);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reload reuses the loaded pack: no folder read again, no sample decoded again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTree(dir, { "p/hit/a.wav": 300, "p/hit/b.wav": 400 });
    using sampler = Sampler.open({ sampleRate: RATE });
    const cache = new InstrumentCache(sampler);
    const session = new Session(sampler, { instruments: cache });
    const file = join(dir, "tune.strudel");
    const version = (pat: string) =>
      evaluateSet((set) => set.strudel(`samples('./p')\n$: s("${pat}")`, { file }), 1);
    await session.apply(await version("hit hit:1"));
    const loads = cache.loads, reads = packStats.reads;
    assert.equal(loads, 2); // one instrument per file
    await session.apply(await version("hit:1 hit hit"));
    assert.equal(cache.loads, loads);
    assert.equal(packStats.reads, reads);
    assert.equal(cache.hits, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
