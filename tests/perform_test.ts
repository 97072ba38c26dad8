/**
 * Sets across the layers: reloads swapping on the cycle boundary in an
 * offline render, failing reloads (and failing parts) keeping the old
 * version with file:line:column, `deno task render` failing for a set whose
 * part throws, --record-midi parsing back into the same events, instrument
 * caching, the REPL, MIDI maps. The session's own scheduling is tested in
 * lib/live/session_test.ts.
 */
import assert from "node:assert/strict";
import { readWavF32 } from "./audio_analysis.ts";
import { join, toFileUrl, withTempDir } from "./perform_support.ts";
import { notesOf, playTo } from "./session_fixture.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import {
  evaluateSetForTest,
  InstrumentCache,
  note,
  renderSet,
  s,
  type ScheduledNote,
  Session,
  SetLoader,
  SetLoadError,
} from "./perform_support.ts";
import { MidiRecorder, readMidiNotes } from "../lib/live/midi_record.ts";
import type { SetFunction } from "../lib/live/set.ts";

const LIVE = toFileUrl(join(import.meta.dirname!, "..", "lib", "live", "mod.ts"));

const brief = (ns: ScheduledNote[]) => ns.map((n) => [n.sound, n.note, n.frame, n.offFrame]);

/** A temporary set file importing the library by absolute URL. */
async function setFile(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(
    path,
    `import { defineSet, note, s } from "${LIVE}";\nexport default defineSet((set) => {\n${body}\n});\n`,
  );
  return path;
}

/**
 * Render `set` for 3 cycles, reloading `first` at cycle 0.5 and `second` at
 * 1.5: the notes played and the reloads' errors.
 */
async function renderWithFailedReloads(
  dir: string,
  set: string,
  first: string,
  second: string,
): Promise<{ notes: ScheduledNote[]; errors: Error[] }> {
  const notes: ScheduledNote[] = [];
  const errors: Error[] = [];
  await renderSet(set, {
    out: join(dir, "x.wav"),
    cycles: 3,
    reloads: [{ atCycle: 0.5, file: first }, { atCycle: 1.5, file: second }],
    onNote: (n) => notes.push(n),
    onReload: (r) => r instanceof Error && errors.push(r),
  });
  return { notes, errors };
}

Deno.test("offline render: a reload swaps on the cycle boundary (before = old set, after = new set)", () =>
  withTempDir(async (dir) => {
    const a = await setFile(
      dir,
      "a.ts",
      `set.tempo(120); set.play("k", s("bd*4")); set.play("h", s("hh*8"));`,
    );
    const b = await setFile(
      dir,
      "b.ts",
      `set.tempo(120); set.play("k", s("bd(3,8)")); set.play("c", s("~ cp"));`,
    );
    const render = async (out: string, reloads: { atCycle: number; file: string }[], first = a) => {
      const notes: ScheduledNote[] = [];
      const reports: unknown[] = [];
      await renderSet(first, {
        out: join(dir, out),
        cycles: 4,
        bits: "32f",
        reloads,
        onNote: (n) => notes.push(n),
        onReload: (r) => reports.push(r),
      });
      return { audio: readWavF32(await Deno.readFile(join(dir, out))), notes, reports };
    };
    const onlyA = await render("a.wav", []);
    const onlyB = await render("b.wav", [], b);
    const ab = await render("ab.wav", [{ atCycle: 1.5, file: b }]);
    const swap = 2 * 96000; // cycle 2 at 120 bpm
    assert.deepEqual(
      ab.reports[1] as {
        added: string[];
        removed: string[];
        replaced: string[];
        swapFrame: number;
      },
      {
        ...(ab.reports[1] as object),
        added: ["c"],
        removed: ["h"],
        replaced: ["k"],
        swapFrame: swap,
      },
    );
    // events: the old set's before the boundary, the new set's from it
    assert.deepEqual(
      brief(ab.notes.filter((n) => n.frame < swap)),
      brief(onlyA.notes.filter((n) => n.frame < swap)),
    );
    assert.deepEqual(
      brief(ab.notes.filter((n) => n.frame >= swap)),
      brief(onlyB.notes.filter((n) => n.frame >= swap)),
    );
    // audio: identical before the boundary; after the old notes' tails, the new set's
    assert.deepEqual(ab.audio.subarray(0, swap * 2), onlyA.audio.subarray(0, swap * 2));
    const from = 3 * 96000 * 2;
    let maxDiff = 0;
    for (let i = from; i < onlyB.audio.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ab.audio[i]! - onlyB.audio[i]!));
    }
    assert.ok(maxDiff < 1e-5, `after the swap the audio differs from the new set's by ${maxDiff}`);
  }));

