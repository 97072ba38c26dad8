/**
 * examples/from_strudel.strudel, the README's "Coming from Strudel" tune:
 * its sample folder is what scripts/make_example_pack.ts writes (same
 * bytes); `deno task render ... --cycles 8` renders it without a warning;
 * its events reach the engine as written: every file of the folder that
 * the patterns name, Strudel's synths, a voiced chord, the tempo of
 * `setcpm`, and effects on two orbits.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import type { ScheduledNote } from "../lib/live/session.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { DEFAULT_PACK_DIR, makePack } from "../scripts/make_example_pack.ts";

const TUNE = join(PROJECT_ROOT, "examples", "from_strudel.strudel");

Deno.test("examples/samples is what scripts/make_example_pack.ts writes, and small", async () => {
  let total = 0;
  for (const f of makePack()) {
    const old = await Deno.readFile(join(DEFAULT_PACK_DIR, f.path));
    assert.deepEqual(old, f.bytes, `${f.path} differs: run scripts/make_example_pack.ts`);
    total += old.length;
  }
  assert.ok(total < 300 * 1024, `the pack is ${total} bytes`);
});

Deno.test("deno task render examples/from_strudel.strudel --cycles 8: no warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "render", TUNE, join(dir, "out.wav"), "--cycles", "8"],
      cwd: PROJECT_ROOT,
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).replace(/^Task render .*\n/m, "");
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, stderr);
    assert.doesNotMatch(stderr + stdout, /warning|note:/i);
    assert.match(stdout, /^rendered 15\.48 s to /m); // 8 cycles at setcpm(124 / 4)
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("from_strudel.strudel: the folder's files, synths, voicings, tempo, orbits reach the engine", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const notes: ScheduledNote[] = [];
    const warnings: string[] = [];
    const r = await renderSet(TUNE, {
      out: join(dir, "out.wav"),
      cycles: 8,
      onNote: (n) => notes.push(n),
      onWarning: (w) => warnings.push(w),
    });
    assert.deepEqual(warnings, []);
    assert.equal(r.frames, Math.round(8 * 4 / 124 * 60 * 48000));
    assert.ok(r.peak > 0.1 && r.peak < 1, `peak ${r.peak}`);
    // every file of the folder plays, as the instrument of its own file
    const files = new Set(
      notes.filter((n) => n.instrument.startsWith("sample:")).map((n) =>
        n.instrument.slice(n.instrument.indexOf("examples/samples/") + 17)
      ),
    );
    assert.deepEqual([...files].sort(), makePack().map((f) => f.path).sort());
    // Strudel's synths by name
    const synth = (part: string) =>
      new Set(notes.filter((n) => n.part === part).map((n) => n.instrument));
    assert.deepEqual(synth("chords"), new Set(["synth:supersaw"]));
    assert.deepEqual(synth("bass"), new Set(["synth:sawtooth"]));
    assert.deepEqual(synth("lead"), new Set(["synth:triangle"]));
    // a voicing: four or more notes of a chord start together
    const atFirst = notes.filter((n) => n.part === "chords" && n.beat === 0).map((n) => n.note);
    assert.ok(atFirst.length >= 4, `Am9 voiced as ${atFirst}`);
    assert.ok(atFirst.every((n) => [9, 0, 4, 7, 11].includes(n % 12)), `Am9 notes ${atFirst}`);
    // the lead's scale: A minor pentatonic from A4
    const lead = new Set(notes.filter((n) => n.part === "lead").map((n) => n.note));
    assert.ok([...lead].every((n) => [9, 0, 2, 4, 7].includes(n % 12) && n >= 69), `${[...lead]}`);
    // effects on orbits 2 and 3 (the engine's 1 and 2); the drums stay dry
    const chords = notes.find((n) => n.part === "chords")!.controls!;
    assert.equal(chords.orbit, 1);
    assert.equal(chords.delay, 0.35);
    assert.equal(chords.lock, 1);
    assert.ok(chords.cutoff === 1400 && chords.lpenv === 2);
    const toms = notes.filter((n) => n.part === "$1");
    assert.ok(
      toms.length > 0 && toms.every((n) => n.controls?.orbit === 2 && n.controls.room === 0.6),
    );
    assert.ok(notes.filter((n) => n.part === "$0").every((n) => n.controls?.orbit === undefined));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
