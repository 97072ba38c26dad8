/**
 * The CI smoke of the TypeScript fuzz targets (tests/fuzz/targets.ts): a few
 * thousand mutated inputs each, deterministic (seed 1), in-process. Each
 * target must end every input as accepted or as one of its typed, located
 * errors (no finding), and must see both: a mutator that only ever breaks
 * its inputs, or a target that accepts everything, tests nothing. The long
 * runs (a million each) are `deno task fuzz`; docs/architecture.md
 * "Fuzzing" has the figures.
 */
import assert from "node:assert/strict";
import { type FuzzReport, runTarget } from "./fuzz/harness.ts";
import { TARGETS } from "./fuzz/targets.ts";

/** Executions per target in the smoke, sized to a few seconds each. */
const SMOKE: Record<string, number> = {
  sfz: 2000,
  sf2: 3000,
  osc: 5000,
  strudel: 300,
  "strudel-time": 100,
};

/** Strudel's transpiler warns on an empty file; the fuzz inputs are not the test's output. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { log, warn, info } = console;
  console.log = console.warn = console.info = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, { log, warn, info });
  }
}

function summary(r: FuzzReport): string {
  const f = r.findings[0];
  return `${r.target}: ${r.findings.length} findings; first at input ${f?.index} (${f?.kind}):\n${f?.detail}\n` +
    `input: ${
      JSON.stringify(new TextDecoder().decode(f?.input ?? new Uint8Array()).slice(0, 400))
    }`;
}

for (const [name, execs] of Object.entries(SMOKE)) {
  Deno.test(`fuzz smoke: ${execs} mutated ${name} inputs end accepted or as typed, located errors`, async () => {
    const target = await TARGETS[name]!();
    const r = await quietly(() => runTarget(target, { seed: 1, execs, budgetMs: 5000 }));
    assert.equal(r.execs, execs);
    assert.equal(r.findings.length, 0, summary(r));
    const accepted = [...r.outcomes].filter(([k]) => k.startsWith("ok")).reduce(
      (n, [, v]) => n + v,
      0,
    );
    const refused = execs - accepted;
    assert.ok(accepted > execs / 50, `${name}: only ${accepted} of ${execs} inputs accepted`);
    assert.ok(refused > execs / 50, `${name}: only ${refused} of ${execs} inputs refused`);
    // more than a couple of error shapes: the mutations reach past the first check
    assert.ok(r.outcomes.size >= 4, `${name}: outcomes ${JSON.stringify([...r.outcomes])}`);
  });
}

Deno.test("fuzz inputs are the same for the same seed and index, and differ between indices", async () => {
  const { makeInput } = await import("./fuzz/harness.ts");
  const t = await TARGETS.sfz!();
  assert.deepEqual(makeInput(t, 7, 1234), makeInput(t, 7, 1234));
  assert.notDeepEqual(makeInput(t, 7, 1234), makeInput(t, 7, 1235));
  assert.notDeepEqual(makeInput(t, 7, 1234), makeInput(t, 8, 1234));
});