Deno.test("a syntax error or a throw in the new version: the old one keeps playing, the error names file:line:column", () =>
  withTempDir(async (dir) => {
    const a = await setFile(dir, "a.ts", `set.tempo(120); set.play("k", s("bd*4"));`);
    const broken = join(dir, "broken.ts");
    await Deno.writeTextFile(
      broken,
      `import { defineSet } from "${LIVE}";\nexport default defineSet((set) => {\n  set.play("k", s("bd" );;\n  })) ;\n`,
    );
    const throws = await setFile(
      dir,
      "throws.ts",
      `set.tempo(120);\n  set.play("k", s("sd*4"));\n  throw new Error("boom");`,
    );

    const loader = new SetLoader(broken);
    await assert.rejects(loader.load(), (err: unknown) => {
      assert.ok(err instanceof SetLoadError);
      assert.match(err.location ?? "", /broken\.ts:\d+:\d+$/);
      assert.match(err.message, /broken\.ts:\d+:\d+: SyntaxError/);
      return true;
    });
    await loader.dispose();

    const { notes, errors } = await renderWithFailedReloads(dir, a, broken, throws);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!.message, /broken\.ts:\d+:\d+/);
    assert.match(errors[1]!.message, /throws\.ts:5:\d+: Error: boom/);
    // still the old set: kicks on every beat for all three cycles
    assert.deepEqual(
      notes.filter((n) => n.frame < 3 * 96000).map((n) => [n.sound, n.frame]),
      [...Array(12).keys()].map((i) => ["bd", i * 24000]),
    );
  }));

Deno.test("a part that throws when queried: the reload fails with file:line:column and the part, the old version plays on", () =>
  withTempDir(async (dir) => {
    const a = await setFile(dir, "a.ts", `set.tempo(120); set.play("k", s("bd*4"));`);
    const query = await setFile(
      dir,
      "query.ts",
      `set.tempo(120);\n  set.play("k", s("sd*4"));\n  set.play("lead", note("c3 e3").withValue((v: { note: string }) => {\n    throw new Error("bad " + v.note);\n  }));`,
    );
    // thrown inside Strudel: the location is where the part is declared
    const inside = await setFile(
      dir,
      "inside.ts",
      `set.tempo(120);\n  set.play("p", s("bd").ply("x"));`,
    );
    const { notes, errors } = await renderWithFailedReloads(dir, a, query, inside);
    assert.equal(errors.length, 2);
    assert.ok(errors[0] instanceof SetLoadError);
    assert.match(errors[0].location ?? "", /query\.ts:6:\d+$/);
    assert.match(
      errors[0].message,
      /query\.ts:6:\d+: PartQueryError: Cannot play part "lead" at cycle 1: Error: bad c3$/,
    );
    assert.match(
      errors[1]!.message,
      /inside\.ts:4:\d+: PartQueryError: Cannot play part "p" at cycle 2: Error: Invalid argument$/,
    );
    assert.deepEqual(
      notes.filter((n) => n.frame < 3 * 96000).map((n) => [n.sound, n.frame]),
      [...Array(12).keys()].map((i) => ["bd", i * 24000]),
    );
  }));

/** `deno task render set out ...args` from the project root: its exit code and stderr. */
async function renderTask(
  set: string,
  out: string,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "render", set, out, ...args],
    cwd: join(import.meta.dirname!, ".."),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
}

const CYCLES_0_TO_31 = `<${[...Array(32).keys()].join(" ")}>`;

