/**
 * Inputs the fuzzers found (tests/fuzz/, `deno task fuzz`), kept as tests:
 * each now ends as the project's typed, located error. The engine's sample
 * loader regressions are in engine/tests/test_fuzz_files.c.
 */
import assert from "node:assert/strict";
import { InstrumentDefinitionError, SampleLoadError } from "../lib/errors.ts";
import { evaluateStrudel } from "../lib/live/strudel_file.ts";
import { queryPattern } from "../lib/pattern/query.ts";
import { loadSoundFontPreset } from "../lib/instrument/sf2/load.ts";
import { synthFonts } from "./fuzz/targets.ts";

const sink = () => ({
  play: () => {},
  cps: () => {},
  note: () => {},
});

/** The rejection of evaluating `code` as /set/tune.strudel. */
async function rejection(code: string): Promise<Error> {
  try {
    await evaluateStrudel(code, sink(), { file: "/set/tune.strudel" });
  } catch (err) {
    assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
    return err;
  }
  assert.fail(`evaluated without an error: ${code}`);
}

Deno.test("strudel fuzz input 246 (seed 1): a last statement that declares is located, not the transpiler's bare error", async () => {
  // found as `const melody = n("0 [2 4] <3 5> ~")>sc`: @strudel/transpiler threw
  // "unexpected ast format without body expression", with no line
  const err = await rejection('const melody = n("0 [2 4] <3 5> ~")>sc');
  assert.ok(err instanceof SyntaxError);
  assert.match(err.message, /^Cannot play the code: its last statement is a declaration/);
  assert.match(err.stack ?? "", /at \/set\/tune\.strudel:1:1$/);
});

Deno.test('strudel fuzz input 196696 (seed 1): .ply("<1 1e92>") is a located RangeError when cycle 1 is queried, not an aborted process', async () => {
  // found as this tune: @strudel/core's query built 1e92 events until the heap hit V8's limit
  const code =
    'n(run(8)).scale("A:minor:pentatonic").s("piano").off(1/8, x => x.add(n(2))).ply("<1 1e92>")';
  const parts: { pattern: unknown; declaredAt: string }[] = [];
  await evaluateStrudel(
    code,
    {
      ...sink(),
      play: (_: string, pattern: unknown, declaredAt: string) =>
        parts.push({ pattern, declaredAt }),
    },
    { file: "/set/tune.strudel" },
  );
  assert.equal(parts.length, 1);
  assert.match(parts[0]!.declaredAt, /\/set\/tune\.strudel:1:1/);
  const pattern = parts[0]!.pattern as never;
  assert.equal(queryPattern(pattern, 0, 1).filter((h) => h.hasOnset()).length, 16); // 8 notes and their offs
  assert.throws(
    () => queryPattern(pattern, 1, 1.25),
    new RangeError(
      'Cannot ply("1e+92"): it would make more than 10000 events per cycle of each event; ' +
        "use a value that makes at most 10000",
    ),
  );
});

Deno.test("strudel fuzz inputs (seed 1): an error raised deep inside Strudel while the code runs is placed at the code's call", async () => {
  // found as these tunes (inputs 200182, 375315, 233682, 336948, 312184): Fraction's "Invalid
  // argument" or a BigInt conversion thrown under Strudel's wrappers, more than V8's default 10
  // frames below the file's own call, so the stack had no frame in the file
  const cases: [string, string][] = [
    [
      'n(run(8)).scale("A:minor:pentatonic").s("piano").off(1/v, x => x.add(n(2))).ply("<1 2>")',
      "1:50",
    ],
    [
      'n(run(~8)).scale("A:minor:pentatonic").s("piano").off(1/0, x => x.add(n(2))).ply("<1 2>")',
      "1:51",
    ],
    [
      'n(run(n)).scale("A:minor:pentatonic").s("piano").off(1/8, x => x.add(n(2))).ply("<1 2>")',
      "1:",
    ],
    [
      'setcpm(120/4)\narrange([4, n("0 1 2 3").s("bass")], [e, s("bd sd")]).mask("<1 [1 0]>")',
      "2:",
    ],
    ['note("c3 [e3 g3]*2 <a3 b3>").sound("gm_acoustic_bass").jux(rev).every(3, fast(e))', "1:"],
  ];
  for (const [code, at] of cases) {
    const err = await rejection(code);
    const frame = (err.stack ?? "").split("\n").find((l) => l.includes("/set/tune.strudel:"));
    assert.ok(frame, `no frame in the file for ${code}:\n${err.stack}`);
    assert.ok(frame.includes(`/set/tune.strudel:${at}`), `${code}: ${frame}`);
  }
});

