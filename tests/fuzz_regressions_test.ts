/**
 * Inputs the fuzzers found (tests/fuzz/, `deno task fuzz`), kept as tests:
 * each now ends as the project's typed, located error. The engine's sample
 * loader regressions are in engine/tests/test_fuzz_files.c.
 */
import assert from "node:assert/strict";
import { evaluateStrudel } from "../lib/live/strudel_file.ts";

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

Deno.test("a declaration after the pattern is placed on its line, past trailing comments and blanks", async () => {
  const err = await rejection('s("bd sd")\nconst later = 1\n// the end\n\n');
  assert.ok(err instanceof SyntaxError);
  assert.match(err.stack ?? "", /at \/set\/tune\.strudel:2:1$/);
});
