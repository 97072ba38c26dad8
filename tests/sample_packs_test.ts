/**
 * Sample packs played: .strudel tunes and TypeScript sets rendered with
 * generated packs whose files are sines of different frequencies, so the
 * rendered pitch tells which file played and how it was repitched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { renderSet } from "../lib/runners/render_set.ts";
import { type NoteRequest, resolveControls } from "../lib/pattern/controls.ts";
import type { ScheduledNote } from "../lib/live/session.ts";
import { Session } from "../lib/live/session.ts";
import { InstrumentCache } from "../lib/live/instruments.ts";
import { evaluateSet } from "../lib/live/set.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { onPackProgress, packStats, setSamplesRoot } from "../lib/instrument/packs.ts";
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
  set.play("n", s("<~ ~ keys>").n(5)); // n is no note on a sample sound: 36, from c3's file
  set.play("drums", s("~ ~ ~ ~ bd sd").bank("RolandTR808").slow(2));
});
`,
    );
    const { audio, notes } = await render(join(dir, "set.ts"), 3);
    near(hzAt(audio, 0, 0.25), 130.81, "c3");
    near(hzAt(audio, 0.25, 0.5), 146.83, "d3 from c3");
    near(hzAt(audio, 0.5, 0.75), 196, "g3 from a3 (closer)");
    near(hzAt(audio, 0.75, 1), 220, "a3");
    const n = notes.find((x) => x.part === "n")!;
    assert.equal(n.note, 36);
    assert.match(n.instrument, /#pitched$/);
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
    const seen: string[] = [];
    onPackProgress((p) => seen.push(`${p.done}/${p.total} ${p.file.split("/").pop()}`));
    await session.apply(await version("hit hit:1"));
    // both files decode at once (either may finish first), each reported
    assert.deepEqual(seen.map((x) => x.split(" ")[0]), ["1/2", "2/2"]);
    assert.deepEqual(seen.map((x) => x.split(" ")[1]).sort(), ["a.wav", "b.wav"]);
    const loads = cache.loads, reads = packStats.reads;
    assert.equal(loads, 2); // one instrument per file
    await session.apply(await version("hit:1 hit hit"));
    assert.equal(cache.loads, loads);
    assert.equal(packStats.reads, reads);
    assert.equal(cache.hits, 2);
    assert.equal(seen.length, 2); // nothing decoded again
  } finally {
    onPackProgress(undefined);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sample plays whole unless clip is set; cut stops the group's previous sample; flac and aiff play", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTree(dir, { "p/long/a.wav": [300, 1], "p/long/b.wav": [500, 1] });
    // the same sine in other containers (libsndfile reads them all)
    for (const ext of ["flac", "aiff"]) {
      const sox = new Deno.Command("sox", {
        args: [join(dir, "p/long/b.wav"), join(dir, `p/other/b.${ext}`)],
      });
      await Deno.mkdir(join(dir, "p/other"), { recursive: true });
      assert.equal((await sox.output()).code, 0);
    }
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `samples('./p')
setcps(1)
whole: s("<[long ~ ~ ~] [long:0 ~ long:1 ~] [long ~ ~ ~] [other:0 other:1 ~ ~]>").cut("<0 1 0 0>")
clipped: s("<~ ~ [long:1 ~ ~ ~] ~>").clip(0.5)
`,
    );
    const { audio, notes } = await render(join(dir, "tune.strudel"), 4);
    // cycle 0: a 1 s sample on a quarter-cycle event sounds on to its end
    near(hzAt(audio, 0.5, 0.9), 300, "whole sample after its event");
    // cycle 1: cut group 1: long:1 at 1.5 s stops long:0, so only 500 Hz remains
    near(hzAt(audio, 1.6, 1.95), 500, "cut group");
    // cycle 2: long plays whole; clip(0.5) cuts long:1 after half its event (0.125 s)
    const late = audio.subarray(Math.round(2.3 * RATE) * 2, Math.round(2.9 * RATE) * 2);
    near(
      risingCrossingHz(late, 0, late.length / 2, RATE),
      300,
      "clipped sample gone, the whole one on",
    );
    // cycle 3: .flac and .aiff files sorted by name, both decoded
    const other = notes.filter((n) => n.sound === "other").map((n) =>
      n.instrument.split("/").pop()
    );
    assert.deepEqual(other, ["b.aiff", "b.flac"]);
    near(hzAt(audio, 3.3, 3.9), 500, "flac/aiff");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a note outside an instrument's keys warns once instead of vanishing silently", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `setcps(1)\n$: note("c2 g6 a6 c2").s("bass")\n`,
    );
    const { warnings } = await render(join(dir, "tune.strudel"), 2);
    const range = warnings.filter((w) => w.includes("outside the keys"));
    assert.deepEqual(range, [
      'part "$0": note 91 is outside the keys instrument "bass" plays (sound "bass"): it sounds nothing',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the prebake from $MS_SAMPLES: tidal-drum-machines banks with the REPL's nicknames; gm_* names on the GM bank", async () => {
  const dir = await Deno.makeTempDir();
  const before = { samples: Deno.env.get("MS_SAMPLES"), font: Deno.env.get("MS_GM_FONT") };
  const font = "/usr/share/sounds/sf2/TimGM6mb.sf2";
  let hasFont = true;
  try {
    Deno.statSync(font);
  } catch {
    hasFont = false;
    console.log(
      `sample_packs_test: the gm_* part is skipped: no ${font} (apt-get install timgm6mb-soundfont)`,
    );
  }
  try {
    writeTree(dir, {
      "samples/ritchse/tidal-drum-machines/machines/RolandTR909/rolandtr909-bd/Bassdrum-01.wav": 70,
      "samples/ritchse/tidal-drum-machines/machines/RolandTR909/rolandtr909-hh/hh01.wav": 900,
    });
    Deno.env.set("MS_SAMPLES", join(dir, "samples"));
    if (hasFont) Deno.env.set("MS_GM_FONT", font);
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `setcps(1)
$: s("bd hh").bank("tr909")
$: s("hh").bank("RolandTR909").late(0.75)
${hasFont ? '$: note("c3").s("gm_acoustic_bass")' : ""}
`,
    );
    const { notes, warnings } = await render(join(dir, "tune.strudel"), 1);
    const drums = notes.filter((n) => n.instrument.startsWith("sample:") && n.frame < RATE)
      .map((n) => [n.sound, n.instrument.split("/").slice(-2).join("/")]);
    assert.deepEqual(drums, [
      ["tr909_bd", "rolandtr909-bd/Bassdrum-01.wav"],
      ["tr909_hh", "rolandtr909-hh/hh01.wav"],
      ["rolandtr909_hh", "rolandtr909-hh/hh01.wav"],
    ]);
    if (hasFont) {
      const gm = notes.find((n) => n.sound === "gm_acoustic_bass");
      assert.equal(gm?.instrument, "gm_acoustic_bass");
      assert.equal(gm?.note, 48);
      assert.ok(warnings.includes(
        `sound "gm_acoustic_bass": Strudel plays its own General MIDI samples: playing program 32 of ${font} instead`,
      ));
    }
  } finally {
    for (const [k, v] of [["MS_SAMPLES", before.samples], ["MS_GM_FONT", before.font]] as const) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sound of 150 files plays every index: sessions hold more instruments than the engine's default 128", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files: Record<string, [number, number]> = {};
    for (let i = 0; i < 150; i++) {
      files[`p/many/${String(i).padStart(3, "0")}.wav`] = [100 + i, 0.05];
    }
    writeTree(dir, files);
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `samples('./p')\nsetcps(1)\n$: s("many:0 many:149 many:150")\n`,
    );
    const { notes } = await render(join(dir, "tune.strudel"), 1);
    assert.deepEqual(
      notes.filter((n) => n.frame < RATE).map((n) => n.instrument.split("/").pop()),
      ["000.wav", "149.wav", "000.wav"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("n on a sample sound: rounded, wrapping both ways", () => {
  const sounds = { x: { instrument: "a", variants: ["a", "b", "c"], defaultNote: 36 } };
  const pick = (n: number) => (resolveControls({ s: "x", n }, sounds) as NoteRequest).instrument;
  assert.deepEqual([0, 1, 2, 3, 4, -1, -3, -4, 1.4, 1.6].map(pick), [
    "a",
    "b",
    "c",
    "a",
    "b",
    "c",
    "a",
    "c",
    "b",
    "c",
  ]);
  const r = resolveControls({ s: "x:2", note: "c3" }, sounds) as NoteRequest;
  assert.deepEqual([r.instrument, r.note], ["c", 48]);
});

Deno.test("aliasBank(bank, alias) and aliasBank({ bank: [aliases] }) name loaded banks again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTree(dir, { "tdm/machines/RolandTR909/rolandtr909-bd/Bassdrum-01.wav": 70 });
    await Deno.writeTextFile(
      join(dir, "tune.strudel"),
      `samples('./tdm')
aliasBank('RolandTR909', '909')
aliasBank({ RolandTR909: ['Nine', 'nueve'] })
aliasBank('https://example.org/other-alias.json')
setcps(1)
$: s("bd bd bd").bank("<909 NINE>").fast(1)
$: s("bd").bank("nueve").late(0.5)
`,
    );
    const { notes, warnings } = await render(join(dir, "tune.strudel"), 2);
    const sounds = notes.filter((n) => n.frame < 2 * RATE && n.instrument.startsWith("sample:"))
      .map((n) => n.sound);
    assert.deepEqual(sounds, [
      "909_bd",
      "909_bd",
      "nueve_bd",
      "909_bd",
      "nine_bd",
      "nine_bd",
      "nueve_bd",
      "nine_bd",
    ]);
    assert.ok(
      warnings.some((w) => w.startsWith('aliasBank("https://example.org/other-alias.json"): only')),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
