/**
 * `deno task fuzz [--target sfz,sf2,osc,strudel,strudel-time] [--execs N] [--seed S] [--from I]
 * [--budget-ms MS] [--hang-ms MS] [--chunk N] [--seconds S]`: the long fuzz runs of the
 * TypeScript parsers (tests/fuzz/harness.ts, tests/fuzz/targets.ts); CI runs a
 * short smoke of each in tests/fuzz_smoke_test.ts, the engine's libFuzzer
 * targets run under ctest (label fuzz). Targets run one after another, each
 * in a worker, in chunks of `--chunk` inputs (a fresh worker per chunk keeps
 * memory flat); a worker stuck on one input for `--hang-ms` (3 s) is
 * terminated, the input reported as a hang, and the run goes on after it.
 * Prints per target: executions, rate, outcome kinds (accepted, and each
 * expected error's shape), the slowest input, findings; writes each finding's
 * input to build/fuzz-ts/<target>-<seed>-<index>.bin. Exits 1 when there was
 * a finding.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { type FuzzFinding, makeInput } from "../tests/fuzz/harness.ts";
import { findingPath, TARGETS } from "../tests/fuzz/targets.ts";
import type { WorkerJob } from "../tests/fuzz/worker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string" },
    execs: { type: "string" },
    seed: { type: "string" },
    from: { type: "string" },
    "budget-ms": { type: "string" },
    "hang-ms": { type: "string" },
    chunk: { type: "string" },
    seconds: { type: "string" },
  },
});
const names = (values.target ?? Object.keys(TARGETS).join(",")).split(",").filter(Boolean);
for (const n of names) {
  if (!TARGETS[n]) {
    console.error(
      `Cannot fuzz "${n}": no such target: pick from ${Object.keys(TARGETS).join(", ")}`,
    );
    Deno.exit(2);
  }
}
const execs = Number(values.execs ?? 100_000);
const seed = Number(values.seed ?? 1);
const from0 = Number(values.from ?? 0);
const budgetMs = Number(values["budget-ms"] ?? 2000);
const hangMs = Number(values["hang-ms"] ?? 3_000);
const chunk = Number(values.chunk ?? 50_000);
/** Stop a target after this many seconds (at the end of a chunk) even below --execs. */
const maxSeconds = Number(values.seconds ?? Infinity);

interface Reported {
  execs: number;
  ms: number;
  outcomes: [string, number][];
  findings: FuzzFinding[];
  slowestMs: number;
  slowestIndex: number;
}

/** Run inputs [from, from+n) in one worker; a hang ends the chunk early. */
async function runChunk(
  name: string,
  from: number,
  n: number,
): Promise<Reported & { hangAt?: number }> {
  const progress = new SharedArrayBuffer(4);
  const at = new Int32Array(progress);
  Atomics.store(at, 0, from);
  const worker = new Worker(new URL("../tests/fuzz/worker.ts", import.meta.url), {
    type: "module",
  });
  const job: WorkerJob = { target: name, seed, from, execs: n, budgetMs, progress };
  return await new Promise((resolve, reject) => {
    let last = -1, since = performance.now();
    const timer = setInterval(() => {
      const now = Atomics.load(at, 0);
      if (now !== last) {
        last = now;
        since = performance.now();
      } else if (performance.now() - since > hangMs) {
        clearInterval(timer);
        worker.terminate();
        resolve({
          execs: now - from,
          ms: 0,
          outcomes: [],
          findings: [],
          slowestMs: performance.now() - since,
          slowestIndex: now,
          hangAt: now,
        });
      }
    }, 250);
    worker.onmessage = (e: MessageEvent<Reported>) => {
      clearInterval(timer);
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      clearInterval(timer);
      worker.terminate();
      e.preventDefault();
      reject(new Error(`fuzz worker for "${name}" failed: ${e.message}`));
    };
    worker.postMessage(job);
  });
}

let anyFinding = false;
for (const name of names) {
  const target = await TARGETS[name]!();
  const outcomes = new Map<string, number>();
  const findings: FuzzFinding[] = [];
  let done = 0, slowestMs = 0, slowestIndex = 0;
  const t0 = performance.now();
  let index = from0;
  while (done < execs && performance.now() - t0 < maxSeconds * 1000) {
    const n = Math.min(chunk, execs - done);
    let r: Reported & { hangAt?: number };
    try {
      r = await runChunk(name, index, n);
    } catch (err) {
      // the worker itself died (out of memory, a crash of the runtime): name the chunk
      findings.push({
        target: name,
        seed,
        index,
        kind: "crash",
        detail: `worker died in inputs ${index}..${index + n - 1}: ${(err as Error).message}`,
        input: makeInput(target, seed, index),
      });
      r = { execs: n, ms: 0, outcomes: [], findings: [], slowestMs: 0, slowestIndex: index };
    }
    for (const [k, v] of r.outcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + v);
    findings.push(...r.findings);
    if (r.slowestMs > slowestMs) {
      slowestMs = r.slowestMs;
      slowestIndex = r.slowestIndex;
    }
    if (r.hangAt !== undefined) {
      findings.push({
        target: name,
        seed,
        index: r.hangAt,
        kind: "slow",
        detail: `hang: no progress for ${hangMs} ms (worker terminated)`,
        input: makeInput(target, seed, r.hangAt),
      });
      r.execs = r.hangAt - index + 1;
    }
    done += r.execs;
    index += r.execs;
    const s = (performance.now() - t0) / 1000;
    console.error(`fuzz ${name}: ${done} execs, ${(done / s).toFixed(0)}/s`);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `\n== ${name}: ${done} executions in ${seconds.toFixed(1)} s (${
      (done / seconds).toFixed(0)
    }/s), seed ${seed}, inputs ${from0}..${from0 + done - 1}`,
  );
  console.log(`   slowest input: ${slowestMs.toFixed(1)} ms (index ${slowestIndex})`);
  const sorted = [...outcomes].sort((a, b) => b[1] - a[1]);
  console.log(`   ${sorted.length} outcome kinds:`);
  for (const [k, v] of sorted.slice(0, 40)) console.log(`   ${String(v).padStart(9)}  ${k}`);
  if (sorted.length > 40) console.log(`   ... ${sorted.length - 40} more`);
  console.log(`   findings: ${findings.length}`);
  if (findings.length) {
    // every finding's index, one line each, to replay them (the inputs of the first 20 are written below)
    const all = findingPath(name, seed, 0).replace(/-0\.bin$/, "-findings.txt");
    Deno.mkdirSync(dirname(all), { recursive: true });
    Deno.writeTextFileSync(
      all,
      findings.map((f) => `${f.index} ${f.kind} ${f.detail.split("\n")[0]}`).join("\n") + "\n",
    );
    console.log(`   all findings: ${all}`);
  }
  for (const f of findings.slice(0, 20)) {
    const path = findingPath(f.target, f.seed, f.index);
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.writeFileSync(path, f.input);
    console.log(
      `   - ${f.kind} at index ${f.index} (${path}):\n     ${
        f.detail.split("\n").slice(0, 6).join("\n     ")
      }`,
    );
  }
  if (findings.length) anyFinding = true;
}
Deno.exit(anyFinding ? 1 : 0);
