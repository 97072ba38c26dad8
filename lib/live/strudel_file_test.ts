/**
 * Strudel REPL code as sets: tunes written the way strudel.cc's
 * documentation writes them, evaluated through @strudel/transpiler and
 * scheduled by a session (frames, sounds, values reaching the engine);
 * errors located at the `.strudel` file's line:column (syntax, mini-notation,
 * while evaluating, while a part is queried); a failing reload keeping the
 * previous version; tonal's voicings and scales.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { Sampler } from "../engine/sampler.ts";
import { noteNameToMidi } from "../pattern/scales.ts";
import { InstrumentCache } from "./instruments.ts";
import { loadInto, SetLoader, SetLoadError } from "./loader.ts";
import { Session } from "./session.ts";
import { evaluateSet } from "./set.ts";
import { TICKS_PER_CYCLE } from "./source.ts";
import { openSession, playTo } from "../../tests/session_fixture.ts";

const dir = await Deno.makeTempDir({ prefix: "strudel-file-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let count = 0;

/** Write a .strudel file. */
async function tune(code: string): Promise<string> {
  const file = join(dir, `tune${++count}.strudel`);
  await Deno.writeTextFile(file, code);
  return file;
}

/** Load a .strudel file into an offline session, play `cycles`, return notes and notes said. */
async function play(code: string, cycles: number) {
  const { sampler, session, notes, warnings } = openSession();
  const loader = new SetLoader(await tune(code), { onWarning: (w) => warnings.push(w) });
  try {
    const report = await loadInto(loader, session, 1);
    const end = session.frameOfTick(cycles * TICKS_PER_CYCLE);
    playTo(session, end);
    return { notes, warnings, report };
  } finally {
    sampler.close();
  }
}

/** The SetLoadError a file's load throws. */
async function loadError(code: string): Promise<SetLoadError> {
  const sampler = Sampler.open({ sampleRate: 48000 });
  try {
    const session = new Session(sampler, { instruments: new InstrumentCache(sampler) });
    const file = await tune(code);
    await loadInto(new SetLoader(file), session, 1);
  } catch (err) {
    assert.ok(err instanceof SetLoadError, String(err));
    return err;
  } finally {
    sampler.close();
  }
  throw new Error("the load did not fail");
}

const name = () => `tune${count}.strudel`;

Deno.test("$: parts, a named part, _$: muted, setcpm: frames and sounds", async () => {
  const { notes, report } = await play(
    `setcpm(30) // 0.5 cycles per second: a cycle is 2 s
$: s("bd sd")
$: note("c3 e3 g3").s('bass')
_$: s("hh*8")
hats: s(\`hh*4\`).gain(.5)
`,
    1,
  );
  assert.deepEqual(report.added.sort(), ["$0", "$1", "hats"]);
  const at = (part: string) => notes.filter((x) => x.part === part).map((x) => [x.sound, x.frame]);
  assert.deepEqual(at("$0"), [["bd", 0], ["sd", 48000]]);
  assert.deepEqual(at("$1"), [["bass", 0], ["bass", 32000], ["bass", 64000]]);
  assert.deepEqual(notes.filter((x) => x.part === "$1").map((x) => x.note), [48, 52, 55]);
  assert.deepEqual(at("hats").map((x) => x[1]), [0, 24000, 48000, 72000]);
  assert.ok(notes.filter((x) => x.part === "hats").every((x) => Math.abs(x.gainDb + 6.02) < 0.01));
});

Deno.test("setcps, and .cpm relative to the tempo as in Strudel's REPL", async () => {
  // at 1 cycle per second, cpm(120) is twice as fast: bd every 0.5 s
  const a = await play(`setcps(1)\n$: s("bd").cpm(120)`, 2);
  assert.deepEqual(a.notes.map((x) => x.frame), [0, 24000, 48000, 72000]);
  // no tempo set: Strudel's 0.5 cycles per second; cpm(60) = one cycle a second
  const b = await play(`s("bd").cpm(60)`, 1);
  assert.deepEqual(b.notes.map((x) => x.frame), [0, 48000]);
});