Deno.test("a part that starts throwing during a render fails the render, naming file:line:column and the part", () =>
  withTempDir(async (dir) => {
    const late = await setFile(
      dir,
      "late.ts",
      `set.tempo(480);\n  set.play("k", s("bd*4"));\n  set.play("lead", s("hh").note("${CYCLES_0_TO_31}").withValue((v: { note: number }) => {\n    if (v.note >= 20) throw new RangeError("too late");\n    return v;\n  }));`,
    );
    await assert.rejects(
      renderSet(late, { out: join(dir, "x.wav"), cycles: 24 }),
      (err: unknown) => {
        assert.ok(err instanceof SetLoadError);
        assert.match(
          err.message,
          /late\.ts:6:\d+: PartQueryError: Cannot play part "lead" at cycle 20: RangeError: too late$/,
        );
        return true;
      },
    );
    // 19 cycles (the scheduler looks one chunk, 0.2 cycle, ahead) render: nothing fails before 20
    const r = await renderSet(late, { out: join(dir, "y.wav"), cycles: 19 });
    assert.equal(r.frames, 19 * 24000);
  }));

Deno.test("deno task render --cycles and --seconds exit non-zero with the located message for a set whose part throws", () =>
  withTempDir(async (dir) => {
    const set = await setFile(
      dir,
      "boom.ts",
      `set.tempo(120);\n  set.play("k", s("bd*4"));\n  set.play("lead", note("c3").withValue(() => {\n    throw new Error("boom");\n  }));`,
    );
    for (const length of [["--cycles", "4"], ["--seconds", "2"]]) {
      const { code, stderr } = await renderTask(set, join(dir, "x.wav"), length);
      assert.equal(code, 1, `${length[0]}: ${stderr}`);
      assert.match(
        stderr,
        /^error: \S*boom\.ts:6:\d+: PartQueryError: Cannot play part "lead" at cycle 0: Error: boom$/m,
        length[0],
      );
      assert.match(stderr, /^hint: Fix the set and render again/m, length[0]);
    }
  }));

Deno.test("deno task render --seconds and --cycles of a set both print the session's warnings", () =>
  withTempDir(async (dir) => {
    const set = await setFile(
      dir,
      "warn.ts",
      `set.play("keys", note("c3 e3").s("epiano").xsdelay(3));`,
    );
    for (const length of [["--cycles", "1"], ["--seconds", "1"]]) {
      const { code, stderr } = await renderTask(set, join(dir, "x.wav"), length);
      assert.equal(code, 0, `${length[0]}: ${stderr}`);
      assert.match(stderr, /^warning: part "keys": control "xsdelay" is not supported/m, length[0]);
    }
  }));

Deno.test("--record-midi: the MIDI file parses back into the same events", async () => {
  const notes = await notesOf((set) => {
    set.tempo(100);
    set.play("drums", s("bd [sd sd] <hh cp> bd(3,8)"));
    set.play("keys", note("c3 [e3 g3] <b3 d4>").s("epiano").velocity("<0.5 0.9>"));
  }, 4);
  const rec = new MidiRecorder();
  rec.tempo(0, 100);
  for (const n of notes) rec.add(n);
  const { notes: back, tempos } = readMidiNotes(rec.encode());
  assert.deepEqual(tempos, [{ beat: 0, bpm: 100 }]);
  const clock = (await import("../lib/engine/clock.ts")).Clock;
  const c = new clock(48000, 100);
  const key = (x: { part: string; note: number; velocity: number }, on: number, off: number) =>
    `${x.part}:${x.note}:${x.velocity}:${on}:${off}`;
  const want = notes.map((n) => key(n, n.frame, n.offFrame)).sort();
  const got = back.map((n) => key(n, c.beatsToFrames(n.beat), c.beatsToFrames(n.offBeat))).sort();
  assert.deepEqual(got, want);
  assert.ok(back.filter((n) => n.part === "drums").every((n) => n.channel === 9));
});