Deno.test("strudel fuzz input 937903 (seed 1): samples() inside a function is placed at the call, not the constructor's bare SyntaxError", async () => {
  // the REPL's transform awaits every samples(...): inside an arrow function that is a
  // SyntaxError of the transformed code, which had no place in the file
  const err = await rejection(
    'n(run(8)).s("piano").off(1/8, x => x.add(samples())).ply("<1 2>")',
  );
  assert.ok(err instanceof SyntaxError);
  assert.match(err.message, /awaits samples\(\.\.\.\), which works only at the top level/);
  assert.match(err.stack ?? "", /at \/set\/tune\.strudel:1:42$/);
});

Deno.test("samples() in a function body over several lines, or a named function, is placed at the call", async () => {
  for (
    const [code, at] of [
      [
        'const load = () => {\n  // the bank\n  samples("github:tidalcycles/dirt-samples")\n}\ns("bd")',
        "3:3",
      ],
      ['function load(x) { if (x) { return [1, samples({ bd: "bd.wav" })] } }\ns("bd")', "1:40"],
    ] as const
  ) {
    const err = await rejection(code);
    assert.ok(err instanceof SyntaxError, code);
    assert.match(err.message, /awaits samples\(\.\.\.\), which works only at the top level/);
    assert.match(err.stack ?? "", new RegExp(`at /set/tune\\.strudel:${at}$`), code);
  }
});

Deno.test("a declaration after the pattern is placed on its line, past trailing comments and blanks", async () => {
  const err = await rejection('s("bd sd")\nconst later = 1\n// the end\n\n');
  assert.ok(err instanceof SyntaxError);
  assert.match(err.stack ?? "", /at \/set\/tune\.strudel:2:1$/);
});

/** A sampler that is never reached past the font's checks (and records nothing). */
const noSampler = {
  createInstrument: () => ({ setCurve() {}, addZone() {}, commit() {} }),
  createSample: () => ({ info: { frames: 1 } }),
  loadSample: () => ({ info: { frames: 1 } }),
} as never;

/** The written SF2 with `edit` applied, in a temporary file. */
function damagedFont(edit: (b: Uint8Array, v: DataView) => void): string {
  const b = synthFonts()[0]!.slice();
  edit(b, new DataView(b.buffer));
  const file = Deno.makeTempFileSync({ suffix: ".sf2" });
  Deno.writeFileSync(file, b);
  return file;
}

/** Byte offset of the first `needle` in `b`. */
function find(b: Uint8Array, needle: number[] | string): number {
  const n = typeof needle === "string" ? [...new TextEncoder().encode(needle)] : needle;
  outer: for (let i = 0; i + n.length <= b.length; i++) {
    for (let k = 0; k < n.length; k++) if (b[i + k] !== n[k]) continue outer;
    return i;
  }
  throw new Error(`no ${needle} in the font`);
}

Deno.test("sf2 fuzz: a zone naming a sample the font lacks fails naming the file and preset", async () => {
  // found as "Cannot read instrument "Layered": it names sample 8, the font has 3", no file named
  const file = damagedFont((b, v) => {
    const at = find(b, "igen") + 8; // the first instrument generators
    for (let i = at;; i += 4) {
      if (v.getUint16(i, true) === 53) { // sampleID
        v.setUint16(i + 2, 8, true);
        break;
      }
    }
  });
  try {
    await assert.rejects(loadSoundFontPreset(noSampler, file, { bank: 0, program: 0 }), (err) => {
      assert.ok(err instanceof InstrumentDefinitionError, String(err));
      assert.match(err.message, /^Cannot load preset 0:0 of ".*\.sf2": the font is damaged \(/);
      assert.match(err.message, /names sample 8, the font has 3/);
      return true;
    });
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test("sf2 fuzz: a sample header pointing past smpl fails naming the sample and the file", async () => {
  const file = damagedFont((b, v) => {
    const at = find(b, "shdr") + 8; // the first sample header, "sine"
    v.setUint32(at + 24, 0xffffff, true); // its end
  });
  try {
    await assert.rejects(loadSoundFontPreset(noSampler, file, { bank: 0, program: 0 }), (err) => {
      assert.ok(err instanceof SampleLoadError, String(err));
      assert.match(
        err.message,
        /^Cannot decode SoundFont sample "sine" of ".*\.sf2": .*lie outside "smpl"/,
      );
      return true;
    });
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test('sfz fuzz: a file that cannot be read says so, not "the file has no <region> header"', async () => {
  const { importSfz } = await import("../lib/instrument/sfz/import.ts");
  assert.throws(
    () =>
      importSfz("/fuzz/sfz/piano.sfz", {
        read: (p) => {
          throw new Deno.errors.NotFound(`no such file "${p}"`);
        },
      }),
    (err) => {
      assert.ok(err instanceof InstrumentDefinitionError, String(err));
      assert.equal(
        err.message,
        'Cannot import "/fuzz/sfz/piano.sfz": cannot read it (no such file "/fuzz/sfz/piano.sfz")',
      );
      assert.equal(err.file, "/fuzz/sfz/piano.sfz");
      return true;
    },
  );
});