Deno.test("a final expression is the only part; hush, all, await, backticks", async () => {
  const one = await play(`note("c3 [e3 g3]").s("epiano")`, 1);
  assert.deepEqual(one.report.added, ["$0"]);
  assert.deepEqual(one.notes.map((x) => [x.note, x.frame]), [[48, 0], [52, 48000], [55, 72000]]);
  const more = await play(
    `$: s("hh*8")
hush()
const pat = await Promise.resolve(\`bd sd\`)
$: s(pat)
all(x => x.fast(2))
`,
    1,
  );
  assert.deepEqual(more.report.added, ["$0"]);
  assert.deepEqual(more.notes.map((x) => [x.sound, x.frame]), [
    ["bd", 0],
    ["sd", 24000],
    ["bd", 48000],
    ["sd", 72000],
  ]);
});

Deno.test("samples, visuals, .midi() and .piano(): accepted, each said once", async () => {
  const { notes, warnings } = await play(
    `samples('github:tidalcycles/dirt-samples')
$: note("c4 c5").piano().pianoroll()
$: s("bd*2")._scope().punchcard()
$: note("e3").midi()
`,
    1,
  );
  assert.equal(warnings.filter((w) => /^samples\("github:tidalcycles/.test(w)).length, 1);
  assert.equal(warnings.filter((w) => /^visual functions .* are ignored/.test(w)).length, 1);
  assert.equal(
    warnings.filter((w) => /^pianoroll, punchcard: drawn only by perform/.test(w)).length,
    1,
  );
  assert.equal(
    warnings.filter((w) => /^\.midi\(\): MIDI output is not there yet/.test(w)).length,
    1,
  );
  const piano = notes.filter((x) => x.part === "$0");
  assert.deepEqual(piano.map((x) => [x.sound, x.note]), [["piano", 60], ["piano", 72]]);
  // strudel.cc's piano: pan by pitch, 0.25 + 0.5 * midi / 108 (engine pan -1..1)
  for (const x of piano) assert.ok(Math.abs(x.pan - ((0.25 + 0.5 * x.note / 108) * 2 - 1)) < 1e-6);
  assert.equal(notes.filter((x) => x.part === "$1").length, 2);
});

Deno.test("tonal: voicings, scales with Strudel's names, transpose, rootNotes", async () => {
  const { notes } = await play(
    `setcps(1)
chords: chord("<C^7 Dm7>").voicing()
minor: n("0 2 4").scale('C minor').s("bass")
hira: n("0 1 2 3 4").scale("D3:hirajoshi").s("bass")
up: note("c3").transpose("<12 3M>").s("bass")
roots: chord("<C^7 Dm7>").rootNotes(2).s("bass")
`,
    2,
  );
  const cycle = (part: string, c: number) =>
    notes.filter((x) => x.part === part && Math.floor(x.frame / 48000) === c).map((x) => x.note)
      .sort((a, b) => a - b);
  // Strudel's default (ireal) voicings, top note at or below the anchor c5:
  // C^7 = C3 | E4 G4 B4, then Dm7 voice-led from it = F3 C4 D4 F4 C5
  const names = (list: string[]) => list.map(noteNameToMidi);
  assert.deepEqual(cycle("chords", 0), names(["C3", "E4", "G4", "B4"]));
  assert.deepEqual(cycle("chords", 1), names(["F3", "C4", "D4", "F4", "C5"]));
  const tones = [[0, 4, 7, 11], [2, 5, 9, 0]]; // pitch classes of C^7 and Dm7
  for (const c of [0, 1]) {
    for (const x of cycle("chords", c)) assert.ok(tones[c]!.includes(x % 12) && x <= 72);
  }
  assert.deepEqual(cycle("minor", 0), [48, 51, 55]);
  assert.deepEqual(cycle("hira", 0), [50, 52, 53, 57, 58]);
  assert.deepEqual([cycle("up", 0), cycle("up", 1)], [[60], [52]]);
  assert.deepEqual([cycle("roots", 0), cycle("roots", 1)], [[36], [38]]);
});

Deno.test("as in Strudel's REPL: a 'plain string' is one value, and the code's own const shadows a function", async () => {
  // from Strudel's "Caverave" and "Good times": a scale name inside timeCat, a const named scale
  const { notes, warnings } = await play(
    `setcps(1)
const scale = cat('C3 dorian', 'Bb2 major')
dorian: n("0 2").scale(scale).s("bass")
lydian: "<e3 d3>".scale(timeCat([1, 'C lydian'])).scaleTranspose(1).note().s("bass")
`,
    2,
  );
  const cycle = (part: string, c: number) =>
    notes.filter((x) => x.part === part && Math.floor(x.frame / 48000) === c).map((x) => x.note);
  assert.deepEqual(cycle("dorian", 0), [48, 51]); // C3 dorian: C3 Eb3
  assert.deepEqual(cycle("dorian", 1), [46, 50]); // Bb2 major: Bb2 D3
  assert.deepEqual(cycle("lydian", 0), [54]); // e3 one step up C lydian: F#3
  assert.deepEqual(cycle("lydian", 1), [52]); // d3 -> e3
  assert.deepEqual(warnings, []);
});

Deno.test("the code's own declarations shadow Strudel's names however they are written", async () => {
  // destructured, several in one statement, a function and a class: each its own name
  const { notes, warnings } = await play(
    `setcps(1)
const { scale, steps: [first, ...rest] } = { scale: 'C3 major', steps: [0, 2, 4] }, stack = 7
function arrange(x) { return x }
class rev {}
$: n(first + rest.length).scale(scale).s("bass")
`,
    1,
  );
  assert.deepEqual(notes.map((x) => x.note), [52]); // step 2 of C3 major: E3
  assert.deepEqual(warnings, []);
});

Deno.test("a syntax error names the .strudel file's line:column", async () => {
  const err = await loadError(`setcps(1)\n$: s("bd sd")\n$: note("c e").fast(2))\n`);
  assert.equal(err.location, `${relative(Deno.cwd(), join(dir, name()))}:3:23`);
  assert.match(err.message, /:3:23: SyntaxError: Unexpected token$/);
});

Deno.test("a mini-notation error names the line:column inside the string", async () => {
  const err = await loadError(`setcps(1)\n\n$: s("bd [sd cp")\n`);
  assert.match(err.message, /:3:\d+: SyntaxError: mini-notation "bd \[sd cp": /);
  const col = Number(/:3:(\d+):/.exec(err.message)![1]);
  assert.ok(col >= 7 && col <= 17, `column ${col} lies in the string`);
});

Deno.test("an error while evaluating names the line:column where it was thrown", async () => {
  const err = await loadError(`setcps(1)\n$: s("bd")\n$: s("hh").nosuchmethod(2)\n`);
  assert.match(err.message, /:3:\d+: TypeError: .*nosuchmethod is not a function/);
  const missing = await loadError(`setcps(1)\n\n  $: nosuch("bd")\n`);
  assert.match(missing.message, /:3:6: ReferenceError: nosuch is not defined/);
});

Deno.test("a part that throws while queried is located in the .strudel file", async () => {
  const err = await loadError(
    `setcps(1)
$: s("bd")
$: note("c3 e3").fmap(v => {
  throw new Error("no " + v.note)
})
`,
  );
  assert.match(err.message, /^.*tune\d+\.strudel:4:\d+: PartQueryError: Cannot play part "\$1"/);
});

Deno.test("browser-only functions fail naming themselves", async () => {
  const err = await loadError(`await initHydra()\n$: s("bd")\n`);
  assert.match(
    err.message,
    /Cannot use "initHydra": it needs Strudel's browser REPL and is not supported here/,
  );
  const m = await loadError(`$: note("c").csound('FM1')\n`);
  assert.match(m.message, /Cannot use "\.csound\(\)"/);
});

Deno.test("a failing reload keeps the previous version playing", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  const file = await tune(`setcps(1)\n$: s("bd*2")\n`);
  const loader = new SetLoader(file);
  await loadInto(loader, session, 1);
  session.advance(48000);
  await Deno.writeTextFile(file, `setcps(1)\n$: s("sd*2"\n`); // unbalanced
  await assert.rejects(() => loadInto(loader, session, 1), /strudel:3:1: SyntaxError/);
  playTo(session, 4 * 48000);
  assert.deepEqual([...new Set(notes.map((x) => x.sound))], ["bd"]);
  assert.equal(notes.length, 8);
  await Deno.writeTextFile(file, `setcps(1)\n$: s("sd*2")\n`);
  const report = await loadInto(loader, session, 1);
  assert.deepEqual(report.replaced, ["$0"]);
});

Deno.test('a reload where a part becomes .ply("<1 1e92>") fails at its line; the old version and the other part play on', async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  const file = await tune(`setcps(1)\n$: s("bd*2")\n$: s("hh*4")\n`);
  const loader = new SetLoader(file);
  await loadInto(loader, session, 1);
  session.advance(48000 + 1000); // into cycle 1
  await Deno.writeTextFile(file, `setcps(1)\n$: s("bd*2").ply("<1 1e92>")\n$: s("hh*4")\n`);
  await assert.rejects(
    () => loadInto(loader, session, 1),
    (err: unknown) => {
      assert.ok(err instanceof SetLoadError, String(err));
      assert.match(
        err.message,
        new RegExp(
          `${name()}:2:\\d+: PartQueryError: Cannot play part "\\$0" at cycle \\d+: ` +
            `RangeError: Cannot ply\\("1e\\+92"\\): it would make more than 10000 events per cycle`,
        ),
      );
      return true;
    },
  );
  playTo(session, 6 * 48000);
  const frames = (sound: string) => notes.filter((x) => x.sound === sound).map((x) => x.frame);
  assert.deepEqual(frames("bd"), [...Array(12).keys()].map((i) => i * 24000));
  assert.deepEqual(frames("hh"), [...Array(24).keys()].map((i) => i * 12000));
});

Deno.test('runaway counts in a .strudel file fail at their line: "0 .. 1e9", s("bd*1e9"), .fast(1e12)', async () => {
  const range = await loadError(`setcps(1)\n$: s("hh")\n$: n("0 .. 1e9")\n`);
  assert.match(
    range.message,
    /:3:\d+: .*Cannot expand "0 \.\. 1e9": it would make more than 10000 /,
  );
  const star = await loadError(`setcps(1)\n$: s("bd*1e9")\n`);
  assert.match(
    star.message,
    /:2:\d+: .*Cannot fast\("1000000000"\): it would make more than 10000 /,
  );
  const fast = await loadError(`setcps(1)\n\n$: s("bd").fast(1e12)\n`);
  assert.match(fast.message, /:3:\d+: RangeError: Cannot fast\("1000000000000"\)/);
});

Deno.test("set.strudel(code): a TypeScript set holding Strudel code", async () => {
  const snap = await evaluateSet(async (set) => {
    set.play("ts", (await import("../pattern/pattern.ts")).s("bd"));
    await set.strudel(`setcpm(60)\n$: s("hh*2")\nbass: note("c2").s("bass")`);
  }, 1);
  assert.deepEqual([...snap.parts.keys()], ["ts", "$0", "bass"]);
  assert.equal(snap.tempo, 240); // 1 cycle per second at 4 beats per cycle
});

Deno.test("set.strudel in a TypeScript set file: errors name that file's line", async () => {
  const file = join(dir, "mixed.ts");
  const lib = new URL("./mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    file,
    `import { defineSet, s } from "${lib}";
export default defineSet(async (set) => {
  set.play("ts", s("bd"));
  await set.strudel(\`
$: s("hh*2")
$: s("sd").nosuch()
\`);
});
`,
  );
  const sampler = Sampler.open({ sampleRate: 48000 });
  using _ = sampler;
  const session = new Session(sampler, { instruments: new InstrumentCache(sampler) });
  const loader = new SetLoader(file);
  try {
    await assert.rejects(
      () => loadInto(loader, session, 1),
      (err: unknown) => {
        assert.ok(err instanceof SetLoadError);
        assert.equal(err.location?.replace(/:\d+$/, ""), `${relative(Deno.cwd(), file)}:6`);
        assert.match(err.message, /TypeError: .*nosuch is not a function/);
        return true;
      },
    );
  } finally {
    await loader.dispose();
  }
});

Deno.test("pianoroll: the coming cycles drawn where there is a terminal (onDraw)", async () => {
  const sampler = Sampler.open({ sampleRate: 48000 });
  using _ = sampler;
  const session = new Session(sampler, { instruments: new InstrumentCache(sampler) });
  const drawn: string[] = [];
  const file = await tune(
    `setcps(1)\n$: note("c3 e3").s("bass")\n$: s("bd*4")\nall(x => x.pianoroll())\n`,
  );
  const loader = new SetLoader(file, { onDraw: (t) => drawn.push(t) });
  await loadInto(loader, session, 1);
  assert.equal(drawn.length, 1);
  const lines = drawn[0]!.split("\n");
  assert.equal(lines[0], "cycles 0..2:");
  assert.match(lines[1]!, /^ {3}E3 │ {16}█▒{15}│ {16}█▒{15}│$/);
  assert.match(lines[2]!, /^ {3}C3 │█▒{15} {16}│█▒{15} {16}│$/);
  assert.match(lines[3]!, /^ {3}bd │(█▒{7}){4}│(█▒{7}){4}│$/);
});