Deno.test("instruments: unchanged definition and samples are not reloaded, a changed one is", () =>
  withTempDir(async (dir) => {
    const { PROJECT_ROOT } = await import("../lib/ffi/build.ts");
    using sampler = Sampler.open({ sampleRate: 48000 });
    const cache = new InstrumentCache(sampler);
    const kick = join(PROJECT_ROOT, "instruments", "samples", "drums", "kick.wav");
    const def = join(dir, "k.json");
    const write = (gainDb: number) =>
      Deno.writeTextFile(
        def,
        JSON.stringify({ name: "k", zones: [{ sample: kick, keys: "C2", gainDb }] }),
      );
    await write(0);
    cache.register("k", def);
    const a = await cache.get("k");
    await write(0); // same bytes, new mtime
    const retired: unknown[] = [];
    const b = await cache.get("k", (old) => retired.push(old));
    assert.equal(b, a);
    assert.deepEqual([cache.loads, cache.hits, retired.length], [1, 1, 0]);
    await write(-6);
    const c = await cache.get("k", (old) => retired.push(old));
    assert.notEqual(c.instrument, a.instrument);
    assert.deepEqual([cache.loads, retired.length], [2, 1]);
  }));

Deno.test("REPL commands: tempo, mute, solo, hush, errors as text", async () => {
  const { runCommand } = await import("../lib/live/repl.ts");
  using sampler = Sampler.open({ sampleRate: 48000 });
  const instruments = new InstrumentCache(sampler);
  const notes: ScheduledNote[] = [];
  const session = new Session(sampler, { instruments, onNote: (n) => notes.push(n) });
  await session.apply(
    await evaluateSetForTest((set) => {
      set.tempo(120);
      set.play("a", s("bd*4"));
      set.play("b", s("hh*4"));
    }, 1),
  );
  const ctx = {
    session,
    instruments,
    reload: () => Promise.resolve(""),
    stats: () => "stats",
    quit: () => {},
  };
  session.advance(96000);
  assert.match(await runCommand("tempo 60", ctx), /tempo 60 bpm from beat 4\.00/);
  assert.match(await runCommand("mute a", ctx), /muted a/);
  assert.match(await runCommand("mute nope", ctx), /^error: Cannot mute "nope": no such part/);
  playTo(session, 96000 + 192000); // one cycle at 60 bpm
  const second = notes.filter((n) => n.frame >= 96000);
  assert.deepEqual(second.map((n) => [n.sound, n.frame]), [
    ["hh", 96000],
    ["hh", 144000],
    ["hh", 192000],
    ["hh", 240000],
  ]);
  assert.match(await runCommand("solo a", ctx), /solo a/);
  assert.match(await runCommand("hush", ctx), /hushed/);
  assert.match(await runCommand("frobnicate", ctx), /unknown command/);
});

Deno.test("set.midi(map) takes part in hot reload: applied, replaced, a bad map keeps the old one, dropping it clears it", async () => {
  using sampler = Sampler.open({ sampleRate: 48000 });
  const session = new Session(sampler, { instruments: new InstrumentCache(sampler) });
  /** Peak of what MIDI note 60 on channel 1 plays now, through the current map. */
  const probe = (): number => {
    const at = sampler.now() + 64;
    sampler.midi.send([0x90, 60, 100], { at });
    sampler.midi.send([0x80, 60, 0], { at: at + 4000 });
    const out = sampler.process(4800);
    return out.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  };
  const withMap = (transpose: number): SetFunction => (set) => {
    set.play("drums", s("~"));
    set.midi({ layers: [{ instrument: "bass", transpose }] });
  };
  await session.apply(await evaluateSetForTest(withMap(0), 1));
  assert.equal(sampler.midi.map?.layers[0]?.transpose, 0);
  assert.ok(probe() > 0.01, "a MIDI note sounds through the set's map");

  await session.apply(await evaluateSetForTest(withMap(-12), 1));
  assert.equal(sampler.midi.map?.layers[0]?.transpose, -12, "the reload replaced the map");

  const bad: SetFunction = (set) => {
    set.play("drums", s("~"));
    set.midi({ layers: [{ instrument: "bass", keys: [0, 200] }] } as never);
  };
  await assert.rejects(() => evaluateSetForTest(bad, 1), /layers\[0\]\.keys\[1\]/);
  assert.equal(
    sampler.midi.map?.layers[0]?.transpose,
    -12,
    "a bad map leaves the old one in force",
  );

  await session.apply(await evaluateSetForTest((set) => set.play("drums", s("~")), 1));
  assert.deepEqual(sampler.midi.map?.layers, [], "a set without a map clears it");
  sampler.process(3 * 48000); // let the first probe's release tail die away
  assert.ok(probe() < 1e-6, "MIDI notes play nothing once the map is cleared");
});
